package store

import (
	"slices"

	"github.com/rppsync/rppsync/matcher"
)

// keyRows is the pgx.CopyFromSource of directory_name_key: for each
// distinct folded last name, in sorted order, one row per blocking key
// matcher.NameKeys gives it. Keys are computed once per name, not per line.
type keyRows struct {
	names []string
	i     int      // next name
	keys  []string // keys of names[i-1] not yet returned
	vals  [2]any
}

func newKeyRows(folded map[string]struct{}) *keyRows {
	names := make([]string, 0, len(folded))
	for f := range folded {
		names = append(names, f)
	}
	slices.Sort(names)
	return &keyRows{names: names}
}

func (r *keyRows) Next() bool {
	for len(r.keys) == 0 {
		if r.i >= len(r.names) {
			return false
		}
		r.keys = dedupe(matcher.NameKeys(r.names[r.i]))
		r.i++
	}
	r.vals[0], r.vals[1] = r.keys[0], r.names[r.i-1]
	r.keys = r.keys[1:]
	return true
}

func (r *keyRows) Values() ([]any, error) { return r.vals[:], nil }

func (r *keyRows) Err() error { return nil }

// dedupe returns keys without repeats, in their first order.
func dedupe(keys []string) []string {
	out := keys[:0:0]
	for _, k := range keys {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}
