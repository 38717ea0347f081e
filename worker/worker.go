package worker

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/rs/zerolog"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/directory/fetch"
	"github.com/rppsync/rppsync/inbox"
	"github.com/rppsync/rppsync/pipeline"
	"github.com/rppsync/rppsync/scheduler"
	"github.com/rppsync/rppsync/store"
)

// Fetcher downloads a national extract; *fetch.Fetcher is one.
type Fetcher interface {
	Fetch(ctx context.Context, kind fetch.Kind) (fetch.Result, error)
}

// Notifier tells the structures and agencies what a pass did. Notify runs
// in tx, which the pass commits when it returns nil: the notifications it
// enqueues (River's InsertTx on tx.Pgx()) are committed with it. It returns
// how many messages it enqueued.
type Notifier interface {
	Notify(ctx context.Context, tx *store.Tx, pass PassSummary) (int, error)
}

// Clock is the time source of the passes and of the schedule. A test clock
// must move with real time (River waits for the activations with real
// timers); it may be offset from it.
type Clock interface {
	Now() time.Time
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Defaults of Config.
const (
	DefaultGrace        = 30 * time.Second
	DefaultDigestEvery  = 5 * time.Minute
	DefaultWatchEvery   = 30 * time.Second
	DefaultHTTPAddr     = "127.0.0.1:9187"
	DefaultPollInterval = time.Second
	DefaultFileTimeout  = 30 * time.Minute
	DefaultDrainTimeout = time.Minute
)

// ErrInvalidConfig is returned by New when a Config cannot be used.
var ErrInvalidConfig = rppsync.NewError("worker_config_invalid", "invalid worker configuration")

// ErrInterrupted is returned by RunPass when its context was cancelled (a
// shutdown) before the pass ended; the pass is recorded as interrupted.
var ErrInterrupted = rppsync.NewError("pass_interrupted", "the pass was interrupted")

// ErrPassFailed is returned by RunPass when a step the pass cannot go on
// without failed (reconcile, notify, purge); its cause says which.
var ErrPassFailed = rppsync.NewError("pass_failed", "the pass failed")

// Config configures a Worker. Pipeline and DB are required; the zero value
// of every other field is its default.
type Config struct {
	Pipeline *pipeline.Pipeline
	DB       *store.DB
	// Inbox is the drop folder; nil: the pass imports nothing.
	Inbox *inbox.Inbox
	// InboxRoot is the Inbox's folder (inbox.Config.Root), required with
	// Inbox: the jobs import the files by their path in it.
	InboxRoot string
	// Fetcher downloads the extracts; nil: the pass loads none.
	Fetcher Fetcher
	// FetchKinds are the extracts the pass fetches; fetch.Kinds when empty.
	FetchKinds []fetch.Kind
	// Notifier is called by each pass; nil: no notifications.
	Notifier Notifier
	// AddWorkers registers the River workers of other jobs the worker's
	// clients must work (the notifications' notify.New), and Queues their
	// queues (notify's Delivery.QueueConfig).
	AddWorkers func(*river.Workers) error
	Queues     map[string]river.QueueConfig
	// Retention is how long after a contract ends its personal data is
	// kept; store.DefaultRetention when zero.
	Retention time.Duration
	// Schedule gives Serve's pass activations (scheduler.ParseCron);
	// scheduler.DefaultCron in scheduler.DefaultTimeZone when nil.
	Schedule scheduler.Schedule
	// Clock is the time source; the real clock when nil.
	Clock Clock
	// Grace is how long a shutdown waits for the running jobs before
	// cancelling them; DefaultGrace when zero.
	Grace time.Duration
	// WatchEvery is how often Serve scans the inbox; DefaultWatchEvery
	// when zero.
	WatchEvery time.Duration
	// HTTPAddr is where Serve answers /healthz and /metrics;
	// DefaultHTTPAddr when empty.
	HTTPAddr string
	// PollInterval is how often the River clients look for jobs (they are
	// also woken by PostgreSQL notifications); DefaultPollInterval when zero.
	PollInterval time.Duration
	// FileTimeout bounds the import of one file; DefaultFileTimeout when zero.
	FileTimeout time.Duration
	// DrainTimeout bounds how long a pass outside Serve works the
	// notifications it enqueued before it stops; DefaultDrainTimeout when zero.
	DrainTimeout time.Duration
	// DigestEvery is how often Serve looks for the digests whose day and
	// hour have come (with a Notifier); DefaultDigestEvery when zero.
	DigestEvery time.Duration
	// Settle is how long a one-shot pass (RunPass outside Serve) waits to
	// look at the inbox again when it sees files for the first time: the
	// inbox takes a file once it has seen it unchanged over its StableFor,
	// so Settle should be a little more than that. Zero: the files wait
	// for the next pass.
	Settle time.Duration
	// FileWorkers is how many files a process imports at once; 1 when zero.
	FileWorkers int
	// Replica names this process in the pass history and River; the host
	// name and process id when empty.
	Replica string
	// Logger receives the logs; a "component" field is added.
	Logger zerolog.Logger
}

// Worker runs passes and serves.
type Worker struct {
	cfg     Config
	db      *store.DB
	clock   Clock
	log     zerolog.Logger
	metrics *metrics

	passMu sync.Mutex // one pass at a time in a process

	mu       sync.Mutex
	client   *river.Client[pgx.Tx] // Serve's client, nil outside Serve
	stopping chan struct{}         // closed when Serve starts shutting down
	addr     string                // the HTTP server's bound address
}

// New validates cfg and returns a Worker; errors wrap ErrInvalidConfig.
func New(cfg Config) (*Worker, error) {
	switch {
	case cfg.Pipeline == nil:
		return nil, ErrInvalidConfig.About("Pipeline", errors.New("required"))
	case cfg.DB == nil:
		return nil, ErrInvalidConfig.About("DB", errors.New("required"))
	case cfg.Inbox != nil && cfg.InboxRoot == "":
		return nil, ErrInvalidConfig.About("InboxRoot", errors.New("required with Inbox"))
	case cfg.Retention < 0 || cfg.Grace < 0 || cfg.WatchEvery < 0 || cfg.PollInterval < 0 ||
		cfg.FileTimeout < 0 || cfg.DrainTimeout < 0 || cfg.FileWorkers < 0:
		return nil, ErrInvalidConfig.About("durations", errors.New("negative"))
	}
	cfg.Retention = cmp.Or(cfg.Retention, store.DefaultRetention)
	cfg.Grace = cmp.Or(cfg.Grace, DefaultGrace)
	cfg.DigestEvery = cmp.Or(cfg.DigestEvery, DefaultDigestEvery)
	cfg.WatchEvery = cmp.Or(cfg.WatchEvery, DefaultWatchEvery)
	cfg.HTTPAddr = cmp.Or(cfg.HTTPAddr, DefaultHTTPAddr)
	cfg.PollInterval = cmp.Or(cfg.PollInterval, DefaultPollInterval)
	cfg.FileTimeout = cmp.Or(cfg.FileTimeout, DefaultFileTimeout)
	cfg.DrainTimeout = cmp.Or(cfg.DrainTimeout, DefaultDrainTimeout)
	cfg.FileWorkers = cmp.Or(cfg.FileWorkers, 1)
	if len(cfg.FetchKinds) == 0 {
		cfg.FetchKinds = fetch.Kinds
	}
	if cfg.Schedule == nil {
		s, err := scheduler.ParseCron(scheduler.DefaultCron, scheduler.DefaultTimeZone)
		if err != nil {
			return nil, ErrInvalidConfig.About("Schedule", err)
		}
		cfg.Schedule = s
	}
	if cfg.Replica == "" {
		host, _ := os.Hostname()
		cfg.Replica = fmt.Sprintf("%s-%d", cmp.Or(host, "rppsync"), os.Getpid())
	}
	w := &Worker{cfg: cfg, db: cfg.DB, clock: cfg.Clock,
		log: cfg.Logger.With().Str("component", "worker").Str("replica", cfg.Replica).Logger()}
	if w.clock == nil {
		w.clock = realClock{}
	}
	w.metrics = newMetrics(w)
	return w, nil
}

// newID returns a random hex identifier, for pass ids.
func newID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// clockOffset is how far the Clock is from real time (zero for the real
// clock), rounded so that it does not jitter between calls.
func (w *Worker) clockOffset() time.Duration {
	if _, ok := w.clock.(realClock); ok {
		return 0
	}
	return w.clock.Now().Sub(time.Now()).Round(time.Millisecond)
}

// serving returns Serve's client and stopping channel, or nil outside Serve.
func (w *Worker) serving() (*river.Client[pgx.Tx], chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.client, w.stopping
}
