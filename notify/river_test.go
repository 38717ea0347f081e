package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
	"github.com/rppsync/rppsync/store/storetest"
	"github.com/rs/zerolog"
)

// syncBuffer collects a test's logs for the assertion that they carry no
// contact.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fastRetry retries at once, so that retry tests take milliseconds.
type fastRetry struct{}

func (fastRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(50 * time.Millisecond) }

// riverEnv is a test schema migrated by Migrate, a pool on it, a Delivery
// and a River client working its queue.
type riverEnv struct {
	pool     *pgxpool.Pool
	client   *river.Client[pgx.Tx]
	delivery *Delivery
	events   <-chan *river.Event
	logs     *syncBuffer
	log      zerolog.Logger
	final    map[int64]*rivertype.JobRow
}

// newPool opens a pool on a fresh schema, migrated by Migrate, with a table
// standing for the queue items the messages report.
func newPool(t *testing.T, log zerolog.Logger) *pgxpool.Pool {
	t.Helper()
	_, pool := newPoolURL(t, log)
	return pool
}

// newPoolURL is newPool that also returns the connection string.
func newPoolURL(t *testing.T, log zerolog.Logger) (string, *pgxpool.Pool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	url := storetest.NewSchema(t)
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := Migrate(ctx, pool, log); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE item (key text PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	return url, pool
}

// newRiverEnv starts a client that works the Delivery's jobs on a fresh
// schema; mw wraps every attempt.
func newRiverEnv(t *testing.T, cfg Config, mw ...rivertype.WorkerMiddleware) *riverEnv {
	t.Helper()
	logs := &syncBuffer{}
	log := zerolog.New(zerolog.MultiLevelWriter(zerolog.NewTestWriter(t), logs)).Level(zerolog.DebugLevel)
	t.Cleanup(func() {
		checkLogsClean(t, logs.String())
	})
	return startRiver(t, newPool(t, log), log, logs, cfg, func(rc *river.Config) { rc.WorkerMiddleware = mw })
}

// startRiver starts a client on pool working the Delivery's jobs, with
// fast retries; tweak, when set, adjusts its configuration.
func startRiver(t *testing.T, pool *pgxpool.Pool, log zerolog.Logger, logs *syncBuffer, cfg Config, tweak func(*river.Config)) *riverEnv {
	t.Helper()
	workers := river.NewWorkers()
	cfg.Logger = log
	d, err := New(workers, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	queue, qc := d.QueueConfig(2)
	rc := &river.Config{
		Logger:            SlogLogger(log.With().Str("component", "river").Logger()),
		Queues:            map[string]river.QueueConfig{queue: qc},
		Workers:           workers,
		RetryPolicy:       fastRetry{},
		FetchPollInterval: 50 * time.Millisecond,
		FetchCooldown:     10 * time.Millisecond,
		TestOnly:          true,
	}
	if tweak != nil {
		tweak(rc)
	}
	client, err := river.NewClient(riverpgxv5.New(pool), rc)
	if err != nil {
		t.Fatalf("river.NewClient: %v", err)
	}
	events, cancelSub := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobCancelled, river.EventKindJobFailed)
	// Start's context is the client's lifetime: Stop ends it at cleanup.
	if err := client.Start(context.Background()); err != nil {
		t.Fatalf("start River: %v", err)
	}
	t.Cleanup(func() {
		cancelSub()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := client.Stop(ctx); err != nil {
			t.Errorf("stop River: %v", err)
		}
	})
	return &riverEnv{pool: pool, client: client, delivery: d, events: events, logs: logs, log: log, final: map[int64]*rivertype.JobRow{}}
}

// checkedLogger returns a debug logger to the test whose output is checked
// by checkLogsClean when the test ends.
func checkedLogger(t *testing.T) zerolog.Logger {
	logs := &syncBuffer{}
	t.Cleanup(func() { checkLogsClean(t, logs.String()) })
	return zerolog.New(zerolog.MultiLevelWriter(zerolog.NewTestWriter(t), logs)).Level(zerolog.DebugLevel)
}

// checkLogsClean asserts that logs carry no address, URL token or secret.
func checkLogsClean(t *testing.T, logs string) {
	t.Helper()
	for _, s := range []string{"@hopital.example", "token=", "s3cret", "intérimaire"} {
		if strings.Contains(logs, s) {
			t.Errorf("logs contain %q", s)
		}
	}
}

// enqueue writes an item and enqueues jobs in one transaction, as the pass
// will, and commits.
func (e *riverEnv) enqueue(t *testing.T, item string, jobs ...Job) []Enqueued {
	t.Helper()
	return enqueueWith(t, e.pool, e.client, e.delivery, item, true, jobs...)
}

func enqueueWith(t *testing.T, pool *pgxpool.Pool, client *river.Client[pgx.Tx], d *Delivery, item string, commit bool, jobs ...Job) []Enqueued {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `INSERT INTO item (key) VALUES ($1)`, item); err != nil {
		t.Fatal(err)
	}
	res, err := d.Enqueue(ctx, tx, client, jobs...)
	if err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	if commit {
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return res
}

// waitFinal waits for the job to be completed, cancelled or discarded and
// returns its row. Final rows of other jobs seen meanwhile are kept for
// their own wait.
func (e *riverEnv) waitFinal(t *testing.T, id int64) *rivertype.JobRow {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		if job, ok := e.final[id]; ok {
			return job
		}
		select {
		case ev, ok := <-e.events:
			if !ok {
				t.Fatalf("River client stopped before job %d finished", id)
			}
			switch ev.Job.State {
			case rivertype.JobStateCompleted, rivertype.JobStateCancelled, rivertype.JobStateDiscarded:
				e.final[ev.Job.ID] = ev.Job
			}
		case <-timeout:
			t.Fatalf("job %d not finished after 30 s", id)
		}
	}
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	log := zerolog.New(zerolog.NewTestWriter(t))
	pool := newPool(t, log)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	applied, err := Migrate(ctx, pool, log)
	if err != nil || len(applied) != 0 {
		t.Fatalf("second Migrate = %v, %v; want nothing applied", applied, err)
	}
	// River's tables are in the test's schema, the first of search_path.
	var n int
	err = pool.QueryRow(ctx, `SELECT count(*) FROM pg_tables
		WHERE schemaname = current_schema() AND tablename IN ('river_job', 'river_leader', 'river_queue', 'river_migration')`).Scan(&n)
	if err != nil || n != 4 {
		t.Fatalf("River tables in the current schema: %d, %v; want 4", n, err)
	}
}

