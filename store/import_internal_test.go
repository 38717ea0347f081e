package store

import (
	"time"

	"testing"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
)

// FuzzContractParts checks that contractParts reads back the FINESS and
// dates queue.ContractKey put in the key, whatever the FINESS typed.
func FuzzContractParts(f *testing.F) {
	f.Add("10999000010", "250999901", 2026, 12, 1, 2026, 12, 21)
	f.Add("", "", 0, 0, 0, 0, 0, 0)
	f.Add("", "69|0999909", 2026, 2, 28, 2026, 3, 1)
	f.Add("1099900001", "2A0000001", 2026, 1, 31, 2025, 12, 1)
	f.Fuzz(func(t *testing.T, rpps, finess string, y1, m1, d1, y2, m2, d2 int) {
		start, _ := rppsync.NewDate(y1, timeMonth(m1), d1)
		end, _ := rppsync.NewDate(y2, timeMonth(m2), d2)
		rec := rppsync.Record{LastName: rppsync.Name{Display: "TEST"}, FirstName: rppsync.Name{Display: "Fuzz"},
			FINESS: finess, Start: start, End: end}
		v := rppsync.Verdict{Status: rppsync.StatusMatched, RPPS: rppsync.Ptr(rpps), ContractStart: start, ContractEnd: end}
		key := queue.ContractKey(rec, v)
		worker := queue.WorkerKey(rec, v)
		gotFINESS, gotStart, gotEnd, err := contractParts(key, worker)
		if err != nil {
			t.Fatalf("contractParts(%q): %v", key, err)
		}
		if gotStart != start || gotEnd != end {
			t.Fatalf("contractParts(%q) = %v, %v, want %v, %v", key, gotStart, gotEnd, start, end)
		}
		if want := queue.ContractKey(rec, v); worker+"|"+gotFINESS+"|"+start.String()+"|"+end.String() != want {
			t.Fatalf("contractParts(%q) FINESS %q does not rebuild the key", key, gotFINESS)
		}
	})
}

func timeMonth(m int) time.Month { return time.Month(m) }
