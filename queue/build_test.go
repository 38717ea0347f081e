package queue_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
)

func issue(field, code string) rppsync.Issue {
	return rppsync.Issue{Field: field, Code: code, Message: "Message de test pour " + code + "."}
}

func codes(is []rppsync.Issue) []string {
	var out []string
	for _, i := range is {
		out = append(out, i.Code)
	}
	return out
}

func kinds(items []queue.Item) []queue.Kind {
	var out []queue.Kind
	for _, it := range items {
		out = append(out, it.Kind)
	}
	return out
}

func byKind(t *testing.T, items []queue.Item, k queue.Kind) queue.Item {
	t.Helper()
	for _, it := range items {
		if it.Kind == k {
			return it
		}
	}
	t.Fatalf("no %s item among %v", k, kinds(items))
	return queue.Item{}
}

func TestBuild(t *testing.T) {
	covering := queue.Cards{Known: true, List: []rppsync.Card{cps(rppsA, date(2024, 1, 1), date(2027, 1, 1))}}
	noCard := queue.Cards{Known: true}
	checksum := issue("identifier", rppsync.CodeRPPSChecksum)

	tests := []struct {
		name  string
		rec   func(*rppsync.Record)
		v     rppsync.Verdict
		cards queue.Cards
		want  []queue.Kind
		check func(t *testing.T, items []queue.Item)
	}{{
		name: "matched with a covering CPS", v: verdict("matched", withRPPS(rppsA)), cards: covering,
		want: []queue.Kind{queue.KindValidateActivity},
		check: func(t *testing.T, items []queue.Item) {
			it := items[0]
			if it.RPPS != rppsA || it.Worker != "rpps:"+rppsA || !strings.Contains(it.Reason, "01/12/2026") {
				t.Errorf("validate_activity = %+v", it)
			}
			if strings.Contains(it.Reason, "cartes CPS n'était pas chargé") {
				t.Errorf("reason speaks of a missing card file: %q", it.Reason)
			}
		},
	}, {
		name: "matched with no card extract", v: verdict("matched", withRPPS(rppsA)), cards: queue.Cards{},
		want: []queue.Kind{queue.KindValidateActivity},
		check: func(t *testing.T, items []queue.Item) {
			if !strings.Contains(items[0].Reason, "cartes CPS n'était pas chargé") {
				t.Errorf("reason does not ask to check the MIE: %q", items[0].Reason)
			}
		},
	}, {
		name: "matched with no card", v: verdict("matched", withRPPS(rppsA)), cards: noCard,
		want: []queue.Kind{queue.KindValidateActivity, queue.KindOrderMIE},
		check: func(t *testing.T, items []queue.Item) {
			mie := byKind(t, items, queue.KindOrderMIE)
			if mie.RPPS != rppsA || !strings.Contains(mie.Reason, "aucune carte CPS") {
				t.Errorf("order_mie = %+v", mie)
			}
		},
	}, {
		name: "matched without its RPPS", v: verdict("matched"), cards: noCard,
		want: []queue.Kind{queue.KindFixData},
		check: func(t *testing.T, items []queue.Item) {
			if got := codes(items[0].Issues); !reflect.DeepEqual(got, []string{queue.CodeRowUnusable}) {
				t.Errorf("issues = %v", got)
			}
		},
	}, {
		name: "identity mismatch", v: verdict("identity_mismatch", withRPPS(rppsB)), cards: covering,
		want: []queue.Kind{queue.KindFixData},
		check: func(t *testing.T, items []queue.Item) {
			it := items[0]
			if !strings.HasPrefix(it.Worker, "id:") {
				t.Errorf("worker %q: someone else's RPPS must not name this worker", it.Worker)
			}
			if !slices.Contains(codes(it.Issues), queue.CodeRPPSOtherPerson) || !strings.Contains(it.Reason, rppsB) {
				t.Errorf("fix_data = %+v", it)
			}
		},
	}, {
		name: "rpps unknown", v: verdict("rpps_unknown", withRPPS(rppsC)), cards: noCard,
		want: []queue.Kind{queue.KindFixData},
		check: func(t *testing.T, items []queue.Item) {
			if got := codes(items[0].Issues); !reflect.DeepEqual(got, []string{queue.CodeRPPSNotInDirectory}) {
				t.Errorf("issues = %v", got)
			}
			if items[0].RPPS != rppsC {
				t.Errorf("RPPS = %q, want it kept to close the item later", items[0].RPPS)
			}
		},
	}, {
		name: "rpps invalid with its own issue", v: verdict("rpps_invalid", withIssues(checksum)),
		want: []queue.Kind{queue.KindFixData},
		check: func(t *testing.T, items []queue.Item) {
			if got := codes(items[0].Issues); !reflect.DeepEqual(got, []string{rppsync.CodeRPPSChecksum}) {
				t.Errorf("issues = %v, want the row's own checksum issue only", got)
			}
			if !strings.Contains(items[0].Reason, checksum.Message) || !strings.Contains(items[0].Reason, "agence-alpha.xlsx") {
				t.Errorf("reason = %q", items[0].Reason)
			}
		},
	}, {
		name: "rpps invalid without an issue", v: verdict("rpps_invalid"),
		want: []queue.Kind{queue.KindFixData},
		check: func(t *testing.T, items []queue.Item) {
			if got := codes(items[0].Issues); !reflect.DeepEqual(got, []string{rppsync.CodeRPPSFormat}) {
				t.Errorf("issues = %v", got)
			}
		},
	}, {
		name: "invalid row with its issues", v: verdict("invalid", withIssues(issue("first_name", rppsync.CodeNameMissing))),
		rec:  func(r *rppsync.Record) { r.Issues = []rppsync.Issue{issue("birth_date", rppsync.CodeDateInvalid)} },
		want: []queue.Kind{queue.KindFixData},
		check: func(t *testing.T, items []queue.Item) {
			if got := codes(items[0].Issues); !reflect.DeepEqual(got, []string{rppsync.CodeNameMissing, rppsync.CodeDateInvalid}) {
				t.Errorf("issues = %v", got)
			}
		},
	}, {
		name: "invalid row without issues", v: verdict("invalid"),
		want: []queue.Kind{queue.KindFixData},
		check: func(t *testing.T, items []queue.Item) {
			if got := codes(items[0].Issues); !reflect.DeepEqual(got, []string{queue.CodeRowUnusable}) {
				t.Errorf("issues = %v", got)
			}
		},
	}, {
		name: "candidate",
		v: verdict("candidate", withChannel(rppsync.ChannelRPPSPlus, "313"), func(v *rppsync.Verdict) {
			v.Candidates = []rppsync.Candidate{{RPPS: rppsA, Score: 0.93}, {RPPS: rppsB, Score: 0.71}}
		}),
		want: []queue.Kind{queue.KindConfirmCandidate},
		check: func(t *testing.T, items []queue.Item) {
			it := items[0]
			if len(it.Candidates) != 2 || it.Registration == nil || it.Channel != rppsync.ChannelRPPSPlus {
				t.Errorf("confirm_candidate = %+v", it)
			}
			if !strings.Contains(it.Reason, "2 professionnel") {
				t.Errorf("reason = %q", it.Reason)
			}
		},
	}, {
		name: "to register on RPPS+, complete", v: verdict("to_register", withChannel(rppsync.ChannelRPPSPlus, "313")),
		rec:  func(r *rppsync.Record) { r.UsageName = name("Martinon", "MARTINON") },
		want: []queue.Kind{queue.KindRegisterRPPSPlus},
		check: func(t *testing.T, items []queue.Item) {
			want := &queue.Registration{
				Civility: "MME", BirthName: "Durandel", UsageName: "Martinon", FirstNames: "Maëlle",
				BirthDate: birthDate, BirthINSEE: "25056", Nationality: "française",
				Email: "m.durandel@example.org", Phone: "0600000001",
				ProfessionCode: "313", ProfessionLabel: "Aide-soignante", Role: "Aide-soignant", FINESS: finess, Start: start, End: end,
			}
			if got := items[0].Registration; !reflect.DeepEqual(got, want) {
				t.Errorf("Registration =\n%+v\nwant\n%+v", got, want)
			}
		},
	}, {
		name: "to register on RPPS+, birth place a postal code",
		v: verdict("to_register", withChannel(rppsync.ChannelRPPSPlus, "313"),
			withIssues(issue("birth_place", rppsync.CodeBirthPlacePostalCode)),
			func(v *rppsync.Verdict) { v.BirthINSEE = nil }),
		want: []queue.Kind{queue.KindRegisterRPPSPlus, queue.KindFixData},
		check: func(t *testing.T, items []queue.Item) {
			reg := byKind(t, items, queue.KindRegisterRPPSPlus).Registration
			if len(reg.Missing) != 1 || !strings.Contains(reg.Missing[0], "lieu de naissance") {
				t.Errorf("Missing = %q", reg.Missing)
			}
			if got := codes(byKind(t, items, queue.KindFixData).Issues); !reflect.DeepEqual(got, []string{rppsync.CodeBirthPlacePostalCode}) {
				t.Errorf("fix issues = %v", got)
			}
		},
	}, {
		name: "to register on RPPS+, no contact data",
		v:    verdict("to_register", withChannel(rppsync.ChannelRPPSPlus, "313")),
		rec:  func(r *rppsync.Record) { r.Email, r.Phone, r.Civility = "", "", "" },
		want: []queue.Kind{queue.KindRegisterRPPSPlus, queue.KindFixData},
		check: func(t *testing.T, items []queue.Item) {
			reg := byKind(t, items, queue.KindRegisterRPPSPlus)
			if want := []string{"civilité", "adresse e-mail", "téléphone"}; !reflect.DeepEqual(reg.Registration.Missing, want) {
				t.Errorf("Missing = %q, want %q", reg.Registration.Missing, want)
			}
			if !strings.Contains(reg.Reason, "civilité, adresse e-mail et téléphone") {
				t.Errorf("reason = %q", reg.Reason)
			}
			if got := codes(byKind(t, items, queue.KindFixData).Issues); !reflect.DeepEqual(got, []string{queue.CodeRegistrationIncomplete}) {
				t.Errorf("fix issues = %v", got)
			}
		},
	}, {
		name: "to register, born abroad", v: verdict("to_register", withChannel(rppsync.ChannelRPPSPlus, "313"),
			func(v *rppsync.Verdict) { v.BirthINSEE = rppsync.Ptr("99350") }),
		want: []queue.Kind{queue.KindRegisterRPPSPlus},
		check: func(t *testing.T, items []queue.Item) {
			if r := items[0].Registration; r.BirthCountry != "99350" || r.BirthINSEE != "" || len(r.Missing) != 0 {
				t.Errorf("Registration = %+v", r)
			}
		},
	}, {
		name: "to register through the Ordre", v: verdict("to_register", withChannel(rppsync.ChannelOrdre, "60"),
			func(v *rppsync.Verdict) { v.BirthINSEE = nil }),
		want: []queue.Kind{queue.KindFollowUpOrdre},
		check: func(t *testing.T, items []queue.Item) {
			it := items[0]
			if it.Body != "Ordre des infirmiers" || !strings.Contains(it.Reason, "l'ordre des infirmiers") {
				t.Errorf("follow_up_ordre = %q / %q", it.Body, it.Reason)
			}
			if it.Registration == nil || it.Registration.BirthName != "Durandel" || it.Registration.Missing != nil {
				t.Errorf("Registration = %+v, want the identity without Missing", it.Registration)
			}
		},
	}, {
		name: "to register through the ARS", v: verdict("to_register", withChannel(rppsync.ChannelARS, "91")),
		want: []queue.Kind{queue.KindFollowUpARS},
		check: func(t *testing.T, items []queue.Item) {
			if items[0].Body != queue.BodyARS {
				t.Errorf("Body = %q", items[0].Body)
			}
		},
	}, {
		name: "to register, profession unknown",
		v: verdict("to_register", withIssues(rppsync.Issue{Field: "profession", Code: rppsync.CodeProfessionUnknown,
			Message: "La profession « ASH2 » n'est pas reconnue."})),
		want: []queue.Kind{queue.KindFixData},
		check: func(t *testing.T, items []queue.Item) {
			if got := items[0].Issues; len(got) != 1 || got[0].Message != "La profession « ASH2 » n'est pas reconnue." {
				t.Errorf("issues = %+v, want the row's own profession issue", got)
			}
		},
	}, {
		name: "to register, profession unknown, no issue given", v: verdict("to_register"),
		want: []queue.Kind{queue.KindFixData},
		check: func(t *testing.T, items []queue.Item) {
			if got := codes(items[0].Issues); !reflect.DeepEqual(got, []string{rppsync.CodeProfessionUnknown}) {
				t.Errorf("issues = %v", got)
			}
		},
	}, {
		name: "to register with no directory",
		v: verdict("to_register", withChannel(rppsync.ChannelRPPSPlus, "313"),
			withIssues(issue("identifier", rppsync.CodeDirectoryUnavailable))),
		want: nil,
	}, {
		name: "unchecked", v: verdict("unchecked", withRPPS(rppsA)), cards: noCard, want: nil,
	}, {
		name: "matched without FINESS", v: verdict("matched", withRPPS(rppsA), func(v *rppsync.Verdict) { v.FINESS = nil }),
		rec: func(r *rppsync.Record) { r.FINESS = "" }, cards: covering,
		// Issue 15: nothing is lost for want of a FINESS; the items wait
		// with the agency that sent the row (see TestBuildNoStructure).
		want: []queue.Kind{queue.KindValidateActivity, queue.KindFixData},
		check: func(t *testing.T, items []queue.Item) {
			if got := codes(items[1].Issues); !reflect.DeepEqual(got, []string{queue.CodeFINESSMissing}) {
				t.Errorf("issues = %v", got)
			}
		},
	}, {
		name: "FINESS only in the record", v: verdict("matched", withRPPS(rppsA), func(v *rppsync.Verdict) { v.FINESS = nil }),
		rec:   func(r *rppsync.Record) { r.FINESS = "250 999 901" },
		cards: covering, want: []queue.Kind{queue.KindValidateActivity},
		check: func(t *testing.T, items []queue.Item) {
			if items[0].FINESS != "250999901" {
				t.Errorf("FINESS = %q", items[0].FINESS)
			}
		},
	}, {
		name: "matched without end date", v: verdict("matched", withRPPS(rppsA), func(v *rppsync.Verdict) { v.ContractEnd = rppsync.Date{} }),
		rec: func(r *rppsync.Record) { r.End = rppsync.Date{} }, cards: noCard,
		want: []queue.Kind{queue.KindFixData},
		check: func(t *testing.T, items []queue.Item) {
			if got := codes(items[0].Issues); !reflect.DeepEqual(got, []string{queue.CodeContractDatesMissing}) {
				t.Errorf("issues = %v", got)
			}
		},
	}, {
		name: "to register with reversed dates",
		v: verdict("to_register", withChannel(rppsync.ChannelRPPSPlus, "313"),
			withIssues(issue("contract_end", rppsync.CodeContractDatesReversed)),
			func(v *rppsync.Verdict) { v.ContractStart, v.ContractEnd = end, start }),
		want: []queue.Kind{queue.KindFixData},
		check: func(t *testing.T, items []queue.Item) {
			if got := codes(items[0].Issues); !reflect.DeepEqual(got, []string{rppsync.CodeContractDatesReversed}) {
				t.Errorf("issues = %v, want the row's own issue once", got)
			}
		},
	}, {
		name: "reversed dates the row did not report", v: verdict("matched", withRPPS(rppsA),
			func(v *rppsync.Verdict) { v.ContractStart, v.ContractEnd = end, start }),
		cards: covering, want: []queue.Kind{queue.KindFixData},
		check: func(t *testing.T, items []queue.Item) {
			if got := codes(items[0].Issues); !reflect.DeepEqual(got, []string{rppsync.CodeContractDatesReversed}) {
				t.Errorf("issues = %v", got)
			}
		},
	}}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := record()
			if tt.rec != nil {
				tt.rec(&rec)
			}
			items := queue.Build(rec, tt.v, tt.cards, now)
			if got := kinds(items); !slices.Equal(got, tt.want) {
				t.Fatalf("kinds = %v, want %v", got, tt.want)
			}
			checkNew(t, rec, tt.v, items)
			if tt.check != nil {
				tt.check(t, items)
			}
			again := queue.Build(rec, tt.v, tt.cards, now)
			if !reflect.DeepEqual(items, again) {
				t.Errorf("Build is not deterministic")
			}
		})
	}
}

