package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/directory"
	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/store/storetest"
)

// TestJuridiqueSites: a legal entity's FINESS is recognised with its sites
// (each named by its least name), and a number that is also a site is
// not one. directory.TestMemoryJuridiqueSites checks the same lines give
// the in-memory directory the same answer.
func TestJuridiqueSites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	if _, err := db.Directory().JuridiqueSites(ctx, []string{"250000010"}); !errors.Is(err, store.ErrNoDirectory) {
		t.Errorf("no directory: err = %v, want ErrNoDirectory", err)
	}
	at := func(n int, site, jur, name string) directory.Line {
		l := line(luhnRPPS(n), "NOM", "PRENOM", "60", "")
		l.FinessSite, l.FinessJuridique, l.SiteName = site, jur, name
		return l
	}
	mustLoad(t, db, "PS_LibreAcces_Personne_activite_202611200800.txt", 20, []directory.Line{
		at(1, "250000001", "250000010", "B NAME"),
		at(2, "250000001", "250000010", "A NAME"),
		at(3, "250000002", "250000010", "SITE 2"),
		at(4, "", "250000010", "NO SITE"),
		at(5, "250000003", "250000020", "SITE 3"),
		at(6, "250000020", "250000030", "K IS A SITE"),
	})
	got, err := db.Directory().JuridiqueSites(ctx, []string{"250000010", "250000020", "250000001", "999999999"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]rppsync.Site{"250000010": {{FINESS: "250000001", Name: "A NAME"}, {FINESS: "250000002", Name: "SITE 2"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("JuridiqueSites = %+v, want %+v", got, want)
	}
}
