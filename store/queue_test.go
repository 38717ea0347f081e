package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/store/storetest"
)

// itemOf returns the one item of kind k whose person has last name last.
func itemOf(t *testing.T, items []store.StoredItem, k queue.Kind, key string) store.StoredItem {
	t.Helper()
	for _, s := range items {
		if s.Kind == k && strings.Contains(s.Key, key) {
			return s
		}
	}
	t.Fatalf("no %s item with key part %q among %v", k, key, kindsOf(items))
	return store.StoredItem{}
}

func TestResolveCandidate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	loadFixtureCards(t, db)
	other := pDubois
	other.finess = chB // a second contract of the same person, to reject
	f := impFile("inbox/alpha.csv", "Alpha", "alpha candidates")
	mustImport(t, db, f, impRows(f.Path, "", fixtureCards(t), pDubois, other))
	items, err := db.Items(ctx, store.ItemFilter{Kinds: []queue.Kind{queue.KindConfirmCandidate}})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 {
		t.Fatalf("confirm_candidate items: %v", kindsOf(items))
	}
	atA, atB := items[0], items[1]

	// A choice that is not a candidate: queue's typed error, nothing changes.
	_, _, err = db.ResolveCandidate(ctx, atA.ID, "10999000010", impNow)
	var ie *queue.ItemError
	if !errors.As(err, &ie) || !errors.Is(err, queue.ErrNotACandidate) {
		t.Fatalf("wrong choice: %v, want a *queue.ItemError wrapping ErrNotACandidate", err)
	}
	if _, _, err := db.ResolveCandidate(ctx, 1<<40, "", impNow); !errors.Is(err, store.ErrItemNotFound) {
		t.Fatalf("unknown item: %v", err)
	}

	later := impNow.Add(time.Hour)
	closed, next, err := db.ResolveCandidate(ctx, atA.ID, "109 990 000 85", later)
	if err != nil {
		t.Fatal(err)
	}
	if closed.State != queue.StateDone || closed.RPPS != "10999000085" || len(closed.History) != 2 ||
		closed.History[1].RPPS != "10999000085" {
		t.Errorf("confirmed item = %+v", closed)
	}
	// DUBOIS Marie's card covers December: validate_activity only.
	if len(next) != 1 || next[0].Kind != queue.KindValidateActivity || next[0].RPPS != "10999000085" ||
		next[0].ContractID != atA.ContractID || next[0].ID == 0 || next[0].State != queue.StatePending {
		t.Errorf("follow-on items = %+v", next)
	}
	again, err := db.Item(ctx, atA.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.State != queue.StateDone || len(again.History) != 2 {
		t.Errorf("stored confirmed item = %+v", again)
	}
	if _, _, err := db.ResolveCandidate(ctx, atA.ID, "", later); !errors.Is(err, queue.ErrNotPending) {
		t.Errorf("resolving a closed item: %v, want ErrNotPending", err)
	}

	closed, next, err = db.ResolveCandidate(ctx, atB.ID, "", later)
	if err != nil {
		t.Fatal(err)
	}
	if closed.State != queue.StateDone || closed.RPPS != "" {
		t.Errorf("rejected item = %+v", closed)
	}
	if len(next) != 1 || next[0].Kind != queue.KindFollowUpOrdre || next[0].ContractID != atB.ContractID ||
		next[0].Registration == nil || next[0].Registration.BirthName != "DUBOIS" {
		t.Errorf("items after rejecting = %+v", next)
	}
	st, err := db.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Items["confirm_candidate/done"] != 2 || st.Items["validate_activity/pending"] != 1 || st.Items["follow_up_ordre/pending"] != 1 {
		t.Errorf("items = %v", st.Items)
	}
}

