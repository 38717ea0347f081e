package hashset

import (
	"fmt"
	"hash/maphash"
	"testing"
)

func TestSet(t *testing.T) {
	seed := maphash.MakeSeed()
	hash := func(s string) uint64 { return maphash.String(seed, s) }
	for _, n := range []int{0, 1, 100, 50000} {
		var in []uint64
		for i := range n {
			in = append(in, hash(fmt.Sprintf("D:IN%d", i)))
		}
		s := New(in)
		for i, h := range in {
			if !s.MayHave(h) {
				t.Fatalf("%d hashes: member %d is said absent", n, i)
			}
		}
		// Absent hashes are nearly all said absent, most by the bits.
		yes, bitSet := 0, 0
		for i := range 20000 {
			h := hash(fmt.Sprintf("D:OUT%d", i))
			if s.MayHave(h) {
				yes++
			}
			if s.bitSet(h) {
				bitSet++
			}
		}
		if yes > 0 {
			t.Errorf("%d hashes: %d of 20000 absent hashes said present", n, yes)
		}
		if bitSet > 20000/10 {
			t.Errorf("%d hashes: the bits let %d of 20000 absent hashes through to the table", n, bitSet)
		}
	}
	var none *Set
	if !none.MayHave(42) {
		t.Error("a nil set must be able to have anything")
	}
}
