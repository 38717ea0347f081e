package queue

import (
	"fmt"
	"strings"
	"time"

	"github.com/rppsync/rppsync"
)

// Resolve applies a human decision to a pending confirm_candidate item.
// choice is the RPPS of one of it.Candidates (spaces, dots and dashes are
// ignored), or "" to reject them all.
//
// The items returned follow Build's rules on dates: urgent when the
// mission has started by now, none for the structure once it has ended.
//
// Confirming closes the item as done with the RPPS recorded in its History
// and returns the items of a matched row for that RPPS: validate_activity,
// and order_mie when cards is known and no CPS card covers the contract
// (see Build). Rejecting closes the item as done and returns the items of a
// row to register, by the item's channel (see Build): register_rpps_plus,
// follow_up_ordre or follow_up_ars, and fix_data when the registration
// lacks data or the profession is unknown.
//
// It fails with an *ItemError wrapping ErrWrongKind for an item of another
// kind, ErrNotPending for an item already closed, or ErrNotACandidate for a
// choice that is not among the candidates; it is left unchanged then.
func Resolve(it Item, choice string, cards Cards, now time.Time) (Item, []Item, error) {
	return ResolveKnown(it, choice, cards, Known{}, now)
}

// ResolveKnown is Resolve with what the directory shows of the candidates:
// confirming one whose activity the directory already shows at the FINESS
// gives a validate_activity that says so and records it, as BuildKnown does.
func ResolveKnown(it Item, choice string, cards Cards, known Known, now time.Time) (Item, []Item, error) {
	if it.Kind != KindConfirmCandidate {
		return it, nil, &ItemError{Key: it.Key, Kind: it.Kind, State: it.State, Err: ErrWrongKind}
	}
	if it.State != StatePending {
		return it, nil, &ItemError{Key: it.Key, Kind: it.Kind, State: it.State, Err: ErrNotPending}
	}
	d := draftOf(it)
	d.known = known
	choice = compact(choice)
	if choice == "" {
		closed, err := it.Transition(StateDone,
			"Aucun des candidats n'est cette personne : tous écartés, une inscription est préparée.", now)
		if err != nil {
			return it, nil, err
		}
		d.status = rppsync.StatusToRegister
		items, fix := d.registrationItems(now)
		items = d.timed(items, now)
		if len(fix) > 0 {
			items = append(items, d.fixItem(fix, now))
		}
		return closed, items, nil
	}
	found := false
	for _, c := range it.Candidates {
		if compact(c.RPPS) == choice {
			choice, found = c.RPPS, true // record the number as the directory spells it
			d.profCode = c.ProfessionCode
			break
		}
	}
	if !found {
		return it, nil, &ItemError{Key: it.Key, Kind: it.Kind, State: it.State, Choice: choice, Err: ErrNotACandidate}
	}
	closed, err := it.transition(StateDone, fmt.Sprintf("Candidat confirmé : RPPS %s.", choice), choice, now)
	if err != nil {
		return it, nil, err
	}
	closed.RPPS = choice
	d.status = rppsync.StatusMatched
	d.rpps = choice
	d.worker = "rpps:" + choice
	return closed, d.timed(d.matchedItems(cards, now), now), nil
}

// draftOf rebuilds the shared part of a contract's items from one of them.
func draftOf(it Item) draft {
	d := draft{
		worker:  it.Worker,
		finess:  it.FINESS,
		start:   it.Start,
		end:     it.End,
		status:  it.Status,
		channel: it.Channel,
		rpps:    it.RPPS,
		source:  it.Source,
		reg:     it.Registration,
		issues:  it.Issues,
		person:  it.Person,
	}
	if d.reg == nil {
		// A confirm_candidate item always carries one; rebuild an empty one
		// rather than fail, so the registration lists everything as missing.
		d.reg = &Registration{FINESS: it.FINESS, Start: it.Start, End: it.End}
		d.reg.Missing = d.reg.missing(false)
	}
	return d
}

// compact drops the spaces, dots and dashes people type inside numbers.
func compact(s string) string {
	return strings.NewReplacer(" ", "", ".", "", "-", "", "\u00a0", "").Replace(s)
}
