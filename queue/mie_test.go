package queue_test

import (
	"strings"
	"testing"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
)

func TestCardsCover(t *testing.T) {
	opposed := cps(rppsA, date(2024, 1, 1), date(2028, 1, 1))
	opposed.OpposedAt = date(2026, 6, 1)
	cpf := cps(rppsA, date(2024, 1, 1), date(2028, 1, 1))
	cpf.Type = "CPF"
	lower := cps(rppsA, date(2024, 1, 1), date(2028, 1, 1))
	lower.Type = " cps "
	undated := cps(rppsA, date(2024, 1, 1), rppsync.Date{})

	tests := []struct {
		name    string
		cards   queue.Cards
		covered bool
		why     string // part of the order_mie reason when not covered
	}{
		{"exactly the contract", queue.Cards{Known: true, List: []rppsync.Card{cps(rppsA, start, end)}}, true, ""},
		{"wider than the contract", queue.Cards{Known: true, List: []rppsync.Card{lower}}, true, ""},
		{"ends the day before the contract end", queue.Cards{Known: true, List: []rppsync.Card{cps(rppsA, date(2023, 1, 1), end.AddDays(-1))}},
			false, "expire le 20/12/2026"},
		{"starts the day after the contract start", queue.Cards{Known: true, List: []rppsync.Card{cps(rppsA, start.AddDays(1), date(2029, 1, 1))}},
			false, "à partir du 02/12/2026"},
		{"opposed", queue.Cards{Known: true, List: []rppsync.Card{opposed}}, false, "opposition"},
		{"CPF is not a CPS", queue.Cards{Known: true, List: []rppsync.Card{cpf}}, false, "CPF"},
		{"no validity end", queue.Cards{Known: true, List: []rppsync.Card{undated}}, false, "pas de dates de validité"},
		{"no card", queue.Cards{Known: true}, false, "aucune carte CPS"},
		{"another holder's card", queue.Cards{Known: true, List: []rppsync.Card{cps(rppsB, start, end)}}, false, "aucune carte CPS"},
		{"an opposed card and a good one", queue.Cards{Known: true, List: []rppsync.Card{opposed, cps(rppsA, start, end)}}, true, ""},
		{"extract not loaded", queue.Cards{List: []rppsync.Card{cps(rppsA, start, end)}}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			card, ok := tt.cards.Cover(rppsA, start, end)
			if ok != tt.covered {
				t.Fatalf("Cover = %v, want %v", ok, tt.covered)
			}
			if ok && card.RPPS != rppsA {
				t.Errorf("Cover returned %+v", card)
			}
			items := queue.Build(record(), verdict("matched", withRPPS(rppsA)), tt.cards, now)
			var mie *queue.Item
			for i := range items {
				if items[i].Kind == queue.KindOrderMIE {
					mie = &items[i]
				}
			}
			switch {
			case tt.covered || !tt.cards.Known:
				if mie != nil {
					t.Errorf("unexpected order_mie: %q", mie.Reason)
				}
			case mie == nil:
				t.Errorf("no order_mie item")
			case !strings.Contains(mie.Reason, tt.why):
				t.Errorf("order_mie reason %q does not say %q", mie.Reason, tt.why)
			}
		})
	}
	if _, ok := (queue.Cards{Known: true, List: []rppsync.Card{cps(rppsA, start, end)}}).Cover(rppsA, start, rppsync.Date{}); ok {
		t.Errorf("a contract with no end date was found covered")
	}
}
