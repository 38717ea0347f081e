package worker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rppsync/rppsync/inbox"
	"github.com/rppsync/rppsync/scheduler"
	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/worker"
)

var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return loc
}()

// startingClock is the real clock moved to another date: it reads start
// the first time it is read (River's periodic enqueuer asking the schedule,
// once its replica is elected leader, however long that took) and runs at
// real speed from there, as River waits for activations in real time.
type startingClock struct {
	start time.Time
	once  sync.Once
	off   time.Duration
}

func (c *startingClock) Now() time.Time {
	c.once.Do(func() { c.off = time.Until(c.start) })
	return time.Now().Add(c.off)
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServeReplicas runs three replicas of Serve on one database and inbox,
// their clock set a few seconds before 02:00 on the nights the clocks
// change in Paris: exactly one replica (River's leader) runs the 02:00
// pass, at 03:00 summer time on 28 March 2027 since 02:00 does not exist
// that night, and at the first 02:00 (summer time) on 31 October 2027;
// files dropped meanwhile are imported once by the inbox watch; /healthz
// and /metrics answer; cancelling stops every replica.
func TestServeReplicas(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		night      string
		activation time.Time
	}{
		{"spring forward", time.Date(2027, 3, 28, 3, 0, 0, 0, paris)}, // 01:00 UTC
		{"fall back", time.Date(2027, 10, 31, 0, 0, 0, 0, time.UTC)},  // the first 02:00, summer time
	} {
		t.Run(tt.night, func(t *testing.T) { serveReplicas(t, tt.activation) })
	}
}

func serveReplicas(t *testing.T, activation time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	e := newEnv(t)
	sched, err := scheduler.ParseCron("0 2 * * *", "Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	clock := &startingClock{start: activation.Add(-2 * time.Second)}

	serveCtx, stop := context.WithCancel(ctx)
	var (
		wg   sync.WaitGroup
		ws   []*worker.Worker
		errs = make([]error, 3)
	)
	for i := range 3 {
		in, err := inbox.New(inbox.Config{Root: e.root, StableFor: 200 * time.Millisecond, Logger: e.log})
		if err != nil {
			t.Fatal(err)
		}
		w := e.newWorker(t, fmt.Sprintf("r%d", i), func(c *worker.Config) {
			c.Inbox = in
			c.Schedule = sched
			c.Clock = clock
			c.WatchEvery = 100 * time.Millisecond
			c.Notifier = nil
		})
		ws = append(ws, w)
		wg.Go(func() { errs[i] = w.Serve(serveCtx) })
	}
	defer func() {
		stop()
		wg.Wait()
	}()
	var ran store.Run
	waitFor(t, 30*time.Second, "the scheduled pass", func() bool {
		runs, err := e.db.Runs(ctx, store.RunFilter{Finished: true})
		if err != nil || len(runs) == 0 {
			return false
		}
		ran = runs[0]
		return true
	})
	// Files dropped during the day: imported by the watch. (Dropped after
	// the pass, as their reports would read the clock first otherwise.)
	dropVariants(t, e.root, 3)
	waitFor(t, 20*time.Second, "the files imported by the watch", func() bool {
		return len(inboxFiles(t, e.root)) == 0 && countImported(t, e.db) == 3
	})
	time.Sleep(time.Second) // room for a second pass, were there one
	runs, err := e.db.Runs(ctx, store.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 {
		t.Fatalf("%d passes across the replicas, want 1: %+v", len(runs), runs)
	}
	if ran.Trigger != store.TriggerSchedule || ran.ScheduledFor == nil || !ran.ScheduledFor.Equal(activation) || ran.Outcome != store.RunOK {
		t.Fatalf("scheduled pass: %+v (scheduled for %v), want one at %s", ran, ran.ScheduledFor, activation)
	}
	checkEachOnceNoHooks(t, e, 3)

	// /healthz and /metrics, on the replica that ran the pass.
	var runner *worker.Worker
	for i, w := range ws {
		if ran.Replica == fmt.Sprintf("r%d", i) {
			runner = w
		}
	}
	code, body := get(t, "http://"+runner.Addr()+"/healthz")
	var h worker.Health
	if err := json.Unmarshal([]byte(body), &h); err != nil || code != http.StatusOK {
		t.Fatalf("/healthz: %d %s", code, body)
	}
	if h.Status != "ok" || h.Database != "ok" || h.LastPass == nil || h.LastPass.RunID != ran.ID || h.Directory == nil ||
		h.Directory.Name != "PS_LibreAcces_Personne_activite_202611200800.txt" {
		t.Errorf("/healthz: %s", body)
	}
	code, body = get(t, "http://"+runner.Addr()+"/metrics")
	for _, want := range []string{
		`rppsync_passes_total{outcome="ok"} 1`,
		`rppsync_pass_duration_seconds_count{outcome="ok"} 1`,
		`rppsync_directory_age_seconds{kind="activity"}`,
		`rppsync_directory_age_seconds{kind="cards"}`,
		`rppsync_scrape_errors{figure="job_queue_depth"} 0`,
	} {
		if code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	total := 0
	for _, w := range ws {
		_, body := get(t, "http://"+w.Addr()+"/metrics")
		for _, verdict := range []string{"matched", "rpps_invalid"} {
			total += metricValue(body, fmt.Sprintf(`rppsync_rows_total{verdict=%q}`, verdict))
		}
	}
	if total != 3*5 { // each beta variant: 2 matched, 3 rpps_invalid
		t.Errorf("rows counted across the replicas' metrics: %d, want 15", total)
	}

	stop()
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: Serve = %v", i, err)
		}
	}
}

func metricValue(body, name string) int {
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			var n int
			fmt.Sscan(v, &n)
			return n
		}
	}
	return 0
}

// checkEachOnceNoHooks is checkEachOnce without notifications.
func checkEachOnceNoHooks(t *testing.T, e *env, n int) {
	t.Helper()
	if got := countImported(t, e.db); got != n {
		t.Errorf("%d files recorded, want %d", got, n)
	}
	if done := movedFiles(t, e.root, "done"); len(done) != 2*n {
		t.Errorf("done/ holds %v, want %d files", done, 2*n)
	}
}
