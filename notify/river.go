package notify

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"
)

// Job kinds, as River records them in river_job.kind.
const (
	KindEmail   = "notify_email"
	KindWebhook = "notify_webhook"
)

// Defaults of Config.
const (
	DefaultQueue       = "notify"
	DefaultMaxAttempts = 10
	DefaultJobTimeout  = 5 * time.Minute
)

// EmailArgs are the arguments of an e-mail job: the whole Message, so that
// every attempt sends the same content. Its Key (tagged river:"unique")
// makes the job unique.
type EmailArgs struct {
	Message
}

// Kind returns KindEmail.
func (EmailArgs) Kind() string { return KindEmail }

// WebhookArgs are the arguments of a webhook job: the whole Webhook, its
// Key (tagged river:"unique") making the job unique. Body is held as a JSON
// string, not as a nested document: River stores args as jsonb, which would
// reorder the keys and respace the document, and the receiver must get the
// very bytes the caller gave.
type WebhookArgs struct {
	Key    string `json:"key" river:"unique"`
	URL    string `json:"url"`
	Secret string `json:"secret"`
	Event  string `json:"event"`
	Body   string `json:"body"`
}

// Webhook returns the Webhook the args were made from.
func (a WebhookArgs) Webhook() Webhook {
	return Webhook{Key: a.Key, URL: a.URL, Secret: a.Secret, Event: a.Event, Body: json.RawMessage(a.Body)}
}

// Kind returns KindWebhook.
func (WebhookArgs) Kind() string { return KindWebhook }

// Job is what Enqueue accepts: a Message or a Webhook.
type Job interface {
	jobArgs(defaultFrom string) (river.JobArgs, error)
}

func (m Message) jobArgs(defaultFrom string) (river.JobArgs, error) {
	if err := m.Validate(defaultFrom); err != nil {
		return nil, err
	}
	// The job holds the whole message, sender included, so that a resend is
	// the same message even if the configuration changed meanwhile.
	if m.From == "" {
		m.From = defaultFrom
	}
	return EmailArgs{Message: m}, nil
}

func (w Webhook) jobArgs(string) (river.JobArgs, error) {
	if err := w.Validate(); err != nil {
		return nil, err
	}
	return WebhookArgs{Key: w.Key, URL: w.URL, Secret: w.Secret, Event: w.Event, Body: string(w.Body)}, nil
}

// Config configures a Delivery. The zero value of every field means "the
// default"; a nil sender means that kind of job cannot be delivered by
// this process (Enqueue still accepts it when it is valid).
type Config struct {
	// SMTP sends the e-mail jobs.
	SMTP *SMTPSender
	// Webhook sends the webhook jobs.
	Webhook *WebhookSender
	// MaxAttempts is the number of attempts, the first included, after which
	// River gives a job up (state discarded); DefaultMaxAttempts when zero.
	MaxAttempts int
	// Queue is the River queue of the jobs; DefaultQueue when empty. The
	// River client that works them must list it in Config.Queues (see
	// Delivery.QueueConfig).
	Queue string
	// JobTimeout bounds one attempt; DefaultJobTimeout when zero.
	JobTimeout time.Duration
	// Logger receives the workers' logs; a "component" field is added.
	Logger zerolog.Logger
}

// Delivery enqueues messages and works their jobs.
type Delivery struct {
	smtp        *SMTPSender
	webhook     *WebhookSender
	maxAttempts int
	queue       string
	timeout     time.Duration
	log         zerolog.Logger
}

// New validates cfg, registers the e-mail and webhook workers on workers
// (the river.Workers of the client that will work the jobs) and returns the
// Delivery. Errors wrap ErrInvalidConfig, or are River's when a worker of
// the same kind is already registered.
func New(workers *river.Workers, cfg Config) (*Delivery, error) {
	if workers == nil {
		return nil, fmt.Errorf("%w: aucun registre de workers River", ErrInvalidConfig)
	}
	if cfg.MaxAttempts < 0 {
		return nil, fmt.Errorf("%w: nombre de tentatives %d négatif ; indiquez un nombre positif, ou 0 pour %d", ErrInvalidConfig, cfg.MaxAttempts, DefaultMaxAttempts)
	}
	if cfg.JobTimeout < 0 {
		return nil, fmt.Errorf("%w: délai d'une tentative négatif ; indiquez une durée positive, ou 0 pour %s", ErrInvalidConfig, DefaultJobTimeout)
	}
	d := &Delivery{
		smtp:        cfg.SMTP,
		webhook:     cfg.Webhook,
		maxAttempts: cmp.Or(cfg.MaxAttempts, DefaultMaxAttempts),
		queue:       cmp.Or(cfg.Queue, DefaultQueue),
		timeout:     cmp.Or(cfg.JobTimeout, DefaultJobTimeout),
		log:         cfg.Logger.With().Str("component", "notify").Logger(),
	}
	if err := river.AddWorkerSafely(workers, &emailWorker{d: d}); err != nil {
		return nil, fmt.Errorf("register %s worker: %w", KindEmail, err)
	}
	if err := river.AddWorkerSafely(workers, &webhookWorker{d: d}); err != nil {
		return nil, fmt.Errorf("register %s worker: %w", KindWebhook, err)
	}
	return d, nil
}

