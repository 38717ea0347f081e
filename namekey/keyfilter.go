package namekey

import (
	"strings"

	"github.com/rppsync/rppsync/internal/hashset"
)

// Filter is a set of blocking keys (see Keys) that tells which keys
// of a last name it holds, for the readers that test every name of the
// directory against the few thousand keys of an agency file: most names
// have none, and their keys are only hashed (Hasher), never built. It
// is read-only once built, so safe for concurrent use; each goroutine
// brings its own Hasher.
//
// Most of a name's keys are its one-letter deletions, one per letter. A
// deletion of a name of n letters keeps either its first n/2 letters (a
// letter deleted after them) or its last n - n/2 (one deleted among
// them): the filter also holds, for each of its deletion keys of m
// letters, the hashes of those two halves (m+1 being the n of a name
// that has it as a deletion). A name whose halves are both absent has no
// deletion key in the filter, which costs one pass over its letters to
// know instead of hashing each deletion; only the side whose half is
// present is hashed key by key.
type Filter struct {
	keys  map[string]struct{}
	quick *hashset.Set // the Hash of each key, for a first test
	front *hashset.Set // halfHash of the front half of each "D:" key
	back  *hashset.Set // halfHash of the back half of each "D:" key
}

// NewFilter returns the filter of keys.
func NewFilter(keys []string) *Filter {
	f := &Filter{keys: make(map[string]struct{}, len(keys))}
	hashes := make([]uint64, 0, len(keys))
	var fronts, backs []uint64
	for _, k := range keys {
		if _, ok := f.keys[k]; ok {
			continue
		}
		f.keys[k] = struct{}{}
		hashes = append(hashes, Hash(k))
		if body, ok := strings.CutPrefix(k, "D:"); ok && len(body) > 0 {
			// body is the deletion of a name of n = m+1 bytes: its
			// front half is the name's first n/2, its back half the
			// name's last n - n/2.
			m := len(body)
			n := m + 1
			fronts = append(fronts, halfHash(polyString(body[:n/2]), m))
			backs = append(backs, halfHash(polyString(body[m-(n-n/2):]), m))
		}
	}
	f.quick = hashset.New(hashes)
	f.front = hashset.New(fronts)
	f.back = hashset.New(backs)
	return f
}

// polyString is the polynomial hash of s, as Hash before its mix.
func polyString(s string) uint64 {
	var h uint64
	for i := 0; i < len(s); i++ {
		h = h*keyBase + uint64(s[i])
	}
	return h
}

// halfHash is the hash of a half of a deletion key of m bytes whose
// polynomial hash is poly.
func halfHash(poly uint64, m int) uint64 {
	return mix64(poly ^ uint64(m)*0xbf58476d1ce4e5b9)
}

// Has reports whether key is in f.
func (f *Filter) Has(key string) bool {
	_, ok := f.keys[key]
	return ok
}

// has is Has for a key as bytes, without allocating.
func (f *Filter) has(key []byte) bool {
	_, ok := f.keys[string(key)]
	return ok
}

// Hits appends to hits the keys of Keys(Fold(name)) that f holds, in
// that order (EachKey gives no key twice), and returns the extended
// slice; kh is the caller's scratch.
func (f *Filter) Hits(kh *Hasher, name []byte, hits []string) []string {
	kh.buf = appendCompact(kh.buf[:0], name)
	if !ascii(string(kh.buf)) { // no copy: the conversion does not escape
		return f.hitsEach(kh, name, hits)
	}
	return f.HitsCompact(kh, kh.buf, hits)
}

// AppendCompact appends to dst what the blocking keys of the last name
// name are made of (Fold(name) without its spaces) and reports whether it
// is all ASCII. Readers that test the same names against many filters
// compact them once, and ask HitsCompact for those that are ASCII.
func AppendCompact(dst, name []byte) ([]byte, bool) {
	n := len(dst)
	dst = appendCompact(dst, name)
	return dst, ascii(string(dst[n:]))
}

