package report_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
	"github.com/rppsync/rppsync/report"
)

func queueEntries() []queue.Entry {
	d, _ := rppsync.NewDate(2026, 12, 1)
	return []queue.Entry{{ID: 7, Agency: "Alpha", Item: queue.Item{Key: "k", Kind: queue.KindRegisterRPPSPlus,
		State: queue.StatePending, FINESS: "250999901", Start: d, Reason: "=HYPERLINK(\"http://x\")",
		Registration: &queue.Registration{BirthName: "+MARTIN", FirstNames: "@Claire", Phone: "-0600000000"}}}}
}

func TestWriteQueueCSVForFrenchExcel(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteQueue(&buf, report.QueueCSV, queueEntries(), report.Options{}); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	if !strings.HasPrefix(s, "\ufeff") || !strings.Contains(s, "\r\n") {
		t.Fatalf("no BOM or no CRLF: %q", s[:20])
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(s, "\ufeff")))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || !slicesEqual(recs[0], report.QueueHeaders) {
		t.Fatalf("records = %q", recs)
	}
	for _, cell := range recs[1] {
		if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
			t.Errorf("cell %q starts a formula", cell)
		}
	}
	if recs[1][5] != "01/12/2026" || recs[1][6] != "—" {
		t.Errorf("dates = %q, %q", recs[1][5], recs[1][6])
	}
}

// TestWriteQueueCSVActionColumns checks the columns added at the end of the
// queue CSV: who sent the row, where it came from, what to fix and by when.
func TestWriteQueueCSVActionColumns(t *testing.T) {
	items := queueSample()
	var buf bytes.Buffer
	if err := report.WriteQueue(&buf, report.QueueCSV, items, report.Options{Now: queueNow}); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff")))
	r.Comma = ';'
	r.FieldsPerRecord = len(report.QueueHeaders)
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(items)+1 {
		t.Fatalf("%d lines for %d items", len(recs), len(items))
	}
	col := func(id, header string) string {
		t.Helper()
		c := slices.Index(report.QueueHeaders, header)
		for _, rec := range recs[1:] {
			if rec[0] == id {
				return rec[c]
			}
		}
		t.Fatalf("no line for item %s", id)
		return ""
	}
	tests := []struct{ id, header, want string }{
		{"9", "Agence", "Beta Santé"},
		{"9", "Problèmes", "Le numéro FINESS de l'établissement manque : indiquez-le. [finess_missing] | =1+1 [odd]"},
		{"9", "Fichier", "depot/alpha.xlsx"},
		{"9", "Feuille", "Contrats"},
		{"9", "Ligne", "9"},
		{"9", "Échéance", ""},
		{"10", "Échéance", "04/01/2027"},
		{"11", "Échéance", "02/12/2026 10:30"}, // 09:30 UTC, shown in the export's location
	}
	for _, tt := range tests {
		if got := col(tt.id, tt.header); got != tt.want {
			t.Errorf("item %s, %s = %q, want %q", tt.id, tt.header, got, tt.want)
		}
	}
	// encoding/csv with UseCRLF drops a lone CR; the apostrophe stays first.
	if got := col("7", "Nationalité"); got != "'=2+2" {
		t.Errorf("nationality starting with CR = %q, want it neutralised", got)
	}
}

func TestWriteQueueJSONAndTable(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteQueue(&buf, report.QueueJSON, nil, report.Options{}); err != nil || strings.TrimSpace(buf.String()) != "[]" {
		t.Errorf("empty JSON = %q, %v", buf.String(), err)
	}
	buf.Reset()
	if err := report.WriteQueue(&buf, report.QueueJSON, queueEntries(), report.Options{}); err != nil {
		t.Fatal(err)
	}
	var back []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || back[0]["id"] != float64(7) || back[0]["agency"] != "Alpha" {
		t.Errorf("JSON = %s, %v", buf.String(), err)
	}
	buf.Reset()
	if err := report.WriteQueue(&buf, report.QueueTable, queueEntries(), report.Options{}); err != nil ||
		!strings.Contains(buf.String(), "Structure FINESS 250999901") || !strings.Contains(buf.String(), "#7") {
		t.Errorf("table = %q, %v", buf.String(), err)
	}
	if err := report.WriteQueue(&buf, "xml", nil, report.Options{}); !errors.Is(err, report.ErrUnknownFormat) {
		t.Errorf("xml: %v", err)
	}
	if _, err := report.ParseQueueFormat("ods"); !errors.Is(err, report.ErrUnknownFormat) {
		t.Errorf("ParseQueueFormat(ods) = %v", err)
	}
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestQueueNamesEveryWorker: an item with no registration (an activity to
// validate) still names its worker, from the names the item keeps.
func TestQueueNamesEveryWorker(t *testing.T) {
	d, _ := rppsync.NewDate(2026, 12, 1)
	e := []queue.Entry{{ID: 3, Agency: "Alpha", Item: queue.Item{Kind: queue.KindValidateActivity, State: queue.StatePending,
		FINESS: "250999901", RPPS: "10999000010", Start: d, Person: &queue.Person{LastName: "MARTIN", FirstName: "Claire"},
		Periods: []queue.Period{{Start: d, End: d.AddDays(5)}, {Start: d.AddDays(10), End: d.AddDays(20)}}}}}
	var csvOut, table bytes.Buffer
	if err := report.WriteQueue(&csvOut, report.QueueCSV, e, report.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteQueue(&table, report.QueueTable, e, report.Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(csvOut.String(), ";MARTIN;;Claire;") {
		t.Errorf("CSV does not name the worker:\n%s", csvOut.String())
	}
	if !strings.Contains(table.String(), "MARTIN Claire (Alpha)") || !strings.Contains(table.String(), "périodes : 01/12/2026 → 06/12/2026 ; 11/12/2026 → 21/12/2026") {
		t.Errorf("table:\n%s", table.String())
	}
}
