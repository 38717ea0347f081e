package report_test

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rppsync/rppsync/report"
	"github.com/xuri/excelize/v2"
)

// writeWorkbook writes the sample report to a real .xlsx file and reopens it.
func writeWorkbook(t *testing.T) (*excelize.File, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "verification.xlsx")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := report.Write(out, report.FormatXLSX, sampleResults(), report.Options{Now: reportNow}); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("the report does not reopen: %v", err)
	}
	t.Cleanup(func() { x.Close() })
	return x, path
}

// findRow returns the 1-based row of the "Vérifications" sheet whose column
// col holds value.
func findRow(t *testing.T, x *excelize.File, col int, value string) int {
	t.Helper()
	rows, err := x.GetRows(report.SheetChecks)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) > col && r[col] == value {
			return i + 1
		}
	}
	t.Fatalf("no row with %q in column %d", value, col+1)
	return 0
}

func cell(t *testing.T, x *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := x.GetCellValue(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestXLSX(t *testing.T) {
	x, path := writeWorkbook(t)

	if got, want := x.GetSheetList(), []string{report.SheetChecks, report.SheetSummary, report.SheetFiles}; !slices.Equal(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}

	rows, err := x.GetRows(report.SheetChecks)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], report.Headers) {
		t.Errorf("headers = %q, want %q", rows[0], report.Headers)
	}
	if len(rows) != 12 { // header + 10 rows + 1 unreadable file
		t.Errorf("%d lines in %s, want 12", len(rows), report.SheetChecks)
	}

	panes, err := x.GetPanes(report.SheetChecks)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("header row not frozen: %+v", panes)
	}

	filter := ""
	for _, d := range x.GetDefinedName() {
		if d.Name == "_xlnm._FilterDatabase" {
			filter = d.RefersTo
		}
	}
	if filter != "'Vérifications'!$A$1:$P$12" {
		t.Errorf("autofilter defined name = %q", filter)
	}
	// excelize writes the reference with or without "$"; Excel reads both.
	if xml := strings.ReplaceAll(sheetXML(t, path, "xl/worksheets/sheet1.xml"), "$", ""); !strings.Contains(xml, `<autoFilter ref="A1:P12"`) {
		t.Errorf("no autofilter over the data in the sheet XML")
	}

	if w, err := x.GetColWidth(report.SheetChecks, "O"); err != nil || w < 40 {
		t.Errorf("issues column width = %v, %v; want a wide column", w, err)
	}

	fills := map[string]string{"matched": "C6EFCE", "identity_mismatch": "FFC7CE", "candidate": "FFD8A8", "unchecked": "D9D9D9"}
	for code, want := range fills {
		r := findRow(t, x, 4, code)
		for _, col := range []string{"D", "E"} {
			id, err := x.GetCellStyle(report.SheetChecks, col+itoa(r))
			if err != nil {
				t.Fatal(err)
			}
			st, err := x.GetStyle(id)
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Fill.Color) == 0 || !strings.EqualFold(st.Fill.Color[0], want) {
				t.Errorf("%s cell %s%d fill = %v, want %s", code, col, r, st.Fill.Color, want)
			}
		}
	}

	r := findRow(t, x, 4, "matched")
	if got := cell(t, x, report.SheetChecks, "D"+itoa(r)); got != "RPPS vérifié" {
		t.Errorf("status in words = %q", got)
	}
	if got := cell(t, x, report.SheetChecks, "M"+itoa(r)); got != "01/12/2026" {
		t.Errorf("contract start = %q, want 01/12/2026", got)
	}
	if got := cell(t, x, report.SheetChecks, "K"+itoa(r)); got != "2A004" {
		t.Errorf("birth INSEE = %q, want 2A004 as text", got)
	}

	r = findRow(t, x, 4, "unchecked")
	ref := "G" + itoa(r)
	if got := cell(t, x, report.SheetChecks, ref); got != "'"+hyperlink {
		t.Errorf("hostile name read back as %q, want it neutralised as text", got)
	}
	if f, err := x.GetCellFormula(report.SheetChecks, ref); err != nil || f != "" {
		t.Errorf("hostile name became a formula %q (%v)", f, err)
	}
	if typ, err := x.GetCellType(report.SheetChecks, ref); err != nil || (typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString) {
		t.Errorf("hostile name cell type = %v (%v), want a string", typ, err)
	}

	r = findRow(t, x, 4, report.FileErrorCode)
	if got := cell(t, x, report.SheetChecks, "O"+itoa(r)); !strings.Contains(got, "mot de passe") || !strings.HasSuffix(got, "[file_unreadable]") {
		t.Errorf("file error cell = %q", got)
	}

	summary, err := x.GetRows(report.SheetSummary)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(summary[0][0], "30/11/2026") {
		t.Errorf("summary title %q lacks the report date", summary[0][0])
	}
	if got := summary[2]; len(got) != 11 || got[3] != "RPPS vérifié" || got[10] != "Non vérifié (pas d'annuaire)" {
		t.Errorf("summary header = %q", got)
	}
	total := summary[len(summary)-1]
	want := []string{"Total", "3 fichiers, 1 illisible", "10", "1", "1", "1", "1", "1", "3", "1", "1"}
	if !slices.Equal(total, want) {
		t.Errorf("summary total = %q, want %q", total, want)
	}
	if got := summary[4]; got[0] != "depot/agence-beta.csv" || got[2] != "3" || got[8] != "2" || got[10] != "1" {
		t.Errorf("summary line of agence-beta = %q", got)
	}

	files, err := x.GetRows(report.SheetFiles)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 4 {
		t.Fatalf("%d lines in %s, want 4", len(files), report.SheetFiles)
	}
	alpha := files[1]
	if alpha[0] != "depot/agence-alpha.xlsx" || alpha[4] != "Contrats" || !strings.Contains(alpha[5], "Notes (aucune ligne") ||
		alpha[6] != "Archive 2025" || alpha[7] != "Taux horaire" || alpha[8] != "N° Sécu" {
		t.Errorf("Fichiers line of agence-alpha = %q", alpha)
	}
	if gamma := files[3]; gamma[1] != report.FileErrorLabel || !strings.Contains(gamma[3], "mot de passe") {
		t.Errorf("Fichiers line of agence-gamma = %q", gamma)
	}
}

func TestXLSXEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vide.xlsx")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := report.Write(out, report.FormatXLSX, nil, report.Options{Now: reportNow}); err != nil {
		t.Fatal(err)
	}
	out.Close()
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows(report.SheetChecks)
	if err != nil || len(rows) != 1 {
		t.Errorf("empty report: %d lines (%v), want the header only", len(rows), err)
	}
}

func sheetXML(t *testing.T, path, name string) string {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	f, err := z.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func itoa(n int) string { return strconv.Itoa(n) }
