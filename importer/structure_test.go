package importer

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/rppsync/rppsync"
)

func codes(issues []rppsync.Issue) []string {
	var out []string
	for _, i := range issues {
		out = append(out, i.Code)
	}
	return out
}

func TestStructureHeadings(t *testing.T) {
	for _, h := range []string{"SITE FINESS", "FINESS site", "N° FINESS site", "FINESS géographique", "Code FINESS"} {
		if f, ok := MapHeader(h); !ok || f != rppsync.FieldFINESS {
			t.Errorf("MapHeader(%q) = %q, %v; want finess", h, f, ok)
		}
	}
	for _, h := range []string{"Établissement", "Etablissement", "Site", "Lieu de mission", "Lieu d'affectation",
		"Etablissement d'accueil", "ETABLISSEMENT D'AFFECTATION", "Entreprise utilisatrice", "Structure d'accueil"} {
		if f, ok := MapHeader(h); !ok || f != rppsync.FieldStructure {
			t.Errorf("MapHeader(%q) = %q, %v; want structure", h, f, ok)
		}
	}
}

func TestFINESSInText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"250999901", "250999901"},
		{"250 999 901", "250999901"},
		{"250999902", "250999902"}, // a FINESS-shaped cell is kept, so its wrong key is reported
		{"2A0000010", "2A0000010"},
		{"CH SYNTHETIQUE DE BESANCON (250999901)", "250999901"},
		{"250999901 - CH SYNTHETIQUE", "250999901"},
		{"CH SYNTHETIQUE DE BESANCON", ""},
		{"CH 250999901 ou 690999909", ""}, // two numbers: nothing decides
		{"Site 250999902", ""},            // a wrong key inside a text: no number is read
	} {
		if got := FINESSInText(tc.in); got != tc.want {
			t.Errorf("FINESSInText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestStructureColumns reads files as agencies shape them: the FINESS
// under "SITE FINESS", the FINESS typed in "Lieu d'affectation", and a
// file with no structure column at all.
func TestStructureColumns(t *testing.T) {
	dir := t.TempDir()
	p := writeWorkbook(t, dir, "sites.xlsx", func(f *excelize.File) {
		_ = f.SetSheetRow("Sheet1", "A1", &[]any{"NOM", "PRENOM", "SITE FINESS", "Lieu d'affectation"})
		_ = f.SetSheetRow("Sheet1", "A2", &[]any{"MARTIN", "Claire", int64(250999901), "CH SYNTHETIQUE"})
		_ = f.SetSheetRow("Sheet1", "A3", &[]any{"DUPONT", "Jean", "", "CH FICTIF (690999909)"})
		_ = f.SetSheetRow("Sheet1", "A4", &[]any{"PETIT", "Elodie", "", "CLINIQUE EXEMPLE"})
	})
	file, err := ReadFile(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(file.Warnings) != 0 {
		t.Errorf("warnings = %+v, want none", file.Warnings)
	}
	want := []struct {
		finess string
		codes  []string
	}{{"250999901", nil}, {"690999909", nil}, {"", []string{rppsync.CodeFINESSMissing}}}
	for i, r := range file.Records {
		if r.FINESS != want[i].finess || !slices.Equal(codes(r.Issues), want[i].codes) {
			t.Errorf("row %d: FINESS %q issues %v, want %q %v", r.Row, r.FINESS, codes(r.Issues), want[i].finess, want[i].codes)
		}
	}

	none := writeText(t, "sans-site.csv", "Nom;Prénom;RPPS\nMARTIN;Claire;10999000010\nDUPONT;Jean;\n")
	file, err = ReadFile(context.Background(), none, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(file.Warnings) != 1 || file.Warnings[0].Code != rppsync.CodeStructureColumnMissing || file.Warnings[0].Message == "" {
		t.Errorf("warnings = %+v, want one structure_column_missing", file.Warnings)
	}
	for _, r := range file.Records {
		if !slices.Equal(codes(r.Issues), []string{rppsync.CodeFINESSMissing}) {
			t.Errorf("line %d: issues %v, want finess_missing", r.Row, codes(r.Issues))
		}
	}
}

// TestMissionDates flags missions already ended or started on the day
// the file is read.
func TestMissionDates(t *testing.T) {
	p := writeText(t, "dates.csv", "Nom;Prénom;FINESS;Début mission;Fin mission\n"+
		"MARTIN;Claire;250999901;02/11/2026;20/11/2026\n"+ // ended the day before
		"DUPONT;Jean;250999901;01/12/2026;21/12/2026\n"+ // started today
		"PETIT;Elodie;250999901;22/12/2026;31/12/2026\n"+ // to come
		"ROUX;Yanis;250999901;10/12/2026;\n"+ // no end, not started
		"BLANC;Julie;250999901;;30/11/2026\n") // no start, ended
	file, err := ReadFile(context.Background(), p, Options{Now: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{rppsync.CodeContractEnded}, {rppsync.CodeContractStarted}, nil, nil, {rppsync.CodeContractEnded}}
	for i, r := range file.Records {
		if !slices.Equal(codes(r.Issues), want[i]) {
			t.Errorf("line %d: issues %v, want %v", r.Row, codes(r.Issues), want[i])
		}
	}
}

// TestHiddenSheet: the rows of a hidden sheet are marked and say so,
// unless a profile names the sheet.
func TestHiddenSheet(t *testing.T) {
	p := writeWorkbook(t, t.TempDir(), "cache.xlsx", func(f *excelize.File) {
		_ = f.SetSheetRow("Sheet1", "A1", &[]any{"Nom", "Prénom", "FINESS"})
		_ = f.SetSheetRow("Sheet1", "A2", &[]any{"MARTIN", "Claire", "250999901"})
		_, _ = f.NewSheet("Ancien")
		_ = f.SetSheetRow("Ancien", "A1", &[]any{"Nom", "Prénom", "FINESS"})
		_ = f.SetSheetRow("Ancien", "A2", &[]any{"DUPONT", "Jean", "250999901"})
		_ = f.SetSheetVisible("Ancien", false)
	})
	file, err := ReadFile(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(file.Records) != 2 {
		t.Fatalf("records = %d, want 2", len(file.Records))
	}
	if r := file.Records[0]; r.HiddenSheet || len(r.Issues) != 0 {
		t.Errorf("visible sheet row: hidden %v issues %v", r.HiddenSheet, codes(r.Issues))
	}
	if r := file.Records[1]; !r.HiddenSheet || !slices.Equal(codes(r.Issues), []string{rppsync.CodeSheetHidden}) {
		t.Errorf("hidden sheet row: hidden %v issues %v", r.HiddenSheet, codes(r.Issues))
	}
	prof, err := ParseProfile([]byte(`{"sheets": ["Ancien"]}`))
	if err != nil {
		t.Fatal(err)
	}
	file, err = ReadFile(context.Background(), p, Options{Profile: prof})
	if err != nil {
		t.Fatal(err)
	}
	if len(file.Records) != 1 || file.Records[0].HiddenSheet || len(file.Records[0].Issues) != 0 {
		t.Errorf("a sheet the profile names: %+v", file.Records)
	}
}

// FuzzFINESSInText checks that what is read from an establishment cell is
// either nothing or nine characters of a FINESS shape taken from the cell.
func FuzzFINESSInText(f *testing.F) {
	for _, s := range []string{"250999901", "CH X (250999901)", "2A0000010", "250 999 902", "a b c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := FINESSInText(s)
		if got == "" {
			return
		}
		if len(got) != 9 || !allDigits(got[2:]) {
			t.Fatalf("FINESSInText(%q) = %q", s, got)
		}
	})
}
