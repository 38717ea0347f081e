package store

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/rppsync/rppsync/namekey"

	"github.com/jackc/pgx/v5"
)

// writeNameList records the list of the distinct folded last names of an
// extract (directory_name_list, migration 0004), in the transaction that
// swaps its lines in, and drops the lists of the extracts before it: the
// name search reads the list once per check and tests each name's
// blocking keys against its own (ByNameKeys).
func writeNameList(ctx context.Context, tx pgx.Tx, extractID int64, folded map[string]struct{}) error {
	names := make([]string, 0, len(folded))
	size := 0
	for f := range folded {
		if strings.IndexByte(f, '\n') >= 0 {
			// namekey.Fold turns every character that is not a letter or
			// a digit into a space: a newline would be a bug there.
			return fmt.Errorf("name list: folded name %q holds a newline", f)
		}
		names = append(names, f)
		size += len(f) + 1
	}
	slices.Sort(names)
	list := make([]byte, 0, size)
	for _, n := range names {
		list = append(append(list, n...), '\n')
	}
	if _, err := tx.Exec(ctx, `DELETE FROM directory_name_list WHERE extract_id <> $1`, extractID); err != nil {
		return fmt.Errorf("name list: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO directory_name_list (extract_id, names) VALUES ($1, $2)`, extractID, list); err != nil {
		return fmt.Errorf("name list: %w", err)
	}
	return nil
}

// nameList is the list of folded names of one extract, as a Directory
// keeps it between its name searches: each name and, for the names that
// are ASCII (nearly all), what their keys are made of (AppendCompact),
// computed once for all the searches. Read-only once built.
type nameList struct {
	extract int64
	names   []byte // each name followed by '\n'
	compact []byte // line for line, the compact form of each ASCII name, an empty line for the others
}

// newNameList returns the list of extract read from data (names, each
// followed by a newline).
func newNameList(extract int64, data []byte) *nameList {
	if len(data) > 0 && data[len(data)-1] != '\n' {
		data = append(data, '\n') // a list written by hand without its last newline
	}
	l := &nameList{extract: extract, names: data, compact: make([]byte, 0, len(data))}
	for rest := data; len(rest) > 0; {
		i := bytes.IndexByte(rest, '\n')
		n := len(l.compact)
		var ascii bool
		if l.compact, ascii = namekey.AppendCompact(l.compact, rest[:i]); !ascii {
			l.compact = l.compact[:n]
		}
		l.compact = append(l.compact, '\n')
		rest = rest[i+1:]
	}
	return l
}

// nameListSQL returns the current activities extract and, unless it is
// the one whose list the caller holds ($1), its list of names: no row
// when no directory is loaded; a NULL list with another extract when the
// list is missing (see nameListFallbackSQL).
const nameListSQL = `WITH ` + currentActivities + `
SELECT cur.id, CASE WHEN cur.id = $1 THEN NULL ELSE
	(SELECT n.names FROM directory_name_list n WHERE n.extract_id = cur.id) END
FROM cur`

// nameListFallbackSQL builds the list from the lines, for an extract
// loaded without one (none is, since migration 0004 lists the extract
// loaded before it and every load lists its own; a list lost by hand
// costs this scan of the lines, not a wrong answer).
const nameListFallbackSQL = `SELECT coalesce(convert_to(string_agg(f || E'\n', '' ORDER BY f), 'UTF8'), ''::bytea)
FROM (SELECT DISTINCT last_name_folded AS f FROM directory_line) d`

// currentNames returns the list of names of the extract the transaction
// sees, from d's cache when it holds that extract's, and whether a
// directory is loaded.
func (d *Directory) currentNames(ctx context.Context, tx pgx.Tx) (*nameList, bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var cached int64
	if d.names != nil {
		cached = d.names.extract
	}
	var (
		id   int64
		data []byte
	)
	err := tx.QueryRow(ctx, nameListSQL, cached).Scan(&id, &data)
	if err == pgx.ErrNoRows {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("name list: %w", err)
	}
	if d.names != nil && id == cached {
		return d.names, true, nil
	}
	if data == nil {
		d.db.log.Warn().Int64("extract_id", id).Msg("the directory has no list of names: built from its lines (reload it to store one)")
		if err := tx.QueryRow(ctx, nameListFallbackSQL).Scan(&data); err != nil {
			return nil, false, fmt.Errorf("name list from the lines: %w", err)
		}
	}
	d.names = newNameList(id, data)
	return d.names, true, nil
}

// hits records in a the names of l that share a blocking key with s: for
// each, the keys it shares. Every name of the directory is tested, by the
// hashes of its keys (namekey.Filter), which is cheaper than probing
// an index of the keys of all names for each key searched.
func (l *nameList) hits(a *nameKeyAnswer, f *namekey.Filter) {
	sc := f.Scanner()
	names, compact := l.names, l.compact
	for len(names) > 0 {
		i := bytes.IndexByte(names, '\n')
		j := bytes.IndexByte(compact, '\n')
		name, c := names[:i], compact[:j]
		names, compact = names[i+1:], compact[j+1:]
		if keys := sc.Hits(name, c); len(keys) > 0 {
			folded := a.str(name)
			for _, k := range keys {
				a.addKey(k, folded)
			}
		}
	}
}

// Prefetch reads the list of names of the current extract into d, in a
// short read-only transaction of its own, so that the first name search
// finds it there: a check calls it as soon as it connects, while it reads
// its files. A load between the two only costs the search a second read.
// It returns ErrNoDirectory when no directory is loaded.
func (d *Directory) Prefetch(ctx context.Context) error {
	tx, err := d.db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("directory prefetch: begin: %w", err)
	}
	defer rollback(ctx, tx)
	_, loaded, err := d.currentNames(ctx, tx)
	if err != nil {
		return fmt.Errorf("directory prefetch: %w", err)
	}
	if !loaded {
		return ErrNoDirectory
	}
	return nil
}
