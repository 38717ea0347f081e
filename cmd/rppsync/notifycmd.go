package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/rppsync/rppsync/notify"
	"github.com/rppsync/rppsync/pipeline"
	"github.com/rppsync/rppsync/store"
)

// delivery is notify's Delivery with the River client that inserts and
// works its jobs, as a command builds them from its configuration.
type delivery struct {
	d      *notify.Delivery
	client *river.Client[pgx.Tx]
	queue  string
	smtp   *notify.SMTPSender
	hook   *notify.WebhookSender
}

// newDelivery builds the senders from the smtp-* settings (no e-mail
// sender when smtp-host is empty: e-mail jobs then wait for a process that
// has one) and a River client working the notification queue.
func (m *Main) newDelivery(cfg *config, db *store.DB) (*delivery, error) {
	var smtpSender *notify.SMTPSender
	if host := cfg.get("smtp-host"); host != "" {
		port := 0
		if p := cfg.get("smtp-port"); p != "" {
			v, err := strconv.Atoi(p)
			if err != nil {
				return nil, usagef("--smtp-port %q : donnez un numéro de port", p)
			}
			port = v
		}
		s, err := notify.NewSMTPSender(notify.SMTPConfig{Host: host, Port: port, TLS: cfg.get("smtp-tls"),
			CertFile: cfg.get("smtp-client-cert"), KeyFile: cfg.get("smtp-client-key"), CAFile: cfg.get("smtp-ca"),
			Username: cfg.get("smtp-user"), Password: m.Getenv("RPPSYNC_SMTP_PASSWORD"), From: cfg.get("smtp-from"),
			Logger: m.log})
		if err != nil {
			return nil, usagef("%v", err)
		}
		smtpSender = s
	}
	hook, err := notify.NewWebhookSender(notify.WebhookConfig{Logger: m.log})
	if err != nil {
		return nil, err
	}
	workers := river.NewWorkers()
	d, err := notify.New(workers, notify.Config{SMTP: smtpSender, Webhook: hook, Logger: m.log})
	if err != nil {
		return nil, err
	}
	q, qc := d.QueueConfig(4)
	client, err := river.NewClient(riverpgxv5.New(db.Pool()), &river.Config{
		Logger:            notify.SlogLogger(m.log.With().Str("component", "river").Logger()),
		Queues:            map[string]river.QueueConfig{q: qc},
		Workers:           workers,
		FetchPollInterval: 200 * time.Millisecond,
	})
	if err != nil {
		return nil, err
	}
	return &delivery{d: d, client: client, queue: q, smtp: smtpSender, hook: hook}, nil
}

// deliverDue works the notification queue until nothing is available or
// running (retries scheduled later wait for the next run), or for at most
// limit.
func (dl *delivery) deliverDue(ctx context.Context, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	if err := dl.client.Start(ctx); err != nil {
		return err
	}
	defer func() {
		sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer scancel()
		_ = dl.client.Stop(sctx)
	}()
	idle := 0
	for idle < 2 {
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil // what is left is delivered by the next run
			}
			return ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
		res, err := dl.client.JobList(ctx, river.NewJobListParams().Queues(dl.queue).
			States(rivertype.JobStateAvailable, rivertype.JobStateRunning).First(1))
		if err != nil {
			return err
		}
		if len(res.Jobs) == 0 {
			idle++
		} else {
			idle = 0
		}
	}
	return nil
}

func (m *Main) runNotify(ctx context.Context, args []string) error {
	var cfg config
	fs := m.flags("notify", "notify\n\nWrites the digest of each configured structure and the fix list of each agency whose items changed\nsince the last one, hands them to delivery in the same transaction, then delivers what is due\n(e-mail over SMTP, signed webhooks), retrying what fails with River's backoff.", &cfg,
		"database-url", "smtp-host", "smtp-port", "smtp-tls", "smtp-from", "smtp-user", "smtp-client-cert", "smtp-client-key", "smtp-ca", "deliver-for")
	if err := m.parse(fs, &cfg, args); err != nil {
		return err
	}
	wait := 2 * time.Minute
	if v := cfg.get("deliver-for"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return usagef("--deliver-for %q : donnez une durée, par exemple 2m", v)
		}
		wait = d
	}
	p, db, err := m.openPipeline(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	dl, err := m.newDelivery(&cfg, db)
	if err != nil {
		return err
	}
	conf, err := db.StructureConfig(ctx)
	if errors.Is(err, store.ErrStructuresNotLoaded) {
		fmt.Fprintln(m.Stdout, "Aucune structure configurée : aucune synthèse à écrire (rppsync structures load FICHIER).")
	} else if err != nil {
		return err
	} else {
		recipients, problems := pipeline.Recipients(conf, os.LookupEnv)
		for _, e := range problems {
			fmt.Fprintf(m.Stderr, "rppsync notify : %v (la structure reçoit ses e-mails, pas son webhook)\n", e)
		}
		res, err := p.Notify(ctx, db, pipeline.RiverOutbox{Delivery: dl.d, Client: dl.client}, recipients)
		if err != nil {
			return err
		}
		for _, d := range res.Digests {
			what := "synthèse pour la structure FINESS"
			if d.Audience == "agency" {
				what = "liste de corrections pour l'agence"
			}
			fmt.Fprintf(m.Stdout, "%s %s : %d demande(s) en cours, %d nouvelle(s) ou modifiée(s), %d message(s) à envoyer (clé %s).\n",
				what, d.Recipient, d.Items, d.Changed, d.Messages, d.Key)
		}
		fmt.Fprintf(m.Stdout, "%d synthèse(s) écrite(s), %d destinataire(s) sans nouveauté.\n", len(res.Digests), res.Silent)
		if err := m.printUnconfigured(ctx, db); err != nil {
			return err
		}
	}
	if err := dl.deliverDue(ctx, wait); err != nil {
		return err
	}
	failures, err := notify.Failures(ctx, dl.client)
	if err != nil {
		return err
	}
	for _, f := range failures {
		last := ""
		if n := len(f.Errors); n > 0 {
			last = f.Errors[n-1].Error
		}
		fmt.Fprintf(m.Stdout, "  non remis : %s (clé %s, %s, tentative %d/%d) : %s\n", f.Kind, f.Key, f.State, f.Attempt, f.MaxAttempts, last)
	}
	return nil
}