func TestReconcileAgainstTheNextExtract(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)

	// No directory yet: only expiry.
	ended := pLambert
	ended.start, ended.end = impDate(11, 2), impDate(11, 10)
	f0 := impFile("inbox/old.csv", "Beta", "old contract")
	mustImport(t, db, f0, impRows(f0.Path, "", queue.Cards{}, ended, pRoux))
	rep, err := db.Reconcile(ctx, impDate(11, 20), impNow)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.DirectoryMissing || rep.Checked != 2 || rep.Expired != 1 || rep.Done != 0 || rep.ByFINESS[chB] != 1 {
		t.Fatalf("reconcile without directory = %+v", rep)
	}

	loadFixtureExtract(t, db, "PS_LibreAcces_Personne_activite_202611200800.txt")
	loadFixtureCards(t, db)
	// A sage-femme DUBOIS Marie to register at CH-A: the directory has a
	// DUBOIS Marie there, but infirmière: a homonym, not her.
	homonym := pDubois
	homonym.status, homonym.code, homonym.profession, homonym.candidates = rppsync.StatusToRegister, "50", "Sage-femme", nil
	f := impFile("inbox/alpha.csv", "Alpha", "alpha reconcile")
	mustImport(t, db, f, impRows(f.Path, "", fixtureCards(t), pBernard, pMartinB, homonym))
	first, err := db.Reconcile(ctx, impDate(11, 20), impNow)
	if err != nil {
		t.Fatal(err)
	}
	if first.DirectoryMissing || first.Done != 0 || first.Expired != 0 || first.Created != 0 {
		t.Fatalf("reconcile with the first extract = %+v", first)
	}

	loadFixtureExtract(t, db, "PS_LibreAcces_Personne_activite_202611270800.txt")
	now := impNow.AddDate(0, 0, 7)
	second, err := db.Reconcile(ctx, impDate(11, 27), now)
	if err != nil {
		t.Fatal(err)
	}
	if second.Checked != 4 || second.Done != 2 || second.Expired != 0 || second.Created != 1 ||
		second.ByFINESS[chA] != 1 || second.ByFINESS[chB] != 1 {
		t.Fatalf("reconcile with the second extract = %+v", second)
	}
	all, err := db.Items(ctx, store.ItemFilter{})
	if err != nil {
		t.Fatal(err)
	}
	reg := itemOf(t, all, queue.KindRegisterRPPSPlus, chA)
	if reg.State != queue.StateDone || reg.RPPS != "10999000135" || len(reg.History) != 2 || reg.History[1].RPPS != "10999000135" {
		t.Errorf("BERNARD's registration = %+v", reg)
	}
	ecps := itemOf(t, all, queue.KindActivateECPS, "rpps:10999000135")
	if ecps.State != queue.StatePending || ecps.ContractID != reg.ContractID || !ecps.DueAt.Equal(now.Add(queue.ECPSDelay)) {
		t.Errorf("activate_ecps = %+v", ecps)
	}
	act := itemOf(t, all, queue.KindValidateActivity, "rpps:10999000010|"+chB)
	if act.State != queue.StateDone {
		t.Errorf("MARTIN's activity at CH-B = %+v", act)
	}
	hom := itemOf(t, all, queue.KindFollowUpOrdre, chA)
	if hom.State != queue.StatePending || hom.RPPS != "" {
		t.Errorf("the homonym closed the follow-up: %+v", hom)
	}

	// Nothing new: a second pass changes nothing; after the contracts end,
	// everything pending expires.
	idle, err := db.Reconcile(ctx, impDate(11, 27), now)
	if err != nil {
		t.Fatal(err)
	}
	if idle.Done+idle.Expired+idle.Created != 0 {
		t.Errorf("second pass = %+v", idle)
	}
	late, err := db.Reconcile(ctx, rppsync.Date{Year: 2027, Month: time.January, Day: 1}, now)
	if err != nil {
		t.Fatal(err)
	}
	if late.Expired != late.Checked || late.Expired == 0 {
		t.Errorf("pass after every contract ended = %+v", late)
	}
}

