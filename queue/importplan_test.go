package queue_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
)

// TestPlanImport covers each rule of PlanImport on the items of one
// contract: a first import, the same row again, a corrected row, a row
// asking for less, and items a person already closed.
func TestPlanImport(t *testing.T) {
	later := now.Add(24 * time.Hour)
	first := queue.Build(record(), verdict("to_register", withChannel(rppsync.ChannelRPPSPlus, "R10")), queue.Cards{}, now)
	if len(first) == 0 {
		t.Fatal("Build gave no item")
	}
	byKey := func(items []queue.Item) map[string]queue.Item {
		m := map[string]queue.Item{}
		for _, it := range items {
			m[it.Key] = it
		}
		return m
	}
	ops := func(changes []queue.Change) string {
		var s []string
		for _, c := range changes {
			s = append(s, c.Op.String()+" "+string(c.Item.Kind)+" "+string(c.Item.State))
		}
		return strings.Join(s, ", ")
	}

	t.Run("new contract: every item inserted", func(t *testing.T) {
		got, err := queue.PlanImport(queue.ContractItems{Built: first}, "a.xlsx", now)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(first) {
			t.Fatalf("changes = %s, want %d inserts", ops(got), len(first))
		}
		for _, c := range got {
			if c.Op != queue.OpInsert || c.Item.State != queue.StatePending {
				t.Errorf("change %s", ops([]queue.Change{c}))
			}
		}
	})
	t.Run("same row again: nothing", func(t *testing.T) {
		again := queue.Build(record(), verdict("to_register", withChannel(rppsync.ChannelRPPSPlus, "R10")), queue.Cards{}, later)
		got, err := queue.PlanImport(queue.ContractItems{Built: again, Stored: byKey(first), Open: first}, "a.xlsx", later)
		if err != nil || len(got) != 0 {
			t.Fatalf("changes = %s, %v; want none", ops(got), err)
		}
	})
	t.Run("corrected row: pending item updated in place", func(t *testing.T) {
		rec := record()
		rec.Phone = "0600000002"
		fixed := queue.Build(rec, verdict("to_register", withChannel(rppsync.ChannelRPPSPlus, "R10")), queue.Cards{}, later)
		got, err := queue.PlanImport(queue.ContractItems{Built: fixed, Stored: byKey(first), Open: first}, "b.xlsx", later)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Op != queue.OpUpdate || got[0].Item.Registration.Phone != "0600000002" {
			t.Fatalf("changes = %s, want one update with the new phone", ops(got))
		}
		h := got[0].Item.History
		if len(h) != len(first[0].History)+1 || !strings.Contains(h[len(h)-1].Reason, "b.xlsx") {
			t.Errorf("history = %+v, want an event naming b.xlsx", h)
		}
	})
	t.Run("row no longer asks: open items cancelled", func(t *testing.T) {
		got, err := queue.PlanImport(queue.ContractItems{Open: first}, "c.xlsx", later)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(first) {
			t.Fatalf("changes = %s, want %d cancels", ops(got), len(first))
		}
		for _, c := range got {
			if c.Op != queue.OpCancel || c.Item.State != queue.StateCancelled || !strings.Contains(c.Item.History[len(c.Item.History)-1].Reason, "c.xlsx") {
				t.Errorf("change %s", ops([]queue.Change{c}))
			}
		}
	})
	t.Run("terminal items never reopened nor updated", func(t *testing.T) {
		done := make([]queue.Item, len(first))
		for i, it := range first {
			var err error
			if done[i], err = it.Transition(queue.StateDone, "fait", now); err != nil {
				t.Fatal(err)
			}
		}
		rec := record()
		rec.Phone = "0600000003"
		fixed := queue.Build(rec, verdict("to_register", withChannel(rppsync.ChannelRPPSPlus, "R10")), queue.Cards{}, later)
		got, err := queue.PlanImport(queue.ContractItems{Built: fixed, Stored: byKey(done), Open: done}, "d.xlsx", later)
		if err != nil || len(got) != 0 {
			t.Fatalf("changes = %s, %v; want none", ops(got), err)
		}
	})
	t.Run("a matched row replaces a registration", func(t *testing.T) {
		matched := queue.Build(record(), verdict(rppsync.StatusMatched, withRPPS(rppsA)), queue.Cards{}, later)
		got, err := queue.PlanImport(queue.ContractItems{Built: matched, Open: first}, "e.xlsx", later)
		if err != nil {
			t.Fatal(err)
		}
		var ins, canc int
		for _, c := range got {
			switch c.Op {
			case queue.OpInsert:
				ins++
			case queue.OpCancel:
				canc++
			}
		}
		if ins != len(matched) || canc != len(first) {
			t.Fatalf("changes = %s, want %d inserts and %d cancels", ops(got), len(matched), len(first))
		}
	})
}
