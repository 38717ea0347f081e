package queue_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
)

func candidateItem(t *testing.T, ch rppsync.Channel, code string, with ...func(*rppsync.Verdict)) queue.Item {
	t.Helper()
	with = append(with, withChannel(ch, code), func(v *rppsync.Verdict) {
		v.Candidates = []rppsync.Candidate{{RPPS: rppsA, Score: 0.93}, {RPPS: rppsB, Score: 0.71}}
	})
	items := queue.Build(record(), verdict("candidate", with...), queue.Cards{}, now)
	if len(items) != 1 || items[0].Kind != queue.KindConfirmCandidate {
		t.Fatalf("Build: %v", kinds(items))
	}
	return items[0]
}

func TestResolve(t *testing.T) {
	later := now.Add(26 * time.Hour)
	tests := []struct {
		name   string
		item   func(t *testing.T) queue.Item
		choice string
		cards  queue.Cards
		want   []queue.Kind
		rpps   string              // RPPS learned by the decision
		sameAs func() []queue.Item // what Build gives for the row once decided: same keys
		check  func(*testing.T, []queue.Item)
	}{{
		name:   "confirm, no card",
		item:   func(t *testing.T) queue.Item { return candidateItem(t, rppsync.ChannelOrdre, "60") },
		choice: "100 0099 0027", cards: queue.Cards{Known: true},
		want: []queue.Kind{queue.KindValidateActivity, queue.KindOrderMIE}, rpps: rppsB,
		sameAs: func() []queue.Item {
			return queue.Build(record(), verdict("matched", withRPPS(rppsB)), queue.Cards{Known: true}, now)
		},
	}, {
		name:   "confirm, covered",
		item:   func(t *testing.T) queue.Item { return candidateItem(t, rppsync.ChannelOrdre, "60") },
		choice: rppsA, cards: queue.Cards{Known: true, List: []rppsync.Card{cps(rppsA, start, end)}},
		want: []queue.Kind{queue.KindValidateActivity}, rpps: rppsA,
	}, {
		name: "reject all, RPPS+",
		item: func(t *testing.T) queue.Item { return candidateItem(t, rppsync.ChannelRPPSPlus, "313") },
		want: []queue.Kind{queue.KindRegisterRPPSPlus},
		sameAs: func() []queue.Item {
			return queue.Build(record(), verdict("to_register", withChannel(rppsync.ChannelRPPSPlus, "313")), queue.Cards{}, now)
		},
		check: func(t *testing.T, items []queue.Item) {
			if r := items[0].Registration; r == nil || r.BirthName != "Durandel" || r.BirthINSEE != "25056" {
				t.Errorf("Registration = %+v", r)
			}
		},
	}, {
		name: "reject all, RPPS+, birth place unresolved",
		item: func(t *testing.T) queue.Item {
			return candidateItem(t, rppsync.ChannelRPPSPlus, "313", func(v *rppsync.Verdict) {
				v.BirthINSEE = nil
				v.Issues = []rppsync.Issue{issue("birth_place", rppsync.CodeBirthPlaceAmbiguous)}
			})
		},
		want: []queue.Kind{queue.KindRegisterRPPSPlus, queue.KindFixData},
		check: func(t *testing.T, items []queue.Item) {
			if got := codes(items[1].Issues); !slices.Equal(got, []string{rppsync.CodeBirthPlaceAmbiguous}) {
				t.Errorf("fix issues = %v", got)
			}
		},
	}, {
		name:   "reject all, Ordre",
		item:   func(t *testing.T) queue.Item { return candidateItem(t, rppsync.ChannelOrdre, "10") },
		choice: "  ",
		want:   []queue.Kind{queue.KindFollowUpOrdre},
		check: func(t *testing.T, items []queue.Item) {
			if items[0].Body != "Ordre des médecins" || items[0].Audience != queue.AudienceAgency {
				t.Errorf("follow-up = %+v", items[0])
			}
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := tt.item(t)
			closed, next, err := queue.Resolve(it, tt.choice, tt.cards, later)
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if closed.State != queue.StateDone || len(closed.History) != 2 {
				t.Fatalf("closed: %s, %d events", closed.State, len(closed.History))
			}
			if ev := closed.History[1]; ev.RPPS != tt.rpps || !ev.At.Equal(later) || ev.Reason == "" {
				t.Errorf("event = %+v, want RPPS %q", ev, tt.rpps)
			}
			if closed.RPPS != tt.rpps {
				t.Errorf("closed.RPPS = %q, want %q", closed.RPPS, tt.rpps)
			}
			if got := kinds(next); !slices.Equal(got, tt.want) {
				t.Fatalf("follow-on kinds = %v, want %v", got, tt.want)
			}
			for _, n := range next {
				if n.State != queue.StatePending || len(n.History) != 1 || !n.History[0].At.Equal(later) || n.FINESS != finess || n.End != end {
					t.Errorf("follow-on %s = %+v", n.Kind, n)
				}
				if tt.rpps != "" && (n.RPPS != tt.rpps || n.Worker != "rpps:"+tt.rpps) {
					t.Errorf("follow-on %s: RPPS %q, worker %q", n.Kind, n.RPPS, n.Worker)
				}
			}
			if tt.sameAs != nil {
				var want, got []string
				for _, b := range tt.sameAs() {
					want = append(want, b.Key)
				}
				for _, n := range next {
					got = append(got, n.Key)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("follow-on keys %q, want the keys a re-import would give: %q", got, want)
				}
			}
			if tt.check != nil {
				tt.check(t, next)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	cand := candidateItem(t, rppsync.ChannelRPPSPlus, "313")
	closed, _, err := queue.Resolve(cand, rppsA, queue.Cards{}, now)
	if err != nil {
		t.Fatal(err)
	}
	activity := queue.Build(record(), verdict("matched", withRPPS(rppsA)), queue.Cards{}, now)[0]

	tests := []struct {
		name   string
		item   queue.Item
		choice string
		want   error
		says   string
	}{
		{"not a candidate", cand, rppsC, queue.ErrNotACandidate, rppsC},
		{"not an RPPS at all", cand, "abc", queue.ErrNotACandidate, "abc"},
		{"already resolved", closed, rppsA, queue.ErrNotPending, "traité"},
		{"another kind", activity, rppsA, queue.ErrWrongKind, "Valider l'activité"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, next, err := queue.Resolve(tt.item, tt.choice, queue.Cards{}, now)
			var ie *queue.ItemError
			if !errors.Is(err, tt.want) || !errors.As(err, &ie) {
				t.Fatalf("err = %v, want an *ItemError wrapping %v", err, tt.want)
			}
			if ie.Key != tt.item.Key || !strings.Contains(ie.Message(), tt.says) {
				t.Errorf("ItemError key %q, message %q", ie.Key, ie.Message())
			}
			if next != nil || !reflect.DeepEqual(got, tt.item) {
				t.Errorf("a failed Resolve changed the item or returned items")
			}
		})
	}
}
