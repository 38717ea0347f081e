package insee

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// The index Default returns is not built from the reference files at run
// time (75 to 100 ms and 42 MB of allocations, in every process that
// checks a birth place) but decoded from a snapshot of it, written by the
// tests from those same files (TestSnapshotIsBuiltFromTheData, which
// fails when they change until it is run with -update) and embedded. The
// decoded index refers to the embedded bytes for its strings: decoding
// costs a few milliseconds and allocates the tables only.

//go:embed data/index.snapshot
var snapshot string

// snapshotMagic opens a snapshot; its last digit is the format's version.
const snapshotMagic = "rppsync insee index 2\n"

// errSnapshot says a snapshot cannot be decoded.
var errSnapshot = errors.New("insee: index snapshot unreadable")

// marshal returns the snapshot of ix.
func (ix *Index) marshal() []byte {
	var e encoder
	e.b = append(e.b, snapshotMagic...)
	e.uint(len(ix.places))
	for i := range ix.places {
		p := &ix.places[i]
		e.str(p.code)
		e.str(p.name)
		e.str(p.key)
		e.str(p.art)
		e.b = append(e.b, p.kind)
		e.int(int64(p.parent))
		e.int(int64(p.group))
		e.uint(len(p.spans))
		for _, s := range p.spans {
			e.int(int64(s.from))
			e.int(int64(s.to))
		}
		for _, ls := range [][]link{p.succ, p.pred} {
			e.uint(len(ls))
			for _, l := range ls {
				e.int(int64(l.date))
				e.int(int64(l.to))
			}
		}
	}
	for _, m := range []map[string][]int32{ix.byKey, ix.byCode} {
		e.uint(len(m))
		for _, k := range slices.Sorted(maps.Keys(m)) {
			e.str(k)
			e.uint(len(m[k]))
			for _, v := range m[k] {
				e.int(int64(v))
			}
		}
	}
	e.uint(len(ix.groups))
	for _, g := range ix.groups {
		e.strs(g)
	}
	for _, m := range []map[string][]string{ix.postal, ix.terr} {
		e.uint(len(m))
		for _, k := range slices.Sorted(maps.Keys(m)) {
			e.str(k)
			e.strs(m[k])
		}
	}
	e.uint(len(ix.country))
	for _, k := range slices.Sorted(maps.Keys(ix.country)) {
		e.str(k)
		e.int(int64(ix.country[k].rank))
		e.strs(ix.country[k].codes)
	}
	for _, m := range []map[string]string{ix.iso, ix.cname, ix.cnow, ix.cyear} {
		e.uint(len(m))
		for _, k := range slices.Sorted(maps.Keys(m)) {
			e.str(k)
			e.str(m[k])
		}
	}
	e.uint(len(ix.csucc))
	for _, k := range slices.Sorted(maps.Keys(ix.csucc)) {
		e.str(k)
		e.strs(ix.csucc[k])
	}
	e.int(int64(ix.unended))
	return e.b
}

// unmarshal decodes a snapshot; the index's strings are substrings of
// data.
func unmarshal(data string) (*Index, error) {
	d := decoder{s: data}
	if !d.magic(snapshotMagic) {
		return nil, fmt.Errorf("%w: not a snapshot of this version", errSnapshot)
	}
	ix := &Index{}
	ix.places = make([]place, d.uint())
	for i := range ix.places {
		p := &ix.places[i]
		p.code, p.name, p.key, p.art = d.str(), d.str(), d.str(), d.str()
		p.kind = d.byte()
		p.parent, p.group = int32(d.int()), int32(d.int())
		p.spans = d.spanSlab.take(d.uint())
		for j := range p.spans {
			p.spans[j] = span{int32(d.int()), int32(d.int())}
		}
		p.succ, p.pred = d.links(), d.links()
	}
	ix.byKey, ix.byCode = d.places(), d.places()
	ix.groups = make([][]string, d.uint())
	for i := range ix.groups {
		ix.groups[i] = d.strs()
	}
	ix.postal, ix.terr = d.lists(), d.lists()
	n := d.uint()
	ix.country = make(map[string]countryHit, n)
	for range n {
		k := d.str()
		ix.country[k] = countryHit{rank: int(d.int()), codes: d.strs()}
	}
	ix.iso, ix.cname, ix.cnow, ix.cyear = d.strMap(), d.strMap(), d.strMap(), d.strMap()
	ix.csucc = d.lists()
	ix.unended = int(d.int())
	if d.err != nil {
		return nil, d.err
	}
	if d.s != "" {
		return nil, fmt.Errorf("%w: %d bytes left over", errSnapshot, len(d.s))
	}
	return ix, nil
}

