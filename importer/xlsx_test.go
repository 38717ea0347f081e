package importer

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/rppsync/rppsync"
)

// TestDate1904 writes a workbook in the 1904 date system with numeric RPPS,
// FINESS and postal-code cells and checks what is read from it.
func TestDate1904(t *testing.T) {
	p := writeWorkbook(t, t.TempDir(), "mac.xlsx", func(f *excelize.File) {
		yes := true
		if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
			t.Fatal(err)
		}
		style, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
		_ = f.SetSheetRow("Sheet1", "A1", &[]any{"Nom", "Prénom", "RPPS", "Né le", "Lieu de naissance", "FINESS", "Date début"})
		// Serial numbers written raw: 31513 is 12/04/1990 in the 1904 system.
		_ = f.SetSheetRow("Sheet1", "A2", &[]any{"BERNARD", "Kevin", int64(10999000135), 31513, 75015, int64(250999901), 44866})
		_ = f.SetSheetRow("Sheet1", "A3", &[]any{"MARTIN", "Claire", float64(810999000010), "14/03/1988", "Paris", "250 999 901", ""})
		_ = f.SetCellStyle("Sheet1", "D2", "D2", style)
		_ = f.SetCellStyle("Sheet1", "G2", "G2", style)
	})
	file, err := ReadFile(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(file.Records) != 2 {
		t.Fatalf("records = %d, want 2", len(file.Records))
	}
	r := file.Records[0]
	if r.Identifier != "10999000135" || r.Original[rppsync.FieldIdentifier] != "10999000135" {
		t.Errorf("identifier = %q (original %q)", r.Identifier, r.Original[rppsync.FieldIdentifier])
	}
	if r.BirthDate.String() != "1990-04-12" || r.Original[rppsync.FieldBirthDate] != "1990-04-12" {
		t.Errorf("birth date = %v (original %q), want 1990-04-12", r.BirthDate, r.Original[rppsync.FieldBirthDate])
	}
	if r.Start.String() != "2026-11-02" {
		t.Errorf("start = %v, want 2026-11-02", r.Start)
	}
	if r.BirthPlace != "75015" || r.FINESS != "250999901" || r.Row != 2 || r.Sheet != "Sheet1" {
		t.Errorf("record = %+v", r)
	}
	if got := file.Records[1].Identifier; got != "810999000010" {
		t.Errorf("PSC identifier = %q", got)
	}
	if got := file.Records[1].BirthDate.String(); got != "1988-03-14" {
		t.Errorf("text date in a workbook = %q", got)
	}
}

