package notify_test

import (
	"context"
	"encoding/json"
	"os"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/rppsync/rppsync/notify"
	"github.com/rs/zerolog"
)

// Example shows the wiring `rppsync migrate`, `rppsync notify` and the pass
// need: River's migrations, the senders, the workers on a River client, the
// messages enqueued in the transaction of the items they report, and the
// failures for the report. (Compiled, not run: it needs a mail server.)
func Example() {
	ctx := context.Background()
	log := zerolog.New(os.Stderr)
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		panic(err)
	}
	defer pool.Close()

	// rppsync migrate: after the store's migrations.
	if _, err := notify.Migrate(ctx, pool, log); err != nil {
		panic(err)
	}

	smtpSender, err := notify.NewSMTPSender(notify.SMTPConfig{
		Host: "smtp.mssante.example", TLS: notify.TLSImplicit,
		CertFile: "/etc/rppsync/client.pem", KeyFile: "/etc/rppsync/client-key.pem",
		From: "rppsync@hopital.example", Logger: log,
	})
	if err != nil {
		panic(err)
	}
	hookSender, err := notify.NewWebhookSender(notify.WebhookConfig{Logger: log})
	if err != nil {
		panic(err)
	}
	workers := river.NewWorkers()
	delivery, err := notify.New(workers, notify.Config{SMTP: smtpSender, Webhook: hookSender, MaxAttempts: 8, Logger: log})
	if err != nil {
		panic(err)
	}
	queue, queueConfig := delivery.QueueConfig(4)
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Logger:  notify.SlogLogger(log),
		Queues:  map[string]river.QueueConfig{queue: queueConfig},
		Workers: workers,
	})
	if err != nil {
		panic(err)
	}
	if err := client.Start(ctx); err != nil {
		panic(err)
	}
	defer client.Stop(ctx)

	// The pass: the items and the messages that report them commit together.
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// ... write the structure's queue items in tx ...
		_, err := delivery.Enqueue(ctx, tx, client,
			notify.Message{
				Key:     "digest.750712184.2026-12-04",
				To:      []string{"rh@hopital.example"},
				Subject: "Dossiers à valider",
				Text:    "Bonjour,\n\n3 intérimaires attendent votre validation.",
			},
			notify.Webhook{
				Key: "digest.750712184.2026-12-04", URL: "https://rh.hopital.example/hooks/rppsync",
				Secret: os.Getenv("WEBHOOK_SECRET"), Event: "queue.digest",
				Body: json.RawMessage(`{"finess":"750712184","items":3}`),
			})
		return err
	})
	if err != nil {
		panic(err)
	}

	// The report: what was given up, refused, or is still being retried.
	failures, err := notify.Failures(ctx, client)
	if err != nil {
		panic(err)
	}
	for _, f := range failures {
		log.Warn().Int64("job_id", f.JobID).Str("kind", f.Kind).Str("key", f.Key).Str("state", string(f.State)).Msg("notification not delivered")
	}
}
