package rppsync_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/rppsync/rppsync"
)

func TestNewDate(t *testing.T) {
	for _, c := range []struct {
		y, m, d int
		ok      bool
	}{
		{1990, 2, 28, true}, {1990, 2, 31, false}, {2024, 2, 29, true}, {2023, 2, 29, false},
		{1899, 12, 31, false}, {2101, 1, 1, false}, {2026, 13, 1, false}, {2026, 4, 31, false}, {2026, 0, 1, false},
	} {
		d, ok := rppsync.NewDate(c.y, time.Month(c.m), c.d)
		if ok != c.ok || (ok && (d.Year != c.y || int(d.Month) != c.m || d.Day != c.d)) {
			t.Errorf("NewDate(%d, %d, %d) = %v, %v; want ok=%v", c.y, c.m, c.d, d, ok, c.ok)
		}
	}
}

func TestDateJSONAndArithmetic(t *testing.T) {
	d, _ := rppsync.NewDate(2026, 12, 31)
	b, err := json.Marshal(struct {
		A rppsync.Date `json:"a"`
		B rppsync.Date `json:"b"`
	}{A: d})
	if err != nil || string(b) != `{"a":"2026-12-31","b":null}` {
		t.Fatalf("marshal = %s, %v", b, err)
	}
	var back struct{ A, B rppsync.Date }
	if err := json.Unmarshal([]byte(`{"A":"2026-12-31","B":null}`), &back); err != nil || back.A != d || !back.B.IsZero() {
		t.Fatalf("unmarshal = %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"A":"31/12/2026"}`), &back); err == nil {
		t.Error("a non-ISO date was accepted")
	}
	if next := d.AddDays(1); next.String() != "2027-01-01" || !d.Before(next) || next.Before(d) {
		t.Errorf("AddDays/Before: %v", next)
	}
	if (rppsync.Date{}).String() != "" {
		t.Error("the zero Date must print as empty")
	}
}

func TestPtrMakesEmptyNull(t *testing.T) {
	if rppsync.Ptr("") != nil || *rppsync.Ptr("x") != "x" {
		t.Error("Ptr must return nil for empty values")
	}
}
