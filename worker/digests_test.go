package worker_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/worker"
)

// countingNotifier counts the calls of the periodic look for due digests.
type countingNotifier struct {
	worker.Notifier
	digests atomic.Int32
}

func (c *countingNotifier) Notify(ctx context.Context, tx *store.Tx, pass worker.PassSummary) (int, error) {
	if pass.Trigger == "digests" {
		c.digests.Add(1)
	}
	return c.Notifier.Notify(ctx, tx, pass)
}

// TestServeLooksForDueDigests: between passes, Serve's leader calls the
// Notifier every DigestEvery, so that a structure gets its digest at its
// hour, not only at the nightly pass.
func TestServeLooksForDueDigests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var counting *countingNotifier
	w := e.newWorker(t, "digests", func(c *worker.Config) {
		counting = &countingNotifier{Notifier: c.Notifier}
		c.Notifier = counting
		c.DigestEvery = 200 * time.Millisecond
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- w.Serve(ctx) }()
	// One look is enough: the looks are unique per minute (two leaders
	// during a failover make one), so a second one waits for the next
	// minute.
	waitFor(t, 45*time.Second, "a look for due digests", func() bool { return counting.digests.Load() >= 1 })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
}
