package importer

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/rppsync/rppsync"
)

// Reasons a sheet is skipped (rppsync.SheetInfo.Skipped).
const (
	skipProfile  = "feuille non retenue par le profil de l'agence"
	skipNoHeader = "aucune ligne d'intitulés reconnue dans les 20 premières lignes"
	skipEmpty    = "feuille vide"
	skipNotGrid  = "feuille sans cellules (graphique ou macro)"
)

// cellRange is a merged range, 1-based and inclusive.
type cellRange struct{ col1, row1, col2, row2 int }

// readXLSX reads a workbook: its sheets from xl/workbook.xml, their cells
// with sheetRows (see sheetxml.go).
func readXLSX(ctx context.Context, p string, opts Options) (*File, error) {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return nil, errCorrupt(p)
	}
	defer zr.Close()
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > uint64(opts.MaxUnzipSize) {
			return nil, errTooLarge(p, opts.MaxUnzipSize)
		}
	}
	wb, err := readWorkbook(&zr.Reader, opts.MaxUnzipXMLSize)
	if err != nil {
		switch {
		case errors.Is(err, errNotWorkbook):
			return nil, errUnsupported(p, "est une archive zip mais pas un classeur Excel (.xlsx)")
		case errors.Is(err, errPartTooLarge):
			return nil, errTooLarge(p, opts.MaxUnzipXMLSize)
		}
		return nil, errCorrupt(p)
	}

	file := &File{Path: p, Format: "xlsx", Records: []rppsync.Record{}}
	coll := newCollector(file)
	read := 0
	var sst []string // the shared strings, read with the first sheet read
	for _, sheet := range wb.sheets {
		name := sheet.name
		info := rppsync.SheetInfo{Name: name, Hidden: sheet.state != "" && sheet.state != "visible"}
		if !opts.Profile.wantsSheet(name) {
			info.Skipped = skipProfile
			file.Sheets = append(file.Sheets, info)
			continue
		}
		sr := &sheetReader{path: p, sheet: name, spreadsheet: true, date1904: wb.date1904, now: opts.Now, coll: coll, records: opts.records()}
		sr.hidden = info.Hidden && !opts.Profile.namesSheet(name)
		if opts.Profile != nil {
			sr.agency = opts.Profile.Agency
		}
		part := sheet.part
		if part == "" {
			// No part behind the name (a relationship missing).
			info.Skipped = skipNotGrid
			file.Sheets = append(file.Sheets, info)
			continue
		}
		merges := func() ([]cellRange, error) { return scanMerges(&zr.Reader, part, opts.MaxUnzipSize) }
		if sst == nil {
			if sst, err = loadSharedStrings(&zr.Reader, opts.MaxUnzipXMLSize); err != nil {
				if errors.Is(err, errPartTooLarge) {
					return nil, errTooLarge(p, opts.MaxUnzipXMLSize)
				}
				return nil, errCorrupt(p)
			}
			if sst == nil {
				sst = []string{}
			}
		}
		recs, err := readSheetPart(ctx, &zr.Reader, part, sst, opts.MaxUnzipSize, sr, opts.Profile, merges, &info)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, errCorrupt(p)
		}
		if info.Skipped == "" {
			read++
			file.Records = append(file.Records, recs...)
		}
		file.Sheets = append(file.Sheets, info)
	}
	if read == 0 {
		return file, errNoHeader(p)
	}
	return file, nil
}

// xlsxRow is one row of a sheet: its Excel number and its raw cell texts.
type xlsxRow struct {
	num   int
	cells []string
}

