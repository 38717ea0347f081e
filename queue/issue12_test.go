package queue_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
)

// Tests of issue 12 §1: queue items that mean what they say.

func itemOf(t *testing.T, items []queue.Item, k queue.Kind) queue.Item {
	t.Helper()
	for _, it := range items {
		if it.Kind == k {
			return it
		}
	}
	t.Fatalf("no %s item among %v", k, kinds(items))
	return queue.Item{}
}

func hasKind(items []queue.Item, k queue.Kind) bool {
	return slices.ContainsFunc(items, func(it queue.Item) bool { return it.Kind == k })
}

func TestValidateActivityWordedByChannelAndDirectory(t *testing.T) {
	here := rppsync.Activity{FinessSite: finess, SiteName: "CH TEST", ModeCode: "S"}
	elsewhere := rppsync.Activity{FinessSite: other}
	covered := queue.Cards{Known: true, List: []rppsync.Card{cps(rppsA, start, end)}}
	tests := []struct {
		name      string
		channel   rppsync.Channel
		code      string
		acts      []rppsync.Activity // the directory's activities of rppsA at import
		want      []string           // in the reason
		wantNot   []string
		declared  bool
		knownless bool // BuildKnown with the zero Known (Build)
	}{
		{name: "RPPS+ role, not declared", channel: rppsync.ChannelRPPSPlus, code: "", acts: []rppsync.Activity{elsewhere},
			want: []string{"Enregistrez et validez sur le Portail RPPS+"}, wantNot: []string{"déjà déclarée", "Ordre"}},
		{name: "Ordre profession, not declared", channel: rppsync.ChannelOrdre, code: "60",
			want:    []string{"déclare lui-même son activité", "ordre des infirmiers", "se fermera seul"},
			wantNot: []string{"Portail RPPS+", "déjà déclarée"}},
		{name: "ARS profession, not declared", channel: rppsync.ChannelARS, code: "91",
			want: []string{"déclare lui-même son activité", "agence régionale de santé"}, wantNot: []string{"Portail RPPS+"}},
		{name: "Ordre profession, already declared", channel: rppsync.ChannelOrdre, code: "10", acts: []rppsync.Activity{here, elsewhere},
			want: []string{"Activité déjà déclarée : vérifiez les dates", "ordre des médecins"}, declared: true},
		{name: "RPPS+ role, already declared", channel: rppsync.ChannelRPPSPlus, acts: []rppsync.Activity{here},
			want: []string{"Activité déjà déclarée : vérifiez les dates", "sur le Portail RPPS+"}, declared: true},
		{name: "declared but nothing known at import", channel: rppsync.ChannelRPPSPlus, acts: []rppsync.Activity{here}, knownless: true,
			want: []string{"Enregistrez et validez"}, wantNot: []string{"déjà déclarée"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := verdict("matched", withRPPS(rppsA), withChannel(tt.channel, tt.code))
			known := queue.Known{Pros: map[string]rppsync.Professional{
				rppsA: {RPPS: rppsA, LastName: "DURANDEL", FirstName: "Maëlle", Activities: tt.acts}}}
			if tt.knownless {
				known = queue.Known{}
			}
			it := itemOf(t, queue.BuildKnown(record(), v, covered, known, now), queue.KindValidateActivity)
			for _, w := range tt.want {
				if !strings.Contains(it.Reason, w) {
					t.Errorf("reason %q lacks %q", it.Reason, w)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(it.Reason, w) {
					t.Errorf("reason %q has %q", it.Reason, w)
				}
			}
			if got := len(it.Declared) > 0; got != tt.declared {
				t.Errorf("Declared = %v, want declared %v", it.Declared, tt.declared)
			}
			if tt.declared && slices.Contains(it.Declared, elsewhere) {
				t.Errorf("Declared %v keeps an activity at another FINESS", it.Declared)
			}
		})
	}
}

func TestReconcileValidateActivityClosesOnlyOnRealChange(t *testing.T) {
	act := rppsync.Activity{FinessSite: finess, ModeCode: "S", RoleCode: "3131"}
	changed := act
	changed.ModeCode = "L"
	at := func(acts ...rppsync.Activity) []rppsync.Professional {
		return []rppsync.Professional{{RPPS: rppsA, LastName: "DURANDEL", FirstName: "MAELLE", Activities: acts}}
	}
	tests := []struct {
		name     string
		declared []rppsync.Activity // at import
		atFINESS []rppsync.Professional
		today    rppsync.Date
		want     queue.State
	}{
		{"absent then, absent now", nil, nil, start, queue.StatePending},
		{"absent then, appears", nil, at(act), start, queue.StateDone},
		// The bug of issue 12: a reload closed items nothing had changed.
		{"declared then, the same now", []rppsync.Activity{act}, at(act), start, queue.StatePending},
		{"declared then, changed now", []rppsync.Activity{act}, at(changed), start, queue.StateDone},
		{"declared then, a second line now", []rppsync.Activity{act}, at(act, changed), start, queue.StateDone},
		{"declared then, gone now", []rppsync.Activity{act}, nil, start, queue.StatePending},
		{"declared then, the same, contract over", []rppsync.Activity{act}, at(act), end.AddDays(1), queue.StateExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := verdict("matched", withRPPS(rppsA), withChannel(rppsync.ChannelRPPSPlus, ""))
			known := queue.Known{Pros: map[string]rppsync.Professional{}}
			if len(tt.declared) > 0 {
				known.Pros[rppsA] = rppsync.Professional{RPPS: rppsA, Activities: tt.declared}
			}
			it := itemOf(t, queue.BuildKnown(record(), v, queue.Cards{}, known, now), queue.KindValidateActivity)
			got, _, changed := queue.Reconcile(it, queue.Snapshot{AtFINESS: tt.atFINESS, Today: tt.today}, now)
			if got.State != tt.want || changed != (tt.want != queue.StatePending) {
				t.Errorf("state %s (changed %v), want %s", got.State, changed, tt.want)
			}
		})
	}
}

