package queue_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/directory"
	"github.com/rppsync/rppsync/queue"
)

var coveringA = queue.Cards{Known: true, List: []directory.Card{cps(rppsA, date(2024, 1, 1), date(2027, 1, 1))}}

// TestBuildNoStructure: a row tied to no structure still gets its items,
// addressed to the agency that sent it, with the reason why.
func TestBuildNoStructure(t *testing.T) {
	rec := record()
	rec.FINESS = ""
	rowIssue := issue("finess", rppsync.CodeFINESSMissing)
	rec.Issues = []rppsync.Issue{rowIssue}
	v := verdict("to_register", withChannel(rppsync.ChannelRPPSPlus, "313"), withIssues(rowIssue),
		func(v *rppsync.Verdict) { v.FINESS = nil })
	items := queue.Build(rec, v, coveringA, now)
	if got := kinds(items); !slices.Equal(got, []queue.Kind{queue.KindRegisterRPPSPlus, queue.KindFixData}) {
		t.Fatalf("kinds = %v", got)
	}
	for _, it := range items {
		if it.Audience != queue.AudienceAgency || it.FINESS != "" {
			t.Errorf("%s: audience %s FINESS %q, want the agency's", it.Kind, it.Audience, it.FINESS)
		}
	}
	fix := items[1].Issues
	if n := len(pickCodes(fix, rppsync.CodeFINESSMissing)); n != 1 {
		t.Errorf("fix issues %v: the row's finess_missing must appear once", codes(fix))
	}
}

// TestBuildWrongFINESSKey: a FINESS with a wrong key makes no queue for a
// structure that does not exist: the agency gets a fix item with the
// row's finess_checksum issue.
func TestBuildWrongFINESSKey(t *testing.T) {
	rec := record()
	rec.FINESS = "250999902"
	bad := issue("finess", "finess_checksum")
	v := verdict("matched", withRPPS(rppsA), withIssues(bad), func(v *rppsync.Verdict) { v.FINESS = nil })
	items := queue.Build(rec, v, coveringA, now)
	if got := kinds(items); !slices.Equal(got, []queue.Kind{queue.KindValidateActivity, queue.KindFixData}) {
		t.Fatalf("kinds = %v", got)
	}
	for _, it := range items {
		if it.FINESS != "" || it.Audience != queue.AudienceAgency || strings.Contains(it.Key, "250999902") {
			t.Errorf("%s: FINESS %q audience %s key %s: no structure 250999902 exists", it.Kind, it.FINESS, it.Audience, it.Key)
		}
	}
	if got := codes(items[1].Issues); !reflect.DeepEqual(got, []string{"finess_checksum"}) {
		t.Errorf("fix issues = %v, want the row's finess_checksum", got)
	}
}

// TestBuildMissionDates: a mission already ended creates no work for the
// structure; one already started makes the structure's items urgent.
func TestBuildMissionDates(t *testing.T) {
	ended := func(v *rppsync.Verdict) { v.ContractStart, v.ContractEnd = date(2026, 11, 2), date(2026, 11, 19) }
	started := func(v *rppsync.Verdict) { v.ContractStart, v.ContractEnd = date(2026, 11, 20), date(2026, 12, 5) }

	if items := queue.Build(record(), verdict("matched", withRPPS(rppsA), ended), queue.Cards{Known: true}, now); len(items) != 0 {
		t.Errorf("ended, matched: kinds %v, want none", kinds(items))
	}
	if items := queue.Build(record(), verdict("to_register", withChannel(rppsync.ChannelRPPSPlus, "313"), ended), coveringA, now); len(items) != 0 {
		t.Errorf("ended, RPPS+ registration: kinds %v, want none", kinds(items))
	}
	// The agency's items stay: the data are still wrong. The flag informs,
	// it is nothing for the agency to fix.
	items := queue.Build(record(), verdict("identity_mismatch", withRPPS(rppsB), ended,
		withIssues(issue("contract_end", rppsync.CodeContractEnded))), coveringA, now)
	if got := kinds(items); !slices.Equal(got, []queue.Kind{queue.KindFixData}) {
		t.Fatalf("ended, identity mismatch: kinds %v, want fix_data", got)
	}
	if got := codes(items[0].Issues); !slices.Equal(got, []string{queue.CodeRPPSOtherPerson}) {
		t.Errorf("ended, identity mismatch: fix issues %v, want rpps_other_person only", got)
	}

	items = queue.Build(record(), verdict("matched", withRPPS(rppsA), started), queue.Cards{Known: true}, now)
	if got := kinds(items); !slices.Equal(got, []queue.Kind{queue.KindValidateActivity, queue.KindOrderMIE}) {
		t.Fatalf("started: kinds %v", got)
	}
	for _, it := range items {
		if !strings.HasPrefix(it.Reason, queue.UrgentPrefix) || !strings.Contains(it.Reason, "20/11/2026") {
			t.Errorf("started, %s: reason %q, want it urgent with the start date", it.Kind, it.Reason)
		}
	}
	items = queue.Build(record(), verdict("matched", withRPPS(rppsA)), queue.Cards{Known: true}, now)
	for _, it := range items {
		if strings.HasPrefix(it.Reason, queue.UrgentPrefix) {
			t.Errorf("mission to come, %s: reason %q must not be urgent", it.Kind, it.Reason)
		}
	}
}

