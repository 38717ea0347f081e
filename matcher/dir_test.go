package matcher

import (
	"context"
	"sync"

	"github.com/rppsync/rppsync/internal/dirtest"

	"github.com/rppsync/rppsync/namekey"

	"github.com/rppsync/rppsync"
)

// mapDirectory is a plain in-memory Directory for tests: a map by RPPS and
// a map by namekey.Keys of the folded nom d'exercice, the same index the real
// back-ends build. It counts calls so tests can check that lookups are
// batched.
type mapDirectory struct {
	byRPPS map[string]rppsync.Professional
	byKey  map[string][]rppsync.Professional

	// ungated makes ByNameKeys return everyone under the keys, as the
	// interface allows, instead of only those the NameSearch keeps.
	ungated bool

	mu                  sync.Mutex
	rppsCalls, keyCalls int
	returned            int   // professionals returned by ByNameKeys, summed over keys
	err                 error // returned by every call when set
}

func newMapDirectory(pros []rppsync.Professional) *mapDirectory {
	d := &mapDirectory{byRPPS: map[string]rppsync.Professional{}, byKey: map[string][]rppsync.Professional{}}
	for _, p := range pros {
		d.byRPPS[p.RPPS] = p
		for _, k := range namekey.Keys(namekey.Fold(p.LastName)) {
			d.byKey[k] = append(d.byKey[k], p)
		}
	}
	return d
}

func (d *mapDirectory) Professionals(ctx context.Context, rpps []string) (map[string]rppsync.Professional, error) {
	d.mu.Lock()
	d.rppsCalls++
	d.mu.Unlock()
	if d.err != nil {
		return nil, d.err
	}
	out := map[string]rppsync.Professional{}
	for _, n := range rpps {
		if p, ok := d.byRPPS[n]; ok {
			out[n] = p
		}
	}
	return out, nil
}

func (d *mapDirectory) ByNameKeys(ctx context.Context, s *NameSearch) (map[string][]rppsync.Professional, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.keyCalls++
	if d.err != nil {
		return nil, d.err
	}
	out := map[string][]rppsync.Professional{}
	for _, k := range s.Keys() {
		for _, p := range d.byKey[k] {
			if d.ungated || s.Keep(p.LastName, p.FirstName) {
				out[k] = append(out[k], p)
				d.returned++
			}
		}
	}
	return out, nil
}

// JuridiqueSites answers from the activities of every professional, as
// the real back-ends do from every line.
func (d *mapDirectory) JuridiqueSites(_ context.Context, finess []string) (map[string][]rppsync.Site, error) {
	if d.err != nil {
		return nil, d.err
	}
	return dirtest.JuridiqueSites(d.byRPPS, finess), nil
}

// withCheckDigit appends the Luhn check digit to the digit string s.
func withCheckDigit(s string) string {
	for d := byte('0'); d <= '9'; d++ {
		if Luhn(s + string(d)) {
			return s + string(d)
		}
	}
	panic("unreachable")
}

// name builds a rppsync.Name as the importer would.
func name(s string) rppsync.Name { return rppsync.Name{Display: s, Folded: namekey.Fold(s)} }
