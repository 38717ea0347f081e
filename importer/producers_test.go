package importer

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/xuri/excelize/v2"

	"github.com/rppsync/rppsync"
)

const (
	strictNS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
	// producerRows are the rows of the hand-built producer workbooks: shared
	// strings, inline and rich text, a shared formula, a date serial, a
	// boolean, an entity.
	producerRows = `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>` +
		`<row r="2"><c r="A2" t="s"><v>5</v></c><c r="B2" t="inlineStr"><is><r><t>Hé</t></r><r><rPr><b/></rPr><t>lène</t></r></is></c><c r="C2" t="str"><v>10000000001</v></c><c r="D2"><v>27790</v></c><c r="E2"><f t="shared" ref="E2:E4" si="0">D2+1</f><v>27791</v></c></row>` +
		`<row r="3"><c r="A3" t="inlineStr"><is><t>NOM &amp; FILS</t></is></c><c r="C3"><v>10000000002</v></c><c r="D3"><v>1</v></c><c r="E3"><f t="shared" si="0"/><v>2</v></c></row>` +
		`<row r="4"><c r="A4" t="inlineStr"><is><t>NOMVRAI</t></is></c><c r="C4" t="b"><v>1</v></c><c r="E4"><f t="shared" si="0"/></c></row>`
	producerSST = `<si><t>Nom</t></si><si><t>Prénom</t></si><si><t>N° RPPS</t></si><si><t>Date de naissance</t></si><si><t>Calcul</t></si><si><r><t>NOM</t></r><r><rPr><i/></rPr><t>TEST</t></r></si>`
)

// producerBooks are workbooks written as other producers write them.
func producerBooks() map[string]rawBook {
	sheets := []rawSheet{{name: "Feuil1", target: "worksheets/sheet1.xml"}, {name: "Masquée", state: "hidden", target: "worksheets/sheet2.xml"}}
	transitional := func(b rawBook) rawBook {
		b.sheets = sheets
		b.sst = "sharedStrings.xml"
		b.parts = map[string]string{
			"xl/worksheets/sheet1.xml": worksheet(mainNS, producerRows),
			"xl/worksheets/sheet2.xml": worksheet(mainNS, producerRows),
			"xl/sharedStrings.xml":     sstHead + producerSST + `</sst>`,
		}
		return b
	}
	strict := rawBook{strict: true, sheets: sheets, sst: "sharedStrings.xml", date1904: "1", parts: map[string]string{
		"xl/worksheets/sheet1.xml": worksheet(strictNS, producerRows),
		"xl/worksheets/sheet2.xml": worksheet(strictNS, producerRows),
		"xl/sharedStrings.xml":     `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="` + strictNS + `">` + producerSST + `</sst>`,
	}}
	// Minimal parts, as Google Sheets or Numbers-style writers leave them:
	// no shared strings, no styles, prefixed elements, absolute targets,
	// rows and cells without references.
	minimal := rawBook{prefix: "x:", sheets: []rawSheet{{name: "Sheet1", target: "/xl/worksheets/sheet1.xml"}}, parts: map[string]string{
		"xl/worksheets/sheet1.xml": `<x:worksheet xmlns:x="` + mainNS + `"><x:sheetData>` +
			`<x:row><x:c t="inlineStr"><x:is><x:t>Nom</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>N° RPPS</x:t></x:is></x:c></x:row>` +
			`<x:row><x:c t="inlineStr"><x:is><x:t>NOMTEST</x:t></x:is></x:c><x:c><x:v>10000000001</x:v></x:c></x:row>` +
			`<x:row/><x:row><x:c t="inlineStr"><x:is><x:t>AUTRE</x:t></x:is></x:c><x:c t="str"><x:v>10000000002</x:v></x:c></x:row>` +
			`</x:sheetData></x:worksheet>`,
	}}
	return map[string]rawBook{
		"transitional": transitional(rawBook{date1904: "true"}),
		"strict":       strict,
		"minimal":      minimal,
		"backslash":    transitional(rawBook{backslash: true}),
	}
}

