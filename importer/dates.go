package importer

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rppsync/rppsync/namekey"

	"github.com/rppsync/rppsync"
)

// ErrDateInvalid is returned (wrapped) by ParseDate and SerialDate when the
// text is not a date or names a day that does not exist.
var ErrDateInvalid = errors.New("date invalide")

// frenchMonths maps folded French month names and their usual abbreviations
// to months.
var frenchMonths = map[string]time.Month{
	"JANVIER": 1, "JANV": 1, "JAN": 1,
	"FEVRIER": 2, "FEVR": 2, "FEV": 2,
	"MARS": 3, "MAR": 3,
	"AVRIL": 4, "AVR": 4,
	"MAI":     5,
	"JUIN":    6,
	"JUILLET": 7, "JUIL": 7,
	"AOUT":      8,
	"SEPTEMBRE": 9, "SEPT": 9, "SEP": 9,
	"OCTOBRE": 10, "OCT": 10,
	"NOVEMBRE": 11, "NOV": 11,
	"DECEMBRE": 12, "DEC": 12,
}

// ParseDate reads a date typed as text in an agency file. It accepts
// dd/mm/yyyy and d/m/yyyy, the same with "." or "-" between the parts,
// yyyy-mm-dd (and yyyy/mm/dd), a trailing time ("12/04/1990 00:00:00"), and
// French long forms ("12 avril 1990", "1er avr. 1990", "12-avr-90").
//
// A two-digit year yy is 20yy unless yy is greater than the year of now (its
// last two digits) plus 10, in which case it is 19yy: in 2026, "36" is 2036
// and "37" is 1937.
//
// The error wraps ErrDateInvalid when the text is not a date or the day does
// not exist (31/02/1990); the date is then zero.
func ParseDate(text string, now time.Time) (rppsync.Date, error) {
	s := collapse(text)
	if s == "" {
		return rppsync.Date{}, fmt.Errorf("%w: vide", ErrDateInvalid)
	}
	// Drop a time of day: "1990-04-12 00:00:00", "1990-04-12T00:00:00Z", "12/04/1990 0:00".
	if i := strings.IndexAny(s, " T"); i >= 8 && strings.Contains(s[i:], ":") && isNumericDate(s[:i]) {
		s = s[:i]
	}
	parts := splitDate(s)
	if len(parts) != 3 {
		return rppsync.Date{}, fmt.Errorf("%w: %q n'est pas lisible", ErrDateInvalid, text)
	}
	var y, m, d int
	var ok bool
	if len(parts[0]) == 4 && allDigits(parts[0]) { // yyyy-mm-dd
		y, _ = strconv.Atoi(parts[0])
		m, ok = monthNumber(parts[1])
		if !ok || !allDigits(parts[2]) || len(parts[2]) > 2 {
			return rppsync.Date{}, fmt.Errorf("%w: %q n'est pas lisible", ErrDateInvalid, text)
		}
		d, _ = strconv.Atoi(parts[2])
	} else {
		day := strings.TrimSuffix(strings.ToUpper(parts[0]), "ER")
		if !allDigits(day) || len(day) > 2 {
			return rppsync.Date{}, fmt.Errorf("%w: %q n'est pas lisible", ErrDateInvalid, text)
		}
		d, _ = strconv.Atoi(day)
		m, ok = monthNumber(parts[1])
		if !ok || !allDigits(parts[2]) {
			return rppsync.Date{}, fmt.Errorf("%w: %q n'est pas lisible", ErrDateInvalid, text)
		}
		y, _ = strconv.Atoi(parts[2])
		switch len(parts[2]) {
		case 2:
			y = pivotYear(y, now)
		case 4:
		default:
			return rppsync.Date{}, fmt.Errorf("%w: %q n'est pas lisible", ErrDateInvalid, text)
		}
	}
	date, ok := rppsync.NewDate(y, time.Month(m), d)
	if !ok {
		return rppsync.Date{}, fmt.Errorf("%w: %q n'existe pas", ErrDateInvalid, text)
	}
	return date, nil
}

// pivotYear turns a two-digit year into a full one (see ParseDate).
func pivotYear(yy int, now time.Time) int {
	if yy > now.Year()%100+10 {
		return 1900 + yy
	}
	return 2000 + yy
}

// isNumericDate reports whether s is made of digits and date separators only.
func isNumericDate(s string) bool {
	return strings.Trim(s, "0123456789/.-") == ""
}

// splitDate splits a date on "/", ".", "-" and spaces, dropping empty parts
// (so "1er avr. 1990" gives three parts).
func splitDate(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == '/' || r == '.' || r == '-' || r == ' ' || r == ','
	})
}

// monthNumber reads a month written as 1..12 or as a French name.
func monthNumber(s string) (int, bool) {
	if allDigits(s) {
		if len(s) > 2 {
			return 0, false
		}
		m, _ := strconv.Atoi(s)
		return m, m >= 1 && m <= 12
	}
	m, ok := frenchMonths[namekey.Fold(s)]
	return int(m), ok
}

// SerialDate converts a spreadsheet date serial number (the raw value of a
// date cell) to a date, in the 1900 date system or, when date1904 is true,
// the 1904 one. In the 1900 system serial 60 is the fictitious 29/02/1900
// Excel inherited from Lotus 1-2-3: it is reported invalid, and serials
// before it are shifted by one day. A time of day (the fraction) is dropped.
func SerialDate(serial float64, date1904 bool) (rppsync.Date, error) {
	lowest := 1.0
	if date1904 {
		lowest = 0
	}
	if serial < lowest || serial > 2958465 {
		return rppsync.Date{}, fmt.Errorf("%w: numéro de série %v hors limites", ErrDateInvalid, serial)
	}
	n := int(serial)
	var base time.Time
	switch {
	case date1904:
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case n == 60:
		return rppsync.Date{}, fmt.Errorf("%w: le 29/02/1900 n'existe pas", ErrDateInvalid)
	case n < 60:
		base = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
	default:
		base = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	}
	t := base.AddDate(0, 0, n)
	d, ok := rppsync.NewDate(t.Year(), t.Month(), t.Day())
	if !ok {
		return rppsync.Date{}, fmt.Errorf("%w: numéro de série %v hors limites", ErrDateInvalid, serial)
	}
	return d, nil
}

// serialNumber reports whether s is a raw numeric cell value that can be a
// date serial, and returns it.
func serialNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.Trim(s, "0123456789.") != "" || strings.Count(s, ".") > 1 {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}
