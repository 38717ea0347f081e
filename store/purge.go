package store

import (
	"context"
	"fmt"
	"time"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
)

// ErrInvalidPurge is returned by Purge when it is given no date.
var ErrInvalidPurge = rppsync.NewError("purge_invalid", "purge without a cut-off date")

// DefaultRetention is how long after a contract ends its personal data is
// kept by default: callers purge contracts ended before today minus this.
const DefaultRetention = 90 * 24 * time.Hour

// PurgeReport counts what Purge erased.
type PurgeReport struct {
	Contracts int // contracts whose personal data was erased
	Rows      int // rows of imported files erased
	Items     int // work items erased
}

// purgedIssues is a jsonb array of issues with their messages blanked: a
// message may quote a birth date or an e-mail address as typed.
const purgedIssues = `(SELECT coalesce(jsonb_agg(e || '{"message": ""}'::jsonb ORDER BY n), '[]'::jsonb)
	FROM jsonb_array_elements(issues) WITH ORDINALITY AS x(e, n))`

// Purge erases the personal data of the contracts that ended before
// endedBefore, in one transaction: the contract's data, the original and
// normalised values of its rows, the messages of their issues, its items'
// pre-filled registration and person (the worker's name), the reasons and
// names of their candidates and the messages
// of their issues, and the reason of its fix_data items, which quotes the
// row. It keeps identifiers and the life of the queue: ids, RPPS, FINESS,
// dates, statuses, kinds, states, worker keys (a hash, never a name) and
// histories, whose reasons name files, rows, RPPS and dates only. A contract
// with no end date is purged when its last import is older than
// endedBefore. Purged contracts are marked purged_at, so Purge is
// idempotent: a second run erases nothing more.
//
// Pending items of a purged contract are closed first, through package
// queue: expired when their contract ended (as Reconcile would have done),
// cancelled when the contract has no end date, so that no open item is left
// that nobody can act on.
func (t *Tx) Purge(ctx context.Context, endedBefore rppsync.Date, now time.Time) (*PurgeReport, error) {
	if endedBefore.IsZero() {
		return nil, ErrInvalidPurge
	}
	tx := t.tx
	if err := t.lockQueue(ctx); err != nil {
		return nil, fmt.Errorf("purge: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT id FROM contract WHERE purged_at IS NULL
		AND (end_date < $1 OR (end_date IS NULL AND updated_at < $1))`, endedBefore.Time())
	if err != nil {
		return nil, fmt.Errorf("purge: select contracts: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("purge: select contracts: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("purge: select contracts: %w", err)
	}
	rep := &PurgeReport{Contracts: len(ids)}
	if len(ids) == 0 {
		return rep, nil
	}

	pending, err := queryItems(ctx, tx, `SELECT `+itemColumns+` FROM item i
		WHERE i.contract_id = ANY($1) AND i.state = 'pending' ORDER BY i.id`, ids)
	if err != nil {
		return nil, fmt.Errorf("purge: read pending items: %w", err)
	}
	w := newItemWriter(now)
	for _, s := range pending {
		// No directory is read here: NoDirectory keeps a close_activity item
		// from being taken as done.
		it, _, changed := queue.Reconcile(s.Item, queue.Snapshot{Today: endedBefore, NoDirectory: true}, now)
		if !changed {
			reason := "Annulé : la ligne n'a pas de date de fin de mission et ses données personnelles ont été effacées (durée de conservation dépassée) ; renvoyez-la corrigée si la mission a lieu."
			if s.Kind == queue.KindCloseActivity {
				reason = "Annulé : les données personnelles de cette mission terminée ont été effacées (durée de conservation dépassée)."
			}
			if it, err = it.Transition(queue.StateCancelled, reason, now); err != nil {
				return nil, fmt.Errorf("purge: close item %d: %w", s.ID, err)
			}
		}
		w.update(s, it)
	}
	if err := w.flush(ctx, tx); err != nil {
		return nil, fmt.Errorf("purge: %w", err)
	}

	// A worker key made of the person's name and birth date (queue.WorkerKey
	// "id:…") is a hash anyone holding a name and a birth date can
	// recompute: it is erased with the data, for the contract and its
	// items, each given a key of its own id. An RPPS key is the public
	// directory's number and stays. A corrected file sent after the purge
	// makes a new contract.
	if _, err := tx.Exec(ctx, `UPDATE contract SET data = NULL, purged_at = $2, person = NULL,
		worker = CASE WHEN worker LIKE 'id:%' THEN 'purged:' || id ELSE worker END,
		key = CASE WHEN worker LIKE 'id:%' THEN 'purged:' || id ELSE key END
		WHERE id = ANY($1)`, ids, now); err != nil {
		return nil, fmt.Errorf("purge: contracts: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE item SET worker = 'purged:' || contract_id, key = 'purged:' || id
		WHERE contract_id = ANY($1) AND (worker LIKE 'id:%' OR key LIKE 'id:%')`, ids); err != nil {
		return nil, fmt.Errorf("purge: item keys: %w", err)
	}
	tag, err := tx.Exec(ctx, `UPDATE import_row SET original = NULL, normalised = NULL, issues = `+purgedIssues+`
		WHERE contract_id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("purge: rows: %w", err)
	}
	rep.Rows = int(tag.RowsAffected())
	tag, err = tx.Exec(ctx, `UPDATE item SET registration = NULL, person = NULL,
		candidates = (SELECT coalesce(jsonb_agg(c - 'reasons' - 'last_name' - 'first_name' ORDER BY n), '[]'::jsonb)
			FROM jsonb_array_elements(candidates) WITH ORDINALITY AS x(c, n)),
		issues = `+purgedIssues+`,
		reason = CASE WHEN kind = 'fix_data' THEN $2 ELSE reason END,
		updated_at = $3
		WHERE contract_id = ANY($1)`, ids, fmt.Sprintf(
		"Les données de cette ligne ont été effacées le %s (durée de conservation dépassée) : le détail des corrections demandées n'est plus disponible.",
		now.Format("02/01/2006")), now)
	if err != nil {
		return nil, fmt.Errorf("purge: items: %w", err)
	}
	rep.Items = int(tag.RowsAffected())
	t.db.log.Debug().Str("ended_before", endedBefore.String()).Int("contracts", rep.Contracts).
		Int("rows", rep.Rows).Int("items", rep.Items).Int("items_closed", len(w.updated)).Msg("purge written")
	return rep, nil
}
