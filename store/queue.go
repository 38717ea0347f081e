package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
)

// ErrItemNotFound is returned by Item and ResolveCandidate when no work item
// has the id asked.
var ErrItemNotFound = rppsync.NewError("item_not_found", "no such work item")

// lockQueue is the advisory lock class every write to contracts and items
// takes (ImportFile, ResolveCandidate, Reconcile, Purge): they read the
// items, let package queue decide, and write the result, so they run one at
// a time per schema and never decide on a stale item.
const lockQueue int32 = 40

// Origins of an item (item.origin): what created it.
const (
	originImport    = "import"    // built from an agency row (queue.Build)
	originResolve   = "resolve"   // follow-on of a human decision (queue.Resolve)
	originReconcile = "reconcile" // follow-on of a directory load (queue.Reconcile)
)

// StoredItem is a work item as the database holds it (see queue.Entry).
type StoredItem = queue.Entry

// ItemFilter selects work items. Zero fields select everything: an empty
// FINESS, Agency or Audience, no Kinds, no States, a zero UpdatedAfter and
// a Limit of 0.
type ItemFilter struct {
	FINESS   string
	Agency   string
	Audience queue.Audience
	Kinds    []queue.Kind
	States   []queue.State // empty = all
	// UpdatedAfter keeps the items created or changed strictly after it.
	UpdatedAfter time.Time
	Limit        int
}

// itemColumns are the item columns scanItem reads, prefixed by i.
const itemColumns = `i.id, i.contract_id, i.agency, i.key, i.kind, i.audience, i.worker, i.status, i.channel,
	i.finess, i.rpps, i.state, i.reason, i.body, i.start_date, i.end_date, i.source, i.registration,
	i.candidates, i.issues, i.due_at, i.created_at, i.updated_at, i.person, i.periods, i.declared`

// kindOrder sorts items by kind in the order of queue.Kinds.
var kindOrder = func() string {
	quoted := make([]string, len(queue.Kinds))
	for i, k := range queue.Kinds {
		quoted[i] = "'" + string(k) + "'"
	}
	return "array_position(ARRAY[" + strings.Join(quoted, ", ") + "]::text[], i.kind)"
}()

// scanItem reads one row of itemColumns.
func scanItem(row pgx.Row) (StoredItem, error) {
	var (
		s          StoredItem
		start, end *time.Time
		due        *time.Time
	)
	err := row.Scan(&s.ID, &s.ContractID, &s.Agency, &s.Key, &s.Kind, &s.Audience, &s.Worker, &s.Status,
		&s.Channel, &s.FINESS, &s.RPPS, &s.State, &s.Reason, &s.Body, &start, &end, &s.Source,
		&s.Registration, &s.Candidates, &s.Issues, &due, &s.CreatedAt, &s.UpdatedAt, &s.Person, &s.Periods, &s.Declared)
	if err != nil {
		return s, err
	}
	s.Start, s.End = dateOf(start), dateOf(end)
	if due != nil {
		s.DueAt = *due
	}
	if len(s.Candidates) == 0 {
		s.Candidates = nil
	}
	if len(s.Issues) == 0 {
		s.Issues = nil
	}
	if len(s.Periods) == 0 {
		s.Periods = nil
	}
	if len(s.Declared) == 0 {
		s.Declared = nil
	}
	return s, nil
}

// querier is what pgx.Tx and *pgxpool.Pool share for queries.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// queryItems runs a query returning itemColumns, then fills every item's
// History with one more query.
func queryItems(ctx context.Context, q querier, sql string, args ...any) ([]StoredItem, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (StoredItem, error) { return scanItem(r) })
	if err != nil {
		return nil, err
	}
	if err := loadHistory(ctx, q, items); err != nil {
		return nil, err
	}
	return items, nil
}

// loadHistory reads the events of items in one query.
func loadHistory(ctx context.Context, q querier, items []StoredItem) error {
	if len(items) == 0 {
		return nil
	}
	ids := make([]int64, len(items))
	at := make(map[int64]int, len(items))
	for i, it := range items {
		ids[i] = it.ID
		at[it.ID] = i
		items[i].History = nil
	}
	rows, err := q.Query(ctx, `SELECT item_id, at, from_state, to_state, reason, rpps
		FROM item_event WHERE item_id = ANY($1) ORDER BY item_id, seq`, ids)
	if err != nil {
		return fmt.Errorf("item history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id int64
			e  queue.Event
		)
		if err := rows.Scan(&id, &e.At, &e.From, &e.To, &e.Reason, &e.RPPS); err != nil {
			return fmt.Errorf("item history: %w", err)
		}
		i := at[id]
		items[i].History = append(items[i].History, e)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("item history: %w", err)
	}
	return nil
}