// TestAlphaShape checks the facts of the alpha sample the brief names: the
// heading under title lines and merged cells, the skipped legend, the hidden
// archive sheet read, Excel row numbers across the blank row.
func TestAlphaShape(t *testing.T) {
	f, err := ReadFile(context.Background(), filepath.Join("..", "fixtures", "agencies", "interim-alpha.xlsx"), Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	want := []rppsync.SheetInfo{
		{Name: "Contrats", HeaderRow: 4},
		{Name: "Légende", Skipped: skipNoHeader},
		{Name: "Archive", Hidden: true, HeaderRow: 1},
	}
	if len(f.Sheets) != len(want) {
		t.Fatalf("sheets = %+v", f.Sheets)
	}
	for i := range want {
		if f.Sheets[i] != want[i] {
			t.Errorf("sheet %d = %+v, want %+v", i, f.Sheets[i], want[i])
		}
	}
	var rows []int
	for _, r := range f.Records {
		if r.Sheet == "Contrats" {
			rows = append(rows, r.Row)
		}
	}
	if !slices.Equal(rows, []int{6, 7, 8, 10, 11, 12, 13, 14, 15}) {
		t.Errorf("Contrats rows = %v", rows)
	}
	first := f.Records[0]
	if first.Start.String() != "2026-11-02" || first.End.String() != "2026-11-22" {
		t.Errorf("merged Mission Début/Fin not read: %v %v", first.Start, first.End)
	}
	if len(f.Unmapped) != 0 {
		t.Errorf("unmapped = %v", f.Unmapped)
	}
}

// TestNIRNeverKept checks that social security numbers, by heading or by
// value, never reach a record, and that their columns are listed.
func TestNIRNeverKept(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "secu.csv")
	data := "Nom;Prénom;INSEE;Remarque;N° RPPS\n" +
		"MARTIN;Claire;2 88 03 75 115 001 42;RAS;10999000010\n" +
		"DUPONT;Jean;1750769123456;;1 75 07 69 123 456 78\n"
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := ReadFile(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(f)
	for _, secret := range []string{"2 88 03", "288037", "1750769", "1 75 07", "RAS"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("output holds %q: %s", secret, b)
		}
	}
	if strings.Join(f.NIRColumns, "|") != "INSEE|N° RPPS" {
		t.Errorf("NIR columns = %v", f.NIRColumns)
	}
	if strings.Join(f.Unmapped, "|") != "Remarque" {
		t.Errorf("unmapped = %v", f.Unmapped)
	}
	got := slices.DeleteFunc(slices.Clone(f.Records[1].Issues), func(i rppsync.Issue) bool { return i.Code == rppsync.CodeFINESSMissing })
	if len(got) != 1 || got[0].Code != CodeNIRDropped || got[0].Field != "identifier" {
		t.Errorf("issues = %+v, want nir_dropped on identifier", got)
	}

	gamma, err := ReadFile(context.Background(), filepath.Join("..", "fixtures", "agencies", "interim-gamma.csv"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(gamma)
	for _, secret := range []string{"2 88 03 75", "1 80 01 44", "1 99 07 93"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("gamma output holds %q", secret)
		}
	}
	if strings.Join(gamma.NIRColumns, "|") != "N° Sécu" {
		t.Errorf("gamma NIR columns = %v", gamma.NIRColumns)
	}
}

// TestProfile checks a profile's column names, ignored columns, heading row,
// sheet choice and agency.
func TestProfile(t *testing.T) {
	prof, err := LoadProfile(filepath.Join("..", "fixtures", "agencies", "profile.example.json"))
	if err != nil {
		t.Fatal(err)
	}
	p := writeWorkbook(t, t.TempDir(), "delta.xlsx", func(f *excelize.File) {
		_ = f.SetSheetName("Sheet1", "Missions")
		_ = f.SetSheetRow("Missions", "A1", &[]any{"Nom", "Prénom", "Nom", "(ligne d'exemple)"})
		_ = f.SetSheetRow("Missions", "A3", &[]any{"Salarié", "Matricule RPPS", "Lieu d'affectation", "Code sécu", "Commentaire", "Début"})
		_ = f.SetSheetRow("Missions", "A4", &[]any{"GARCIA Manon", "10999000069", "CH SYNTHETIQUE DE BESANCON", "2920625056123", "rien", "01/12/2026"})
		_, _ = f.NewSheet("Brouillon")
		_ = f.SetSheetRow("Brouillon", "A1", &[]any{"Nom", "Prénom"})
	})
	f, err := ReadFile(context.Background(), p, Options{Profile: prof})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Records) != 1 {
		t.Fatalf("records = %+v", f.Records)
	}
	r := f.Records[0]
	if r.Identifier != "10999000069" || r.Structure != "CH SYNTHETIQUE DE BESANCON" || r.Agency != "Intérim Delta" ||
		r.LastName.Display != "GARCIA" || r.FirstName.Display != "Manon" || r.Start.String() != "2026-12-01" || r.Row != 4 {
		t.Errorf("record = %+v", r)
	}
	if len(f.Unmapped) != 0 || strings.Join(f.NIRColumns, "|") != "Code sécu" {
		t.Errorf("unmapped = %v, NIR = %v", f.Unmapped, f.NIRColumns)
	}
	if f.Sheets[0].HeaderRow != 3 || f.Sheets[1].Skipped != skipProfile {
		t.Errorf("sheets = %+v", f.Sheets)
	}
}

func TestParseProfileErrors(t *testing.T) {
	for _, bad := range []string{
		`{"columns": {"RPPS": "rpps_number"}}`,
		`{"colonnes": {}}`,
		`{"header_row": -1}`,
		`{"columns": {"": "identifier"}}`,
		`not json`,
	} {
		if _, err := ParseProfile([]byte(bad)); err == nil {
			t.Errorf("ParseProfile(%s): want an error", bad)
		}
	}
}

// TestRawScientificNumbers checks the spreadsheet forms of big numbers.
func TestRawScientificNumbers(t *testing.T) {
	r := &sheetReader{spreadsheet: true, now: time.Now(), coll: newCollector(&File{}),
		lay: newLayout(nil, []string{"Nom", "RPPS", "FINESS", "Lieu de naissance", "Téléphone"})}
	cells := []string{"MARTIN", "1.0999000010E10", "2.50999901E8", "75015.0", "612345678"}
	for i := range cells {
		cells[i] = plainNumber(cells[i])
	}
	rec, _ := r.record(2, cells)
	if rec.Identifier != "10999000010" || rec.FINESS != "250999901" || rec.BirthPlace != "75015" || rec.Phone != "612345678" {
		t.Errorf("record = %+v", rec)
	}
}
