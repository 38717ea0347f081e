package store

import (
	"context"
	"errors"
	"fmt"
)

// Status is a summary of what the database holds, for `rppsync status`.
type Status struct {
	// Directory is the directory extract loaded; nil when none is.
	Directory *DirectoryStatus `json:"directory"`
	Files     int64            `json:"files"` // agency files recorded, unreadable ones included
	Rows      int64            `json:"rows"`  // rows of those files
	Contracts int64            `json:"contracts"`
	// Items counts the work items by "kind/state", such as
	// "register_rpps_plus/pending"; pairs with no item are absent.
	Items map[string]int64 `json:"items"`
}

// Status returns the counts of files, rows, contracts and items, and the
// directory loaded, in two queries and one more for the directory.
func (db *DB) Status(ctx context.Context) (*Status, error) {
	s := &Status{Items: map[string]int64{}}
	dir, err := db.DirectoryStatus(ctx)
	switch {
	case err == nil:
		s.Directory = dir
	case !errors.Is(err, ErrNoDirectory):
		return nil, fmt.Errorf("status: %w", err)
	}
	err = db.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM import_file), (SELECT count(*) FROM import_row),
		(SELECT count(*) FROM contract)`).Scan(&s.Files, &s.Rows, &s.Contracts)
	if err != nil {
		return nil, fmt.Errorf("status: counts: %w", err)
	}
	rows, err := db.pool.Query(ctx, `SELECT kind || '/' || state, count(*) FROM item GROUP BY kind, state`)
	if err != nil {
		return nil, fmt.Errorf("status: items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			k string
			n int64
		)
		if err := rows.Scan(&k, &n); err != nil {
			return nil, fmt.Errorf("status: items: %w", err)
		}
		s.Items[k] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("status: items: %w", err)
	}
	return s, nil
}