func TestCoverFollowsRenewedCards(t *testing.T) {
	old := cps(rppsA, date(2023, 12, 10), date(2026, 12, 10))
	tests := []struct {
		name  string
		cards []rppsync.Card
		want  bool
		to    rppsync.Date // ValidTo of the card returned
	}{
		{"expires during the mission, no renewal", []rppsync.Card{old}, false, rppsync.Date{}},
		{"renewed before it expires", []rppsync.Card{old, cps(rppsA, date(2026, 11, 1), date(2029, 11, 1))}, true, date(2029, 11, 1)},
		{"renewal from the day after", []rppsync.Card{cps(rppsA, date(2026, 12, 11), date(2029, 12, 11)), old}, true, date(2029, 12, 11)},
		{"a day missing between the cards", []rppsync.Card{old, cps(rppsA, date(2026, 12, 12), date(2029, 12, 12))}, false, rppsync.Date{}},
		{"three cards in a chain", []rppsync.Card{old, cps(rppsA, date(2026, 12, 11), date(2026, 12, 15)),
			cps(rppsA, date(2026, 12, 14), date(2027, 1, 1))}, true, date(2027, 1, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cards := queue.Cards{Known: true, List: tt.cards}
			card, ok := cards.Cover(rppsA, start, end)
			if ok != tt.want || card.ValidTo != tt.to {
				t.Fatalf("Cover = %v until %s, want %v until %s", ok, card.ValidTo, tt.want, tt.to)
			}
			// A renewed card is not re-ordered.
			if got := hasKind(queue.Build(record(), verdict("matched", withRPPS(rppsA)), cards, now), queue.KindOrderMIE); got == tt.want {
				t.Errorf("order_mie made = %v with cover %v", got, tt.want)
			}
		})
	}
}

