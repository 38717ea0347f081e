package queue

import (
	"fmt"
	"slices"
	"strings"
	"time"

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
// for the whole of [start, end], alone or as the last of a chain: a CPS (a
// CPF is a student card, not an MIE for a professional), never opposed (an
// opposition is final: the card was lost, stolen or withdrawn), with both
// validity dates. CPS cards are renewed before they expire, so a card
// expiring during the mission and its renewal, valid from before the old
// one's end (or the day after), cover together; the card returned is the
// one that reaches end. A card without both validity dates proves nothing
// and does not cover. It returns false when c is not Known or start or end
// is absent.
func (c Cards) Cover(rpps string, start, end rppsync.Date) (rppsync.Card, bool) {
	if !c.Known || rpps == "" || start.IsZero() || end.IsZero() {
		return rppsync.Card{}, false
	}
	var usable []rppsync.Card
	for _, card := range c.List {
		if card.RPPS == rpps && usableCard(card) {
			usable = append(usable, card)
		}
	}
	// Walk from start: each step takes, among the cards already valid on
	// the first day not yet covered, the one that lasts longest.
	day := start
	for {
		var best rppsync.Card
		found := false
		for _, card := range usable {
			if !day.Before(card.ValidFrom) && !card.ValidTo.Before(day) &&
				(!found || best.ValidTo.Before(card.ValidTo)) {
				best, found = card, true
			}
		}
		if !found {
			return rppsync.Card{}, false
		}
		if !best.ValidTo.Before(end) {
			return best, true
		}
		day = rppsync.DateOf(best.ValidTo.Time().AddDate(0, 0, 1))
	}
}

func usableCard(card rppsync.Card) bool {
	return strings.EqualFold(strings.TrimSpace(card.Type), "CPS") &&
		card.OpposedAt.IsZero() && !card.ValidFrom.IsZero() && !card.ValidTo.IsZero()
}

// situation returns a short stable description of the holder's usable CPS
// cards: "cps-until:" and the latest end of validity, or "no-cps". Two
// contracts of one person that no card covers, while the cards stay the
// same, are one need: one order_mie item (see MIEKey).
func (c Cards) situation(rpps string) string {
	var last rppsync.Date
	for _, card := range c.List {
		if card.RPPS == rpps && usableCard(card) && (last.IsZero() || last.Before(card.ValidTo)) {
			last = card.ValidTo
		}
	}
	if last.IsZero() {
		return "no-cps"
	}
	return "cps-until:" + last.String()
}

// MIEKey returns the idempotency key of the order_mie item of a person
// (WorkerKey) at a structure for one state of their CPS cards (situation):
// "mie|" + worker + "|" + FINESS + "|" + situation. It holds no contract
// dates: every contract of the person at the structure that the same cards
// fail to cover shares the one item (MergeMIE adds its period), and a new
// need (the cards changed, and again do not cover) makes a new item.
func MIEKey(worker, finess, situation string) string {
	return strings.Join([]string{"mie", worker, finess, situation}, "|")
}

// mieReason is the reason of an order_mie item: the ANS order of things
// (the e-CPS activated by the professional first, a physical card only
// where really needed), then the periods it covers (see periodsText).
func mieReason(gap string, start rppsync.Date, periods []Period) string {
	return fmt.Sprintf("Aucune carte CPS valide ne couvre la mission : %s. D'abord, demandez à la personne d'activer sa e-CPS dans l'application e-CPS, à partir de sa carte CPS ou de l'adresse e-mail et du téléphone mobile connus de l'annuaire (un titulaire de carte CPF peut aussi l'activer) ; la e-CPS suffit pour se connecter. Ne commandez une carte CPS physique que si elle est vraiment nécessaire (poste qui exige une carte), avant le %s.",
		gap, frDate(start)) + periodsText(periods)
}

// periodsText is the sentence ending the reason of an order_mie item: its
// contract periods, merged (MergePeriods): " Missions concernées : du … au
// … ; du … au …".
func periodsText(periods []Period) string {
	periods = MergePeriods(periods)
	if len(periods) == 0 {
		return ""
	}
	parts := make([]string, len(periods))
	for i, p := range periods {
		parts[i] = period(p.Start, p.End)
	}
	return " Missions concernées : " + strings.Join(parts, " ; ") + "."
}

// MergePeriods returns the periods sorted by start, those that overlap or
// follow each other (the next starting at most the day after the previous
// ends) merged into one.
func MergePeriods(periods []Period) []Period {
	ps := slices.Clone(periods)
	slices.SortFunc(ps, func(a, b Period) int { return a.Start.Time().Compare(b.Start.Time()) })
	var out []Period
	for _, p := range ps {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if !p.Start.Time().After(last.End.Time().AddDate(0, 0, 1)) {
				if last.End.Before(p.End) {
					last.End = p.End
				}
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

// MergeMIE returns the order_mie item built for one more contract of a
// person (built) merged into the person's item of the same key (into): the
// contract periods of both (each once, sorted), Start and End spanning
// them, and the reason of built rewritten for those periods, shown merged
// (MergePeriods). Everything else is built's. The result has into's key, state and history, so that storing
// it updates into (PlanImport words the change); it is built unchanged
// when the two are not order_mie items of one key.
func MergeMIE(into, built Item) Item {
	if into.Kind != KindOrderMIE || built.Kind != KindOrderMIE || into.Key != built.Key {
		return built
	}
	out := built
	out.Periods = slices.Clone(into.Periods)
	for _, p := range built.Periods {
		if !slices.Contains(out.Periods, p) {
			out.Periods = append(out.Periods, p)
		}
	}
	out = withPeriods(out, built.Periods, out.Periods)
	out.State, out.History = into.State, into.History
	return out
}

// withPeriods returns it covering periods (sorted), Start and End spanning
// them and the end of its reason rewritten from was to them.
func withPeriods(it Item, was, periods []Period) Item {
	periods = slices.Clone(periods)
	slices.SortFunc(periods, func(a, b Period) int {
		if c := a.Start.Time().Compare(b.Start.Time()); c != 0 {
			return c
		}
		return a.End.Time().Compare(b.End.Time())
	})
	it.Reason = strings.TrimSuffix(it.Reason, periodsText(was)) + periodsText(periods)
	it.Periods = periods
	if len(periods) > 0 {
		it.Start, it.End = periods[0].Start, periods[0].End
		for _, p := range periods[1:] {
			if it.End.Before(p.End) {
				it.End = p.End
			}
		}
	}
	return it
}

// PlanSupersedeShared is PlanSupersede for the open items of the
// superseded contract prev, some of which (order_mie) it may share with the
// person's other contracts: those lose prev's period and stay pending
// while other periods remain (PlanDropPeriod); everything else is
// cancelled as PlanSupersede does.
func PlanSupersedeShared(open []Item, prev, next Contract, file string, at time.Time) ([]Change, error) {
	var others, mie []Item
	for _, it := range open {
		if it.Kind == KindOrderMIE {
			mie = append(mie, it)
		} else {
			others = append(others, it)
		}
	}
	changes, err := PlanSupersede(others, next, file, at)
	if err != nil {
		return nil, err
	}
	cancel := fmt.Sprintf("Annulé : corrigé par le fichier « %s » du %s (mission %s).",
		file, at.Format("02/01/2006"), missionText(next))
	p := Period{Start: prev.Start, End: prev.End}
	for _, it := range mie {
		if it.State != StatePending {
			continue
		}
		reason := cancel
		if slices.Contains(it.Periods, p) && len(it.Periods) > 1 {
			reason = fmt.Sprintf("La mission %s a été corrigée par le fichier « %s » du %s (mission %s) : elle est retirée de cet élément, les autres missions de la personne restent concernées.",
				period(p.Start, p.End), file, at.Format("02/01/2006"), missionText(next))
		}
		ch, err := PlanDropPeriod(it, p, reason, at)
		if err != nil {
			return nil, err
		}
		changes = append(changes, ch)
	}
	return changes, nil
}

// PlanDropPeriod decides what a superseded contract of period p does to
// the pending order_mie item it shares with the person's other contracts:
// the period is taken out of the item (OpUpdate, with an event giving
// reason) when others remain, and the item is cancelled with reason when
// none does. Any other item, or one not covering p, is cancelled as
// PlanSupersede does.
func PlanDropPeriod(it Item, p Period, reason string, now time.Time) (Change, error) {
	rest := slices.DeleteFunc(slices.Clone(it.Periods), func(q Period) bool { return q == p })
	if it.Kind != KindOrderMIE || it.State != StatePending || len(rest) == len(it.Periods) || len(rest) == 0 {
		c, err := it.Transition(StateCancelled, reason, now)
		return Change{OpCancel, c}, err
	}
	upd := withPeriods(it, it.Periods, rest)
	upd.History = append(slices.Clone(it.History), Event{At: now, From: it.State, To: it.State, Reason: reason})
	return Change{OpUpdate, upd}, nil
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
		return fmt.Sprintf("sa carte CPS expire le %s, avant la fin de la mission, et l'annuaire ne montre pas encore sa remplaçante (les cartes CPS sont renouvelées automatiquement avant expiration : ne recommandez pas de carte si la nouvelle est en route)", frDate(expiry))
	case late:
		return fmt.Sprintf("sa carte CPS n'est valable qu'à partir du %s, après le début de la mission", frDate(from))
	case opposed:
		return "sa carte CPS est en opposition (perdue, volée ou retirée)"
	case undated:
		return "sa carte CPS n'a pas de dates de validité dans l'annuaire"
	case cpf:
		return "elle n'a qu'une carte CPF (carte d'étudiant), qui ne suffit pas comme carte, mais permet d'activer une e-CPS"
	}
	return "aucune carte CPS n'est enregistrée à son numéro RPPS"
}
