package queue_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rppsync/rppsync/queue"
)

func TestCanMoveTo(t *testing.T) {
	all := append([]queue.State{""}, queue.States...)
	allowed := map[[2]queue.State]bool{
		{"", queue.StatePending}:                   true,
		{queue.StatePending, queue.StateDone}:      true,
		{queue.StatePending, queue.StateCancelled}: true,
		{queue.StatePending, queue.StateExpired}:   true,
	}
	for _, from := range all {
		for _, to := range all {
			if got, want := from.CanMoveTo(to), allowed[[2]queue.State{from, to}]; got != want {
				t.Errorf("%q.CanMoveTo(%q) = %v, want %v", from, to, got, want)
			}
		}
	}
	for _, s := range queue.States {
		if got, want := s.Terminal(), s != queue.StatePending; got != want {
			t.Errorf("%s.Terminal() = %v, want %v", s, got, want)
		}
	}
}

func TestTransition(t *testing.T) {
	items := queue.Build(record(), verdict("matched", withRPPS(rppsA)), queue.Cards{}, now)
	if len(items) != 1 {
		t.Fatalf("Build: %d items, want 1", len(items))
	}
	orig := items[0]
	later := now.Add(time.Hour)

	done, err := orig.Transition(queue.StateDone, "Activité validée par l'établissement.", later)
	if err != nil {
		t.Fatalf("Transition pending→done: %v", err)
	}
	if done.State != queue.StateDone || len(done.History) != 2 {
		t.Fatalf("after Transition: state %s, %d events", done.State, len(done.History))
	}
	if ev := done.History[1]; ev.From != queue.StatePending || ev.To != queue.StateDone || !ev.At.Equal(later) || ev.Reason == "" {
		t.Errorf("event = %+v", ev)
	}
	if orig.State != queue.StatePending || len(orig.History) != 1 {
		t.Errorf("Transition changed its receiver: %s, %d events", orig.State, len(orig.History))
	}
	// Two transitions from the same value must not share a History array.
	cancelled, err := orig.Transition(queue.StateCancelled, "Mission annulée.", later)
	if err != nil {
		t.Fatal(err)
	}
	if done.History[1].To != queue.StateDone || cancelled.History[1].To != queue.StateCancelled {
		t.Errorf("histories alias each other: %+v / %+v", done.History[1], cancelled.History[1])
	}

	for _, to := range []queue.State{queue.StatePending, queue.StateExpired, queue.StateDone, "bogus"} {
		same, err := done.Transition(to, "x", later)
		var ie *queue.ItemError
		if !errors.Is(err, queue.ErrInvalidTransition) || !errors.As(err, &ie) {
			t.Errorf("done→%s: err = %v, want an *ItemError wrapping ErrInvalidTransition", to, err)
			continue
		}
		if ie.Key != done.Key || ie.State != queue.StateDone || ie.To != to {
			t.Errorf("ItemError = %+v", ie)
		}
		if len(same.History) != 2 || same.State != queue.StateDone {
			t.Errorf("failed Transition changed the item: %s, %d events", same.State, len(same.History))
		}
		if !strings.Contains(ie.Message(), "traité") {
			t.Errorf("Message() = %q, want the current state named in French", ie.Message())
		}
	}
}

func TestLabelsAndParse(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range queue.Kinds {
		if k.Label() == string(k) || seen[k.Label()] {
			t.Errorf("kind %s: label %q missing or repeated", k, k.Label())
		}
		seen[k.Label()] = true
		got, err := queue.ParseKind(string(k))
		if err != nil || got != k {
			t.Errorf("ParseKind(%q) = %q, %v", k, got, err)
		}
	}
	for _, s := range queue.States {
		if s.Label() == string(s) || seen[s.Label()] {
			t.Errorf("state %s: label %q missing or repeated", s, s.Label())
		}
		seen[s.Label()] = true
		got, err := queue.ParseState(string(s))
		if err != nil || got != s {
			t.Errorf("ParseState(%q) = %q, %v", s, got, err)
		}
	}
	for _, a := range []queue.Audience{queue.AudienceStructure, queue.AudienceAgency} {
		if a.Label() == string(a) {
			t.Errorf("audience %s has no label", a)
		}
	}
	for _, bad := range []string{"", "Pending", "done ", "validate"} {
		if _, err := queue.ParseState(bad); !errors.Is(err, queue.ErrUnknownValue) {
			t.Errorf("ParseState(%q): err = %v, want ErrUnknownValue", bad, err)
		}
		if _, err := queue.ParseKind(bad); !errors.Is(err, queue.ErrUnknownValue) {
			t.Errorf("ParseKind(%q): err = %v, want ErrUnknownValue", bad, err)
		}
	}
}

func TestKindAudience(t *testing.T) {
	agency := map[queue.Kind]bool{queue.KindFixData: true, queue.KindFollowUpOrdre: true, queue.KindFollowUpARS: true}
	for _, k := range queue.Kinds {
		want := queue.AudienceStructure
		if agency[k] {
			want = queue.AudienceAgency
		}
		if got := k.Audience(); got != want {
			t.Errorf("%s.Audience() = %s, want %s", k, got, want)
		}
	}
}
