package scheduler_test

import (
	"errors"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/rppsync/rppsync/scheduler"
)

var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err) // scheduler embeds time/tzdata
	}
	return loc
}()

// activations iterates s the way River's periodic enqueuer does: the first
// activation after now, then each next one after the previous activation.
func activations(s scheduler.Schedule, now time.Time, n int) []time.Time {
	var out []time.Time
	at := s.Next(now)
	for range n {
		out = append(out, at)
		at = s.Next(at)
	}
	return out
}

func rfc(ts []time.Time) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.In(paris).Format(time.RFC3339)
	}
	return out
}

func TestParseCronAcrossDST(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		expr string
		from time.Time
		want []string
	}{
		{
			// 2027-03-28: 02:00 CET → 03:00 CEST. 02:00 does not exist: the
			// pass runs at the end of the gap, once.
			name: "spring forward, daily 02:00",
			expr: "0 2 * * *",
			from: time.Date(2027, 3, 27, 12, 0, 0, 0, paris),
			want: []string{"2027-03-28T03:00:00+02:00", "2027-03-29T02:00:00+02:00"},
		},
		{
			// 2027-10-31: 03:00 CEST → 02:00 CET. 02:00 happens twice: the
			// pass runs at the first, once.
			name: "fall back, daily 02:00",
			expr: "0 2 * * *",
			from: time.Date(2027, 10, 30, 12, 0, 0, 0, paris),
			want: []string{"2027-10-31T02:00:00+02:00", "2027-11-01T02:00:00+01:00"},
		},
		{
			name: "fall back, a replica started between the two 02:00",
			expr: "0 2 * * *",
			from: time.Date(2027, 10, 31, 1, 30, 0, 0, time.UTC), // 02:30 CET, after both
			want: []string{"2027-11-01T02:00:00+01:00", "2027-11-02T02:00:00+01:00"},
		},
		{
			name: "spring forward, 02:30 and every quarter hour collapse into 03:00",
			expr: "*/15 2-3 * * *",
			from: time.Date(2027, 3, 28, 1, 50, 0, 0, paris),
			want: []string{"2027-03-28T03:00:00+02:00", "2027-03-28T03:15:00+02:00", "2027-03-28T03:30:00+02:00"},
		},
		{
			name: "an ordinary night",
			expr: "@daily",
			from: time.Date(2026, 12, 4, 16, 0, 0, 0, paris),
			want: []string{"2026-12-05T00:00:00+01:00", "2026-12-06T00:00:00+01:00"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := scheduler.ParseCron(tt.expr, "Europe/Paris")
			if err != nil {
				t.Fatal(err)
			}
			got := rfc(activations(s, tt.from, len(tt.want)))
			for i := range tt.want {
				if got[i] != tt.want[i] {
					t.Fatalf("activations = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

// TestRobfigAloneMissesAndRepeats documents why ParseCron does not hand
// robfig/cron's schedule over as it is: with the zone inside the spec, the
// spring-forward night has no pass and the fall-back night has two.
func TestRobfigAloneMissesAndRepeats(t *testing.T) {
	t.Parallel()
	s, err := cron.ParseStandard("CRON_TZ=Europe/Paris 0 2 * * *")
	if err != nil {
		t.Fatal(err)
	}
	spring := rfc(activations(s, time.Date(2027, 3, 27, 12, 0, 0, 0, paris), 1))
	if spring[0] != "2027-03-29T02:00:00+02:00" {
		t.Errorf("robfig after 27 March: %v (if robfig now runs on the 28th, ParseCron's adapter may go)", spring)
	}
	fall := rfc(activations(s, time.Date(2027, 10, 30, 12, 0, 0, 0, paris), 2))
	if fall[0] != "2027-10-31T02:00:00+02:00" || fall[1] != "2027-10-31T02:00:00+01:00" {
		t.Errorf("robfig after 30 October: %v", fall)
	}
}

func TestParseCronErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr, tz string
		want     error
	}{
		{"0 2 * *", "", scheduler.ErrInvalidCron},
		{"0 25 * * *", "", scheduler.ErrInvalidCron},
		{"@every 1h", "", scheduler.ErrInvalidCron},
		{"CRON_TZ=UTC 0 2 * * *", "", scheduler.ErrInvalidCron},
		{"0 2 * * *", "Europe/Lutece", scheduler.ErrUnknownTimeZone},
	}
	for _, tt := range tests {
		if _, err := scheduler.ParseCron(tt.expr, tt.tz); !errors.Is(err, tt.want) {
			t.Errorf("ParseCron(%q, %q) = %v, want %v", tt.expr, tt.tz, err, tt.want)
		}
	}
}

func TestParseCronDefaults(t *testing.T) {
	t.Parallel()
	s, err := scheduler.ParseCron("", "")
	if err != nil {
		t.Fatal(err)
	}
	got := rfc(activations(s, time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC), 1))
	if got[0] != "2026-12-05T02:00:00+01:00" {
		t.Fatalf("default schedule: %v, want 02:00 Paris", got)
	}
}

func TestJobDefinitions(t *testing.T) {
	t.Parallel()
	opts := scheduler.InboxFileArgs{}.InsertOpts()
	if !opts.UniqueOpts.ByArgs || opts.Queue != scheduler.QueueInbox {
		t.Errorf("inbox file opts = %+v", opts)
	}
	p := scheduler.PassArgs{}.InsertOpts()
	if p.MaxAttempts != 1 || p.UniqueOpts.ByPeriod != time.Minute || p.Queue != scheduler.QueuePass {
		t.Errorf("pass opts = %+v", p)
	}
}
