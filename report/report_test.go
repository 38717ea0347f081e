package report_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/internal/contract"
	"github.com/rppsync/rppsync/report"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update once): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

func TestWriteGolden(t *testing.T) {
	tests := []struct {
		format report.Format
		opts   report.Options
		file   string
	}{
		{report.FormatTable, report.Options{Now: reportNow}, "check.table.golden"},
		{report.FormatTable, report.Options{Now: reportNow, Width: 100}, "check.narrow.table.golden"},
		{report.FormatJSON, report.Options{}, "check.json.golden"},
		{report.FormatCSV, report.Options{}, "check.csv.golden"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := report.Write(&buf, tt.format, sampleResults(), tt.opts); err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(buf.Bytes(), []byte("\x1b[")) {
				t.Error("colour codes written without Options.Color")
			}
			golden(t, tt.file, buf.Bytes())
		})
	}
}

func TestJSONPassesContractCheck(t *testing.T) {
	var buf bytes.Buffer
	if err := report.Write(&buf, report.FormatJSON, sampleResults(), report.Options{}); err != nil {
		t.Fatal(err)
	}
	if problems := contract.Check(contract.ModeCheck, buf.Bytes()); len(problems) > 0 {
		t.Errorf("the report breaks the contract:\n%s", strings.Join(problems, "\n"))
	}
	if tool := os.Getenv("RPPSYNC_CONTRACT_CHECK"); tool != "" {
		if python, err := exec.LookPath("python3"); err == nil {
			cmd := exec.Command(python, tool, "check")
			cmd.Stdin = bytes.NewReader(buf.Bytes())
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("the external contract-check rejects the report: %v\n%s", err, out)
			}
		}
	}

	// The checker must catch what NewDocument normalises away: the raw
	// results carry null issues and candidates and rows on an error file.
	raw := sampleResults()
	raw[2].Rows = raw[0].Rows[:1]
	naive, err := json.Marshal(map[string]any{"files": raw, "summary": map[string]int{"rows": 11}})
	if err != nil {
		t.Fatal(err)
	}
	if len(contract.Check(contract.ModeCheck, naive)) == 0 {
		t.Error("the contract check accepts unnormalised results; the test cannot fail")
	}
}

