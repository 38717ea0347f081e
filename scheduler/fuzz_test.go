package scheduler_test

import (
	"testing"
	"time"

	"github.com/rppsync/rppsync/scheduler"
)

// FuzzParseCron checks that any expression either is refused with a coded
// error or gives a schedule whose activations move strictly forward, on
// ordinary days and across both DST nights of 2027 in Paris.
func FuzzParseCron(f *testing.F) {
	for _, s := range []string{"0 2 * * *", "*/15 2-3 * * *", "@daily", "@hourly", "30 2 28 3 *", "0 2 * * 0", "59 23 31 12 *",
		"0 0 29 2 *", "", "@every 1h", "CRON_TZ=UTC 0 2 * * *", "0 2 * *", "a b c d e", "0 2 31 2 *"} {
		f.Add(s)
	}
	starts := []time.Time{
		time.Date(2027, 3, 28, 0, 30, 0, 0, time.UTC),
		time.Date(2027, 10, 30, 23, 30, 0, 0, time.UTC),
		time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC),
	}
	f.Fuzz(func(t *testing.T, expr string) {
		s, err := scheduler.ParseCron(expr, "Europe/Paris")
		if err != nil {
			return
		}
		for _, at := range starts {
			for range 5 {
				next := s.Next(at)
				if next.IsZero() {
					break
				}
				if !next.After(at) {
					t.Fatalf("%q: Next(%s) = %s, not after", expr, at, next)
				}
				at = next
			}
		}
	})
}