// HitsCompact is Hits for a name given compacted by AppendCompact, which
// must have said it is ASCII; kh keeps c until its next use.
func (f *Filter) HitsCompact(kh *Hasher, c []byte, hits []string) []string {
	kh.compact = c
	n := len(c)
	if n == 0 {
		return hits
	}
	// pre[i] = poly(c[:i]); the keys' hashes and the halves' come from it:
	// poly(x + y) = poly(x)·B^|y| + poly(y).
	kh.pre = append(kh.pre[:0], 0)
	var p uint64
	for _, b := range c {
		p = p*keyBase + uint64(b)
		kh.pre = append(kh.pre, p)
	}
	kh.growPow(n)
	pow, pre := kh.pow, kh.pre
	base := uint64(keyBase) // a variable: the products wrap around, as in Hash
	polyN, polyD := uint64('N')*base+':', uint64('D')*base+':'
	if h := mix64(polyN*pow[n] + p); f.quick.MayHave(h) {
		hits = f.hit(kh, 0, hits)
	}
	if n < MinDeletionRunes { // EachKey gives shorter names their exact key only
		return hits
	}
	if h := mix64(polyD*pow[n] + p); f.quick.MayHave(h) {
		hits = f.hit(kh, 1, hits)
	}
	// The deletion at i keeps c[i+1:], so its back half, the last n-h
	// bytes, when i < h; it keeps c[:h] when i ≥ h.
	h, m := n/2, n-1
	back := f.back.MayHave(halfHash(p-pre[h]*pow[n-h], m))
	front := f.front.MayHave(halfHash(pre[h], m))
	if !back && !front {
		return hits
	}
	kh.cut = kh.cut[:0]
	from, to := 0, n
	if !back {
		from = h
	}
	if !front {
		to = h
	}
	for i := from; i < to; i++ {
		if i > 0 && c[i] == c[i-1] {
			continue // one key per run of equal letters, as EachKey
		}
		// "D:" + c[:i] + c[i+1:]
		tail := p - pre[i+1]*pow[n-1-i]
		if hk := mix64((polyD*pow[i]+pre[i])*pow[n-1-i] + tail); f.quick.MayHave(hk) {
			kh.cut = append(kh.cut[:0], i<<3|1)
			hits = f.hit(kh, 2, hits)
		}
	}
	return hits
}

// hit appends key k of kh's current name (see Hasher.Key) to hits when
// f holds it.
func (f *Filter) hit(kh *Hasher, k int, hits []string) []string {
	if key := kh.Key(k); f.has(key) {
		hits = append(hits, string(key))
	}
	return hits
}

// hitsEach is Hits for names with letters outside ASCII, whose deletions
// are of runes: every key hashed by Hasher.Each.
func (f *Filter) hitsEach(kh *Hasher, name []byte, hits []string) []string {
	kh.Each(name, func(h uint64, k int) {
		if f.quick.MayHave(h) {
			hits = f.hit(kh, k, hits)
		}
	})
	return hits
}

// Scanner runs a Filter over the names of a directory one after the
// other: the one loop both directories run over every name they hold (the
// extract read in memory, the database's list of names). It keeps the
// Hasher's scratch and the answer's buffer between names. It is not safe
// for concurrent use.
type Scanner struct {
	f    *Filter
	kh   Hasher
	hits []string
}

// Scanner returns a Scanner over f.
func (f *Filter) Scanner() *Scanner { return &Scanner{f: f} }

// Hits returns the keys of name that the filter holds, in the order of
// Keys(Fold(name)). compact is name as AppendCompact gave it when it said
// it is ASCII (the fast path), or nil. The slice is valid until the next
// call: clone it to keep it.
func (s *Scanner) Hits(name, compact []byte) []string {
	if len(compact) > 0 {
		s.hits = s.f.HitsCompact(&s.kh, compact, s.hits[:0])
	} else {
		s.hits = s.f.Hits(&s.kh, name, s.hits[:0]) // not ASCII, or no letter
	}
	return s.hits
}
