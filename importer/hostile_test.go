package importer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rppsync/rppsync"
)

const mainNS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

// hostileBooks build the hostile workbooks of issue 14, scaled by n. Each
// has a heading row (Nom, Prénom, N° RPPS, Date de naissance) so that its
// sheets are read to their end.
var hostileBooks = map[string]func(t testing.TB, n int) rawBook{
	// A data cell with an attribute holding n '>': the scanner once
	// rescanned the tag from its start at each '>'.
	"quotes": func(t testing.TB, n int) rawBook {
		rows := headingRow + inlineRow(2, "NOMTEST", "Camille", "10000000001", "01/02/1980") +
			`<row r="3"><c r="A3" t="inlineStr" note="` + strings.Repeat(">", n) + `"><is><t>AUTRE</t></is></c><c r="C3" t="inlineStr"><is><t>10000000002</t></is></c></row>`
		return rawBook{sheets: []rawSheet{{name: "Feuil1", target: "worksheets/sheet1.xml"}},
			parts: map[string]string{"xl/worksheets/sheet1.xml": worksheet(mainNS, rows)}}
	},
	// n sheets naming one worksheet part of 30 MB (a comment, compressed
	// to almost nothing): the part was read once per sheet.
	"shared_part": func(t testing.TB, n int) rawBook {
		rows := headingRow + inlineRow(2, "NOMTEST", "Camille", "10000000001", "01/02/1980") +
			`<!--` + strings.Repeat(" ", 30<<20) + `-->`
		b := rawBook{parts: map[string]string{"xl/worksheets/sheet1.xml": worksheet(mainNS, rows)}}
		for i := range n {
			b.sheets = append(b.sheets, rawSheet{name: fmt.Sprintf("F%d", i+1), target: "worksheets/sheet1.xml"})
		}
		return b
	},
	// One shared string of 10 MB referenced by the Nom cell of n rows.
	"shared_string": func(t testing.TB, n int) rawBook {
		sst := sstHead + `<si><t>` + strings.Repeat("A", 10<<20) + `</t></si></sst>`
		var rows strings.Builder
		rows.WriteString(headingRow)
		for i := range n {
			fmt.Fprintf(&rows, `<row r="%d"><c r="A%[1]d" t="s"><v>0</v></c><c r="C%[1]d" t="inlineStr"><is><t>1%010d</t></is></c></row>`, i+2, i)
		}
		return rawBook{sheets: []rawSheet{{name: "Feuil1", target: "worksheets/sheet1.xml"}}, sst: "sharedStrings.xml",
			parts: map[string]string{"xl/worksheets/sheet1.xml": worksheet(mainNS, rows.String()), "xl/sharedStrings.xml": sst}}
	},
	// n rows with one cell in the last column, XFD: each row was made a
	// slice of 16,384 cells.
	"far_column": func(t testing.TB, n int) rawBook {
		var rows strings.Builder
		rows.WriteString(headingRow)
		for i := range n {
			fmt.Fprintf(&rows, `<row r="%d"><c r="A%[1]d" t="inlineStr"><is><t>NOM%d</t></is></c><c r="XFD%[1]d"><v>1</v></c></row>`, i+2, i)
		}
		return rawBook{sheets: []rawSheet{{name: "Feuil1", target: "worksheets/sheet1.xml"}},
			parts: map[string]string{"xl/worksheets/sheet1.xml": worksheet(mainNS, rows.String())}}
	},
	// A doctype whose entity value hides a second sheet: the scanner once
	// skipped the doctype to its first '>' and read the hidden sheet.
	"doctype": func(t testing.TB, n int) rawBook {
		ghost := `><sheetData>` + inlineRow(1, "Nom", "N° RPPS") + inlineRow(2, "GHOSTNAME", "10000000009") + `</sheetData></worksheet>`
		part := `<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE worksheet [<!ENTITY e "` + strings.ReplaceAll(ghost, `"`, `'`) + `">]>` +
			`<worksheet xmlns="` + mainNS + `"><sheetData>` + inlineRow(1, "Nom", "N° RPPS") + inlineRow(2, "REALNAME", "10000000001") + `</sheetData></worksheet>`
		return rawBook{sheets: []rawSheet{{name: "Feuil1", target: "worksheets/sheet1.xml"}},
			parts: map[string]string{"xl/worksheets/sheet1.xml": part}}
	},
}

// readHostile writes a hostile workbook and reads it, with a generous
// deadline as a hang guard only.
func readHostile(t *testing.T, name string, n int) (*File, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name+".xlsx")
	hostileBooks[name](t, n).write(t, path)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	f, err := ReadFile(ctx, path, Options{})
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%s: not read within the hang guard", name)
	}
	return f, err
}