func TestOrderMIEIsThePersons(t *testing.T) {
	none := queue.Cards{Known: true}
	expiring := queue.Cards{Known: true, List: []rppsync.Card{cps(rppsA, date(2023, 1, 1), date(2026, 12, 10))}}
	build := func(rpps, f string, s, e rppsync.Date, cards queue.Cards) queue.Item {
		rec := record()
		rec.FINESS, rec.Start, rec.End = f, s, e
		v := verdict("matched", withRPPS(rpps), func(v *rppsync.Verdict) {
			v.FINESS, v.ContractStart, v.ContractEnd = rppsync.Ptr(f), s, e
		})
		return itemOf(t, queue.Build(rec, v, cards, now), queue.KindOrderMIE)
	}
	jan := build(rppsA, finess, date(2027, 1, 4), date(2027, 1, 29), none)
	dec := build(rppsA, finess, start, end, none)
	tests := []struct {
		name string
		a, b queue.Item
		same bool
	}{
		{"two contracts of one person at one structure", dec, jan, true},
		{"two people", dec, build(rppsB, finess, start, end, none), false},
		{"another structure", dec, build(rppsA, other, start, end, none), false},
		{"the cards changed", dec, build(rppsA, finess, date(2027, 1, 4), date(2027, 1, 29), expiring), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.Key == tt.b.Key; got != tt.same {
				t.Errorf("keys %s and %s: same = %v, want %v", tt.a.Key, tt.b.Key, got, tt.same)
			}
		})
	}

	t.Run("e-CPS first, card only where needed", func(t *testing.T) {
		for _, w := range []string{"D'abord, demandez à la personne d'activer sa e-CPS", "titulaire de carte CPF",
			"Ne commandez une carte CPS physique que si elle est vraiment nécessaire", "Missions concernées : du 01/12/2026 au 21/12/2026."} {
			if !strings.Contains(dec.Reason, w) {
				t.Errorf("reason %q lacks %q", dec.Reason, w)
			}
		}
		if r := build(rppsA, finess, start, end, expiring).Reason; !strings.Contains(r, "renouvelées automatiquement") {
			t.Errorf("expiring card: reason %q does not say CPS cards are renewed", r)
		}
	})

	t.Run("merged", func(t *testing.T) {
		m := queue.MergeMIE(dec, jan)
		want := []queue.Period{{Start: start, End: end}, {Start: date(2027, 1, 4), End: date(2027, 1, 29)}}
		if !slices.Equal(m.Periods, want) || m.Start != start || m.End != date(2027, 1, 29) || m.Key != dec.Key {
			t.Errorf("merged: key %s, %s–%s, periods %v", m.Key, m.Start, m.End, m.Periods)
		}
		if !strings.HasSuffix(m.Reason, "Missions concernées : du 01/12/2026 au 21/12/2026 ; du 04/01/2027 au 29/01/2027.") ||
			strings.Count(m.Reason, "Missions concernées") != 1 {
			t.Errorf("merged reason %q", m.Reason)
		}
		if again := queue.MergeMIE(m, jan); !slices.Equal(again.Periods, m.Periods) || again.Reason != m.Reason {
			t.Errorf("merging a period already there changed the item: %v", again.Periods)
		}
		// A card now covering December only leaves the item pending; both done.
		cards := queue.Cards{Known: true, List: []rppsync.Card{cps(rppsA, start, end)}}
		if got, _, _ := queue.Reconcile(m, queue.Snapshot{Cards: cards, Today: start}, now); got.State != queue.StatePending {
			t.Errorf("one period covered: state %s", got.State)
		}
		cards.List = append(cards.List, cps(rppsA, date(2026, 12, 22), date(2029, 1, 1)))
		if got, _, _ := queue.Reconcile(m, queue.Snapshot{Cards: cards, Today: start}, now); got.State != queue.StateDone {
			t.Errorf("every period covered: state %s", got.State)
		}
	})
}