func TestNewDocument(t *testing.T) {
	in := sampleResults()
	in[2].Rows = in[0].Rows[:2] // rows on a file with an error are dropped
	doc := report.NewDocument(in)
	if in[0].Rows[0].Issues != nil {
		t.Error("NewDocument modified its input")
	}
	if got := len(doc.Files[2].Rows); got != 0 {
		t.Errorf("file with an error has %d rows, want 0", got)
	}
	if doc.Files[2].Rows == nil || doc.Files[0].Rows[0].Issues == nil || doc.Files[0].Rows[0].Candidates == nil {
		t.Error("rows, issues and candidates must be empty lists, not null")
	}
	if doc.Summary.Rows != 10 {
		t.Errorf("summary rows = %d, want 10", doc.Summary.Rows)
	}
	empty, err := json.Marshal(report.NewDocument(nil))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"files":[],"summary":{"rows":0,"matched":0,"identity_mismatch":0,"rpps_unknown":0,"rpps_invalid":0,"candidate":0,"to_register":0,"invalid":0,"unchecked":0,"files":0,"file_errors":0}}`; string(empty) != want {
		t.Errorf("empty document = %s, want %s", empty, want)
	}
}

func TestSummarise(t *testing.T) {
	row := func(s rppsync.Status) rppsync.Verdict { return rppsync.Verdict{Row: 2, Status: s} }
	tests := []struct {
		name  string
		files []rppsync.FileResult
		want  report.Summary
	}{
		{"nothing", nil, report.Summary{}},
		{"empty file", []rppsync.FileResult{{Path: "a.csv"}}, report.Summary{Files: 1}},
		{
			"statuses counted",
			[]rppsync.FileResult{{Path: "a.csv", Rows: []rppsync.Verdict{
				row(rppsync.StatusMatched), row(rppsync.StatusMatched), row(rppsync.StatusCandidate), row(rppsync.StatusUnchecked),
			}}},
			report.Summary{Rows: 4, Matched: 2, Candidate: 1, Unchecked: 1, Files: 1},
		},
		{
			"error file rows ignored",
			[]rppsync.FileResult{
				{Path: "a.csv", Rows: []rppsync.Verdict{row(rppsync.StatusInvalid)}},
				{Path: "b.xlsx", Error: &rppsync.FileError{Code: "x", Message: "y"}, Rows: []rppsync.Verdict{row(rppsync.StatusMatched)}},
			},
			report.Summary{Rows: 1, Invalid: 1, Files: 2, FileErrors: 1},
		},
		{
			"unknown status counts as a row only",
			[]rppsync.FileResult{{Path: "a.csv", Rows: []rppsync.Verdict{row("bogus"), row(rppsync.StatusRPPSInvalid)}}},
			report.Summary{Rows: 2, RPPSInvalid: 1, Files: 1},
		},
		{
			"sample",
			sampleResults(),
			report.Summary{Rows: 10, Matched: 1, IdentityMismatch: 1, RPPSUnknown: 1, RPPSInvalid: 1, Candidate: 1,
				ToRegister: 3, Invalid: 1, Unchecked: 1, Files: 3, FileErrors: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := report.Summarise(tt.files)
			if got != tt.want {
				t.Errorf("Summarise = %+v, want %+v", got, tt.want)
			}
			if got.Count(rppsync.StatusMatched) != tt.want.Matched || got.Count("bogus") != 0 {
				t.Errorf("Count disagrees with the fields: %+v", got)
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in   string
		want report.Format
		ok   bool
	}{
		{"table", report.FormatTable, true},
		{"JSON", report.FormatJSON, true},
		{" csv ", report.FormatCSV, true},
		{"Xlsx", report.FormatXLSX, true},
		{"", "", false},
		{"xls", "", false},
		{"html", "", false},
	}
	for _, tt := range tests {
		got, err := report.ParseFormat(tt.in)
		if tt.ok != (err == nil) || got != tt.want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !errors.Is(err, report.ErrUnknownFormat) {
			t.Errorf("ParseFormat(%q) error %v does not wrap ErrUnknownFormat", tt.in, err)
		}
	}
}

// failingWriter accepts n bytes, then fails.
type failingWriter struct{ n int }

var errDiskFull = errors.New("disk full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errDiskFull
	}
	w.n -= len(p)
	return len(p), nil
}

func TestWriteErrors(t *testing.T) {
	if err := report.Write(&bytes.Buffer{}, "pdf", nil, report.Options{}); !errors.Is(err, report.ErrUnknownFormat) {
		t.Errorf("unknown format: err = %v, want ErrUnknownFormat", err)
	}
	for _, f := range report.Formats {
		for _, n := range []int{0, 100} {
			err := report.Write(&failingWriter{n: n}, f, sampleResults(), report.Options{Now: reportNow})
			if !errors.Is(err, errDiskFull) {
				t.Errorf("%s after %d bytes: err = %v, want the writer's error", f, n, err)
			}
		}
	}
}

func TestTableColour(t *testing.T) {
	files := []rppsync.FileResult{{Path: "a.csv", Rows: []rppsync.Verdict{
		{Row: 2, Status: rppsync.StatusMatched, RPPS: str("10101234567"), LastName: str("DUPRÉ\x1b[2J\x1b]0;pwn\a"), FirstName: str("Anne\u202Eevil")},
		{Row: 3, Status: rppsync.StatusRPPSInvalid},
		{Row: 4, Status: rppsync.StatusToRegister},
		{Row: 5, Status: rppsync.StatusUnchecked},
	}}}
	var plain, colour bytes.Buffer
	if err := report.Write(&plain, report.FormatTable, files, report.Options{Now: reportNow}); err != nil {
		t.Fatal(err)
	}
	if err := report.Write(&colour, report.FormatTable, files, report.Options{Now: reportNow, Color: true}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"\x1b[32mRPPS vérifié (matched)",
		"\x1b[31mRPPS invalide (rpps_invalid)",
		"\x1b[33mEnregistrement à faire (to_register)",
		"\x1b[90mNon vérifié (pas d'annuaire) (unchecked)",
	} {
		if !bytes.Contains(colour.Bytes(), []byte(want)) {
			t.Errorf("coloured table lacks %q:\n%s", want, colour.String())
		}
	}
	if bytes.ContainsAny(plain.Bytes(), "\x1b\a\u202E") {
		t.Errorf("a cell's control characters reached the terminal:\n%q", plain.String())
	}
	if !bytes.Contains(plain.Bytes(), []byte("DUPRÉ\uFFFD[2J")) {
		t.Errorf("escape not replaced visibly:\n%s", plain.String())
	}
}

func TestNeutralise(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"DUPONT", "DUPONT"},
		{"10101234567", "10101234567"},
		{"=1+1", "'=1+1"},
		{"+33 6 00 00 00 00", "'+33 6 00 00 00 00"},
		{"-Zoé", "'-Zoé"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=cmd", "'\t=cmd"},
		{"\r=cmd", "'\r=cmd"},
		{" =1+1", " =1+1"},
		{"'=déjà", "'=déjà"},
		{"Jean-Pierre", "Jean-Pierre"},
	}
	for _, tt := range tests {
		if got := report.Neutralise(tt.in); got != tt.want {
			t.Errorf("Neutralise(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLooksLikeNIR(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{"NIR", true},
		{"N° Sécu", true},
		{"Numéro de sécurité sociale", true},
		{"NSS", true},
		{"N° SS", true},
		{"N° d'immatriculation", true},
		{"nir (clé)", true},
		{"INSEE naissance", false},
		{"Commune de naissance", false},
		{"Nirina", false},
		{"Taux horaire", false},
		{"Sécurité", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := report.LooksLikeNIR(tt.header); got != tt.want {
			t.Errorf("LooksLikeNIR(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestLabels(t *testing.T) {
	seen := map[string]rppsync.Status{}
	for _, s := range rppsync.Statuses {
		l := report.StatusLabel(s)
		if strings.HasPrefix(l, "Statut inconnu") {
			t.Errorf("status %s has no French label", s)
		}
		if other, dup := seen[l]; dup {
			t.Errorf("statuses %s and %s share the label %q", s, other, l)
		}
		seen[l] = s
	}
	if got := report.StatusLabel("bogus"); got != "Statut inconnu (bogus)" {
		t.Errorf("unknown status label = %q", got)
	}
	tests := []struct {
		c    rppsync.Channel
		want string
	}{
		{rppsync.ChannelOrdre, "Ordre"}, {rppsync.ChannelARS, "ARS"}, {rppsync.ChannelRPPSPlus, "Portail RPPS+"},
		{"", ""}, {"autre", "autre"},
	}
	for _, tt := range tests {
		if got := report.ChannelLabel(tt.c); got != tt.want {
			t.Errorf("ChannelLabel(%q) = %q, want %q", tt.c, got, tt.want)
		}
	}
}