// readSheetPart reads the worksheet part of one sheet (see readSheet)
// with sheetRows, reading at most limit bytes of it. A part the archive
// lacks is an empty sheet, as with excelize.
func readSheetPart(ctx context.Context, zr *zip.Reader, part string, sst []string, limit int64, sr *sheetReader, prof *Profile,
	merges func() ([]cellRange, error), info *rppsync.SheetInfo) ([]rppsync.Record, error) {
	rc, err := openPart(zr, part)
	if errors.Is(err, errSheetXML) {
		return readSheet(ctx, newSheetRows(strings.NewReader(""), sst), sr, prof, merges, info)
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return readSheet(ctx, newSheetRows(io.LimitReader(rc, limit), sst), sr, prof, merges, info)
}

// readSheet finds the heading of one sheet and reads the rows under it. It
// sets info.HeaderRow, or info.Skipped when there is no heading.
func readSheet(ctx context.Context, rows *sheetRows, sr *sheetReader, prof *Profile,
	merges func() ([]cellRange, error), info *rppsync.SheetInfo) (recs []rppsync.Record, err error) {
	// next reads the next row; it stops on a cancelled ctx.
	next := func() (xlsxRow, bool, error) {
		if err := ctx.Err(); err != nil {
			return xlsxRow{}, false, err
		}
		num, cells, ok, err := rows.Next()
		if err != nil || !ok {
			return xlsxRow{}, false, err
		}
		for i, c := range cells {
			cells[i] = plainNumber(c)
		}
		return xlsxRow{num, cells}, true, nil
	}

	// Buffer the top rows until the heading row, plus the row after it
	// (a possible second heading row).
	var buf []xlsxRow
	headerAt := -1
	limit := maxHeaderSearch
	if prof != nil && prof.HeaderRow > 0 {
		limit = prof.HeaderRow
	}
	nonBlank := false
	for len(buf) < limit+1 {
		r, ok, err := next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		buf = append(buf, r)
		nonBlank = nonBlank || strings.Join(r.cells, "") != ""
		if headerAt >= 0 {
			break // the row after the heading is buffered
		}
		if r.num > limit {
			break
		}
		if prof != nil && prof.HeaderRow > 0 {
			if r.num == prof.HeaderRow {
				headerAt = len(buf) - 1
			}
		} else if isHeader(prof, r.cells) {
			headerAt = len(buf) - 1
		}
	}
	if headerAt < 0 {
		info.Skipped = skipNoHeader
		if !nonBlank {
			info.Skipped = skipEmpty
		}
		return nil, nil
	}

	ranges, err := merges()
	if err != nil {
		return nil, err
	}
	header := buf[headerAt]
	info.HeaderRow = header.num
	lay := newLayout(prof, header.cells)
	dataFrom := headerAt + 1
	// A second heading row under this one: the heading row has cells merged
	// across columns (or down into the next row) and the next row has text
	// under them.
	if headerAt+1 < len(buf) {
		below := buf[headerAt+1]
		spans := horizontalSpans(ranges, header.num)
		if (len(spans) > 0 && hasTextUnder(below.cells, spans)) || mergesDown(ranges, header.num) {
			lay = combineLayout(prof, header.cells, below.cells, spans)
			dataFrom = headerAt + 2
		}
	}
	// A first heading row above this one ("Identité" over "Nom", "Prénom"):
	// at least two labels in that row, merged across the columns below.
	if dataFrom == headerAt+1 && headerAt > 0 {
		above := buf[headerAt-1]
		spans := horizontalSpans(ranges, above.num)
		if len(spans) > 0 && countText(above.cells) >= 2 && hasTextUnder(header.cells, spans) {
			lay = combineLayout(prof, above.cells, header.cells, spans)
		}
	}
	sr.lay = lay
	sr.start()
	list := sr.records
	emit := func(r xlsxRow) {
		if rec, ok := sr.record(r.num, r.cells); ok {
			list.add(rec)
		}
	}
	for _, r := range buf[dataFrom:] {
		emit(r)
	}
	for {
		r, ok, err := next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		emit(r)
	}
	return list.all(), nil
}

// horizontalSpans returns, 0-based, the column ranges merged across at least
// two columns starting in a given row.
func horizontalSpans(ranges []cellRange, row int) [][2]int {
	var spans [][2]int
	for _, r := range ranges {
		if r.row1 == row && r.col2 > r.col1 {
			spans = append(spans, [2]int{r.col1 - 1, r.col2 - 1})
		}
	}
	return spans
}

// mergesDown reports whether a range starting in row spans the next row too.
func mergesDown(ranges []cellRange, row int) bool {
	for _, r := range ranges {
		if r.row1 == row && r.row2 > row {
			return true
		}
	}
	return false
}

// hasTextUnder reports whether cells has text inside one of the spans.
func hasTextUnder(cells []string, spans [][2]int) bool {
	for _, s := range spans {
		for i := s[0]; i <= s[1] && i < len(cells); i++ {
			if strings.TrimSpace(cells[i]) != "" {
				return true
			}
		}
	}
	return false
}

func countText(cells []string) int {
	n := 0
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			n++
		}
	}
	return n
}

// errNotWorkbook says a zip archive has no xl/workbook.xml.
var errNotWorkbook = errors.New("not a workbook")

// workbook is what readXLSX needs of xl/workbook.xml: the sheets in
// their order, and the date system.
type workbook struct {
	sheets   []workbookSheet
	date1904 bool // serial dates count from 1904
}

// workbookSheet is a sheet of the workbook: its name, its state ("",
// "visible", "hidden" or "veryHidden") and its part in the zip ("" when
// its relationship is missing).
type workbookSheet struct {
	name, state, part string
}