// Items returns the work items f selects, ordered by FINESS, kind (in the
// order of queue.Kinds) and id, each with its whole History.
func (db *DB) Items(ctx context.Context, f ItemFilter) (out []StoredItem, err error) {
	err = db.op(ctx, "queue", db.cfg.Timeout, func(ctx context.Context) error {
		out, err = items(ctx, db.pool, f)
		return err
	})
	return out, err
}

// Items is DB.Items inside the transaction.
func (t *Tx) Items(ctx context.Context, f ItemFilter) ([]StoredItem, error) {
	return items(ctx, t.tx, f)
}

func items(ctx context.Context, q querier, f ItemFilter) ([]StoredItem, error) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(args))))
	}
	if f.FINESS != "" {
		add("i.finess = ?", f.FINESS)
	}
	if f.Agency != "" {
		add("i.agency = ?", f.Agency)
	}
	if f.Audience != "" {
		add("i.audience = ?", string(f.Audience))
	}
	if len(f.Kinds) > 0 {
		add("i.kind = ANY(?)", enumStrings(f.Kinds))
	}
	if len(f.States) > 0 {
		add("i.state = ANY(?)", enumStrings(f.States))
	}
	if !f.UpdatedAfter.IsZero() {
		add("i.updated_at > ?", f.UpdatedAfter)
	}
	sql := `SELECT ` + itemColumns + ` FROM item i`
	if len(where) > 0 {
		sql += ` WHERE ` + strings.Join(where, " AND ")
	}
	sql += ` ORDER BY i.finess, ` + kindOrder + `, i.id`
	if f.Limit > 0 {
		args = append(args, f.Limit)
		sql += fmt.Sprintf(" LIMIT $%d", len(args))
	}
	out, err := queryItems(ctx, q, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("items: %w", err)
	}
	return out, nil
}

