package queue

import (
	"fmt"
	"strings"
	"time"

	"github.com/rppsync/rppsync"
)

// Placement is what Supersedes compares of two contracts of one agency: who
// (Person, PersonKey; Contract.Worker) and when (Contract.Start, End).
type Placement struct {
	Contract Contract
	Person   string
}

// Supersedes reports whether placement next, from a later file of the same
// agency, replaces placement prev: the agency corrected its row (new dates,
// another structure, the RPPS now given) rather than sending a second
// mission. It is so when both name the same person — the same PersonKey
// (name and birth date), or the same RPPS worker key — and their periods
// overlap (a missing start or end leaves the period open on that side).
// Two missions of one person that do not overlap are two contracts.
func Supersedes(next, prev Placement) bool {
	if next.Contract.Key() == prev.Contract.Key() {
		return false // the same contract: updated, not superseded
	}
	samePerson := next.Person != "" && next.Person == prev.Person ||
		strings.HasPrefix(next.Contract.Worker, "rpps:") && next.Contract.Worker == prev.Contract.Worker
	return samePerson && overlap(next.Contract, prev.Contract)
}

func overlap(a, b Contract) bool {
	// a starts before b ends, and b starts before a ends; an absent date
	// is no bound.
	return (a.Start.IsZero() || b.End.IsZero() || !b.End.Before(a.Start)) &&
		(b.Start.IsZero() || a.End.IsZero() || !a.End.Before(b.Start))
}

// PlanSupersede cancels the open items of a superseded contract: those
// earlier rows created and that are still pending. The reason names the
// correcting file, the day it came and the mission that replaces it.
func PlanSupersede(open []Item, next Contract, file string, at time.Time) ([]Change, error) {
	reason := fmt.Sprintf("Annulé : corrigé par le fichier « %s » du %s (mission %s).",
		file, at.Format("02/01/2006"), missionText(next))
	var out []Change
	for _, it := range open {
		if it.State != StatePending {
			continue
		}
		c, err := it.Transition(StateCancelled, reason, at)
		if err != nil {
			return nil, err
		}
		out = append(out, Change{OpCancel, c})
	}
	return out, nil
}

func missionText(c Contract) string {
	d := func(x rppsync.Date) string {
		if x.IsZero() {
			return "?"
		}
		return fmt.Sprintf("%02d/%02d/%04d", x.Day, int(x.Month), x.Year)
	}
	where := c.FINESS
	if where == "" {
		where = "sans FINESS"
	} else {
		where = "FINESS " + where
	}
	return fmt.Sprintf("%s, du %s au %s", where, d(c.Start), d(c.End))
}
