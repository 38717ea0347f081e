package matcher

import (
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
		keys = append(keys, NameKeys(Fold(n))...)
	}
	return keys
}

// checkHits fails when KeyFilter.Hits disagrees with the keys of
// NameKeys(Fold(name)) that are in filter.
func checkHits(t *testing.T, name string, filter []string) {
	t.Helper()
	in := map[string]bool{}
	for _, k := range filter {
		in[k] = true
	}
	var want []string
	for _, k := range NameKeys(Fold(name)) {
		if in[k] {
			want = append(want, k)
		}
	}
	f := NewKeyFilter(filter)
	var kh KeyHasher
	got := f.Hits(&kh, []byte(name), nil)
	if !slices.Equal(got, want) {
		t.Errorf("Hits(%q) = %q, want %q", name, got, want)
	}
	// Appending to hits already there, with a reused hasher.
	got = f.Hits(&kh, []byte(name), []string{"x"})
	if len(got) == 0 || got[0] != "x" || !slices.Equal(got[1:], want) {
		t.Errorf("Hits(%q) after x = %q, want x then %q", name, got, want)
	}
	for _, k := range want {
		if !f.Has(k) {
			t.Errorf("Has(%q) = false for a key of the filter", k)
		}
	}
}

func TestKeyFilterHitsMatchesNameKeys(t *testing.T) {
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
					filter = NameKeys(Fold(n))
				}
				checkHits(t, n, filter)
			}
		})
	}
	if f := NewKeyFilter(append(keysOfNames("MARTIN"), keysOfNames("MARTIN")...)); f.Len() != len(keysOfNames("MARTIN")) {
		t.Errorf("a filter of the keys of MARTIN twice holds %d keys, want %d", f.Len(), len(keysOfNames("MARTIN")))
	}
}

func FuzzKeyFilterHits(f *testing.F) {
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
		for i, k := range NameKeys(Fold(name)) {
			if i%2 == 0 {
				filter = append(filter, k)
			}
		}
		checkHits(t, name, append(filter, keysOfNames(other)...))
	})
}
