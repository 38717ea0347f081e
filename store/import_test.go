package store_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/store/storetest"
)

// utcItem returns it with its times in UTC, to compare an item read back
// with the one written.
func utcItem(it queue.Item) queue.Item {
	it.History = slices.Clone(it.History)
	for i := range it.History {
		it.History[i].At = it.History[i].At.UTC()
	}
	if !it.DueAt.IsZero() {
		it.DueAt = it.DueAt.UTC()
	}
	return it
}

func TestImportRecordsRowsContractsAndItems(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	cards := fixtureCards(t)
	people := []impPerson{pMartinB, pDupont, pBernard, pFaure, pLambert, pRoux, pGirard, pDubois}
	rows := impRows("inbox/interim-alpha.csv", "", cards, people...)
	rows[0].Record.Original[rppsync.FieldNIR] = "2900000000000 00" // the importer drops it; the store must too
	var built []queue.Item
	for _, r := range rows {
		built = append(built, r.Items...)
	}
	rep := mustImport(t, db, impFile("inbox/interim-alpha.csv", "Alpha Intérim", "alpha v1"), rows)

	want := store.ImportReport{FileID: rep.FileID, Rows: 8, ContractsNew: 8, ItemsCreated: len(built)}
	if !reflect.DeepEqual(*rep, want) {
		t.Fatalf("report = %+v, want %+v", *rep, want)
	}
	if len(built) != 10 {
		t.Fatalf("queue.Build made %d items, the test expects 10", len(built))
	}
	all, err := db.Items(ctx, store.ItemFilter{})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[queue.Kind]int{}
	for _, s := range all {
		kinds[s.Kind]++
		if s.Agency != "Alpha Intérim" || s.ContractID == 0 || s.ID == 0 {
			t.Errorf("item %d: agency %q, contract %d", s.ID, s.Agency, s.ContractID)
		}
	}
	for _, k := range queue.Kinds {
		if k == queue.KindActivateECPS || k == queue.KindCloseActivity {
			continue // only Reconcile creates them
		}
		if kinds[k] == 0 {
			t.Errorf("no %s item stored", k)
		}
	}
	// Every built item reads back as it was written, history included.
	byKey := map[string]queue.Item{}
	for _, s := range all {
		byKey[s.Key] = utcItem(s.Item)
	}
	for _, b := range built {
		if got := byKey[b.Key]; !reflect.DeepEqual(got, utcItem(b)) {
			t.Errorf("item %s read back as\n%+v\nwant\n%+v", b.Kind, got, utcItem(b))
		}
	}

	atA, err := db.Items(ctx, store.ItemFilter{FINESS: chA})
	if err != nil {
		t.Fatal(err)
	}
	wantA := []string{"validate_activity/pending", "register_rpps_plus/pending", "register_rpps_plus/pending",
		"order_mie/pending", "fix_data/pending", "confirm_candidate/pending"}
	if got := kindsOf(atA); !slices.Equal(got, wantA) {
		t.Errorf("items at CH-A = %v, want %v", got, wantA)
	}
	agency, err := db.Items(ctx, store.ItemFilter{Audience: queue.AudienceAgency, States: []queue.State{queue.StatePending}, Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(agency) != 3 {
		t.Errorf("agency items with limit 3: %d", len(agency))
	}
	for _, s := range agency {
		if s.Audience != queue.AudienceAgency {
			t.Errorf("audience filter let %s through", s.Kind)
		}
	}
	one, err := db.Item(ctx, atA[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if one.Registration == nil || one.Registration.BirthINSEE != "42218" || len(one.History) != 1 {
		t.Errorf("Item(%d) = %+v", atA[1].ID, one)
	}
	if _, err := db.Item(ctx, 1<<40); !errors.Is(err, store.ErrItemNotFound) {
		t.Errorf("Item of an unknown id: %v, want ErrItemNotFound", err)
	}

	var last, nir, status, insee string
	err = db.Pool().QueryRow(ctx, `SELECT original->>'last_name', coalesce(original->>'nir', ''), status, normalised->>'birth_insee'
		FROM import_row WHERE file_id = $1 AND row_no = 4`, rep.FileID).Scan(&last, &nir, &status, &insee)
	if err != nil {
		t.Fatal(err)
	}
	if last != "BERNARD" || status != "to_register" || insee != "42218" {
		t.Errorf("row 4 stored as %q %q %q", last, status, insee)
	}
	var nirs int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM import_row WHERE original ? 'nir'`).Scan(&nirs); err != nil {
		t.Fatal(err)
	}
	if nirs != 0 {
		t.Errorf("%d rows kept a NIR", nirs)
	}

	st, err := db.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Directory != nil || st.Files != 1 || st.Rows != 8 || st.Contracts != 8 ||
		st.Items["register_rpps_plus/pending"] != 2 || st.Items["fix_data/pending"] != 2 || st.Items["validate_activity/pending"] != 2 {
		t.Errorf("status = %+v", st)
	}
}

func TestImportSameFileTwiceChangesNothing(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	f := impFile("inbox/beta.csv", "Beta", "beta v1")
	rows := impRows(f.Path, "", queue.Cards{}, pLambert, pRoux, pGirard)
	first := mustImport(t, db, f, rows)
	before := impCounts(t, db)
	again := mustImport(t, db, f, impRows(f.Path, "", queue.Cards{}, pLambert, pRoux, pGirard))
	if !again.Duplicate || again.DuplicateOf != first.FileID || again.DuplicateAt.IsZero() || again.FileID != 0 {
		t.Fatalf("second import report = %+v, want a duplicate of file %d", again, first.FileID)
	}
	if after := impCounts(t, db); !reflect.DeepEqual(before, after) {
		t.Fatalf("the duplicate import changed the tables: %v → %v", before, after)
	}
}

func TestImportCorrectedFileUpdatesInPlace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	v1 := impFile("inbox/alpha-1.csv", "Alpha", "alpha v1")
	mustImport(t, db, v1, impRows(v1.Path, "", queue.Cards{}, pFaure, pBernard))
	before := impCounts(t, db)

	fixed := pFaure
	fixed.birthPlace, fixed.insee, fixed.issues, fixed.phone = "Paris 15e", "75115", nil, "0600000099"
	v2 := impFile("inbox/alpha-2.csv", "Alpha", "alpha v2")
	rep := mustImport(t, db, v2, impRows(v2.Path, "", queue.Cards{}, fixed, pBernard))
	if rep.ContractsNew != 0 || rep.ContractsUpdated != 1 || rep.ContractsUnchanged != 1 ||
		rep.ItemsCreated != 0 || rep.ItemsUpdated != 1 || rep.ItemsCancelled != 1 {
		t.Fatalf("report = %+v", rep)
	}
	wantFields := []string{"birth_place", "phone", "birth_insee", "issues"}
	if len(rep.Changes) != 1 || !slices.Equal(rep.Changes[0].Fields, wantFields) || rep.Changes[0].Row != 2 ||
		!strings.Contains(rep.Changes[0].ContractKey, "|"+chA+"|2026-12-01|2026-12-31") {
		t.Fatalf("changes = %+v, want fields %v of row 2", rep.Changes, wantFields)
	}
	after := impCounts(t, db)
	if after["contract"] != before["contract"] || after["item"] != before["item"] || after["import_row"] != before["import_row"]+2 {
		t.Fatalf("counts %v → %v: contracts and items must not be duplicated", before, after)
	}

	items, err := db.Items(ctx, store.ItemFilter{FINESS: chA})
	if err != nil {
		t.Fatal(err)
	}
	var reg, fix *store.StoredItem
	for i, s := range items {
		switch {
		case s.Kind == queue.KindRegisterRPPSPlus && s.Registration.BirthName == "FAURE":
			reg = &items[i]
		case s.Kind == queue.KindFixData:
			fix = &items[i]
		}
	}
	if reg == nil || fix == nil {
		t.Fatalf("items = %v", kindsOf(items))
	}
	if reg.State != queue.StatePending || reg.Registration.BirthINSEE != "75115" || reg.Registration.Phone != "0600000099" ||
		len(reg.History) != 2 || !strings.Contains(reg.History[1].Reason, "alpha-2.csv") || reg.Source.Path != v2.Path {
		t.Errorf("registration after the correction = %+v", reg)
	}
	if fix.State != queue.StateCancelled || len(fix.History) != 2 || !strings.Contains(fix.History[1].Reason, "alpha-2.csv") {
		t.Errorf("fix_data after the correction = %+v", fix)
	}
	var phone string
	if err := db.Pool().QueryRow(ctx, `SELECT data->>'phone' FROM contract WHERE id = $1`, reg.ContractID).Scan(&phone); err != nil {
		t.Fatal(err)
	}
	if phone != "0600000099" {
		t.Errorf("contract phone = %q", phone)
	}

	// The postal code comes back in a third file: the cancelled fix_data is
	// neither reopened nor created again.
	v3 := impFile("inbox/alpha-3.csv", "Alpha", "alpha v3")
	rep3 := mustImport(t, db, v3, impRows(v3.Path, "", queue.Cards{}, pFaure, pBernard))
	if rep3.ItemsCreated != 0 || rep3.ItemsCancelled != 0 || rep3.ItemsUpdated != 1 || rep3.ContractsUpdated != 1 {
		t.Errorf("third import = %+v", rep3)
	}
	st, err := db.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Items["fix_data/cancelled"] != 1 || st.Items["fix_data/pending"] != 0 || st.Items["register_rpps_plus/pending"] != 2 {
		t.Errorf("items after the third file = %v", st.Items)
	}

	// The same placement sent by another agency is another contract.
	other := impFile("inbox/gamma.csv", "Gamma", "gamma v1")
	repOther := mustImport(t, db, other, impRows(other.Path, "", queue.Cards{}, pBernard))
	if repOther.ContractsNew != 1 || repOther.ItemsCreated != 1 {
		t.Errorf("another agency's file = %+v", repOther)
	}
}

func TestImportFailureLeavesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	f := impFile("inbox/broken.csv", "Alpha", "broken")
	rows := impRows(f.Path, "", queue.Cards{}, pMartinB, pDupont, pLambert)
	rows[2].Record.Row, rows[2].Verdict.Row = 2, 2 // two rows 2: violates the row's uniqueness, last statement of the file
	if _, err := db.ImportFile(ctx, f, rows, impNow); err == nil {
		t.Fatal("import of two rows with one number succeeded")
	}
	for table, n := range impCounts(t, db) {
		if n != 0 {
			t.Errorf("%s holds %d rows after a failed import", table, n)
		}
	}
	rows = impRows(f.Path, "", queue.Cards{}, pMartinB, pDupont, pLambert)
	if rep := mustImport(t, db, f, rows); rep.Duplicate || rep.Rows != 3 {
		t.Fatalf("import after the failure = %+v", rep)
	}

	if _, err := db.ImportFile(ctx, store.ImportFile{Path: "x.csv", SHA256: "zz"}, nil, impNow); !errors.Is(err, store.ErrInvalidImport) {
		t.Errorf("bad hash: %v, want ErrInvalidImport", err)
	}
	unreadable := impFile("inbox/locked.xlsx", "Alpha", "locked")
	unreadable.Error = &rppsync.FileError{Code: "file_encrypted", Message: "Le fichier est protégé par un mot de passe."}
	if _, err := db.ImportFile(ctx, unreadable, rows, impNow); !errors.Is(err, store.ErrInvalidImport) {
		t.Errorf("rows of an unreadable file: %v, want ErrInvalidImport", err)
	}
	for i := 0; i < 2; i++ {
		rep := mustImport(t, db, unreadable, nil)
		if rep.Duplicate || rep.FileID == 0 || rep.Rows != 0 {
			t.Fatalf("unreadable file, attempt %d: %+v", i+1, rep)
		}
	}
	var n int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM import_file WHERE error_code = 'file_encrypted'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("unreadable file recorded %d times, want 2", n)
	}
}

// appName returns a connection string of a new migrated schema whose
// connections carry a unique application_name, and that name.
func appName(t *testing.T) (string, string) {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	app := "rppsync_test_" + hex.EncodeToString(b[:])
	url := storetest.NewSchema(t) + "&application_name=" + app
	if _, err := storetest.Open(t, url).Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return url, app
}

// waitWriting waits until a connection of app holds a transaction that has
// written something (it has a transaction id), and returns its backend pid;
// 0 when done closes first.
func waitWriting(t *testing.T, db *store.DB, app string, done <-chan struct{}) int {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return 0
		default:
		}
		var pid int
		err := db.Pool().QueryRow(context.Background(), `SELECT coalesce(max(pid), 0) FROM pg_stat_activity
			WHERE application_name = $1 AND backend_xid IS NOT NULL`, app).Scan(&pid)
		if err != nil {
			t.Fatal(err)
		}
		if pid != 0 {
			return pid
		}
		time.Sleep(2 * time.Millisecond)
	}
	return 0
}

func TestImportCancelledMidFileLeavesNothing(t *testing.T) {
	t.Parallel()
	url, app := appName(t)
	db := storetest.Open(t, url)
	watch := storetest.Open(t, storetest.URL())
	f := impFile("inbox/big.csv", "Alpha", "big cancelled")
	rows := bigRows(f.Path, 20_000)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var err error
	go func() {
		defer close(done)
		_, err = db.ImportFile(ctx, f, rows, impNow)
	}()
	caught := waitWriting(t, watch, app, done) != 0
	cancel()
	<-done
	if !caught || err == nil {
		t.Fatalf("the import was not caught mid-transaction (caught %v, error %v)", caught, err)
	}
	if !errors.Is(err, context.Canceled) {
		t.Logf("import error: %v", err)
	}
	for table, n := range impCounts(t, db) {
		if n != 0 {
			t.Errorf("%s holds %d rows after a cancelled import", table, n)
		}
	}
}

const crashEnv = "RPPSYNC_STORE_CRASH_URL"

// TestHelperCrashImport is the child process of TestImportCrashLeavesNothing:
// it imports a large file until its parent kills it.
func TestHelperCrashImport(t *testing.T) {
	url := os.Getenv(crashEnv)
	if url == "" {
		t.Skip("child process of TestImportCrashLeavesNothing")
	}
	db := storetest.Open(t, url)
	f := impFile("inbox/crash.csv", "Alpha", "crash")
	if _, err := db.ImportFile(context.Background(), f, bigRows(f.Path, 50_000), impNow); err != nil {
		t.Fatal(err)
	}
	t.Fatal("the import finished before the parent killed this process")
}

func TestImportCrashLeavesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 50,000 rows twice in a child process; skipped with -short")
	}
	t.Parallel()
	url, app := appName(t)
	db := storetest.Open(t, url)
	watch := storetest.Open(t, storetest.URL())
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCrashImport$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+url)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	pid := waitWriting(t, watch, app, exited)
	if err := cmd.Process.Kill(); err != nil && pid != 0 {
		t.Fatalf("kill the child: %v", err)
	}
	<-exited
	if pid == 0 {
		t.Fatal("the child was not caught mid-transaction")
	}
	// The server rolls back once it sees the connection gone.
	deadline := time.Now().Add(time.Minute)
	for {
		var n int
		if err := watch.Pool().QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity WHERE pid = $1`, pid).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the killed child's session is still open")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for table, n := range impCounts(t, db) {
		if n != 0 {
			t.Errorf("%s holds %d rows after a crash", table, n)
		}
	}
	f := impFile("inbox/crash.csv", "Alpha", "crash")
	rep := mustImport(t, db, f, bigRows(f.Path, 50_000))
	if rep.Duplicate || rep.Rows != 50_000 || rep.ContractsNew != 50_000 {
		t.Fatalf("import after the crash = %+v", rep)
	}
}

// TestImportTenThousandRows imports a 10,000-row file, then a corrected
// copy touching every row. Its speed is BenchmarkImportFile's to measure.
func TestImportTenThousandRows(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	f := impFile("inbox/10k.csv", "Alpha", "10k")
	rows := bigRows(f.Path, 10_000)
	rep := mustImport(t, db, f, rows)
	if rep.Rows != 10_000 || rep.ContractsNew != 10_000 || rep.ItemsCreated != 20_000 {
		t.Fatalf("report = %+v", rep)
	}
	// A corrected copy touching every row: one phone changed per row.
	for i := range rows {
		rows[i].Record.Phone = "0611111111"
	}
	f2 := impFile("inbox/10k-v2.csv", "Alpha", "10k v2")
	rep2 := mustImport(t, db, f2, rows)
	if rep2.ContractsUpdated != 10_000 || len(rep2.Changes) != 10_000 || !slices.Equal(rep2.Changes[0].Fields, []string{"phone"}) {
		t.Fatalf("corrected report: updated %d, changes %d", rep2.ContractsUpdated, len(rep2.Changes))
	}
}

// BenchmarkImportFile measures the import of a new 10,000-row file, each
// iteration in a fresh schema.
func BenchmarkImportFile(b *testing.B) {
	rows := bigRows("inbox/10k.csv", 10_000)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := storetest.New(b)
		f := impFile("inbox/10k.csv", "Alpha", fmt.Sprint("10k ", i))
		b.StartTimer()
		if _, err := db.ImportFile(context.Background(), f, rows, impNow); err != nil {
			b.Fatal(err)
		}
	}
}
