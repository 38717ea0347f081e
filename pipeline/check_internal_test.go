package pipeline

import (
	"context"
	"fmt"
	"testing"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/matcher"
)

// TestJudgeKeepsOrderAcrossBatches checks verdicts come back in record
// order when a file spans several concurrent batches, and that each file
// gets its own.
func TestJudgeKeepsOrderAcrossBatches(t *testing.T) {
	mt, err := matcher.New(matcher.Config{})
	if err != nil {
		t.Fatal(err)
	}
	sizes := []int{3*DefaultCheckBatch + 17, 5, DefaultCheckBatch}
	results := make([]rppsync.FileResult, len(sizes))
	records := make([][]rppsync.Record, len(sizes))
	for f, n := range sizes {
		results[f].Path = fmt.Sprintf("agence-%d.csv", f)
		for i := range n {
			records[f] = append(records[f], rppsync.Record{Path: results[f].Path, Row: i + 2,
				LastName: rppsync.Name{Display: "Martin"}, FirstName: rppsync.Name{Display: "Julie"}})
		}
	}
	if err := judge(context.Background(), mt, DefaultCheckBatch, results, records); err != nil {
		t.Fatal(err)
	}
	for f, n := range sizes {
		if len(results[f].Rows) != n {
			t.Fatalf("file %d: %d verdicts for %d records", f, len(results[f].Rows), n)
		}
		for i, v := range results[f].Rows {
			if v.Row != i+2 {
				t.Fatalf("file %d: verdict %d is for row %d", f, i, v.Row)
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := judge(ctx, mt, DefaultCheckBatch, results, records); err == nil {
		t.Error("a cancelled check returned no error")
	}
}