func enumStrings[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// Item returns the work item id with its History, or ErrItemNotFound.
func (db *DB) Item(ctx context.Context, id int64) (*StoredItem, error) {
	items, err := queryItems(ctx, db.pool, `SELECT `+itemColumns+` FROM item i WHERE i.id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("item %d: %w", id, err)
	}
	if len(items) == 0 {
		return nil, ErrItemNotFound.About(fmt.Sprint(id), nil)
	}
	return &items[0], nil
}

// ResolveCandidate applies a human decision to the pending confirm_candidate
// item id: choice is the RPPS of one of its candidates, or "" to reject them
// all (see queue.Resolve). The cards of the candidates are read first, so
// that confirming someone with no CPS card covering the contract also orders
// an MIE when the card extract is loaded. The closed item and the follow-on
// items, linked to the same contract, are written in one transaction and
// returned; a follow-on item whose key already exists is left as it is and
// not returned. queue's *queue.ItemError passes through (errors.As), and
// ErrItemNotFound says no item has that id.
func (t *Tx) ResolveCandidate(ctx context.Context, id int64, choice string, now time.Time) (*StoredItem, []StoredItem, error) {
	tx := t.tx
	if err := t.lockQueue(ctx); err != nil {
		return nil, nil, fmt.Errorf("resolve item %d: %w", id, err)
	}
	items, err := queryItems(ctx, tx, `SELECT `+itemColumns+` FROM item i WHERE i.id = $1 FOR UPDATE`, id)
	if err != nil {
		return nil, nil, fmt.Errorf("resolve item %d: %w", id, err)
	}
	if len(items) == 0 {
		return nil, nil, ErrItemNotFound.About(fmt.Sprint(id), nil)
	}
	stored := items[0]
	var rpps []string
	for _, c := range stored.Candidates {
		rpps = append(rpps, c.RPPS)
	}
	cards, err := t.QueueCards(ctx, rpps)
	if err != nil {
		return nil, nil, fmt.Errorf("resolve item %d: %w", id, err)
	}
	known, err := t.knownPros(ctx, rpps)
	if err != nil {
		return nil, nil, fmt.Errorf("resolve item %d: %w", id, err)
	}
	closed, next, err := queue.ResolveKnown(stored.Item, choice, cards, known, now)
	if err != nil {
		return nil, nil, fmt.Errorf("resolve item %d: %w", id, err)
	}
	w := newItemWriter(now)
	w.update(stored, closed)
	for _, it := range next {
		w.insert(stored.ContractID, stored.Agency, originResolve, it)
	}
	if err := w.dropKnown(ctx, tx); err != nil {
		return nil, nil, fmt.Errorf("resolve item %d: %w", id, err)
	}
	if err := w.flush(ctx, tx); err != nil {
		return nil, nil, fmt.Errorf("resolve item %d: %w", id, err)
	}
	t.db.log.Debug().Int64("item", id).Bool("confirmed", choice != "").
		Int("follow_on", len(w.inserted)).Msg("candidate resolution written")
	out := w.updated[0]
	return &out, w.inserted, nil
}

// knownPros returns what the directory shows of rpps, in one query, as
// package queue wants it; it knows nobody when no directory is loaded.
func (t *Tx) knownPros(ctx context.Context, rpps []string) (queue.Known, error) {
	if len(rpps) == 0 {
		return queue.Known{}, nil
	}
	rows, err := t.tx.Query(ctx, professionalsSQL, rpps)
	if err != nil {
		return queue.Known{}, fmt.Errorf("directory professionals: %w", err)
	}
	pros := map[string]rppsync.Professional{}
	err = collectProfessionals(rows, false, func(p *rppsync.Professional, _ []string) { pros[p.RPPS] = *p })
	switch {
	case errors.Is(err, ErrNoDirectory):
		return queue.Known{}, nil
	case err != nil:
		return queue.Known{}, fmt.Errorf("directory professionals: %w", err)
	}
	return queue.Known{Pros: pros}, nil
}

// QueueCards returns the cards of rpps as package queue wants them, in one
// query: every card of each holder, holders in RPPS order; Known is false
// when no card extract is loaded (then queue decides no MIE need).
func (db *DB) QueueCards(ctx context.Context, rpps []string) (c queue.Cards, err error) {
	err = db.op(ctx, "cards", db.cfg.Timeout, func(ctx context.Context) error {
		c, err = queueCards(ctx, db.pool, rpps)
		return err
	})
	return c, err
}

// QueueCards is DB.QueueCards inside the transaction.
func (t *Tx) QueueCards(ctx context.Context, rpps []string) (queue.Cards, error) {
	return queueCards(ctx, t.tx, rpps)
}

func queueCards(ctx context.Context, q querier, rpps []string) (queue.Cards, error) {
	byRPPS, err := cards(ctx, q, rpps)
	if errors.Is(err, ErrNoCards) {
		return queue.Cards{}, nil
	}
	if err != nil {
		return queue.Cards{}, err
	}
	c := queue.Cards{Known: true}
	for _, r := range slices.Sorted(maps.Keys(byRPPS)) {
		c.List = append(c.List, byRPPS[r]...)
	}
	return c, nil
}

// itemWriter collects the items a transaction inserts and updates, and
// writes them in a few statements whatever their number: ids are taken from
// the sequence in one query, new items and every new event go through COPY,
// updates through one batch.
type itemWriter struct {
	now      time.Time
	inserted []StoredItem
	origins  []string // per inserted item: item.origin
	updated  []StoredItem
	seen     []int // per updated item: events already stored
}

func newItemWriter(now time.Time) *itemWriter { return &itemWriter{now: now} }

// insert adds a new item of a contract.
func (w *itemWriter) insert(contractID int64, agency, origin string, it queue.Item) {
	w.inserted = append(w.inserted, StoredItem{Item: it, Agency: agency, ContractID: contractID,
		CreatedAt: w.now, UpdatedAt: w.now})
	w.origins = append(w.origins, origin)
}

// update records that old became it; only the events after old's History
// are written.
func (w *itemWriter) update(old StoredItem, it queue.Item) {
	s := old
	s.Item = it
	s.UpdatedAt = w.now
	w.updated = append(w.updated, s)
	w.seen = append(w.seen, len(old.History))
}

// flush writes everything collected.
func (w *itemWriter) flush(ctx context.Context, tx pgx.Tx) error {
	if len(w.inserted) > 0 {
		ids, err := nextIDs(ctx, tx, "item", len(w.inserted))
		if err != nil {
			return err
		}
		for i := range w.inserted {
			w.inserted[i].ID = ids[i]
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"item"}, []string{"id", "contract_id", "agency", "key", "origin",
			"kind", "audience", "worker", "status", "channel", "finess", "rpps", "state", "reason", "body",
			"start_date", "end_date", "source", "registration", "candidates", "issues", "due_at",
			"created_at", "updated_at", "person", "periods", "declared"},
			pgx.CopyFromSlice(len(w.inserted), func(i int) ([]any, error) {
				s := w.inserted[i]
				return []any{s.ID, s.ContractID, cleanText(s.Agency), s.Key, w.origins[i], string(s.Kind),
					string(s.Audience), s.Worker, string(s.Status), string(s.Channel), s.FINESS, s.RPPS,
					string(s.State), cleanText(s.Reason), s.Body, dateValue(s.Start), dateValue(s.End),
					s.Source, s.Registration, nonNil(s.Candidates), nonNil(s.Issues), timeValue(s.DueAt),
					s.CreatedAt, s.UpdatedAt, cleanPerson(s.Person), nonNil(s.Periods), nonNil(s.Declared)}, nil
			}))
		if err != nil {
			return fmt.Errorf("insert items: %w", err)
		}
	}
	if len(w.updated) > 0 {
		// Updates go through a temporary table: COPY, then one UPDATE.
		_, err := tx.Exec(ctx, `CREATE TEMP TABLE item_update ON COMMIT DROP AS
			SELECT id, status, channel, rpps, state, reason, body, source, registration, candidates, issues, due_at, updated_at,
				person, periods, start_date, end_date
			FROM item WITH NO DATA`)
		if err != nil {
			return fmt.Errorf("update items: %w", err)
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"item_update"}, []string{"id", "status", "channel", "rpps", "state",
			"reason", "body", "source", "registration", "candidates", "issues", "due_at", "updated_at",
			"person", "periods", "start_date", "end_date"},
			pgx.CopyFromSlice(len(w.updated), func(i int) ([]any, error) {
				s := w.updated[i]
				return []any{s.ID, string(s.Status), string(s.Channel), s.RPPS, string(s.State), cleanText(s.Reason), s.Body,
					s.Source, s.Registration, nonNil(s.Candidates), nonNil(s.Issues), timeValue(s.DueAt), s.UpdatedAt,
					cleanPerson(s.Person), nonNil(s.Periods), dateValue(s.Start), dateValue(s.End)}, nil
			}))
		if err != nil {
			return fmt.Errorf("update items: %w", err)
		}
		_, err = tx.Exec(ctx, `UPDATE item i SET status = u.status, channel = u.channel, rpps = u.rpps, state = u.state,
			reason = u.reason, body = u.body, source = u.source, registration = u.registration,
			candidates = u.candidates, issues = u.issues, due_at = u.due_at, updated_at = u.updated_at,
			person = u.person, periods = u.periods, start_date = u.start_date, end_date = u.end_date
			FROM item_update u WHERE i.id = u.id;
			DROP TABLE item_update`)
		if err != nil {
			return fmt.Errorf("update items: %w", err)
		}
	}
	var events [][]any
	for _, s := range w.inserted {
		for seq, e := range s.History {
			events = append(events, eventValues(s.ID, seq, e))
		}
	}
	for i, s := range w.updated {
		for seq := w.seen[i]; seq < len(s.History); seq++ {
			events = append(events, eventValues(s.ID, seq, s.History[seq]))
		}
	}
	if len(events) > 0 {
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"item_event"},
			[]string{"item_id", "seq", "at", "from_state", "to_state", "reason", "rpps"}, pgx.CopyFromRows(events))
		if err != nil {
			return fmt.Errorf("insert item events: %w", err)
		}
	}
	return nil
}

// cleanPerson returns p with its names cleaned of what the database
// refuses, or nil.
func cleanPerson(p *queue.Person) *queue.Person {
	if p == nil {
		return nil
	}
	return &queue.Person{LastName: cleanText(p.LastName), UsageName: cleanText(p.UsageName), FirstName: cleanText(p.FirstName)}
}

func eventValues(id int64, seq int, e queue.Event) []any {
	return []any{id, seq, e.At, string(e.From), string(e.To), cleanText(e.Reason), e.RPPS}
}

// nextIDs takes n values of the identity sequence of table's id column in
// one query, so rows can be copied with their ids known in advance.
func nextIDs(ctx context.Context, tx pgx.Tx, table string, n int) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)`, table, n)
	if err != nil {
		return nil, fmt.Errorf("allocate %s ids: %w", table, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("allocate %s ids: %w", table, err)
	}
	return ids, nil
}

// nonNil returns s, or an empty slice for nil, for NOT NULL jsonb arrays.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// timeValue is t for a nullable timestamptz column: NULL when zero.
func timeValue(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}
