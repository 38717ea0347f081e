package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/rs/zerolog"

	"github.com/rppsync/rppsync/directory/fetch"
	"github.com/rppsync/rppsync/inbox"
	"github.com/rppsync/rppsync/notify"
	"github.com/rppsync/rppsync/pipeline"
	"github.com/rppsync/rppsync/scheduler"
	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/worker"
)

// workerSettings are the settings run and serve take.
var workerSettings = []string{"database-url", "inbox", "inbox-stable", "fetch-dir", "retention",
	"fetch-url-activity", "fetch-url-cards",
	"smtp-host", "smtp-port", "smtp-tls", "smtp-from", "smtp-user", "smtp-client-cert", "smtp-client-key", "smtp-ca"}

// passNotifier is the worker.Notifier of run and serve: the digests of
// the configured structures and agencies, written in the pass's
// transaction and enqueued through the outbox.
type passNotifier struct {
	m   *Main
	p   *pipeline.Pipeline
	db  *store.DB
	out pipeline.Outbox
}

func (n passNotifier) Notify(ctx context.Context, tx *store.Tx, _ worker.PassSummary) (int, error) {
	conf, err := n.db.StructureConfig(ctx)
	if errors.Is(err, store.ErrStructuresNotLoaded) {
		n.m.log.Warn().Msg("no structures configured: no digest written (rppsync structures load FILE)")
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	recipients, problems := pipeline.Recipients(conf, os.LookupEnv)
	for _, e := range problems {
		n.m.log.Warn().Err(e).Msg("webhook secret unavailable: the structure gets its e-mails only")
	}
	res, err := n.p.NotifyIn(ctx, tx, n.out, recipients)
	if err != nil {
		return 0, err
	}
	return res.Messages, nil
}

// newWorker wires a worker.Worker from the settings of run and serve.
func (m *Main) newWorker(ctx context.Context, cfg *config, db *store.DB, extra func(*worker.Config) error) (*worker.Worker, error) {
	p, err := m.newPipeline(cfg, nil, db)
	if err != nil {
		return nil, err
	}
	dl, err := m.newDelivery(cfg, db)
	if err != nil {
		return nil, err
	}
	outbox, err := river.NewClient(riverpgxv5.New(db.Pool()), &river.Config{Logger: notify.SlogLogger(m.log.Level(max(m.log.GetLevel(), zerolog.WarnLevel)))})
	if err != nil {
		return nil, err
	}
	wc := worker.Config{
		Pipeline: p, DB: db, Logger: m.log,
		Notifier: passNotifier{m: m, p: p, db: db, out: pipeline.RiverOutbox{Delivery: dl.d, Client: outbox}},
		AddWorkers: func(ws *river.Workers) error {
			_, err := notify.New(ws, notify.Config{SMTP: dl.smtp, Webhook: dl.hook, Logger: m.log})
			return err
		},
	}
	q, qc := dl.d.QueueConfig(4)
	wc.Queues = map[string]river.QueueConfig{q: qc}
	if v := cfg.get("retention"); v != "" {
		if wc.Retention, err = parseRetention(v); err != nil {
			return nil, usagef("%v", err)
		}
	}
	if root := cfg.get("inbox"); root != "" {
		ic := inbox.Config{Root: root, Logger: m.log}
		if v := cfg.get("inbox-stable"); v != "" {
			if ic.StableFor, err = time.ParseDuration(v); err != nil || ic.StableFor <= 0 {
				return nil, usagef("--inbox-stable %q : donnez une durée, par exemple 30s", v)
			}
		}
		in, err := inbox.New(ic)
		if err != nil {
			return nil, usagef("--inbox %s : %v", root, err)
		}
		wc.Inbox, wc.InboxRoot = in, root
		// run looks at a file it sees for the first time once more, after
		// it had time to prove complete (serve's watch does it anyway).
		wc.Settle = cmp.Or(ic.StableFor, inbox.DefaultStableFor) + 100*time.Millisecond
	}
	if dir := cfg.get("fetch-dir"); dir != "" {
		f, err := m.newFetcher(cfg, dir)
		if err != nil {
			return nil, err
		}
		wc.Fetcher = f
	}
	if extra != nil {
		if err := extra(&wc); err != nil {
			return nil, err
		}
	}
	return worker.New(wc)
}

func (m *Main) runRun(ctx context.Context, args []string) error {
	var cfg config
	fs := m.flags("run", "run [--inbox DIR] [--fetch-dir DIR]\n\nOne pass, what the schedule runs: refresh the directory when a newer extract is there (--fetch-dir),\nimport the files of the inbox (--inbox; each file once, moved to done/ or rejected/ with its report),\nreconcile, write and deliver the digests, purge expired personal data; the pass is recorded.", &cfg,
		workerSettings...)
	if err := m.parse(fs, &cfg, args); err != nil {
		return err
	}
	db, err := m.openDB(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	w, err := m.newWorker(ctx, &cfg, db, nil)
	if err != nil {
		return err
	}
	sum, err := w.RunPass(ctx)
	if sum != nil {
		if werr := sum.WriteText(m.Stdout); werr != nil && err == nil {
			err = werr
		}
		m.log.Info().Str("pass_id", sum.PassID).Str("outcome", string(sum.Outcome)).Int("files", len(sum.Files)).
			Int("messages", sum.Messages).Msg("pass finished")
	}
	if err != nil {
		return err
	}
	if sum != nil && sum.Outcome != store.RunOK {
		return errFilesUnreadable // a partial pass: what failed is in the summary
	}
	return nil
}

func (m *Main) runServe(ctx context.Context, args []string) error {
	var cfg config
	fs := m.flags("serve", "serve [--inbox DIR] [--schedule CRON] [--timezone TZ] [--http ADDR]\n\nThe scheduled worker: the pass of `run` on a cron schedule (one replica runs each pass),\nthe inbox watched during the day, /healthz and /metrics; stops on SIGINT/SIGTERM within --grace.", &cfg,
		append(workerSettings, "schedule", "timezone", "grace", "http", "inbox-every", "replica")...)
	if err := m.parse(fs, &cfg, args); err != nil {
		return err
	}
	sched, err := scheduler.ParseCron(cfg.get("schedule"), cfg.get("timezone"))
	if err != nil {
		return usagef("%v", err)
	}
	durations := map[string]*time.Duration{}
	var grace, every time.Duration
	durations["grace"], durations["inbox-every"] = &grace, &every
	for name, to := range durations {
		if v := cfg.get(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return usagef("--%s %q : donnez une durée, par exemple 30s", name, v)
			}
			*to = d
		}
	}
	db, err := m.openDB(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	w, err := m.newWorker(ctx, &cfg, db, func(wc *worker.Config) error {
		wc.Schedule, wc.Grace, wc.WatchEvery = sched, grace, every
		wc.HTTPAddr, wc.Replica = cfg.get("http"), cfg.get("replica")
		return nil
	})
	if err != nil {
		return err
	}
	m.log.Info().Str("schedule", cfg.get("schedule")).Str("timezone", cfg.get("timezone")).Msg("serving")
	if err := w.Serve(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

func (m *Main) directoryFetch(ctx context.Context, args []string) error {
	var cfg config
	fs := m.flags("directory fetch", "directory fetch --fetch-dir DIR [--load]\n\nDownloads the daily extracts (PS_LibreAcces, Porteurs_CPS_CPF) from their official addresses\nwhen they changed (conditional requests), checks them, and with --load loads the new ones.", &cfg,
		"database-url", "fetch-dir", "fetch-url-activity", "fetch-url-cards")
	load := fs.Bool("load", false, "Load the extracts that were downloaded, then reconcile the queue.")
	if err := m.parse(fs, &cfg, args); err != nil {
		return err
	}
	dir := cfg.get("fetch-dir")
	if dir == "" {
		return usagef("indiquez le dossier des téléchargements avec --fetch-dir (ou RPPSYNC_FETCH_DIR)")
	}
	f, err := m.newFetcher(&cfg, dir)
	if err != nil {
		return err
	}
	var fetched []string
	for _, k := range fetch.Kinds {
		res, err := f.Fetch(ctx, k)
		if err != nil {
			return err
		}
		if res.NotModified {
			fmt.Fprintf(m.Stdout, "%s : inchangée depuis le dernier téléchargement.\n", k)
			continue
		}
		fmt.Fprintf(m.Stdout, "%s : téléchargée et vérifiée (%s, %s lignes) : %s\n", k, res.Member, strconv.FormatInt(res.Lines, 10), res.Path)
		fetched = append(fetched, res.Path)
	}
	if !*load || len(fetched) == 0 {
		return nil
	}
	p, db, err := m.openPipeline(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, path := range fetched {
		if err := m.loadExtract(ctx, p, db, path, false); err != nil {
			return err
		}
	}
	return m.reconcile(ctx, p, db)
}

// newFetcher builds the extracts' downloader into dir, with the official
// addresses unless --fetch-url-* name others.
func (m *Main) newFetcher(cfg *config, dir string) (*fetch.Fetcher, error) {
	urls := map[fetch.Kind]string{}
	for k, name := range map[fetch.Kind]string{fetch.Activity: "fetch-url-activity", fetch.Cards: "fetch-url-cards"} {
		urls[k] = fetch.DefaultURLs[k]
		if u := cfg.get(name); u != "" {
			urls[k] = u
		}
	}
	f, err := fetch.New(fetch.Config{Dir: dir, URLs: urls, Logger: m.log})
	if err != nil {
		return nil, usagef("--fetch-dir %s : %v", dir, err)
	}
	return f, nil
}