func TestMergePeriods(t *testing.T) {
	p := func(a, b rppsync.Date) queue.Period { return queue.Period{Start: a, End: b} }
	tests := []struct {
		name string
		in   []queue.Period
		want []queue.Period
	}{
		{"one", []queue.Period{p(start, end)}, []queue.Period{p(start, end)}},
		{"overlapping", []queue.Period{p(start, end), p(date(2026, 12, 15), date(2027, 1, 5))}, []queue.Period{p(start, date(2027, 1, 5))}},
		{"following the day after", []queue.Period{p(date(2026, 12, 22), date(2027, 1, 5)), p(start, end)}, []queue.Period{p(start, date(2027, 1, 5))}},
		{"a gap", []queue.Period{p(date(2026, 12, 23), date(2027, 1, 5)), p(start, end)},
			[]queue.Period{p(start, end), p(date(2026, 12, 23), date(2027, 1, 5))}},
		{"contained", []queue.Period{p(start, end), p(date(2026, 12, 5), date(2026, 12, 6))}, []queue.Period{p(start, end)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := queue.MergePeriods(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("MergePeriods = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEveryItemNamesThePerson(t *testing.T) {
	tests := []struct {
		name string
		v    rppsync.Verdict
	}{
		{"matched", verdict("matched", withRPPS(rppsA))},
		{"identity mismatch", verdict("identity_mismatch", withRPPS(rppsA))},
		{"rpps unknown", verdict("rpps_unknown", withRPPS(rppsA))},
		{"candidate", verdict("candidate", func(v *rppsync.Verdict) { v.Candidates = []rppsync.Candidate{{RPPS: rppsB, Score: 0.9}} })},
		{"to register on RPPS+", verdict("to_register", withChannel(rppsync.ChannelRPPSPlus, ""))},
		{"to register with the Ordre", verdict("to_register", withChannel(rppsync.ChannelOrdre, "60"))},
		{"invalid", verdict("invalid", withIssues(issue("contract_start", rppsync.CodeDateInvalid)))},
	}
	rec := record()
	rec.UsageName = name("Martinot", "MARTINOT")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items := queue.Build(rec, tt.v, queue.Cards{Known: true}, now)
			if len(items) == 0 {
				t.Fatal("no item")
			}
			for _, it := range items {
				if it.Person == nil || it.Person.String() != "Durandel (Martinot) Maëlle" {
					t.Errorf("%s: person %+v", it.Kind, it.Person)
				}
				if it.Kind != queue.KindFixData && !slices.Equal(it.Periods, []queue.Period{{Start: start, End: end}}) {
					t.Errorf("%s: periods %v", it.Kind, it.Periods)
				}
			}
		})
	}
	if p := (*queue.Person)(nil); p.String() != "" {
		t.Errorf("nil person = %q", p.String())
	}
}

func TestCandidatesShowTheDirectorysPerson(t *testing.T) {
	v := verdict("candidate", func(v *rppsync.Verdict) {
		v.Candidates = []rppsync.Candidate{{RPPS: rppsB, Score: 0.9, ProfessionCode: "60"}, {RPPS: rppsC, Score: 0.7}}
	})
	known := queue.Known{Pros: map[string]rppsync.Professional{rppsB: {
		RPPS: rppsB, LastName: "DURANDEL", FirstName: "Maëlle", ProfessionCode: "60", ProfessionLabel: "Infirmier",
		Activities: []rppsync.Activity{{FinessSite: finess, SiteName: "CH TEST"}, {FinessSite: finess, RoleCode: "x"}, {FinessSite: other, SiteName: "EHPAD TEST"}},
	}}}
	it := itemOf(t, queue.BuildKnown(record(), v, queue.Cards{}, known, now), queue.KindConfirmCandidate)
	b, c := it.Candidates[0], it.Candidates[1]
	wantSites := []rppsync.Site{{FINESS: finess, Name: "CH TEST"}, {FINESS: other, Name: "EHPAD TEST"}}
	if b.LastName != "DURANDEL" || b.FirstName != "Maëlle" || b.ProfessionLabel != "Infirmier" || !slices.Equal(b.Sites, wantSites) || b.Score != 0.9 {
		t.Errorf("known candidate = %+v", b)
	}
	if c.LastName != "" || c.Sites != nil || c.RPPS != rppsC {
		t.Errorf("candidate absent from the directory = %+v", c)
	}
	if v.Candidates[0].LastName != "" {
		t.Errorf("BuildKnown changed the verdict's candidates")
	}
}

func TestEndOfMission(t *testing.T) {
	after := end.AddDays(1)
	still := []rppsync.Professional{pro(rppsA, "DURANDEL", "MAELLE", "", "3131", finess)}
	validated := func(ch rppsync.Channel, k queue.Kind) queue.Item {
		it := queue.Item{Key: "k", Kind: k, Worker: "rpps:" + rppsA, Channel: ch, FINESS: finess, RPPS: rppsA,
			Status: rppsync.StatusMatched, Start: start, End: end, Person: &queue.Person{LastName: "Durandel", FirstName: "Maëlle"}}
		it, _ = it.Transition(queue.StatePending, "créé", now)
		it, _ = it.Transition(queue.StateDone, "validé", now)
		return it
	}
	tests := []struct {
		name string
		it   queue.Item
		snap queue.Snapshot
		want bool
	}{
		{"RPPS+ activity validated, mission over", validated(rppsync.ChannelRPPSPlus, queue.KindValidateActivity), queue.Snapshot{AtFINESS: still, Today: after}, true},
		{"RPPS+ registration done, mission over", validated(rppsync.ChannelRPPSPlus, queue.KindRegisterRPPSPlus), queue.Snapshot{AtFINESS: still, Today: after}, true},
		{"mission ends today", validated(rppsync.ChannelRPPSPlus, queue.KindValidateActivity), queue.Snapshot{AtFINESS: still, Today: end}, false},
		{"Ordre profession: the structure declared nothing", validated(rppsync.ChannelOrdre, queue.KindValidateActivity), queue.Snapshot{AtFINESS: still, Today: after}, false},
		{"activity already gone", validated(rppsync.ChannelRPPSPlus, queue.KindValidateActivity), queue.Snapshot{Today: after}, false},
		{"no directory", validated(rppsync.ChannelRPPSPlus, queue.KindValidateActivity), queue.Snapshot{AtFINESS: still, Today: after, NoDirectory: true}, false},
		{"order_mie", validated(rppsync.ChannelRPPSPlus, queue.KindOrderMIE), queue.Snapshot{AtFINESS: still, Today: after}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := queue.EndOfMission(tt.it, tt.snap, now)
			if ok != tt.want {
				t.Fatalf("EndOfMission = %v, want %v", ok, tt.want)
			}
			if !ok {
				return
			}
			if got.Kind != queue.KindCloseActivity || got.Audience != queue.AudienceStructure || got.State != queue.StatePending ||
				got.RPPS != rppsA || got.Person == nil || !strings.Contains(got.Reason, "clôturez l'activité") ||
				got.Key != queue.ItemKey(queue.Contract{Worker: "rpps:" + rppsA, FINESS: finess, Start: start, End: end}, queue.KindCloseActivity) {
				t.Errorf("close item = %+v", got)
			}
			if got.Kind.Label() != "Clôturer l'activité (fin de mission)" {
				t.Errorf("label %q", got.Kind.Label())
			}
			// It closes when the directory no longer shows the activity, never
			// expires, and is left alone without a directory.
			later := queue.Snapshot{AtFINESS: still, Today: after.AddDays(30)}
			if r, _, changed := queue.Reconcile(got, later, now); changed {
				t.Errorf("still shown: %s", r.State)
			}
			if r, _, changed := queue.Reconcile(got, queue.Snapshot{Today: after, NoDirectory: true}, now); changed {
				t.Errorf("no directory: %s", r.State)
			}
			if r, _, _ := queue.Reconcile(got, queue.Snapshot{Today: after}, now); r.State != queue.StateDone {
				t.Errorf("activity removed: %s", r.State)
			}
		})
	}
}

func TestRowsNeedingTheAgencyAreItsFixList(t *testing.T) {
	noFINESS := func(r *rppsync.Record) { r.FINESS = "" }
	badFINESS := func(r *rppsync.Record) { r.FINESS = "250000701" }
	tests := []struct {
		name  string
		rec   func(*rppsync.Record)
		v     rppsync.Verdict
		kinds []queue.Kind // the kinds the agency gets; the structure gets nothing else
	}{
		{"invalid RPPS", nil, verdict("rpps_invalid", withRPPS("10000990011")), []queue.Kind{queue.KindFixData}},
		{"someone else's RPPS", nil, verdict("identity_mismatch", withRPPS(rppsA)), []queue.Kind{queue.KindFixData}},
		{"unknown RPPS", nil, verdict("rpps_unknown", withRPPS(rppsA)), []queue.Kind{queue.KindFixData}},
		{"RPPS to obtain from the Ordre", nil, verdict("to_register", withChannel(rppsync.ChannelOrdre, "60")), []queue.Kind{queue.KindFollowUpOrdre}},
		{"RPPS to obtain from the ARS", nil, verdict("to_register", withChannel(rppsync.ChannelARS, "91")), []queue.Kind{queue.KindFollowUpARS}},
		{"unresolved birth place", nil, verdict("to_register", withChannel(rppsync.ChannelRPPSPlus, ""),
			withIssues(issue("birth_place", rppsync.CodeBirthPlaceUnknown)), func(v *rppsync.Verdict) { v.BirthINSEE = nil }),
			[]queue.Kind{queue.KindFixData}},
		{"no structure", noFINESS, verdict("matched", withRPPS(rppsA), func(v *rppsync.Verdict) { v.FINESS = nil }),
			[]queue.Kind{queue.KindValidateActivity, queue.KindOrderMIE, queue.KindFixData}},
		{"wrong FINESS", badFINESS, verdict("matched", withRPPS(rppsA), func(v *rppsync.Verdict) { v.FINESS = nil }),
			[]queue.Kind{queue.KindValidateActivity, queue.KindOrderMIE, queue.KindFixData}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := record()
			if tt.rec != nil {
				tt.rec(&rec)
			}
			var agency []queue.Kind
			for _, it := range queue.Build(rec, tt.v, queue.Cards{Known: true}, now) {
				if it.Audience == queue.AudienceAgency {
					agency = append(agency, it.Kind)
				}
			}
			for _, k := range tt.kinds {
				if !slices.Contains(agency, k) {
					t.Errorf("agency's items %v lack %s", agency, k)
				}
			}
		})
	}
	for _, k := range []queue.Kind{queue.KindFixData, queue.KindFollowUpOrdre, queue.KindFollowUpARS} {
		if k.Audience() != queue.AudienceAgency {
			t.Errorf("%s: audience %s", k, k.Audience())
		}
	}
	if queue.KindCloseActivity.Audience() != queue.AudienceStructure {
		t.Errorf("close_activity is the structure's")
	}
}

