package importer

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
)

// rawBook describes a workbook written part by part, to reproduce what
// writers other than excelize produce.
type rawBook struct {
	sheets []rawSheet
	// parts are the other parts, by name (worksheets, shared strings…).
	parts map[string]string
	// sst is the relationship target of the shared strings ("" for none in
	// the relationships).
	sst       string
	strict    bool   // Strict Open XML namespaces and relationship types
	backslash bool   // zip entry names written with "\"
	date1904  string // workbookPr date1904 value, "" for none
	prefix    string // namespace prefix of the workbook elements ("x:"), "" for none
}

// rawSheet is a sheet of a rawBook: its name, state and the target of its
// relationship (relative to xl/, or absolute).
type rawSheet struct {
	name, state, target string
}

// namespaces returns the main namespace, the relationships namespace and
// the relationship type prefix.
func (b rawBook) namespaces() (main, rel, relType string) {
	if b.strict {
		return "http://purl.oclc.org/ooxml/spreadsheetml/main",
			"http://purl.oclc.org/ooxml/officeDocument/relationships",
			"http://purl.oclc.org/ooxml/officeDocument/relationships/"
	}
	return "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
		"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
		"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
}

// bytes returns the zip archive of the workbook.
func (b rawBook) bytes(t testing.TB) []byte {
	t.Helper()
	main, rel, relType := b.namespaces()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name, body string) {
		if b.backslash {
			name = strings.ReplaceAll(name, "/", `\`)
		}
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	put("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>`)
	put("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="`+relType+`officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	var sheets, rels strings.Builder
	for i, s := range b.sheets {
		state := ""
		if s.state != "" {
			state = ` state="` + s.state + `"`
		}
		fmt.Fprintf(&sheets, `<%ssheet name="%s" sheetId="%d"%s r:id="rId%d"/>`, b.prefix, s.name, i+1, state, i+1)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="%sworksheet" Target="%s"/>`, i+1, relType, s.target)
	}
	if b.sst != "" {
		fmt.Fprintf(&rels, `<Relationship Id="rIdS" Type="%ssharedStrings" Target="%s"/>`, relType, b.sst)
	}
	pr := ""
	if b.date1904 != "" {
		pr = `<` + b.prefix + `workbookPr date1904="` + b.date1904 + `"/>`
	}
	xmlns := `xmlns="` + main + `"`
	if b.prefix != "" {
		xmlns = `xmlns:` + strings.TrimSuffix(b.prefix, ":") + `="` + main + `"`
	}
	put("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><`+b.prefix+`workbook `+xmlns+` xmlns:r="`+rel+`">`+pr+
		`<`+b.prefix+`sheets>`+sheets.String()+`</`+b.prefix+`sheets></`+b.prefix+`workbook>`)
	put("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+rels.String()+`</Relationships>`)
	for name, body := range b.parts {
		put(name, body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// write writes the workbook to path.
func (b rawBook) write(t testing.TB, path string) {
	t.Helper()
	if err := os.WriteFile(path, b.bytes(t), 0o644); err != nil {
		t.Fatal(err)
	}
}

// worksheet returns a worksheet part in namespace main holding rows.
func worksheet(main, rows string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="` + main + `"><sheetData>` + rows + `</sheetData></worksheet>`
}

// inlineRow returns a row of inline strings, from column A.
func inlineRow(num int, cells ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<row r="%d">`, num)
	for i, c := range cells {
		fmt.Fprintf(&b, `<c r="%c%d" t="inlineStr"><is><t>%s</t></is></c>`, 'A'+i, num, c)
	}
	b.WriteString(`</row>`)
	return b.String()
}

// headingRow is a heading row of inline strings in row 1.
var headingRow = inlineRow(1, "Nom", "Prénom", "N° RPPS", "Date de naissance")