// TestProducersMatchExcelize: for each workbook of another producer, every
// sheet read by the scanner alone equals excelize's raw values, and
// ReadFile reads it on the fast path with its sheets' visibility and date
// system.
func TestProducersMatchExcelize(t *testing.T) {
	dir := t.TempDir()
	paths := map[string]string{}
	for name, b := range producerBooks() {
		paths[name] = filepath.Join(dir, name+".xlsx")
		b.write(t, paths[name])
	}
	for _, name := range []string{"libreoffice-excel2007.xlsx", "libreoffice-ooxml.xlsx"} {
		paths[name] = filepath.Join("testdata", "producers", name)
	}
	// excelize's own writing: 1904 dates, a hidden sheet, rich text.
	xf := excelize.NewFile()
	_ = xf.SetSheetRow("Sheet1", "A1", &[]any{"Nom", "Prénom", "N° RPPS", "Date de naissance"})
	_ = xf.SetSheetRow("Sheet1", "A2", &[]any{"NOMTEST", "Zoé", 10000000001, 27790})
	_ = xf.SetCellRichText("Sheet1", "B3", []excelize.RichTextRun{{Text: "Hé"}, {Text: "lène", Font: &excelize.Font{Bold: true}}})
	_ = xf.SetCellValue("Sheet1", "A3", "NOMGRAS")
	_ = xf.SetCellFormula("Sheet1", "E2", "D2+1")
	d1904 := true
	_ = xf.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &d1904})
	_, _ = xf.NewSheet("Cachée")
	_ = xf.SetSheetRow("Cachée", "A1", &[]any{"Nom", "N° RPPS"})
	_ = xf.SetSheetVisible("Cachée", false)
	paths["excelize"] = filepath.Join(dir, "excelize.xlsx")
	if err := xf.SaveAs(paths["excelize"]); err != nil {
		t.Fatal(err)
	}

	for name, p := range paths {
		t.Run(name, func(t *testing.T) {
			xf, err := excelize.OpenFile(p)
			if err != nil {
				t.Fatal(err)
			}
			sheets := xf.GetSheetList()
			props, _ := xf.GetWorkbookProps()
			xf.Close()
			for _, sheet := range sheets {
				sameRows(t, p, sheet)
			}
			f, err := ReadFile(context.Background(), p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if f.SlowPath || len(f.Sheets) != len(sheets) {
				t.Fatalf("slow path %v, sheets %+v, excelize %q", f.SlowPath, f.Sheets, sheets)
			}
			xlHidden := map[string]bool{}
			xf, _ = excelize.OpenFile(p)
			for _, s := range sheets {
				v, _ := xf.GetSheetVisible(s)
				xlHidden[s] = !v
			}
			xf.Close()
			for _, s := range f.Sheets {
				if s.Hidden != xlHidden[s.Name] {
					t.Errorf("sheet %s: hidden %v, excelize %v", s.Name, s.Hidden, xlHidden[s.Name])
				}
			}
			// The date system: 1980-02-01 is serial 29252 from 1900 and
			// 27790 from 1904.
			if props.Date1904 != nil && *props.Date1904 {
				if got := f.Records[0].BirthDate.String(); got != "1980-02-01" {
					t.Errorf("birth date %s, want 1980-02-01 (1904 system)", got)
				}
			}
		})
	}
}

// TestSharedStringsByRelationship: the shared strings part is found
// through the workbook's relationships, whatever its name.
func TestSharedStringsByRelationship(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sst.xlsx")
	rawBook{sheets: []rawSheet{{name: "Feuil1", target: "worksheets/sheet1.xml"}}, sst: "chaines/partagees.xml", parts: map[string]string{
		"xl/worksheets/sheet1.xml": worksheet(mainNS, producerRows),
		"xl/chaines/partagees.xml": sstHead + producerSST + `</sst>`,
	}}.write(t, path)
	f, err := ReadFile(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Records) != 3 || f.Records[0].LastName.Display != "NOMTEST" {
		t.Fatalf("records %+v", f.Records)
	}
}

// TestPartNamesWithoutCase: a relationship naming a part in another case
// than its zip entry finds it for the cells and for the merged ranges alike
// (the merged ranges were looked up with case).
func TestPartNamesWithoutCase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "case.xlsx")
	rows := inlineRow(1, "Identité", "", "Mission", "") + inlineRow(2, "Nom", "N° RPPS", "Début", "Fin") +
		inlineRow(3, "NOMTEST", "10000000001", "01/12/2026", "31/12/2026")
	part := `<worksheet xmlns="` + mainNS + `"><sheetData>` + rows + `</sheetData><mergeCells count="2"><mergeCell ref="A1:B1"/><mergeCell ref="C1:D1"/></mergeCells></worksheet>`
	rawBook{sheets: []rawSheet{{name: "Feuil1", target: "Worksheets/Sheet1.XML"}}, parts: map[string]string{"xl/worksheets/sheet1.xml": part}}.write(t, path)
	f, err := ReadFile(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Records) != 1 || f.Sheets[0].HeaderRow != 2 || f.Records[0].Start.String() != "2026-12-01" {
		t.Fatalf("sheets %+v, records %+v", f.Sheets, f.Records)
	}
}

