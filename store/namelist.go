package store

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rppsync/rppsync/matcher"
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
			// matcher.Fold turns every character that is not a letter or
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
		if l.compact, ascii = matcher.AppendCompact(l.compact, rest[:i]); !ascii {
			l.compact = l.compact[:n]
		}
		l.compact = append(l.compact, '\n')
		rest = rest[i+1:]
	}
	return l
}

// nameListSQL returns the current activities extract, unless it is the
// one whose list the caller holds ($1) its list of names, and whether
// directory_name_first holds its first names yet: no row when no
// directory is loaded; a NULL list with another extract when the list is
// missing (see nameListFallbackSQL).
const nameListSQL = `WITH ` + currentActivities + `
SELECT cur.id, CASE WHEN cur.id = $1 THEN NULL ELSE n.names END, coalesce(n.firsts, false)
FROM cur LEFT JOIN directory_name_list n ON n.extract_id = cur.id`

// nameListFallbackSQL builds the list from the lines, for an extract
// loaded without one (none is, since migration 0004 lists the extract
// loaded before it and every load lists its own; a list lost by hand
// costs this scan of the lines, not a wrong answer).
const nameListFallbackSQL = `SELECT coalesce(convert_to(string_agg(f || E'\n', '' ORDER BY f), 'UTF8'), ''::bytea)
FROM (SELECT DISTINCT last_name_folded AS f FROM directory_line) d`

// currentNames returns the list of names of the extract the transaction
// sees, from d's cache when it holds that extract's, whether
// directory_name_first is that extract's, and whether a directory is
// loaded.
func (d *Directory) currentNames(ctx context.Context, tx pgx.Tx) (list *nameList, firsts, loaded bool, err error) {
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
	err = tx.QueryRow(ctx, nameListSQL, cached).Scan(&id, &data, &firsts)
	if err == pgx.ErrNoRows {
		return nil, false, false, nil
	}
	if err != nil {
		return nil, false, false, fmt.Errorf("name list: %w", err)
	}
	if d.names != nil && id == cached {
		return d.names, firsts, true, nil
	}
	if data == nil {
		d.db.log.Warn().Int64("extract_id", id).Msg("the directory has no list of names: built from its lines (reload it to store one)")
		if err := tx.QueryRow(ctx, nameListFallbackSQL).Scan(&data); err != nil {
			return nil, false, false, fmt.Errorf("name list from the lines: %w", err)
		}
	}
	d.names = newNameList(id, data)
	return d.names, firsts, true, nil
}

// hits records in a the names of l that share a blocking key with s: for
// each, the keys it shares. Every name of the directory is tested, by the
// hashes of its keys (matcher.KeyFilter), which is cheaper than probing
// an index of the keys of all names for each key searched.
func (l *nameList) hits(a *nameKeyAnswer, f *matcher.KeyFilter) {
	var (
		kh   matcher.KeyHasher
		keys []string
	)
	names, compact := l.names, l.compact
	for len(names) > 0 {
		i := bytes.IndexByte(names, '\n')
		j := bytes.IndexByte(compact, '\n')
		name, c := names[:i], compact[:j]
		names, compact = names[i+1:], compact[j+1:]
		if len(c) > 0 {
			keys = f.HitsCompact(&kh, c, keys[:0])
		} else {
			keys = f.Hits(&kh, name, keys[:0]) // not ASCII, or no letter
		}
		if len(keys) > 0 {
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
	_, _, loaded, err := d.currentNames(ctx, tx)
	if err != nil {
		return fmt.Errorf("directory prefetch: %w", err)
	}
	if !loaded {
		return ErrNoDirectory
	}
	return nil
}

// nameFirstSQL computes the rows of directory_name_first from the live
// lines: for each folded last name, its distinct first names, in no
// particular order. Run once the lines are vacuumed, it reads the
// (last_name_folded, first_name, rpps) index alone, in order.
const nameFirstSQL = `SELECT last_name_folded AS folded, array_agg(first_name) AS firsts
FROM (SELECT DISTINCT last_name_folded, first_name FROM directory_line) d GROUP BY last_name_folded`

// buildNameFirsts replaces directory_name_first with the first names of
// the lines of extract, live and vacuumed (tableSpec.afterVacuum): a new
// table is filled and indexed, then takes the place of the previous one
// and the extract's list of names says so, in one transaction. Until it
// commits the name search reads the first names from the lines
// (namePairsFromLinesSQL). The swap locks directory_name_first only: a
// reader holding it (lockDirectorySQL) makes the swap wait, and a reader
// coming after waits for the swap, then sees the new table and its flag.
func buildNameFirsts(ctx context.Context, conn *pgxpool.Conn, extract int64) error {
	if _, err := conn.Exec(ctx, `DROP TABLE IF EXISTS directory_name_first_next`); err != nil {
		return fmt.Errorf("first names: %w", err)
	}
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		for _, sql := range []string{
			`SET LOCAL work_mem = '256MB'`,
			`CREATE TABLE directory_name_first_next (LIKE directory_name_first INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)`,
			`INSERT INTO directory_name_first_next (folded, firsts) ` + nameFirstSQL,
			`CREATE INDEX directory_name_first_next_folded_idx ON directory_name_first_next (folded)`,
			`ANALYZE directory_name_first_next`,
			`DROP TABLE directory_name_first`,
			`ALTER TABLE directory_name_first_next RENAME TO directory_name_first`,
			`ALTER INDEX directory_name_first_next_folded_idx RENAME TO directory_name_first_folded_idx`,
		} {
			if _, err := tx.Exec(ctx, sql); err != nil {
				return fmt.Errorf("first names: %w", err)
			}
		}
		tag, err := tx.Exec(ctx, `UPDATE directory_name_list SET firsts = true WHERE extract_id = $1`, extract)
		if err != nil {
			return fmt.Errorf("first names: %w", err)
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("first names: extract %d has no list of names", extract)
		}
		return nil
	})
}
