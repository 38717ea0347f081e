package report_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/report"
)

// dangerous reports whether a spreadsheet would read s as a formula.
func dangerous(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

// readCSV parses a report written by Write in the CSV format.
func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	body, ok := bytes.CutPrefix(b, []byte("\uFEFF"))
	if !ok {
		t.Fatal("no BOM")
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.Comma = ';'
	r.FieldsPerRecord = len(report.Headers)
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse back: %v", err)
	}
	return recs
}

func FuzzNeutralise(f *testing.F) {
	for _, s := range []string{"", "DUPONT", "=1+1", hyperlink, "+33 6", "-Zoé", "@SUM(A1)", "\t=x", "\r=x", "'=x", " =x", "a\r\nb", "\xff="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := report.Neutralise(s)
		switch {
		case dangerous(s) && out != "'"+s:
			t.Fatalf("Neutralise(%q) = %q, want a leading apostrophe", s, out)
		case !dangerous(s) && out != s:
			t.Fatalf("Neutralise(%q) = %q changed a safe value", s, out)
		case dangerous(out):
			t.Fatalf("Neutralise(%q) = %q is still a formula", s, out)
		}
		if report.Neutralise(out) != out {
			t.Fatalf("Neutralise is not idempotent on %q", s)
		}
	})
}

// FuzzWriteCSV writes hostile text in every text cell of a row and checks that
// the CSV parses back with the same number of cells and no formula.
func FuzzWriteCSV(f *testing.F) {
	f.Add("DUPONT", "Jean", "Contrats", "agence.csv", "Message ; avec \"guillemets\"")
	f.Add(hyperlink, "+33 6 00", "=Feuil1", "-fichier.csv", "@cmd|' /C calc'!A0")
	f.Add("a\r\nb", "\tx", "\r=1", "x\ny", "")
	f.Fuzz(func(t *testing.T, last, first, sheet, path, message string) {
		files := []rppsync.FileResult{
			{Path: path, Rows: []rppsync.Verdict{{
				Sheet: rppsync.Ptr(sheet), Row: 2, Status: rppsync.StatusInvalid,
				LastName: rppsync.Ptr(last), FirstName: rppsync.Ptr(first),
				Issues: []rppsync.Issue{{Code: "x", Message: message}},
			}}},
			{Path: path, Error: &rppsync.FileError{Code: "file_unreadable", Message: message}},
		}
		var buf bytes.Buffer
		if err := report.Write(&buf, report.FormatCSV, files, report.Options{}); err != nil {
			t.Fatal(err)
		}
		recs := readCSV(t, buf.Bytes())
		if len(recs) != 3 {
			t.Fatalf("%d records, want header + 2", len(recs))
		}
		for _, rec := range recs {
			for i, c := range rec {
				if dangerous(c) {
					t.Fatalf("cell %d %q reads as a formula", i, c)
				}
			}
		}
		// The CSV writer turns line breaks into CRLF and drops lone CRs;
		// beyond that, a cell reads back as neutralised.
		want := strings.ReplaceAll(report.Neutralise(last), "\r", "")
		if got := recs[1][6]; got != want {
			t.Fatalf("last name read back as %q, want %q", got, want)
		}
	})
}

func FuzzParseFormat(f *testing.F) {
	for _, s := range []string{"table", "JSON", " csv ", "xlsx", "", "xls", "tablé", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := report.ParseFormat(s)
		if err != nil {
			if !errors.Is(err, report.ErrUnknownFormat) || got != "" {
				t.Fatalf("ParseFormat(%q) = %q, %v", s, got, err)
			}
			return
		}
		if !slices.Contains(report.Formats, got) || !strings.EqualFold(strings.TrimSpace(s), string(got)) {
			t.Fatalf("ParseFormat(%q) = %q", s, got)
		}
		if again, err := report.ParseFormat(got.String()); err != nil || again != got {
			t.Fatalf("ParseFormat does not read back %q", got)
		}
	})
}

func FuzzLooksLikeNIR(f *testing.F) {
	for _, s := range []string{"NIR", "N° Sécu", "Numéro de sécurité sociale", "INSEE naissance", "Nirina", "", "\u0301NIR"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := report.LooksLikeNIR(s)
		if got != report.LooksLikeNIR("("+s+")") {
			t.Fatalf("LooksLikeNIR(%q) depends on surrounding punctuation", s)
		}
	})
}
