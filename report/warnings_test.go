package report_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/report"
)

// TestFileWarnings: a file-level warning (a file with no structure column)
// is shown in the table and carried by the JSON document.
func TestFileWarnings(t *testing.T) {
	files := []rppsync.FileResult{{Path: "sans-site.csv",
		Warnings: []rppsync.Issue{{Field: "finess", Code: rppsync.CodeStructureColumnMissing, Message: "Le fichier n'a pas de colonne indiquant l'établissement."}},
		Rows:     []rppsync.Verdict{{Row: 2, Status: rppsync.StatusMatched}}}}
	var table, doc bytes.Buffer
	if err := report.Write(&table, report.FormatTable, files, report.Options{Now: reportNow}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table.String(), "Attention : Le fichier n'a pas de colonne indiquant l'établissement. [structure_column_missing]") {
		t.Errorf("table lacks the warning:\n%s", table.String())
	}
	if err := report.Write(&doc, report.FormatJSON, files, report.Options{Now: reportNow}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(doc.String(), `"code": "structure_column_missing"`) {
		t.Errorf("JSON lacks the warning:\n%s", doc.String())
	}
}
