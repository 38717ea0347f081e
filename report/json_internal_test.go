package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"
	"testing"

	"github.com/rppsync/rppsync"
)

// TestWriteJSONIsTheEncodersOutput checks that the row-by-row writer gives
// exactly the bytes of json.Encoder on the whole document.
func TestWriteJSONIsTheEncodersOutput(t *testing.T) {
	row := func(n int, status rppsync.Status, msg string) rppsync.Verdict {
		return rppsync.Verdict{Row: n, Status: status, LastName: rppsync.Ptr("Martin & <Fils>"),
			Issues:     []rppsync.Issue{{Field: "rpps", Code: "rpps_missing", Message: msg}},
			Candidates: []rppsync.Candidate{{RPPS: "10000000007", Score: 0.91, Reasons: []string{"nom identique", `"rows": []`}}}}
	}
	// Enough rows to cross writeRows' chunks and windows, and end inside
	// one.
	many := make([]rppsync.Verdict, 3*rowChunk*max(1, runtime.GOMAXPROCS(0))+17)
	for i := range many {
		many[i] = row(i+2, rppsync.StatusMatched, fmt.Sprintf("ligne %d", i))
	}
	for name, files := range map[string][]rppsync.FileResult{
		"many rows":         {{Path: "gros.xlsx", Rows: many}, {Path: "un.csv", Rows: many[:rowChunk]}, {Path: "deux.csv", Rows: many[:rowChunk+1]}},
		"no file":           nil,
		"one file, no rows": {{Path: "vide.csv"}},
		"a broken file":     {{Path: "cassé.xlsx", Error: &rppsync.FileError{Code: "file_corrupt", Message: "illisible"}}},
		"rows and sheets": {
			{Path: `a "rows": [] b.xlsx`, Sheets: []rppsync.SheetInfo{{Name: "Contrats", HeaderRow: 2}}, Unmapped: []string{"Commentaire"},
				Rows: []rppsync.Verdict{row(3, rppsync.StatusCandidate, "un < deux"), row(4, rppsync.StatusToRegister, "é")}},
			{Path: "b.csv", NIRColumns: []string{"N° sécu"}, Rows: []rppsync.Verdict{row(2, rppsync.StatusMatched, "ok")}},
		},
	} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(NewDocument(files)); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := writeJSON(&got, files); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.String() != want.String() {
			t.Errorf("%s: got\n%s\nwant\n%s", name, got.String(), want.String())
		}
	}
}
