package queue

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rppsync/rppsync/namekey"

	"github.com/rppsync/rppsync"
)

// ECPSDelay is how long after a new RPPS number arrives its e-CPS can be
// activated (DOMAIN.md: 48 h).
const ECPSDelay = 48 * time.Hour

// Snapshot is what a directory load tells about one structure, for
// Reconcile.
type Snapshot struct {
	// AtFINESS holds the directory's professionals with an activity at the
	// item's FINESS (site or legal entity); others are ignored.
	AtFINESS []rppsync.Professional
	// Cards is the card extract, to close order_mie items.
	Cards Cards
	// Today is the date the load is for: pending items whose contract ended
	// before it expire. The zero Date expires nothing.
	Today rppsync.Date
	// NoDirectory says no directory extract is loaded: AtFINESS is empty
	// because nothing is known, not because nobody works there, so no
	// close_activity item is made or closed.
	NoDirectory bool
}

// Reconcile closes a pending item by itself when the directory shows it is
// fulfilled, or expires it when its contract is over. It returns the item,
// the follow-on items the change creates, and whether anything changed.
// Items that are not pending are returned unchanged.
//
//   - register_rpps_plus, follow_up_ordre, follow_up_ars: done when exactly
//     one RPPS at the FINESS has the registrant's folded last name (birth
//     or usage name) and first name (equal, or one a word-prefix of the
//     other: "MARIE" and "MARIE CLAIRE") and the same profession code, or
//     for a "profession à rôle" the same role code on the activity at the
//     FINESS. The RPPS is recorded on the item and in its History. Two such
//     RPPS are left for a human (the item stays pending). A RPPS+
//     registrant also gets an activate_ecps item due ECPSDelay after now,
//     unless the contract is already over;
//   - validate_activity: done only on a real change seen in the extract.
//     When the activity was absent at the FINESS as the item was made
//     (Item.Declared empty), done when it appears there. When it was
//     already declared (Item.Declared lists the activities then seen),
//     done when the activities of the RPPS at the FINESS differ from those
//     (a new or changed activity line); the same activities again change
//     nothing, and the item expires with its contract;
//   - fix_data for an RPPS absent from the directory: done when that RPPS
//     now has an activity at the FINESS (it had just been attributed);
//   - order_mie: done when CPS cards now cover every one of its periods
//     (Cards.Cover);
//   - close_activity: done when the directory no longer shows the RPPS at
//     the FINESS (never with snap.NoDirectory); it does not expire, since
//     it is made once the contract is over;
//   - any other pending item, or one not fulfilled: expired when its
//     contract End is before snap.Today.
//
// confirm_candidate is never closed by the directory: only a human tells a
// homonym from the person (Resolve). activate_ecps cannot be seen in any
// extract: it is closed by a person, or expires.
func Reconcile(it Item, snap Snapshot, now time.Time) (Item, []Item, bool) {
	if it.State != StatePending {
		return it, nil, false
	}
	switch it.Kind {
	case KindRegisterRPPSPlus, KindFollowUpOrdre, KindFollowUpARS:
		if rpps, ok := registered(it, snap.AtFINESS); ok {
			done, err := it.transition(StateDone, fmt.Sprintf(
				"Inscription constatée : la personne apparaît dans l'annuaire national à cet établissement avec le numéro RPPS %s.", rpps), rpps, now)
			if err != nil {
				return it, nil, false
			}
			done.RPPS = rpps
			var next []Item
			if it.Kind == KindRegisterRPPSPlus && (snap.Today.IsZero() || !it.End.Before(snap.Today)) {
				next = append(next, ecpsItem(it, rpps, now))
			}
			return done, next, true
		}
	case KindValidateActivity:
		seen := activitiesAt(snap.AtFINESS, it.RPPS, it.FINESS)
		switch {
		case len(seen) == 0:
		case len(it.Declared) == 0:
			if done, err := it.transition(StateDone,
				"Activité constatée : l'annuaire national montre désormais ce professionnel à cet établissement.", "", now); err == nil {
				return done, nil, true
			}
		case !sameActivities(it.Declared, seen):
			if done, err := it.transition(StateDone,
				"Activité mise à jour : l'activité déjà déclarée de ce professionnel à cet établissement a changé dans l'annuaire national.", "", now); err == nil {
				return done, nil, true
			}
		}
	case KindCloseActivity:
		if !snap.NoDirectory && !activeAt(snap.AtFINESS, it.RPPS, it.FINESS) {
			if done, err := it.transition(StateDone,
				"Activité clôturée : l'annuaire national ne montre plus ce professionnel à cet établissement.", "", now); err == nil {
				return done, nil, true
			}
		}
		return it, nil, false
	case KindFixData:
		if it.Status == rppsync.StatusRPPSUnknown && activeAt(snap.AtFINESS, it.RPPS, it.FINESS) {
			if done, err := it.transition(StateDone, fmt.Sprintf(
				"Le numéro RPPS %s apparaît désormais dans l'annuaire national à cet établissement : il était juste.", it.RPPS), it.RPPS, now); err == nil {
				return done, nil, true
			}
		}
	case KindOrderMIE:
		if card, ok := coverAll(snap.Cards, it); ok {
			if done, err := it.transition(StateDone, fmt.Sprintf(
				"Une carte CPS valide jusqu'au %s couvre désormais la mission.", frDate(card.ValidTo)), "", now); err == nil {
				return done, nil, true
			}
		}
	}
	if !snap.Today.IsZero() && !it.End.IsZero() && it.End.Before(snap.Today) {
		if exp, err := it.transition(StateExpired, fmt.Sprintf(
			"La mission s'est terminée le %s sans que cet élément soit traité.", frDate(it.End)), "", now); err == nil {
			return exp, nil, true
		}
	}
	return it, nil, false
}

