package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rppsync/rppsync"
	"github.com/rs/zerolog"
)

// ErrOlderExtract is returned by LoadDirectory and LoadCards when the extract
// is dated before the one already loaded. Loading it anyway takes
// LoadOptions.Force (the --force flag).
var ErrOlderExtract = rppsync.NewError("extract_older", "the extract is older than the one loaded")

// ErrInvalidExtract is returned when an ExtractInfo has no name or no date.
var ErrInvalidExtract = rppsync.NewError("extract_invalid", "extract without a name or a date")

// ExtractInfo names one national extract: its file name and the date it was
// produced (the date in PS_LibreAcces_…_YYYYMMDDhhmm.txt).
type ExtractInfo struct {
	Name string    `json:"name"`
	Date time.Time `json:"date"`
}

// LoadOptions tunes a load. The zero value loads without progress reports
// and refuses an extract older than the current one.
type LoadOptions struct {
	// Force loads an extract even when it is older than the current one.
	Force bool
	// Progress, when set, is called from the loading goroutine with the
	// number of lines read so far, every progressEvery lines and once at
	// the end.
	Progress func(lines int64)
}

// progressEvery is how many lines pass between two Progress calls.
const progressEvery = 10_000

// LoadReport says what a load did.
type LoadReport struct {
	ExtractID int64
	Extract   ExtractInfo
	Previous  *ExtractInfo // the extract replaced; nil on the first load
	Forced    bool         // an older extract replaced a newer one (LoadOptions.Force)
	Lines     int64        // lines stored
	Skipped   int64        // lines read but left out (not an RPPS line, no identifier)
	People    int64        // distinct RPPS among the stored lines
	Changes   ChangeSummary
	Timings   LoadTimings
}

// LoadTimings splits the wall time of a load into its phases.
type LoadTimings struct {
	Copy    time.Duration // streaming the lines with COPY
	Index   time.Duration // building the indexes and statistics
	Changes time.Duration // computing and recording changes
	Swap    time.Duration // replacing the live table and committing
	Vacuum  time.Duration // vacuuming the new table, after the commit
	Total   time.Duration
}

// ChangeSummary counts what changed from the previous extract to this one.
// It is zero on the first load and for card loads.
type ChangeSummary struct {
	PeopleAdded     int64 // RPPS present now and absent before
	PeopleRemoved   int64 // RPPS present before and absent now
	ActivitiesAdded int64 // RPPS × FINESS site pairs present now and absent before
	ActivitiesEnded int64 // RPPS × FINESS site pairs present before and absent now
	// ByFINESS gives the same counts per FINESS site, sorted by FINESS;
	// sites with no change are left out.
	ByFINESS []FinessChanges
}

// FinessChanges counts the changes at one structure (FINESS site). People
// added or removed are counted at every site where they have a line.
type FinessChanges struct {
	FINESS          string
	PeopleAdded     int64
	PeopleRemoved   int64
	ActivitiesAdded int64
	ActivitiesEnded int64
}

// indexSpec is one index the loader builds on a staging table; def follows
// "ON table".
type indexSpec struct {
	suffix string
	def    string
}

// tableSpec describes one wholesale-replaced directory table.
type tableSpec struct {
	kind    string // extract.kind
	live    string // table name
	lock    int32  // advisory lock class
	columns []string
	indexes []indexSpec
	// atSwap, when set, runs in the transaction that swaps the table in,
	// once the extract is recorded as extractID (the list of names of the
	// activities).
	atSwap  func(ctx context.Context, tx pgx.Tx, rows copyRows, extractID int64) error
	changes bool // compute directory_change rows against the previous table
	vacuum  bool // vacuum the table after the swap (see load)
}

// copyRows is a pgx.CopyFromSource that also counts what it read.
type copyRows interface {
	pgx.CopyFromSource
	counts() (read, loaded, skipped int64)
}

// currentExtract returns the extract of kind currently loaded and its
// number of people, or nil when none is.
func currentExtract(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, kind string) (*ExtractInfo, int64, error) {
	var (
		e      ExtractInfo
		people int64
	)
	err := q.QueryRow(ctx, `SELECT name, extract_date, people FROM extract WHERE kind = $1 ORDER BY id DESC LIMIT 1`, kind).
		Scan(&e.Name, &e.Date, &people)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read current extract: %w", err)
	}
	return &e, people, nil
}