func TestPurgeErasesPersonalData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	ended := pFaure
	ended.start, ended.end = impDate(6, 1), impDate(6, 30)
	oldCandidate := pDubois
	oldCandidate.start, oldCandidate.end = impDate(6, 1), impDate(6, 30)
	f := impFile("inbox/june.csv", "Alpha", "june")
	// Imported in May, before the June contracts: their items were made.
	may := time.Date(2026, 5, 15, 9, 0, 0, 0, time.UTC)
	mustImport(t, db, f, impRowsAt(may, f.Path, "", queue.Cards{}, ended, oldCandidate, pBernard))
	before := impCounts(t, db)
	stBefore, err := db.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}

	rep, err := db.Purge(ctx, impDate(9, 28), impNow)
	if err != nil {
		t.Fatal(err)
	}
	// FAURE: register + fix_data; DUBOIS: confirm_candidate.
	if rep.Contracts != 2 || rep.Rows != 2 || rep.Items != 3 {
		t.Fatalf("purge = %+v", rep)
	}
	after := impCounts(t, db)
	for _, table := range []string{"import_file", "import_row", "contract", "item"} {
		if after[table] != before[table] {
			t.Errorf("%s: %d rows → %d: purge must keep the records", table, before[table], after[table])
		}
	}
	var dump string
	err = db.Pool().QueryRow(ctx, `SELECT concat_ws(' ',
		(SELECT string_agg(c::text, ' ') FROM contract c WHERE purged_at IS NOT NULL),
		(SELECT string_agg(r::text, ' ') FROM import_row r JOIN contract c ON c.id = r.contract_id WHERE c.purged_at IS NOT NULL),
		(SELECT string_agg(i::text, ' ') FROM item i JOIN contract c ON c.id = i.contract_id WHERE c.purged_at IS NOT NULL),
		(SELECT string_agg(e::text, ' ') FROM item_event e JOIN item i ON i.id = e.item_id JOIN contract c ON c.id = i.contract_id WHERE c.purged_at IS NOT NULL))`).Scan(&dump)
	if err != nil {
		t.Fatal(err)
	}
	// The worker keys a person could recompute from a name and a birth date.
	var keys []string
	for _, p := range []impPerson{ended, oldCandidate} {
		rec, v := p.row(f.Path, "", 2)
		keys = append(keys, strings.TrimPrefix(queue.WorkerKey(rec, v), "id:"))
	}
	for _, personal := range append([]string{"FAURE", "Inès", "DUBOIS", "Marie", "1995-02-03", "1991-09-23", "i.faure@", "0600000002", "75015", "nom identique"}, keys...) {
		if strings.Contains(dump, personal) {
			t.Errorf("purged data still holds %q", personal)
		}
	}
	if !strings.Contains(dump, chA) || !strings.Contains(dump, "10999000085") {
		t.Errorf("purge erased identifiers: %s", dump)
	}
	stAfter, err := db.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stAfter.Files != stBefore.Files || stAfter.Rows != stBefore.Rows || stAfter.Contracts != stBefore.Contracts {
		t.Errorf("status %+v → %+v", stBefore, stAfter)
	}
	if stAfter.Items["register_rpps_plus/expired"] != 1 || stAfter.Items["confirm_candidate/expired"] != 1 ||
		stAfter.Items["register_rpps_plus/pending"] != 1 {
		t.Errorf("items after purge = %v", stAfter.Items)
	}
	bernard, err := db.Items(ctx, store.ItemFilter{Kinds: []queue.Kind{queue.KindRegisterRPPSPlus}, States: []queue.State{queue.StatePending}})
	if err != nil {
		t.Fatal(err)
	}
	if len(bernard) != 1 || bernard[0].Registration == nil || bernard[0].Registration.BirthName != "BERNARD" {
		t.Errorf("a running contract lost its data: %+v", bernard)
	}

	again, err := db.Purge(ctx, impDate(9, 28), impNow)
	if err != nil {
		t.Fatal(err)
	}
	if *again != (store.PurgeReport{}) {
		t.Errorf("second purge = %+v, want nothing", again)
	}
	if _, err := db.Purge(ctx, rppsync.Date{}, impNow); !errors.Is(err, store.ErrInvalidPurge) {
		t.Errorf("purge without date: %v", err)
	}
}
