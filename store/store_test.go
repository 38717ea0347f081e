package store_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rppsync/rppsync/namekey"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/directory"
	"github.com/rppsync/rppsync/matcher"
	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/store/storetest"
)

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name string
		cfg  store.Config
		want error
	}{
		{"no server", store.Config{URL: "postgres://postgres@127.0.0.1:1/rppsync?sslmode=disable&connect_timeout=2"}, store.ErrUnreachable},
		{"empty url", store.Config{}, store.ErrInvalidConfig},
		{"bad url", store.Config{URL: "postgres://%zz"}, store.ErrInvalidConfig},
		{"negative pool", store.Config{URL: storetest.URL(), MaxConns: -1}, store.ErrInvalidConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := store.Open(ctx, tt.cfg)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded, want an error")
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestOpenWrongDatabaseIsNotUnreachable(t *testing.T) {
	t.Parallel()
	db, err := store.Open(context.Background(), store.Config{URL: "postgres://postgres@127.0.0.1:5432/rppsync_no_such_db?sslmode=disable"})
	if err == nil {
		db.Close()
		t.Fatal("Open of a missing database succeeded")
	}
	if errors.Is(err, store.ErrUnreachable) {
		t.Fatalf("a server that answered is reported unreachable: %v", err)
	}
}

func TestMigrateIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.Open(t, storetest.NewSchema(t))
	applied, err := db.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) == 0 || applied[0] != "0001_directory" {
		t.Fatalf("first Migrate applied %v, want 0001_directory first", applied)
	}
	again, err := db.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Fatalf("second Migrate applied %v, want nothing", again)
	}
	var n int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(applied) {
		t.Fatalf("schema_migrations has %d rows, want %d", n, len(applied))
	}
}

func TestMigrateConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := storetest.NewSchema(t)
	const workers = 4
	dbs := make([]*store.DB, workers)
	for i := range dbs {
		dbs[i] = storetest.Open(t, url)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total []string
		errs  []error
	)
	for _, db := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			applied, err := db.Migrate(ctx)
			mu.Lock()
			defer mu.Unlock()
			total = append(total, applied...)
			if err != nil {
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("concurrent Migrate failed: %v", errs)
	}
	seen := map[string]int{}
	for _, name := range total {
		seen[name]++
	}
	if seen["0001_directory"] != 1 {
		t.Fatalf("0001_directory applied %d times, want once (all applied: %v)", seen["0001_directory"], total)
	}
	for name, n := range seen {
		if n != 1 {
			t.Errorf("%s applied %d times", name, n)
		}
	}
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	if _, err := db.Pool().Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future')`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("Migrate error = %v, want ErrSchemaTooNew", err)
	}
}

func TestNothingLoaded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	if s, err := db.DirectoryStatus(ctx); !errors.Is(err, store.ErrNoDirectory) || s != nil {
		t.Errorf("DirectoryStatus = %v, %v; want nil, ErrNoDirectory", s, err)
	}
	if _, err := db.Directory().Professionals(ctx, []string{"10000000007"}); !errors.Is(err, store.ErrNoDirectory) {
		t.Errorf("Professionals error = %v, want ErrNoDirectory", err)
	}
	for _, s := range []*matcher.NameSearch{searchOf([2]string{"Dupont", "Jean"}), searchOf()} {
		if _, err := db.Directory().ByNameKeys(ctx, s); !errors.Is(err, store.ErrNoDirectory) {
			t.Errorf("ByNameKeys(%d keys) error = %v, want ErrNoDirectory", len(s.Keys()), err)
		}
	}
	if _, err := db.Cards(ctx, []string{"10000000007"}); !errors.Is(err, store.ErrNoCards) {
		t.Errorf("Cards error = %v, want ErrNoCards", err)
	}
}

