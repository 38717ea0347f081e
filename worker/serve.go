package worker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/rppsync/rppsync/notify"
	"github.com/rppsync/rppsync/scheduler"
	"github.com/rppsync/rppsync/store"
)

// ErrServing is returned by Serve when the Worker already serves.
var ErrServing = errors.New("worker: Serve is already running")

// riverConfig builds a River client's configuration: the inbox worker and
// the caller's workers, plus, for Serve, the pass and its periodic job.
func (w *Worker) riverConfig(serve bool) (*river.Config, error) {
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &inboxFileWorker{w: w}); err != nil {
		return nil, err
	}
	queues := map[string]river.QueueConfig{scheduler.QueueInbox: {MaxWorkers: w.cfg.FileWorkers}}
	var periodic []*river.PeriodicJob
	if serve {
		if err := river.AddWorkerSafely(workers, &passWorker{w: w}); err != nil {
			return nil, err
		}
		queues[scheduler.QueuePass] = river.QueueConfig{MaxWorkers: 1}
		periodic = append(periodic, scheduler.PeriodicPass(clockSchedule{w: w}))
		if w.cfg.Notifier != nil {
			if err := river.AddWorkerSafely(workers, &digestsWorker{w: w}); err != nil {
				return nil, err
			}
			periodic = append(periodic, scheduler.PeriodicDigests(w.cfg.DigestEvery))
		}
	}
	if w.cfg.AddWorkers != nil {
		if err := w.cfg.AddWorkers(workers); err != nil {
			return nil, fmt.Errorf("register the workers: %w", err)
		}
	}
	for q, qc := range w.cfg.Queues {
		queues[q] = qc
	}
	return &river.Config{
		ID:                w.cfg.Replica + "-" + newID(),
		Logger:            notify.SlogLogger(w.cfg.Logger.With().Str("component", "river").Str("replica", w.cfg.Replica).Logger()),
		Queues:            queues,
		Workers:           workers,
		PeriodicJobs:      periodic,
		FetchPollInterval: w.cfg.PollInterval,
		FetchCooldown:     min(w.cfg.PollInterval, 100*time.Millisecond),
	}, nil
}

// startPassClient starts the client a pass outside Serve works its jobs
// with, and returns the function that stops it: at once when the jobs are
// done, or, when ctx was cancelled, within Config.Grace before cancelling
// the running jobs.
func (w *Worker) startPassClient(ctx context.Context) (*river.Client[pgx.Tx], func(), error) {
	rc, err := w.riverConfig(false)
	if err != nil {
		return nil, nil, err
	}
	client, err := river.NewClient(riverpgxv5.New(w.db.Pool()), rc)
	if err != nil {
		return nil, nil, fmt.Errorf("River client: %w", err)
	}
	// The jobs' contexts derive from Start's: not from ctx, so that a
	// shutdown lets the running file finish within the grace.
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, nil, fmt.Errorf("start River: %w", err)
	}
	return client, func() {
		if ctx.Err() == nil && w.cfg.Notifier != nil && len(w.cfg.Queues) > 0 {
			w.drain(ctx)
		}
		w.stopClient(client)
	}, nil
}

// drain waits, at most Config.DrainTimeout, until the caller's queues (the
// notifications) hold no job ready or running.
func (w *Worker) drain(ctx context.Context) {
	dctx, cancel := context.WithTimeout(ctx, w.cfg.DrainTimeout)
	defer cancel()
	tick := time.NewTicker(min(w.cfg.PollInterval, 200*time.Millisecond))
	defer tick.Stop()
	for {
		counts, err := w.db.JobCounts(dctx)
		if err != nil {
			return
		}
		busy := false
		for _, c := range counts {
			if _, ours := w.cfg.Queues[c.Queue]; ours && (c.State == "available" || c.State == "running") {
				busy = true
			}
		}
		if !busy {
			return
		}
		select {
		case <-dctx.Done():
			w.log.Warn().Msg("notifications still pending at the end of the pass: the next pass or serve sends them")
			return
		case <-tick.C:
		}
	}
}

// stopClient stops a client: it stops fetching, waits Config.Grace for the
// running jobs, then cancels them (a cancelled import rolls back) and waits
// for their end.
func (w *Worker) stopClient(client *river.Client[pgx.Tx]) {
	gctx, cancel := context.WithTimeout(context.Background(), w.cfg.Grace)
	defer cancel()
	if err := client.Stop(gctx); err == nil {
		return
	}
	w.log.Warn().Dur("grace", w.cfg.Grace).Msg("jobs still running after the grace: cancelling them")
	cctx, cancel2 := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel2()
	if err := client.StopAndCancel(cctx); err != nil {
		w.log.Error().Err(err).Msg("River did not stop")
	}
}

// clockSchedule is Config.Schedule on the Worker's clock: River asks it in
// real time.
type clockSchedule struct{ w *Worker }

