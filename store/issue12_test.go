package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/directory"
	"github.com/rppsync/rppsync/queue"
	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/store/storetest"
)

// Tests of issue 12 §1 where persistence matters: one order_mie per person
// across contracts and files, a validate_activity closed only on a real
// change of the directory, and the end-of-mission item made at reconcile.

// dirLine is one invented line of a PS_LibreAcces activity extract.
type dirLine struct {
	rpps, last, first, profession, label, mode, finess, site, role string
}

// loadLines writes lines as the activity extract of stamp (YYYYMMDDhhmm)
// in a temporary directory and loads it into db.
func loadLines(t *testing.T, db *store.DB, stamp string, lines ...dirLine) {
	t.Helper()
	head, err := os.ReadFile(filepath.Join("..", "fixtures", "directory", "PS_LibreAcces_Personne_activite_202611200800.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(strings.SplitAfter(string(head), "\n")[0]) // the 56 column headings
	for _, l := range lines {
		f := make([]string, 57)
		f[0], f[1], f[2] = "8", l.rpps, "8"+l.rpps
		f[7], f[8], f[9], f[10] = l.last, l.first, l.profession, l.label
		f[17], f[21], f[24], f[52] = l.mode, l.finess, l.site, l.role
		b.WriteString(strings.Join(f, "|") + "\n")
	}
	path := filepath.Join(t.TempDir(), "PS_LibreAcces_Personne_activite_"+stamp+".txt")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	ext, err := directory.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ext.Close()
	r, err := directory.NewActivityReader(ext)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.LoadDirectory(context.Background(), store.ExtractInfo{Name: ext.Name, Date: ext.Date}, r, store.LoadOptions{}); err != nil {
		t.Fatalf("load %s: %v", stamp, err)
	}
}

// knownRows builds the rows of people like pipeline.Import does: with what
// db's directory shows of their RPPS (queue.BuildKnown).
func knownRows(t *testing.T, db *store.DB, path string, cards queue.Cards, people ...impPerson) []store.ImportRow {
	t.Helper()
	var rpps []string
	for _, p := range people {
		rpps = append(rpps, p.rpps)
	}
	pros, err := db.Directory().Professionals(context.Background(), rpps)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.ImportRow
	for i, p := range people {
		rec, v := p.row(path, "", i+2)
		out = append(out, store.ImportRow{Record: rec, Verdict: v,
			Items: queue.BuildKnown(rec, v, cards, queue.Known{Pros: pros}, impNow)})
	}
	return out
}

func itemsOf(t *testing.T, db *store.DB, k queue.Kind) []store.StoredItem {
	t.Helper()
	all, err := db.Items(context.Background(), store.ItemFilter{Kinds: []queue.Kind{k}})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func TestOneOrderMIEPerPersonAcrossContractsAndFiles(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	noCard := queue.Cards{Known: true}
	dec, jan, feb := pMartinB, pMartinB, pMartinB
	jan.start, jan.end = rppsync.Date{Year: 2027, Month: 1, Day: 4}, rppsync.Date{Year: 2027, Month: 1, Day: 29}
	feb.start, feb.end = rppsync.Date{Year: 2027, Month: 2, Day: 1}, rppsync.Date{Year: 2027, Month: 2, Day: 12}

	f1 := impFile("inbox/alpha-1.csv", "Alpha", "two contracts of MARTIN")
	rep := mustImport(t, db, f1, impRows(f1.Path, "", noCard, dec, jan))
	if rep.ContractsNew != 2 {
		t.Fatalf("first file: %+v", rep)
	}
	mie := itemsOf(t, db, queue.KindOrderMIE)
	if len(mie) != 1 {
		t.Fatalf("two contracts of one person gave %d order_mie items, want 1", len(mie))
	}
	want := []queue.Period{{Start: dec.start, End: dec.end}, {Start: jan.start, End: jan.end}}
	if got := mie[0].Periods; len(got) != 2 || got[0] != want[0] || got[1] != want[1] ||
		mie[0].Start != dec.start || mie[0].End != jan.end || mie[0].Person == nil || mie[0].Person.LastName != "MARTIN" {
		t.Errorf("order_mie = %s–%s, periods %v, person %+v", mie[0].Start, mie[0].End, mie[0].Periods, mie[0].Person)
	}

	// A later file with a third contract of the same person: the same item
	// now covers it too.
	f2 := impFile("inbox/alpha-2.csv", "Alpha", "MARTIN in February")
	mustImport(t, db, f2, impRows(f2.Path, "", noCard, feb))
	mie = itemsOf(t, db, queue.KindOrderMIE)
	if len(mie) != 1 || len(mie[0].Periods) != 3 || mie[0].End != feb.end || mie[0].State != queue.StatePending ||
		!strings.Contains(mie[0].Reason, "du 01/02/2027 au 12/02/2027") || len(mie[0].History) != 2 {
		t.Fatalf("after the second file: %d items, %+v", len(mie), mie)
	}
	// The same file again (a corrected copy) changes nothing.
	f3 := impFile("inbox/alpha-3.csv", "Alpha", "MARTIN in February, again")
	if rep := mustImport(t, db, f3, impRows(f3.Path, "", noCard, feb)); rep.ItemsCreated != 0 || rep.ItemsUpdated != 0 {
		t.Errorf("the same contract again: %+v", rep)
	}
	if n := len(itemsOf(t, db, queue.KindOrderMIE)); n != 1 {
		t.Errorf("%d order_mie items", n)
	}
	// The validate_activity items stay one per contract.
	if n := len(itemsOf(t, db, queue.KindValidateActivity)); n != 3 {
		t.Errorf("%d validate_activity items, want 3", n)
	}
}

func TestValidateActivityClosedOnlyOnRealChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	// DUPONT already practises at CH-A; MARTIN practises only at CH-B.
	dupontHere := dirLine{rpps: pDupont.rpps, last: "DUPONT", first: "JEAN-PIERRE", profession: "10", label: "Médecin", mode: "S", finess: chA, site: "CH SYNTHETIQUE DE BESANCON"}
	martinThere := dirLine{rpps: "10999000010", last: "MARTIN", first: "CLAIRE", profession: "60", label: "Infirmier", mode: "S", finess: chB, site: "HOPITAL FICTIF LYON SUD"}
	loadLines(t, db, "202611200800", dupontHere, martinThere)

	martinA := pMartinB
	martinA.finess = chA
	f := impFile("inbox/alpha.csv", "Alpha", "DUPONT and MARTIN at CH-A")
	mustImport(t, db, f, knownRows(t, db, f.Path, queue.Cards{}, pDupont, martinA))
	acts := itemsOf(t, db, queue.KindValidateActivity)
	byRPPS := map[string]store.StoredItem{}
	for _, s := range acts {
		byRPPS[s.RPPS] = s
	}
	dupont, martin := byRPPS[pDupont.rpps], byRPPS[martinA.rpps]
	if len(dupont.Declared) != 1 || !strings.HasPrefix(dupont.Reason, "Activité déjà déclarée : vérifiez les dates") {
		t.Fatalf("DUPONT's item: declared %v, reason %q", dupont.Declared, dupont.Reason)
	}
	if len(martin.Declared) != 0 || strings.Contains(martin.Reason, "déjà déclarée") {
		t.Fatalf("MARTIN's item: declared %v, reason %q", martin.Declared, martin.Reason)
	}

	// The next extract shows the same: nothing changed, nothing is done
	// (before issue 12, DUPONT's item was marked done here).
	loadLines(t, db, "202611210800", dupontHere, martinThere)
	rep, err := db.Reconcile(ctx, impDate(11, 21), impNow)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Done != 0 {
		t.Fatalf("reconcile with an unchanged directory = %+v", rep)
	}

	// Then DUPONT's activity at CH-A changes and MARTIN appears there.
	changed := dupontHere
	changed.mode = "L"
	martinHere := martinThere
	martinHere.finess, martinHere.site = chA, "CH SYNTHETIQUE DE BESANCON"
	loadLines(t, db, "202611220800", changed, martinThere, martinHere)
	rep, err = db.Reconcile(ctx, impDate(11, 22), impNow)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Done != 2 {
		t.Errorf("reconcile with the changes = %+v", rep)
	}
	for _, s := range itemsOf(t, db, queue.KindValidateActivity) {
		if s.State != queue.StateDone {
			t.Errorf("%s: %s", s.RPPS, s.State)
		}
	}
}

func TestEndOfMissionAtReconcile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	// An aide-soignant with an RPPS, working through the agency at CH-A.
	as := impPerson{last: "ROCHE", first: "Lina", civility: "MME", rpps: "10999000200", profession: "AS",
		channel: rppsync.ChannelRPPSPlus, finess: chA, start: impDate(11, 23), end: impDate(12, 5), status: rppsync.StatusMatched}
	ido := pDupont // an Ordre profession: the structure declared nothing on RPPS+
	ido.start, ido.end = as.start, as.end
	loadLines(t, db, "202611200800")
	f := impFile("inbox/alpha.csv", "Alpha", "ROCHE and DUPONT")
	mustImport(t, db, f, knownRows(t, db, f.Path, queue.Cards{}, as, ido))

	// The structure validates the activities: the directory shows them.
	roche := dirLine{rpps: as.rpps, last: "ROCHE", first: "LINA", mode: "S", finess: chA, site: "CH SYNTHETIQUE DE BESANCON", role: "313"}
	dupont := dirLine{rpps: ido.rpps, last: "DUPONT", first: "JEAN-PIERRE", profession: "10", mode: "S", finess: chA}
	loadLines(t, db, "202611240800", roche, dupont)
	if rep, err := db.Reconcile(ctx, impDate(11, 24), impNow); err != nil || rep.Done != 2 || rep.Created != 0 {
		t.Fatalf("reconcile during the mission = %+v, %v", rep, err)
	}
	// The mission is over and the activity still shown: close it.
	loadLines(t, db, "202612060800", roche, dupont)
	rep, err := db.Reconcile(ctx, impDate(12, 6), impNow)
	if err != nil || rep.Created != 1 {
		t.Fatalf("reconcile after the mission = %+v, %v", rep, err)
	}
	closing := itemsOf(t, db, queue.KindCloseActivity)
	if len(closing) != 1 || closing[0].RPPS != as.rpps || closing[0].Audience != queue.AudienceStructure ||
		closing[0].State != queue.StatePending || closing[0].Agency != "Alpha" || closing[0].Person == nil {
		t.Fatalf("close_activity items = %+v", closing)
	}
	// Asked once, whatever the number of loads.
	if rep, err := db.Reconcile(ctx, impDate(12, 7), impNow); err != nil || rep.Created != 0 || rep.Done != 0 || rep.Expired != 0 {
		t.Fatalf("reconcile again = %+v, %v", rep, err)
	}
	// The structure removed the activity: the item closes by itself.
	loadLines(t, db, "202612080800", dupont)
	if rep, err := db.Reconcile(ctx, impDate(12, 8), impNow); err != nil || rep.Done != 1 {
		t.Fatalf("reconcile after the removal = %+v, %v", rep, err)
	}
	if s := itemsOf(t, db, queue.KindCloseActivity); s[0].State != queue.StateDone {
		t.Errorf("close_activity = %s", s[0].State)
	}

	// The purge erases the names on items.
	if _, err := db.Purge(ctx, impDate(12, 31), impNow); err != nil {
		t.Fatal(err)
	}
	all, err := db.Items(ctx, store.ItemFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if s.Person != nil {
			t.Errorf("item %d (%s) keeps %s after the purge", s.ID, s.Kind, fmt.Sprint(*s.Person))
		}
	}
}

// TestCorrectedContractKeepsThePersonsMIE: the order_mie is the person's,
// so a corrected file that supersedes the contract holding it must not
// cancel the need (the new contract's period joins it, the old one's
// leaves), and the person's other contract keeps it too.
func TestCorrectedContractKeepsThePersonsMIE(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	noCard := queue.Cards{Known: true}
	dec, jan := pMartinB, pMartinB
	jan.start, jan.end = rppsync.Date{Year: 2027, Month: 1, Day: 4}, rppsync.Date{Year: 2027, Month: 1, Day: 29}
	f1 := impFile("inbox/alpha-1.csv", "Alpha", "MARTIN in December")
	mustImport(t, db, f1, impRows(f1.Path, "", noCard, dec))

	// The agency corrects December's dates: the contract is superseded.
	fixed := dec
	fixed.start, fixed.end = impDate(12, 2), impDate(12, 22)
	f2 := impFile("inbox/alpha-2.csv", "Alpha", "MARTIN in December, corrected")
	if rep := mustImport(t, db, f2, impRows(f2.Path, "", noCard, fixed)); rep.ContractsSuperseded != 1 {
		t.Fatalf("corrected file: %+v", rep)
	}
	mie := itemsOf(t, db, queue.KindOrderMIE)
	if len(mie) != 1 || mie[0].State != queue.StatePending ||
		len(mie[0].Periods) != 1 || mie[0].Periods[0] != (queue.Period{Start: fixed.start, End: fixed.end}) {
		t.Fatalf("after the correction: %+v", mie)
	}

	// January, then December corrected again: January stays.
	f3 := impFile("inbox/alpha-3.csv", "Alpha", "MARTIN in January")
	mustImport(t, db, f3, impRows(f3.Path, "", noCard, jan))
	again := fixed
	again.start, again.end = impDate(12, 3), impDate(12, 23)
	f4 := impFile("inbox/alpha-4.csv", "Alpha", "MARTIN in December, corrected again")
	mustImport(t, db, f4, impRows(f4.Path, "", noCard, again))
	mie = itemsOf(t, db, queue.KindOrderMIE)
	want := []queue.Period{{Start: again.start, End: again.end}, {Start: jan.start, End: jan.end}}
	if len(mie) != 1 || mie[0].State != queue.StatePending || len(mie[0].Periods) != 2 ||
		mie[0].Periods[0] != want[0] || mie[0].Periods[1] != want[1] {
		t.Fatalf("after the second correction: %+v", mie)
	}
}
