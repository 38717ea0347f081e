// Package hashset is a set of 64-bit hashes for a fast first test before
// a map lookup: the readers of the directory test millions of names and
// numbers against the few thousand an agency file holds, and most are
// absent.
package hashset

import "math/bits"

// Set is a set of 64-bit hashes of byte strings, in an open-addressing
// table at most half full: a fast first test before a map lookup, which it
// spares for the strings it surely does not hold (a hash absent from the
// table). It may say yes for a string it does not hold (two hashes equal),
// never no for one it holds. Read-only once built, so safe for concurrent
// reads. The hashes must spread their bits (maphash's and namekey.Hash's
// do).
//
// Most hashes asked are absent. A table of tens of thousands of hashes
// outgrows a core's cache, and each such question would wait on memory:
// a bit per 16 hashes' worth of slots (bits, indexed by the top bits of
// the hash, a Bloom filter with one hash function) answers most of them
// from a few hundred kilobytes at most; the table is read only when the
// bit is set (about one absent hash in sixteen).
type Set struct {
	slots []uint64 // hash | 1, 0 for an empty slot
	bits  []uint64 // bit h>>shift is set for each hash h of the set
	shift uint
}

// New returns the set of hashes.
func New(hashes []uint64) *Set {
	n := 1 << bits.Len(uint(2*len(hashes)))
	nbits := max(64, 1<<bits.Len(uint(16*len(hashes))))
	s := &Set{slots: make([]uint64, n), bits: make([]uint64, nbits/64), shift: uint(64 - bits.TrailingZeros(uint(nbits)))}
	for _, h := range hashes {
		b := h >> s.shift
		s.bits[b/64] |= 1 << (b % 64)
		h |= 1
		i := h & uint64(n-1)
		for s.slots[i] != 0 && s.slots[i] != h {
			i = (i + 1) & uint64(n-1)
		}
		s.slots[i] = h
	}
	return s
}

// MayHave reports false when hash h is surely not in the set; a nil set
// may have anything.
func (s *Set) MayHave(h uint64) bool {
	if s == nil {
		return true
	}
	if b := h >> s.shift; s.bits[b/64]&(1<<(b%64)) == 0 {
		return false
	}
	h |= 1
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; s.slots[i] != 0; i = (i + 1) & mask {
		if s.slots[i] == h {
			return true
		}
	}
	return false
}

// bitSet reports whether the Bloom bit of h is set (for the tests).
func (s *Set) bitSet(h uint64) bool {
	b := h >> s.shift
	return s.bits[b/64]&(1<<(b%64)) != 0
}