// TestDeclaredEncoding: a part in the ISO-8859-1 encoding it declares is
// read through excelize, which decodes it, never by the scanner as UTF-8.
func TestDeclaredEncoding(t *testing.T) {
	rows := inlineRow(1, "Nom", "Pr\xe9nom", "N\xb0 RPPS") + inlineRow(2, "NOMTEST", "H\xe9l\xe8ne", "10000000002")
	part := `<?xml version="1.0" encoding="ISO-8859-1"?><worksheet xmlns="` + mainNS + `"><sheetData>` + rows + `</sheetData></worksheet>`
	path := filepath.Join(t.TempDir(), "latin1.xlsx")
	rawBook{sheets: []rawSheet{{name: "Feuil1", target: "worksheets/sheet1.xml"}}, parts: map[string]string{"xl/worksheets/sheet1.xml": part}}.write(t, path)
	f, err := ReadFile(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Records) != 1 || f.Records[0].Identifier != "10000000002" || f.Records[0].Original[rppsync.FieldFirstName] != "Hélène" || !f.SlowPath {
		t.Errorf("records %+v, slow path %v", f.Records, f.SlowPath)
	}
}

// TestFallbackMidSheet: when the scanner stops half-way through a part, the
// sheet is read on through excelize from the row after the last one the
// scanner gave: every row once, in order, as excelize reads them.
func TestFallbackMidSheet(t *testing.T) {
	rows := headingRow
	for i := 2; i <= 9; i++ {
		rows += inlineRow(i, "NOMTEST", "Zoé", strings.Repeat(string(rune('0'+i)), 11))
	}
	part := worksheet(mainNS, rows)
	path := filepath.Join(t.TempDir(), "mid.xlsx")
	rawBook{sheets: []rawSheet{{name: "Feuil1", target: "worksheets/sheet1.xml"}}, parts: map[string]string{"xl/worksheets/sheet1.xml": part}}.write(t, path)
	want, err := excelizeRows(t, path, "Feuil1")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pkg := newPackage(zr, DefaultMaxUnzipSize)
	x := &xlsxReader{data: data, opts: Options{}.withDefaults()}
	defer x.close()
	// The scanner is given the part up to the middle of row 6 only, then
	// an error.
	cut := strings.Index(part, `<row r="6">`) + 20
	sr := newSheetRows(io.MultiReader(strings.NewReader(part[:cut]), iotest.ErrReader(errors.New("lecture interrompue"))), nil)
	fellBack := 0
	rs := &scanRows{sheetRows: sr, ctx: ctx, fallback: func(after int) (rowSource, error) {
		fellBack = after
		return x.excelizeRows(ctx, pkg, "Feuil1", "xl/worksheets/sheet1.xml", after)
	}}
	var got [][]string
	for {
		num, cells, ok, err := rs.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		if num != len(got)+1 {
			t.Fatalf("row %d after %d rows", num, len(got))
		}
		got = append(got, cells)
	}
	if fellBack != 5 || !reflect.DeepEqual(norm(got), norm(want)) {
		t.Errorf("fell back after row %d (want 5):\ngot  %q\nwant %q", fellBack, got, want)
	}
}

// TestFallbackRefusesBrokenXML: a part that is not well-formed XML stays a
// damaged file on the excelize path too (excelize's row iterator would
// stop silently at the error and give fewer rows).
func TestFallbackRefusesBrokenXML(t *testing.T) {
	rows := headingRow + inlineRow(2, "NOMTEST", "Zoé", "10000000001") + `<row r="3"><c r="A3" t="inlineStr"><is><t>&nbsp;</t></is></c></row>` +
		inlineRow(4, "PERDU", "Zoé", "10000000004")
	path := filepath.Join(t.TempDir(), "broken.xlsx")
	rawBook{sheets: []rawSheet{{name: "Feuil1", target: "worksheets/sheet1.xml"}}, parts: map[string]string{"xl/worksheets/sheet1.xml": worksheet(mainNS, rows)}}.write(t, path)
	_, err := ReadFile(context.Background(), path, Options{})
	if fileCode(err) != CodeFileCorrupt {
		t.Fatalf("error %v, want %s", err, CodeFileCorrupt)
	}
}

// TestScannerObeysContext: a cancelled ctx stops the scanner inside a part
// (here inside one tag of megabytes), as ctx's own error, not as
// malformed XML.
func TestScannerObeysContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	data := sheetHead + `<sheetData><row r="1"><c r="A1" note="` + strings.Repeat(">", 8<<20) + `"/></row></sheetData></worksheet>`
	left := int64(1 << 30)
	r := &budgetReader{ctx: ctx, rc: &cancelAfterRead{r: strings.NewReader(data), cancel: cancel}, left: &left}
	_, _, _, err := newSheetRows(r, nil).Next()
	if err != context.Canceled {
		t.Fatalf("error %v, want %v", err, context.Canceled)
	}
	if read := int64(1<<30) - left; read > 1<<20 {
		t.Errorf("%d bytes read after the cancellation", read)
	}
}

// cancelAfterRead cancels a context once its first read is done.
type cancelAfterRead struct {
	r      *strings.Reader
	cancel context.CancelFunc
}

func (c *cancelAfterRead) Read(b []byte) (int, error) {
	defer c.cancel()
	return c.r.Read(b)
}

func (c *cancelAfterRead) Close() error { return nil }
