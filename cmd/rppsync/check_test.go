package main

import (
	"archive/zip"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/rppsync/rppsync/store/storetest"
)

// want is what one sample row must get (fixtures/agencies/README.md).
type want struct {
	status  string
	channel string   // "" to skip
	insee   string   // "" to skip
	rpps    string   // "" to skip
	codes   []string // issue codes that must be present
	first   string   // first candidate, "" to skip
}

var sampleVerdicts = map[string]want{
	"interim-alpha.xlsx Contrats 6":  {status: "matched", rpps: "10999000010", channel: "ordre"},
	"interim-alpha.xlsx Contrats 7":  {status: "matched", rpps: "10999000028"},
	"interim-alpha.xlsx Contrats 8":  {status: "identity_mismatch", rpps: "10999000077"},
	"interim-alpha.xlsx Contrats 10": {status: "candidate", first: "10999000085"},
	"interim-alpha.xlsx Contrats 11": {status: "to_register", channel: "rpps_plus", insee: "42218"},
	"interim-alpha.xlsx Contrats 12": {status: "to_register", channel: "rpps_plus", codes: []string{"birth_place_postal_code"}},
	"interim-alpha.xlsx Contrats 13": {status: "matched", rpps: "10999000069", channel: "ars"},
	"interim-alpha.xlsx Contrats 14": {status: "matched", rpps: "10999000051"},
	"interim-alpha.xlsx Contrats 15": {status: "matched", rpps: "10999000101"},
	"interim-alpha.xlsx Archive 2":   {status: "matched", rpps: "10999000010"},
	"interim-beta.csv 2":             {status: "matched", rpps: "10999000036"},
	"interim-beta.csv 3":             {status: "matched", rpps: "10999000044"},
	"interim-beta.csv 4":             {status: "rpps_invalid", codes: []string{"rpps_checksum"}},
	"interim-beta.csv 5":             {status: "rpps_invalid", codes: []string{"rpps_format", "date_invalid"}},
	"interim-beta.csv 6":             {status: "rpps_invalid", codes: []string{"adeli_not_rpps", "row_field_count"}},
	"interim-beta.csv 8":             {status: "to_register", channel: "ordre", insee: "2A004", codes: []string{"email_invalid"}},
	"interim-beta.csv 9":             {status: "to_register", channel: "ars", insee: "99350"},
	"interim-gamma.csv 2":            {status: "matched", rpps: "10999000010"},
	"interim-gamma.csv 3":            {status: "matched", rpps: "10999000119"},
	"interim-gamma.csv 5":            {status: "to_register", channel: "rpps_plus", codes: []string{"birth_place_ambiguous"}},
	"interim-gamma.csv 6":            {status: "rpps_unknown", rpps: "10999000127"},
	"interim-gamma.csv 7":            {status: "matched", rpps: "10999000028"},
	"interim-gamma.csv 8":            {status: "invalid", codes: []string{"name_missing", "contract_dates_reversed"}},
}

// assertSampleVerdicts checks every row of the sample files against sampleVerdicts.
func assertSampleVerdicts(t *testing.T, d checkDoc) {
	t.Helper()
	seen := map[string]bool{}
	for _, f := range d.Files {
		if f.Error != nil {
			t.Errorf("%s: unexpected file error %v", f.Path, f.Error)
		}
		for _, r := range f.Rows {
			key := filepath.Base(f.Path)
			if r.Sheet != nil {
				key += " " + *r.Sheet
			}
			key += fmt.Sprint(" ", r.Row)
			seen[key] = true
			w, ok := sampleVerdicts[key]
			if !ok {
				t.Errorf("%s: a row the fixture README does not list (status %s)", key, r.Status)
				continue
			}
			var codes []string
			for _, is := range r.Issues {
				codes = append(codes, is.Code)
			}
			if r.Status != w.status {
				t.Errorf("%s: status %s, want %s (issues %v)", key, r.Status, w.status, codes)
			}
			if w.rpps != "" && (r.RPPS == nil || *r.RPPS != w.rpps) {
				t.Errorf("%s: rpps %v, want %s", key, r.RPPS, w.rpps)
			}
			if w.channel != "" && (r.Channel == nil || *r.Channel != w.channel) {
				t.Errorf("%s: channel %v, want %s", key, r.Channel, w.channel)
			}
			if w.insee != "" && (r.BirthINSEE == nil || *r.BirthINSEE != w.insee) {
				t.Errorf("%s: birth_insee %v, want %s", key, r.BirthINSEE, w.insee)
			}
			for _, c := range w.codes {
				if !slices.Contains(codes, c) {
					t.Errorf("%s: issues %v lack %s", key, codes, c)
				}
			}
			if w.first != "" && (len(r.Candidates) == 0 || r.Candidates[0].RPPS != w.first) {
				t.Errorf("%s: candidates %v, want %s first", key, r.Candidates, w.first)
			}
		}
	}
	for k := range sampleVerdicts {
		if !seen[k] {
			t.Errorf("%s: no verdict for this row", k)
		}
	}
}