func TestMigrateFromScratch(t *testing.T) {
	t.Parallel()
	pool, err := pgxpool.New(context.Background(), storetest.NewSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	applied, err := Migrate(ctx, pool, zerolog.New(zerolog.NewTestWriter(t)))
	if err != nil || len(applied) == 0 || applied[0] != 1 {
		t.Fatalf("Migrate on an empty schema = %v, %v; want versions from 1", applied, err)
	}
}

func hookJob(url, key string) Webhook {
	return Webhook{Key: key, URL: url + "/hooks?token=abc", Secret: "s3cret", Event: "queue.digest",
		Body: json.RawMessage(`{"structure":"750712184","items":3}`)}
}

func TestEnqueueOutbox(t *testing.T) {
	t.Parallel()
	log := zerolog.New(zerolog.NewTestWriter(t))
	pool := newPool(t, log)
	// An insert-only client: no workers, no queues, as the import uses.
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: SlogLogger(log)})
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(river.NewWorkers(), Config{Logger: log, MaxAttempts: 4})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	mail := digestMessage(t, "digest.750712184.2026-12-04")
	mail.From = "rppsync@hopital.example"
	hook := hookJob("https://rh.example", "digest.750712184.2026-12-04")

	first := enqueueWith(t, pool, client, d, "item-1", true, mail, hook, mail)
	if len(first) != 3 || first[0].Duplicate || first[1].Duplicate || !first[2].Duplicate ||
		first[0].JobID != first[2].JobID || first[0].JobID == first[1].JobID ||
		first[0].Kind != KindEmail || first[1].Kind != KindWebhook || first[0].Key != mail.Key {
		t.Fatalf("first Enqueue = %+v; want an e-mail job, a webhook job of the same key, the e-mail again as a duplicate", first)
	}
	again := enqueueWith(t, pool, client, d, "item-2", true, mail)
	if len(again) != 1 || !again[0].Duplicate || again[0].JobID != first[0].JobID {
		t.Fatalf("second Enqueue of the same key = %+v; want the first job, as a duplicate", again)
	}
	other := mail
	other.Key = "digest.750712184.2026-12-05"
	enqueueWith(t, pool, client, d, "item-3", false, other) // rolled back

	res, err := client.JobList(ctx, river.NewJobListParams().Kinds(KindEmail, KindWebhook).First(100))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Jobs) != 2 {
		t.Fatalf("%d jobs, want 2 (one per kind; none of the rolled-back transaction)", len(res.Jobs))
	}
	for _, j := range res.Jobs {
		if j.MaxAttempts != 4 || j.Queue != DefaultQueue || j.State != rivertype.JobStateAvailable {
			t.Errorf("job %d: max attempts %d, queue %q, state %s", j.ID, j.MaxAttempts, j.Queue, j.State)
		}
	}
	var items []string
	rows, _ := pool.Query(ctx, `SELECT key FROM item ORDER BY key`)
	items, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || strings.Join(items, ",") != "item-1,item-2" {
		t.Fatalf("items = %v, %v; want item-1,item-2", items, err)
	}

	// An invalid message refuses the whole call: nothing of it is inserted.
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	bad := mail
	bad.Key, bad.To = "digest.bad", nil
	fine := hookJob("https://rh.example", "digest.fine")
	if _, err := d.Enqueue(ctx, tx, client, fine, bad); !errors.Is(err, ErrInvalidMessage) {
		t.Fatalf("Enqueue with an invalid message: err = %v, want ErrInvalidMessage", err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	res, err = client.JobList(ctx, river.NewJobListParams().Kinds(KindEmail, KindWebhook).First(100))
	if err != nil || len(res.Jobs) != 2 {
		t.Fatalf("%d jobs after a refused Enqueue, %v; want still 2", len(res.Jobs), err)
	}

	// No From anywhere: refused at enqueue, not at send time.
	noFrom := mail
	noFrom.From = ""
	if _, err := d.Enqueue(ctx, nil, client, noFrom); !errors.Is(err, ErrInvalidMessage) {
		t.Errorf("Enqueue without From and without SMTP sender: err = %v, want ErrInvalidMessage", err)
	}
}

func TestEmailDeliveredThroughRiver(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	peer := newSMTPPeer(t, pki, plainWithSTARTTLS, tls.NoClientCert)
	env := newRiverEnv(t, Config{SMTP: newSMTPSender(t, SMTPConfig{Port: peer.port, CAFile: pki.caFile})})
	msg := digestMessage(t, "digest.750712184.2026-12-04")
	res := env.enqueue(t, "item-1", msg)
	job := env.waitFinal(t, res[0].JobID)
	if job.State != rivertype.JobStateCompleted || job.Attempt != 1 {
		t.Fatalf("job %s after %d attempts; want completed at the first", job.State, job.Attempt)
	}
	got := peer.mails()
	if len(got) != 1 {
		t.Fatalf("%d mails, want 1", len(got))
	}
	checkDigest(t, got[0], msg, job.CreatedAt)
	// The job holds the sender the configuration gave at enqueue time.
	var args EmailArgs
	if err := json.Unmarshal(job.EncodedArgs, &args); err != nil || args.From != "rppsync@hopital.example" || args.Key != msg.Key {
		t.Errorf("job args: key %q, from %q, %v; want the sender's From", args.Key, args.From, err)
	}
	if f, err := Failures(context.Background(), env.client); err != nil || len(f) != 0 {
		t.Errorf("Failures = %+v, %v; want none", f, err)
	}
}

func TestWebhookRetriedAfter503(t *testing.T) {
	t.Parallel()
	rec, srv := newHookServer(t, "s3cret", http.StatusServiceUnavailable, http.StatusOK)
	env := newRiverEnv(t, Config{Webhook: newWebhookSender(t, WebhookConfig{})})
	hook := hookJob(srv.URL, "digest.750712184.2026-12-04")
	res := env.enqueue(t, "item-1", hook)
	job := env.waitFinal(t, res[0].JobID)
	if job.State != rivertype.JobStateCompleted || job.Attempt != 2 {
		t.Fatalf("job %s after %d attempts; want completed at the second", job.State, job.Attempt)
	}
	if len(job.Errors) != 1 || job.Errors[0].Attempt != 1 || !strings.Contains(job.Errors[0].Error, CodeWebhookServerError) {
		t.Errorf("recorded errors = %+v; want the first attempt's %s", job.Errors, CodeWebhookServerError)
	}
	got := rec.requests()
	if len(got) != 2 {
		t.Fatalf("%d requests, want 2", len(got))
	}
	for i, r := range got {
		if r.SigErr != nil {
			t.Errorf("request %d: signature: %v", i+1, r.SigErr)
		}
		if k := r.Header.Get(HeaderIdempotencyKey); k != hook.Key {
			t.Errorf("request %d: Idempotency-Key %q, want %q", i+1, k, hook.Key)
		}
		if !bytes.Equal(r.Body, hook.Body) {
			t.Errorf("request %d: body %s", i+1, r.Body)
		}
	}
}

func TestWebhook400NotRetried(t *testing.T) {
	t.Parallel()
	rec, srv := newHookServer(t, "s3cret", http.StatusBadRequest, http.StatusOK)
	env := newRiverEnv(t, Config{Webhook: newWebhookSender(t, WebhookConfig{})})
	res := env.enqueue(t, "item-1", hookJob(srv.URL, "digest.750712184.2026-12-04"))
	job := env.waitFinal(t, res[0].JobID)
	if job.State != rivertype.JobStateCancelled || job.Attempt != 1 {
		t.Fatalf("job %s after %d attempts; want cancelled after the first", job.State, job.Attempt)
	}
	if n := len(rec.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
	f, err := Failures(context.Background(), env.client)
	if err != nil {
		t.Fatal(err)
	}
	if len(f) != 1 || f[0].JobID != job.ID || f[0].State != rivertype.JobStateCancelled || f[0].Key != "digest.750712184.2026-12-04" ||
		f[0].Kind != KindWebhook || len(f[0].Errors) != 1 || !strings.Contains(f[0].Errors[0].Error, CodeWebhookRejected) {
		t.Fatalf("Failures = %+v; want the cancelled webhook with its %s", f, CodeWebhookRejected)
	}
}

func TestGivenUpAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	rec, srv := newHookServer(t, "s3cret", http.StatusBadGateway)
	// No SMTP sender: e-mail jobs fail (temporarily) on every attempt too.
	env := newRiverEnv(t, Config{Webhook: newWebhookSender(t, WebhookConfig{}), MaxAttempts: 3})
	mail := digestMessage(t, "digest.750712184.2026-12-04")
	mail.From = "rppsync@hopital.example"
	res := env.enqueue(t, "item-1", hookJob(srv.URL, "digest.750712184.2026-12-04"), mail)
	for _, r := range res {
		job := env.waitFinal(t, r.JobID)
		if job.State != rivertype.JobStateDiscarded || job.Attempt != 3 || len(job.Errors) != 3 {
			t.Fatalf("%s job %s after %d attempts, %d errors; want discarded after 3", job.Kind, job.State, job.Attempt, len(job.Errors))
		}
	}
	if n := len(rec.requests()); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
	f, err := Failures(context.Background(), env.client)
	if err != nil {
		t.Fatal(err)
	}
	if len(f) != 2 {
		t.Fatalf("Failures = %+v; want the two jobs", f)
	}
	want := map[string]string{KindWebhook: CodeWebhookServerError, KindEmail: CodeSMTPNotConfigured}
	for _, x := range f {
		if x.State != rivertype.JobStateDiscarded || x.Attempt != 3 || x.MaxAttempts != 3 || x.FinalizedAt == nil ||
			len(x.Errors) != 3 || !strings.Contains(x.Errors[2].Error, want[x.Kind]) {
			t.Errorf("failure %+v; want discarded after 3 attempts with %s", x, want[x.Kind])
		}
	}
	if !strings.Contains(env.logs.String(), "notification given up") {
		t.Error("no log of the job given up")
	}
}

// crashOnce fails the first attempt of every job after the worker has
// returned: the message has left, but River does not record the success,
// as when the process dies between the send and the commit.
type crashOnce struct {
	river.WorkerMiddlewareDefaults
	mu      sync.Mutex
	crashed map[int64]bool
}

func (c *crashOnce) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	if err := doInner(ctx); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.crashed[job.ID] {
		return nil
	}
	c.crashed[job.ID] = true
	// Let the clock pass to the next second, so that a resend dated "now"
	// would differ from the first send (Date has a one-second resolution).
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second + 10*time.Millisecond)))
	return errors.New("arrêt simulé entre l'envoi et l'enregistrement")
}