// load streams rows into a staging table, indexes it, records the extract
// and the changes, and swaps it for the live table, in two transactions on
// one connection that holds the kind's advisory lock throughout (one load
// of a kind at a time):
//
//  1. the staging table is created, filled (COPY, then afterCopy) and
//     analyzed, and committed: a crash before this commit leaves nothing
//     behind;
//  2. its indexes are built at once, each on a connection of its own
//     (PostgreSQL builds one index per connection; one after another they
//     were a third of the load);
//  3. meanwhile the second transaction records the extract and computes
//     the changes against the live table (they need only the RPPS index),
//     then, once every index is built, drops the
//     live table, renames the staging table and its indexes into place,
//     and commits.
//
// Readers see the previous table until the second commit. A crash between
// the two commits leaves the previous table in place and a staging table
// no reader uses, which the next load drops first; a load that fails
// there drops it itself.
func (db *DB) load(ctx context.Context, spec tableSpec, ext ExtractInfo, rows copyRows, opts LoadOptions) (*LoadReport, error) {
	if ext.Name == "" || ext.Date.IsZero() {
		return nil, ErrInvalidExtract.About(spec.kind, nil)
	}
	date := rppsync.DateOf(ext.Date)
	ext.Date = date.Time()
	start := time.Now()
	rep := &LoadReport{Extract: ext}
	log := db.log.With().Str("extract", ext.Name).Str("kind", spec.kind).Logger()
	step := func(what string, t0 time.Time) {
		log.Debug().Str("step", what).Dur("took", time.Since(t0)).Msg("load step")
	}

	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("load %s: connect: %w", spec.kind, err)
	}
	t0 := time.Now()
	if _, err := conn.Exec(ctx, sessionLockSQL, spec.lock); err != nil {
		conn.Release()
		return nil, fmt.Errorf("load %s: advisory lock: %w", spec.kind, err)
	}
	step("advisory lock", t0)
	defer unlockRelease(ctx, conn, spec.lock)

	prev, prevPeople, err := currentExtract(ctx, conn, spec.kind)
	if err != nil {
		return nil, err
	}
	rep.Previous = prev
	if prev != nil && date.Before(rppsync.DateOf(prev.Date)) {
		if !opts.Force {
			return nil, rppsync.Errorf(ErrOlderExtract, ext.Name, "dated %s, loaded: %s of %s",
				date, prev.Name, rppsync.DateOf(prev.Date))
		}
		rep.Forced = true
	}

	stage := spec.live + "_next"
	stageID, liveID := pgx.Identifier{stage}.Sanitize(), pgx.Identifier{spec.live}.Sanitize()
	phase := time.Now()
	if err := db.fillStaging(ctx, conn, spec, stage, liveID, rows, rep, opts, step); err != nil {
		return nil, err
	}
	rep.Timings.Copy = time.Since(phase)

	// From here the staging table is committed: drop it on any failure.
	committed := false
	defer func() {
		if !committed {
			dropStaging(ctx, db, stageID, log)
		}
	}()

	if db.afterStaging != nil {
		db.afterStaging()
	}
	phase = time.Now()
	builds := db.buildIndexes(ctx, spec, stage, stageID, step)
	defer builds.cancel()
	indexed := func() error {
		err := builds.wait(len(builds.done))
		rep.Timings.Index = time.Since(phase)
		return err
	}

	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("load %s: begin: %w", spec.kind, err)
	}
	defer rollback(ctx, tx)
	exec := func(what, sql string, args ...any) error {
		t0 := time.Now()
		if _, err := tx.Exec(ctx, sql, args...); err != nil {
			return fmt.Errorf("load %s: %s: %w", spec.kind, what, err)
		}
		step(what, t0)
		return nil
	}
	// The change computation sorts millions of rows: memory for this
	// transaction only.
	if err := exec("session settings", `SET LOCAL work_mem = '64MB'`); err != nil {
		return nil, err
	}
	err = tx.QueryRow(ctx, `INSERT INTO extract (kind, name, extract_date, lines, skipped, people, forced)
		VALUES ($1, $2, $3, $4, $5, 0, $6) RETURNING id`,
		spec.kind, ext.Name, ext.Date, rep.Lines, rep.Skipped, rep.Forced).Scan(&rep.ExtractID)
	if err != nil {
		return nil, fmt.Errorf("load %s: record extract: %w", spec.kind, err)
	}

	// The changes need the first index, by RPPS.
	if err := builds.wait(builds.first); err != nil {
		return nil, err
	}
	changes := time.Now()
	if spec.changes && prev != nil {
		// Sorting both sides and merging is about a third faster here than
		// hashing 2 M text pairs twice (measured on PostgreSQL 15).
		if err := exec("planner settings", `SET LOCAL enable_hashagg = off; SET LOCAL enable_hashjoin = off`); err != nil {
			return nil, err
		}
		if err := exec("record changes", changesSQL, rep.ExtractID); err != nil {
			return nil, err
		}
		if err := exec("planner settings", `RESET enable_hashagg; RESET enable_hashjoin`); err != nil {
			return nil, err
		}
		if rep.Changes, err = summariseChanges(ctx, tx, rep.ExtractID); err != nil {
			return nil, fmt.Errorf("load %s: %w", spec.kind, err)
		}
		// The changes are exact, so the previous count gives the new one
		// without another pass over millions of lines.
		rep.People = prevPeople + rep.Changes.PeopleAdded - rep.Changes.PeopleRemoved
	} else if err := tx.QueryRow(ctx, `SELECT count(*) FROM (SELECT DISTINCT rpps FROM `+stageID+`) p`).Scan(&rep.People); err != nil {
		return nil, fmt.Errorf("load %s: count people: %w", spec.kind, err)
	}
	if err := exec("record people", `UPDATE extract SET people = $2 WHERE id = $1`, rep.ExtractID, rep.People); err != nil {
		return nil, err
	}
	if spec.atSwap != nil {
		t0 := time.Now()
		if err := spec.atSwap(ctx, tx, rows, rep.ExtractID); err != nil {
			return nil, fmt.Errorf("load %s: %w", spec.kind, err)
		}
		step("at swap", t0)
	}
	rep.Timings.Changes = time.Since(changes)
	if err := indexed(); err != nil {
		return nil, err
	}

	phase = time.Now()
	if err := exec("drop previous table", `DROP TABLE `+liveID); err != nil {
		return nil, err
	}
	if err := exec("rename staging table", fmt.Sprintf(`ALTER TABLE %s RENAME TO %s`, stageID, liveID)); err != nil {
		return nil, err
	}
	for _, ix := range spec.indexes {
		from := pgx.Identifier{stage + "_" + ix.suffix}.Sanitize()
		to := pgx.Identifier{spec.live + "_" + ix.suffix}.Sanitize()
		if err := exec("rename index", fmt.Sprintf(`ALTER INDEX %s RENAME TO %s`, from, to)); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("load %s: commit: %w", spec.kind, err)
	}
	committed = true
	rep.Timings.Swap = time.Since(phase)

	// Rows written by the transaction that created their table are
	// visible to everyone once it commits, but nothing says so until a
	// VACUUM sets the visibility map: until then every index scan visits
	// the heap, and the first readers set the hint bits of millions of
	// rows. ByNameKeys reads the distinct (folded last name, first name)
	// of a third of the directory: by an index-only scan once the table is
	// vacuumed (0.3 s on the full-size extract), by a scan of the table
	// before (1 s). VACUUM cannot run in a transaction block; the load is
	// committed by now, so a failure here is only logged (autovacuum will
	// do it later). Only tables read by index-only scans are worth it: the
	// name keys and the cards are looked up a few rows at a time.
	phase = time.Now()
	if spec.vacuum {
		live := pgx.Identifier{spec.live}.Sanitize()
		if _, err := conn.Exec(ctx, `VACUUM `+live); err != nil {
			log.Warn().Err(err).Str("table", spec.live).Msg("vacuum after load failed")
		}
	}
	rep.Timings.Vacuum = time.Since(phase)
	rep.Timings.Total = time.Since(start)
	log.Info().Int64("extract_id", rep.ExtractID).Int64("lines", rep.Lines).Int64("skipped", rep.Skipped).
		Int64("people", rep.People).Bool("forced", rep.Forced).
		Int64("people_added", rep.Changes.PeopleAdded).Int64("people_removed", rep.Changes.PeopleRemoved).
		Int64("activities_added", rep.Changes.ActivitiesAdded).Int64("activities_ended", rep.Changes.ActivitiesEnded).
		Dur("copy", rep.Timings.Copy).Dur("index", rep.Timings.Index).Dur("changes", rep.Timings.Changes).
		Dur("swap", rep.Timings.Swap).Dur("vacuum", rep.Timings.Vacuum).Dur("total", rep.Timings.Total).Msg("extract loaded")
	return rep, nil
}