// coverAll returns the card reaching furthest among those covering each
// of the item's periods (its Start and End when it has none), and whether
// every period is covered.
func coverAll(cards Cards, it Item) (rppsync.Card, bool) {
	periods := it.Periods
	if len(periods) == 0 {
		periods = []Period{{Start: it.Start, End: it.End}}
	}
	var last rppsync.Card
	for _, p := range periods {
		card, ok := cards.Cover(it.RPPS, p.Start, p.End)
		if !ok {
			return rppsync.Card{}, false
		}
		if last.ValidTo.IsZero() || last.ValidTo.Before(card.ValidTo) {
			last = card
		}
	}
	return last, true
}

// EndOfMission returns the close_activity item a finished contract asks
// for: when it is a done validate_activity or register_rpps_plus of the
// RPPS+ channel (an activity the structure declared on Portail RPPS+),
// with an RPPS, whose contract ended before snap.Today, and the directory
// still shows the RPPS at the FINESS, the structure removes that place of
// practice. It returns false otherwise, and always with snap.NoDirectory.
// The item's key is the contract's (ItemKey), so one contract asks once.
func EndOfMission(it Item, snap Snapshot, now time.Time) (Item, bool) {
	if it.State != StateDone || it.Channel != rppsync.ChannelRPPSPlus || it.RPPS == "" || it.FINESS == "" ||
		(it.Kind != KindValidateActivity && it.Kind != KindRegisterRPPSPlus) ||
		snap.NoDirectory || snap.Today.IsZero() || it.End.IsZero() || !it.End.Before(snap.Today) ||
		!activeAt(snap.AtFINESS, it.RPPS, it.FINESS) {
		return Item{}, false
	}
	d := draftOf(it)
	d.status = rppsync.StatusMatched
	d.issues = nil
	d.reg = nil
	out := d.item(KindCloseActivity, fmt.Sprintf(
		"La mission %s est terminée : sur le Portail RPPS+, clôturez l'activité de ce professionnel (RPPS %s) dans votre établissement, à la date de fin de mission, sauf s'il y travaille encore sous un autre contrat. Cet élément se fermera seul quand l'annuaire national ne le montrera plus ici.",
		period(it.Start, it.End), it.RPPS), now)
	return out, true
}

// ecpsItem returns the activate_ecps item of a RPPS+ registrant whose number
// just arrived. Its reason shows the due time in now's location: pass now
// in Europe/Paris for French readers.
func ecpsItem(reg Item, rpps string, now time.Time) Item {
	d := draftOf(reg)
	d.worker = "rpps:" + rpps
	d.rpps = rpps
	due := now.Add(ECPSDelay)
	it := d.item(KindActivateECPS, fmt.Sprintf(
		"Le numéro RPPS %s vient d'être attribué : à partir du %s, demandez à la personne d'activer sa e-CPS (application e-CPS), pour qu'elle puisse se connecter pendant la mission %s.",
		rpps, due.Format("02/01/2006 à 15h04"), period(reg.Start, reg.End)), now)
	it.DueAt = due
	return it
}