// readWorkbook reads xl/workbook.xml and its relationships.
func readWorkbook(zr *zip.Reader, limit int64) (*workbook, error) {
	var wb struct {
		Sheets []struct {
			Name  string `xml:"name,attr"`
			State string `xml:"state,attr"`
			RID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
		Pr struct {
			Date1904 string `xml:"date1904,attr"`
		} `xml:"workbookPr"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	found := false
	for _, f := range zr.File {
		switch strings.ToLower(f.Name) {
		case "xl/workbook.xml":
			found = true
			if err := decodePart(f, limit, &wb); err != nil {
				return nil, err
			}
		case "xl/_rels/workbook.xml.rels":
			if err := decodePart(f, limit, &rels); err != nil {
				return nil, err
			}
		}
	}
	if !found {
		return nil, errNotWorkbook
	}
	targets := make(map[string]string, len(rels.Rels))
	for _, r := range rels.Rels {
		t := r.Target
		if strings.HasPrefix(t, "/") {
			t = strings.TrimPrefix(t, "/")
		} else {
			t = "xl/" + t
		}
		targets[r.ID] = path.Clean(t)
	}
	out := &workbook{}
	// As encoding/xml reads a boolean attribute (excelize's reading).
	out.date1904, _ = strconv.ParseBool(strings.TrimSpace(wb.Pr.Date1904))
	for _, s := range wb.Sheets {
		out.sheets = append(out.sheets, workbookSheet{name: s.Name, state: s.State, part: targets[s.RID]})
	}
	return out, nil
}

// decodePart decodes one small XML part, of at most limit bytes
// (errPartTooLarge otherwise).
func decodePart(f *zip.File, limit int64, v any) error {
	if f.UncompressedSize64 > uint64(limit) {
		return errPartTooLarge
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return xml.NewDecoder(io.LimitReader(rc, limit)).Decode(v)
}

// scanMerges streams a worksheet part and returns its merged ranges; the
// cell data is skipped, never held in memory. The part is searched as bytes
// for its mergeCell elements rather than decoded as XML: the sheet data
// before them is most of the part, and an XML decoder going through it
// would cost as much as reading the cells themselves. In well-formed XML a
// "<" in text is always escaped, so "<mergeCell " (or "<x:mergeCell " with
// a namespace prefix) can only start the element.
func scanMerges(zr *zip.Reader, part string, limit int64) ([]cellRange, error) {
	var zf *zip.File
	for _, f := range zr.File {
		if f.Name == part {
			zf = f
			break
		}
	}
	if zf == nil {
		return nil, nil
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var out []cellRange
	err = eachMergeRef(io.LimitReader(rc, limit), func(ref string) {
		first, last, ok := strings.Cut(ref, ":")
		if !ok {
			return
		}
		c1, r1, err1 := excelize.CellNameToCoordinates(first)
		c2, r2, err2 := excelize.CellNameToCoordinates(last)
		if err1 == nil && err2 == nil {
			out = append(out, cellRange{min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)})
		}
	})
	return out, err
}

// mergeCellTag is the name that opens a merged range element.
var mergeCellTag = []byte("mergeCell ")

// eachMergeRef calls fn with the ref attribute of each mergeCell element of
// the worksheet XML read from r, in order.
func eachMergeRef(r io.Reader, fn func(ref string)) error {
	buf := make([]byte, 0, 64<<10)
	chunk := make([]byte, 64<<10)
	for eof := false; !eof; {
		n, err := io.ReadFull(r, chunk)
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			eof = true
		case err != nil:
			return err
		}
		buf = append(buf, chunk[:n]...)
		// Report every complete element; keep, for the next read, the
		// bytes from the first incomplete one (with room for its prefix),
		// or else the last ones that could start a tag, but never an
		// element already reported.
		consumed := 0
		keep := -1
		for {
			i := bytes.Index(buf[consumed:], mergeCellTag)
			if i < 0 {
				break
			}
			i += consumed
			end := bytes.IndexByte(buf[i:], '>')
			if end < 0 {
				keep = max(consumed, i-32)
				break
			}
			end += i
			if opensTag(buf[:i]) {
				if ref, ok := xmlAttr(buf[i+len(mergeCellTag):end], "ref"); ok {
					fn(ref)
				}
			}
			consumed = end + 1
		}
		if keep < 0 {
			keep = max(consumed, len(buf)-len(mergeCellTag)-32)
		}
		buf = append(buf[:0], buf[keep:]...)
	}
	return nil
}

// opensTag reports whether the tag name that starts at the end of b is
// opened there: b ends with "<" or with "<prefix:".
func opensTag(b []byte) bool {
	if len(b) > 0 && b[len(b)-1] == '<' {
		return true
	}
	if len(b) == 0 || b[len(b)-1] != ':' {
		return false
	}
	for i := len(b) - 2; i >= 0 && len(b)-i < 32; i-- {
		switch c := b[i]; {
		case c == '<':
			return i < len(b)-2
		case c == '_' || c == '-' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return false
}

// xmlAttr returns the value of attribute name in the attribute text of a
// start tag, quoted with " or ' (a cell range holds no entity to decode).
func xmlAttr(attrs []byte, name string) (string, bool) {
	for len(attrs) > 0 {
		attrs = bytes.TrimLeft(attrs, " \t\r\n")
		eq := bytes.IndexByte(attrs, '=')
		if eq < 0 {
			return "", false
		}
		key := bytes.TrimSpace(attrs[:eq])
		rest := bytes.TrimLeft(attrs[eq+1:], " \t\r\n")
		if len(rest) == 0 || rest[0] != '"' && rest[0] != '\'' {
			return "", false
		}
		q := bytes.IndexByte(rest[1:], rest[0])
		if q < 0 {
			return "", false
		}
		if string(key) == name {
			return string(rest[1 : 1+q]), true
		}
		attrs = rest[q+2:]
	}
	return "", false
}
