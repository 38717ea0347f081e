package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rppsync/rppsync/queue"
	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/store/storetest"
	"github.com/rppsync/rppsync/structures"
)

// exampleStructures parses the repository's documented example.
func exampleStructures(t testing.TB) *structures.File {
	t.Helper()
	r, err := os.Open(filepath.Join("..", "fixtures", "structures.example.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	f, err := structures.Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// parseStructures parses a configuration given as text.
func parseStructures(t testing.TB, s string) *structures.File {
	t.Helper()
	f, err := structures.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// diff returns d with its nil lists empty, as LoadStructures reports them.
func diff(d store.ConfigDiff) store.ConfigDiff {
	for _, l := range []*[]string{&d.Added, &d.Changed, &d.Removed} {
		if *l == nil {
			*l = []string{}
		}
	}
	return d
}

// aliasRows returns "alias→owner" of every row of an alias table, sorted.
func aliasRows(t testing.TB, db *store.DB, table, owner string) []string {
	t.Helper()
	rows, err := db.Pool().Query(context.Background(), `SELECT alias || '→' || `+owner+` FROM `+table+` ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLoadStructuresRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)

	if _, err := db.StructureConfig(ctx); !errors.Is(err, store.ErrStructuresNotLoaded) {
		t.Fatalf("StructureConfig before any load: %v, want ErrStructuresNotLoaded", err)
	}

	f := exampleStructures(t)
	t1 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	rep, err := db.LoadStructures(ctx, f, t1)
	if err != nil {
		t.Fatal(err)
	}
	want := store.StructuresReport{
		Structures: diff(store.ConfigDiff{Added: []string{chA, chB, chC}}),
		Agencies:   diff(store.ConfigDiff{Added: []string{"Intérim Alpha", "Intérim Beta", "Intérim Gamma"}}),
	}
	if !reflect.DeepEqual(*rep, want) {
		t.Fatalf("first load = %+v, want %+v", *rep, want)
	}

	// What is read back is what was loaded.
	ss, err := db.Structures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 3 {
		t.Fatalf("%d structures read back", len(ss))
	}
	for i, s := range ss {
		if !reflect.DeepEqual(s.Structure, f.Structures[i]) {
			t.Errorf("structure %d read back as\n%+v\nwant\n%+v", i, s.Structure, f.Structures[i])
		}
		if !s.LoadedAt.Equal(t1) {
			t.Errorf("structure %s loaded at %v, want %v", s.FINESS, s.LoadedAt, t1)
		}
	}
	as, err := db.Agencies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 3 || !reflect.DeepEqual(as[0].Agency, f.Agencies[0]) {
		t.Errorf("agencies read back: %+v", as)
	}
	cfg, err := db.StructureConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := cfg.Resolve("chsb site nord"); !ok || got != chA {
		t.Errorf("Resolve from the database = %q, %v", got, ok)
	}
	if a, ok := cfg.ResolveAgency("INTERIM ALPHA"); !ok || a.Name != "Intérim Alpha" {
		t.Errorf("ResolveAgency from the database = %v, %v", a, ok)
	}
	wantAliases := []string{
		"CENTRE HOSPITALIER SYNTHETIQUE DE BESANCON→" + chA, "CH SYNTHETIQUE DE BESANCON→" + chA, "CHSB SITE NORD→" + chA, "CHSB→" + chA,
		"CLINIQUE EXEMPLE PARIS BATIMENT A→" + chC, "CLINIQUE EXEMPLE PARIS→" + chC,
		"HOPITAL FICTIF LYON SUD PAVILLON B→" + chB, "HOPITAL FICTIF LYON SUD SITE SUD→" + chB, "HOPITAL FICTIF LYON SUD→" + chB,
	}
	slices.Sort(wantAliases)
	if got := aliasRows(t, db, "structure_alias", "finess"); !reflect.DeepEqual(got, wantAliases) {
		t.Errorf("structure_alias =\n%q\nwant\n%q", got, wantAliases)
	}

	// The same file again changes nothing, loaded_at included.
	t2 := t1.Add(24 * time.Hour)
	rep, err = db.LoadStructures(ctx, exampleStructures(t), t2)
	if err != nil {
		t.Fatal(err)
	}
	want = store.StructuresReport{Structures: diff(store.ConfigDiff{Unchanged: 3}), Agencies: diff(store.ConfigDiff{Unchanged: 3})}
	if !reflect.DeepEqual(*rep, want) {
		t.Fatalf("same file again = %+v, want %+v", *rep, want)
	}

	// A new version: CH-B's contact changes, CH-C leaves, a new structure
	// arrives and takes the alias CH-A gave up, an agency is renamed.
	next := `{"version": 1,
	"structures": [
		{"finess": "250999901", "name": "Centre hospitalier synthétique de Besançon",
		 "aliases": ["CH SYNTHETIQUE DE BESANCON", "CHSB"],
		 "contacts": [{"name": "Bureau des gestionnaires RPPS+", "email": "rpps.plus@chsb.example.org", "role": "gestionnaire_rpps"},
		              {"name": "Direction des ressources humaines", "email": "drh@chsb.example.org", "role": "rh"}],
		 "mssante": "rh@chsb.mssante.fr",
		 "webhook": {"url": "https://si.chsb.example.org/rppsync/notifications", "secret_env": "RPPSYNC_WEBHOOK_SECRET_CHSB"},
		 "digest": {"time": "07:30", "days": ["lundi", "mardi", "mercredi", "jeudi", "vendredi"], "attach": true}},
		{"finess": "690999909", "name": "Hôpital fictif Lyon Sud",
		 "aliases": ["HOPITAL FICTIF LYON SUD, site Sud", "HOPITAL FICTIF LYON SUD, pavillon B"],
		 "contacts": [{"name": "Cellule intérim", "email": "interim.lyon@hfls.example.org", "role": "rh"}],
		 "digest": {"time": "06:45", "urgent_hours": 48}},
		{"finess": "250999919", "name": "CHSB site Nord", "contacts": [{"email": "rh@chsb-nord.example.org"}]}
	],
	"agencies": [
		{"name": "Intérim Alpha", "aliases": ["INTÉRIM ALPHA", "Alpha Intérim Santé"],
		 "contacts": [{"name": "Agence de Besançon", "email": "besancon@interim-alpha.example.org"}]},
		{"name": "Intérim Beta", "contacts": [{"email": "conformite@interim-beta.example.org", "role": "autre"}]},
		{"name": "Gamma Intérim", "contacts": []}
	]}`
	t3 := t2.Add(24 * time.Hour)
	rep, err = db.LoadStructures(ctx, parseStructures(t, next), t3)
	if err != nil {
		t.Fatal(err)
	}
	want = store.StructuresReport{
		Structures: diff(store.ConfigDiff{Added: []string{"250999919"}, Changed: []string{chA, chB}, Removed: []string{chC}}),
		Agencies:   diff(store.ConfigDiff{Added: []string{"Gamma Intérim"}, Removed: []string{"Intérim Gamma"}, Unchanged: 2}),
	}
	if !reflect.DeepEqual(*rep, want) {
		t.Fatalf("new version = %+v, want %+v", *rep, want)
	}
	ss, err = db.Structures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	loaded := map[string]time.Time{}
	for _, s := range ss {
		loaded[s.FINESS] = s.LoadedAt
	}
	if len(ss) != 3 || !loaded[chA].Equal(t3) || !loaded[chB].Equal(t3) || !loaded["250999919"].Equal(t3) {
		t.Errorf("loaded_at after the new version: %v", loaded)
	}
	as, err = db.Agencies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 3 || !as[1].LoadedAt.Equal(t1) {
		t.Errorf("an unchanged agency keeps its loaded_at: %+v", as)
	}
	cfg, err = db.StructureConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := cfg.Resolve("CHSB site Nord"); !ok || got != "250999919" {
		t.Errorf("the moved alias resolves to %q, %v", got, ok)
	}
	if _, ok := cfg.Resolve("Clinique exemple Paris"); ok {
		t.Error("a removed structure still resolves")
	}
	if got := aliasRows(t, db, "agency_alias", "agency"); !slices.Contains(got, "GAMMA INTERIM→Gamma Intérim") || slices.Contains(got, "INTERIM GAMMA→Intérim Gamma") {
		t.Errorf("agency_alias = %q", got)
	}
}

func TestLoadStructuresRefusesAnInvalidConfiguration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	if _, err := db.LoadStructures(ctx, exampleStructures(t), impNow); err != nil {
		t.Fatal(err)
	}
	// A File built by hand, not by Parse: empty, then with a bad FINESS.
	for _, f := range []*structures.File{
		{},
		{Structures: []structures.Structure{{FINESS: "250999902", Name: "X", Digest: structures.Digest{Enabled: false}}}},
	} {
		_, err := db.LoadStructures(ctx, f, impNow)
		if !errors.Is(err, structures.ErrInvalid) {
			t.Errorf("LoadStructures(%+v) = %v, want ErrInvalid", f, err)
		}
	}
	if _, err := db.LoadStructures(ctx, nil, impNow); err == nil {
		t.Error("LoadStructures(nil) succeeded")
	}
	ss, err := db.Structures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 3 {
		t.Errorf("a refused load changed the configuration: %d structures", len(ss))
	}

	// A File built by hand is stored normalised, defaults included.
	hand := &structures.File{Structures: []structures.Structure{{FINESS: "250 999 901", Name: "CH A",
		Contacts: []structures.Contact{{Email: " drh@a.example.org "}}, Digest: structures.Digest{Enabled: true, Days: []string{"Lundi"}}}}}
	if _, err := db.LoadStructures(ctx, hand, impNow); err != nil {
		t.Fatal(err)
	}
	ss, err = db.Structures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := structures.Structure{FINESS: chA, Name: "CH A", Contacts: []structures.Contact{{Email: "drh@a.example.org"}},
		Digest: structures.Digest{Enabled: true, Time: "07:00", Days: []string{"lundi"}, Language: "fr", UrgentHours: 72}}
	if len(ss) != 1 || !reflect.DeepEqual(ss[0].Structure, want) {
		t.Errorf("stored\n%+v\nwant\n%+v", ss, want)
	}
}

func TestLoadStructuresConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	// Two configurations that give one alias to different structures: run
	// at once, each load is whole, and the aliases are those of the last.
	a := exampleStructures(t)
	b := parseStructures(t, `{"version": 1, "structures": [
		{"finess": "250999919", "name": "CHSB site Nord", "aliases": ["CHSB"], "contacts": [{"email": "rh@chsb-nord.example.org"}]}]}`)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, f := range []*structures.File{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = db.LoadStructures(ctx, f, impNow)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := db.StructureConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	switch len(cfg.Structures) {
	case 3:
		if got, _ := cfg.Resolve("CHSB"); got != chA {
			t.Errorf("after a's load CHSB → %q", got)
		}
	case 1:
		if got, _ := cfg.Resolve("CHSB"); got != "250999919" {
			t.Errorf("after b's load CHSB → %q", got)
		}
	default:
		t.Fatalf("%d structures: the loads mixed", len(cfg.Structures))
	}
	var orphans int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM structure_alias a
		WHERE NOT EXISTS (SELECT 1 FROM structure s WHERE s.finess = a.finess)`).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if orphans != 0 {
		t.Errorf("%d aliases of no structure", orphans)
	}
}

func TestUnconfiguredFINESSKeptAndReported(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	cards := fixtureCards(t)
	unknown := pRoux
	unknown.finess = "130000000" // a FINESS nobody configured
	noFINESS := pLambert
	noFINESS.finess = ""
	rows := impRows("inbox/alpha.csv", "", cards, pDupont, pBernard, pMartinB, unknown, noFINESS)
	mustImport(t, db, impFile("inbox/alpha.csv", "Intérim Alpha", "alpha"), rows)
	rows = impRows("inbox/beta.csv", "", cards, pLambert)
	mustImport(t, db, impFile("inbox/beta.csv", "Intérim Beta", "beta"), rows)
	before := impCounts(t, db)

	// wantCount builds the expected line of finess from the queue itself.
	wantCount := func(finess string, contracts, rows int, agencies ...string) store.FINESSCount {
		items, err := db.Items(ctx, store.ItemFilter{FINESS: finess, States: []queue.State{queue.StatePending, queue.StateDone, queue.StateCancelled, queue.StateExpired}})
		if err != nil {
			t.Fatal(err)
		}
		pending, err := db.Items(ctx, store.ItemFilter{FINESS: finess, States: []queue.State{queue.StatePending}})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) == 0 {
			t.Fatalf("no item at %s: the test needs some", finess)
		}
		return store.FINESSCount{FINESS: finess, Contracts: contracts, Rows: rows, Items: len(items), Pending: len(pending),
			Agencies: agencies, LastSeen: impNow}
	}
	check := func(step string, want ...store.FINESSCount) {
		t.Helper()
		got, err := db.UnconfiguredFINESS(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			got[i].LastSeen = got[i].LastSeen.UTC()
		}
		slices.SortFunc(want, func(a, b store.FINESSCount) int {
			if a.Pending != b.Pending {
				return b.Pending - a.Pending
			}
			return strings.Compare(a.FINESS, b.FINESS)
		})
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: UnconfiguredFINESS =\n%+v\nwant\n%+v", step, got, want)
		}
	}
	a := wantCount(chA, 2, 2, "Intérim Alpha")
	b := wantCount(chB, 2, 2, "Intérim Alpha", "Intérim Beta")
	u := wantCount("130000000", 1, 1, "Intérim Alpha")

	// With no configuration, every FINESS is unconfigured; the row
	// without FINESS is its agency's, not listed.
	check("no configuration", a, b, u)

	// The example configures CH-A, CH-B and CH-C: only the unknown one is
	// left.
	if _, err := db.LoadStructures(ctx, exampleStructures(t), impNow); err != nil {
		t.Fatal(err)
	}
	check("example loaded", u)

	// CH-A leaves the configuration: its rows and items stay and are
	// listed again.
	onlyB := parseStructures(t, `{"version": 1, "structures": [{"finess": "690999909", "name": "Hôpital fictif Lyon Sud",
		"contacts": [{"email": "interim@hfls.example.org"}]}]}`)
	if _, err := db.LoadStructures(ctx, onlyB, impNow); err != nil {
		t.Fatal(err)
	}
	check("CH-A removed", a, u)
	if after := impCounts(t, db); !reflect.DeepEqual(after, before) {
		t.Errorf("loading configurations changed the imported rows: %v → %v", before, after)
	}
}
