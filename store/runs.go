package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rppsync/rppsync"
)

// RunOutcome says how a pass ended.
type RunOutcome string

// The outcomes of a pass (pass_run.outcome).
const (
	RunRunning     RunOutcome = "running"     // started, not finished (or its process died)
	RunOK          RunOutcome = "ok"          // every step succeeded
	RunPartial     RunOutcome = "partial"     // the pass went to its end, but a step or a file failed
	RunFailed      RunOutcome = "failed"      // a step the pass cannot go on without failed
	RunInterrupted RunOutcome = "interrupted" // stopped by a shutdown before its end
)

// The triggers of a pass (pass_run.trigger).
const (
	TriggerRun      = "run"      // `rppsync run`, once
	TriggerSchedule = "schedule" // the periodic pass of `rppsync serve`
)

// ErrRunNotFound is returned by FinishRun when no running pass has the id.
var ErrRunNotFound = rppsync.NewError("run_not_found", "no running pass with this id")

// ErrNoJobQueue is returned by JobCounts when River's tables are missing:
// `rppsync migrate` has not run River's migrations on this database.
var ErrNoJobQueue = rppsync.NewError("job_queue_missing", "River's job table is missing")

// RunCounts are the figures of a pass, kept as JSON in pass_run.counts.
type RunCounts struct {
	Files         int              `json:"files"`          // inbox files the pass handled
	FilesDone     int              `json:"files_done"`     // imported, moved to done/
	FilesRejected int              `json:"files_rejected"` // refused or unreadable, moved to rejected/
	FilesFailed   int              `json:"files_failed"`   // left in the inbox for a later pass
	Rows          map[string]int   `json:"rows"`           // rows by verdict status
	Items         map[string]int   `json:"items"`          // work items created, by kind
	Messages      int              `json:"messages"`       // notifications enqueued
	Extracts      int              `json:"extracts"`       // national extracts loaded
	Reconciled    map[string]int   `json:"reconciled"`     // items reconciliation closed or created: done, expired, created
	Purged        map[string]int   `json:"purged"`         // contracts, rows and items purged
	Steps         map[string]int64 `json:"steps_ms"`       // duration of each step in milliseconds
}

// RunStart describes a pass as it starts.
type RunStart struct {
	Replica      string
	Trigger      string    // TriggerRun or TriggerSchedule
	ScheduledFor time.Time // the activation a scheduled pass runs for; zero otherwise
	StartedAt    time.Time
}

// RunEnd describes a pass as it ends.
type RunEnd struct {
	FinishedAt   time.Time
	Outcome      RunOutcome
	ErrorCode    string // the stable code of the first failure, "" when none
	ErrorMessage string // its text: identifiers only, never personal data
	Counts       RunCounts
}

// Run is a pass as recorded.
type Run struct {
	ID           int64      `json:"id"`
	Replica      string     `json:"replica"`
	Trigger      string     `json:"trigger"`
	ScheduledFor *time.Time `json:"scheduled_for,omitempty"`
	StartedAt    time.Time  `json:"started_at"`
	FinishedAt   *time.Time `json:"finished_at,omitempty"`
	Outcome      RunOutcome `json:"outcome"`
	ErrorCode    string     `json:"error_code,omitempty"`
	ErrorMessage string     `json:"error_message,omitempty"`
	Counts       RunCounts  `json:"counts"`
}

// RunFilter selects passes for Runs. The zero value selects the last
// DefaultRunLimit passes.
type RunFilter struct {
	// Limit is how many passes, newest first; DefaultRunLimit when zero.
	Limit int
	// Outcomes keeps only passes with one of these outcomes; all when empty.
	Outcomes []RunOutcome
	// Finished keeps only passes that ended.
	Finished bool
}

// DefaultRunLimit is how many passes Runs returns when RunFilter.Limit is 0.
const DefaultRunLimit = 20

