package importer

import (
	"errors"
	"testing"
	"time"

	"github.com/rppsync/rppsync"
)

func TestParseDate(t *testing.T) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want string // "" when invalid
	}{
		{"12/04/1990", "1990-04-12"},
		{"1/2/1990", "1990-02-01"},
		{"12/04/90", "1990-04-12"},
		{"02/11/26", "2026-11-02"},
		{"02/11/36", "2036-11-02"}, // 36 = 26 + 10: still this century
		{"02/11/37", "1937-11-02"},
		{"1990-04-12", "1990-04-12"},
		{"1990/04/12", "1990-04-12"},
		{"12.04.1990", "1990-04-12"},
		{"12-04-1990", "1990-04-12"},
		{" 12/04/1990 ", "1990-04-12"},
		{"12/04/1990 00:00:00", "1990-04-12"},
		{"1990-04-12T00:00:00Z", "1990-04-12"},
		{"12 avril 1990", "1990-04-12"},
		{"1er avril 1990", "1990-04-01"},
		{"12 AVR. 1990", "1990-04-12"},
		{"12-févr-90", "1990-02-12"},
		{"29/02/2024", "2024-02-29"},
		{"31/02/1990", ""},
		{"29/02/2023", ""},
		{"00/01/1990", ""},
		{"12/13/1990", ""},
		{"12/04/190", ""},
		{"12/04/1890", ""},
		{"avril 1990", ""},
		{"demain", ""},
		{"33025", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in, now)
		if tt.want == "" {
			if err == nil || !errors.Is(err, ErrDateInvalid) || !got.IsZero() {
				t.Errorf("ParseDate(%q) = %v, %v; want ErrDateInvalid and zero", tt.in, got, err)
			}
			continue
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestSerialDate(t *testing.T) {
	tests := []struct {
		serial   float64
		date1904 bool
		want     string
	}{
		{1, false, "1900-01-01"},
		{59, false, "1900-02-28"},
		{60, false, ""}, // the fictitious 29/02/1900
		{61, false, "1900-03-01"},
		{32975, false, "1990-04-12"},
		{32975.75, false, "1990-04-12"},
		{46328, false, "2026-11-02"},
		{0, false, ""},
		{-3, false, ""},
		{0, true, "1904-01-01"},
		{31513, true, "1990-04-12"},
		{3e7, false, ""},
	}
	for _, tt := range tests {
		got, err := SerialDate(tt.serial, tt.date1904)
		if tt.want == "" {
			if !errors.Is(err, ErrDateInvalid) {
				t.Errorf("SerialDate(%v, %v) = %v, %v; want ErrDateInvalid", tt.serial, tt.date1904, got, err)
			}
			continue
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("SerialDate(%v, %v) = %v, %v; want %s", tt.serial, tt.date1904, got, err, tt.want)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"12/04/1990", "31/02/1990", "1990-04-12", "12 avril 1990", "1er avr. 90", "12.04.90", "1990-04-12T00:00:00Z", "//", "0/0/0"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s, now)
		if err != nil {
			if !d.IsZero() || !errors.Is(err, ErrDateInvalid) {
				t.Fatalf("ParseDate(%q) = %v, %v", s, d, err)
			}
			return
		}
		// A date read is a real day, and reads back the same in ISO form.
		if _, ok := rppsync.NewDate(d.Year, d.Month, d.Day); !ok {
			t.Fatalf("ParseDate(%q) = impossible %v", s, d)
		}
		if again, err := ParseDate(d.String(), now); err != nil || again != d {
			t.Fatalf("ParseDate(%q) = %v, but its ISO form reads %v, %v", s, d, again, err)
		}
	})
}