// QueueConfig returns the queue the jobs go to and a configuration for it
// working maxWorkers jobs at once (1 when zero or less), to put in the River
// client's Config.Queues.
func (d *Delivery) QueueConfig(maxWorkers int) (string, river.QueueConfig) {
	return d.queue, river.QueueConfig{MaxWorkers: max(maxWorkers, 1)}
}

// Enqueued is what Enqueue did with one job.
type Enqueued struct {
	Kind  string
	Key   string
	JobID int64
	// Duplicate is true when a job of that kind and key already existed
	// (pending, running, retried or completed): nothing was inserted and
	// JobID is the existing job's.
	Duplicate bool
}

// Enqueue validates jobs, then inserts them in tx with one InsertManyTx, so
// that they are committed (and delivered) if and only if the caller's
// transaction, which writes the items they report, commits. A job whose
// kind and key already exist is not inserted again. client may be an
// insert-only River client (no workers, no queues). A validation error
// wraps ErrInvalidMessage and nothing is inserted.
func (d *Delivery) Enqueue(ctx context.Context, tx pgx.Tx, client *river.Client[pgx.Tx], jobs ...Job) ([]Enqueued, error) {
	if len(jobs) == 0 {
		return nil, nil
	}
	defaultFrom := ""
	if d.smtp != nil {
		defaultFrom = d.smtp.DefaultFrom()
	}
	// The same kind and key twice in one call would meet River's unique
	// index twice in one statement: insert it once, report it twice.
	type kindKey struct{ kind, key string }
	first := make(map[kindKey]int, len(jobs))
	slot := make([]int, len(jobs)) // index in params of each job's insert
	params := make([]river.InsertManyParams, 0, len(jobs))
	for i, j := range jobs {
		args, err := j.jobArgs(defaultFrom)
		if err != nil {
			return nil, err
		}
		kk := kindKey{args.Kind(), argsKey(args)}
		if p, ok := first[kk]; ok {
			slot[i] = -1 - p
			continue
		}
		first[kk] = len(params)
		slot[i] = len(params)
		params = append(params, river.InsertManyParams{Args: args, InsertOpts: &river.InsertOpts{
			MaxAttempts: d.maxAttempts,
			Queue:       d.queue,
			UniqueOpts:  river.UniqueOpts{ByArgs: true},
		}})
	}
	res, err := client.InsertManyTx(ctx, tx, params)
	if err != nil {
		return nil, fmt.Errorf("enqueue notifications: %w", err)
	}
	out := make([]Enqueued, len(jobs))
	for i, p := range slot {
		dup := p < 0
		if dup {
			p = -1 - p
		}
		r := res[p]
		out[i] = Enqueued{Kind: r.Job.Kind, Key: argsKey(params[p].Args), JobID: r.Job.ID, Duplicate: dup || r.UniqueSkippedAsDuplicate}
		d.log.Debug().Int64("job_id", r.Job.ID).Str("kind", r.Job.Kind).Str("key", out[i].Key).
			Bool("duplicate", out[i].Duplicate).Msg("notification enqueued")
	}
	return out, nil
}

func argsKey(a river.JobArgs) string {
	switch a := a.(type) {
	case EmailArgs:
		return a.Key
	case WebhookArgs:
		return a.Key
	}
	return ""
}

// emailWorker sends EmailArgs with the Delivery's SMTP sender.
type emailWorker struct {
	river.WorkerDefaults[EmailArgs]
	d *Delivery
}

// Timeout bounds one attempt.
func (w *emailWorker) Timeout(*river.Job[EmailArgs]) time.Duration { return w.d.timeout }

// Work sends the message. Its Date is the job's creation time, so that
// every attempt sends the same message.
func (w *emailWorker) Work(ctx context.Context, job *river.Job[EmailArgs]) error {
	var err error
	if w.d.smtp == nil {
		err = temporary(CodeSMTPNotConfigured, "aucun serveur SMTP n'est configuré ; configurez-le, le message sera renvoyé", nil)
	} else {
		err = w.d.smtp.Send(ctx, job.Args.Message, job.CreatedAt)
	}
	return w.d.outcome(job.JobRow, job.Args.Key, err)
}

// webhookWorker sends WebhookArgs with the Delivery's webhook sender.
type webhookWorker struct {
	river.WorkerDefaults[WebhookArgs]
	d *Delivery
}

// Timeout bounds one attempt.
func (w *webhookWorker) Timeout(*river.Job[WebhookArgs]) time.Duration { return w.d.timeout }

