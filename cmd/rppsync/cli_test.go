package main

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/rppsync/rppsync/store/storetest"
)

func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		args    []string
		confirm string
		pos     []string
	}{
		{[]string{"12", "--confirm", "10999000010"}, "10999000010", []string{"12"}},
		{[]string{"--confirm", "10999000010", "12"}, "10999000010", []string{"12"}},
		{[]string{"a.csv", "--confirm=x", "b.csv"}, "x", []string{"a.csv", "b.csv"}},
		{[]string{"a.csv", "--", "--confirm", "b"}, "", []string{"a.csv", "--confirm", "b"}},
		{nil, "", []string{}},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		confirm := fs.String("confirm", "", "")
		if err := parseInterspersed(fs, tt.args); err != nil {
			t.Fatalf("%q: %v", tt.args, err)
		}
		if *confirm != tt.confirm || !reflect.DeepEqual(append([]string{}, fs.Args()...), tt.pos) {
			t.Errorf("%q: confirm %q, args %q; want %q, %q", tt.args, *confirm, fs.Args(), tt.confirm, tt.pos)
		}
	}
}

// TestCommandLineForHR checks the command line's promises: a format -h
// lists is accepted and one it does not is refused, no empty report is
// left behind on an error, a report of unreadable files is kept, flags
// may follow the files, and usage errors are French.
func TestCommandLineForHR(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"lookup", "rpps", "--format", "csv", "10999000010"}, "--format csv : choisissez table, json"},
		{[]string{"lookup", "commune", "--format", "xlsx", "Paris"}, "choisissez table, json"},
		{[]string{"check", "--nosuchflag", agencyFiles[1]}, "option inconnue : -nosuchflag"},
		{[]string{"check"}, "indiquez au moins un fichier"},
	} {
		r := run(t, nil, c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, r.code, r.stderr, c.want)
		}
	}
	r := run(t, nil, "lookup", "rpps", "-h")
	if !strings.Contains(r.stderr, "Output format: table, json.") || strings.Contains(r.stderr, "xlsx") {
		t.Errorf("lookup rpps -h lists formats it refuses:\n%s", r.stderr)
	}

	out := filepath.Join(dir, "rapport.json")
	if r := run(t, nil, "check", "--out", out, "--format", "pdf", agencyFiles[1]); r.code != 2 {
		t.Errorf("--format pdf: exit %d", r.code)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a usage error left %s behind (%v)", out, err)
	}
	// Flags after the files; one file missing: a report is still a result.
	r = run(t, nil, "check", agencyFiles[1], filepath.Join(dir, "absent.csv"), "--format", "json", "--out", out)
	if r.code != 1 {
		t.Fatalf("check with a missing file: exit %d: %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(b), `"absent.csv"`) && !strings.Contains(string(b), "absent.csv") {
		t.Errorf("the report of a run with an unreadable file was not kept: %v\n%s", err, b)
	}
}

