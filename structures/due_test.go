package structures_test

import (
	"testing"
	"time"

	"github.com/rppsync/rppsync/structures"
)

func TestDigestDue(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone data")
	}
	at := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, paris) } // 2026-12-07 is a Monday
	weekdays := structures.Digest{Enabled: true, Time: "07:30", Days: []string{"lundi", "mardi", "mercredi", "jeudi", "vendredi"}}
	tests := []struct {
		name      string
		d         structures.Digest
		now, last time.Time
		want      bool
	}{
		{"monday after its time, never sent", weekdays, at(7, 7, 30), time.Time{}, true},
		{"monday before its time", weekdays, at(7, 7, 29), time.Time{}, false},
		{"sent this morning already", weekdays, at(7, 16, 0), at(7, 7, 31), false},
		{"sent yesterday", weekdays, at(8, 8, 0), at(7, 7, 31), true},
		{"sent today before its time (a run at 02:00)", weekdays, at(8, 8, 0), at(8, 2, 0), true},
		{"saturday is not one of its days", weekdays, at(12, 9, 0), time.Time{}, false},
		{"every day by default, default time 07:00", structures.Digest{Enabled: true}, at(12, 7, 0), time.Time{}, true},
		{"disabled", structures.Digest{Time: "07:00"}, at(7, 9, 0), time.Time{}, false},
	}
	for _, tt := range tests {
		if got := tt.d.Due(tt.now, tt.last); got != tt.want {
			t.Errorf("%s: Due = %v, want %v", tt.name, got, tt.want)
		}
	}
}
