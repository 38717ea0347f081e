package scheduler_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/rs/zerolog"

	"github.com/rppsync/rppsync/scheduler"
)

// fakeClock jumps to the requested time as soon as someone waits on it.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.now = c.now.Add(d)
	now := c.now
	c.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- now
	return ch
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestRunFollowsTheCronScheduleAcrossDST(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	sched, err := cron.ParseStandard("CRON_TZ=Europe/Paris 0 2 * * *")
	if err != nil {
		t.Fatal(err)
	}
	// 2026-10-24 12:00 Paris: the clocks go back on the night of 24 to 25 October.
	clock := &fakeClock{now: time.Date(2026, 10, 24, 12, 0, 0, 0, paris)}
	ctx, cancel := context.WithCancel(context.Background())
	var runs []time.Time
	s, err := scheduler.New(scheduler.Config{
		Schedule: sched,
		Clock:    clock,
		Logger:   zerolog.New(zerolog.NewTestWriter(t)),
		Job: func(context.Context) error {
			runs = append(runs, clock.Now().In(paris))
			clock.advance(90 * time.Minute) // a long pass
			if len(runs) == 3 {
				cancel()
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	want := []string{"2026-10-25 02:00", "2026-10-26 02:00", "2026-10-27 02:00"}
	if len(runs) != len(want) {
		t.Fatalf("runs = %v", runs)
	}
	for i, r := range runs {
		if got := r.Format("2006-01-02 15:04"); got != want[i] {
			t.Errorf("run %d at %s, want %s", i, got, want[i])
		}
	}
}

func TestRunKeepsGoingAfterAFailedJob(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	s, err := scheduler.New(scheduler.Config{
		Schedule: cron.Every(time.Hour),
		Clock:    clock,
		Job: func(context.Context) error {
			n++
			if n == 2 {
				cancel()
			}
			return errors.New("database unreachable")
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Run(ctx)
	if n != 2 {
		t.Fatalf("job ran %d times, want 2", n)
	}
}

func TestNewNeedsScheduleAndJob(t *testing.T) {
	if _, err := scheduler.New(scheduler.Config{}); !errors.Is(err, scheduler.ErrNoSchedule) {
		t.Fatalf("New(zero) = %v", err)
	}
}