// registered returns the one RPPS at the item's FINESS that is the
// registrant, by folded name and profession or role.
//
// Professions registered on Portail RPPS+ (aide-soignant, brancardier…)
// carry no profession code on the agency side (matcher leaves it null: the
// role codes 313–317 are not mapped one to one), so for channel rpps_plus a
// registration with no code is fulfilled by a professional listed at the
// FINESS under a role and with no profession code: the shape an RPPS+
// registrant has in the directory.
func registered(it Item, pros []rppsync.Professional) (string, bool) {
	r := it.Registration
	if r == nil || (r.ProfessionCode == "" && it.Channel != rppsync.ChannelRPPSPlus) {
		return "", false
	}
	lasts := nonEmpty(namekey.Fold(r.BirthName), namekey.Fold(r.UsageName))
	first := namekey.Fold(r.FirstNames)
	if len(lasts) == 0 || first == "" {
		return "", false
	}
	found := ""
	for _, p := range pros {
		if p.RPPS == "" || !slices.Contains(lasts, namekey.Fold(p.LastName)) || !sameFirstNames(first, namekey.Fold(p.FirstName)) {
			continue
		}
		if r.ProfessionCode == "" {
			if !roleRegistrant(p, it.FINESS) {
				continue
			}
		} else if !sameProfession(p, r.ProfessionCode, it.FINESS) {
			continue
		}
		if found != "" && found != p.RPPS {
			return "", false // two people fit: a human decides
		}
		found = p.RPPS
	}
	return found, found != ""
}

// sameProfession reports whether p has the profession code, or an activity
// at finess with that role code, and an activity at finess at all.
func sameProfession(p rppsync.Professional, code, finess string) bool {
	at := false
	for _, a := range p.Activities {
		if !activityAt(a, finess) {
			continue
		}
		at = true
		if a.RoleCode == code {
			return true
		}
	}
	return at && p.ProfessionCode == code
}

// roleRegistrant reports whether p has no profession code and an activity
// at finess under a role code.
func roleRegistrant(p rppsync.Professional, finess string) bool {
	if p.ProfessionCode != "" {
		return false
	}
	for _, a := range p.Activities {
		if activityAt(a, finess) && a.RoleCode != "" {
			return true
		}
	}
	return false
}

// activitiesAt returns the activities of rpps at finess among pros.
func activitiesAt(pros []rppsync.Professional, rpps, finess string) []rppsync.Activity {
	if rpps == "" {
		return nil
	}
	var out []rppsync.Activity
	for _, p := range pros {
		if p.RPPS != rpps {
			continue
		}
		for _, a := range p.Activities {
			if activityAt(a, finess) {
				out = append(out, a)
			}
		}
	}
	return out
}

// sameActivities reports whether a and b hold the same activities, in any
// order.
func sameActivities(a, b []rppsync.Activity) bool {
	if len(a) != len(b) {
		return false
	}
	left := slices.Clone(b)
	for _, x := range a {
		i := slices.Index(left, x)
		if i < 0 {
			return false
		}
		left = slices.Delete(left, i, i+1)
	}
	return true
}

func activeAt(pros []rppsync.Professional, rpps, finess string) bool {
	if rpps == "" {
		return false
	}
	for _, p := range pros {
		if p.RPPS != rpps {
			continue
		}
		for _, a := range p.Activities {
			if activityAt(a, finess) {
				return true
			}
		}
	}
	return false
}

func activityAt(a rppsync.Activity, finess string) bool {
	return finess != "" && (a.FinessSite == finess || a.FinessJuridique == finess)
}

// sameFirstNames reports whether two folded first names are the same person's:
// equal, or one is the other's first words ("MARIE" and "MARIE CLAIRE").
func sameFirstNames(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	return a == b || strings.HasPrefix(a, b+" ") || strings.HasPrefix(b, a+" ")
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
