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
