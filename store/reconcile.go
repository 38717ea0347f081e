package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
)

// ReconcileReport says what Reconcile changed.
type ReconcileReport struct {
	Checked int // pending items looked at
	Done    int // items the directory or the card extract showed fulfilled
	Expired int // items whose contract ended before today
	Created int // follow-on items, such as activate_ecps
	// ByFINESS counts the changed items (done or expired) per structure.
	ByFINESS map[string]int
	// DirectoryMissing is true when no directory extract is loaded: then
	// only expiry was applied.
	DirectoryMissing bool
}

// atFINESSSQL returns a marker row (part 0) when a directory is loaded,
// then every line of the people having an activity whose FINESS site or
// legal entity is one of $1, by RPPS and file order.
const atFINESSSQL = `WITH ` + currentActivities + `,
hit AS (SELECT DISTINCT rpps FROM directory_line
	WHERE finess_site = ANY($1::text[]) OR finess_juridique = ANY($1::text[]))
SELECT 0 AS part, 0::bigint AS line_no, ` + blankLine + ` FROM cur
UNION ALL
SELECT 1, l.line_no, ` + lineSelect + ` FROM hit JOIN directory_line l ON l.rpps = hit.rpps
ORDER BY part, rpps, line_no`

// Reconcile closes the loop after a directory load: every pending item is
// given to queue.Reconcile with what the directory shows at its structure's
// FINESS (site or legal entity) and the card extract, and today for expiry.
// A registration whose person now appears at the FINESS is done with the
// RPPS recorded (and a RPPS+ registrant gets an activate_ecps item), an
// activity now visible is done, a card now covering the contract closes its
// order_mie item, items whose contract ended before today expire; an RPPS+
// activity validated or registered for a contract that ended before today
// (within DefaultRetention), and still shown at the FINESS, gets its
// close_activity item (queue.EndOfMission). It reads
// the directory in one query for all the structures involved and the cards
// in one query, then writes every change, follow-on item and history event
// in one transaction. With no directory loaded, only expiry is applied and
// the report says DirectoryMissing.
func (t *Tx) Reconcile(ctx context.Context, today rppsync.Date, now time.Time) (*ReconcileReport, error) {
	tx := t.tx
	if err := t.lockQueue(ctx); err != nil {
		return nil, fmt.Errorf("reconcile: %w", err)
	}
	pending, err := queryItems(ctx, tx, `SELECT `+itemColumns+` FROM item i WHERE i.state = 'pending' ORDER BY i.id`)
	if err != nil {
		return nil, fmt.Errorf("reconcile: read pending items: %w", err)
	}
	rep := &ReconcileReport{Checked: len(pending), ByFINESS: map[string]int{}}
	var ended []StoredItem
	if !today.IsZero() {
		// The RPPS+ activities declared for contracts that ended (within
		// the retention period) and whose close_activity is not asked yet.
		ended, err = queryItems(ctx, tx, `SELECT `+itemColumns+` FROM item i
			WHERE i.state = 'done' AND i.channel = 'rpps_plus' AND i.kind IN ('validate_activity', 'register_rpps_plus')
			AND i.end_date < $1 AND i.end_date >= $2 AND i.rpps <> ''
			AND NOT EXISTS (SELECT 1 FROM item c WHERE c.contract_id = i.contract_id AND c.kind = 'close_activity')
			ORDER BY i.id`, today.Time(), today.Time().Add(-DefaultRetention))
		if err != nil {
			return nil, fmt.Errorf("reconcile: read ended activities: %w", err)
		}
	}
	if len(pending) == 0 && len(ended) == 0 {
		return rep, nil
	}

	var finess, rpps []string
	for _, s := range ended {
		if !slices.Contains(finess, s.FINESS) {
			finess = append(finess, s.FINESS)
		}
	}
	for _, s := range pending {
		if s.FINESS != "" && !slices.Contains(finess, s.FINESS) {
			finess = append(finess, s.FINESS)
		}
		if s.RPPS != "" && s.Kind == queue.KindOrderMIE {
			rpps = append(rpps, s.RPPS)
		}
	}
	slices.Sort(finess)
	atFINESS := map[string][]rppsync.Professional{}
	rows, err := tx.Query(ctx, atFINESSSQL, finess)
	if err != nil {
		return nil, fmt.Errorf("reconcile: read directory: %w", err)
	}
	err = collectProfessionals(rows, false, func(p *rppsync.Professional, _ []string) {
		var seen []string
		for _, a := range p.Activities {
			for _, f := range []string{a.FinessSite, a.FinessJuridique} {
				if f != "" && !slices.Contains(seen, f) && slices.Contains(finess, f) {
					seen = append(seen, f)
					atFINESS[f] = append(atFINESS[f], *p)
				}
			}
		}
	})
	switch {
	case errors.Is(err, ErrNoDirectory):
		rep.DirectoryMissing = true
	case err != nil:
		return nil, fmt.Errorf("reconcile: read directory: %w", err)
	}
	var cards queue.Cards
	if !rep.DirectoryMissing && len(rpps) > 0 {
		if cards, err = t.QueueCards(ctx, rpps); err != nil {
			return nil, fmt.Errorf("reconcile: read cards: %w", err)
		}
	}

	w := newItemWriter(now)
	for _, s := range pending {
		snap := queue.Snapshot{AtFINESS: atFINESS[s.FINESS], Cards: cards, Today: today, NoDirectory: rep.DirectoryMissing}
		it, next, changed := queue.Reconcile(s.Item, snap, now)
		if !changed {
			continue
		}
		w.update(s, it)
		switch it.State {
		case queue.StateDone:
			rep.Done++
		case queue.StateExpired:
			rep.Expired++
		}
		rep.ByFINESS[s.FINESS]++
		for _, n := range next {
			w.insert(s.ContractID, s.Agency, originReconcile, n)
		}
	}
	for _, s := range ended {
		snap := queue.Snapshot{AtFINESS: atFINESS[s.FINESS], Today: today, NoDirectory: rep.DirectoryMissing}
		if n, ok := queue.EndOfMission(s.Item, snap, now); ok {
			w.insert(s.ContractID, s.Agency, originReconcile, n)
		}
	}
	if err := w.dropKnown(ctx, tx); err != nil {
		return nil, fmt.Errorf("reconcile: %w", err)
	}
	if err := w.flush(ctx, tx); err != nil {
		return nil, fmt.Errorf("reconcile: %w", err)
	}
	rep.Created = len(w.inserted)
	t.db.log.Debug().Int("checked", rep.Checked).Int("done", rep.Done).Int("expired", rep.Expired).
		Int("created", rep.Created).Bool("directory_missing", rep.DirectoryMissing).Msg("reconciliation written")
	return rep, nil
}

