package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rppsync/rppsync/pipeline"
)

// TestCheckLargeFileStreamed runs check on a CSV of several batches, with
// no directory (so rows are checked while the file is read): every row
// gets its verdict, in file order, and a broken file beside it changes
// nothing to it.
func TestCheckLargeFileStreamed(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "gros.csv")
	var b strings.Builder
	b.WriteString("Nom;Prénom;N° RPPS;Qualification\n")
	n := 2*pipeline.DefaultCheckBatch + 7
	for i := range n {
		fmt.Fprintf(&b, "Martin%d;Julie;;IDE\n", i)
	}
	if err := os.WriteFile(big, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, "casse.xlsx")
	if err := os.WriteFile(broken, []byte("PK\x03\x04 pas un classeur"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "check", "--format", "json", big, broken)
	if r.code != 1 {
		t.Fatalf("exit %d (want 1: one file could not be read): %s", r.code, r.stderr)
	}
	var doc checkDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	rows := doc.Files[0].Rows
	if len(rows) != n {
		t.Fatalf("%d verdicts for %d rows", len(rows), n)
	}
	for i, v := range rows {
		if v.Row != i+2 {
			t.Fatalf("verdict %d is for row %d", i, v.Row)
		}
	}
	if doc.Files[1].Error == nil || len(doc.Files[1].Rows) != 0 {
		t.Errorf("broken file: %+v", doc.Files[1])
	}
}