// sessionLockSQL and sessionUnlockSQL take and give back the session-level
// advisory lock of a class in the current schema (see lockSQL): a load
// holds it across its two transactions.
const (
	sessionLockSQL   = `SELECT pg_advisory_lock($1::int, hashtext(coalesce(current_schema(), '')))`
	sessionUnlockSQL = `SELECT pg_advisory_unlock($1::int, hashtext(coalesce(current_schema(), '')))`
)

// unlockRelease gives back the load's advisory lock and its connection.
// A connection whose lock cannot be given back is closed, which ends its
// session and so the lock, rather than returned to the pool holding it.
func unlockRelease(ctx context.Context, conn *pgxpool.Conn, lock int32) {
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := conn.Exec(uctx, sessionUnlockSQL, lock); err != nil {
		_ = conn.Conn().Close(uctx)
	}
	conn.Release()
}

// fillStaging creates the staging table and copies rows into it, then runs
// spec.afterCopy, and analyzes the table, in one transaction that it
// commits. A staging table left by an earlier load is dropped first.
func (db *DB) fillStaging(ctx context.Context, conn *pgxpool.Conn, spec tableSpec, stage, liveID string, rows copyRows,
	rep *LoadReport, opts LoadOptions, step func(string, time.Time)) error {
	stageID := pgx.Identifier{stage}.Sanitize()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("load %s: begin: %w", spec.kind, err)
	}
	defer rollback(ctx, tx)
	exec := func(what, sql string) error {
		t0 := time.Now()
		if _, err := tx.Exec(ctx, sql); err != nil {
			return fmt.Errorf("load %s: %s: %w", spec.kind, what, err)
		}
		step(what, t0)
		return nil
	}
	if err := exec("drop leftover staging table", `DROP TABLE IF EXISTS `+stageID); err != nil {
		return err
	}
	if err := exec("create staging table", fmt.Sprintf(`CREATE TABLE %s (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)`, stageID, liveID)); err != nil {
		return err
	}
	if _, err := copyText(ctx, tx, stage, spec.columns, rows); err != nil {
		read, _, _ := rows.counts()
		if srcErr := rows.Err(); srcErr != nil {
			// pgx forwards the source's failure to the server as text:
			// return the source's own error so callers can match it.
			err = srcErr
		}
		return fmt.Errorf("load %s: copy (after %d lines read): %w", spec.kind, read, err)
	}
	read, loaded, skipped := rows.counts()
	if opts.Progress != nil {
		opts.Progress(read)
	}
	rep.Lines, rep.Skipped = loaded, skipped
	if err := exec("analyze "+spec.live, `ANALYZE `+stageID); err != nil {
		return err
	}
	t0 := time.Now()
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("load %s: commit the staging table: %w", spec.kind, err)
	}
	step("commit the staging table", t0)
	return nil
}

