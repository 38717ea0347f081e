package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/rppsync/rppsync/queue"
	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/store/storetest"
)

// TestTxJoinsCallersWrites imports a file inside a transaction the caller
// holds, next to a write of the caller's own: rolled back, neither is
// there; committed, both are.
func TestTxJoinsCallersWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	if _, err := db.Pool().Exec(ctx, `CREATE TABLE outbox (note text)`); err != nil {
		t.Fatal(err)
	}
	f := impFile("inbox/tx.csv", "Alpha", "tx")
	rows := impRows(f.Path, "", queue.Cards{}, pBernard, pDubois)
	errStop := errors.New("the caller changes its mind")

	err := db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ImportFile(ctx, f, rows, impNow); err != nil {
			return err
		}
		if _, err := tx.Pgx().Exec(ctx, `INSERT INTO outbox VALUES ('digest')`); err != nil {
			return err
		}
		items, err := tx.Items(ctx, store.ItemFilter{})
		if err != nil || len(items) == 0 {
			t.Errorf("inside the transaction: %d items, %v", len(items), err)
		}
		return errStop
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("InTx = %v, want the caller's error", err)
	}
	if n := count(t, db, "outbox"); n != 0 {
		t.Errorf("outbox holds %d rows after a rollback", n)
	}
	for table, n := range impCounts(t, db) {
		if n != 0 {
			t.Errorf("%s holds %d rows after a rollback", table, n)
		}
	}

	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := tx.ImportFile(ctx, f, rows, impNow)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Pgx().Exec(ctx, `INSERT INTO outbox VALUES ('digest')`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	tx.Rollback(ctx) // after Commit: nothing
	if n := count(t, db, "outbox"); n != 1 {
		t.Errorf("outbox holds %d rows after the commit, want 1", n)
	}
	items, err := db.Items(ctx, store.ItemFilter{})
	if err != nil || len(items) != rep.ItemsCreated || rep.ItemsCreated == 0 {
		t.Errorf("after the commit: %d items, report says %d, %v", len(items), rep.ItemsCreated, err)
	}
}

func count(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.Pool().QueryRow(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
