package scheduler

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Paris even on a host without a zone database

	"github.com/riverqueue/river"
	"github.com/robfig/cron/v3"

	"github.com/rppsync/rppsync"
)

// Schedule gives the next activation time strictly after t, or the zero
// time when there is none. It is River's river.PeriodicSchedule.
type Schedule interface {
	Next(t time.Time) time.Time
}

// Defaults of the pass's schedule.
const (
	DefaultCron     = "0 2 * * *"
	DefaultTimeZone = "Europe/Paris"
)

// ErrInvalidCron is returned by ParseCron for an expression robfig/cron
// cannot read, or one that is not a wall-clock schedule (@every, or a time
// zone given inside the expression instead of apart).
var ErrInvalidCron = rppsync.NewError("cron_invalid", "invalid cron expression")

// ErrUnknownTimeZone is returned by ParseCron for a time zone name the zone
// database does not know.
var ErrUnknownTimeZone = rppsync.NewError("time_zone_unknown", "unknown time zone")

// ParseCron reads a standard five-field cron expression (or a descriptor
// such as @daily) to run on the wall clock of the time zone tz (an IANA
// name such as "Europe/Paris"). An empty expr is DefaultCron and an empty
// tz DefaultTimeZone. See the package documentation for the nights the
// clocks change.
func ParseCron(expr, tz string) (Schedule, error) {
	if strings.TrimSpace(expr) == "" {
		expr = DefaultCron
	}
	if tz == "" {
		tz = DefaultTimeZone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, ErrUnknownTimeZone.About(tz, fmt.Errorf("fuseau horaire inconnu ; indiquez un nom comme %s: %w", DefaultTimeZone, err))
	}
	e := strings.TrimSpace(expr)
	if strings.HasPrefix(e, "CRON_TZ=") || strings.HasPrefix(e, "TZ=") {
		return nil, ErrInvalidCron.About(expr, fmt.Errorf("le fuseau horaire se donne à part, pas dans l'expression"))
	}
	s, err := cron.ParseStandard(e)
	if err != nil {
		return nil, ErrInvalidCron.About(expr, fmt.Errorf("attendu cinq champs « minute heure jour mois jour-de-semaine », par exemple %q: %w", DefaultCron, err))
	}
	spec, ok := s.(*cron.SpecSchedule)
	if !ok {
		return nil, ErrInvalidCron.About(expr, fmt.Errorf("@every n'est pas un horaire ; donnez des heures, par exemple %q", DefaultCron))
	}
	spec.Location = time.UTC // the spec reads wall clocks, held as UTC fields
	return &wallSchedule{spec: spec, loc: loc}, nil
}

// wallSchedule runs a cron spec on the wall clock of loc.
type wallSchedule struct {
	spec *cron.SpecSchedule
	loc  *time.Location
}

// maxCollapsed bounds how many activations Next skips because they fall on
// an instant already past (those of a spring-forward gap, collapsed into
// its end): a minute-by-minute spec skips at most the gap's minutes.
const maxCollapsed = 24 * 60

// Next returns the first activation strictly after t: the spec's next wall
// time after t's wall time in the zone, moved to the end of the gap when the
// clocks skip it, and taken at its first occurrence when they repeat it.
func (s *wallSchedule) Next(t time.Time) time.Time {
	wall := wallOf(t.In(s.loc))
	for range maxCollapsed {
		wall = s.spec.Next(wall)
		if wall.IsZero() {
			return time.Time{}
		}
		if at := s.instant(wall); at.After(t) {
			return at
		}
	}
	return time.Time{}
}

// instant is the instant the wall time w (UTC fields) stands for in loc.
func (s *wallSchedule) instant(w time.Time) time.Time {
	at := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, s.loc)
	if !wallOf(at).Equal(w) {
		// In a gap: time.Date gave an instant shown on either side of it;
		// the end of the gap is where its zone starts or ends.
		start, end := at.ZoneBounds()
		if wallOf(at).After(w) {
			return start
		}
		return end
	}
	// Repeated: take the first occurrence, in the zone before the change.
	start, _ := at.ZoneBounds()
	if start.IsZero() {
		return at
	}
	_, off := at.Zone()
	_, prevOff := start.Add(-time.Nanosecond).Zone()
	if prevOff > off {
		if earlier := at.Add(-time.Duration(prevOff-off) * time.Second); wallOf(earlier).Equal(w) {
			return earlier
		}
	}
	return at
}

// wallOf returns t's wall clock fields (in t's location) as a UTC time.
func wallOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// Job kinds and queues of the worker, as River records them.
const (
	KindPass      = "rppsync_pass"
	KindInboxFile = "rppsync_inbox_file"
	QueuePass     = "rppsync_pass"
	QueueInbox    = "rppsync_inbox"
	// PeriodicPassID identifies the periodic pass among River's periodic jobs.
	PeriodicPassID = "rppsync_pass"
	// KindDigests is the look, every few minutes, for the structures whose
	// digest's day and hour have come (structures.Digest.Due).
	KindDigests       = "rppsync_digests"
	PeriodicDigestsID = "rppsync_digests"
)

// DigestsArgs are the arguments of a look for due digests.
type DigestsArgs struct{}

// Kind returns KindDigests.
func (DigestsArgs) Kind() string { return KindDigests }

// InsertOpts puts the look in QueuePass (after the pass, never beside
// it), tried once, unique per minute.
func (DigestsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueuePass, MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByPeriod: time.Minute}}
}

// PeriodicDigests returns the periodic job that looks for due digests
// every every, on the elected leader only.
func PeriodicDigests(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
		return DigestsArgs{}, nil
	}, &river.PeriodicJobOpts{ID: PeriodicDigestsID})
}

// Attempts of the jobs.
const (
	// PassAttempts is 1: a failed pass is not retried; the next activation,
	// or `rppsync run`, does its work.
	PassAttempts = 1
	// InboxFileAttempts is how often a file's import is tried before River
	// gives it up; the file stays in the inbox and a later scan inserts a
	// new job for it.
	InboxFileAttempts = 5
)

// PassArgs are the arguments of a scheduled pass. The activation it runs
// for is the job's ScheduledAt.
type PassArgs struct{}

// Kind returns KindPass.
func (PassArgs) Kind() string { return KindPass }

// InsertOpts puts the pass in QueuePass, tried once, and unique per minute
// of its activation: even two leaders overlapping during a failover insert
// one pass per activation.
func (PassArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueuePass, MaxAttempts: PassAttempts, UniqueOpts: river.UniqueOpts{ByPeriod: time.Minute}}
}

// InboxFileArgs are the arguments of the import of one inbox file: its
// SHA-256 (lower-case hex, the only unique field), its path relative to the
// inbox and its agency.
type InboxFileArgs struct {
	SHA256 string `json:"sha256" river:"unique"`
	Path   string `json:"path"`
	Agency string `json:"agency"`
}

// Kind returns KindInboxFile.
func (InboxFileArgs) Kind() string { return KindInboxFile }

// InsertOpts puts the file in QueueInbox, unique by its SHA-256 while a job
// for that content is pending, running or completed: a file is imported once
// whichever replica scans it.
func (InboxFileArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueInbox, MaxAttempts: InboxFileAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// PeriodicPass returns the periodic job that inserts a pass at each
// activation of s, for River's Config.PeriodicJobs. River runs periodic jobs
// on the elected leader only.
func PeriodicPass(s Schedule) *river.PeriodicJob {
	return river.NewPeriodicJob(s, func() (river.JobArgs, *river.InsertOpts) {
		return PassArgs{}, nil
	}, &river.PeriodicJobOpts{ID: PeriodicPassID})
}
