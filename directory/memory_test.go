package directory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rppsync/rppsync/namekey"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/importer"
	"github.com/rppsync/rppsync/matcher"
)

func keysOf(names ...string) []string {
	var keys []string
	for _, n := range names {
		keys = append(keys, namekey.Keys(namekey.Fold(n))...)
	}
	return keys
}

func TestLoadFiltered(t *testing.T) {
	ctx := context.Background()
	// Agency rows: Marie Dubois and Sophie Lefevre without an RPPS, and
	// three RPPS (10999000127 is absent from the extract).
	load := searchOf([]string{"Dubois"}, "Marie")
	_, both := matcher.Wanted([]rppsync.Record{
		agencyRow(2, "Dubois", "Marie", "", "IDE"), agencyRow(3, "Lefevre", "Sophie", "", "IDE"),
	}, 0)
	m, st, err := LoadFiltered(ctx, firstExtract,
		[]string{"10999000010", "10999000028", "10999000127"}, both)
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

	byKey, err := m.ByNameKeys(ctx, load)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keysOf("Dubois") {
		var got []string
		for _, p := range byKey[k] {
			got = append(got, p.RPPS+" "+p.ProfessionCode)
		}
		if strings.Join(got, ",") != "10999000085 60,10999000093 10" {
			t.Errorf("key %s: %v", k, got)
		}
	}
	lef, err := m.ByNameKeys(ctx, searchOf([]string{"LEFÈVRE"}, "Sophie"))
	if err != nil || len(lef[keysOf("Lefevre")[0]]) != 1 {
		t.Errorf("LEFÈVRE by key: %v, %v", lef, err)
	}

	// Answers outside the filter would be wrong, so they are errors.
	if _, err := m.Professionals(ctx, []string{"10999000044"}); !errors.Is(err, ErrNotLoaded) {
		t.Errorf("RPPS outside the filter: err = %v", err)
	}
	if _, err := m.ByNameKeys(ctx, searchOf([]string{"Nguyen"}, "Thi Mai")); !errors.Is(err, ErrNotLoaded) {
		t.Errorf("key outside the filter: err = %v", err)
	}

	// Results are copies: changing them does not change the directory.
	dupont.Activities[0].FinessSite = "x"
	again, _ := m.Professionals(ctx, []string{"10999000028"})
	if again["10999000028"].Activities[0].FinessSite != "250999901" {
		t.Error("caller changed the shared activities")
	}
}

