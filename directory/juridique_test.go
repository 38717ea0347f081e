package directory

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rppsync/rppsync"
)

// TestMemoryJuridiqueSites: the lines of store.TestJuridiqueSites give the
// in-memory directory the same answer as the database.
func TestMemoryJuridiqueSites(t *testing.T) {
	ctx := context.Background()
	header, rows := fixtureParts(t)
	var b strings.Builder
	b.Write(header)
	for i, l := range [][3]string{
		{"250000001", "250000010", "B NAME"},
		{"250000001", "250000010", "A NAME"},
		{"250000002", "250000010", "SITE 2"},
		{"", "250000010", "NO SITE"},
		{"250000003", "250000020", "SITE 3"},
		{"250000020", "250000030", "K IS A SITE"},
	} {
		f := slices.Clone(rows[0])
		f[1], f[2] = rppsFromSeq(700+i), "8"+rppsFromSeq(700+i)
		f[21], f[22], f[24] = l[0], l[1], l[2]
		b.WriteString(strings.Join(f, "|") + "\n")
	}
	path := filepath.Join(t.TempDir(), "PS_LibreAcces_Personne_activite_202611200800.txt")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	asked := []string{"250000010", "250000020", "250000001", "999999999"}
	m, _, err := LoadFilteredSites(ctx, path, nil, nil, asked)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.JuridiqueSites(ctx, asked)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]rppsync.Site{"250000010": {{FINESS: "250000001", Name: "A NAME"}, {FINESS: "250000002", Name: "SITE 2"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("JuridiqueSites = %+v, want %+v", got, want)
	}
	if m.Len() != 0 {
		t.Errorf("%d professionals kept: lines kept for their FINESS are no candidates", m.Len())
	}
	if _, err := m.JuridiqueSites(ctx, []string{"250000099"}); !errors.Is(err, ErrNotLoaded) {
		t.Errorf("a FINESS outside the filter: err = %v, want ErrNotLoaded", err)
	}
	plain, _, err := LoadFiltered(ctx, path, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := plain.JuridiqueSites(ctx, asked); err != nil || len(got) != 0 {
		t.Errorf("LoadFiltered: JuridiqueSites = %v, %v; want none", got, err)
	}
}

func TestThreeFields(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		cols [3]int
		want [3]string
	}{
		{"a|b|c|d", [3]int{1, 3, 2}, [3]string{"b", "d", "c"}},
		{"a|b|c|d", [3]int{0, 2, 0}, [3]string{"a", "c", "a"}},
		{"a||c|", [3]int{1, 3, 0}, [3]string{"", "", "a"}},
		{"a|b", [3]int{1, 4, 0}, [3]string{"b", "", "a"}},
	} {
		got := threeFields([]byte(tc.raw), tc.cols)
		if string(got[0]) != tc.want[0] || string(got[1]) != tc.want[1] || string(got[2]) != tc.want[2] {
			t.Errorf("threeFields(%q, %v) = %q, want %q", tc.raw, tc.cols, got, tc.want)
		}
	}
}

// BenchmarkLoadFilteredSites is BenchmarkLoadFiltered asking also for the
// FINESS of the fixture's structures, sites and legal entities: what a
// check pays for JuridiqueSites.
func BenchmarkLoadFilteredSites(b *testing.B) {
	path := filepath.Join(b.TempDir(), "PS_LibreAcces_Personne_activite_202611200800.txt")
	writeVaried(b, path, 100_000, 50_000, 3)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	rpps := []string{rppsFromSeq(17), rppsFromSeq(90_001)}
	keys := searchOf([]string{"Martin", "Lefèvre", madeUpName(12), madeUpName(4000)}, fixtureFirsts...)
	finess := []string{"250999901", "250999919", "690999917", "750999906"}
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	for b.Loop() {
		m, _, err := LoadFilteredSites(context.Background(), path, rpps, keys, finess)
		if err != nil || m.Len() == 0 {
			b.Fatalf("kept %v, err %v", m, err)
		}
	}
}
