package namekey

import (
	"slices"
	"strings"
	"testing"
)

// nameKeysOracle is the rule of Keys written plainly: the exact key,
// then, for two runes or more, the name and each distinct one-rune
// deletion.
func nameKeysOracle(folded string) []string {
	compact := strings.ReplaceAll(folded, " ", "")
	if compact == "" {
		return nil
	}
	keys := []string{"N:" + compact}
	if r := []rune(compact); len(r) >= 2 {
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

func FuzzEachKey(f *testing.F) {
	for _, s := range []string{"Martin", "LE GALL", "Lefèvre", "AAAA", "moreau-", "Ørsted", "D'Ormesson", "", "\xff", "Ngô Thị", "ŁUKASZ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		want := nameKeysOracle(Fold(name))
		var got []string
		buf := []byte("left over from an earlier call")
		buf = EachKey([]byte(name), buf, func(k []byte) { got = append(got, string(k)) })
		if !slices.Equal(got, want) {
			t.Fatalf("EachKey(%q) = %q, want %q", name, got, want)
		}
		if folded := Fold(name); !slices.Equal(Keys(folded), want) {
			t.Fatalf("Keys(%q) = %q, want %q", folded, Keys(folded), want)
		}
		// A second call with the returned buffer gives the same keys.
		var again []string
		EachKey([]byte(name), buf, func(k []byte) { again = append(again, string(k)) })
		if !slices.Equal(again, want) {
			t.Fatalf("EachKey(%q) with a reused buffer = %q", name, again)
		}
	})
}

func BenchmarkEachKey(b *testing.B) {
	keys := map[string]bool{"D:MARIN": true}
	var buf []byte
	hits := 0
	for b.Loop() {
		buf = EachKey([]byte("MARTIN"), buf, func(k []byte) {
			if keys[string(k)] {
				hits++
			}
		})
	}
	if hits == 0 {
		b.Fatal("no hit")
	}
}

// oneEdits returns every string one edit away from s: a rune replaced (by
// one of alphabet), dropped, added, or two neighbours swapped.
func oneEdits(s string, alphabet []rune) []string {
	r := []rune(s)
	var out []string
	for i := range r {
		out = append(out, string(r[:i])+string(r[i+1:]))
		for _, c := range alphabet {
			if c != r[i] {
				out = append(out, string(r[:i])+string(c)+string(r[i+1:]))
			}
		}
		if i+1 < len(r) && r[i] != r[i+1] {
			out = append(out, string(r[:i])+string(r[i+1])+string(r[i])+string(r[i+2:]))
		}
	}
	for i := 0; i <= len(r); i++ {
		for _, c := range alphabet {
			out = append(out, string(r[:i])+string(c)+string(r[i:]))
		}
	}
	return out
}

// TestKeysMeetOneEditAway checks the promise of Keys: a name and
// any name one edit away, both of two letters or more, share a key,
// wherever the edit falls, short names (ROY, NOËL, DIAZ) included.
func TestKeysMeetOneEditAway(t *testing.T) {
	alphabet := []rune("AENRSTZÉ")
	for _, name := range []string{"MARTIN", "DUPONT", "LEFEBVRE", "MARTINEZ", "DORMESSON", "LECLERCQUE", "BARTHELEMY", "NGUYENVAN", "ABCDEFGHIJKL", "ÉLOÏSEDUMONT",
		"ROY", "REY", "GAY", "NOËL", "DIAZ", "BOTA", "MARU", "LY", "NG", "ROUX"} {
		own := map[string]bool{}
		for _, k := range Keys(Fold(name)) {
			own[k] = true
		}
		for _, e := range oneEdits(name, alphabet) {
			if len([]rune(e)) < MinDeletionRunes {
				continue
			}
			shared := false
			for _, k := range Keys(Fold(e)) {
				shared = shared || own[k]
			}
			if !shared {
				t.Errorf("%s and %s (one edit apart) share no key: %v / %v", name, e, Keys(Fold(name)), Keys(Fold(e)))
			}
		}
	}
}

func FuzzHasher(f *testing.F) {
	for _, s := range []string{"Martin", "LE GALL", "Lefèvre", "AAAA", "moreau-", "Ørsted", "D'Ormesson", "", "\xff", "Ngô Thị", "ŁUKASZ", "MISSISSIPPI", "abc"} {
		f.Add(s)
	}
	var kh Hasher
	f.Fuzz(func(t *testing.T, name string) {
		var want []string
		EachKey([]byte(name), nil, func(k []byte) { want = append(want, string(k)) })
		var hashes []uint64
		var ords []int
		kh.Each([]byte(name), func(h uint64, k int) { hashes, ords = append(hashes, h), append(ords, k) })
		if len(hashes) != len(want) {
			t.Fatalf("Hasher.Each(%q) gave %d hashes, EachKey %d keys %q", name, len(hashes), len(want), want)
		}
		for i, k := range want {
			if hashes[i] != Hash(k) {
				t.Errorf("Hasher.Each(%q): hash %d is %x, Hash(%q) is %x", name, i, hashes[i], k, Hash(k))
			}
		}
		// Keys built afterwards, in any order, are the keys.
		for i := len(ords) - 1; i >= 0; i-- {
			if got := string(kh.Key(ords[i])); got != want[i] {
				t.Errorf("Hasher.Key(%d) after Each(%q) = %q, want %q", ords[i], name, got, want[i])
			}
		}
	})
}

func TestHashSpreads(t *testing.T) {
	// Distinct keys of many names get distinct hashes, and their low bits
	// (what hash tables index by) are spread.
	seen := map[uint64]string{}
	low := map[uint64]int{}
	for _, name := range []string{"MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY", "MOREAU", "SIMON", "LAURENT", "LEFEBVRE", "MICHEL", "GARCIA", "DAVID", "BERTRAND", "ROUX", "VINCENT", "FOURNIER"} {
		for _, k := range Keys(name) {
			h := Hash(k)
			if other, ok := seen[h]; ok && other != k {
				t.Fatalf("Hash(%q) == Hash(%q)", k, other)
			}
			seen[h] = k
			low[h&255]++
		}
	}
	if len(low) < len(seen)/2 {
		t.Errorf("%d keys fall in %d of 256 low-byte buckets", len(seen), len(low))
	}
}

// TestHasherLongName: a name longer than any real one (a hostile
// extract line) gets its keys right too, the last deletion included.
func TestHasherLongName(t *testing.T) {
	name := []byte(strings.Repeat("A", 1<<23) + "Z") // one key per run: N, D, the As, the Z
	var kh Hasher
	var hashes []uint64
	var ords []int
	kh.Each(name, func(h uint64, k int) { hashes, ords = append(hashes, h), append(ords, k) })
	if len(ords) != 4 {
		t.Fatalf("%d keys, want 4", len(ords))
	}
	want := "D:" + string(name[:len(name)-1])
	if got := kh.Key(ords[3]); string(got) != want {
		t.Errorf("the last key is %d bytes, want the %d of the name without its Z", len(got), len(want))
	}
	if hashes[3] != Hash(want) {
		t.Error("the last key's hash is not Hash of the key")
	}
}
