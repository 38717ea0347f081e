package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
)

// ErrInvalidImport is returned by ImportFile when its arguments cannot be
// recorded: a SHA-256 that is not 64 hexadecimal digits, or rows given for a
// file that could not be read.
var ErrInvalidImport = rppsync.NewError("import_invalid", "invalid import")

// ImportFile describes one agency file as the importer read it. Error is set
// when the file could not be read at all: it is recorded too, with no rows.
type ImportFile struct {
	Path, SHA256, Agency, DroppedBy, Format string
	Sheets                                  []rppsync.SheetInfo
	// Unmapped and NIRColumns are column headings, never values.
	Unmapped, NIRColumns []string
	Error                *rppsync.FileError
}

// ImportRow is one row of the file: the record as read, its verdict, and
// the items the caller built for it with queue.Build.
type ImportRow struct {
	Record  rppsync.Record
	Verdict rppsync.Verdict
	Items   []queue.Item
}

// ImportReport says what ImportFile recorded.
type ImportReport struct {
	FileID int64
	// Duplicate is true when a file with the same SHA-256 was already
	// imported successfully: nothing was written, and DuplicateOf and
	// DuplicateAt name that earlier import.
	Duplicate   bool
	DuplicateOf int64
	DuplicateAt time.Time

	Rows               int // rows recorded
	ContractsNew       int // contracts seen for the first time
	ContractsUpdated   int // known contracts whose data changed
	ContractsUnchanged int // known contracts named again with the same data
	ItemsCreated       int // items inserted pending
	ItemsUpdated       int // pending items whose content changed
	ItemsCancelled     int // pending items the corrected rows no longer ask for
	// ContractsSuperseded counts the earlier contracts the file corrected
	// (queue.Supersedes): their pending items are cancelled (counted in
	// ItemsCancelled) and Superseded lists them.
	ContractsSuperseded int
	Superseded          []Supersession
	// Changes lists, per updated contract, the fields whose value changed.
	Changes []ContractChange
}

// ContractChange names the fields a row of a later file changed in a known
// contract, by their names in the contract data (see contractFields), such
// as birth_insee, phone, rpps or status.
type ContractChange struct {
	ContractKey string
	Sheet       string
	Row         int
	Fields      []string
}

// Supersession is an earlier contract a row of the file replaced.
type Supersession struct {
	Contract   int64 // the earlier contract
	By         int64 // the contract of the file that replaces it
	Sheet      string
	Row        int
	FINESS     string // the earlier contract's structure
	Start, End rppsync.Date
}

// contractFields are the keys of a contract's data, in the order Changes
// lists them. The contract's identity (worker, FINESS, dates, agency) is
// not among them: a change there makes another contract.
var contractFields = []string{
	"last_name", "usage_name", "first_name", "civility", "identifier", "birth_date", "birth_place",
	"birth_dept", "birth_country", "nationality", "profession", "structure", "email", "phone",
	"status", "rpps", "profession_code", "channel", "birth_insee", "issues", "candidates",
}

// contractData is the normalised values of a row, flat, keyed by
// contractFields: what a contract keeps of its latest row and what a row
// keeps as its normalised values. Issues and candidates are reduced to their
// codes and RPPS, so that a reworded message is not a change.
func contractData(rec rppsync.Record, v rppsync.Verdict) map[string]string {
	var codes []string
	for _, is := range append(append([]rppsync.Issue(nil), rec.Issues...), v.Issues...) {
		codes = append(codes, is.Field+":"+is.Code)
	}
	var cands []string
	for _, c := range v.Candidates {
		cands = append(cands, c.RPPS)
	}
	d := map[string]string{
		"last_name": rec.LastName.Display, "usage_name": rec.UsageName.Display, "first_name": rec.FirstName.Display,
		"civility": rec.Civility, "identifier": rec.Identifier, "birth_date": rec.BirthDate.String(),
		"birth_place": rec.BirthPlace, "birth_dept": rec.BirthDept, "birth_country": rec.Country,
		"nationality": rec.Nationality, "profession": rec.Profession, "structure": rec.Structure,
		"email": rec.Email, "phone": rec.Phone, "status": string(v.Status), "rpps": deref(v.RPPS),
		"profession_code": deref(v.ProfessionCode), "channel": string(deref(v.Channel)),
		"birth_insee": deref(v.BirthINSEE), "issues": strings.Join(codes, ","), "candidates": strings.Join(cands, ","),
	}
	for k, s := range d {
		d[k] = cleanText(s)
	}
	return d
}

