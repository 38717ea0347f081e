package namekey

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// filterNames are last names with accents, separators, doubled letters,
// short names and bytes that are not UTF-8.
var filterNames = []string{
	"MARTIN", "MARIN", "MATIN", "martin", "Martin-Dupont", "LE GALL", "LEGALL", "LE-GALL",
	"D'ORMESSON", "D’ORMESSON", " PETIT ", "PETIT  JEAN", "BESSON", "LLOYD", "AARON", "MAAAS",
	"LI", "NG", "O", "LEFÈVRE", "LEFEVRE", "Gaël", "ŒUVRARD", "STRAßE", "HENRI 4", "ÉÉ", "---X",
	"", " ", "'", "ANNA", "ABBA", "AABB", "MISSISSIPPI", "o'neil", "Le  Gall ", "X\x00Y", "\xc8",
}

func keysOfNames(names ...string) []string {
	var keys []string
	for _, n := range names {
		keys = append(keys, Keys(Fold(n))...)
	}
	return keys
}

// checkHits fails when Filter.Hits disagrees with the keys of
// Keys(Fold(name)) that are in filter.
func checkHits(t *testing.T, name string, filter []string) {
	t.Helper()
	in := map[string]bool{}
	for _, k := range filter {
		in[k] = true
	}
	var want []string
	for _, k := range Keys(Fold(name)) {
		if in[k] {
			want = append(want, k)
		}
	}
	f := NewFilter(filter)
	var kh Hasher
	got := f.Hits(&kh, []byte(name), nil)
	if !slices.Equal(got, want) {
		t.Errorf("Hits(%q) = %q, want %q", name, got, want)
	}
	// Appending to hits already there, with a reused hasher.
	got = f.Hits(&kh, []byte(name), []string{"x"})
	if len(got) == 0 || got[0] != "x" || !slices.Equal(got[1:], want) {
		t.Errorf("Hits(%q) after x = %q, want x then %q", name, got, want)
	}
	// Compacted first, as readers of many names do.
	if c, ascii := AppendCompact([]byte("prefix"), []byte(name)); ascii {
		c = c[len("prefix"):]
		if got := f.HitsCompact(&kh, c, nil); !slices.Equal(got, want) {
			t.Errorf("HitsCompact(%q) = %q, want %q", c, got, want)
		}
	} else if !slices.ContainsFunc([]byte(Fold(name)), func(b byte) bool { return b >= 0x80 }) {
		t.Errorf("AppendCompact(%q) says not ASCII, Fold gives %q", name, Fold(name))
	}
	for _, k := range want {
		if !f.Has(k) {
			t.Errorf("Has(%q) = false for a key of the filter", k)
		}
	}
}

func TestFilterHitsMatchesKeys(t *testing.T) {
	filters := []struct {
		name  string
		names []string
	}{
		{"own keys", nil},
		{"neighbours", []string{"MARTIN", "LEGALL", "LEFEVRE", "AARON", "MAAS", "BESON", "ANA"}},
		{"none", []string{"ZZZZ"}},
		{"empty", []string{}},
	}
	for _, f := range filters {
		t.Run(f.name, func(t *testing.T) {
			for _, n := range filterNames {
				filter := keysOfNames(f.names...)
				if f.names == nil {
					filter = Keys(Fold(n))
				}
				checkHits(t, n, filter)
			}
		})
	}
	if f := NewFilter(append(keysOfNames("MARTIN"), keysOfNames("MARTIN")...)); len(f.keys) != len(keysOfNames("MARTIN")) {
		t.Errorf("a filter of the keys of MARTIN twice holds %d keys, want %d", len(f.keys), len(keysOfNames("MARTIN")))
	}
}

func FuzzFilterHits(f *testing.F) {
	for _, n := range filterNames {
		f.Add(n, "MARTIN")
	}
	f.Add("MISSISSIPPI", "MISISSIPPI")
	f.Add("a-b'c d", "ABCD")
	f.Add("\xc8\xff", "E")
	f.Fuzz(func(t *testing.T, name, other string) {
		// The filter holds every other key of the name, so that order and
		// partial hits count, and the keys of another name.
		var filter []string
		for i, k := range Keys(Fold(name)) {
			if i%2 == 0 {
				filter = append(filter, k)
			}
		}
		checkHits(t, name, append(filter, keysOfNames(other)...))
	})
}

// TestFilterHitsRandom compares Hits with Keys on names of a few
// letters, where runs of equal letters and neighbours by one deletion
// abound: every key of the filter's names is found by their neighbours
// through either half.
func TestFilterHitsRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	word := func() string {
		b := make([]byte, 1+rng.IntN(12))
		for i := range b {
			b[i] = "AABN -'e"[rng.IntN(8)]
		}
		return string(b)
	}
	for range 300 {
		var searched []string
		for range 1 + rng.IntN(20) {
			searched = append(searched, word())
		}
		filter := keysOfNames(searched...)
		for range 50 {
			checkHits(t, word(), filter)
		}
		for _, s := range searched {
			// The searched names and their one-letter edits.
			checkHits(t, s, filter)
			if len(s) > 1 {
				i := rng.IntN(len(s))
				checkHits(t, s[:i]+s[i+1:], filter)
				checkHits(t, s[:i]+"B"+s[i:], filter)
			}
		}
	}
}

func BenchmarkFilterHits(b *testing.B) {
	// 1500 searched names, 150k other names of the directory.
	rng := rand.New(rand.NewPCG(3, 5))
	word := func() []byte {
		w := make([]byte, 5+rng.IntN(12))
		for i := range w {
			w[i] = byte('A' + rng.IntN(26))
		}
		return w
	}
	var searched []string
	for range 1500 {
		searched = append(searched, string(word()))
	}
	f := NewFilter(keysOfNames(searched...))
	names := make([][]byte, 150_000)
	for i := range names {
		names[i] = word()
	}
	b.ResetTimer()
	var kh Hasher
	var hits []string
	for range b.N {
		for _, n := range names {
			hits = f.Hits(&kh, n, hits[:0])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(names)), "ns/name")
}
