package report_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
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
