package fetch_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rppsync/rppsync/directory"
	"github.com/rppsync/rppsync/directory/fetch"
)

// fuzzSeeds are the shapes of download Check must tell apart; the files
// of testdata/fuzz/FuzzCheck hold the same cases.
func fuzzSeeds(t testing.TB) [][]byte {
	text := "Type d'identifiant PP|Identifiant PP|\n8|10999000010|\n8|10999000028|\n"
	valid := zipOf(t, member{"PS_LibreAcces_Personne_activite_202611200800.txt", text})
	var deflated bytes.Buffer
	zw := zip.NewWriter(&deflated)
	w, _ := zw.Create("extrait/PS_LibreAcces_Personne_activite_courant.txt")
	w.Write([]byte(text))
	zw.Close()
	corrupted := bytes.Clone(valid)
	corrupted[bytes.Index(corrupted, []byte("10999000028"))] = '2'
	return [][]byte{
		valid,
		deflated.Bytes(),
		valid[:len(valid)/2],
		corrupted,
		zipOf(t, member{"PS_LibreAcces_SavoirFaire_202611200800.txt", text}),
		append([]byte("MZ stub "), valid...),
		[]byte("<html>erreur</html>"),
	}
}

func TestCheck(t *testing.T) {
	seeds := fuzzSeeds(t)
	for name, tc := range map[string]struct {
		data  []byte
		min   int64
		code  string
		lines int64
	}{
		"valid":                          {data: seeds[0], min: 3, lines: 3},
		"deflated, undated, in a folder": {data: seeds[1], min: 3, lines: 3},
		"truncated":                      {data: seeds[2], min: 1, code: fetch.CodeCorrupt},
		"wrong CRC":                      {data: seeds[3], min: 1, code: fetch.CodeCorrupt},
		"no member":                      {data: seeds[4], min: 1, code: fetch.CodeNoMember},
		"prefixed zip":                   {data: seeds[5], min: 1, code: fetch.CodeCorrupt},
		"not a zip":                      {data: seeds[6], min: 1, code: fetch.CodeCorrupt},
		"one line short":                 {data: seeds[0], min: 4, code: fetch.CodeTooFewLine},
		"last line without newline":      {data: zipOf(t, member{"PS_LibreAcces_Personne_activite_1.txt", "a|\nb|"}), min: 2, lines: 2},
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "x.zip")
			if err := os.WriteFile(p, tc.data, 0o640); err != nil {
				t.Fatal(err)
			}
			v, err := fetch.Check(context.Background(), p, fetch.Activity, tc.min, 0)
			if tc.code == "" {
				if err != nil || v.Lines != tc.lines {
					t.Fatalf("Check = %+v, %v; want %d lines", v, err, tc.lines)
				}
				return
			}
			var fe *fetch.Error
			if !errors.As(err, &fe) || fe.Code != tc.code {
				t.Fatalf("err = %v, want code %s", err, tc.code)
			}
		})
	}
}

// FuzzCheck: Check never panics, fails only with a coded *Error, and when
// it accepts a file, directory.OpenDated streams the same member.
func FuzzCheck(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	codes := map[string]bool{fetch.CodeCorrupt: true, fetch.CodeNoMember: true, fetch.CodeTooFewLine: true, fetch.CodeTooLarge: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "x.zip")
		if err := os.WriteFile(p, data, 0o640); err != nil {
			t.Fatal(err)
		}
		v, err := fetch.Check(context.Background(), p, fetch.Activity, 2, 1<<20)
		if err != nil {
			var fe *fetch.Error
			if !errors.As(err, &fe) || !codes[fe.Code] {
				t.Fatalf("uncoded error: %v", err)
			}
			return
		}
		if !strings.HasPrefix(v.Member, directory.ActivityPrefix) || v.Lines < 2 {
			t.Fatalf("accepted %+v", v)
		}
		ex, err := directory.OpenDated(p, time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatalf("Check accepted a file directory.Open refuses: %v", err)
		}
		defer ex.Close()
		if ex.Name != v.Member {
			t.Fatalf("Check read member %q, directory.Open streams %q", v.Member, ex.Name)
		}
	})
}
