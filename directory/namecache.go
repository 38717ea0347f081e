package directory

import (
	"bytes"
	"hash/maphash"
	"math/bits"
)

// nameCache remembers the filter keys of recent last names during a pass
// over the extract. It is a fixed table of slots chosen by the hash of the
// name (a name replaces whatever its slot held), with the names copied in
// one byte arena: its memory stays a few megabytes however many distinct
// names the extract holds, and it keeps no string per name. Not safe for
// concurrent use.
type nameCache struct {
	seed  maphash.Seed
	slots []cacheSlot
	arena []byte     // the names of the slots, end to end
	hits  [][]string // hit lists of the slots; hits[0] is the empty list
}

type cacheSlot struct {
	hash uint64
	off  uint32 // the name is arena[off : off+n]
	n    uint32 // 0: empty slot
	hits int32  // index in hits
}

// newNameCache returns a cache of at least size slots; 0 caches nothing.
func newNameCache(size int) *nameCache {
	c := &nameCache{seed: maphash.MakeSeed(), hits: [][]string{nil}}
	if size > 0 {
		c.slots = make([]cacheSlot, 1<<bits.Len(uint(size-1)))
	}
	return c
}

// arenaLimit is the size past which the cache starts afresh.
const arenaLimit = 1 << 20

// get returns the hits stored for name, and whether it was there.
func (c *nameCache) get(name []byte) ([]string, bool) {
	if len(c.slots) == 0 {
		return nil, false
	}
	h := maphash.Bytes(c.seed, name)
	s := &c.slots[h&uint64(len(c.slots)-1)]
	if s.n == 0 || s.hash != h || !bytes.Equal(c.arena[s.off:s.off+s.n], name) {
		return nil, false
	}
	return c.hits[s.hits], true
}

// put stores hits for name, a non-empty name that get did not find.
func (c *nameCache) put(name []byte, hits []string) {
	if len(c.slots) == 0 || len(name) == 0 || len(name) > arenaLimit/4 {
		return
	}
	if len(c.arena)+len(name) > arenaLimit {
		clear(c.slots)
		c.arena, c.hits = c.arena[:0], c.hits[:1]
	}
	h := maphash.Bytes(c.seed, name)
	s := &c.slots[h&uint64(len(c.slots)-1)]
	*s = cacheSlot{hash: h, off: uint32(len(c.arena)), n: uint32(len(name))}
	c.arena = append(c.arena, name...)
	if len(hits) > 0 {
		s.hits = int32(len(c.hits))
		c.hits = append(c.hits, hits)
	}
}

// hashSet is a set of 64-bit hashes of byte strings, in an open-addressing
// table at most half full: a fast first test before a map lookup, which it
// spares for the strings it surely does not hold (a hash absent from the
// table). It may say yes for a string it does not hold (two hashes equal),
// never no for one it holds. Read-only once built, so safe for concurrent
// reads. The hashes must spread their bits (maphash's and matcher.KeyHash's
// do).
//
// Most hashes asked are absent. A table of tens of thousands of hashes
// outgrows a core's cache, and each such question would wait on memory:
// a bit per 16 hashes' worth of slots (bits, indexed by the top bits of
// the hash, a Bloom filter with one hash function) answers most of them
// from a few hundred kilobytes at most; the table is read only when the
// bit is set (about one absent hash in sixteen).
type hashSet struct {
	slots []uint64 // hash | 1, 0 for an empty slot
	bits  []uint64 // bit h>>shift is set for each hash h of the set
	shift uint
}

func newHashSet(hashes []uint64) *hashSet {
	n := 1 << bits.Len(uint(2*len(hashes)))
	nbits := max(64, 1<<bits.Len(uint(16*len(hashes))))
	s := &hashSet{slots: make([]uint64, n), bits: make([]uint64, nbits/64), shift: uint(64 - bits.TrailingZeros(uint(nbits)))}
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

// mayHave reports false when hash h is surely not in the set; a nil set
// may have anything.
func (s *hashSet) mayHave(h uint64) bool {
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