func TestResolveKnownTellsWhatTheDirectoryShows(t *testing.T) {
	v := verdict("candidate", withChannel(rppsync.ChannelOrdre, "60"), func(v *rppsync.Verdict) {
		v.Candidates = []rppsync.Candidate{{RPPS: rppsB, Score: 0.9, ProfessionCode: "60"}}
	})
	item := itemOf(t, queue.Build(record(), v, queue.Cards{}, now), queue.KindConfirmCandidate)
	here := rppsync.Activity{FinessSite: finess, ModeCode: "S"}
	tests := []struct {
		name     string
		known    queue.Known
		declared bool
	}{
		{"nothing known", queue.Known{}, false},
		{"practises elsewhere", queue.Known{Pros: map[string]rppsync.Professional{rppsB: pro(rppsB, "DURANDEL", "MAELLE", "60", "", other)}}, false},
		{"already practises here", queue.Known{Pros: map[string]rppsync.Professional{rppsB: {RPPS: rppsB, Activities: []rppsync.Activity{here}}}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, next, err := queue.ResolveKnown(item, rppsB, queue.Cards{}, tt.known, now)
			if err != nil {
				t.Fatal(err)
			}
			act := itemOf(t, next, queue.KindValidateActivity)
			if got := len(act.Declared) > 0 && strings.Contains(act.Reason, "déjà déclarée"); got != tt.declared {
				t.Errorf("declared = %v (%v, %q), want %v", got, act.Declared, act.Reason, tt.declared)
			}
			if act.Person == nil || act.Person.LastName != "Durandel" || !strings.Contains(act.Reason, "ordre des infirmiers") {
				t.Errorf("person %+v, reason %q", act.Person, act.Reason)
			}
		})
	}
}

