package directory

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rppsync/rppsync/namekey"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/matcher"
)

// variedNames are last names in the forms an extract or an agency file may
// hold: upper and lower case, hyphens, apostrophes, inner and outer spaces,
// runs of one letter, short names, accents, ligatures and digits.
var variedNames = []string{
	"MARTIN", "MARIN", "MATIN", "martin", "Martin-Dupont", "LE GALL", "LEGALL", "LE-GALL",
	"D'ORMESSON", "D’ORMESSON", " PETIT ", "PETIT  JEAN", "BESSON", "LLOYD", "AARON", "MAAAS",
	"LI", "NG", "O", "LEFÈVRE", "LEFEVRE", "Gaël", "ŒUVRARD", "STRAßE", "HENRI 4", "ÉÉ", "---X",
}

// writeVaried writes an extract of people professionals to path, named
// from variedNames or, with distinct > 0, one in two from distinct made-up
// names, with one to three activities, some contiguous and some not, and
// among them ADELI lines, bad lines, lines without a first name and
// Windows-1252 lines.
func writeVaried(tb testing.TB, path string, people, distinct int, seed uint64) {
	tb.Helper()
	data := readFile(tb, firstExtract)
	rows := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	rng := rand.New(rand.NewPCG(seed, 1))
	var b bytes.Buffer
	b.Write(rows[0])
	b.WriteByte('\n')
	var pending [][]byte // activities written later, away from their first one
	for i := range people {
		f := strings.Split(string(rows[1+rng.IntN(len(rows)-1)]), "|")
		id := rppsFromSeq(i)
		name := variedNames[rng.IntN(len(variedNames))]
		if distinct > 0 && i%2 == 0 {
			name = madeUpName(i / 2 % distinct)
		}
		f[0], f[1], f[2], f[7] = "8", id, "8"+id, name
		switch rng.IntN(40) {
		case 0:
			f[0], f[1], f[2] = "0", "259912345", "0259912345" // ADELI
		case 1:
			f[1] = id[:10] + string('0'+(id[10]-'0'+1)%10) // check digit wrong
		case 2:
			f[7] = "  " // name missing
		case 3:
			f = f[:len(f)-3] // truncated
		case 4:
			f[8] = "" // no first name
		case 5:
			f[7] = "LEF\xc8VRE" // Windows-1252: È is 0xC8 there
		}
		line := []byte(strings.Join(f, "|"))
		for act := range 1 + rng.IntN(3) {
			if act > 0 {
				g := slices.Clone(f)
				if len(g) > 24 {
					g[24] = fmt.Sprintf("SITE SYNTHETIQUE %d-%d", i, act)
				}
				line = []byte(strings.Join(g, "|"))
			}
			if act > 0 && rng.IntN(2) == 0 {
				pending = append(pending, line)
				continue
			}
			b.Write(line)
			b.WriteByte('\n')
		}
		if len(pending) > 50 {
			for _, l := range pending {
				b.Write(l)
				b.WriteByte('\n')
			}
			pending = pending[:0]
		}
	}
	for _, l := range pending {
		b.Write(l)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
}

// madeUpName returns a distinct synthetic last name for each n.
func madeUpName(n int) string {
	const letters = "ABCDEFGHIJKLMNOPRSTUVZ"
	name := []byte("NOM")
	for n > 0 || len(name) < 5 {
		name = append(name, letters[n%len(letters)])
		n /= len(letters)
	}
	return string(name)
}

// straightFilter is what LoadFiltered must keep, built the plain way: every
// Line of the extract, kept when its RPPS is asked for, or when one of the
// keys of its last name is one of s.Keys() and s.Keep accepts its last and
// first name. It returns the kept professionals by RPPS, each with the
// profession of its first line and its activities in file order, the
// number of professionals under the keys before the gate, and the
// reader's statistics.
func straightFilter(t *testing.T, path string, rpps []string, s *matcher.NameSearch) (map[string]rppsync.Professional, int, Stats) {
	t.Helper()
	ar, err := NewActivityReader(bytes.NewReader(readFile(t, path)))
	if err != nil {
		t.Fatal(err)
	}
	wantID, wantKey := map[string]bool{}, map[string]bool{}
	for _, r := range rpps {
		wantID[r] = true
	}
	for _, k := range s.Keys() {
		wantKey[k] = true
	}
	gate := s.Clone() // its own memories: the oracle shares nothing with the load
	pros := map[string]rppsync.Professional{}
	underKeys := map[string]bool{}
	for ar.Next() {
		l := ar.Line()
		named := false
		for _, k := range namekey.Keys(namekey.Fold(l.LastName)) {
			named = named || wantKey[k]
		}
		if named {
			underKeys[l.ID] = true
		}
		if !wantID[l.ID] && !(named && gate.Keep(l.LastName, l.FirstName)) {
			continue
		}
		p, ok := pros[l.ID]
		if !ok {
			p = rppsync.Professional{RPPS: l.ID, LastName: l.LastName, FirstName: l.FirstName,
				ProfessionCode: l.ProfessionCode, ProfessionLabel: l.ProfessionLabel}
		}
		p.Activities = append(p.Activities, l.Activity())
		pros[l.ID] = p
	}
	if err := ar.Err(); err != nil {
		t.Fatal(err)
	}
	return pros, len(underKeys), ar.Stats()
}

func TestLoadFilteredKeepsWhatTheStraightFilterKeeps(t *testing.T) {
	dir := t.TempDir()
	varied := filepath.Join(dir, "varied.txt")
	writeVaried(t, varied, 3000, 0, 1)
	overflow := filepath.Join(dir, "overflow.txt")
	writeVaried(t, overflow, 3000, 1000, 2)
	if _, _, st := straightFilter(t, varied, nil, nil); st.ADELI == 0 || st.Bad == 0 || st.Recoded == 0 || st.NoFirstName == 0 {
		t.Fatalf("the varied extract lacks a kind of line: %+v", st)
	}
	someRPPS := func(from, step int) []string {
		var r []string
		for i := from; i < 3000; i += step {
			r = append(r, rppsFromSeq(i))
		}
		return r
	}
	// The rows searched carry the fixture's first names, which the people
	// of writeVaried bear, so that the names are kept as the keys alone
	// kept them; the cases with a few first names (gated) check that the
	// gate drops the others, and that no one is held for their RPPS only
	// under a key. cache is the name cache's size: the small one fills up
	// early, so that names are also looked up after it is full.
	two := []string{"Claire", "Marie"}
	tests := []struct {
		name, path string
		rpps       []string
		s          *matcher.NameSearch
		cache      int
		gated      bool
	}{
		{"varied, names and RPPS", varied, someRPPS(0, 7), searchOf([]string{"Martin", "Le Gall", "d'Ormesson", "Lefevre", "Li", "Aaron", "Lloyd", "Oeuvrard"}, fixtureFirsts...), nameCacheSize, false},
		{"varied, names and RPPS, two first names", varied, someRPPS(0, 7), searchOf([]string{"Martin", "Le Gall", "d'Ormesson", "Lefevre", "Li", "Aaron", "Lloyd", "Oeuvrard"}, two...), nameCacheSize, true},
		{"varied, every name", varied, nil, searchOf(variedNames, fixtureFirsts...), nameCacheSize, false},
		{"varied, every name, two first names", varied, nil, searchOf(variedNames, two...), nameCacheSize, true},
		{"varied, RPPS only", varied, someRPPS(3, 5), nil, nameCacheSize, false},
		{"varied, nothing asked", varied, nil, nil, nameCacheSize, false},
		// Was the keys D:MATIN and N:NG: MATIN's keys hold D:MATIN, which
		// MARTIN shares, and NG has the key N:NG only.
		{"varied, one deletion key", varied, nil, searchOf([]string{"Matin", "Ng"}, fixtureFirsts...), nameCacheSize, false},
		{"overflow", overflow, someRPPS(1, 11), searchOf([]string{"Martin", "Lefèvre", "Le Gall", madeUpName(3), madeUpName(700), madeUpName(999)}, fixtureFirsts...), 16, false},
		{"overflow, two first names", overflow, someRPPS(1, 11), searchOf([]string{"Martin", "Lefèvre", "Le Gall", madeUpName(3), madeUpName(700), madeUpName(999)}, two...), 16, true},
		{"overflow, full size cache", overflow, someRPPS(1, 11), searchOf([]string{"Martin", madeUpName(3), madeUpName(700)}, fixtureFirsts...), nameCacheSize, false},
		{"overflow, no cache", overflow, nil, searchOf([]string{"Martin", "ŒUVRARD", madeUpName(5)}, fixtureFirsts...), 0, false},
		{"overflow, no cache, two first names", overflow, nil, searchOf([]string{"Martin", "ŒUVRARD", madeUpName(5)}, two...), 0, true},
		{"fixture", firstExtract, []string{"10999000028"}, searchOf([]string{"Dubois", "Lefevre"}, fixtureFirsts...), nameCacheSize, false},
		{"fixture, gate", firstExtract, []string{"10999000028"}, searchOf([]string{"Dubois", "Lefevre"}, "Sophie"), nameCacheSize, true}, // no Marie Dubois
		{"bad fixture", badExtract, nil, searchOf([]string{"Martin", "Dupont"}, fixtureFirsts...), nameCacheSize, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			want, underKeys, wantStats := straightFilter(t, tt.path, tt.rpps, tt.s)
			m, st, err := loadFiltered(ctx, tt.path, tt.rpps, tt.s, nil, tt.cache)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(st, wantStats) {
				t.Errorf("stats differ:\n got %+v\nwant %+v", st, wantStats)
			}
			if m.Len() != len(want) {
				t.Errorf("kept %d professionals, want %d", m.Len(), len(want))
			}
			// Every kept professional is reached by its RPPS or by a key.
			got := map[string]rppsync.Professional{}
			byID, err := m.Professionals(ctx, tt.rpps)
			if err != nil {
				t.Fatal(err)
			}
			for id, p := range byID {
				got[id] = p
			}
			byKey, err := m.ByNameKeys(ctx, tt.s)
			if err != nil {
				t.Fatal(err)
			}
			named := 0
			for k, ps := range byKey {
				if !slices.IsSortedFunc(ps, func(a, b rppsync.Professional) int { return strings.Compare(a.RPPS, b.RPPS) }) {
					t.Errorf("key %s: professionals not sorted by RPPS", k)
				}
				for _, p := range ps {
					if !slices.Contains(namekey.Keys(namekey.Fold(p.LastName)), k) {
						t.Errorf("key %s lists %s, whose name %q has not that key", k, p.RPPS, p.LastName)
					}
					if _, dup := got[p.RPPS]; !dup {
						named++
					}
					got[p.RPPS] = p
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("kept professionals differ: got %d, want %d", len(got), len(want))
				for id, p := range want {
					if !reflect.DeepEqual(got[id], p) {
						t.Errorf("RPPS %s: got %+v\nwant %+v", id, got[id], p)
						break
					}
				}
			}
			if len(tt.s.Keys())+len(tt.rpps) > 0 && len(want) == 0 {
				t.Errorf("the case keeps nobody: it proves nothing")
			}
			if len(tt.s.Keys()) > 0 && named == 0 {
				t.Errorf("no one is kept by name: the case proves nothing")
			}
			if tt.gated && named >= underKeys {
				t.Errorf("%d professionals under the keys, %d kept by name: the gate dropped no one", underKeys, named)
			}
		})
	}
}

func TestSplitPrefix(t *testing.T) {
	lines := []string{"", "a", "|", "||", "a|b", "a|b|", "a||c", "|a|b|c|", "a|b|c|d|e|f"}
	for _, line := range lines {
		for _, trailing := range []bool{false, true} {
			want := split([]byte(line), '|', nil, trailing)
			for need := range len(want) + 3 {
				got, count := splitPrefix([]byte(line), '|', nil, trailing, need)
				if count != len(want) || !slices.Equal(got, want[:min(need, len(want))]) {
					t.Errorf("splitPrefix(%q, trailing %v, need %d) = %v, %d; split gives %v", line, trailing, need, got, count, want)
				}
			}
		}
	}
}

func FuzzSplitPrefix(f *testing.F) {
	f.Add([]byte("8|10999000010|810999000010|||MME|"), true, 3)
	f.Add([]byte("a||"), false, 0)
	f.Add([]byte("|"), true, 1)
	f.Fuzz(func(t *testing.T, line []byte, trailing bool, need int) {
		need = max(0, min(need, 100))
		want := split(line, '|', nil, trailing)
		got, count := splitPrefix(line, '|', nil, trailing, need)
		if count != len(want) || !slices.Equal(got, want[:min(need, len(want))]) {
			t.Fatalf("splitPrefix(%q, trailing %v, need %d) = %v, %d; split gives %v", line, trailing, need, got, count, want)
		}
	})
}

func BenchmarkLoadFiltered(b *testing.B) {
	path := filepath.Join(b.TempDir(), "PS_LibreAcces_Personne_activite_202611200800.txt")
	writeVaried(b, path, 100_000, 50_000, 3)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	rpps := []string{rppsFromSeq(17), rppsFromSeq(90_001)}
	keys := searchOf([]string{"Martin", "Lefèvre", madeUpName(12), madeUpName(4000)}, fixtureFirsts...)
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	for b.Loop() {
		m, _, err := LoadFiltered(context.Background(), path, rpps, keys)
		if err != nil || m.Len() == 0 {
			b.Fatalf("kept %v, err %v", m, err)
		}
	}
}
