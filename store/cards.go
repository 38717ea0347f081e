package store

import (
	"context"
	"fmt"
	"time"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/directory"
)

// ErrNoCards is returned by Cards when no card extract (Porteurs_CPS_CPF)
// has been loaded into the database yet: "no card" cannot be told from
// "not loaded".
var ErrNoCards = rppsync.NewError("no_cards", "no card extract is loaded")

// CardSource yields the cards of a Porteurs_CPS_CPF extract: Next advances
// and reports whether a card is available, Line returns it, Err reports what
// stopped the iteration (nil at a clean end of file). *directory.CardReader
// is one.
type CardSource interface {
	Next() bool
	Line() directory.Card
	Err() error
}

var cardsSpec = tableSpec{
	kind: "cards",
	live: "directory_card",
	lock: lockCards,
	columns: []string{"rpps", "line_no", "number", "card_type", "valid_from", "valid_to",
		"opposed_at", "updated_at", "profession"},
	indexes: []indexSpec{{"rpps_idx", "(rpps)"}},
}

// cardRows adapts a CardSource to pgx.CopyFromSource. Cards with no holder
// RPPS are skipped.
type cardRows struct {
	src      CardSource
	progress func(int64)
	vals     []any
	read     int64
	loaded   int64
	skipped  int64
}

// dateValue is d for a date column: NULL when absent.
func dateValue(d rppsync.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.Time()
}

func (r *cardRows) Next() bool {
	for r.src.Next() {
		r.read++
		if r.progress != nil && r.read%progressEvery == 0 {
			r.progress(r.read)
		}
		c := r.src.Line()
		if c.RPPS == "" {
			r.skipped++
			continue
		}
		r.vals = append(r.vals[:0], cleanText(c.RPPS), r.read, cleanText(c.Number), cleanText(c.Type),
			dateValue(c.ValidFrom), dateValue(c.ValidTo), dateValue(c.OpposedAt), dateValue(c.UpdatedAt),
			cleanText(c.Profession))
		r.loaded++
		return true
	}
	return false
}

func (r *cardRows) Values() ([]any, error) { return r.vals, nil }

func (r *cardRows) Err() error {
	if err := r.src.Err(); err != nil {
		return fmt.Errorf("read card line %d: %w", r.read+1, err)
	}
	return nil
}

func (r *cardRows) counts() (int64, int64, int64) { return r.read, r.loaded, r.skipped }

// LoadCards replaces the CPS/CPF cards in the database with those of src,
// the same way LoadDirectory replaces the directory (staging table, COPY,
// atomic swap, older extracts refused unless opts.Force). Changes are not
// computed for cards.
func (db *DB) LoadCards(ctx context.Context, ext ExtractInfo, src CardSource, opts LoadOptions) (rep *LoadReport, err error) {
	err = db.op(ctx, ext.Name, db.cfg.LoadTimeout, func(ctx context.Context) error {
		rep, err = db.load(ctx, cardsSpec, ext, &cardRows{src: src, progress: opts.Progress}, opts)
		return err
	})
	return rep, err
}

// cardsSQL returns a marker row (part 0) when a card extract is loaded, then
// the cards of the RPPS asked, by RPPS, end of validity (latest first) and
// file order.
const cardsSQL = `WITH cur AS (SELECT id FROM extract WHERE kind = 'cards' ORDER BY id DESC LIMIT 1)
SELECT 0 AS part, '' AS rpps, 0::bigint AS line_no, '' AS number, '' AS card_type,
	NULL::date AS valid_from, NULL::date AS valid_to, NULL::date AS opposed_at, NULL::date AS updated_at, '' AS profession
FROM cur
UNION ALL
SELECT 1, c.rpps, c.line_no, c.number, c.card_type, c.valid_from, c.valid_to, c.opposed_at, c.updated_at, c.profession
FROM directory_card c WHERE c.rpps = ANY($1::text[])
ORDER BY part, rpps, valid_to DESC NULLS LAST, line_no`

// Cards returns the CPS/CPF cards of each RPPS asked, in one query, keyed by
// RPPS (latest end of validity first); holders of no card are absent from
// the map. It returns ErrNoCards when no card extract is loaded.
func (db *DB) Cards(ctx context.Context, rpps []string) (out map[string][]directory.Card, err error) {
	err = db.op(ctx, "cards", db.cfg.Timeout, func(ctx context.Context) error {
		out, err = cards(ctx, db.pool, rpps)
		return err
	})
	return out, err
}

// Cards is DB.Cards inside the transaction.
func (t *Tx) Cards(ctx context.Context, rpps []string) (map[string][]directory.Card, error) {
	return cards(ctx, t.tx, rpps)
}

func cards(ctx context.Context, q querier, rpps []string) (map[string][]directory.Card, error) {
	rows, err := q.Query(ctx, cardsSQL, rpps)
	if err != nil {
		return nil, fmt.Errorf("cards: %w", err)
	}
	defer rows.Close()
	out := make(map[string][]directory.Card)
	loaded := false
	for rows.Next() {
		var (
			part                  int
			lineNo                int64
			c                     directory.Card
			from, to, opp, update *time.Time
		)
		if err := rows.Scan(&part, &c.RPPS, &lineNo, &c.Number, &c.Type, &from, &to, &opp, &update, &c.Profession); err != nil {
			return nil, fmt.Errorf("cards: %w", err)
		}
		if part == 0 {
			loaded = true
			continue
		}
		c.ValidFrom, c.ValidTo, c.OpposedAt, c.UpdatedAt = dateOf(from), dateOf(to), dateOf(opp), dateOf(update)
		out[c.RPPS] = append(out[c.RPPS], c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cards: %w", err)
	}
	if !loaded {
		return nil, ErrNoCards
	}
	return out, nil
}

// dateOf is the calendar date of a nullable date column.
func dateOf(t *time.Time) rppsync.Date {
	if t == nil {
		return rppsync.Date{}
	}
	return rppsync.DateOf(*t)
}

// The reader of the card extract is a CardSource as it is.
var _ CardSource = (*directory.CardReader)(nil)