// StartRun records a pass that starts and returns its id.
func (db *DB) StartRun(ctx context.Context, r RunStart) (int64, error) {
	var sched *time.Time
	if !r.ScheduledFor.IsZero() {
		sched = &r.ScheduledFor
	}
	var id int64
	err := db.op(ctx, "start run", db.cfg.Timeout, func(ctx context.Context) error {
		return db.pool.QueryRow(ctx, `INSERT INTO pass_run (replica, trigger, scheduled_for, started_at)
			VALUES ($1, $2, $3, $4) RETURNING id`, r.Replica, r.Trigger, sched, r.StartedAt).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("start run: %w", err)
	}
	return id, nil
}

// FinishRun records the end of the running pass id. A pass ends once: a
// second call, or an id that does not exist, returns ErrRunNotFound.
func (db *DB) FinishRun(ctx context.Context, id int64, e RunEnd) error {
	if e.Outcome == "" || e.Outcome == RunRunning {
		return fmt.Errorf("finish run %d: outcome %q: %w", id, e.Outcome, ErrInvalidConfig)
	}
	counts, err := json.Marshal(e.Counts)
	if err != nil {
		return fmt.Errorf("finish run %d: %w", id, err)
	}
	err = db.op(ctx, "finish run", db.cfg.Timeout, func(ctx context.Context) error {
		tag, err := db.pool.Exec(ctx, `UPDATE pass_run SET finished_at = $2, outcome = $3,
			error_code = nullif($4, ''), error_message = nullif($5, ''), counts = $6
			WHERE id = $1 AND outcome = 'running'`, id, e.FinishedAt, string(e.Outcome), e.ErrorCode, e.ErrorMessage, counts)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrRunNotFound.About(fmt.Sprint(id), nil)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("finish run: %w", err)
	}
	return nil
}

// Runs returns the passes f selects, newest first.
func (db *DB) Runs(ctx context.Context, f RunFilter) ([]Run, error) {
	if f.Limit <= 0 {
		f.Limit = DefaultRunLimit
	}
	outcomes := make([]string, len(f.Outcomes))
	for i, o := range f.Outcomes {
		outcomes[i] = string(o)
	}
	var out []Run
	err := db.op(ctx, "runs", db.cfg.Timeout, func(ctx context.Context) error {
		rows, err := db.pool.Query(ctx, `SELECT id, replica, trigger, scheduled_for, started_at, finished_at, outcome,
				coalesce(error_code, ''), coalesce(error_message, ''), counts
			FROM pass_run
			WHERE (cardinality($1::text[]) = 0 OR outcome = ANY ($1)) AND (NOT $2 OR finished_at IS NOT NULL)
			ORDER BY started_at DESC, id DESC LIMIT $3`, outcomes, f.Finished, f.Limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Run, error) {
			var (
				r       Run
				outcome string
				counts  []byte
			)
			if err := row.Scan(&r.ID, &r.Replica, &r.Trigger, &r.ScheduledFor, &r.StartedAt, &r.FinishedAt, &outcome,
				&r.ErrorCode, &r.ErrorMessage, &counts); err != nil {
				return r, err
			}
			r.Outcome = RunOutcome(outcome)
			if err := json.Unmarshal(counts, &r.Counts); err != nil {
				return r, fmt.Errorf("run %d: counts: %w", r.ID, err)
			}
			return r, nil
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("runs: %w", err)
	}
	return out, nil
}

// JobCount is how many of River's jobs of a queue and kind are in a state.
type JobCount struct {
	Queue string `json:"queue"`
	Kind  string `json:"kind"`
	State string `json:"state"` // River's job state: available, scheduled, running, retryable, completed, cancelled, discarded
	Count int64  `json:"count"`
}

// JobCounts counts River's jobs by queue, kind and state (what is pending,
// what failed), in one query on River's job table. It returns ErrNoJobQueue
// when River's migrations have not run.
func (db *DB) JobCounts(ctx context.Context) ([]JobCount, error) {
	var out []JobCount
	err := db.op(ctx, "job counts", db.cfg.Timeout, func(ctx context.Context) error {
		rows, err := db.pool.Query(ctx, `SELECT queue, kind, state::text, count(*) FROM river_job
			GROUP BY queue, kind, state ORDER BY queue, kind, state`)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowToStructByPos[JobCount])
		return err
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table
		return nil, ErrNoJobQueue.About("river_job", err)
	}
	if err != nil {
		return nil, fmt.Errorf("job counts: %w", err)
	}
	return out, nil
}

// Ping checks that the database answers, within Config.ConnectTimeout.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, db.cfg.ConnectTimeout)
	defer cancel()
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}

// ItemsCreatedBetween counts the work items created in [from, to), by kind:
// what a pass added to the queues.
func (db *DB) ItemsCreatedBetween(ctx context.Context, from, to time.Time) (map[string]int, error) {
	out := map[string]int{}
	err := db.op(ctx, "items created", db.cfg.Timeout, func(ctx context.Context) error {
		rows, err := db.pool.Query(ctx, `SELECT kind, count(*) FROM item WHERE created_at >= $1 AND created_at < $2 GROUP BY kind`, from, to)
		if err != nil {
			return err
		}
		var (
			kind string
			n    int
		)
		_, err = pgx.ForEachRow(rows, []any{&kind, &n}, func() error {
			out[kind] = n
			return nil
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("items created: %w", err)
	}
	return out, nil
}
