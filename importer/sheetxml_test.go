package importer

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// excelizeRows returns the rows of a sheet as excelize's Rows and
// Columns(RawCellValue) give them, numbered from 1.
func excelizeRows(t *testing.T, path, sheet string) ([][]string, error) {
	t.Helper()
	f, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, err
	}
	defer f.Close()
	it, err := f.Rows(sheet)
	if err != nil {
		return nil, err
	}
	var out [][]string
	for it.Next() {
		cells, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, err
		}
		out = append(out, cells)
	}
	if err := it.Close(); err != nil {
		return nil, err
	}
	return out, nil
}

// scannedRows returns the rows of a sheet as sheetRows gives them.
func scannedRows(t *testing.T, path, sheet string) ([][]string, error) {
	rows, _, err := scannedRowsOrder(t, path, sheet)
	return rows, err
}

// scannedRowsOrder is scannedRows, also saying whether rows came out of
// order.
func scannedRowsOrder(t *testing.T, path, sheet string) ([][]string, bool, error) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, false, err
	}
	defer zr.Close()
	ctx := context.Background()
	pkg := newPackage(&zr.Reader, DefaultMaxUnzipSize)
	wb, err := readWorkbook(ctx, pkg, DefaultMaxUnzipXMLSize)
	if err != nil {
		return nil, false, err
	}
	parts := map[string]string{}
	for _, s := range wb.sheets {
		parts[s.name] = s.part
	}
	sst, err := loadSharedStrings(ctx, pkg, wb.sharedStrings, DefaultMaxUnzipXMLSize)
	if err != nil {
		return nil, false, err
	}
	part, ok := parts[sheet]
	if !ok {
		return nil, false, fmt.Errorf("no part for sheet %q", sheet)
	}
	rc, err := pkg.open(ctx, part)
	if err != nil {
		return nil, false, err
	}
	defer rc.Close()
	rows := newSheetRows(rc, sst)
	var out [][]string
	for {
		num, cells, ok, err := rows.Next()
		if err != nil {
			return nil, false, err
		}
		if !ok {
			return out, rows.reordered, nil
		}
		if num != len(out)+1 {
			return nil, false, fmt.Errorf("row %d after %d rows", num, len(out))
		}
		out = append(out, cells)
	}
}

// sameRows fails the test when the scanner and excelize disagree on a sheet.
func sameRows(t *testing.T, path, sheet string) {
	t.Helper()
	want, err := excelizeRows(t, path, sheet)
	if err != nil {
		t.Fatalf("excelize: %v", err)
	}
	got, err := scannedRows(t, path, sheet)
	if err != nil {
		t.Fatalf("scanner: %v", err)
	}
	if !reflect.DeepEqual(norm(got), norm(want)) {
		t.Errorf("sheet %s:\nscanner  %q\nexcelize %q", sheet, got, want)
	}
}

// norm makes nil and empty rows equal.
func norm(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		if len(r) > 0 {
			out[i] = r
		}
	}
	return out
}

