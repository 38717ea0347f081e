package worker_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rppsync/rppsync/inbox"
	"github.com/rppsync/rppsync/pipeline"
	"github.com/rppsync/rppsync/store/storetest"
	"github.com/rppsync/rppsync/worker"
)

// dropVariants drops n files of distinct contents (the beta sample with a
// different number of trailing blank lines) in n agency folders.
func dropVariants(t *testing.T, root string, n int) {
	t.Helper()
	base, err := os.ReadFile(fixtureBeta)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		b := append(append([]byte{}, base...), []byte(strings.Repeat("\r\n", i+1))...)
		dropBytes(t, root, fmt.Sprintf("Agence %d/planning.csv", i), b)
	}
}

// checkEachOnce checks that n files were recorded once each, moved to
// done/ once each with their report, and announced by one webhook each.
func checkEachOnce(t *testing.T, e *env, n int) {
	t.Helper()
	if got := countImported(t, e.db); got != n {
		t.Errorf("%d files recorded, want %d", got, n)
	}
	done := movedFiles(t, e.root, "done")
	if len(done) != 2*n {
		t.Errorf("done/ holds %d files, want %d: %v", len(done), 2*n, done)
	}
	for _, f := range done {
		if strings.Contains(f, " (2)") {
			t.Errorf("a file was moved twice: %s", f)
		}
	}
	if left := inboxFiles(t, e.root); len(left) != 0 {
		t.Errorf("left in the inbox: %v", left)
	}
	hooks := e.hooks.received()
	if len(hooks) != n {
		t.Errorf("%d distinct webhooks, want %d", len(hooks), n)
	}
	for k, c := range hooks {
		if c != 1 {
			t.Errorf("webhook %s sent %d times", k, c)
		}
	}
}

// TestReplicasImportEachFileOnce: three Workers (replicas, each with its
// own Inbox) run their passes at the same time on one inbox and database.
func TestReplicasImportEachFileOnce(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	e := newEnv(t)
	const files = 6
	dropVariants(t, e.root, files)
	var ws []*worker.Worker
	for i := range 3 {
		ws = append(ws, e.newWorker(t, fmt.Sprintf("r%d", i), nil))
	}
	all := func() []*worker.PassSummary {
		var (
			mu  sync.Mutex
			out []*worker.PassSummary
			wg  sync.WaitGroup
		)
		for _, w := range ws {
			wg.Go(func() {
				s, err := w.RunPass(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				out = append(out, s)
				mu.Unlock()
			})
		}
		wg.Wait()
		return out
	}
	all() // first sight
	e.clock.advance(time.Minute)
	sums := all()
	seen := map[string]bool{}
	for _, s := range sums {
		for _, f := range s.Files {
			if f.Outcome != worker.FileDone {
				t.Errorf("replica %s: %+v", s.Replica, f)
			}
			seen[f.Path] = true
		}
	}
	if len(seen) != files {
		t.Errorf("the passes reported %d files, want %d", len(seen), files)
	}
	waitFor(t, 15*time.Second, "one webhook per file", func() bool { return len(e.hooks.received()) == files })
	checkEachOnce(t, e, files)
}

// Environment of the child processes of TestWorkerProcesses.
const (
	childURLEnv   = "RPPSYNC_WORKER_CHILD_DB"
	childRootEnv  = "RPPSYNC_WORKER_CHILD_INBOX"
	childHookEnv  = "RPPSYNC_WORKER_CHILD_HOOK"
	childIndexEnv = "RPPSYNC_WORKER_CHILD_INDEX"
)

// TestWorkerProcesses runs two, then four real processes (this test binary
// again) passing over and over on one inbox and database, as `rppsync run`
// from several hosts' crons would: every file is imported once and every
// message sent once. SIGTERM stops them cleanly.
func TestWorkerProcesses(t *testing.T) {
	if url := os.Getenv(childURLEnv); url != "" {
		workerChild(t, url)
		return
	}
	t.Parallel()
	for _, procs := range []int{2, 4} {
		t.Run(fmt.Sprintf("%d processes", procs), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			e := newEnv(t)
			const files = 8
			dropVariants(t, e.root, files)
			var cmds []*exec.Cmd
			outs := make([]*syncBuffer, procs)
			for i := range procs {
				cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestWorkerProcesses$", "-test.count=1", "-test.v")
				cmd.Env = append(os.Environ(), childURLEnv+"="+e.url, childRootEnv+"="+e.root, childHookEnv+"="+e.hooks.srv.URL,
					fmt.Sprintf("%s=%d", childIndexEnv, i))
				outs[i] = &syncBuffer{}
				cmd.Stdout, cmd.Stderr = outs[i], outs[i]
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				cmds = append(cmds, cmd)
			}
			stopped := false
			defer func() {
				if !stopped {
					for _, c := range cmds {
						_ = c.Process.Kill()
						_ = c.Wait()
					}
				}
			}()
			waitFor(t, 60*time.Second, "every file imported and announced", func() bool {
				return len(e.hooks.received()) == files && len(inboxFiles(t, e.root)) == 0
			})
			for _, c := range cmds {
				if err := c.Process.Signal(syscall.SIGTERM); err != nil {
					t.Fatal(err)
				}
			}
			for i, c := range cmds {
				if err := c.Wait(); err != nil {
					t.Errorf("process %d: %v; output:\n%s", i, err, outs[i])
				}
			}
			stopped = true
			checkEachOnce(t, e, files)
			var replicas int
			if err := e.db.Pool().QueryRow(ctx, `SELECT count(DISTINCT replica) FROM pass_run`).Scan(&replicas); err != nil {
				t.Fatal(err)
			}
			if replicas != procs {
				t.Errorf("passes recorded by %d processes, want %d", replicas, procs)
			}
		})
	}
}

// workerChild is a child's side: passes until SIGTERM.
func workerChild(t *testing.T, url string) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	log := testLogger(t)
	db := storetest.Open(t, url)
	pipe, err := pipeline.New(pipeline.Config{Logger: &log})
	if err != nil {
		t.Fatal(err)
	}
	root := os.Getenv(childRootEnv)
	in, err := inbox.New(inbox.Config{Root: root, StableFor: 200 * time.Millisecond, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{url: url, db: db, pipe: pipe, root: root, log: log}
	cfg := e.workerConfigURL(t, "proc"+os.Getenv(childIndexEnv), in, os.Getenv(childHookEnv))
	w, err := worker.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for ctx.Err() == nil {
		if _, err := w.RunPass(ctx); err != nil && !errors.Is(err, worker.ErrInterrupted) {
			t.Errorf("pass: %v", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
}