// indexBuilds are the index builds of a staging table, running each on a
// connection of its own.
type indexBuilds struct {
	done   []chan error // one per index, receives its result once
	errs   []error
	seen   []bool
	first  int // how many builds the change computation waits for: the first index, by RPPS
	cancel context.CancelFunc
}

// buildIndexes starts the builds of spec's indexes on the staging table.
// Each build runs on a connection and in a transaction of its own, without
// parallel workers (the builds run side by side instead). CREATE INDEX and
// ANALYZE lock each other out: the table is analyzed before, with its copy.
func (db *DB) buildIndexes(ctx context.Context, spec tableSpec, stage, stageID string, step func(string, time.Time)) *indexBuilds {
	ctx, cancel := context.WithCancel(ctx)
	n := len(spec.indexes)
	b := &indexBuilds{done: make([]chan error, n), errs: make([]error, n), seen: make([]bool, n), first: min(1, n), cancel: cancel}
	for i, ix := range spec.indexes {
		what := "create index " + spec.live + "_" + ix.suffix
		sql := fmt.Sprintf(`CREATE INDEX %s ON %s %s`, pgx.Identifier{stage + "_" + ix.suffix}.Sanitize(), stageID, ix.def)
		b.done[i] = make(chan error, 1)
		go func() {
			t0 := time.Now()
			err := db.build(ctx, sql)
			if err != nil {
				err = fmt.Errorf("load %s: %s: %w", spec.kind, what, err)
			} else {
				step(what, t0)
			}
			b.done[i] <- err
		}()
	}
	return b
}

