package directory

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/matcher"
)

func keysOf(names ...string) []string {
	var keys []string
	for _, n := range names {
		keys = append(keys, matcher.NameKeys(matcher.Fold(n))...)
	}
	return keys
}

func TestLoadFiltered(t *testing.T) {
	ctx := context.Background()
	dubois := keysOf("Dubois")
	m, st, err := LoadFiltered(ctx, firstExtract,
		[]string{"10999000010", "10999000028", "10999000127"}, append(dubois, keysOf("Lefevre")...))
	if err != nil {
		t.Fatal(err)
	}
	if st.Lines != 13 || st.Kept != 13 || st.Bad != 0 {
		t.Errorf("stats %+v", st)
	}
	// MARTIN, DUPONT by number; DUBOIS ×2 and LEFÈVRE by name.
	if m.Len() != 5 {
		t.Errorf("kept %d professionals, want 5", m.Len())
	}

	pros, err := m.Professionals(ctx, []string{"10999000028", "10999000127"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := pros["10999000127"]; ok || len(pros) != 1 {
		t.Errorf("professionals = %v", pros)
	}
	dupont := pros["10999000028"]
	want := rppsync.Professional{
		RPPS: "10999000028", LastName: "DUPONT", FirstName: "JEAN-PIERRE", ProfessionCode: "10", ProfessionLabel: "Médecin",
		Activities: []rppsync.Activity{
			{FinessSite: "250999901", FinessJuridique: "250999919", SiteName: "CH SYNTHETIQUE DE BESANCON", ModeCode: "S", CommuneCode: "25056"},
			{FinessSite: "690999909", FinessJuridique: "690999917", SiteName: "HOPITAL FICTIF LYON SUD", ModeCode: "S", CommuneCode: "69123"},
		},
	}
	if dupont.RPPS != want.RPPS || dupont.FirstName != want.FirstName || !slices.Equal(dupont.Activities, want.Activities) {
		t.Errorf("DUPONT:\n got %+v\nwant %+v", dupont, want)
	}

	byKey, err := m.ByNameKeys(ctx, dubois)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range dubois {
		var got []string
		for _, p := range byKey[k] {
			got = append(got, p.RPPS+" "+p.ProfessionCode)
		}
		if strings.Join(got, ",") != "10999000085 60,10999000093 10" {
			t.Errorf("key %s: %v", k, got)
		}
	}
	lef, err := m.ByNameKeys(ctx, keysOf("LEFÈVRE"))
	if err != nil || len(lef[keysOf("Lefevre")[0]]) != 1 {
		t.Errorf("LEFÈVRE by key: %v, %v", lef, err)
	}

	// Answers outside the filter would be wrong, so they are errors.
	if _, err := m.Professionals(ctx, []string{"10999000044"}); !errors.Is(err, ErrNotLoaded) {
		t.Errorf("RPPS outside the filter: err = %v", err)
	}
	if _, err := m.ByNameKeys(ctx, keysOf("Nguyen")); !errors.Is(err, ErrNotLoaded) {
		t.Errorf("key outside the filter: err = %v", err)
	}

	// Results are copies: changing them does not change the directory.
	dupont.Activities[0].FinessSite = "x"
	again, _ := m.Professionals(ctx, []string{"10999000028"})
	if again["10999000028"].Activities[0].FinessSite != "250999901" {
		t.Error("caller changed the shared activities")
	}
}

func TestLoadFilteredSecondExtractAndZip(t *testing.T) {
	ctx := context.Background()
	zipped := filepath.Join(t.TempDir(), "PS_LibreAcces.zip")
	writeZip(t, zipped, [][2]string{{filepath.Base(secondExtract), secondExtract}})
	m, _, err := LoadFiltered(ctx, zipped, []string{"10999000010", "10999000036", "10999000135"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pros, err := m.Professionals(ctx, []string{"10999000010", "10999000036", "10999000135"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(pros["10999000010"].Activities); n != 2 {
		t.Errorf("MARTIN has %d activities in the second extract, want 2", n)
	}
	if _, ok := pros["10999000036"]; ok {
		t.Error("LEFÈVRE is absent from the second extract")
	}
	if b := pros["10999000135"]; b.ProfessionCode != "" || len(b.Activities) != 1 || b.Activities[0].RoleCode != "313" {
		t.Errorf("BERNARD = %+v", b)
	}
}

func TestLoadFilteredErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	path := filepath.Join(t.TempDir(), "big.txt")
	writeSynthetic(t, path, 3*ctxCheckEvery)
	if _, _, err := LoadFiltered(ctx, path, nil, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
	if _, _, err := LoadFiltered(context.Background(), filepath.Join(t.TempDir(), "none.txt"), nil, nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("absent file: err = %v", err)
	}
	bad := filepath.Join(t.TempDir(), "x.txt")
	if err := os.WriteFile(bad, []byte("Nom|Prénom|\nA|B|\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadFiltered(context.Background(), bad, nil, nil); !errors.Is(err, ErrMissingColumns) {
		t.Errorf("not an extract: err = %v", err)
	}
}
