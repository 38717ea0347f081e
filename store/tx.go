package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rppsync/rppsync"
)

// Tx is a transaction on the rppsync database that the caller holds. The
// steps that write contracts and work items (ImportFile, ResolveCandidate,
// Reconcile, Purge) and the reads of the queue (Items, Item) run inside it,
// so that a caller can join writes of its own to theirs (a notification job
// inserted with River's InsertTx in the same transaction as the items it
// reports) and commit them all at once, or none.
//
// A Tx is not safe for concurrent use. The first queue step takes the
// queue's advisory lock (see lockQueue) for the rest of the transaction.
type Tx struct {
	tx     pgx.Tx
	db     *DB
	locked bool
}

// Begin starts a transaction. The caller must Commit or Rollback it.
func (db *DB) Begin(ctx context.Context) (*Tx, error) {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &Tx{tx: tx, db: db}, nil
}

// InTx runs fn in a transaction and commits it when fn returns nil; it
// rolls it back when fn fails (and returns fn's error) or panics.
//
// The transaction is bounded by Config.Timeout: past it, the error is
// ErrTimeout and nothing of the transaction is written.
func (db *DB) InTx(ctx context.Context, fn func(*Tx) error) error {
	return db.op(ctx, "transaction", db.cfg.Timeout, func(ctx context.Context) error {
		t, err := db.Begin(ctx)
		if err != nil {
			return err
		}
		defer rollback(ctx, t.tx)
		if err := fn(t); err != nil {
			return err
		}
		if err := t.tx.Commit(ctx); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		return nil
	})
}

// Pgx returns the pgx transaction, for writes of the caller's own in the
// same transaction (River's InsertTx).
func (t *Tx) Pgx() pgx.Tx { return t.tx }

// Commit commits the transaction.
func (t *Tx) Commit(ctx context.Context) error {
	if err := t.tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Rollback rolls the transaction back; after Commit it does nothing.
func (t *Tx) Rollback(ctx context.Context) { rollback(ctx, t.tx) }

// lockQueue takes the queue's advisory lock, once per transaction.
func (t *Tx) lockQueue(ctx context.Context) error {
	if t.locked {
		return nil
	}
	if _, err := t.tx.Exec(ctx, lockSQL, lockQueue); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	t.locked = true
	return nil
}

// ImportFile is Tx.ImportFile in a transaction of its own, committed before
// it returns.
func (db *DB) ImportFile(ctx context.Context, f ImportFile, rows []ImportRow, now time.Time) (*ImportReport, error) {
	var rep *ImportReport
	err := db.InTx(ctx, func(t *Tx) (err error) {
		rep, err = t.ImportFile(ctx, f, rows, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !rep.Duplicate {
		db.log.Info().Str("file", f.Path).Int64("file_id", rep.FileID).Int("rows", rep.Rows).
			Int("contracts_new", rep.ContractsNew).Int("contracts_updated", rep.ContractsUpdated).
			Int("items_created", rep.ItemsCreated).Int("items_updated", rep.ItemsUpdated).
			Int("items_cancelled", rep.ItemsCancelled).Msg("file imported")
	}
	return rep, nil
}

// ResolveCandidate is Tx.ResolveCandidate in a transaction of its own,
// committed before it returns.
func (db *DB) ResolveCandidate(ctx context.Context, id int64, choice string, now time.Time) (*StoredItem, []StoredItem, error) {
	var (
		closed *StoredItem
		next   []StoredItem
	)
	err := db.InTx(ctx, func(t *Tx) (err error) {
		closed, next, err = t.ResolveCandidate(ctx, id, choice, now)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	db.log.Info().Int64("item", id).Bool("confirmed", choice != "").Int("follow_on", len(next)).Msg("candidate resolved")
	return closed, next, nil
}

// Reconcile is Tx.Reconcile in a transaction of its own, committed before
// it returns.
func (db *DB) Reconcile(ctx context.Context, today rppsync.Date, now time.Time) (*ReconcileReport, error) {
	var rep *ReconcileReport
	err := db.InTx(ctx, func(t *Tx) (err error) {
		rep, err = t.Reconcile(ctx, today, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	db.log.Info().Int("checked", rep.Checked).Int("done", rep.Done).Int("expired", rep.Expired).
		Int("created", rep.Created).Bool("directory_missing", rep.DirectoryMissing).Msg("queue reconciled")
	return rep, nil
}

// Purge is Tx.Purge in a transaction of its own, committed before it
// returns.
func (db *DB) Purge(ctx context.Context, endedBefore rppsync.Date, now time.Time) (*PurgeReport, error) {
	var rep *PurgeReport
	err := db.InTx(ctx, func(t *Tx) (err error) {
		rep, err = t.Purge(ctx, endedBefore, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	db.log.Info().Str("ended_before", endedBefore.String()).Int("contracts", rep.Contracts).
		Int("rows", rep.Rows).Int("items", rep.Items).Msg("personal data purged")
	return rep, nil
}