func TestLoadRejectsUnnamedExtract(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	for _, ext := range []store.ExtractInfo{{Date: day(1)}, {Name: "x.txt"}} {
		_, err := db.LoadDirectory(context.Background(), ext, &sliceSource{}, store.LoadOptions{})
		if !errors.Is(err, store.ErrInvalidExtract) {
			t.Errorf("LoadDirectory(%+v) error = %v, want ErrInvalidExtract", ext, err)
		}
	}
}

// extractA is a small invented directory.
func extractA() []directory.Line {
	adeli := line("759912345", "NONRPPS", "Jean", "60", "750000001")
	adeli.IDType = "0"
	return []directory.Line{
		line("10000000001", "Le Gall", "Anne", "60", "750000001"),
		adeli,
		line("10000000002", "DUPONT", "Marc", "10", "750000001"),
		line("10000000002", "DUPONT", "Marc", "10", "690000002"),
		line("10000000002", "DUPONT", "Marc", "21", ""), // later line: profession comes from the first
		line("10000000003", "Dupond", "Léa", "50", "690000002"),
		line("10000000004", "LEGALL", "Paul", "70", ""),
		line("10000000005", "Martin", "Zoé", "60", "130000003"),
	}
}

func TestLoadAndQuery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	var progress []int64
	rep, err := db.LoadDirectory(ctx, store.ExtractInfo{Name: "PS_LibreAcces_Personne_activite_202601050000.txt", Date: day(5)},
		&sliceSource{lines: extractA()}, store.LoadOptions{Progress: func(n int64) { progress = append(progress, n) }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Lines != 7 || rep.Skipped != 1 || rep.People != 5 || rep.Previous != nil || rep.Forced {
		t.Errorf("report = lines %d skipped %d people %d previous %v forced %v; want 7 1 5 nil false",
			rep.Lines, rep.Skipped, rep.People, rep.Previous, rep.Forced)
	}
	if !reflect.DeepEqual(rep.Changes, store.ChangeSummary{}) {
		t.Errorf("first load reports changes %+v", rep.Changes)
	}
	if len(progress) == 0 || progress[len(progress)-1] != 8 {
		t.Errorf("progress calls %v, want a last call with 8 lines read", progress)
	}

	st, err := db.DirectoryStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.ExtractID != rep.ExtractID || st.Name != rep.Extract.Name || !st.Date.Equal(day(5)) ||
		st.Activities != 7 || st.People != 5 || st.CardExtract != nil || st.LoadedAt.IsZero() {
		t.Errorf("status = %+v", st)
	}

	dir := db.Directory()
	got, err := dir.Professionals(ctx, []string{"10000000002", "10000000005", "10000000099", "759912345"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]rppsync.Professional{
		"10000000002": {RPPS: "10000000002", LastName: "DUPONT", FirstName: "Marc", ProfessionCode: "10", ProfessionLabel: "Profession 10",
			Activities: []rppsync.Activity{
				{FinessSite: "750000001", FinessJuridique: "75000000" + "9", SiteName: "Site 750000001", ModeCode: "S", CommuneCode: "75056"},
				{FinessSite: "690000002", FinessJuridique: "75000000" + "9", SiteName: "Site 690000002", ModeCode: "S", CommuneCode: "75056"},
				{ModeCode: "S", CommuneCode: "75056"},
			}},
		"10000000005": {RPPS: "10000000005", LastName: "Martin", FirstName: "Zoé", ProfessionCode: "60", ProfessionLabel: "Profession 60",
			Activities: []rppsync.Activity{{FinessSite: "130000003", FinessJuridique: "75000000" + "9", SiteName: "Site 130000003", ModeCode: "S", CommuneCode: "75056"}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Professionals =\n%+v\nwant\n%+v", got, want)
	}

	keysOf := func(name string) []string { return namekey.Keys(namekey.Fold(name)) }
	rows := [][2]string{{"Le Gall", "Anne"}, {"Legall", "Paul"}, {"Dupont", "Marc"}, {"Nobody", "Jean"}}
	byKey, err := dir.ByNameKeys(ctx, searchOf(rows...))
	if err != nil {
		t.Fatal(err)
	}
	// The in-memory oracle: who has each key, by namekey.Keys itself,
	// among the people whose names the search accepts.
	s := searchOf(rows...)
	wantByKey := map[string][]string{}
	for _, k := range s.Keys() {
		for _, l := range extractA() {
			if l.IDType == "8" && slices.Contains(keysOf(l.LastName), k) && s.Keep(l.LastName, l.FirstName) &&
				!slices.Contains(wantByKey[k], l.ID) {
				wantByKey[k] = append(wantByKey[k], l.ID)
			}
		}
		slices.Sort(wantByKey[k])
		if len(wantByKey[k]) == 0 {
			delete(wantByKey, k)
		}
	}
	gotByKey := map[string][]string{}
	for k, ps := range byKey {
		for _, p := range ps {
			gotByKey[k] = append(gotByKey[k], p.RPPS)
		}
	}
	if !reflect.DeepEqual(gotByKey, wantByKey) {
		t.Errorf("ByNameKeys = %v\nwant %v", gotByKey, wantByKey)
	}
	// "Le Gall" and "LEGALL" meet under the compact key.
	if g := gotByKey["N:LEGALL"]; !reflect.DeepEqual(g, []string{"10000000001", "10000000004"}) {
		t.Errorf("ByNameKeys[N:LEGALL] = %v", g)
	}
	// Dupond Léa shares DUPONT's keys, but no row searches a Léa.
	if g := gotByKey["D:DUPON"]; !reflect.DeepEqual(g, []string{"10000000002"}) {
		t.Errorf("ByNameKeys[D:DUPON] = %v, want DUPONT Marc only", g)
	}
	if _, ok := byKey["N:NOBODY"]; ok {
		t.Error("a key with no one is in the map")
	}
	if p := byKey["N:DUPONT"][0]; len(p.Activities) != 3 || p.ProfessionCode != "10" {
		t.Errorf("ByNameKeys person = %+v, want all 3 activities and profession 10", p)
	}
	if empty, err := dir.Professionals(ctx, nil); err != nil || len(empty) != 0 {
		t.Errorf("Professionals(nil) = %v, %v; want empty map", empty, err)
	}
}

func changeRows(t *testing.T, db *store.DB, extractID int64) map[[3]string]bool {
	t.Helper()
	rows, err := db.Pool().Query(context.Background(), `SELECT kind, finess, rpps FROM directory_change WHERE extract_id = $1`, extractID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[[3]string]bool{}
	for rows.Next() {
		var k [3]string
		if err := rows.Scan(&k[0], &k[1], &k[2]); err != nil {
			t.Fatal(err)
		}
		out[k] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSecondLoadComputesChanges(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	mustLoad(t, db, "a.txt", 5, extractA())
	b := []directory.Line{
		line("10000000001", "Le Gall", "Anne", "60", "750000001"),
		line("10000000002", "DUPONT", "Marc", "10", "750000001"),
		// 10000000002 left 690000002; 10000000003 left the directory.
		line("10000000002", "DUPONT", "Marc", "21", ""),
		line("10000000004", "LEGALL", "Paul", "70", "750000001"), // new activity at 750000001
		line("10000000005", "Martin", "Zoé", "60", "130000003"),
		line("10000000006", "Nouvelle", "Inès", "60", "130000003"), // new person
		line("10000000006", "Nouvelle", "Inès", "60", ""),
	}
	rep := mustLoad(t, db, "b.txt", 6, b)
	if rep.Previous == nil || rep.Previous.Name != "a.txt" {
		t.Fatalf("Previous = %+v, want a.txt", rep.Previous)
	}
	wantTotals := store.ChangeSummary{PeopleAdded: 1, PeopleRemoved: 1, ActivitiesAdded: 2, ActivitiesEnded: 2}
	got := rep.Changes
	got.ByFINESS = nil
	if !reflect.DeepEqual(got, wantTotals) {
		t.Errorf("totals = %+v, want %+v", got, wantTotals)
	}
	wantBy := []store.FinessChanges{
		{FINESS: "130000003", PeopleAdded: 1, ActivitiesAdded: 1},
		{FINESS: "690000002", PeopleRemoved: 1, ActivitiesEnded: 2},
		{FINESS: "750000001", ActivitiesAdded: 1},
	}
	if !reflect.DeepEqual(rep.Changes.ByFINESS, wantBy) {
		t.Errorf("ByFINESS = %+v, want %+v", rep.Changes.ByFINESS, wantBy)
	}
	wantRows := map[[3]string]bool{
		{"activity_added", "750000001", "10000000004"}: true,
		{"activity_added", "130000003", "10000000006"}: true,
		{"person_added", "130000003", "10000000006"}:   true,
		{"person_added", "", "10000000006"}:            true,
		{"activity_ended", "690000002", "10000000002"}: true,
		{"activity_ended", "690000002", "10000000003"}: true,
		{"person_removed", "690000002", "10000000003"}: true,
	}
	if g := changeRows(t, db, rep.ExtractID); !reflect.DeepEqual(g, wantRows) {
		t.Errorf("directory_change rows = %v\nwant %v", g, wantRows)
	}
	ps, err := db.Directory().Professionals(context.Background(), []string{"10000000003", "10000000006"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ps["10000000003"]; ok || len(ps) != 1 {
		t.Errorf("after swap Professionals = %v, want only 10000000006", ps)
	}
}

func TestOlderExtractRefusedUnlessForced(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	mustLoad(t, db, "new.txt", 10, extractA())
	older := []directory.Line{line("10000000009", "Ancien", "Luc", "60", "750000001")}
	_, err := db.LoadDirectory(ctx, store.ExtractInfo{Name: "old.txt", Date: day(9)}, &sliceSource{lines: older}, store.LoadOptions{})
	if !errors.Is(err, store.ErrOlderExtract) {
		t.Fatalf("loading an older extract: error = %v, want ErrOlderExtract", err)
	}
	if st, err := db.DirectoryStatus(ctx); err != nil || st.Name != "new.txt" {
		t.Fatalf("after refusal status = %+v, %v; want new.txt", st, err)
	}
	// The same date is not older.
	mustLoad(t, db, "same-day.txt", 10, extractA())
	rep, err := db.LoadDirectory(ctx, store.ExtractInfo{Name: "old.txt", Date: day(9)}, &sliceSource{lines: older}, store.LoadOptions{Force: true})
	if err != nil {
		t.Fatalf("forced load: %v", err)
	}
	if !rep.Forced || rep.Previous == nil || rep.Previous.Name != "same-day.txt" {
		t.Errorf("forced report = %+v", rep)
	}
	if st, err := db.DirectoryStatus(ctx); err != nil || st.Name != "old.txt" || st.People != 1 {
		t.Fatalf("after forced load status = %+v, %v; want old.txt with 1 person", st, err)
	}
}

// stagingVisible reports whether a reader sees a staging table.
func stagingVisible(t *testing.T, db *store.DB) bool {
	t.Helper()
	var n int
	err := db.Pool().QueryRow(context.Background(),
		`SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE '%\_next'`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n > 0
}

func TestSourceFailureKeepsPreviousDirectory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	first := mustLoad(t, db, "a.txt", 5, extractA())
	errDisk := errors.New("disque illisible")
	src := &sliceSource{lines: make([]directory.Line, 0, 5000), failAfter: 4000, err: errDisk}
	g := &genSource{n: 5000, variant: -1}
	for g.Next() {
		src.lines = append(src.lines, g.Line())
	}
	_, err := db.LoadDirectory(ctx, store.ExtractInfo{Name: "b.txt", Date: day(6)}, src, store.LoadOptions{})
	if !errors.Is(err, errDisk) {
		t.Fatalf("error = %v, want the source's error", err)
	}
	st, err := db.DirectoryStatus(ctx)
	if err != nil || st.ExtractID != first.ExtractID || st.Activities != 7 {
		t.Fatalf("status after failed load = %+v, %v; want the first extract", st, err)
	}
	ps, err := db.Directory().Professionals(ctx, []string{"10000000001"})
	if err != nil || len(ps) != 1 {
		t.Fatalf("Professionals after failed load = %v, %v", ps, err)
	}
	if stagingVisible(t, db) {
		t.Error("a staging table is left after a failed load")
	}
	mustLoad(t, db, "c.txt", 7, extractA()[:3])
}

// TestFailureBetweenCommitsKeepsPreviousDirectory cancels a load once its
// staging table is committed, while its indexes are being built: the load
// says so, the previous directory stays, the staging table is dropped and
// the next load is not kept waiting for the lock.
func TestFailureBetweenCommitsKeepsPreviousDirectory(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	first := mustLoad(t, db, "a.txt", 5, extractA())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db.SetAfterStaging(func() {
		if !stagingVisible(t, db) {
			t.Error("the staging table is not committed when the indexes are built")
		}
		cancel()
	})
	_, err := db.LoadDirectory(ctx, store.ExtractInfo{Name: "b.txt", Date: day(6)}, &sliceSource{lines: extractA()[:3]}, store.LoadOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want the cancellation", err)
	}
	db.SetAfterStaging(nil)
	bg := context.Background()
	st, err := db.DirectoryStatus(bg)
	if err != nil || st.ExtractID != first.ExtractID || st.Activities != 7 {
		t.Fatalf("status after the failed load = %+v, %v; want the first extract", st, err)
	}
	if stagingVisible(t, db) {
		t.Error("a staging table is left after a load that failed between its commits")
	}
	lctx, lcancel := context.WithTimeout(bg, 30*time.Second)
	defer lcancel()
	rep, err := db.LoadDirectory(lctx, store.ExtractInfo{Name: "c.txt", Date: day(7)}, &sliceSource{lines: extractA()[:3]}, store.LoadOptions{})
	if err != nil || rep.Previous == nil || rep.Previous.Name != "a.txt" {
		t.Fatalf("next load = %+v, %v; want it to replace a.txt", rep, err)
	}
}

func TestReadersSeeWholeDirectories(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := storetest.New(t)
	linesOf := func(variant, n int) []directory.Line {
		g := &genSource{n: n, variant: variant}
		var ls []directory.Line
		for g.Next() {
			ls = append(ls, g.Line())
		}
		return ls
	}
	a, b := linesOf(-1, 20000), linesOf(3, 20000)
	mustLoad(t, db, "a.txt", 1, a)
	// Person 3 is in a and absent from b (3 % 97 == variant 3): a reader
	// sees it with its 1 + 3%3 = 1 line, or not at all, nothing between.
	probe := []string{a[0].ID, a[4].ID}
	if a[4].ID == a[0].ID {
		t.Fatal("generator changed: pick other probes")
	}
	var wg sync.WaitGroup
	errc := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			ps, err := db.Directory().Professionals(ctx, probe)
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				errc <- err
				return
			}
			if len(ps) == 0 {
				errc <- errors.New("a reader saw an empty directory")
				return
			}
		}
	}()
	for i := 0; i < 4; i++ {
		lines, name := b, "b.txt"
		if i%2 == 1 {
			lines, name = a, "a.txt"
		}
		mustLoad(t, db, name, 2+i, lines)
	}
	cancel()
	wg.Wait()
	select {
	case err := <-errc:
		t.Fatal(err)
	default:
	}
}

func TestCards(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	d := func(y int, m time.Month, dd int) rppsync.Date { v, _ := rppsync.NewDate(y, m, dd); return v }
	cards := []directory.Card{
		{RPPS: "10000000001", Number: "2100000001", Type: "CPS", ValidFrom: d(2023, 1, 1), ValidTo: d(2026, 1, 1), UpdatedAt: d(2023, 1, 2), Profession: "60"},
		{RPPS: "10000000001", Number: "2100000002", Type: "CPS", ValidFrom: d(2025, 6, 1), ValidTo: d(2028, 6, 1), OpposedAt: d(2025, 7, 1), Profession: "60"},
		{RPPS: "10000000002", Number: "3100000003", Type: "CPF", ValidFrom: d(2024, 2, 29), ValidTo: d(2027, 2, 28)},
		{RPPS: "", Number: "9999", Type: "CPS"},
	}
	rep, err := db.LoadCards(ctx, store.ExtractInfo{Name: "Porteurs_CPS_CPF_202601050000.txt", Date: day(5)}, &cardSource{cards: cards}, store.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Lines != 3 || rep.Skipped != 1 || rep.People != 2 {
		t.Errorf("card report = %+v", rep)
	}
	got, err := db.Cards(ctx, []string{"10000000001", "10000000002", "10000000003"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]directory.Card{
		"10000000001": {cards[1], cards[0]}, // latest end of validity first
		"10000000002": {cards[2]},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Cards =\n%+v\nwant\n%+v", got, want)
	}
	// Cards do not make a directory; once one is loaded the status shows both.
	if _, err := db.DirectoryStatus(ctx); !errors.Is(err, store.ErrNoDirectory) {
		t.Errorf("status with cards only: %v, want ErrNoDirectory", err)
	}
	mustLoad(t, db, "a.txt", 5, extractA())
	st, err := db.DirectoryStatus(ctx)
	if err != nil || st.Cards != 3 || st.CardExtract == nil || st.CardExtract.Name != rep.Extract.Name {
		t.Errorf("status = %+v, %v", st, err)
	}
	_, err = db.LoadCards(ctx, store.ExtractInfo{Name: "old.txt", Date: day(4)}, &cardSource{cards: cards}, store.LoadOptions{})
	if !errors.Is(err, store.ErrOlderExtract) {
		t.Errorf("older card extract: %v, want ErrOlderExtract", err)
	}
	rep2, err := db.LoadCards(ctx, store.ExtractInfo{Name: "c2.txt", Date: day(6)}, &cardSource{cards: cards[2:3]}, store.LoadOptions{})
	if err != nil || rep2.Lines != 1 {
		t.Fatalf("second card load = %+v, %v", rep2, err)
	}
	got, err = db.Cards(ctx, []string{"10000000001", "10000000002"})
	if err != nil || len(got) != 1 || len(got["10000000002"]) != 1 {
		t.Errorf("Cards after reload = %v, %v", got, err)
	}
}

func TestLoadHonoursCancellation(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	first := mustLoad(t, db, "a.txt", 5, extractA())
	ctx, cancel := context.WithCancel(context.Background())
	src := &genSource{n: 1_000_000, variant: -1, delay: func(n int) {
		if n == 20_000 {
			cancel()
		}
	}}
	_, err := db.LoadDirectory(ctx, store.ExtractInfo{Name: "b.txt", Date: day(6)}, src, store.LoadOptions{})
	if err == nil {
		t.Fatal("cancelled load succeeded")
	}
	st, err := db.DirectoryStatus(context.Background())
	if err != nil || st.ExtractID != first.ExtractID {
		t.Fatalf("status after cancelled load = %+v, %v", st, err)
	}
}

// TestLoadWithAPoolOfOne: a load holds one connection throughout and
// builds its indexes on connections of its own, so a pool of one
// connection loads too.
func TestLoadWithAPoolOfOne(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := store.Open(ctx, store.Config{URL: storetest.NewSchema(t), MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	mustLoad(t, db, "a.txt", 5, extractA())
	rep := mustLoad(t, db, "b.txt", 6, extractA()[:3])
	if rep.Previous == nil || rep.Previous.Name != "a.txt" || rep.Changes.PeopleRemoved == 0 {
		t.Errorf("second load = %+v", rep)
	}
}
