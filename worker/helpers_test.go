package worker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/rs/zerolog"

	"github.com/rppsync/rppsync/inbox"
	"github.com/rppsync/rppsync/notify"
	"github.com/rppsync/rppsync/pipeline"
	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/store/storetest"
	"github.com/rppsync/rppsync/worker"
)

// The project's sample files (synthetic people, see their READMEs).
const (
	fixtureAlpha    = "../fixtures/agencies/interim-alpha.xlsx"
	fixtureBeta     = "../fixtures/agencies/interim-beta.csv"
	fixtureGamma    = "../fixtures/agencies/interim-gamma.csv"
	fixtureActivity = "../fixtures/directory/PS_LibreAcces_Personne_activite_202611200800.txt"
	fixtureCards    = "../fixtures/directory/Porteurs_CPS_CPF_202611200800.txt"
)

// syncBuffer is a bytes.Buffer safe for concurrent writes.
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

// testLogger logs to the test and checks, at its end, that the logs hold
// no name, birth data or contact of the fixtures.
func testLogger(t *testing.T) zerolog.Logger {
	logs := &syncBuffer{}
	t.Cleanup(func() {
		s := logs.String()
		for _, bad := range []string{"MARTIN", "Martin", "DUPONT", "Dupont", "Claire", "DUBOIS", "Dubois", "@", "12/04/1990", "St Etienne", "Ajaccio"} {
			if strings.Contains(s, bad) {
				i := strings.Index(s, bad)
				t.Errorf("logs contain %q: …%s…", bad, s[max(0, i-200):min(len(s), i+100)])
			}
		}
	})
	return zerolog.New(zerolog.MultiLevelWriter(zerolog.NewTestWriter(t), logs)).Level(zerolog.DebugLevel)
}