func TestSupersedeSharedMIE(t *testing.T) {
	none := queue.Cards{Known: true}
	mieOf := func(s, e rppsync.Date) queue.Item {
		rec := record()
		rec.Start, rec.End = s, e
		v := verdict("matched", withRPPS(rppsA), func(v *rppsync.Verdict) { v.ContractStart, v.ContractEnd = s, e })
		return itemOf(t, queue.Build(rec, v, none, now), queue.KindOrderMIE)
	}
	dec, jan := mieOf(start, end), mieOf(date(2027, 1, 4), date(2027, 1, 29))
	shared := queue.MergeMIE(dec, jan)
	prev := queue.Contract{Worker: "rpps:" + rppsA, FINESS: finess, Start: start, End: end}
	next := queue.Contract{Worker: "rpps:" + rppsA, FINESS: finess, Start: start.AddDays(1), End: end.AddDays(1)}
	tests := []struct {
		name    string
		item    queue.Item
		op      queue.Op
		periods []queue.Period
	}{
		{"the item is the superseded contract's only", dec, queue.OpCancel, []queue.Period{{Start: start, End: end}}},
		{"the item is shared with another contract", shared, queue.OpUpdate, []queue.Period{{Start: date(2027, 1, 4), End: date(2027, 1, 29)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changes, err := queue.PlanSupersedeShared([]queue.Item{tt.item}, prev, next, "alpha.csv", now)
			if err != nil || len(changes) != 1 {
				t.Fatalf("changes %v, %v", changes, err)
			}
			ch := changes[0]
			if ch.Op != tt.op || !slices.Equal(ch.Item.Periods, tt.periods) || len(ch.Item.History) != len(tt.item.History)+1 {
				t.Errorf("%s, periods %v, history %d", ch.Op, ch.Item.Periods, len(ch.Item.History))
			}
			if last := ch.Item.History[len(ch.Item.History)-1]; !strings.Contains(last.Reason, "par le fichier « alpha.csv »") {
				t.Errorf("event %q", last.Reason)
			}
			if tt.op == queue.OpUpdate && (ch.Item.State != queue.StatePending || ch.Item.Start != date(2027, 1, 4) ||
				strings.Contains(ch.Item.Reason, "du 01/12/2026 au 21/12/2026") || !strings.HasSuffix(ch.Item.Reason, "du 04/01/2027 au 29/01/2027.")) {
				t.Errorf("kept item: %s from %s, reason %q", ch.Item.State, ch.Item.Start, ch.Item.Reason)
			}
		})
	}
	// Other items are cancelled as PlanSupersede does.
	act := itemOf(t, queue.Build(record(), verdict("matched", withRPPS(rppsA)), none, now), queue.KindValidateActivity)
	if ch, err := queue.PlanSupersedeShared([]queue.Item{act}, prev, next, "alpha.csv", now); err != nil || ch[0].Op != queue.OpCancel {
		t.Errorf("validate_activity: %v, %v", ch, err)
	}
}