func fileCode(err error) string {
	var fe *rppsync.FileError
	if errors.As(err, &fe) {
		return fe.Code
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// TestHostileQuotes: an attribute of four million '>' is read in one pass,
// and the rows around it as they are.
func TestHostileQuotes(t *testing.T) {
	f, err := readHostile(t, "quotes", 4<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Records) != 2 || f.Records[1].LastName.Display != "AUTRE" || f.Records[1].Identifier != "10000000002" || f.SlowPath {
		t.Errorf("records %+v, slow path %v", f.Records, f.SlowPath)
	}
}

// TestHostileSharedPart: one worksheet part named by 200 sheets is not
// decompressed 200 times: past the unzip limit, all reads together, the
// file is too large.
func TestHostileSharedPart(t *testing.T) {
	_, err := readHostile(t, "shared_part", 200)
	if fileCode(err) != CodeFileTooLarge {
		t.Fatalf("error %v, want %s", err, CodeFileTooLarge)
	}
}

// TestHostileSharedString: a 10 MB shared string in the Nom cell of 5,000
// rows is kept cut to MaxCellRunes characters, with a row issue each.
func TestHostileSharedString(t *testing.T) {
	f, err := readHostile(t, "shared_string", 5000)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Records) != 5000 {
		t.Fatalf("%d records", len(f.Records))
	}
	want := strings.Repeat("A", MaxCellRunes) + CutMarker
	for _, r := range f.Records {
		is := besideStructure(r.Issues)
		if r.Original[rppsync.FieldLastName] != want || len(is) != 1 || is[0].Code != CodeValueTooLong ||
			is[0].Field != string(rppsync.FieldLastName) {
			t.Fatalf("row %d: %d characters kept, issues %+v", r.Row, len(r.Original[rppsync.FieldLastName]), r.Issues)
		}
	}
}

// TestHostileSharedStringBudget: past the file's budget of mapped cell text
// (cut cells included), the file is too large rather than held in memory.
func TestHostileSharedStringBudget(t *testing.T) {
	path := filepath.Join(t.TempDir(), "budget.xlsx")
	hostileBooks["shared_string"](t, 4000).write(t, path)
	// 4,000 cells of 4 KiB kept: 16 MB, over a budget of 12 MB (the
	// workbook itself unzips to 10 MB, under that limit).
	_, err := ReadFile(context.Background(), path, Options{MaxUnzipSize: 12 << 20, MaxUnzipXMLSize: 12 << 20})
	if fileCode(err) != CodeFileTooLarge {
		t.Fatalf("error %v, want %s", err, CodeFileTooLarge)
	}
	if f, err := ReadFile(context.Background(), path, Options{MaxUnzipSize: 40 << 20}); err != nil || len(f.Records) != 4000 {
		t.Fatalf("under the budget: %v", err)
	}
}

// TestHostileFarColumn: rows with a cell in column XFD are read, the cells
// under the headings, and no row is made a slice of 16,384 cells once the
// heading row is known.
func TestHostileFarColumn(t *testing.T) {
	f, err := readHostile(t, "far_column", 20000)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Records) != 20000 || f.Records[19999].LastName.Display != "NOM19999" {
		t.Fatalf("%d records", len(f.Records))
	}

	part := worksheet(mainNS, headingRow+`<row r="2"><c r="A2" t="inlineStr"><is><t>NOMTEST</t></is></c><c r="XFD2"><v>1</v></c></row>`+
		`<row r="3"><c r="A3" t="inlineStr"><is><t>AUTRE</t></is></c><c r="XFD3"><v>1</v></c></row>`)
	spy := &widestRows{rowSource: &scanRows{sheetRows: newSheetRows(strings.NewReader(part), nil), ctx: context.Background()}}
	file := &File{}
	sr := &sheetReader{path: "x.xlsx", sheet: "Feuil1", spreadsheet: true, now: time.Now(), coll: newCollector(file), records: Options{}.withDefaults().records()}
	left := DefaultMaxUnzipSize
	var info rppsync.SheetInfo
	recs, err := readSheet(context.Background(), spy, sr, nil, func() ([]cellRange, error) { return nil, nil }, &info, &left)
	if err != nil || len(recs) != 2 || recs[1].LastName.Display != "AUTRE" {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	if spy.widest > 4+colMargin {
		t.Errorf("a data row of %d cells, over the %d headings and a margin of %d", spy.widest, 4, colMargin)
	}
}

// widestRows records the widest row given after the second (the heading
// search reads the row under the heading before the layout is known: the
// rows before the heading and that one are at most 21).
type widestRows struct {
	rowSource
	widest int
}

func (w *widestRows) Next() (int, []string, bool, error) {
	num, cells, ok, err := w.rowSource.Next()
	if num > 2 {
		w.widest = max(w.widest, len(cells))
	}
	return num, cells, ok, err
}

// TestHostileDoctype: markup hidden in a doctype's entity is not read as
// the sheet; the part goes to excelize, which reads the real sheet.
func TestHostileDoctype(t *testing.T) {
	f, err := readHostile(t, "doctype", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Records) != 1 || f.Records[0].LastName.Display != "REALNAME" || !f.SlowPath {
		t.Fatalf("records %+v, slow path %v", f.Records, f.SlowPath)
	}
}

// TestHostileFigures prints the time and memory of reading one hostile
// workbook, named with its scale in RPPSYNC_HOSTILE ("quotes:200000"), for
// the before/after figures of issue 14 (run the test binary under
// /usr/bin/time -v for the peak resident memory).
func TestHostileFigures(t *testing.T) {
	spec := os.Getenv("RPPSYNC_HOSTILE")
	if spec == "" {
		t.Skip("RPPSYNC_HOSTILE not set")
	}
	name, scale, _ := strings.Cut(spec, ":")
	n, _ := strconv.Atoi(scale)
	path := filepath.Join(t.TempDir(), name+".xlsx")
	hostileBooks[name](t, n).write(t, path)
	st, _ := os.Stat(path)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	runtime.GC()
	start := time.Now()
	f, err := ReadFile(ctx, path, Options{})
	took := time.Since(start)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	recs := 0
	if f != nil {
		recs = len(f.Records)
	}
	t.Logf("%s: file %d bytes, %v, error %q, %d records, total alloc %d MB, sys %d MB",
		spec, st.Size(), took.Round(time.Millisecond), fileCode(err), recs, ms.TotalAlloc>>20, ms.Sys>>20)
}