// build runs one index build on a connection of its own, opened for it
// outside the pool: the load holds one of the pool's connections
// throughout, and a pool of one (pool_max_conns=1) would leave none.
func (db *DB) build(ctx context.Context, sql string) error {
	conn, err := pgx.ConnectConfig(ctx, db.pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '256MB'; SET LOCAL max_parallel_maintenance_workers = 0`)
		if err == nil {
			_, err = tx.Exec(ctx, sql)
		}
		return err
	})
}

// wait waits for the first n builds and returns the first error among
// them; on an error it cancels the others.
func (b *indexBuilds) wait(n int) error {
	for i := range n {
		if !b.seen[i] {
			b.errs[i], b.seen[i] = <-b.done[i], true
		}
		if b.errs[i] != nil {
			b.cancel()
			return b.errs[i]
		}
	}
	return nil
}

// dropStaging drops the staging table of a load that failed after
// committing it, once its index builds are over (the caller cancelled
// them); a failure is only logged: the next load drops it first.
func dropStaging(ctx context.Context, db *DB, stageID string, log zerolog.Logger) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if _, err := db.pool.Exec(dctx, `DROP TABLE IF EXISTS `+stageID); err != nil {
		log.Warn().Err(err).Msg("could not drop the staging table of the failed load (the next load will)")
	}
}

// changesSQL records, for extract $1, the differences between the staging
// table (the new extract) and the live table (the previous one). See
// migration 0001 for the meaning of each kind.
const changesSQL = `
INSERT INTO directory_change (extract_id, kind, finess, rpps)
WITH n AS (SELECT DISTINCT rpps, finess_site FROM directory_line_next),
     o AS (SELECT DISTINCT rpps, finess_site FROM directory_line),
     d AS (
        SELECT coalesce(n.rpps, o.rpps) AS rpps,
               coalesce(n.finess_site, o.finess_site) AS finess,
               n.rpps IS NOT NULL AS in_new,
               o.rpps IS NOT NULL AS in_old
        FROM n FULL JOIN o ON n.rpps = o.rpps AND n.finess_site = o.finess_site
        WHERE n.rpps IS NULL OR o.rpps IS NULL),
     p AS (
        SELECT rpps,
               NOT EXISTS (SELECT 1 FROM directory_line o2 WHERE o2.rpps = d2.rpps) AS added,
               NOT EXISTS (SELECT 1 FROM directory_line_next n2 WHERE n2.rpps = d2.rpps) AS removed
        FROM (SELECT DISTINCT rpps FROM d) d2)
SELECT $1::bigint, k.kind, d.finess, d.rpps
FROM d JOIN p USING (rpps)
CROSS JOIN LATERAL (VALUES
    (CASE WHEN d.in_new AND d.finess <> '' THEN 'activity_added' END),
    (CASE WHEN d.in_old AND d.finess <> '' THEN 'activity_ended' END),
    (CASE WHEN d.in_new AND p.added THEN 'person_added' END),
    (CASE WHEN d.in_old AND p.removed THEN 'person_removed' END)) AS k(kind)
WHERE k.kind IS NOT NULL`

// summariseChanges reads back the changes recorded for an extract.
func summariseChanges(ctx context.Context, tx pgx.Tx, extractID int64) (ChangeSummary, error) {
	var s ChangeSummary
	err := tx.QueryRow(ctx, `SELECT
		count(DISTINCT rpps) FILTER (WHERE kind = 'person_added'),
		count(DISTINCT rpps) FILTER (WHERE kind = 'person_removed'),
		count(*) FILTER (WHERE kind = 'activity_added'),
		count(*) FILTER (WHERE kind = 'activity_ended')
		FROM directory_change WHERE extract_id = $1`, extractID).
		Scan(&s.PeopleAdded, &s.PeopleRemoved, &s.ActivitiesAdded, &s.ActivitiesEnded)
	if err != nil {
		return s, fmt.Errorf("summarise changes: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT finess,
		count(DISTINCT rpps) FILTER (WHERE kind = 'person_added'),
		count(DISTINCT rpps) FILTER (WHERE kind = 'person_removed'),
		count(*) FILTER (WHERE kind = 'activity_added'),
		count(*) FILTER (WHERE kind = 'activity_ended')
		FROM directory_change WHERE extract_id = $1 AND finess <> ''
		GROUP BY finess ORDER BY finess`, extractID)
	if err != nil {
		return s, fmt.Errorf("summarise changes per FINESS: %w", err)
	}
	s.ByFINESS, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (FinessChanges, error) {
		var f FinessChanges
		err := r.Scan(&f.FINESS, &f.PeopleAdded, &f.PeopleRemoved, &f.ActivitiesAdded, &f.ActivitiesEnded)
		return f, err
	})
	if err != nil {
		return s, fmt.Errorf("summarise changes per FINESS: %w", err)
	}
	return s, nil
}