// fakeClock is the inbox's clock, moved by the test.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// env is a database (the store's and River's tables in a schema of the
// test's own) with the first directory extract and its cards loaded, and an
// inbox folder.
type env struct {
	url   string
	db    *store.DB
	pipe  *pipeline.Pipeline
	root  string
	clock *fakeClock
	log   zerolog.Logger
	hooks *hookServer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	log := testLogger(t)
	url := storetest.NewSchema(t)
	db := storetest.Open(t, url)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := notify.Migrate(ctx, db.Pool(), log); err != nil {
		t.Fatal(err)
	}
	pipe, err := pipeline.New(pipeline.Config{Logger: &log})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []string{fixtureActivity, fixtureCards} {
		if _, err := pipe.LoadExtract(ctx, db, x, pipeline.LoadOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return &env{url: url, db: db, pipe: pipe, root: t.TempDir(), log: log,
		clock: &fakeClock{now: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}, hooks: newHookServer(t)}
}

// newInbox returns an Inbox on the env's folder: each replica has its own.
func (e *env) newInbox(t *testing.T) *inbox.Inbox {
	t.Helper()
	in, err := inbox.New(inbox.Config{Root: e.root, StableFor: time.Minute, Clock: e.clock, Logger: e.log})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// newWorker returns a Worker on the env, with its own inbox and a notifier
// posting one webhook per imported file; tweak adjusts its Config.
func (e *env) newWorker(t *testing.T, replica string, tweak func(*worker.Config)) *worker.Worker {
	t.Helper()
	cfg := e.workerConfig(t, replica, e.newInbox(t))
	if tweak != nil {
		tweak(&cfg)
	}
	w, err := worker.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (e *env) workerConfig(t testing.TB, replica string, in *inbox.Inbox) worker.Config {
	return e.workerConfigURL(t, replica, in, e.hooks.srv.URL)
}

// workerConfigURL is workerConfig with the webhooks posted to hookURL.
func (e *env) workerConfigURL(t testing.TB, replica string, in *inbox.Inbox, hookURL string) worker.Config {
	n := newFileNotifier(t, e.db, hookURL, e.log)
	return worker.Config{
		Pipeline:     e.pipe,
		DB:           e.db,
		Inbox:        in,
		InboxRoot:    e.root,
		Notifier:     n,
		AddWorkers:   n.addWorkers,
		Queues:       map[string]river.QueueConfig{notify.DefaultQueue: {MaxWorkers: 2}},
		PollInterval: 50 * time.Millisecond,
		Grace:        2 * time.Second,
		HTTPAddr:     "127.0.0.1:0",
		Replica:      replica,
		Logger:       e.log,
	}
}

// drop copies src into the inbox as rel.
func (e *env) drop(t *testing.T, src, rel string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dropBytes(t, e.root, rel, b)
}

func dropBytes(t testing.TB, root, rel string, b []byte) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o640); err != nil {
		t.Fatal(err)
	}
}

// inboxFiles lists the regular files left at the top of the inbox and in
// its agency folders (not done/, rejected/, processing/).
func inboxFiles(t testing.TB, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() && (rel == inbox.DoneDir || rel == inbox.RejectedDir || rel == inbox.ProcessingDir) {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// movedFiles lists the files under done/ or rejected/ (dir), relative to it.
func movedFiles(t testing.TB, root, dir string) []string {
	t.Helper()
	var out []string
	base := filepath.Join(root, dir)
	err := filepath.WalkDir(base, func(p string, d os.DirEntry, err error) error {
		if os.IsNotExist(err) {
			return filepath.SkipDir
		}
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(base, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// countImported counts the files recorded in the database.
func countImported(t testing.TB, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.Pool().QueryRow(context.Background(), `SELECT count(*) FROM import_file`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// hookServer is a loopback webhook receiver counting deliveries per key.
type hookServer struct {
	srv  *httptest.Server
	mu   sync.Mutex
	keys map[string]int
}

func newHookServer(t testing.TB) *hookServer {
	h := &hookServer{keys: map[string]int{}}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		h.mu.Lock()
		h.keys[r.Header.Get("Idempotency-Key")]++
		h.mu.Unlock()
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookServer) received() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]int, len(h.keys))
	for k, n := range h.keys {
		out[k] = n
	}
	return out
}

// fileNotifier is a Notifier as the lead's will be in spirit: one webhook
// per file a pass imported, keyed by the file's SHA-256, enqueued in the
// pass's transaction through notify.
type fileNotifier struct {
	url      string
	db       *store.DB
	log      zerolog.Logger
	inserter *river.Client[pgx.Tx]
	mu       sync.Mutex
	delivery *notify.Delivery
}

func newFileNotifier(t testing.TB, db *store.DB, url string, log zerolog.Logger) *fileNotifier {
	inserter, err := river.NewClient(riverpgxv5.New(db.Pool()), &river.Config{Logger: notify.SlogLogger(log)})
	if err != nil {
		t.Fatal(err)
	}
	n := &fileNotifier{url: url, db: db, log: log, inserter: inserter}
	d, err := notify.New(river.NewWorkers(), notify.Config{Logger: log}) // enqueue side
	if err != nil {
		t.Fatal(err)
	}
	n.delivery = d
	return n
}

// addWorkers registers the notify workers on a client's registry.
func (n *fileNotifier) addWorkers(ws *river.Workers) error {
	sender, err := notify.NewWebhookSender(notify.WebhookConfig{Logger: n.log})
	if err != nil {
		return err
	}
	_, err = notify.New(ws, notify.Config{Webhook: sender, Logger: n.log})
	return err
}

// Notify enqueues one webhook per file the pass imported.
func (n *fileNotifier) Notify(ctx context.Context, tx *store.Tx, pass worker.PassSummary) (int, error) {
	var jobs []notify.Job
	for _, f := range pass.Files {
		if f.Outcome != worker.FileDone || f.SHA256 == "" {
			continue
		}
		body, _ := json.Marshal(map[string]any{"file_id": f.FileID, "rows": f.Rows})
		jobs = append(jobs, notify.Webhook{Key: "imported." + f.SHA256, URL: n.url, Secret: "test-secret", Event: "file.imported", Body: body})
	}
	res, err := n.delivery.Enqueue(ctx, tx.Pgx(), n.inserter, jobs...)
	if err != nil {
		return 0, fmt.Errorf("notify: %w", err)
	}
	new := 0
	for _, r := range res {
		if !r.Duplicate {
			new++
		}
	}
	return new, nil
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %s", what, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
