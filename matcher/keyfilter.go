package matcher

import "github.com/rppsync/rppsync/internal/hashset"

// KeyFilter is a set of blocking keys (see NameKeys) that tells which keys
// of a last name it holds, for the readers that test every name of the
// directory against the few thousand keys of an agency file: most names
// have none, and their keys are only hashed (KeyHasher), never built. It
// is read-only once built, so safe for concurrent use; each goroutine
// brings its own KeyHasher.
type KeyFilter struct {
	keys  map[string]struct{}
	quick *hashset.Set // the KeyHash of each key, for a first test
}

// NewKeyFilter returns the filter of keys.
func NewKeyFilter(keys []string) *KeyFilter {
	f := &KeyFilter{keys: make(map[string]struct{}, len(keys))}
	hashes := make([]uint64, 0, len(keys))
	for _, k := range keys {
		if _, ok := f.keys[k]; !ok {
			f.keys[k] = struct{}{}
			hashes = append(hashes, KeyHash(k))
		}
	}
	f.quick = hashset.New(hashes)
	return f
}

// Has reports whether key is in f.
func (f *KeyFilter) Has(key string) bool {
	_, ok := f.keys[key]
	return ok
}

// has is Has for a key as bytes, without allocating.
func (f *KeyFilter) has(key []byte) bool {
	_, ok := f.keys[string(key)]
	return ok
}

// Len returns the number of keys in f.
func (f *KeyFilter) Len() int { return len(f.keys) }

// Hits appends to hits the keys of NameKeys(Fold(name)) that f holds, in
// that order (EachNameKey gives no key twice), and returns the extended
// slice; kh is the caller's scratch.
func (f *KeyFilter) Hits(kh *KeyHasher, name []byte, hits []string) []string {
	kh.Each(name, func(h uint64, k int) {
		if f.quick.MayHave(h) {
			if key := kh.Key(k); f.has(key) {
				hits = append(hits, string(key))
			}
		}
	})
	return hits
}