// TestMigrateCreatesTheJobQueue runs `rppsync migrate` on an empty schema:
// rppsync's tables and River's are there, and a second run changes nothing.
func TestMigrateCreatesTheJobQueue(t *testing.T) {
	url := storetest.NewSchema(t)
	env := map[string]string{"DATABASE_URL": url}
	for i := 0; i < 2; i++ {
		if r := run(t, env, "migrate"); r.code != 0 || !strings.Contains(r.stdout, "Base de données à jour") {
			t.Fatalf("migrate: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
	}
	db := storetest.Open(t, url)
	for _, table := range []string{"contract", "item", "digest", "river_job", "river_leader"} {
		var n int
		if err := db.Pool().QueryRow(context.Background(), `SELECT count(*) FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_name = $1`, table).Scan(&n); err != nil || n != 1 {
			t.Errorf("table %s: %d, %v", table, n, err)
		}
	}
}

// TestQueueExportXLSX exports one structure's queue as a workbook that
// opens again, and refuses to write a workbook to the terminal's stream.
func TestQueueExportXLSX(t *testing.T) {
	env := map[string]string{"DATABASE_URL": storetest.NewSchema(t)}
	for _, args := range [][]string{
		{"directory", "load", firstExtract}, {"directory", "load", cardExtract},
		append([]string{"import", "--agency", "Alpha"}, agencyFiles...),
	} {
		if r := run(t, env, args...); r.code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
	}
	out := filepath.Join(t.TempDir(), "file.xlsx")
	if r := run(t, env, "queue", "export", "--finess", "250999901", "--format", "xlsx", "--out", out); r.code != 0 {
		t.Fatalf("export: exit %d\n%s", r.code, r.stderr)
	}
	wb, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	sheets := wb.GetSheetList()
	if len(sheets) < 2 || sheets[0] != "Résumé" {
		t.Errorf("sheets = %v", sheets)
	}
	for _, sh := range sheets {
		if sh == "Corriger les données" { // the agency's to act on: in its fix list, not the structure's export
			t.Errorf("the structure's export holds the agency's fixes: %v", sheets)
		}
	}
	if v, _ := wb.GetCellValue("Résumé", "A1"); v == "" {
		t.Error("empty summary sheet")
	}
	if r := run(t, env, "queue", "export", "--finess", "250999901", "--format", "xlsx"); r.code != 2 {
		t.Errorf("xlsx to standard output: exit %d", r.code)
	}
}

// TestQueueExportAgency exports an agency's fix list: only items for the
// agency to act on, only from its files.
func TestQueueExportAgency(t *testing.T) {
	env := map[string]string{"DATABASE_URL": storetest.NewSchema(t)}
	for _, args := range [][]string{
		{"directory", "load", firstExtract}, {"directory", "load", cardExtract},
		{"import", "--agency", "Alpha", agencyFiles[0]},
		{"import", "--agency", "Beta", agencyFiles[1], agencyFiles[2]},
	} {
		if r := run(t, env, args...); r.code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
	}
	r := run(t, env, "queue", "export", "--agency", "Beta", "--format", "json")
	if r.code != 0 {
		t.Fatalf("export: exit %d\n%s", r.code, r.stderr)
	}
	var items []struct {
		Agency   string `json:"agency"`
		Audience string `json:"audience"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &items); err != nil || len(items) == 0 {
		t.Fatalf("export: %v, %d items", err, len(items))
	}
	for _, it := range items {
		if it.Agency != "Beta" || it.Audience != "agency" {
			t.Errorf("Beta's fix list holds %+v", it)
		}
	}
	if r := run(t, env, "queue", "export", "--agency", "Beta", "--finess", "250999901"); r.code != 2 {
		t.Errorf("--agency with --finess: exit %d", r.code)
	}
}

// TestStructureNamesMapToFINESS imports a file that names the structure
// without its FINESS: the configured name gives it, with a note; a name
// no structure bears stays a finess_missing row for the agency.
func TestStructureNamesMapToFINESS(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "structures.json")
	if err := os.WriteFile(conf, []byte(`{"version": 1, "structures": [{"finess": "250999901", "name": "CH synthétique de Besançon",
 "aliases": ["CHSB site Nord"], "contacts": [{"email": "rpps@chsb.example.org"}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(dir, "agence.csv")
	if err := os.WriteFile(csv, []byte("Nom;Prénom;N° RPPS;Qualification;Établissement;Date début;Date fin\n"+
		"MARTIN;Claire;10999000010;IDE;Chsb - site nord;01/12/2026;21/12/2026\n"+
		"DUPONT;Jean-Pierre;10999000028;Médecin;Clinique inconnue;01/12/2026;21/12/2026\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DATABASE_URL": storetest.NewSchema(t)}
	for _, args := range [][]string{{"structures", "load", conf}, {"directory", "load", firstExtract}} {
		if r := run(t, env, args...); r.code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
	}
	r := run(t, env, "check", "--format", "json", csv)
	doc := decodeCheck(t, r.stdout)
	rows := doc.Files[0].Rows
	if rows[0].FINESS == nil || *rows[0].FINESS != "250999901" || !strings.Contains(r.stdout, `"finess_from_name"`) {
		t.Errorf("row 2: FINESS %v\n%s", rows[0].FINESS, r.stdout)
	}
	if rows[1].FINESS != nil || !strings.Contains(r.stdout, `"finess_missing"`) {
		t.Errorf("row 3: FINESS %v", rows[1].FINESS)
	}
}
