package queue

import (
	"fmt"
	"strings"

	"github.com/rppsync/rppsync"
)

// Cards is what is known of the CPS/CPF card extract (Porteurs_CPS_CPF)
// when items are built. Known is false when no extract is loaded: then no
// order_mie item can be decided, and the validate_activity item says so.
// List may hold the whole extract or only the cards of the RPPS concerned:
// cards of other holders are ignored.
type Cards struct {
	Known bool
	List  []rppsync.Card
}

// Cover returns a card of the holder rpps that makes them able to log in
// for the whole of [start, end]: a CPS (a CPF is a student card, not an MIE
// for a professional), never opposed (an opposition is final: the card was
// lost, stolen or withdrawn), valid from start or earlier and until end or
// later. A card without both validity dates proves nothing and does not
// cover. It returns false when c is not Known or start or end is absent.
func (c Cards) Cover(rpps string, start, end rppsync.Date) (rppsync.Card, bool) {
	if !c.Known || rpps == "" || start.IsZero() || end.IsZero() {
		return rppsync.Card{}, false
	}
	for _, card := range c.List {
		if card.RPPS == rpps && covers(card, start, end) {
			return card, true
		}
	}
	return rppsync.Card{}, false
}

func covers(card rppsync.Card, start, end rppsync.Date) bool {
	return strings.EqualFold(strings.TrimSpace(card.Type), "CPS") &&
		card.OpposedAt.IsZero() &&
		!card.ValidFrom.IsZero() && !card.ValidTo.IsZero() &&
		!start.Before(card.ValidFrom) && !card.ValidTo.Before(end)
}

// gap explains in French why none of the holder's cards covers [start,
// end], naming the most telling problem, for the order_mie reason.
func (c Cards) gap(rpps string, start, end rppsync.Date) string {
	var opposed, expired, late, cpf, undated bool
	var expiry, from rppsync.Date
	for _, card := range c.List {
		if card.RPPS != rpps {
			continue
		}
		switch {
		case !strings.EqualFold(strings.TrimSpace(card.Type), "CPS"):
			cpf = true
		case !card.OpposedAt.IsZero():
			opposed = true
		case card.ValidFrom.IsZero() || card.ValidTo.IsZero():
			undated = true
		case card.ValidTo.Before(end):
			expired = true
			if card.ValidTo.Time().After(expiry.Time()) || expiry.IsZero() {
				expiry = card.ValidTo
			}
		case start.Before(card.ValidFrom):
			late = true
			from = card.ValidFrom
		}
	}
	switch {
	case expired:
		return fmt.Sprintf("sa carte CPS expire le %s, avant la fin de la mission", frDate(expiry))
	case late:
		return fmt.Sprintf("sa carte CPS n'est valable qu'à partir du %s, après le début de la mission", frDate(from))
	case opposed:
		return "sa carte CPS est en opposition (perdue, volée ou retirée)"
	case undated:
		return "sa carte CPS n'a pas de dates de validité dans l'annuaire"
	case cpf:
		return "elle n'a qu'une carte CPF (carte d'étudiant), qui ne suffit pas"
	}
	return "aucune carte CPS n'est enregistrée à son numéro RPPS"
}
