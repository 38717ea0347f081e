package importer

import (
	"archive/zip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// A workbook is an Open Packaging Conventions (OPC) package: a zip archive
// whose parts are found through relationships (_rels/*.rels), in the
// Transitional or the Strict (ISO/IEC 29500 "Strict Open XML") namespaces.
// Part names are compared without case, as OPC says, and with "\" read as
// "/" (some .NET and Java writers store xl\worksheets\sheet1.xml), as
// excelize does.

// errUnzipBudget says the parts read from a workbook decompress to more
// than Options.MaxUnzipSize in all: one part read again and again (a
// worksheet named by hundreds of sheets) is counted each time.
var errUnzipBudget = errors.New("unzip budget exceeded")

// partReadError is an error of the zip reader itself (a damaged entry): no
// other reader would read that part.
type partReadError struct{ err error }

func (e *partReadError) Error() string { return "read part: " + e.err.Error() }
func (e *partReadError) Unwrap() error { return e.err }

// opcPackage is the parts of a workbook, with the bytes left to decompress.
type opcPackage struct {
	parts map[string]*zip.File // by partKey
	left  int64                // bytes that may still be decompressed, all parts together
}

// partKey is the name a part is looked up by: "/" for "\", no leading "/",
// lower case.
func partKey(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	return strings.ToLower(strings.TrimPrefix(name, "/"))
}

// newPackage indexes the parts of zr; budget bounds the bytes all reads of
// parts may decompress. When two entries have the same name the last one
// counts, as with excelize.
func newPackage(zr *zip.Reader, budget int64) *opcPackage {
	p := &opcPackage{parts: make(map[string]*zip.File, len(zr.File)), left: budget}
	for _, f := range zr.File {
		p.parts[partKey(f.Name)] = f
	}
	return p
}

// has reports whether the package holds a part.
func (p *opcPackage) has(name string) bool {
	_, ok := p.parts[partKey(name)]
	return ok
}

// open opens a part for streaming. Its reads count against the package's
// budget (errUnzipBudget past it) and stop with ctx.Err() once ctx is
// done. A missing part is errSheetXML.
func (p *opcPackage) open(ctx context.Context, name string) (io.ReadCloser, error) {
	f, ok := p.parts[partKey(name)]
	if !ok {
		return nil, fmt.Errorf("%w: no part %s", errSheetXML, name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, &partReadError{err}
	}
	return &budgetReader{ctx: ctx, rc: rc, left: &p.left}, nil
}

// budgetReader reads a part, counting its bytes against a shared budget.
type budgetReader struct {
	ctx  context.Context
	rc   io.ReadCloser
	left *int64
}

func (r *budgetReader) Read(b []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	if *r.left <= 0 {
		return 0, errUnzipBudget
	}
	b = b[:min(int64(len(b)), *r.left+1)]
	n, err := r.rc.Read(b)
	*r.left -= int64(n)
	if *r.left < 0 {
		return n, errUnzipBudget
	}
	if err != nil && err != io.EOF {
		err = &partReadError{err}
	}
	return n, err
}

func (r *budgetReader) Close() error { return r.rc.Close() }

// readAll reads a whole small part of at most limit bytes (errPartTooLarge
// otherwise).
func (p *opcPackage) readAll(ctx context.Context, name string, limit int64) ([]byte, error) {
	f, ok := p.parts[partKey(name)]
	if !ok {
		return nil, fmt.Errorf("%w: no part %s", errSheetXML, name)
	}
	if f.UncompressedSize64 > uint64(limit) {
		return nil, errPartTooLarge
	}
	rc, err := p.open(ctx, name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errPartTooLarge
	}
	return b, nil
}

// relationship is one relationship of a part, its target resolved to a
// part name.
type relationship struct {
	id, typ, target string
}

// relsPart is the relationships part of a part ("" for the package).
func relsPart(source string) string {
	dir, file := path.Split(source)
	return dir + "_rels/" + file + ".rels"
}

// rels reads the relationships of a part ("" for the package's own);
// a part without relationships has none. External targets are left out.
func (p *opcPackage) rels(ctx context.Context, source string, limit int64) ([]relationship, error) {
	name := relsPart(source)
	if !p.has(name) {
		return nil, nil
	}
	b, err := p.readAll(ctx, name, limit)
	if err != nil {
		return nil, err
	}
	var out []relationship
	d := xml.NewDecoder(strings.NewReader(string(b)))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", errWorkbookXML, name, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Relationship" {
			continue
		}
		var r relationship
		external := false
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "Id":
				r.id = a.Value
			case "Type":
				r.typ = a.Value
			case "Target":
				r.target = a.Value
			case "TargetMode":
				external = strings.EqualFold(a.Value, "External")
			}
		}
		if external {
			continue
		}
		t := strings.ReplaceAll(r.target, `\`, "/")
		if strings.HasPrefix(t, "/") {
			t = strings.TrimPrefix(t, "/")
		} else {
			t = path.Join(path.Dir(source), t)
		}
		r.target = path.Clean(t)
		out = append(out, r)
	}
}

// relType reports whether a relationship type is kind (officeDocument,
// worksheet, sharedStrings…) in the Transitional or Strict namespace.
func relType(typ, kind string) bool {
	return strings.HasSuffix(typ, "/relationships/"+kind) &&
		(strings.HasPrefix(typ, "http://schemas.openxmlformats.org/") || strings.HasPrefix(typ, "http://purl.oclc.org/ooxml/"))
}

// Namespaces of the relationship id attribute (r:id) of a sheet.
const (
	nsRelTransitional = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsRelStrict       = "http://purl.oclc.org/ooxml/officeDocument/relationships"
)

// errWorkbookXML says the workbook part or a relationships part is not
// well-formed XML.
var errWorkbookXML = errors.New("malformed workbook XML")

// readWorkbook finds the workbook part through the package relationships
// (xl/workbook.xml when they name none, as excelize does), then its sheets,
// their parts through its relationships, its date system and its shared
// strings part (found by relationship, else at xl/sharedStrings.xml).
func readWorkbook(ctx context.Context, p *opcPackage, limit int64) (*workbook, error) {
	rootRels, err := p.rels(ctx, "", limit)
	if err != nil {
		return nil, err
	}
	wbPart := "xl/workbook.xml"
	for _, r := range rootRels {
		if relType(r.typ, "officeDocument") && p.has(r.target) {
			wbPart = r.target
			break
		}
	}
	if !p.has(wbPart) {
		return nil, errNotWorkbook
	}
	b, err := p.readAll(ctx, wbPart, limit)
	if err != nil {
		return nil, err
	}
	rels, err := p.rels(ctx, wbPart, limit)
	if err != nil {
		return nil, err
	}
	targets := make(map[string]string, len(rels))
	out := &workbook{}
	for _, r := range rels {
		targets[r.id] = r.target
		if out.sharedStrings == "" && relType(r.typ, "sharedStrings") {
			out.sharedStrings = r.target
		}
	}
	if out.sharedStrings == "" {
		out.sharedStrings = sharedStringsPart
	}
	d := xml.NewDecoder(strings.NewReader(string(b)))
	inSheets := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", errWorkbookXML, wbPart, err)
		}
		if ee, ok := tok.(xml.EndElement); ok && ee.Name.Local == "sheets" {
			inSheets = false
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "sheets":
			inSheets = true
		case "sheet":
			if !inSheets {
				continue
			}
			var s workbookSheet
			for _, a := range se.Attr {
				switch {
				case a.Name.Space == "" && a.Name.Local == "name":
					s.name = a.Value
				case a.Name.Space == "" && a.Name.Local == "state":
					s.state = a.Value
				case a.Name.Local == "id" && (a.Name.Space == nsRelTransitional || a.Name.Space == nsRelStrict):
					s.part = targets[a.Value]
				}
			}
			out.sheets = append(out.sheets, s)
		case "workbookPr":
			for _, a := range se.Attr {
				if a.Name.Space == "" && a.Name.Local == "date1904" {
					// As encoding/xml reads a boolean attribute (excelize's reading).
					out.date1904, _ = strconv.ParseBool(strings.TrimSpace(a.Value))
				}
			}
		}
	}
	return out, nil
}
