package importer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/importer"
)

// TestOnRecords reads the sample files, and one of 700 rows, with small
// runs: the runs, end to end, are File.Records, in order, none longer than
// asked nor with room to grow, and every one but the last of a sheet or
// file is full.
func TestOnRecords(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "fixtures", "agencies", "interim-*"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no sample files: %v", err)
	}
	// A file longer than the first chunk the reader allocates, in runs
	// longer and shorter than that chunk.
	var b strings.Builder
	b.WriteString("Nom;Prénom;N° RPPS;Date de naissance;Qualification;N° FINESS;Date début;Date fin\n")
	for i := range 700 {
		fmt.Fprintf(&b, "NOM%d;Prénom;;01/02/1980;Infirmier;;01/12/2026;31/12/2026\n", i)
	}
	long := filepath.Join(t.TempDir(), "long.csv")
	if err := os.WriteFile(long, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	paths = append(paths, long)
	for _, p := range paths {
		for _, batch := range []int{1, 2, 3, 300, 1000} {
			var runs [][]rppsync.Record
			f, err := importer.ReadFile(context.Background(), p, importer.Options{RecordsBatch: batch,
				OnRecords: func(r []rppsync.Record) { runs = append(runs, r) }})
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			var all []rppsync.Record
			for i, r := range runs {
				if len(r) == 0 || len(r) > batch || len(r) < batch && i < len(runs)-1 && r[0].Sheet == runs[i+1][0].Sheet {
					t.Errorf("%s, batch %d: run %d of %d has %d records", p, batch, i, len(runs), len(r))
				}
				if cap(r) != len(r) {
					t.Errorf("%s, batch %d: run %d has room for %d records beyond its own: an append by the receiver would write into the reader's", p, batch, i, cap(r)-len(r))
				}
				all = append(all, r...)
			}
			if p == long && len(f.Records) != 700 {
				t.Errorf("%s: %d records, want 700", p, len(f.Records))
			}
			if !slices.EqualFunc(all, f.Records, func(a, b rppsync.Record) bool { return a.Row == b.Row && a.Sheet == b.Sheet }) {
				t.Errorf("%s, batch %d: runs give %d records, File.Records %d, or another order", p, batch, len(all), len(f.Records))
			}
		}
	}
}
