package scheduler

import (
	"context"
	"errors"
	"time"

	"github.com/rs/zerolog"
)

// Schedule gives the next activation time strictly after t. A robfig/cron
// schedule satisfies it.
type Schedule interface {
	Next(t time.Time) time.Time
}

// Clock is the time source: the real one in production, a fake one in tests.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has elapsed.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Job is one scheduled pass. Its error is logged; the schedule goes on.
type Job func(ctx context.Context) error

// Config configures a Scheduler. Schedule and Job are required.
type Config struct {
	Schedule Schedule
	Job      Job
	Clock    Clock          // zero: the real clock
	Logger   zerolog.Logger // zero: no logs
}

// ErrNoSchedule is returned by New when Config.Schedule or Config.Job is nil.
var ErrNoSchedule = errors.New("scheduler: a schedule and a job are required")

// Scheduler runs a Job at each time its Schedule gives.
type Scheduler struct {
	cfg Config
}

// New validates cfg and returns a Scheduler.
func New(cfg Config) (*Scheduler, error) {
	if cfg.Schedule == nil || cfg.Job == nil {
		return nil, ErrNoSchedule
	}
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
	}
	cfg.Logger = cfg.Logger.With().Str("component", "scheduler").Logger()
	return &Scheduler{cfg: cfg}, nil
}

// Run waits for each activation and runs the job, until ctx is done. Runs
// never overlap: an activation that passes while the job runs is skipped and
// the next one after the job's end is taken. Run returns ctx's error.
func (s *Scheduler) Run(ctx context.Context) error {
	for {
		now := s.cfg.Clock.Now()
		next := s.cfg.Schedule.Next(now)
		if next.IsZero() {
			s.cfg.Logger.Warn().Msg("the schedule has no next activation; stopping")
			return nil
		}
		s.cfg.Logger.Debug().Time("next_run", next).Msg("waiting")
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.cfg.Clock.After(next.Sub(now)):
		}
		if err := ctx.Err(); err != nil {
			return err // both were ready: stopping wins over a new run
		}
		start := s.cfg.Clock.Now()
		err := s.cfg.Job(ctx)
		ev := s.cfg.Logger.Info()
		if err != nil {
			ev = s.cfg.Logger.Error().Err(err)
		}
		ev.Time("scheduled_for", next).Dur("took", s.cfg.Clock.Now().Sub(start)).Msg("scheduled run finished")
	}
}