// checkNew checks what every freshly built item must satisfy.
func checkNew(t *testing.T, rec rppsync.Record, v rppsync.Verdict, items []queue.Item) {
	t.Helper()
	keys := map[string]bool{}
	for _, it := range items {
		if keys[it.Key] {
			t.Errorf("duplicate key %s", it.Key)
		}
		keys[it.Key] = true
		// An order_mie is the person's at the structure, not the contract's
		// (issue 12: one MIE item per person, whatever the contracts).
		want := queue.ItemKey(queue.ContractOf(rec, v), it.Kind)
		if it.Kind == queue.KindOrderMIE {
			if p := "mie|" + queue.WorkerKey(rec, v) + "|" + it.FINESS + "|"; strings.HasPrefix(it.Key, p) {
				want = it.Key
			}
		}
		if it.Key != want && it.Worker == queue.WorkerKey(rec, v) {
			t.Errorf("key = %s, want %s", it.Key, want)
		}
		aud := it.Kind.Audience()
		if it.FINESS == "" {
			aud = queue.AudienceAgency
		}
		if it.State != queue.StatePending || it.Audience != aud || it.Reason == "" || it.Status != v.Status {
			t.Errorf("item %s: state %s, audience %s, status %s, reason %q", it.Kind, it.State, it.Audience, it.Status, it.Reason)
		}
		if len(it.History) != 1 || it.History[0].From != "" || it.History[0].To != queue.StatePending || !it.History[0].At.Equal(now) {
			t.Errorf("item %s: history %+v", it.Kind, it.History)
		}
		if it.Source.Row != 5 || it.Source.Sheet != "Contrats" {
			t.Errorf("item %s: source %+v", it.Kind, it.Source)
		}
		b, err := json.Marshal(it)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		var back queue.Item
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("unmarshal: %v", err)
		}
		if !reflect.DeepEqual(normalize(back), normalize(it)) {
			t.Errorf("JSON round trip changed the item:\n%s", b)
		}
	}
}

// normalize drops what JSON cannot tell apart (monotonic clock, nil vs empty).
func normalize(it queue.Item) queue.Item {
	for i := range it.History {
		it.History[i].At = it.History[i].At.UTC().Round(0)
	}
	it.DueAt = it.DueAt.UTC().Round(0)
	if len(it.Issues) == 0 {
		it.Issues = nil
	}
	if len(it.Candidates) == 0 {
		it.Candidates = nil
	}
	return it
}

// A role profession has no code but a recognised label: the registration
// must not ask the agency for it, and the agency's fix list must not either.
func TestBuildRoleProfessionIsNotMissing(t *testing.T) {
	it := built(t, queue.KindRegisterRPPSPlus, verdict("to_register", withChannel(rppsync.ChannelRPPSPlus, "")), queue.Cards{},
		func(r *rppsync.Record) { r.Profession = "Brancardier" })
	if it.Registration == nil {
		t.Fatal("no registration")
	}
	for _, m := range it.Registration.Missing {
		if strings.Contains(m, "profession") {
			t.Errorf("Missing = %v: a known role is asked for again", it.Registration.Missing)
		}
	}
}
