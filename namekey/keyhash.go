package namekey

import (
	"slices"
	"unicode/utf8"
)

// Hash returns a 64-bit hash of a blocking key (see Keys), the one
// Hasher gives for it without building the key.
func Hash(key string) uint64 {
	var h uint64
	for i := 0; i < len(key); i++ {
		h = h*keyBase + uint64(key[i])
	}
	return mix64(h)
}

// keyBase is the base of the polynomial hash of the keys, odd so that
// multiplying by it loses nothing modulo 2^64.
const keyBase = 0x9e3779b97f4a7c15

// mix64 is MurmurHash3's finaliser: a bijection that spreads the bits of
// the polynomial hash, whose low bits depend on the low bits of the bytes
// only, over the whole word (hash tables index by the low bits).
func mix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// Hasher gives the hashes (Hash) of the blocking keys of last names,
// in EachKey's order, without building the keys: a name of n letters
// has about n deletion keys of n letters each, and the readers of the
// full directory extract, who test millions of names against the few
// thousand keys of an agency file, build a key only when its hash is one
// of theirs (Key). The hash of "D:" + a + b, the name with the letters
// between a and b deleted, comes from the hashes of the name's prefixes
// and suffixes: poly(xy) = poly(x)·B^|y| + poly(y).
//
// The zero value is ready to use; a Hasher is not safe for concurrent
// use.
type Hasher struct {
	buf      []byte   // scratch of compact
	compact  []byte   // the folded name without spaces, of the last Each (buf, or the caller's for Filter.HitsCompact)
	pre, suf []uint64 // poly("D:" + compact[:i]), poly(compact[i:])
	pow      []uint64 // keyBase^i
	cut      []int    // per deletion key (ordinal k ≥ 2): offset<<3 | size of the rune deleted (1 to 4)
	key      []byte
}

// Each calls fn with the hash of each key that EachKey(name) gives, in
// the same order, and the key's ordinal k (0 for the first), by which Key
// builds it.
func (kh *Hasher) Each(name []byte, fn func(h uint64, k int)) {
	kh.buf = appendCompact(kh.buf[:0], name)
	c := kh.buf
	kh.compact, kh.cut = c, kh.cut[:0]
	n := len(c)
	if n == 0 {
		return
	}
	kh.growPow(n)
	kh.suf = append(kh.suf[:0], make([]uint64, n+1)...)
	for i := n - 1; i >= 0; i-- {
		kh.suf[i] = uint64(c[i])*kh.pow[n-1-i] + kh.suf[i+1]
	}
	base := uint64(keyBase) // a variable: the products wrap around, as in Hash
	polyN, polyD := uint64('N')*base+':', uint64('D')*base+':'
	fn(mix64(polyN*kh.pow[n]+kh.suf[0]), 0)
	if utf8.RuneCount(c) < MinDeletionRunes {
		return
	}
	kh.pre = append(slices.Grow(kh.pre[:0], n+1), polyD)
	for i := range n {
		kh.pre = append(kh.pre, kh.pre[i]*keyBase+uint64(c[i]))
	}
	fn(mix64(kh.pre[n]), 1)
	// One key per run of equal runes, as EachKey.
	prev := utf8.RuneError
	for i := 0; i < n; {
		r, size := utf8.DecodeRune(c[i:])
		if i == 0 || r != prev {
			j := i + size
			kh.cut = append(kh.cut, i<<3|size)
			fn(mix64(kh.pre[i]*kh.pow[n-j]+kh.suf[j]), 1+len(kh.cut))
		}
		prev = r
		i += size
	}
}

// growPow makes kh.pow hold keyBase^i for i up to n.
func (kh *Hasher) growPow(n int) {
	if len(kh.pow) == 0 {
		kh.pow = append(kh.pow, 1)
	}
	if more := n + 1 - len(kh.pow); more > 0 {
		kh.pow = slices.Grow(kh.pow, more)
	}
	for len(kh.pow) <= n {
		kh.pow = append(kh.pow, kh.pow[len(kh.pow)-1]*keyBase)
	}
}

// Key builds key k of the name of the last Each (k as Each gave it); the
// key is valid until the next call of Key or Each.
func (kh *Hasher) Key(k int) []byte {
	switch k {
	case 0:
		kh.key = append(append(kh.key[:0], "N:"...), kh.compact...)
	case 1:
		kh.key = append(append(kh.key[:0], "D:"...), kh.compact...)
	default:
		cut := kh.cut[k-2]
		i, j := cut>>3, cut>>3+cut&7
		kh.key = append(append(append(kh.key[:0], "D:"...), kh.compact[:i]...), kh.compact[j:]...)
	}
	return kh.key
}