// TestBuildHiddenSheet: a row of a hidden sheet is reported, never queued.
func TestBuildHiddenSheet(t *testing.T) {
	rec := record()
	rec.HiddenSheet = true
	for _, v := range []rppsync.Verdict{verdict("matched", withRPPS(rppsA)), verdict("identity_mismatch", withRPPS(rppsB))} {
		if items := queue.Build(rec, v, coveringA, now); len(items) != 0 {
			t.Errorf("%s from a hidden sheet: kinds %v, want none", v.Status, kinds(items))
		}
	}
}

// TestBuildIdentifierWithCandidates: an ADELI number (or a wrong RPPS)
// whose name the directory knows gives the structure a confirm-identity
// item instead of a plain fix item; rejecting every candidate prepares the
// registration.
func TestBuildIdentifierWithCandidates(t *testing.T) {
	adeli := issue("rpps", rppsync.CodeADELINotRPPS)
	cands := []rppsync.Candidate{{RPPS: rppsA, Score: 0.95}}
	v := verdict("rpps_invalid", withChannel(rppsync.ChannelRPPSPlus, "313"), withIssues(adeli),
		func(v *rppsync.Verdict) { v.Candidates = cands })
	items := queue.Build(record(), v, coveringA, now)
	if got := kinds(items); !slices.Equal(got, []queue.Kind{queue.KindConfirmCandidate}) {
		t.Fatalf("kinds = %v, want confirm_candidate", got)
	}
	it := items[0]
	if it.Audience != queue.AudienceStructure || !reflect.DeepEqual(it.Candidates, cands) || it.Registration == nil ||
		!strings.Contains(it.Reason, "ADELI") || !slices.Equal(codes(it.Issues), []string{rppsync.CodeADELINotRPPS}) {
		t.Errorf("item = %+v", it)
	}
	closed, next, err := queue.Resolve(it, rppsA, coveringA, now)
	if err != nil || closed.State != queue.StateDone || !slices.Equal(kinds(next), []queue.Kind{queue.KindValidateActivity}) {
		t.Errorf("confirm: %v %s %v", err, closed.State, kinds(next))
	}
	_, next, err = queue.Resolve(it, "", coveringA, now)
	if err != nil || !slices.Equal(kinds(next), []queue.Kind{queue.KindRegisterRPPSPlus}) {
		t.Errorf("reject all: %v %v", err, kinds(next))
	}

	// No candidate: the agency fixes the number, as before.
	v.Candidates = nil
	if got := kinds(queue.Build(record(), v, coveringA, now)); !slices.Equal(got, []queue.Kind{queue.KindFixData}) {
		t.Errorf("no candidate: kinds %v, want fix_data", got)
	}
}

func pickCodes(issues []rppsync.Issue, code string) []rppsync.Issue {
	return slices.DeleteFunc(slices.Clone(issues), func(i rppsync.Issue) bool { return i.Code != code })
}

// TestResolveStartedMission: the items a decision creates for a mission
// already started are urgent, as Build's are.
func TestResolveStartedMission(t *testing.T) {
	cands := []rppsync.Candidate{{RPPS: rppsA, Score: 0.95}}
	v := verdict("candidate", withChannel(rppsync.ChannelRPPSPlus, "313"), func(v *rppsync.Verdict) { v.Candidates = cands })
	items := queue.Build(record(), v, coveringA, now)
	if len(items) != 1 || strings.HasPrefix(items[0].Reason, queue.UrgentPrefix) {
		t.Fatalf("items = %+v", items)
	}
	later := now.AddDate(0, 0, 15) // 2026-12-05: the mission started on 2026-12-01
	_, next, err := queue.Resolve(items[0], rppsA, coveringA, later)
	if err != nil || len(next) != 1 || !strings.HasPrefix(next[0].Reason, queue.UrgentPrefix) {
		t.Errorf("confirmed after the start: %v %+v, want an urgent validate_activity", err, next)
	}
	_, next, err = queue.Resolve(items[0], "", coveringA, later)
	if err != nil || len(next) == 0 || !strings.HasPrefix(next[0].Reason, queue.UrgentPrefix) {
		t.Errorf("rejected after the start: %v %+v, want an urgent registration", err, next)
	}
}

// TestBuildJuridiqueSeveralSites: a legal entity's FINESS with several
// sites makes no queue for the legal entity: the agency says which site.
func TestBuildJuridiqueSeveralSites(t *testing.T) {
	rec := record()
	rec.FINESS = "250999919" // valid: the legal entity's number
	jur := issue("finess", "finess_juridique_sites")
	v := verdict("matched", withRPPS(rppsA), withIssues(jur), func(v *rppsync.Verdict) { v.FINESS = nil })
	items := queue.Build(rec, v, coveringA, now)
	if got := kinds(items); !slices.Equal(got, []queue.Kind{queue.KindValidateActivity, queue.KindFixData}) {
		t.Fatalf("kinds = %v", got)
	}
	for _, it := range items {
		if it.FINESS != "" || it.Audience != queue.AudienceAgency {
			t.Errorf("%s: FINESS %q audience %s, want the agency's", it.Kind, it.FINESS, it.Audience)
		}
	}
	if got := codes(items[1].Issues); !slices.Equal(got, []string{"finess_juridique_sites"}) {
		t.Errorf("fix issues = %v", got)
	}
}
