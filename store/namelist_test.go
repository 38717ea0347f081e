package store_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rppsync/rppsync/namekey"

	"github.com/rppsync/rppsync/directory"
	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/store/storetest"
)

// nameLists returns the rows of directory_name_list: extract id → names.
func nameLists(t *testing.T, db *store.DB) map[int64][]string {
	t.Helper()
	rows, err := db.Pool().Query(context.Background(), `SELECT extract_id, names FROM directory_name_list`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var (
			id    int64
			names []byte
		)
		if err := rows.Scan(&id, &names); err != nil {
			t.Fatal(err)
		}
		list := string(names)
		if list != "" && !strings.HasSuffix(list, "\n") {
			t.Errorf("list of extract %d does not end with a newline: %q", id, list)
		}
		out[id] = strings.Split(strings.TrimSuffix(list, "\n"), "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// foldedNames returns the distinct folded last names of lines, sorted.
func foldedNames(lines []directory.Line) []string {
	var out []string
	for _, l := range lines {
		if l.IDType == "8" {
			out = append(out, namekey.Fold(l.LastName))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestLoadListsNames checks that each load writes the sorted distinct
// folded names of its extract, and only the current extract keeps its
// list.
func TestLoadListsNames(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	first := sharedKeysExtract()
	rep := mustLoad(t, db, "a.txt", 5, first)
	want := map[int64][]string{rep.ExtractID: foldedNames(first)}
	if got := nameLists(t, db); !reflect.DeepEqual(got, want) {
		t.Fatalf("name lists after the first load = %v, want %v", got, want)
	}
	second := append(first[:4:4], line("10000000201", "Lefèvre-Durand", "Zoé", "60", ""))
	rep = mustLoad(t, db, "b.txt", 6, second)
	want = map[int64][]string{rep.ExtractID: foldedNames(second)}
	if got := nameLists(t, db); !reflect.DeepEqual(got, want) {
		t.Fatalf("name lists after the second load = %v, want %v (the first list dropped)", got, want)
	}
	if !slices.Contains(want[rep.ExtractID], "LEFEVRE DURAND") {
		t.Errorf("the list %q misses the folded name of Lefèvre-Durand", want[rep.ExtractID])
	}
}

// TestByNameKeysFollowsLoads uses one Directory across loads: it keeps
// the list of names of the extract it saw, and reads the new one when a
// load has replaced it, or builds it from the lines when it is missing.
func TestByNameKeysFollowsLoads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	dir := db.Directory()
	rows := [][2]string{{"Martin", "Ève"}, {"Lefevre Durand", "Zoe"}, {"Zabrowsky", "Anne"}}
	if _, err := dir.ByNameKeys(ctx, searchOf(rows...)); !errors.Is(err, store.ErrNoDirectory) {
		t.Fatalf("ByNameKeys before any load: %v, want ErrNoDirectory", err)
	}
	check := func(when string, lines []directory.Line) map[string][]string {
		t.Helper()
		got, err := dir.ByNameKeys(ctx, searchOf(rows...))
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if want := wantByNameKeys(lines, searchOf(rows...)); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: ByNameKeys =\n%+v\nwant\n%+v", when, got, want)
		}
		ids := map[string][]string{}
		for k, ps := range got {
			ids[k] = rppsOf(ps)
		}
		return ids
	}
	first := sharedKeysExtract()
	mustLoad(t, db, "a.txt", 5, first)
	if ids := check("first extract", first); len(ids["N:LEFEVREDURAND"]) != 0 || len(ids["N:MARTIN"]) == 0 {
		t.Fatalf("first extract: %v, want MARTIN and no LEFEVRE DURAND", ids)
	}
	check("first extract, list kept", first)

	second := append(slices.Clone(first), line("10000000201", "LEFÈVRE-DURAND", "Zoé", "60", ""))
	mustLoad(t, db, "b.txt", 6, second)
	if ids := check("second extract", second); !slices.Equal(ids["N:LEFEVREDURAND"], []string{"10000000201"}) {
		t.Fatalf("second extract: N:LEFEVREDURAND lists %v, want the new Zoé", ids["N:LEFEVREDURAND"])
	}

	// A list lost: the search builds it from the lines, and answers the same.
	if _, err := db.Pool().Exec(ctx, `DELETE FROM directory_name_list`); err != nil {
		t.Fatal(err)
	}
	third := append(slices.Clone(second), line("10000000202", "ZABROWSKI", "Anne", "10", ""))
	mustLoad(t, db, "c.txt", 7, third)
	if _, err := db.Pool().Exec(ctx, `DELETE FROM directory_name_list`); err != nil {
		t.Fatal(err)
	}
	if ids := check("third extract without its list", third); !slices.Equal(ids["D:ZABROWSK"], []string{"10000000202"}) {
		t.Fatalf("third extract: D:ZABROWSK lists %v, want the new Anne ZABROWSKI", ids["D:ZABROWSK"])
	}
}

// TestMigrationListsLoadedNames migrates a database that has a directory
// loaded under migration 0003 (name keys in directory_name_key): 0004
// lists its names and drops the key tables, and the name search finds the
// same people.
func TestMigrationListsLoadedNames(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.Open(t, storetest.NewSchema(t))
	if _, err := db.MigrateUpTo(ctx, 3); err != nil {
		t.Fatal(err)
	}
	lines := sharedKeysExtract()
	// The directory as a 0003 load left it (the key tables are not read
	// any more: their content does not matter).
	var id int64
	if err := db.Pool().QueryRow(ctx, `INSERT INTO extract (kind, name, extract_date, lines, skipped, people)
		VALUES ('activities', 'a.txt', '2026-01-05', $1, 0, 0) RETURNING id`, len(lines)).Scan(&id); err != nil {
		t.Fatal(err)
	}
	for i, l := range lines {
		if _, err := db.Pool().Exec(ctx, `INSERT INTO directory_line VALUES ($1, $2, '', '', $3, $4, $5, '', '', '', '', $6, '', '', '', '', '', $7)`,
			l.ID, i+1, l.LastName, l.FirstName, l.ProfessionCode, l.FinessSite, namekey.Fold(l.LastName)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Pool().Exec(ctx, `INSERT INTO directory_name SELECT DISTINCT last_name_folded FROM directory_line`); err != nil {
		t.Fatal(err)
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(applied, "0004_directory_name_list") {
		t.Fatalf("Migrate applied %v, want 0004_directory_name_list", applied)
	}
	if got, want := nameLists(t, db), map[int64][]string{id: foldedNames(lines)}; !reflect.DeepEqual(got, want) {
		t.Fatalf("name lists after the migration = %v, want %v", got, want)
	}
	var left int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_class WHERE relname IN ('directory_name_key', 'directory_name')
		AND relnamespace = current_schema()::regnamespace`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d key tables left after the migration", left)
	}
	rows := [][2]string{{"Martin", "Ève"}, {"Dupond", "Prénom6"}}
	got, err := db.Directory().ByNameKeys(ctx, searchOf(rows...))
	if err != nil {
		t.Fatal(err)
	}
	// The lines inserted by hand have no activity columns but FINESS.
	want := wantByNameKeys(lines, searchOf(rows...))
	for _, ps := range want {
		for i := range ps {
			ps[i].ProfessionLabel = ""
			acts := slices.Clone(ps[i].Activities)
			for j := range acts {
				acts[j] = directory.Line{FinessSite: acts[j].FinessSite}.Activity()
			}
			ps[i].Activities = acts
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ByNameKeys after the migration =\n%+v\nwant\n%+v", got, want)
	}
	if len(got["N:MARTIN"]) == 0 || len(got["N:DUPOND"]) == 0 {
		t.Errorf("ByNameKeys after the migration found %v, want MARTIN and DUPOND", got)
	}
}

// TestPrefetch checks that Prefetch keeps the list of names in the
// Directory: a list changed behind its back (a test's doing; loads write a
// new extract) is not read again.
func TestPrefetch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	dir := db.Directory()
	if err := dir.Prefetch(ctx); !errors.Is(err, store.ErrNoDirectory) {
		t.Fatalf("Prefetch before any load: %v, want ErrNoDirectory", err)
	}
	lines := sharedKeysExtract()
	mustLoad(t, db, "a.txt", 5, lines)
	if err := dir.Prefetch(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool().Exec(ctx, `UPDATE directory_name_list SET names = convert_to(E'ZZZ\n', 'UTF8')`); err != nil {
		t.Fatal(err)
	}
	rows := [][2]string{{"Martin", "Ève"}}
	got, err := dir.ByNameKeys(ctx, searchOf(rows...))
	if err != nil {
		t.Fatal(err)
	}
	if want := wantByNameKeys(lines, searchOf(rows...)); !reflect.DeepEqual(got, want) || len(got["N:MARTIN"]) == 0 {
		t.Errorf("ByNameKeys after Prefetch =\n%+v\nwant the prefetched list's answer\n%+v", got, want)
	}
	// Another Directory reads the list as it now is: no MARTIN.
	got, err = db.Directory().ByNameKeys(ctx, searchOf(rows...))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("a new Directory found %v with a list of ZZZ only", got)
	}
}