// encoder writes varints and length-prefixed strings.
type encoder struct{ b []byte }

func (e *encoder) uint(n int)   { e.b = binary.AppendUvarint(e.b, uint64(n)) }
func (e *encoder) int(n int64)  { e.b = binary.AppendVarint(e.b, n) }
func (e *encoder) str(s string) { e.uint(len(s)); e.b = append(e.b, s...) }
func (e *encoder) strs(s []string) {
	e.uint(len(s))
	for _, v := range s {
		e.str(v)
	}
}

// decoder reads what encoder writes; the first error sticks and makes
// every later read return zero values. The index's small slices are cut
// from shared slabs: a few hundred allocations instead of 180k.
type decoder struct {
	s   string
	err error

	spanSlab slab[span]
	linkSlab slab[link]
	idSlab   slab[int32]
	strSlab  slab[string]
}

// slab hands out slices of a shared backing array, each capped at its
// length (an append copies it rather than writing over the next one).
type slab[T any] struct{ free []T }

// take returns a slice of n elements, nil for none.
func (s *slab[T]) take(n int) []T {
	if n == 0 {
		return nil
	}
	if len(s.free) < n {
		s.free = make([]T, max(n, 1<<14))
	}
	out := s.free[:n:n]
	s.free = s.free[n:]
	return out
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = fmt.Errorf("%w: truncated or corrupt", errSnapshot)
	}
	d.s = ""
}

func (d *decoder) magic(m string) bool {
	if len(d.s) < len(m) || d.s[:len(m)] != m {
		return false
	}
	d.s = d.s[len(m):]
	return true
}

func (d *decoder) uvarint() uint64 {
	var x uint64
	for shift := uint(0); ; shift += 7 {
		if d.s == "" || shift > 63 {
			d.fail()
			return 0
		}
		c := d.s[0]
		d.s = d.s[1:]
		x |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return x
		}
	}
}

// uint reads a count or a length, which cannot exceed what is left.
func (d *decoder) uint() int {
	n := d.uvarint()
	if n > uint64(len(d.s)) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *decoder) int() int64 {
	u := d.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

func (d *decoder) byte() byte {
	if d.s == "" {
		d.fail()
		return 0
	}
	c := d.s[0]
	d.s = d.s[1:]
	return c
}

func (d *decoder) str() string {
	n := d.uint()
	s := d.s[:n]
	d.s = d.s[n:]
	return s
}

func (d *decoder) strs() []string {
	out := d.strSlab.take(d.uint())
	for i := range out {
		out[i] = d.str()
	}
	return out
}

func (d *decoder) links() []link {
	out := d.linkSlab.take(d.uint())
	for i := range out {
		out[i] = link{int32(d.int()), int32(d.int())}
	}
	return out
}

func (d *decoder) places() map[string][]int32 {
	n := d.uint()
	m := make(map[string][]int32, n)
	for range n {
		k := d.str()
		vs := d.idSlab.take(d.uint())
		for i := range vs {
			vs[i] = int32(d.int())
		}
		m[k] = vs
	}
	return m
}

func (d *decoder) lists() map[string][]string {
	n := d.uint()
	m := make(map[string][]string, n)
	for range n {
		k := d.str()
		m[k] = d.strs()
	}
	return m
}

func (d *decoder) strMap() map[string]string {
	n := d.uint()
	m := make(map[string]string, n)
	for range n {
		k := d.str()
		m[k] = d.str()
	}
	return m
}
