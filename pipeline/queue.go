package pipeline

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/report"
	"github.com/rppsync/rppsync/store"
)

// Reconcile closes the loop after the day's extracts are loaded: pending
// items the new directory fulfils are done, items whose contract ended
// expire.
func (p *Pipeline) Reconcile(ctx context.Context, db *store.DB) (*store.ReconcileReport, error) {
	now := p.cfg.Now()
	return db.Reconcile(ctx, rppsync.DateOf(now), now)
}

// Purge erases the personal data of contracts that ended longer ago than
// retention; it returns the report and the first day kept.
func (p *Pipeline) Purge(ctx context.Context, db *store.DB, retention time.Duration) (*store.PurgeReport, rppsync.Date, error) {
	if retention < 0 {
		return nil, rppsync.Date{}, fmt.Errorf("%w: negative retention", ErrInvalidConfig)
	}
	now := p.cfg.Now()
	before := rppsync.DateOf(now.Add(-retention))
	rep, err := db.Purge(ctx, before, now)
	return rep, before, err
}

// Resolve applies a human decision to a confirm_candidate item: choice is
// the RPPS of the candidate who is the worker, or "" to reject them all.
func (p *Pipeline) Resolve(ctx context.Context, db *store.DB, item int64, choice string) (*store.StoredItem, []store.StoredItem, error) {
	return db.ResolveCandidate(ctx, item, choice, p.cfg.Now())
}

// Export writes the items f selects to w in format: one structure's queue
// (f.FINESS) or one agency's (f.Agency), never anything else. title says
// what the file holds (the XLSX summary sheet shows it).
func (p *Pipeline) Export(ctx context.Context, db *store.DB, w io.Writer, f store.ItemFilter, format report.QueueFormat, title string) (int, error) {
	items, err := db.Items(ctx, f)
	if err != nil {
		return 0, err
	}
	if err := report.WriteQueue(w, format, items, report.Options{Now: p.cfg.Now(), Title: title}); err != nil {
		return 0, fmt.Errorf("write the queue: %w", err)
	}
	return len(items), nil
}