func TestCrashBetweenSendAndCommit(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	peer := newSMTPPeer(t, pki, implicitTLS, tls.RequireAndVerifyClientCert)
	rec, srv := newHookServer(t, "s3cret", http.StatusOK)
	env := newRiverEnv(t, Config{
		SMTP: newSMTPSender(t, SMTPConfig{Port: peer.port, TLS: TLSImplicit, CAFile: pki.caFile,
			CertFile: pki.clientCertFile, KeyFile: pki.clientKeyFile}),
		Webhook: newWebhookSender(t, WebhookConfig{}),
	}, &crashOnce{crashed: map[int64]bool{}})
	msg := digestMessage(t, "digest.750712184.2026-12-04")
	hook := hookJob(srv.URL, "digest.750712184.2026-12-04")
	res := env.enqueue(t, "item-1", msg, hook)
	var mailJob *rivertype.JobRow
	for _, r := range res {
		job := env.waitFinal(t, r.JobID)
		if job.State != rivertype.JobStateCompleted || job.Attempt != 2 {
			t.Fatalf("%s job %s after %d attempts; want completed at the second", job.Kind, job.State, job.Attempt)
		}
		if job.Kind == KindEmail {
			mailJob = job
		}
	}

	// The same e-mail arrived twice: same Message-ID, Date and content, so
	// that the receiver can drop the second.
	mails := peer.mails()
	if len(mails) != 2 {
		t.Fatalf("%d mails, want 2 (one per attempt)", len(mails))
	}
	for _, m := range mails {
		checkDigest(t, m, msg, mailJob.CreatedAt)
	}
	a, b := parseMail(t, mails[0].Data), parseMail(t, mails[1].Data)
	if a.MessageID != b.MessageID || a.Date != b.Date {
		t.Errorf("resent mail differs: %s %s / %s %s", a.MessageID, a.Date, b.MessageID, b.Date)
	}

	// The same webhook arrived twice, with the same key and body.
	hooks := rec.requests()
	if len(hooks) != 2 {
		t.Fatalf("%d webhook requests, want 2", len(hooks))
	}
	if hooks[0].Header.Get(HeaderIdempotencyKey) != hooks[1].Header.Get(HeaderIdempotencyKey) ||
		hooks[0].Header.Get(HeaderIdempotencyKey) != hook.Key || !bytes.Equal(hooks[0].Body, hooks[1].Body) {
		t.Errorf("resent webhook differs: %v / %v", hooks[0].Header, hooks[1].Header)
	}
	for _, h := range hooks {
		if h.SigErr != nil {
			t.Errorf("signature: %v", h.SigErr)
		}
	}
}