// TestLoadFilteredGate checks the candidate gate: a row searching Pierre
// Dubois shares every key of the two Marie Dubois of the extract, but
// their first name is too far from Pierre for either to be its candidate,
// so neither is held; Marine Dubois (a close first name) keeps both.
func TestLoadFilteredGate(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		first string
		want  int
	}{{"Pierre", 0}, {"Marie", 2}, {"MARIE", 2}, {"Marine", 2}} {
		s := searchOf([]string{"Dubois"}, tt.first)
		m, _, err := LoadFiltered(ctx, firstExtract, nil, s)
		if err != nil {
			t.Fatal(err)
		}
		if m.Len() != tt.want {
			t.Errorf("%s Dubois: kept %d professionals, want %d", tt.first, m.Len(), tt.want)
		}
		byKey, err := m.ByNameKeys(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(byKey["N:DUBOIS"]); n != tt.want {
			t.Errorf("%s Dubois: %d professionals under N:DUBOIS, want %d", tt.first, n, tt.want)
		}
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
	writeSynthetic(t, path, 3<<14) // several blocks of lines
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

// sharedNames are last names whose keys overlap: MARTIN, MARIN and MATIN
// share D:MARIN and D:MATIN, as common names do in the real directory.
var sharedNames = []string{"MARTIN", "MARIN", "MATIN", "MARTINS", "BERNARD", "BERARD", "DURAND", "DURAN", "LEFÈVRE", "PETIT"}

// writeShared writes an extract of people professionals to path, named in
// turn from sharedNames, person i having 1+i%3 activities. The lines are
// interleaved (every first activity, then every second one…), so each
// professional's activities are not contiguous in the file. A person keeps
// the first name of their first line on every line (as in the real
// extract, where the names are the person's), taken in turn from
// fixtureFirsts.
func writeShared(tb testing.TB, path string, people int) {
	tb.Helper()
	data := readFile(tb, firstExtract)
	rows := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	var b bytes.Buffer
	b.Write(rows[0])
	b.WriteByte('\n')
	for act := range 3 {
		for i := range people {
			if act > i%3 {
				continue
			}
			f := strings.Split(string(rows[1+(i+act)%(len(rows)-1)]), "|")
			first := strings.Split(string(rows[1+i%(len(rows)-1)]), "|")[8]
			id := rppsFromSeq(i)
			f[1], f[2], f[7], f[8] = id, "8"+id, sharedNames[i%len(sharedNames)], first
			f[24] = fmt.Sprintf("SITE SYNTHETIQUE %d-%d", i, act)
			b.WriteString(strings.Join(f, "|"))
			b.WriteByte('\n')
		}
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
}

// wantByKey builds, straight from the lines of the extract at path, what
// ByNameKeys must answer for s: per key of s.Keys() hit by a last name, the
// professionals under it whose names s.Keep accepts, sorted by RPPS, each
// with the profession of its first line and its activities in file order.
// With ungated set, s.Keep is not asked: everyone under the keys.
func wantByKey(t *testing.T, path string, s *matcher.NameSearch, ungated bool) map[string][]rppsync.Professional {
	t.Helper()
	lines, _ := readAll(t, readFile(t, path))
	asked := map[string]bool{}
	for _, k := range s.Keys() {
		asked[k] = true
	}
	pros := map[string]*rppsync.Professional{}
	var order []string
	for _, l := range lines {
		p, ok := pros[l.ID]
		if !ok {
			p = &rppsync.Professional{RPPS: l.ID, LastName: l.LastName, FirstName: l.FirstName,
				ProfessionCode: l.ProfessionCode, ProfessionLabel: l.ProfessionLabel}
			pros[l.ID] = p
			order = append(order, l.ID)
		}
		p.Activities = append(p.Activities, l.Activity())
	}
	gate := s.Clone() // its own memories: the oracle shares nothing with the load
	want := map[string][]rppsync.Professional{}
	for _, id := range order {
		p := pros[id]
		if !ungated && !gate.Keep(p.LastName, p.FirstName) {
			continue
		}
		for _, k := range namekey.Keys(namekey.Fold(p.LastName)) {
			if asked[k] {
				want[k] = append(want[k], *p)
			}
		}
	}
	for _, ps := range want {
		slices.SortFunc(ps, func(a, b rppsync.Professional) int { return strings.Compare(a.RPPS, b.RPPS) })
	}
	return want
}

// countPairs counts the (key, professional) pairs of a ByNameKeys answer.
func countPairs(byKey map[string][]rppsync.Professional) int {
	n := 0
	for _, ps := range byKey {
		n += len(ps)
	}
	return n
}

func TestByNameKeysMatchesExtract(t *testing.T) {
	shared := filepath.Join(t.TempDir(), "shared.txt")
	writeShared(t, shared, 300)
	// Since the candidate gate, a search keeps only the people whose first
	// name is close to one searched with their last name: the cases search
	// the fixture's first names (everyone under the keys is kept), one or
	// two of them (the gate drops the others: gated), or none present.
	tests := []struct {
		name, path    string
		lasts, firsts []string
		gated         bool
	}{
		{"fixture, Dubois and Lefèvre", firstExtract, []string{"Dubois", "Lefevre"}, fixtureFirsts, false},
		{"fixture, key without professional", firstExtract, []string{"Zola"}, []string{"Émile"}, false},
		{"fixture, professional refused by the gate", firstExtract, []string{"Nguyen"}, []string{"Paul"}, true},
		{"shared keys", shared, sharedNames, fixtureFirsts, false},
		{"shared keys, two first names", shared, sharedNames, []string{"Claire", "Jean-Pierre"}, true},
		{"shared keys, one name", shared, []string{"MARIN"}, fixtureFirsts, false},
		{"no key", shared, nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			var s, doubled *matcher.NameSearch
			if tt.lasts != nil {
				s = searchOf(tt.lasts, tt.firsts...)
				doubled = searchOf(append(slices.Clone(tt.lasts), tt.lasts...), tt.firsts...)
			}
			m, _, err := LoadFiltered(ctx, tt.path, nil, s)
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.ByNameKeys(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			want := wantByKey(t, tt.path, s, false)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("ByNameKeys differs from the extract:\n got %d keys %v\nwant %d keys %v", len(got), got, len(want), want)
			}
			if all := wantByKey(t, tt.path, s, true); tt.gated != (countPairs(all) > countPairs(want)) {
				t.Errorf("gated %v, but %d pairs under the keys and %d kept", tt.gated, countPairs(all), countPairs(want))
			}
			// Asking twice, or with every row twice, gives the same answer.
			for _, again := range []*matcher.NameSearch{s, doubled} {
				got, err := m.ByNameKeys(ctx, again)
				if err != nil || !reflect.DeepEqual(got, want) {
					t.Errorf("second call: %v, equal %v", err, reflect.DeepEqual(got, want))
				}
			}
		})
	}
}

func TestByNameKeysBuildsEachProfessionalOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.txt")
	writeShared(t, path, 30)
	keys := searchOf([]string{"MARTIN", "MARIN"}, fixtureFirsts...)
	m, _, err := LoadFiltered(ctx, path, nil, keys)
	if err != nil {
		t.Fatal(err)
	}
	first, err := m.ByNameKeys(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	// MARTIN is under N:MARTIN and D:MARIN (MARTIN less its T), with MARIN.
	n, d := first["N:MARTIN"], first["D:MARIN"]
	if len(n) == 0 || len(d) <= len(n) {
		t.Fatalf("N:MARTIN has %d professionals, D:MARIN %d: the fixture lost its shared keys", len(n), len(d))
	}
	byRPPS := map[string]rppsync.Professional{}
	for _, p := range d {
		byRPPS[p.RPPS] = p
	}
	for _, p := range n {
		q, ok := byRPPS[p.RPPS]
		if !ok {
			t.Fatalf("%s is under N:MARTIN but not D:MARIN", p.RPPS)
		}
		if len(p.Activities) == 0 || &p.Activities[0] != &q.Activities[0] {
			t.Errorf("%s was built twice: its activities under N:MARTIN and D:MARIN are distinct copies", p.RPPS)
		}
		// A caller appending to one professional's activities must not
		// overwrite another's.
		if len(p.Activities) != cap(p.Activities) {
			t.Errorf("%s: activities have len %d cap %d; an append would write into shared memory", p.RPPS, len(p.Activities), cap(p.Activities))
		}
	}
	// Each call builds its own values: changing one answer does not
	// change the directory or the next answer.
	n[0].Activities[0].SiteName = "changed"
	second, err := m.ByNameKeys(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	if s := second["N:MARTIN"][0].Activities[0].SiteName; s == "changed" {
		t.Error("a caller's change reached the directory")
	}
	if &second["N:MARTIN"][0].Activities[0] == &n[0].Activities[0] {
		t.Error("two calls share their activities")
	}
}

func TestProfessionalsAskedTwice(t *testing.T) {
	ctx := context.Background()
	ids := []string{"10999000028", "10999000010"}
	m, _, err := LoadFiltered(ctx, firstExtract, ids, nil)
	if err != nil {
		t.Fatal(err)
	}
	once, err := m.Professionals(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	twice, err := m.Professionals(ctx, append(slices.Clone(ids), ids...))
	if err != nil {
		t.Fatal(err)
	}
	if len(once) != 2 || !reflect.DeepEqual(once, twice) {
		t.Errorf("asked once: %v\nasked twice: %v", once, twice)
	}
	for id, p := range twice {
		if len(p.Activities) == 0 || len(p.Activities) != cap(p.Activities) {
			t.Errorf("%s: activities have len %d cap %d", id, len(p.Activities), cap(p.Activities))
		}
	}
}

func TestByNameKeysErrors(t *testing.T) {
	ctx := context.Background()
	dubois := searchOf([]string{"Dubois"}, "Marie")
	m, _, err := LoadFiltered(ctx, firstExtract, nil, dubois)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ctx  func() context.Context
		keys *matcher.NameSearch
		want error
	}{
		// N:NGUYEN (and N:THIMAI) are outside the filter, the keys of Dubois in it.
		{"key outside the filter after good ones", context.Background, searchOf([]string{"Dubois", "Nguyen"}, "Marie", "Thi Mai"), ErrNotLoaded},
		// N:X is outside the filter, N:MARIE (the first name's key) in it.
		{"key outside the filter alone", context.Background, searchOf([]string{"X"}, "Marie"), ErrNotLoaded},
		{"cancelled", func() context.Context {
			c, cancel := context.WithCancel(context.Background())
			cancel()
			return c
		}, dubois, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := m.ByNameKeys(tt.ctx(), tt.keys)
			if !errors.Is(err, tt.want) || got != nil {
				t.Errorf("ByNameKeys = %v, %v; want nil, %v", got, err, tt.want)
			}
		})
	}
}

// BenchmarkByNameKeys asks a 20,000-professional directory for the keys of
// ten names whose keys overlap, so that every professional is listed under
// seven to nine keys, as common names are in the real directory.
func BenchmarkByNameKeys(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "shared.txt")
	writeShared(b, path, 20_000)
	keys := searchOf(sharedNames, fixtureFirsts...) // everyone passes the gate
	m, _, err := LoadFiltered(ctx, path, nil, keys)
	if err != nil {
		b.Fatal(err)
	}
	pairs := 0
	for _, k := range keys.Keys() {
		pairs += len(m.byKey[k])
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.ByNameKeys(ctx, keys); err != nil {
			b.Fatal(err)
		}
	}
	// After the loop: b.Loop resets the timer, which drops earlier metrics.
	b.ReportMetric(float64(pairs), "pairs/op")
	b.ReportMetric(float64(m.Len()), "professionals")
}

// TestFullSizeByNameKeys asks the genbench directory for the name keys of
// agency-10k.csv, as check --directory does, checks the answer's shape and
// logs what one call costs. It runs only when RPPSYNC_GENBENCH_DIR names a
// genbench output (see TestFullSizeLoadFiltered).
func TestFullSizeByNameKeys(t *testing.T) {
	dir := os.Getenv("RPPSYNC_GENBENCH_DIR")
	if dir == "" {
		t.Skip("RPPSYNC_GENBENCH_DIR not set: no full-size extract to read")
	}
	ctx := context.Background()
	f, err := importer.ReadFile(ctx, filepath.Join(dir, "agency-10k.csv"), importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rpps, keys := matcher.Wanted(f.Records, 0)
	m, _, err := LoadFiltered(ctx, filepath.Join(dir, "PS_LibreAcces_Personne_activite_202611200800.txt"), rpps, keys)
	if err != nil {
		t.Fatal(err)
	}
	byKey, err := m.ByNameKeys(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	pairs := 0
	for k, ps := range byKey {
		pairs += len(ps)
		// The load kept only the people this search's gate accepts, so
		// asking with the same search returns the whole index.
		if len(ps) != len(m.byKey[k]) {
			t.Fatalf("key %s: %d professionals, the index has %d", k, len(ps), len(m.byKey[k]))
		}
		if !slices.IsSortedFunc(ps, func(a, b rppsync.Professional) int { return strings.Compare(a.RPPS, b.RPPS) }) {
			t.Fatalf("key %s: not sorted by RPPS", k)
		}
	}
	if pairs == 0 {
		t.Fatal("no professional under any key")
	}
	byKey = nil
	res := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.ByNameKeys(ctx, keys); err != nil {
				b.Fatal(err)
			}
		}
	})
	t.Logf("%d keys, %d (key, professional) pairs, %d professionals kept: %s/op, %d MB/op, %d allocs/op",
		len(keys.Keys()), pairs, m.Len(), time.Duration(res.NsPerOp()), res.AllocedBytesPerOp()>>20, res.AllocsPerOp())
}
