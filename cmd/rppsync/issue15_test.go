package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/rppsync/rppsync/store/storetest"
)

// issue15File writes an agency workbook shaped like those of issue 15:
// civilities in the name cell, "épouse", an ADELI number, a birth date that
// does not exist, a FINESS with a wrong key, the FINESS under "SITE FINESS".
func issue15File(t *testing.T) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	rows := [][]any{
		{"Nom Prénom", "N° RPPS/ADELI", "Né(e) le", "Qualification", "SITE FINESS", "Date début", "Date fin"},
		{"Mme MARTIN Claire", "10999000010", "14/03/1988", "IDE", "250999901", "01/12/2026", "21/12/2026"},
		{"Mme DUPONT épouse MARTIN Claire", "10999000010", "14/03/1988", "IDE", "250999901", "01/12/2026", "21/12/2026"},
		{"DUBOIS Marie", "251234567", "23/09/1991", "IDE", "250999901", "01/12/2026", "21/12/2026"},
		{"Mlle PETITJEAN Zoé", "", "31/02/1990", "AS", "250999901", "01/12/2026", "21/12/2026"},
		{"MARTIN Claire", "10999000010", "14/03/1988", "IDE", "250999902", "01/12/2026", "21/12/2026"},
		{"Mme LEROUX épouse GIRARD Anne", "", "05/06/1992", "Aide-soignante", "250999901", "01/12/2026", "21/12/2026"},
		{"MARTIN Claire", "10999000010", "14/03/1988", "IDE", "250999919", "01/12/2026", "21/12/2026"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(t.TempDir(), "agence-titres.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestIssue15Check: the rows of issue 15 get the verdicts HR expects, the
// same from the extract file and from the database.
func TestIssue15Check(t *testing.T) {
	p := issue15File(t)
	noSite := filepath.Join(t.TempDir(), "sans-site.csv")
	if err := os.WriteFile(noSite, []byte("Nom;Prénom;N° RPPS;Début mission;Fin mission\nMARTIN;Claire;10999000010;01/12/2026;21/12/2026\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fromFile := run(t, nil, "check", "--format", "json", "--directory", firstExtract, p, noSite)
	if fromFile.code != 0 {
		t.Fatalf("exit %d: %s", fromFile.code, fromFile.stderr)
	}
	contractCheck(t, "check", fromFile.stdout) // the file warning is an extension CONTRACT.md allows
	d := decodeCheck(t, fromFile.stdout)
	want := []struct {
		status string
		codes  []string
		first  string
	}{
		{"matched", nil, ""}, // Mme MARTIN Claire: before, identity_mismatch
		{"matched", nil, ""}, // DUPONT épouse MARTIN: the usage name is the nom d'exercice
		{"rpps_invalid", []string{"adeli_not_rpps"}, "10999000085"}, // the name search found her RPPS
		{"invalid", []string{"date_invalid"}, ""},                   // no RPPS and 31/02: cannot be registered
		{"matched", []string{"finess_checksum"}, ""},                // the wrong FINESS key is reported
		{"to_register", nil, ""},                                    // RPPS+ registration pre-filled below
		{"matched", []string{"finess_juridique"}, ""},               // CH-A's legal entity: tied to its one site
	}
	rows := d.Files[0].Rows
	if len(rows) != len(want) {
		t.Fatalf("rows = %d, want %d", len(rows), len(want))
	}
	for i, w := range want {
		r := rows[i]
		var codes []string
		for _, is := range r.Issues {
			codes = append(codes, is.Code)
		}
		if r.Status != w.status {
			t.Errorf("row %d: status %s, want %s (issues %v)", r.Row, r.Status, w.status, codes)
		}
		for _, c := range w.codes {
			if !slices.Contains(codes, c) {
				t.Errorf("row %d: issues %v lack %s", r.Row, codes, c)
			}
		}
		if w.first != "" && (len(r.Candidates) == 0 || r.Candidates[0].RPPS != w.first) {
			t.Errorf("row %d: candidates %v, want %s first", r.Row, r.Candidates, w.first)
		}
	}
	if !strings.Contains(fromFile.stdout, `"finess": "250999901"`) || strings.Contains(fromFile.stdout, `"finess": "250999902"`) {
		t.Errorf("the FINESS with a wrong key must be null, the good one kept")
	}
	if f := rows[6].FINESS; f == nil || *f != "250999901" {
		t.Errorf("the legal entity 250999919 gives FINESS %v, want its site 250999901", f)
	}
	if r := d.Files[1].Rows; len(r) != 1 || !slices.ContainsFunc(r[0].Issues, func(i struct{ Code string }) bool { return i.Code == "finess_missing" }) {
		t.Errorf("a file with no structure column: rows %+v, want finess_missing", r)
	}
	if !strings.Contains(fromFile.stdout, `"code": "structure_column_missing"`) {
		t.Errorf("a file with no structure column has no file warning")
	}

	url := storetest.NewSchema(t)
	env := map[string]string{"DATABASE_URL": url}
	if r := run(t, env, "directory", "load", firstExtract); r.code != 0 {
		t.Fatalf("directory load: exit %d: %s", r.code, r.stderr)
	}
	fromDB := run(t, env, "check", "--format", "json", p, noSite)
	if fromDB.stdout != fromFile.stdout {
		t.Errorf("check from the database differs from check with the extract file:\n%s\n%s", fromDB.stdout, fromFile.stdout)
	}

	// Imported: the ADELI row gives CH-A a confirm-identity item; nothing
	// is queued for the structure 250999902, which does not exist; the
	// row without structure waits with the agency.
	if r := run(t, env, "import", "--agency", "Intérim Titres", p, noSite); r.code != 0 {
		t.Fatalf("import: exit %d: %s", r.code, r.stderr)
	}
	items := listItems(t, env)
	if got := find(items, "confirm_candidate", "pending", "250999901"); len(got) != 1 || !strings.Contains(got[0].Reason, "ADELI") {
		t.Errorf("confirm_candidate for the ADELI row: %+v", got)
	}
	regs := find(items, "register_rpps_plus", "pending", "250999901")
	list := listJSON(t, env)
	if len(regs) != 1 || regs[0].Registration == nil || regs[0].Registration.BirthName != "LEROUX" ||
		!strings.Contains(list, `"usage_name": "GIRARD"`) || !strings.Contains(list, `"civility": "MME"`) ||
		!strings.Contains(list, `"role": "Aide-soignant"`) {
		t.Errorf("RPPS+ registration: %+v, want birth name LEROUX, usage name GIRARD, civility MME, role Aide-soignant", regs)
	}
	for _, it := range items {
		if it.FINESS == "250999902" {
			t.Errorf("item %d (%s) queued for a FINESS with a wrong key", it.ID, it.Kind)
		}
	}
	if got := find(items, "validate_activity", "pending", ""); !slices.ContainsFunc(got, func(it listedItem) bool { return it.FINESS == "" }) {
		t.Errorf("the row with no structure lost its item: %+v", got)
	}
}

// listJSON returns `queue list --format json --state all` as printed.
func listJSON(t *testing.T, env map[string]string) string {
	t.Helper()
	r := run(t, env, "queue", "list", "--format", "json", "--state", "all")
	if r.code != 0 {
		t.Fatalf("queue list: exit %d: %s", r.code, r.stderr)
	}
	return r.stdout
}
