package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/store/storetest"
)

// TestCorrectedFileSupersedes imports a row, then corrections of it from
// the same agency: the RPPS now given, another structure, other dates.
// Each correction cancels the earlier contract's pending items, saying
// which file corrected them; one person gets one set of pending items, at
// the structure the last file names. A later mission of the same person
// and a second mission listed in the same file are contracts of their own.
func TestCorrectedFileSupersedes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	pending := func(finess string) []store.StoredItem {
		t.Helper()
		items, err := db.Items(ctx, store.ItemFilter{FINESS: finess, States: []queue.State{queue.StatePending}})
		if err != nil {
			t.Fatal(err)
		}
		return items
	}

	lambert := pLambert // to_register at CH-B, no RPPS
	f1 := impFile("inbox/v1.csv", "Alpha", "v1")
	mustImport(t, db, f1, impRows(f1.Path, "", queue.Cards{}, lambert))
	if n := len(pending(chB)); n == 0 {
		t.Fatal("no pending item after the first file")
	}

	// The agency corrects: she has an RPPS, she works at CH-A, a day later.
	fixed := lambert
	fixed.rpps, fixed.status, fixed.finess = "10999000093", rppsync.StatusMatched, chA
	fixed.start, fixed.end = lambert.start.AddDays(1), lambert.end.AddDays(1)
	f2 := impFile("inbox/v2.csv", "Alpha", "v2")
	rep := mustImport(t, db, f2, impRows(f2.Path, "", queue.Cards{}, fixed))
	if rep.ContractsSuperseded != 1 || len(rep.Superseded) != 1 || rep.Superseded[0].FINESS != chB {
		t.Fatalf("second import: %+v", rep)
	}
	if left := pending(chB); len(left) != 0 {
		t.Errorf("%d items still pending at the old structure: %+v", len(left), left)
	}
	cancelled, err := db.Items(ctx, store.ItemFilter{FINESS: chB, States: []queue.State{queue.StateCancelled}})
	if err != nil || len(cancelled) == 0 {
		t.Fatalf("cancelled items: %d, %v", len(cancelled), err)
	}
	for _, it := range cancelled {
		if r := it.History[len(it.History)-1].Reason; !strings.Contains(r, "v2.csv") || !strings.Contains(r, "FINESS "+chA) {
			t.Errorf("cancelled item reason %q", r)
		}
	}
	if len(pending(chA)) == 0 {
		t.Error("no pending item at the new structure")
	}

	// Same file again: nothing. A later, separate mission: its own contract.
	if again := mustImport(t, db, f2, impRows(f2.Path, "", queue.Cards{}, fixed)); !again.Duplicate {
		t.Errorf("the same file again: %+v", again)
	}
	later := fixed
	later.start, later.end = fixed.end.AddDays(10), fixed.end.AddDays(20)
	f3 := impFile("inbox/v3.csv", "Alpha", "v3")
	if rep := mustImport(t, db, f3, impRows(f3.Path, "", queue.Cards{}, later)); rep.ContractsSuperseded != 0 {
		t.Errorf("a later mission superseded the current one: %+v", rep.Superseded)
	}
	// Another agency placing the same person: never superseded across agencies.
	f4 := impFile("inbox/beta.csv", "Beta", "beta")
	if rep := mustImport(t, db, f4, impRows(f4.Path, "", queue.Cards{}, lambert)); rep.ContractsSuperseded != 0 {
		t.Errorf("another agency's file superseded Alpha's contract: %+v", rep.Superseded)
	}
	// Two overlapping missions in one file: both kept.
	roux2 := pRoux
	roux2.finess = chA
	f5 := impFile("inbox/two.csv", "Gamma", "two")
	if rep := mustImport(t, db, f5, impRows(f5.Path, "", queue.Cards{}, pRoux, roux2)); rep.ContractsSuperseded != 0 || rep.ContractsNew != 2 {
		t.Errorf("one file's two missions: %+v", rep)
	}
}