func deref[T ~string](p *T) T {
	if p == nil {
		return ""
	}
	return *p
}

// changedFields returns the contractFields whose values differ.
func changedFields(old, cur map[string]string) []string {
	var out []string
	for _, f := range contractFields {
		if old[f] != cur[f] {
			out = append(out, f)
		}
	}
	return out
}

// importContract is one contract a file names, with the last of its rows.
type importContract struct {
	agency, key   string
	contract      queue.Contract
	person        string // queue.PersonKey of its last row
	row           int    // index in rows of the row whose data the contract keeps
	data          map[string]string
	id            int64
	old           map[string]string // data already stored; nil for a new contract
	known, purged bool
}

// ImportFile records one agency file, its rows, the contracts they name and
// their work items, in one transaction: a failure or a crash at any point
// leaves nothing of the file. It is idempotent: a file whose SHA-256 was
// already imported successfully changes nothing and returns a report with
// Duplicate set. A file that could not be read (f.Error) is recorded with no
// rows; it is not a duplicate of anything, so the same broken file dropped
// again is recorded again.
//
// A contract is identified by its agency and its queue.Contract (worker,
// structure FINESS, contract dates); the agency is the file's, or the row's
// when the file names none. A row of a later file naming a known contract
// updates its data and the report lists the fields that changed. What
// happens to its items is queue.PlanImport's decision (inserted, updated in
// place, cancelled, or left as they are), written here. When several rows of the file name the same contract, the
// last one wins. A contract whose data had been purged gets the new data and
// its purged mark cleared.
//
// Rows are always recorded for the file (sheet, row, status, original and
// normalised values, issues, contract). Writes are batched: a handful of
// statements and COPY streams per file, whatever its number of rows.
func (t *Tx) ImportFile(ctx context.Context, f ImportFile, rows []ImportRow, now time.Time) (*ImportReport, error) {
	f.SHA256 = strings.ToLower(strings.TrimSpace(f.SHA256))
	if len(f.SHA256) != 64 || strings.Trim(f.SHA256, "0123456789abcdef") != "" {
		return nil, rppsync.Errorf(ErrInvalidImport, f.Path, "SHA-256 %q is not 64 hexadecimal digits", f.SHA256)
	}
	if f.Error != nil && len(rows) > 0 {
		return nil, rppsync.Errorf(ErrInvalidImport, f.Path, "an unreadable file has no rows")
	}
	tx := t.tx
	if err := t.lockQueue(ctx); err != nil {
		return nil, fmt.Errorf("import %s: %w", f.Path, err)
	}
	rep := &ImportReport{}
	err := tx.QueryRow(ctx, `SELECT id, imported_at FROM import_file WHERE sha256 = $1 AND error_code IS NULL`, f.SHA256).
		Scan(&rep.DuplicateOf, &rep.DuplicateAt)
	switch {
	case err == nil:
		rep.Duplicate = true
		t.db.log.Info().Str("file", f.Path).Int64("duplicate_of", rep.DuplicateOf).Msg("file already imported")
		return rep, nil
	case !errors.Is(err, pgx.ErrNoRows):
		return nil, fmt.Errorf("import %s: look for an earlier import: %w", f.Path, err)
	}
	var errCode, errMsg *string
	if f.Error != nil {
		errCode, errMsg = &f.Error.Code, &f.Error.Message
	}
	err = tx.QueryRow(ctx, `INSERT INTO import_file (path, sha256, agency, dropped_by, format, sheets, unmapped,
		nir_columns, error_code, error_message, rows, imported_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		cleanText(f.Path), f.SHA256, cleanText(f.Agency), cleanText(f.DroppedBy), cleanText(f.Format),
		nonNil(f.Sheets), nonNil(cleanAll(f.Unmapped)), nonNil(cleanAll(f.NIRColumns)), errCode, errMsg, len(rows), now).
		Scan(&rep.FileID)
	if err != nil {
		return nil, fmt.Errorf("import %s: record file: %w", f.Path, err)
	}
	if len(rows) > 0 {
		if err := t.importRows(ctx, tx, f, rows, now, rep); err != nil {
			return nil, fmt.Errorf("import %s: %w", f.Path, err)
		}
	}
	t.db.log.Debug().Str("file", f.Path).Int64("file_id", rep.FileID).Int("rows", rep.Rows).
		Int("contracts_new", rep.ContractsNew).Int("contracts_updated", rep.ContractsUpdated).
		Int("items_created", rep.ItemsCreated).Int("items_updated", rep.ItemsUpdated).
		Int("items_cancelled", rep.ItemsCancelled).Msg("file written")
	return rep, nil
}

func cleanAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = cleanText(s)
	}
	return out
}

// importRows writes the contracts, items and rows of a file whose
// import_file row is rep.FileID.
func (t *Tx) importRows(ctx context.Context, tx pgx.Tx, f ImportFile, rows []ImportRow, now time.Time, rep *ImportReport) error {
	log := t.db.log.With().Int64("file_id", rep.FileID).Logger()
	t0 := time.Now()
	step := func(what string) {
		log.Debug().Str("step", what).Dur("took", time.Since(t0)).Msg("import step")
		t0 = time.Now()
	}
	// Group the rows by contract; the last row of a contract wins.
	byKey := map[[2]string]*importContract{}
	var order []*importContract
	rowContract := make([]*importContract, len(rows))
	for i, r := range rows {
		agency := cleanText(strings.TrimSpace(cmp.Or(f.Agency, r.Record.Agency)))
		contract := queue.ContractOf(r.Record, r.Verdict)
		key := cleanText(contract.Key())
		c := byKey[[2]string{agency, key}]
		if c == nil {
			c = &importContract{agency: agency, key: key, contract: contract}
			byKey[[2]string{agency, key}] = c
			order = append(order, c)
		}
		c.row = i
		c.data = contractData(r.Record, r.Verdict)
		c.person = queue.PersonKey(r.Record, r.Verdict)
		rowContract[i] = c
	}

	step("group rows")
	// The contracts already known, in one query.
	agencies, keys := make([]string, len(order)), make([]string, len(order))
	for i, c := range order {
		agencies[i], keys[i] = c.agency, c.key
	}
	crows, err := tx.Query(ctx, `SELECT c.id, c.agency, c.key, c.data, c.purged_at IS NOT NULL FROM contract c
		JOIN unnest($1::text[], $2::text[]) AS k(agency, key) ON c.agency = k.agency AND c.key = k.key`, agencies, keys)
	if err != nil {
		return fmt.Errorf("read known contracts: %w", err)
	}
	var knownIDs []int64
	for crows.Next() {
		var (
			id          int64
			agency, key string
			data        map[string]string
			purged      bool
		)
		if err := crows.Scan(&id, &agency, &key, &data, &purged); err != nil {
			crows.Close()
			return fmt.Errorf("read known contracts: %w", err)
		}
		c := byKey[[2]string{agency, key}]
		c.id, c.old, c.known, c.purged = id, data, true, purged
		knownIDs = append(knownIDs, id)
	}
	crows.Close()
	if err := crows.Err(); err != nil {
		return fmt.Errorf("read known contracts: %w", err)
	}

	step("read known contracts")
	// New contracts get their ids now, so rows and items can point to them.
	var fresh []*importContract
	for _, c := range order {
		if !c.known {
			fresh = append(fresh, c)
		}
	}
	if len(fresh) > 0 {
		ids, err := nextIDs(ctx, tx, "contract", len(fresh))
		if err != nil {
			return err
		}
		for i, c := range fresh {
			c.id = ids[i]
		}
		step("contract ids")
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"contract"}, []string{"id", "agency", "key", "worker", "finess",
			"start_date", "end_date", "status", "rpps", "data", "file_id", "sheet", "row_no", "created_at", "updated_at", "person"},
			pgx.CopyFromSlice(len(fresh), func(i int) ([]any, error) {
				c := fresh[i]
				sheet, row := rowPlace(rows[c.row])
				return []any{c.id, c.agency, c.key, cleanText(c.contract.Worker), cleanText(c.contract.FINESS),
					dateValue(c.contract.Start), dateValue(c.contract.End),
					c.data["status"], c.data["rpps"], c.data, rep.FileID, sheet, row, now, now, nullText(c.person)}, nil
			}))
		if err != nil {
			return fmt.Errorf("insert contracts: %w", err)
		}
		rep.ContractsNew = len(fresh)
	}

	step("insert contracts")
	// Known contracts whose data changed, through a temporary table.
	var changed []*importContract
	for _, c := range order {
		if !c.known {
			continue
		}
		fields := changedFields(c.old, c.data)
		if len(fields) == 0 && !c.purged {
			rep.ContractsUnchanged++
			continue
		}
		changed = append(changed, c)
		if len(fields) > 0 {
			sheet, row := rowPlace(rows[c.row])
			rep.Changes = append(rep.Changes, ContractChange{ContractKey: c.key, Sheet: sheet, Row: row, Fields: fields})
		}
	}
	rep.ContractsUpdated = len(changed)
	if len(changed) > 0 {
		_, err := tx.Exec(ctx, `CREATE TEMP TABLE contract_update ON COMMIT DROP AS
			SELECT id, status, rpps, data, sheet, row_no FROM contract WITH NO DATA`)
		if err != nil {
			return fmt.Errorf("update contracts: %w", err)
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"contract_update"}, []string{"id", "status", "rpps", "data", "sheet", "row_no"},
			pgx.CopyFromSlice(len(changed), func(i int) ([]any, error) {
				c := changed[i]
				sheet, row := rowPlace(rows[c.row])
				return []any{c.id, c.data["status"], c.data["rpps"], c.data, sheet, row}, nil
			}))
		if err != nil {
			return fmt.Errorf("update contracts: %w", err)
		}
		_, err = tx.Exec(ctx, `UPDATE contract c SET status = u.status, rpps = u.rpps, data = u.data, file_id = $1,
			sheet = u.sheet, row_no = u.row_no, updated_at = $2, purged_at = NULL
			FROM contract_update u WHERE c.id = u.id`, rep.FileID, now)
		if err != nil {
			return fmt.Errorf("update contracts: %w", err)
		}
		if _, err := tx.Exec(ctx, `DROP TABLE contract_update`); err != nil {
			return fmt.Errorf("update contracts: %w", err)
		}
	}
	step("update contracts")
	// Items before supersession: an order_mie the person's earlier contract
	// holds is first joined by the new contract's period (importItems),
	// then loses the earlier one's (supersede), and stays pending.
	if err := t.db.importItems(ctx, tx, f, rows, order, knownIDs, now, rep); err != nil {
		return err
	}
	step("items")
	if err := t.supersede(ctx, f, rows, fresh, order, now, rep); err != nil {
		return err
	}
	step("supersede")

	_, err = tx.CopyFrom(ctx, pgx.Identifier{"import_row"}, []string{"file_id", "sheet", "row_no", "status", "rpps",
		"contract_id", "original", "normalised", "issues"},
		pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
			r := rows[i]
			sheet, row := rowPlace(r)
			original := make(map[string]string, len(r.Record.Original))
			for k, v := range r.Record.Original {
				if k == rppsync.FieldNIR { // never stored, whatever the caller passed
					continue
				}
				original[cleanText(string(k))] = cleanText(v)
			}
			issues := append(append([]rppsync.Issue{}, r.Record.Issues...), r.Verdict.Issues...)
			data := rowContract[i].data
			if rowContract[i].row != i {
				data = contractData(r.Record, r.Verdict)
			}
			return []any{rep.FileID, sheet, row, string(r.Verdict.Status), cleanText(deref(r.Verdict.RPPS)),
				rowContract[i].id, original, data, cleanIssues(issues)}, nil
		}))
	if err != nil {
		return fmt.Errorf("insert rows: %w", err)
	}
	step("insert rows")
	rep.Rows = len(rows)
	return nil
}

// rowPlace returns the sheet and row number of a row: the record's, or the
// verdict's.
func rowPlace(r ImportRow) (string, int) {
	return cleanText(cmp.Or(r.Record.Sheet, deref(r.Verdict.Sheet))), cmp.Or(r.Record.Row, r.Verdict.Row)
}

func cleanIssues(issues []rppsync.Issue) []rppsync.Issue {
	out := make([]rppsync.Issue, len(issues))
	for i, is := range issues {
		out[i] = rppsync.Issue{Field: cleanText(is.Field), Code: cleanText(is.Code), Message: cleanText(is.Message)}
	}
	return out
}

// importItems applies the items built for the file's contracts to the
// stored ones (see ImportFile).
func (db *DB) importItems(ctx context.Context, tx pgx.Tx, f ImportFile, rows []ImportRow, order []*importContract,
	knownIDs []int64, now time.Time, rep *ImportReport) error {
	var agencies, keys []string
	for _, c := range order {
		for _, it := range rows[c.row].Items {
			agencies, keys = append(agencies, c.agency), append(keys, it.Key)
		}
	}
	// Items with the keys built, whatever their state or contract.
	existing, err := queryItems(ctx, tx, `SELECT `+itemColumns+` FROM item i
		JOIN unnest($1::text[], $2::text[]) AS k(agency, key) ON i.agency = k.agency AND i.key = k.key`, agencies, keys)
	if err != nil {
		return fmt.Errorf("read known items: %w", err)
	}
	byKey := make(map[[2]string]StoredItem, len(existing))
	for _, s := range existing {
		byKey[[2]string{s.Agency, s.Key}] = s
	}
	// The pending items earlier rows of the known contracts created: those
	// the new rows do not build again are cancelled. Items created by a
	// decision or a directory load are not the rows' to withdraw.
	open, err := queryItems(ctx, tx, `SELECT `+itemColumns+` FROM item i
		WHERE i.contract_id = ANY($1) AND i.origin = 'import' AND i.state = 'pending'`, knownIDs)
	if err != nil {
		return fmt.Errorf("read pending items: %w", err)
	}
	byContract := map[int64][]StoredItem{}
	for _, s := range open {
		byContract[s.ContractID] = append(byContract[s.ContractID], s)
	}
	w := newItemWriter(now)
	name := filepath.Base(f.Path)
	built := mieShared(order, rows)
	for i, c := range order {
		// What happens to the items is queue's to decide; here, only
		// which stored item each decision replaces.
		stored := map[string]StoredItem{}
		ci := queue.ContractItems{Built: built[i], Stored: map[string]queue.Item{}}
		for j, it := range ci.Built {
			if old, ok := byKey[[2]string{c.agency, it.Key}]; ok {
				stored[it.Key], ci.Stored[it.Key] = old, old.Item
				if old.State == queue.StatePending {
					// The person's order_mie, made by another contract or
					// an earlier file: this contract's period joins it.
					ci.Built[j] = queue.MergeMIE(old.Item, it)
				}
			}
		}
		if c.known {
			for _, old := range byContract[c.id] {
				stored[old.Key] = old
				ci.Open = append(ci.Open, old.Item)
			}
		}
		changes, err := queue.PlanImport(ci, name, now)
		if err != nil {
			return fmt.Errorf("items of contract %d: %w", c.id, err)
		}
		for _, ch := range changes {
			if ch.Op == queue.OpInsert {
				w.insert(c.id, c.agency, originImport, ch.Item)
			} else {
				w.update(stored[ch.Item.Key], ch.Item)
			}
		}
	}
	if err := w.flush(ctx, tx); err != nil {
		return err
	}
	rep.ItemsCreated = len(w.inserted)
	for _, s := range w.updated {
		if s.State == queue.StateCancelled {
			rep.ItemsCancelled++
		} else {
			rep.ItemsUpdated++
		}
	}
	return nil
}

// mieShared returns, per contract of order, the items its row built, with
// the order_mie items that several contracts of the file build under one
// key (one person at one structure, see queue.MIEKey) merged into the first
// of them (queue.MergeMIE): one item per person, whatever the number of
// contracts. The item is the first contract's; an earlier file's pending
// one of that key is merged in later, by importItems. Items of another
// agency are never merged: a queue item belongs to one agency's contract.
func mieShared(order []*importContract, rows []ImportRow) [][]queue.Item {
	built := make([][]queue.Item, len(order))
	owner := map[[2]string]int{}
	for i, c := range order {
		for _, it := range rows[c.row].Items {
			if it.Kind != queue.KindOrderMIE {
				built[i] = append(built[i], it)
				continue
			}
			k := [2]string{c.agency, it.Key}
			j, ok := owner[k]
			if !ok {
				owner[k] = i
				built[i] = append(built[i], it)
				continue
			}
			for n := range built[j] {
				if built[j][n].Key == it.Key {
					built[j][n] = queue.MergeMIE(built[j][n], it)
				}
			}
		}
	}
	return built
}

// nullText is NULL for "".
func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// supersede finds, in one query, the earlier contracts of the same agency
// and person that the file's new contracts replace (queue.Supersedes),
// cancels their pending items as queue.PlanSupersede decides, and marks
// them superseded. Contracts the file itself names are never superseded
// by it: a file listing two missions of one person lists two contracts.
func (t *Tx) supersede(ctx context.Context, f ImportFile, rows []ImportRow, fresh, order []*importContract, now time.Time, rep *ImportReport) error {
	if len(fresh) == 0 {
		return nil
	}
	var agencies, persons, workers []string
	var named []int64
	for _, c := range order {
		named = append(named, c.id)
	}
	for _, c := range fresh {
		agencies = append(agencies, c.agency)
		persons = append(persons, c.person)
		workers = append(workers, c.contract.Worker)
	}
	crows, err := t.tx.Query(ctx, `SELECT DISTINCT c.id, c.agency, c.key, c.worker, c.finess, c.start_date, c.end_date, coalesce(c.person, '')
		FROM contract c JOIN unnest($1::text[], $2::text[], $3::text[]) AS n(agency, person, worker)
		ON c.agency = n.agency AND (c.person = n.person OR (n.worker LIKE 'rpps:%' AND c.worker = n.worker))
		WHERE c.superseded_by IS NULL AND c.purged_at IS NULL AND c.id <> ALL($4)
		ORDER BY c.id`, agencies, persons, workers, named)
	if err != nil {
		return fmt.Errorf("read earlier contracts: %w", err)
	}
	type earlier struct {
		id     int64
		prev   queue.Contract
		agency string
		p      queue.Placement
	}
	var found []earlier
	for crows.Next() {
		var (
			e          earlier
			key        string
			start, end *time.Time
		)
		if err := crows.Scan(&e.id, &e.agency, &key, &e.p.Contract.Worker, &e.p.Contract.FINESS, &start, &end, &e.p.Person); err != nil {
			crows.Close()
			return fmt.Errorf("read earlier contracts: %w", err)
		}
		e.p.Contract.Start, e.p.Contract.End = dateOf(start), dateOf(end)
		e.prev = e.p.Contract
		found = append(found, e)
	}
	crows.Close()
	if err := crows.Err(); err != nil {
		return fmt.Errorf("read earlier contracts: %w", err)
	}
	if len(found) == 0 {
		return nil
	}
	// Which new contract replaces which earlier one: the first of the file
	// (in row order) that supersedes it.
	by := map[int64]*importContract{}
	prev := map[int64]queue.Contract{}
	var ids []int64
	for _, e := range found {
		for _, c := range fresh {
			if c.agency == e.agency && queue.Supersedes(queue.Placement{Contract: c.contract, Person: c.person}, e.p) {
				by[e.id], prev[e.id] = c, e.prev
				ids = append(ids, e.id)
				sheet, row := rowPlace(rows[c.row])
				rep.Superseded = append(rep.Superseded, Supersession{Contract: e.id, By: c.id, Sheet: sheet, Row: row,
					FINESS: e.p.Contract.FINESS, Start: e.p.Contract.Start, End: e.p.Contract.End})
				break
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	// The pending items of the earlier contracts, and the order_mie items
	// of their person at their structure, which any contract of the person
	// may hold (queue.MIEKey).
	var pAgencies, pWorkers, pFINESS []string
	for _, id := range ids {
		pAgencies = append(pAgencies, by[id].agency)
		pWorkers, pFINESS = append(pWorkers, prev[id].Worker), append(pFINESS, prev[id].FINESS)
	}
	open, err := queryItems(ctx, t.tx, `SELECT `+itemColumns+` FROM item i
		WHERE i.origin = 'import' AND i.state = 'pending' AND (i.contract_id = ANY($1) OR (i.kind = 'order_mie' AND
			(i.agency, i.worker, i.finess) IN (SELECT * FROM unnest($2::text[], $3::text[], $4::text[]))))
		ORDER BY i.id`, ids, pAgencies, pWorkers, pFINESS)
	if err != nil {
		return fmt.Errorf("read items of earlier contracts: %w", err)
	}
	byContract := map[int64][]StoredItem{}
	var shared []StoredItem
	for _, s := range open {
		if s.Kind == queue.KindOrderMIE {
			shared = append(shared, s)
			continue
		}
		byContract[s.ContractID] = append(byContract[s.ContractID], s)
	}
	w := newItemWriter(now)
	name := filepath.Base(f.Path)
	for _, id := range ids {
		stored := map[string]StoredItem{}
		var items []queue.Item
		for _, s := range byContract[id] {
			stored[s.Key] = s
			items = append(items, s.Item)
		}
		changes, err := queue.PlanSupersede(items, by[id].contract, name, now)
		if err != nil {
			return fmt.Errorf("supersede contract %d: %w", id, err)
		}
		for _, ch := range changes {
			w.update(stored[ch.Item.Key], ch.Item)
		}
	}
	// Each order_mie loses the periods of the superseded contracts of its
	// person at its structure, in turn; cancelled when none is left.
	for _, s := range shared {
		it, changed := s.Item, false
		for _, id := range ids {
			if by[id].agency != s.Agency || prev[id].Worker != s.Worker || prev[id].FINESS != s.FINESS || it.State != queue.StatePending {
				continue
			}
			changes, err := queue.PlanSupersedeShared([]queue.Item{it}, prev[id], by[id].contract, name, now)
			if err != nil {
				return fmt.Errorf("supersede contract %d: %w", id, err)
			}
			if len(changes) == 1 {
				it, changed = changes[0].Item, true
			}
		}
		if changed {
			w.update(s, it)
		}
	}
	if err := w.flush(ctx, t.tx); err != nil {
		return err
	}
	newIDs := make([]int64, len(ids))
	for i, id := range ids {
		newIDs[i] = by[id].id
	}
	if _, err := t.tx.Exec(ctx, `UPDATE contract c SET superseded_by = u.by, superseded_at = $3
		FROM unnest($1::bigint[], $2::bigint[]) AS u(id, by) WHERE c.id = u.id`, ids, newIDs, now); err != nil {
		return fmt.Errorf("mark superseded contracts: %w", err)
	}
	rep.ContractsSuperseded = len(ids)
	for _, s := range w.updated {
		if s.State == queue.StateCancelled {
			rep.ItemsCancelled++
		} else {
			rep.ItemsUpdated++
		}
	}
	return nil
}