// TestRedactedErrorsRecorded checks that what River stores of a failure
// (the error text on the job row) names no address.
func TestRedactedErrorsRecorded(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	peer := newSMTPPeer(t, pki, plainWithSTARTTLS, tls.NoClientCert)
	peer.rcpt = func(to string) error {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "<" + to + ">: boîte inconnue"}
	}
	env := newRiverEnv(t, Config{SMTP: newSMTPSender(t, SMTPConfig{Port: peer.port, CAFile: pki.caFile})})
	res := env.enqueue(t, "item-1", digestMessage(t, "digest.750712184.2026-12-04"))
	job := env.waitFinal(t, res[0].JobID)
	if job.State != rivertype.JobStateCancelled || len(job.Errors) != 1 {
		t.Fatalf("job %s with %d errors; want cancelled after one", job.State, len(job.Errors))
	}
	if e := job.Errors[0].Error; strings.Contains(e, "@") || !strings.Contains(e, CodeSMTPRejected) {
		t.Errorf("recorded error %q; want %s without addresses", e, CodeSMTPRejected)
	}
	var raw string
	if err := env.pool.QueryRow(context.Background(), `SELECT errors::text FROM river_job WHERE id = $1`, job.ID).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(raw, "hopital.example") {
		t.Errorf("river_job.errors holds an address: %s", raw)
	}
}
