package queue_test

import (
	"strings"
	"testing"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
)

func TestSupersedes(t *testing.T) {
	person := queue.PersonKey(record(), verdict("to_register"))
	if person == "" || strings.Contains(person, "DURANDEL") {
		t.Fatalf("PersonKey = %q", person)
	}
	base := queue.Placement{Contract: queue.Contract{Worker: "id:x", FINESS: finess, Start: start, End: end}, Person: person}
	with := func(f func(*queue.Placement)) queue.Placement { p := base; f(&p); return p }
	tests := []struct {
		name string
		next queue.Placement
		want bool
	}{
		{"the same contract", base, false},
		{"dates corrected, overlapping", with(func(p *queue.Placement) { p.Contract.End = end.AddDays(3) }), true},
		{"another structure, same period", with(func(p *queue.Placement) { p.Contract.FINESS = other }), true},
		{"the RPPS now given", with(func(p *queue.Placement) { p.Contract.Worker = "rpps:" + rppsA }), true},
		{"a later mission, not overlapping", with(func(p *queue.Placement) {
			p.Contract.Start, p.Contract.End = end.AddDays(1), end.AddDays(10)
		}), false},
		{"dates added to a row without", with(func(p *queue.Placement) { p.Contract.Start = start.AddDays(2) }), true},
		{"another person", with(func(p *queue.Placement) { p.Person = "other"; p.Contract.End = end.AddDays(1) }), false},
		{"no identity at all", with(func(p *queue.Placement) { p.Person = ""; p.Contract.End = end.AddDays(1) }), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prev := base
			if tt.name == "no identity at all" {
				prev.Person = ""
			}
			if got := queue.Supersedes(tt.next, prev); got != tt.want {
				t.Errorf("Supersedes = %v, want %v", got, tt.want)
			}
		})
	}
	rpps := queue.Placement{Contract: queue.Contract{Worker: "rpps:" + rppsA, FINESS: finess, Start: start, End: end}}
	moved := rpps
	moved.Contract.FINESS = other
	if !queue.Supersedes(moved, rpps) {
		t.Error("the same RPPS moved to another structure is not a correction")
	}
	noDates := queue.Placement{Contract: queue.Contract{Worker: "id:x", FINESS: finess}, Person: person}
	if !queue.Supersedes(base, noDates) {
		t.Error("a row given dates does not replace the one without")
	}
}

func TestPlanSupersede(t *testing.T) {
	items := queue.Build(record(), verdict("to_register", withChannel(rppsync.ChannelRPPSPlus, "R10")), queue.Cards{}, now)
	items = append(items, queue.Build(record(), verdict(rppsync.StatusMatched, withRPPS(rppsA), withChannel(rppsync.ChannelOrdre, "60")), queue.Cards{}, now)...)
	if len(items) < 2 {
		t.Fatalf("Build gave %d items, want at least 2", len(items))
	}
	done, err := items[0].Transition(queue.StateDone, "fait", now)
	if err != nil {
		t.Fatal(err)
	}
	open := append([]queue.Item{done}, items[1:]...)
	next := queue.Contract{FINESS: other, Start: start, End: end.AddDays(2)}
	got, err := queue.PlanSupersede(open, next, "corrige.xlsx", now)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(items)-1 {
		t.Fatalf("%d changes for %d pending items", len(got), len(items)-1)
	}
	for _, c := range got {
		r := c.Item.History[len(c.Item.History)-1].Reason
		if c.Op != queue.OpCancel || c.Item.State != queue.StateCancelled || !strings.Contains(r, "corrige.xlsx") ||
			!strings.Contains(r, "du 20/11/2026") || !strings.Contains(r, "FINESS "+other) {
			t.Errorf("change %v %s: %q", c.Op, c.Item.State, r)
		}
	}
}
