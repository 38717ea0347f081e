package importer_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/importer"
)

// TestOnRecords reads the sample files with small runs: the runs, end to
// end, are File.Records, in order, none longer than asked, and every one
// but the last of a sheet or file is full.
func TestOnRecords(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "fixtures", "agencies", "interim-*"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no sample files: %v", err)
	}
	for _, p := range paths {
		for _, batch := range []int{1, 2, 3, 1000} {
			var runs [][]rppsync.Record
			f, err := importer.ReadFile(context.Background(), p, importer.Options{RecordsBatch: batch,
				OnRecords: func(r []rppsync.Record) { runs = append(runs, r) }})
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			var all []rppsync.Record
			for i, r := range runs {
				if len(r) == 0 || len(r) > batch {
					t.Errorf("%s, batch %d: run %d has %d records", p, batch, i, len(r))
				}
				all = append(all, r...)
			}
			if !slices.EqualFunc(all, f.Records, func(a, b rppsync.Record) bool { return a.Row == b.Row && a.Sheet == b.Sheet }) {
				t.Errorf("%s, batch %d: runs give %d records, File.Records %d, or another order", p, batch, len(all), len(f.Records))
			}
		}
	}
}