// Work posts the webhook.
func (w *webhookWorker) Work(ctx context.Context, job *river.Job[WebhookArgs]) error {
	var err error
	if w.d.webhook == nil {
		err = temporary(CodeWebhookNotConfigured, "l'envoi des webhooks n'est pas configuré ; configurez-le, le webhook sera renvoyé", nil)
	} else {
		err = w.d.webhook.Send(ctx, job.Args.Webhook())
	}
	return w.d.outcome(job.JobRow, job.Args.Key, err)
}

// outcome logs an attempt and tells River what to do: nothing on success,
// cancel on a permanent failure, retry otherwise (River discards the job
// once MaxAttempts are spent).
func (d *Delivery) outcome(job *rivertype.JobRow, key string, err error) error {
	ev := func(e *zerolog.Event) *zerolog.Event {
		return e.Int64("job_id", job.ID).Str("kind", job.Kind).Str("key", key).
			Int("attempt", job.Attempt).Int("max_attempts", job.MaxAttempts)
	}
	if err == nil {
		ev(d.log.Info()).Msg("notification delivered")
		return nil
	}
	code := ""
	var de *Error
	if errors.As(err, &de) {
		code = de.Code
	}
	switch {
	case IsPermanent(err):
		ev(d.log.Error()).Str("code", code).Str("error", err.Error()).Msg("notification refused for good, job cancelled")
		return river.JobCancel(err)
	case job.Attempt >= job.MaxAttempts:
		ev(d.log.Error()).Str("code", code).Str("error", err.Error()).Msg("notification given up: last attempt failed")
	default:
		ev(d.log.Warn()).Str("code", code).Str("error", err.Error()).Msg("notification attempt failed, will retry")
	}
	return err
}

// Failure is a notification not delivered: given up after its attempts
// (State discarded), refused for good or cancelled (cancelled), or failing
// and waiting for its next attempt (retryable). Errors holds every failed
// attempt, oldest first, as River recorded them.
type Failure struct {
	JobID       int64
	Kind        string
	Key         string
	State       rivertype.JobState
	Attempt     int
	MaxAttempts int
	CreatedAt   time.Time
	FinalizedAt *time.Time
	Errors      []rivertype.AttemptError
}

// failureStates are the states Failures lists.
var failureStates = []rivertype.JobState{
	rivertype.JobStateDiscarded, rivertype.JobStateCancelled, rivertype.JobStateRetryable,
}

// Failures lists the notification jobs that were not delivered and are
// still in River's table (River deletes cancelled and discarded jobs after
// its retention periods), oldest first, through River's JobList.
func Failures(ctx context.Context, client *river.Client[pgx.Tx]) ([]Failure, error) {
	const page = 500
	params := river.NewJobListParams().Kinds(KindEmail, KindWebhook).States(failureStates...).
		OrderBy(river.JobListOrderByID, river.SortOrderAsc).First(page)
	var out []Failure
	for {
		res, err := client.JobList(ctx, params)
		if err != nil {
			return nil, fmt.Errorf("list failed notifications: %w", err)
		}
		for _, j := range res.Jobs {
			var k struct {
				Key string `json:"key"`
			}
			_ = json.Unmarshal(j.EncodedArgs, &k) // a job of ours always has it
			out = append(out, Failure{
				JobID: j.ID, Kind: j.Kind, Key: k.Key, State: j.State,
				Attempt: j.Attempt, MaxAttempts: j.MaxAttempts,
				CreatedAt: j.CreatedAt, FinalizedAt: j.FinalizedAt, Errors: j.Errors,
			})
		}
		if len(res.Jobs) < page {
			return out, nil
		}
		params = params.After(res.LastCursor)
	}
}

// SlogLogger returns an *slog.Logger writing to logger, for River's
// Config.Logger and rivermigrate's, which take slog.
func SlogLogger(logger zerolog.Logger) *slog.Logger {
	return slog.New(zerolog.NewSlogHandler(logger))
}

// Migrate runs River's migrations (its job, leader and queue tables) up to
// the version this module's River needs, with rivermigrate, and returns the
// versions it applied (none when up to date). The tables go where the
// pool's connections resolve unqualified names: the first schema of their
// search_path, as rppsync's own tables do. It is what `rppsync migrate`
// runs after the store's migrations.
func Migrate(ctx context.Context, pool *pgxpool.Pool, logger zerolog.Logger) ([]int, error) {
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{
		Logger: SlogLogger(logger.With().Str("component", "rivermigrate").Logger()),
	})
	if err != nil {
		return nil, fmt.Errorf("river migrator: %w", err)
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return nil, fmt.Errorf("river migrations: %w", err)
	}
	applied := make([]int, len(res.Versions))
	for i, v := range res.Versions {
		applied[i] = v.Version
	}
	return applied, nil
}
