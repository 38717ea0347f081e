package worker_test

import (
	"context"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/rppsync/rppsync/inbox"
	"github.com/rppsync/rppsync/pipeline"
	"github.com/rppsync/rppsync/scheduler"
	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/worker"
)

// Example wires a Worker as `rppsync serve` does: the pass at 02:00 Paris
// time on the elected replica, the inbox watched, a graceful stop on
// SIGTERM. (It needs a database and an inbox folder, so it is not run.)
func Example() {
	logger := zerolog.New(os.Stderr)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	db, err := store.Open(ctx, store.Config{URL: os.Getenv("DATABASE_URL"), Logger: logger})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	pipe, err := pipeline.New(pipeline.Config{Logger: &logger})
	if err != nil {
		log.Fatal(err)
	}
	in, err := inbox.New(inbox.Config{Root: "/srv/rppsync/inbox", Logger: logger})
	if err != nil {
		log.Fatal(err)
	}
	sched, err := scheduler.ParseCron("0 2 * * *", "Europe/Paris")
	if err != nil {
		log.Fatal(err)
	}
	w, err := worker.New(worker.Config{
		Pipeline: pipe, DB: db, Inbox: in, InboxRoot: "/srv/rppsync/inbox",
		Schedule: sched, Grace: time.Minute, Logger: logger,
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := w.Serve(ctx); err != nil {
		log.Fatal(err)
	}
}
