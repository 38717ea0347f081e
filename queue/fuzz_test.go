package queue_test

import (
	"encoding/json"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/rppsync/rppsync/namekey"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
)

func FuzzParseState(f *testing.F) {
	for _, s := range []string{"pending", "done", "cancelled", "expired", "", "PENDING", "pending\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err := queue.ParseState(s)
		if err != nil {
			if !errors.Is(err, queue.ErrUnknownValue) || st != "" {
				t.Fatalf("ParseState(%q) = %q, %v", s, st, err)
			}
			return
		}
		if string(st) != s || !st.Valid() || st.Label() == s {
			t.Fatalf("ParseState(%q) = %q", s, st)
		}
	})
}

func FuzzParseKind(f *testing.F) {
	for _, k := range queue.Kinds {
		f.Add(string(k))
	}
	f.Add("order-mie")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := queue.ParseKind(s)
		if err != nil {
			if !errors.Is(err, queue.ErrUnknownValue) || k != "" {
				t.Fatalf("ParseKind(%q) = %q, %v", s, k, err)
			}
			return
		}
		if string(k) != s || !k.Valid() || k.Audience() == "" {
			t.Fatalf("ParseKind(%q) = %q", s, k)
		}
	})
}

var workerKeyShape = regexp.MustCompile(`^(id|row):[0-9a-f]{64}$`)

func FuzzWorkerKey(f *testing.F) {
	f.Add("Durandel", "Maëlle", 1990, 3, 14)
	f.Add("", "", 0, 0, 0)
	f.Add("d'Ormesson-Lefèvre", "Jean  Pierre", 1961, 12, 31)
	f.Add("\x1f", "\x1f", 2000, 2, 29)
	f.Fuzz(func(t *testing.T, last, first string, y, m, d int) {
		rec := rppsync.Record{Path: "a.csv", Row: 2,
			LastName: rppsync.Name{Display: last}, FirstName: rppsync.Name{Display: first}}
		rec.BirthDate, _ = rppsync.NewDate(y, time.Month(m), d)
		v := rppsync.Verdict{Status: rppsync.StatusToRegister}
		k := queue.WorkerKey(rec, v)
		if !workerKeyShape.MatchString(k) {
			t.Fatalf("WorkerKey = %q: not a hashed key", k)
		}
		if k != queue.WorkerKey(rec, v) {
			t.Fatalf("WorkerKey is not deterministic")
		}
		// The folded form is what counts: giving it as Folded changes nothing.
		rec2 := rec
		rec2.LastName.Folded, rec2.FirstName.Folded = namekey.Fold(last), namekey.Fold(first)
		if rec2.LastName.Folded != "" || rec2.FirstName.Folded != "" {
			if k2 := queue.WorkerKey(rec2, v); k2 != k {
				t.Fatalf("WorkerKey differs with Folded set: %q vs %q", k, k2)
			}
		}
	})
}

func FuzzBuild(f *testing.F) {
	f.Add(0, 0, "Durandel", "Maëlle", "259999991", "10000990019", "25056", 10, 20, true)
	f.Add(5, 3, "", "", "", "", "", -3, 0, false)
	f.Add(4, 2, "Valmont", "Léo", "2A0000001", "", "99350", 0, 0, true)
	f.Add(2, 1, "X", "Y", "259999991", "10000990027", "75015", 1, -5, true)
	f.Fuzz(func(t *testing.T, status, channel int, last, first, finess, rpps, insee string, startOff, length int, cardsKnown bool) {
		statuses := rppsync.Statuses
		v := rppsync.Verdict{Status: statuses[abs(status)%len(statuses)], FINESS: rppsync.Ptr(finess),
			RPPS: rppsync.Ptr(rpps), BirthINSEE: rppsync.Ptr(insee), Row: 3}
		if c := abs(channel) % 4; c > 0 {
			v.Channel = rppsync.Ptr([]rppsync.Channel{rppsync.ChannelOrdre, rppsync.ChannelARS, rppsync.ChannelRPPSPlus}[c-1])
			v.ProfessionCode = rppsync.Ptr("60")
		}
		base := date(2026, 12, 1)
		if startOff%7 != 0 {
			v.ContractStart = base.AddDays(startOff % 400)
		}
		if length%11 != 0 {
			v.ContractEnd = v.ContractStart.AddDays(length % 400)
			if v.ContractStart.IsZero() {
				v.ContractEnd = base.AddDays(length % 400)
			}
		}
		if v.Status == rppsync.StatusCandidate && rpps != "" {
			v.Candidates = []rppsync.Candidate{{RPPS: rpps, Score: 0.9}}
		}
		rec := rppsync.Record{Path: "f.xlsx", Row: 3,
			LastName: rppsync.Name{Display: last}, FirstName: rppsync.Name{Display: first}}
		cards := queue.Cards{Known: cardsKnown, List: []rppsync.Card{cps(rpps, base, base.AddDays(30))}}

		items := queue.Build(rec, v, cards, now)
		keys := map[string]bool{}
		for _, it := range items {
			if keys[it.Key] || it.State != queue.StatePending || len(it.History) != 1 || it.Audience != it.Kind.Audience() || it.Reason == "" {
				t.Fatalf("bad item %+v", it)
			}
			keys[it.Key] = true
			if _, err := json.Marshal(it); err != nil {
				t.Fatalf("marshal: %v", err)
			}
			if it.Kind == queue.KindConfirmCandidate {
				for _, choice := range []string{"", rpps} {
					closed, next, err := queue.Resolve(it, choice, cards, now)
					if err != nil || closed.State != queue.StateDone {
						t.Fatalf("Resolve(%q): %v, %s", choice, err, closed.State)
					}
					for _, n := range next {
						if n.State != queue.StatePending || n.Key == it.Key {
							t.Fatalf("bad follow-on %+v", n)
						}
					}
				}
			}
			snap := queue.Snapshot{Today: base.AddDays(1000), Cards: cards, AtFINESS: []rppsync.Professional{
				{RPPS: rpps, LastName: last, FirstName: first, ProfessionCode: "60",
					Activities: []rppsync.Activity{{FinessSite: finess}}}}}
			got, _, changed := queue.Reconcile(it, snap, now)
			if changed != (got.State != queue.StatePending) || (changed && len(got.History) != 2) {
				t.Fatalf("Reconcile: changed %v, state %s, %d events", changed, got.State, len(got.History))
			}
			if !it.End.IsZero() && !changed {
				t.Fatalf("item of a contract ended long ago still pending: %+v", it)
			}
		}
	})
}

func abs(n int) int {
	if n < 0 {
		if n == -n { // math.MinInt
			return 0
		}
		return -n
	}
	return n
}