// Next returns the schedule's next activation after t, in real time.
func (c clockSchedule) Next(t time.Time) time.Time {
	off := c.w.clockOffset()
	n := c.w.cfg.Schedule.Next(t.Add(off))
	if n.IsZero() {
		return n
	}
	return n.Add(-off)
}

// passWorker runs a scheduled pass.
type passWorker struct {
	river.WorkerDefaults[scheduler.PassArgs]
	w *Worker
}

// Timeout is none: a pass takes what it takes; a shutdown cancels it.
func (*passWorker) Timeout(*river.Job[scheduler.PassArgs]) time.Duration { return -1 }

// Work runs the pass for the activation the job was scheduled for.
func (pw *passWorker) Work(ctx context.Context, job *river.Job[scheduler.PassArgs]) error {
	at := job.ScheduledAt.Add(pw.w.clockOffset()).Round(time.Second).In(paris)
	_, err := pw.w.runPass(ctx, store.TriggerSchedule, at)
	return err
}

// digestsWorker looks for the digests whose day and hour have come
// between passes (a structure that wants its digest at 07:30 gets it then,
// not at the 02:00 pass): the Notifier, in a transaction of its own,
// writes those that are due and changed.
type digestsWorker struct {
	river.WorkerDefaults[scheduler.DigestsArgs]
	w *Worker
}

// Work calls the Notifier.
func (dw *digestsWorker) Work(ctx context.Context, _ *river.Job[scheduler.DigestsArgs]) error {
	var n int
	err := dw.w.db.InTx(ctx, func(tx *store.Tx) (err error) {
		n, err = dw.w.cfg.Notifier.Notify(ctx, tx, PassSummary{Trigger: "digests"})
		return err
	})
	if err != nil {
		return fmt.Errorf("due digests: %w", err)
	}
	if n > 0 {
		dw.w.cfg.Logger.Info().Int("messages", n).Msg("due digests enqueued")
	}
	return nil
}

// Addr returns the address Serve's HTTP server listens on, once it does
// ("" before): useful when Config.HTTPAddr asks for port 0.
func (w *Worker) Addr() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.addr
}

// Serve runs until ctx is cancelled: a River client working the inbox
// files, the caller's jobs and the scheduled passes (inserted by the
// elected leader among the replicas), an inbox scan every
// Config.WatchEvery, and the HTTP server of /healthz and /metrics. On
// cancellation it stops scanning, stops River (running jobs get
// Config.Grace, then are cancelled and rolled back) and shuts the HTTP
// server down. It returns nil after a shutdown, or the error that kept it
// from starting.
func (w *Worker) Serve(ctx context.Context) error {
	w.mu.Lock()
	if w.client != nil {
		w.mu.Unlock()
		return ErrServing
	}
	rc, err := w.riverConfig(true)
	if err != nil {
		w.mu.Unlock()
		return err
	}
	client, err := river.NewClient(riverpgxv5.New(w.db.Pool()), rc)
	if err != nil {
		w.mu.Unlock()
		return fmt.Errorf("River client: %w", err)
	}
	ln, err := net.Listen("tcp", w.cfg.HTTPAddr)
	if err != nil {
		w.mu.Unlock()
		return fmt.Errorf("listen on %s: %w", w.cfg.HTTPAddr, err)
	}
	w.client, w.stopping, w.addr = client, make(chan struct{}), ln.Addr().String()
	stopping := w.stopping
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		w.client, w.stopping, w.addr = nil, nil, ""
		w.mu.Unlock()
	}()

	events, unsubscribe := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled)
	defer unsubscribe()
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		ln.Close()
		return fmt.Errorf("start River: %w", err)
	}
	srv := &http.Server{Handler: w.Handler(), ReadHeaderTimeout: 10 * time.Second}
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			w.log.Error().Err(err).Msg("HTTP server stopped")
		}
	})
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	wg.Go(func() { w.watch(watchCtx, client) })
	wg.Go(func() { w.metrics.follow(watchCtx, events) })
	w.log.Info().Str("http", w.addr).Dur("watch_every", w.cfg.WatchEvery).Msg("serving")

	<-ctx.Done()
	w.log.Info().Dur("grace", w.cfg.Grace).Msg("shutting down: no new file is taken")
	close(stopping)
	stopWatch()
	w.stopClient(client)
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	wg.Wait()
	w.log.Info().Msg("stopped")
	return nil
}

// watch scans the inbox every Config.WatchEvery until ctx is done.
func (w *Worker) watch(ctx context.Context, client *river.Client[pgx.Tx]) {
	if w.cfg.Inbox == nil {
		return
	}
	tick := time.NewTicker(w.cfg.WatchEvery)
	defer tick.Stop()
	log := w.log.With().Str("step", "watch").Logger()
	for {
		if _, err := w.scanInbox(ctx, client, log); err != nil && ctx.Err() == nil {
			log.Error().Err(err).Msg("inbox scan failed")
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