// dropKnown removes from the items to insert those whose agency and key
// already exist (an item is never created twice), in one query.
func (w *itemWriter) dropKnown(ctx context.Context, tx querier) error {
	if len(w.inserted) == 0 {
		return nil
	}
	agencies, keys := make([]string, len(w.inserted)), make([]string, len(w.inserted))
	for i, s := range w.inserted {
		agencies[i], keys[i] = s.Agency, s.Key
	}
	rows, err := tx.Query(ctx, `SELECT i.agency, i.key FROM item i
		JOIN unnest($1::text[], $2::text[]) AS k(agency, key) ON i.agency = k.agency AND i.key = k.key`, agencies, keys)
	if err != nil {
		return fmt.Errorf("read known item keys: %w", err)
	}
	known := map[[2]string]bool{}
	for rows.Next() {
		var a, k string
		if err := rows.Scan(&a, &k); err != nil {
			rows.Close()
			return fmt.Errorf("read known item keys: %w", err)
		}
		known[[2]string{a, k}] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read known item keys: %w", err)
	}
	var ins []StoredItem
	var origins []string
	for i, s := range w.inserted {
		k := [2]string{s.Agency, s.Key}
		if known[k] {
			continue
		}
		known[k] = true // two follow-ons with one key: keep the first
		ins, origins = append(ins, s), append(origins, w.origins[i])
	}
	w.inserted, w.origins = ins, origins
	return nil
}
