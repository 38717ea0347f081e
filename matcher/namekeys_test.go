package matcher

import (
	"slices"
	"strings"
	"testing"
)

// nameKeysOracle is the rule of NameKeys written plainly: the exact key,
// then, for four runes or more, the name and each distinct one-rune
// deletion.
func nameKeysOracle(folded string) []string {
	compact := strings.ReplaceAll(folded, " ", "")
	if compact == "" {
		return nil
	}
	keys := []string{"N:" + compact}
	if r := []rune(compact); len(r) >= 4 {
		keys = append(keys, "D:"+compact)
		seen := map[string]bool{compact: true}
		for i := range r {
			d := string(r[:i]) + string(r[i+1:])
			if !seen[d] {
				seen[d] = true
				keys = append(keys, "D:"+d)
			}
		}
	}
	return keys
}

func FuzzEachNameKey(f *testing.F) {
	for _, s := range []string{"Martin", "LE GALL", "Lefèvre", "AAAA", "moreau-", "Ørsted", "D'Ormesson", "", "\xff", "Ngô Thị", "ŁUKASZ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		want := nameKeysOracle(Fold(name))
		var got []string
		buf := []byte("left over from an earlier call")
		buf = EachNameKey([]byte(name), buf, func(k []byte) { got = append(got, string(k)) })
		if !slices.Equal(got, want) {
			t.Fatalf("EachNameKey(%q) = %q, want %q", name, got, want)
		}
		if folded := Fold(name); !slices.Equal(NameKeys(folded), want) {
			t.Fatalf("NameKeys(%q) = %q, want %q", folded, NameKeys(folded), want)
		}
		// A second call with the returned buffer gives the same keys.
		var again []string
		EachNameKey([]byte(name), buf, func(k []byte) { again = append(again, string(k)) })
		if !slices.Equal(again, want) {
			t.Fatalf("EachNameKey(%q) with a reused buffer = %q", name, again)
		}
	})
}

func BenchmarkEachNameKey(b *testing.B) {
	keys := map[string]bool{"D:MARIN": true}
	var buf []byte
	hits := 0
	for b.Loop() {
		buf = EachNameKey([]byte("MARTIN"), buf, func(k []byte) {
			if keys[string(k)] {
				hits++
			}
		})
	}
	if hits == 0 {
		b.Fatal("no hit")
	}
}