func TestCheckWithTheDirectoryFileGivesEveryRowItsVerdict(t *testing.T) {
	args := append([]string{"check", "--format", "json", "--directory", firstExtract}, agencyFiles...)
	r := run(t, nil, args...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	assertSampleVerdicts(t, decodeCheck(t, r.stdout))
	contractCheck(t, "check", r.stdout)
	golden(t, "check-directory.json", []byte(r.stdout))
	for _, name := range []string{"ROUSSEAU", "Karim", "MOREAU", "1990-04-12", "@"} {
		if strings.Contains(r.stderr, name) {
			t.Errorf("the logs carry personal data %q:\n%s", name, r.stderr)
		}
	}
}

func TestCheckWithoutDirectoryChecksFormatOnly(t *testing.T) {
	r := run(t, nil, append([]string{"check", "--format", "json"}, agencyFiles...)...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	contractCheck(t, "check", r.stdout)
	d := decodeCheck(t, r.stdout)
	allowed := map[string]bool{"unchecked": true, "rpps_invalid": true, "invalid": true, "to_register": true}
	for _, f := range d.Files {
		for _, row := range f.Rows {
			if !allowed[row.Status] {
				t.Errorf("%s row %d: status %s without a directory", f.Path, row.Row, row.Status)
			}
			if row.Status == "to_register" {
				found := false
				for _, is := range row.Issues {
					found = found || is.Code == "directory_unavailable"
				}
				if !found {
					t.Errorf("%s row %d: to_register without directory_unavailable", f.Path, row.Row)
				}
			}
		}
	}
	golden(t, "check-nodirectory.json", []byte(r.stdout))
}

func TestCheckFromTheDatabaseAgreesWithTheFile(t *testing.T) {
	url := storetest.NewSchema(t)
	env := map[string]string{"DATABASE_URL": url}
	if r := run(t, env, "directory", "load", firstExtract); r.code != 0 {
		t.Fatalf("directory load: exit %d: %s", r.code, r.stderr)
	}
	fromDB := run(t, env, append([]string{"check", "--format", "json"}, agencyFiles...)...)
	fromFile := run(t, nil, append([]string{"check", "--format", "json", "--directory", firstExtract}, agencyFiles...)...)
	if fromDB.code != 0 || fromFile.code != 0 {
		t.Fatalf("exit %d / %d: %s %s", fromDB.code, fromFile.code, fromDB.stderr, fromFile.stderr)
	}
	if fromDB.stdout != fromFile.stdout {
		t.Errorf("the database and the extract file give different verdicts:\n--- database\n%s\n--- file\n%s", fromDB.stdout, fromFile.stdout)
	}
	assertSampleVerdicts(t, decodeCheck(t, fromDB.stdout))
}

func TestCheckABrokenFileNeverStopsTheOthers(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "export.xlsx")
	if err := os.WriteFile(broken, []byte("PK\x03\x04 this is not a workbook"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "absent.csv")
	r := run(t, nil, "check", "--format", "json", broken, agencyFiles[1], missing)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (a file could not be read)", r.code)
	}
	contractCheck(t, "check", r.stdout)
	d := decodeCheck(t, r.stdout)
	if len(d.Files) != 3 || d.Files[0].Error == nil || d.Files[2].Error == nil || d.Files[1].Error != nil || len(d.Files[1].Rows) == 0 {
		t.Fatalf("want errors on files 1 and 3 and rows for file 2: %+v", d.Files)
	}
	for _, f := range []string{"export.xlsx", "absent.csv"} {
		if !strings.Contains(r.stderr, f) {
			t.Errorf("stderr does not name %s:\n%s", f, r.stderr)
		}
	}
}

func TestCheckWritesEveryFormat(t *testing.T) {
	dir := t.TempDir()
	base := append([]string{"check", "--directory", firstExtract}, agencyFiles...)

	r := run(t, nil, append([]string{"check", "--format", "table", "--directory", firstExtract}, agencyFiles...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "RPPS vérifié") || !strings.Contains(r.stdout, "interim-gamma.csv") {
		t.Errorf("table: exit %d\n%s", r.code, r.stdout)
	}

	csvPath := filepath.Join(dir, "rapport.csv")
	if r := run(t, nil, append([]string{"check", "--format", "csv", "--out", csvPath}, base[1:]...)...); r.code != 0 {
		t.Fatalf("csv: exit %d: %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(csvPath)
	if err != nil || !strings.HasPrefix(string(b), "\ufeffFichier;") || strings.Count(string(b), "\r\n") != len(sampleVerdicts)+1 {
		t.Errorf("csv report: %v\n%s", err, b)
	}

	xlsxPath := filepath.Join(dir, "rapport.xlsx")
	if r := run(t, nil, append([]string{"check", "--format", "xlsx", "--out", xlsxPath}, base[1:]...)...); r.code != 0 {
		t.Fatalf("xlsx: exit %d: %s", r.code, r.stderr)
	}
	wb, err := excelize.OpenFile(xlsxPath)
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	rows, err := wb.GetRows("Vérifications")
	if err != nil || len(rows) != len(sampleVerdicts)+1 || rows[0][0] != "Fichier" {
		t.Errorf("xlsx report: %v, %d rows", err, len(rows))
	}
}

func TestLookupShapes(t *testing.T) {
	r := run(t, nil, "lookup", "rpps", "--format", "json", "--directory", firstExtract, "8 10999000010", "10999000011", "251234567", "abc")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	contractCheck(t, "rpps", r.stdout)
	golden(t, "lookup-rpps.json", []byte(r.stdout))

	for _, c := range []struct {
		args         []string
		status, code string
	}{
		{[]string{"St Etienne"}, "ok", "42218"},
		{[]string{"Paris 15e"}, "ok", "75115"},
		{[]string{"75015"}, "postal_code", ""},
		{[]string{"Saint-Denis"}, "ambiguous", ""},
		{[]string{"--dept", "974", "Saint-Denis"}, "ok", "97411"},
		{[]string{"--born", "1985-06-01", "Courcouronnes"}, "ok", "91182"},
		{[]string{"Casablanca (Maroc)"}, "ok", "99350"},
	} {
		r := run(t, nil, append([]string{"lookup", "commune", "--format", "json"}, c.args...)...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, r.code, r.stderr)
		}
		contractCheck(t, "commune", r.stdout)
		if !strings.Contains(r.stdout, `"status": "`+c.status+`"`) || (c.code != "" && !strings.Contains(r.stdout, `"code": "`+c.code+`"`)) {
			t.Errorf("lookup commune %v = %s, want %s %s", c.args, r.stdout, c.status, c.code)
		}
	}
}

// zipExtract packs the fixture extract as the published PS_LibreAcces zip.
func zipExtract(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "PS_LibreAcces_202611200800.zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, name := range []string{"PS_LibreAcces_Dipl_AutExerc_202611200800.txt", filepath.Base(firstExtract)} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		b := []byte("Identifiant PP|Libellé|\n")
		if name == filepath.Base(firstExtract) {
			if b, err = os.ReadFile(firstExtract); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTheZipExtractWorksLikeTheText(t *testing.T) {
	zipPath := zipExtract(t)
	fromZip := run(t, nil, append([]string{"check", "--format", "json", "--directory", zipPath}, agencyFiles...)...)
	fromTxt := run(t, nil, append([]string{"check", "--format", "json", "--directory", firstExtract}, agencyFiles...)...)
	if fromZip.code != 0 || fromZip.stdout != fromTxt.stdout {
		t.Fatalf("check --directory with the zip: exit %d, same output %v\n%s", fromZip.code, fromZip.stdout == fromTxt.stdout, fromZip.stderr)
	}

	env := map[string]string{"DATABASE_URL": storetest.NewSchema(t)}
	r := run(t, env, "directory", "load", zipPath)
	if r.code != 0 || !strings.Contains(r.stdout, "PS_LibreAcces_Personne_activite_202611200800.txt : 13 lignes") {
		t.Fatalf("directory load of the zip: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// An older extract is refused without --force, and taken with it.
	older := filepath.Join(t.TempDir(), "PS_LibreAcces_Personne_activite_202601010800.txt")
	b, err := os.ReadFile(firstExtract)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(older, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if r := run(t, env, "directory", "load", older); r.code == 0 || !strings.Contains(r.stderr, "--force") {
		t.Errorf("an older extract was loaded without --force: exit %d\n%s", r.code, r.stderr)
	}
	if r := run(t, env, "directory", "load", "--force", older); r.code != 0 {
		t.Errorf("--force: exit %d\n%s", r.code, r.stderr)
	}
}

func TestCheckWithAnAgencyProfile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "delta.xlsx")
	wb := excelize.NewFile()
	if err := wb.SetSheetName("Sheet1", "Missions"); err != nil {
		t.Fatal(err)
	}
	rows := [][]any{
		{"Intérim Delta — missions"},
		{},
		{"Salarié", "Matricule RPPS", "Qualification", "N° FINESS", "Début mission", "Fin mission", "Code sécu", "Commentaire"},
		{"MARTIN Claire", "10999000010", "IDE", "250999901", "01/12/2026", "14/12/2026", "2 85 05 75 115 123 45", "RAS"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := wb.SetSheetRow("Missions", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := wb.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "check", "--format", "json", "--directory", firstExtract, "--profile", fixtures+"/agencies/profile.example.json", path)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	d := decodeCheck(t, r.stdout)
	if len(d.Files) != 1 || len(d.Files[0].Rows) != 1 || d.Files[0].Rows[0].Status != "matched" {
		t.Fatalf("with the profile, the row should match: %s", r.stdout)
	}
	if strings.Contains(r.stdout, "115 123") {
		t.Error("the NIR value reached the report")
	}
	if r := run(t, nil, "check", "--profile", filepath.Join(dir, "absent.json"), path); r.code != 2 {
		t.Errorf("a missing profile: exit %d, want 2", r.code)
	}
}
