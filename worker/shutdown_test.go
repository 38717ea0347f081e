package worker_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rppsync/rppsync/inbox"
	"github.com/rppsync/rppsync/scheduler"
	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/worker"
)

// TestShutdownMidFile cancels a pass while a file's import is blocked in
// its transaction (the test holds a lock the import needs): after the
// grace the import is cancelled and rolled back, the pass ends
// "interrupted", the file stays in the inbox, and the next pass imports it
// once.
func TestShutdownMidFile(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	e := newEnv(t)
	e.drop(t, fixtureBeta, "Interim Beta/interim-beta.csv")
	w := e.newWorker(t, "r1", func(c *worker.Config) { c.Grace = 300 * time.Millisecond })
	if _, err := w.RunPass(ctx); err != nil { // first sight
		t.Fatal(err)
	}
	e.clock.advance(time.Minute)

	lock, err := e.db.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback(context.Background())
	if _, err := lock.Exec(ctx, `LOCK TABLE import_file IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}

	passCtx, stop := context.WithCancel(ctx)
	type result struct {
		s   *worker.PassSummary
		err error
	}
	done := make(chan result, 1)
	go func() {
		s, err := w.RunPass(passCtx)
		done <- result{s, err}
	}()
	// The import is blocked once its job runs and a statement waits for
	// the lock.
	waitFor(t, 20*time.Second, "the import waiting for the lock", func() bool {
		var n int
		err := e.db.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_locks
			WHERE NOT granted AND relation = 'import_file'::regclass`).Scan(&n) // this test's schema
		return err == nil && n > 0
	})
	stop() // SIGTERM
	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		t.Fatal("the pass did not stop")
	}
	if !errors.Is(r.err, worker.ErrInterrupted) || r.s.Outcome != store.RunInterrupted ||
		len(r.s.Files) != 1 || r.s.Files[0].Outcome != worker.FileFailed {
		t.Fatalf("interrupted pass: %v, %+v", r.err, r.s)
	}
	if got := inboxFiles(t, e.root); len(got) != 1 || got[0] != "Interim Beta/interim-beta.csv" {
		t.Fatalf("inbox after the shutdown: %v, want the file back for the next pass", got)
	}
	if err := lock.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countImported(t, e.db); n != 0 {
		t.Fatalf("%d files recorded by the cancelled import", n)
	}
	runs, err := e.db.Runs(ctx, store.RunFilter{Limit: 1})
	if err != nil || runs[0].Outcome != store.RunInterrupted || runs[0].ErrorCode == "" {
		t.Fatalf("history: %+v, %v", runs, err)
	}
	counts, err := e.db.JobCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// River puts a job its client cancelled at shutdown back in line
	// (available) or, when the attempt ended in error, retryable.
	if !hasJob(counts, scheduler.KindInboxFile, "available") && !hasJob(counts, scheduler.KindInboxFile, "retryable") ||
		hasJob(counts, scheduler.KindInboxFile, "completed") {
		t.Errorf("job counts after the shutdown: %+v, want the file's job waiting for the next pass", counts)
	}

	// The next pass takes the file at once (its job retried) and imports it.
	s, err := w.RunPass(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Files) != 1 || s.Files[0].Outcome != worker.FileDone {
		t.Fatalf("next pass: %+v", s.Files)
	}
	if n := countImported(t, e.db); n != 1 {
		t.Fatalf("%d files recorded, want 1", n)
	}
}

func hasJob(counts []store.JobCount, kind, state string) bool {
	for _, c := range counts {
		if c.Kind == kind && c.State == state && c.Count > 0 {
			return true
		}
	}
	return false
}

// TestServeShutdownMidFile stops Serve while the inbox watch's job is
// blocked in its import: Serve returns once the grace is spent and the
// import cancelled, and the file is still in the inbox.
func TestServeShutdownMidFile(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	e := newEnv(t)
	in, err := inbox.New(inbox.Config{Root: e.root, StableFor: 100 * time.Millisecond, Logger: e.log})
	if err != nil {
		t.Fatal(err)
	}
	w := e.newWorker(t, "r1", func(c *worker.Config) {
		c.Inbox = in
		c.WatchEvery = 100 * time.Millisecond
		c.Grace = 300 * time.Millisecond
		// The default schedule's 02:00 pass comes two seconds after the
		// leader's periodic enqueuer starts.
		c.Clock = &startingClock{start: time.Date(2027, 1, 15, 2, 0, 0, 0, paris).Add(-2 * time.Second)}
	})
	lock, err := e.db.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback(context.Background())
	if _, err := lock.Exec(ctx, `LOCK TABLE import_file IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	e.drop(t, fixtureBeta, "Interim Beta/interim-beta.csv")
	serveCtx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- w.Serve(serveCtx) }()
	waitFor(t, 20*time.Second, "the import waiting for the lock", func() bool {
		var n int
		err := e.db.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_locks
			WHERE NOT granted AND relation = 'import_file'::regclass`).Scan(&n) // this test's schema
		return err == nil && n > 0
	})
	// The scheduled pass waits for that file's job.
	waitFor(t, 20*time.Second, "the scheduled pass running", func() bool {
		runs, err := e.db.Runs(ctx, store.RunFilter{Outcomes: []store.RunOutcome{store.RunRunning}})
		return err == nil && len(runs) == 1
	})
	stop() // SIGTERM
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve = %v", err)
		}
	case <-ctx.Done():
		t.Fatal("Serve did not return")
	}
	if got := inboxFiles(t, e.root); len(got) != 1 {
		t.Fatalf("inbox after the shutdown: %v, want the file", got)
	}
	lock.Rollback(ctx)
	if n := countImported(t, e.db); n != 0 {
		t.Fatalf("%d files recorded by the cancelled import", n)
	}
	runs, err := e.db.Runs(ctx, store.RunFilter{})
	if err != nil || len(runs) != 1 || runs[0].Outcome != store.RunInterrupted || runs[0].Trigger != store.TriggerSchedule {
		t.Fatalf("the scheduled pass after the shutdown: %+v, %v; want it interrupted", runs, err)
	}
}

// TestHealthzDatabaseDown: /healthz answers 503 "down" when the database
// does not answer.
func TestHealthzDatabaseDown(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	w := e.newWorker(t, "r1", nil)
	srv := httptest.NewServer(w.Handler())
	defer srv.Close()
	code, body := get(t, srv.URL+"/healthz")
	if code != http.StatusOK || !strings.Contains(body, `"status":"degraded"`) { // no pass yet
		t.Fatalf("/healthz before any pass: %d %s", code, body)
	}
	e.db.Close()
	code, body = get(t, srv.URL+"/healthz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, `"status":"down"`) {
		t.Fatalf("/healthz with the database closed: %d %s", code, body)
	}
}
