package store_test

import (
	"context"
	"testing"

	"github.com/rppsync/rppsync/directory"
	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/store/storetest"
)

// TestNameKeysKeptAcrossLoads: a load adds the keys of the names it
// brings, keeps those of the names that left (who then find nobody), and
// a reload of the same names adds nothing.
func TestNameKeysKeptAcrossLoads(t *testing.T) {
	for _, bulk := range []bool{false, true} {
		t.Run(map[bool]string{false: "index updated", true: "index rebuilt"}[bulk], func(t *testing.T) {
			if bulk {
				// Every load of more than one new name, most of its own,
				// rebuilds the key index, and analyzes the table.
				defer store.SetNameKeyThresholds(2, 1)()
			}
			testNameKeysKeptAcrossLoads(t)
		})
	}
}

func testNameKeysKeptAcrossLoads(t *testing.T) {
	db := storetest.New(t)
	ctx := context.Background()
	count := func(sql string) int {
		t.Helper()
		var n int
		if err := db.Pool().QueryRow(ctx, sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	first := []directory.Line{
		line(luhnRPPS(1), "Dubois", "Marie", "60", "010000016"),
		line(luhnRPPS(2), "Lefèvre", "Paul", "10", ""),
	}
	mustLoad(t, db, "PS_LibreAcces_Personne_activite_202601010000.txt", 1, first)
	if n := count(`SELECT count(*) FROM directory_name`); n != 2 {
		t.Fatalf("%d names after the first load, want 2", n)
	}
	keys := count(`SELECT count(*) FROM directory_name_key`)

	second := []directory.Line{
		line(luhnRPPS(2), "Lefèvre", "Paul", "10", ""),
		line(luhnRPPS(3), "Martinez", "Inès", "60", "010000016"),
	}
	mustLoad(t, db, "PS_LibreAcces_Personne_activite_202601020000.txt", 2, second)
	if n := count(`SELECT count(*) FROM directory_name`); n != 3 {
		t.Errorf("%d names after the second load, want 3 (DUBOIS kept, MARTINEZ added)", n)
	}
	if n := count(`SELECT count(*) FROM directory_name_key WHERE folded = 'MARTINEZ'`); n == 0 {
		t.Error("no key for the new name")
	}
	if n := count(`SELECT count(*) FROM directory_name_key`); n <= keys {
		t.Errorf("%d keys after adding a name, %d before", n, keys)
	}
	dir := db.Directory()
	got, err := dir.ByNameKeys(ctx, searchOf([2]string{"Martinez", "Ines"}, [2]string{"Dubois", "Marie"}))
	if err != nil {
		t.Fatal(err)
	}
	if ps := got["N:MARTINEZ"]; len(ps) != 1 || ps[0].RPPS != luhnRPPS(3) {
		t.Errorf("the new name's person: %+v", ps)
	}
	if ps, ok := got["N:DUBOIS"]; ok {
		t.Errorf("a name whose person left still finds %+v", ps)
	}

	keys = count(`SELECT count(*) FROM directory_name_key`)
	rep, err := db.LoadDirectory(ctx, store.ExtractInfo{Name: "PS_LibreAcces_Personne_activite_202601030000.txt", Date: day(3)},
		&sliceSource{lines: second}, store.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(`SELECT count(*) FROM directory_name_key`); n != keys || rep.Lines != 2 {
		t.Errorf("a reload of the same names: %d keys, %d before; %d lines", n, keys, rep.Lines)
	}
	if n := count(`SELECT count(*) FROM pg_indexes WHERE indexname = 'directory_name_key_key_hash_idx'`); n != 1 {
		t.Errorf("%d key indexes", n)
	}
}
