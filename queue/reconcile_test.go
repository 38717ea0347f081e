package queue_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
)

func built(t *testing.T, k queue.Kind, v rppsync.Verdict, cards queue.Cards, with ...func(*rppsync.Record)) queue.Item {
	t.Helper()
	rec := record()
	for _, f := range with {
		f(&rec)
	}
	return byKind(t, queue.Build(rec, v, cards, now), k)
}

func TestReconcile(t *testing.T) {
	later := now.Add(72 * time.Hour)
	during := date(2026, 12, 10)
	after := end.AddDays(1)

	register := func(t *testing.T) queue.Item {
		return built(t, queue.KindRegisterRPPSPlus, verdict("to_register", withChannel(rppsync.ChannelRPPSPlus, "313")), queue.Cards{})
	}
	ordre := func(t *testing.T) queue.Item {
		return built(t, queue.KindFollowUpOrdre, verdict("to_register", withChannel(rppsync.ChannelOrdre, "60")), queue.Cards{},
			func(r *rppsync.Record) {
				r.UsageName, r.FirstName = name("Martinon", "MARTINON"), name("Maëlle Rose", "MAELLE ROSE")
			})
	}
	activity := func(t *testing.T) queue.Item {
		return built(t, queue.KindValidateActivity, verdict("matched", withRPPS(rppsA)), queue.Cards{})
	}
	mie := func(t *testing.T) queue.Item {
		return built(t, queue.KindOrderMIE, verdict("matched", withRPPS(rppsA)), queue.Cards{Known: true})
	}
	unknown := func(t *testing.T) queue.Item {
		return built(t, queue.KindFixData, verdict("rpps_unknown", withRPPS(rppsC)), queue.Cards{})
	}
	candidate := func(t *testing.T) queue.Item { return candidateItem(t, rppsync.ChannelRPPSPlus, "313") }
	// What the matcher gives a role profession (aide-soignant): channel
	// rpps_plus and no profession code.
	registerNoCode := func(t *testing.T) queue.Item {
		return built(t, queue.KindRegisterRPPSPlus, verdict("to_register", withChannel(rppsync.ChannelRPPSPlus, "")), queue.Cards{})
	}

	tests := []struct {
		name string
		item func(*testing.T) queue.Item
		snap queue.Snapshot
		want queue.State // State after; pending means unchanged
		rpps string      // RPPS recorded by the change
		next []queue.Kind
	}{
		{"RPPS+ registrant appears with their role", register,
			queue.Snapshot{Today: during, AtFINESS: []rppsync.Professional{pro(rppsB, "DURANDEL", "Maelle", "", "313", finess)}},
			queue.StateDone, rppsB, []queue.Kind{queue.KindActivateECPS}},
		{"RPPS+ registrant appears after the contract ended", register,
			queue.Snapshot{Today: after, AtFINESS: []rppsync.Professional{pro(rppsB, "Durandel", "Maëlle", "", "313", finess)}},
			queue.StateDone, rppsB, nil},
		{"RPPS+ registrant with no profession code appears under a role", registerNoCode,
			queue.Snapshot{Today: during, AtFINESS: []rppsync.Professional{pro(rppsB, "DURANDEL", "MAELLE", "", "313", finess)}},
			queue.StateDone, rppsB, []queue.Kind{queue.KindActivateECPS}},
		{"RPPS+ registrant with no profession code: homonym infirmière", registerNoCode,
			queue.Snapshot{Today: during, AtFINESS: []rppsync.Professional{pro(rppsB, "DURANDEL", "MAELLE", "60", "", finess)}},
			queue.StatePending, "", nil},
		{"homonym with another profession", register,
			queue.Snapshot{Today: during, AtFINESS: []rppsync.Professional{pro(rppsB, "DURANDEL", "MAELLE", "60", "", finess)}},
			queue.StatePending, "", nil},
		{"same name and role at another structure", register,
			queue.Snapshot{Today: during, AtFINESS: []rppsync.Professional{pro(rppsB, "DURANDEL", "MAELLE", "", "313", other)}},
			queue.StatePending, "", nil},
		{"same profession, another first name", register,
			queue.Snapshot{Today: during, AtFINESS: []rppsync.Professional{pro(rppsB, "DURANDEL", "MAELYS", "", "313", finess)}},
			queue.StatePending, "", nil},
		{"two people fit", register,
			queue.Snapshot{Today: during, AtFINESS: []rppsync.Professional{
				pro(rppsB, "DURANDEL", "MAELLE", "", "313", finess), pro(rppsC, "DURANDEL", "MAELLE", "", "313", finess)}},
			queue.StatePending, "", nil},
		{"Ordre registrant appears under usage name and first given name", ordre,
			queue.Snapshot{Today: during, AtFINESS: []rppsync.Professional{pro(rppsB, "MARTINON", "MAELLE", "60", "", finess)}},
			queue.StateDone, rppsB, nil},
		{"Ordre registrant: homonym aide-soignante", ordre,
			queue.Snapshot{Today: during, AtFINESS: []rppsync.Professional{pro(rppsB, "MARTINON", "MAELLE", "", "313", finess)}},
			queue.StatePending, "", nil},
		{"registration not fulfilled, contract over", ordre,
			queue.Snapshot{Today: after}, queue.StateExpired, "", nil},
		{"activity visible", activity,
			queue.Snapshot{Today: during, AtFINESS: []rppsync.Professional{pro(rppsA, "DURANDEL", "MAELLE", "60", "", finess)}},
			queue.StateDone, "", nil},
		{"activity visible through the legal entity", activity,
			queue.Snapshot{Today: during, AtFINESS: []rppsync.Professional{{RPPS: rppsA, Activities: []rppsync.Activity{{FinessJuridique: finess}}}}},
			queue.StateDone, "", nil},
		{"activity elsewhere only", activity,
			queue.Snapshot{Today: during, AtFINESS: []rppsync.Professional{pro(rppsA, "DURANDEL", "MAELLE", "60", "", other)}},
			queue.StatePending, "", nil},
		{"activity on the last day of the contract", activity,
			queue.Snapshot{Today: end}, queue.StatePending, "", nil},
		{"activity never validated", activity,
			queue.Snapshot{Today: after}, queue.StateExpired, "", nil},
		{"no date, no expiry", activity,
			queue.Snapshot{}, queue.StatePending, "", nil},
		{"CPS card arrives", mie,
			queue.Snapshot{Today: during, Cards: queue.Cards{Known: true, List: []rppsync.Card{cps(rppsA, start, date(2029, 1, 1))}}},
			queue.StateDone, "", nil},
		{"CPS card too short", mie,
			queue.Snapshot{Today: during, Cards: queue.Cards{Known: true, List: []rppsync.Card{cps(rppsA, start, end.AddDays(-1))}}},
			queue.StatePending, "", nil},
		{"unknown RPPS now in the directory", unknown,
			queue.Snapshot{Today: during, AtFINESS: []rppsync.Professional{pro(rppsC, "DURANDEL", "MAELLE", "60", "", finess)}},
			queue.StateDone, rppsC, nil},
		{"candidate never closes by itself", candidate,
			queue.Snapshot{Today: during, AtFINESS: []rppsync.Professional{pro(rppsA, "DURANDEL", "MAELLE", "", "313", finess)}},
			queue.StatePending, "", nil},
		{"candidate expires", candidate,
			queue.Snapshot{Today: after}, queue.StateExpired, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := tt.item(t)
			got, next, changed := queue.Reconcile(it, tt.snap, later)
			if got.State != tt.want {
				t.Fatalf("state = %s, want %s", got.State, tt.want)
			}
			if changed != (tt.want != queue.StatePending) {
				t.Errorf("changed = %v", changed)
			}
			if !changed {
				if len(got.History) != 1 || next != nil {
					t.Errorf("unchanged item got events %+v or items %v", got.History, kinds(next))
				}
				return
			}
			if len(got.History) != 2 {
				t.Fatalf("history = %+v", got.History)
			}
			ev := got.History[1]
			if ev.From != queue.StatePending || ev.To != tt.want || !ev.At.Equal(later) || ev.RPPS != tt.rpps || ev.Reason == "" {
				t.Errorf("event = %+v, want RPPS %q", ev, tt.rpps)
			}
			if tt.rpps != "" && got.RPPS != tt.rpps {
				t.Errorf("item RPPS = %q, want %q", got.RPPS, tt.rpps)
			}
			if k := kinds(next); !slices.Equal(k, tt.next) {
				t.Fatalf("follow-on kinds = %v, want %v", k, tt.next)
			}
			for _, n := range next {
				checkECPS(t, n, tt.rpps, later)
			}
			// Reconciling again changes nothing: closed items stay closed.
			if again, more, ch := queue.Reconcile(got, queue.Snapshot{Today: after.AddDays(30)}, later); ch || more != nil || len(again.History) != 2 {
				t.Errorf("second Reconcile changed a closed item")
			}
		})
	}
}

func checkECPS(t *testing.T, n queue.Item, rpps string, at time.Time) {
	t.Helper()
	if n.Kind != queue.KindActivateECPS || n.State != queue.StatePending || n.Audience != queue.AudienceStructure {
		t.Errorf("follow-on = %+v", n)
	}
	if !n.DueAt.Equal(at.Add(48*time.Hour)) || n.RPPS != rpps || n.Worker != "rpps:"+rpps {
		t.Errorf("activate_ecps: due %v, RPPS %q, worker %q", n.DueAt, n.RPPS, n.Worker)
	}
	if want := "rpps:" + rpps + "|" + finess + "|2026-12-01|2026-12-21|activate_ecps"; n.Key != want {
		t.Errorf("key = %q, want %q", n.Key, want)
	}
	if !strings.Contains(n.Reason, "25/11/2026 à 02h00") || !strings.Contains(n.Reason, rpps) {
		t.Errorf("reason = %q", n.Reason)
	}
}