// TestSheetRowsMatchExcelize writes cells of every kind with excelize and
// reads them back both ways.
func TestSheetRowsMatchExcelize(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	const s1 = "Sheet1"
	set := func(sheet, cell string, v any) {
		t.Helper()
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	set(s1, "A1", "Nom")
	set(s1, "B1", "Prénom & co <x> \"q\" 'a'")
	set(s1, "D1", 12345678901)
	set(s1, "E1", 3.25)
	set(s1, "F1", true)
	set(s1, "G1", false)
	set(s1, "H1", time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC))
	set(s1, "A3", "ligne\r\nsuivante\rfin")
	set(s1, "B3", "tab\there")
	set(s1, "C3", "  espaces  ")
	set(s1, "D3", "_x000D_ littéral et _x005F_x0041_")
	set(s1, "E3", "Ünïcödé 𝄞 中文")
	set(s1, "Z3", "loin")
	set(s1, "A5", "")
	set(s1, "B5", "Nom") // a shared string used twice
	if err := f.SetCellFormula(s1, "C5", "B5&\"x\""); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellFormula(s1, "A6", "1+1"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellRichText(s1, "B6", []excelize.RichTextRun{
		{Text: "gras "}, {Text: "et fin", Font: &excelize.Font{Bold: true}},
	}); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStr(s1, "C6", "1234"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellInt(s1, "A1000", 7); err != nil {
		t.Fatal(err)
	}
	// A second sheet written by the stream writer (inline strings).
	if _, err := f.NewSheet("Flux"); err != nil {
		t.Fatal(err)
	}
	sw, err := f.NewStreamWriter("Flux")
	if err != nil {
		t.Fatal(err)
	}
	for r := 1; r <= 50; r++ {
		if r%7 == 0 {
			continue
		}
		row := []any{fmt.Sprintf("Nom%d", r), "", r, float64(r) / 3, r%2 == 0, "é&<"}
		cell, _ := excelize.CoordinatesToCellName(1+r%3, r)
		if err := sw.SetRow(cell, row); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("Vide"); err != nil {
		t.Fatal(err)
	}
	// Sheets of several hundred kilobytes: the scanner's buffer is
	// refilled many times, with tags and texts across its ends.
	if _, err := f.NewSheet("Gros"); err != nil {
		t.Fatal(err)
	}
	sw, err = f.NewStreamWriter("Gros")
	if err != nil {
		t.Fatal(err)
	}
	for r := 1; r <= 4000; r++ {
		row := []any{fmt.Sprintf("Nom%d é&<>", r), strings.Repeat("x", r%97), r * 1001, float64(r) / 7, r%3 == 0,
			time.Date(1950+r%60, time.Month(1+r%12), 1+r%28, 0, 0, 0, 0, time.UTC), "", fmt.Sprintf("%09d", r)}
		cell, _ := excelize.CoordinatesToCellName(1+r%2, r)
		if err := sw.SetRow(cell, row); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("Partagé"); err != nil {
		t.Fatal(err)
	}
	for r := 1; r <= 3000; r += 1 + r%3 {
		for c := 1; c <= 6; c++ {
			cell, _ := excelize.CoordinatesToCellName(c+r%4, r)
			set("Partagé", cell, fmt.Sprintf("v%d_%d%s", r%50, c, strings.Repeat("ü", c)))
		}
	}
	path := filepath.Join(t.TempDir(), "kinds.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{xmlBufferSize, 16} {
		for _, sheet := range []string{s1, "Flux", "Vide", "Gros", "Partagé"} {
			t.Run(fmt.Sprintf("%s buffer %d", sheet, size), func(t *testing.T) {
				defer setXMLBuffer(size)()
				sameRows(t, path, sheet)
			})
		}
	}
}

// writeRawXLSX writes a workbook of one sheet, Feuil1, whose worksheet part
// is sheet and whose shared strings part is sst (none when empty).
func writeRawXLSX(t testing.TB, path, sheet, sst string) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	put("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`)
	put("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	put("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	put("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`)
	put("xl/worksheets/sheet1.xml", sheet)
	if sst != "" {
		put("xl/sharedStrings.xml", sst)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

const (
	sheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`
	sstHead = `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`
)

// rawSST is a shared strings part with rich text, phonetic runs, escapes,
// entities, CDATA and whitespace.
var rawSST = sstHead + `<si><t>Nom</t></si>
<si><r><rPr><b/></rPr><t xml:space="preserve">Jean </t></r><r><t>Pierre</t></r></si>
<si><t>Kanji</t><rPh sb="0" eb="1"><t>かんじ</t></rPh><phoneticPr fontId="1"/></si>
<si><t>a_x000D_b_x005F_x000D_</t></si>
<si><t>&lt;&amp;&gt;&#233;&#x20AC;</t></si>
<si><t><![CDATA[<brut> & ]]>fin</t></si>
<si><t/></si>
<si><!-- note --><t>  blancs
  </t></si>
</sst>`

// TestSheetRowsHandWritten compares the scanner with excelize on parts
// written by hand: namespace prefixes, rows and cells without references,
// rows out of order and far apart, self-closing elements, inline strings,
// formulas without value, entities, comments and processing instructions.
func TestSheetRowsHandWritten(t *testing.T) {
	cases := map[string]string{
		"references": sheetHead + `<sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c><c r="D1" t="s"><v>2</v></c></row>
<row r="3" spans="1:4"><c r="B3" t="s"><v> 3 </v></c><c r="C3" t="s"><v>4</v></c><c r="D3" t="s"><v>5</v></c><c r="E3" t="s"><v>6</v></c><c r="F3" t="s"><v>7</v></c></row>
<row r="4"><c r="A4"><v>1.5E+3</v></c><c r="B4" t="b"><v>1</v></c><c r="C4" t="e"><v>#N/A</v></c><c r="D4" t="str"><f>A4</f><v>texte</v></c><c r="E4"><f>1/0</f></c><c r="F4" s="3"/></row>
<row r="7"><c r="A7" t="inlineStr"><is><t>en ligne</t></is></c><c r="B7" t="inlineStr"><is><r><t>a</t></r><r><t>b</t></r></is></c><c r="C7" t="inlineStr"><v>sans is</v></c><c r="D7" t="d"><v>2026-01-02T00:00:00Z</v></c></row>
<row r="8"/>
<row r="10"><c r="J10"><v>10</v></c></row>
</sheetData><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>`,
		"no references": sheetHead + `<sheetData><row><c t="s"><v>0</v></c><c/><c t="s"><v>1</v></c></row><row><c><v>2</v></c></row>
<row r="5"><c><v>5</v></c><c r="E5"><v>e</v></c><c><v>f</v></c></row><row><c t="s"><v>0</v></c></row></sheetData></worksheet>`,
		"prefixes": `<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>
<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="inlineStr"><x:is><x:t>X</x:t></x:is></x:c></x:row>
<x:row r="2"><x:c r="B2"><x:v>2</x:v></x:c></x:row></x:sheetData></x:worksheet>`,
		"comments and entities": sheetHead + `<!-- a comment --><?pi data?><sheetData><!-- in data -->
<row r="1"><c r="A1" t="inlineStr"><is><t>a&amp;b &#38; &#x3C; &quot;c&apos;</t></is></c><!-- between --><c r="B1" t="str"><v>x&gt;y</v></c></row>
<row r="2"><c r="A2" t='inlineStr'><is><t>cr&#13;lf</t></is></c><c r="B2" t="inlineStr"><is><t>ligne
suite</t></is></c></row></sheetData></worksheet>`,
		"empty data": sheetHead + `<sheetData/></worksheet>`,
		"no data":    sheetHead + `<dimension ref="A1"/></worksheet>`,
		"attributes with >": sheetHead + `<sheetData><row r="1" x14ac:dyDescent="0.25" custom='a>b'><c r="A1" t="s" note="x>y"><v>0</v></c>` +
			`<c r="B1" t="inlineStr" note="a/>b"><is><t>après une valeur en /></t></is></c><c r="C1" note="z/>"/><c r="D1"><v>4</v></c></row></sheetData></worksheet>`,
		"whitespace values": sheetHead + `<sheetData><row r="1"><c r="A1"><v> 12 </v></c><c r="B1" t="str"><v>
</v></c><c r="C1" t="s"><v></v></c></row></sheetData></worksheet>`,
	}
	dir := t.TempDir()
	for _, size := range []int{xmlBufferSize, 16} {
		for name, sheet := range cases {
			t.Run(fmt.Sprintf("%s buffer %d", name, size), func(t *testing.T) {
				defer setXMLBuffer(size)()
				path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".xlsx")
				writeRawXLSX(t, path, sheet, rawSST)
				sameRows(t, path, "Feuil1")
			})
		}
	}
}

// setXMLBuffer sets the scanner's buffer size (16 bytes at least, bufio's
// least) and returns a function that restores it.
func setXMLBuffer(n int) func() {
	old := xmlBufferSize
	xmlBufferSize = n
	return func() { xmlBufferSize = old }
}

// TestSheetRowsOutOfOrder: rows whose numbers go back, which the format
// forbids, are read in the order they come (excelize appends their cells
// to the row before).
func TestSheetRowsOutOfOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "order.xlsx")
	writeRawXLSX(t, path, sheetHead+`<sheetData><row r="3"><c r="A3"><v>3</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>`+
		`<row r="3"><c r="B3"><v>3b</v></c></row><row r="9"><c r="A9"><v>9</v></c></row></sheetData></worksheet>`, rawSST)
	got, reordered, err := scannedRowsOrder(t, path, "Feuil1")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{nil, nil, {"3"}, {"2"}, {"", "3b"}, nil, nil, nil, {"9"}}
	if !reflect.DeepEqual(norm(got), norm(want)) || !reordered {
		t.Errorf("rows %q (reordered %v), want %q (reordered)", got, reordered, want)
	}
}

// TestSheetRowsRefusesBrokenXML checks that malformed parts are errors,
// never rows silently cut short.
func TestSheetRowsRefusesBrokenXML(t *testing.T) {
	cases := map[string]string{
		"truncated":         sheetHead + `<sheetData><row r="1"><c r="A1"><v>1</v></c>`,
		"unknown entity":    sheetHead + `<sheetData><row r="1"><c r="A1" t="str"><v>&nbsp;</v></c></row></sheetData></worksheet>`,
		"bad reference":     sheetHead + `<sheetData><row r="1"><c r="1A"><v>1</v></c></row></sheetData></worksheet>`,
		"bad row number":    sheetHead + `<sheetData><row r="x"><c r="A1"><v>1</v></c></row></sheetData></worksheet>`,
		"shared string out": sheetHead + `<sheetData><row r="1"><c r="A1" t="s"><v>99</v></c></row></sheetData></worksheet>`,
		"control character": sheetHead + "<sheetData><row r=\"1\"><c r=\"A1\" t=\"str\"><v>a\x01b</v></c></row></sheetData></worksheet>",
		"not UTF-8":         sheetHead + "<sheetData><row r=\"1\"><c r=\"A1\" t=\"str\"><v>a\xe9b</v></c></row></sheetData></worksheet>",
		"unclosed attr":     sheetHead + `<sheetData><row r="1><c r="A1"><v>1</v></c></row></sheetData></worksheet>`,
	}
	dir := t.TempDir()
	for name, sheet := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".xlsx")
			writeRawXLSX(t, path, sheet, rawSST)
			if rows, err := scannedRows(t, path, "Feuil1"); err == nil {
				t.Errorf("no error, rows %q", rows)
			}
		})
	}
}

// wellFormed reports whether encoding/xml reads doc to its end.
func wellFormed(doc string) bool {
	d := xml.NewDecoder(strings.NewReader(doc))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return true
		}
		if err != nil {
			return false
		}
	}
}

// FuzzSheetRows: whenever the scanner reads a worksheet part, excelize
// reads the same rows from it.
func FuzzSheetRows(f *testing.F) {
	f.Add(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1"><v>2</v></c></row>`)
	f.Add(`<row><c t="inlineStr"><is><r><t>a</t></r></is></c><c><f>1</f></c></row><row r="4"/>`)
	f.Add(`<x:row r="2"><x:c r="B2" t="str"><x:v>a&amp;b</x:v></x:c></x:row>`)
	f.Add(`<row r="1"><c r="A1" t="s"><v>5</v></c></row><!-- c --><row r="3"><c r="C3" t="b"><v>1</v></c></row>`)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, rows string) {
		path := filepath.Join(dir, "fuzz.xlsx")
		sheet := sheetHead + `<sheetData>` + rows + `</sheetData></worksheet>`
		if !wellFormed(sheet) {
			// excelize stops at the first XML error and returns the rows
			// before it; the scanner refuses or reads on.
			return
		}
		writeRawXLSX(t, path, sheet, rawSST)
		// A 16-byte buffer: every tag and text of these small inputs
		// crosses the buffer's ends somewhere.
		defer setXMLBuffer(16)()
		got, reordered, err := scannedRowsOrder(t, path, "Feuil1")
		if err != nil || reordered || len(got) > 5000 {
			// Refused, read otherwise on purpose (TestSheetRowsOutOfOrder),
			// or a row number so high that excelize would take seconds to
			// iterate up to it.
			return
		}
		want, err := excelizeRows(t, path, "Feuil1")
		if err != nil {
			t.Fatalf("the scanner read %q, excelize failed: %v", got, err)
		}
		if !reflect.DeepEqual(norm(got), norm(want)) {
			t.Fatalf("scanner  %q\nexcelize %q", got, want)
		}
	})
}
