package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/rppsync/rppsync/matcher"
)

// addNameKeys records, in the transaction that fills the staging table,
// the blocking keys (matcher.NameKeys) of the folded names of an extract
// that directory_name does not list yet, and lists them (migration 0003):
// a name's keys never change, so a nightly load adds the keys of its few
// new names instead of rebuilding millions of rows. It returns how many
// names were new.
//
// The key table is only ever inserted into (ROW EXCLUSIVE, which readers'
// ACCESS SHARE does not wait for), so it adds no lock a reader could be
// caught in. The new keys become visible when the staging table is
// committed, before its lines go live: until then they find nobody, as
// the keys of names whose people have left do.
func addNameKeys(ctx context.Context, tx pgx.Tx, folded map[string]struct{}) (int, error) {
	names := make([]string, 0, len(folded))
	for f := range folded {
		names = append(names, f)
	}
	slices.Sort(names)
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE load_name (folded text COLLATE "C" NOT NULL) ON COMMIT DROP`); err != nil {
		return 0, fmt.Errorf("name keys: %w", err)
	}
	if _, err := copyText(ctx, tx, "load_name", []string{"folded"}, &nameRows{names: names}); err != nil {
		return 0, fmt.Errorf("name keys: copy names: %w", err)
	}
	rows, err := tx.Query(ctx, `INSERT INTO directory_name SELECT folded FROM load_name ORDER BY folded
		ON CONFLICT DO NOTHING RETURNING folded`)
	if err != nil {
		return 0, fmt.Errorf("name keys: new names: %w", err)
	}
	added, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, fmt.Errorf("name keys: new names: %w", err)
	}
	if len(added) == 0 {
		return 0, nil
	}
	slices.Sort(added)
	// Most names new (a first load): inserting millions of keys into the
	// index costs several times building it afresh. The index is dropped
	// and rebuilt then, under an exclusive lock on the directory lines
	// taken first, so that readers (who lock the lines, then the keys)
	// wait for the load instead of deadlocking with it.
	bulk := len(added) >= bulkNames && 2*len(added) > len(names)
	if bulk {
		for _, sql := range []string{
			`LOCK TABLE directory_line IN ACCESS EXCLUSIVE MODE`,
			`LOCK TABLE directory_name_key IN ACCESS EXCLUSIVE MODE`,
			`DROP INDEX IF EXISTS directory_name_key_key_hash_idx`,
		} {
			if _, err := tx.Exec(ctx, sql); err != nil {
				return 0, fmt.Errorf("name keys: %w", err)
			}
		}
	}
	if _, err := copyText(ctx, tx, "directory_name_key", []string{"key", "folded"}, &keyRows{names: added}); err != nil {
		return 0, fmt.Errorf("name keys: copy keys: %w", err)
	}
	if bulk {
		if _, err := tx.Exec(ctx, `CREATE INDEX directory_name_key_key_hash_idx ON directory_name_key (hashtextextended(key, 0))`); err != nil {
			return 0, fmt.Errorf("name keys: index: %w", err)
		}
	}
	if len(added) >= analyzeNames {
		if _, err := tx.Exec(ctx, `ANALYZE directory_name_key`); err != nil {
			return 0, fmt.Errorf("name keys: analyze: %w", err)
		}
	}
	return len(added), nil
}

// bulkNames is the number of new names from which, when they are also
// most of the extract's names, the key index is rebuilt rather than
// updated; analyzeNames, from which the key table's statistics are.
// Variables for the tests.
var (
	bulkNames    = 50_000
	analyzeNames = 5_000
)

// nameRows is a pgx.CopyFromSource of one text column.
type nameRows struct {
	names []string
	i     int
	vals  [1]any
}

func (r *nameRows) Next() bool {
	if r.i >= len(r.names) {
		return false
	}
	r.vals[0] = r.names[r.i]
	r.i++
	return true
}

func (r *nameRows) Values() ([]any, error) { return r.vals[:], nil }

func (r *nameRows) Err() error { return nil }

// keyRows is the pgx.CopyFromSource of directory_name_key: for each
// folded last name, in the order given, one row per distinct blocking key
// matcher.NameKeys gives it.
type keyRows struct {
	names []string
	i     int      // next name
	keys  []string // keys of names[i-1] not yet returned
	vals  [2]any
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
