package report

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rppsync/rppsync"
)

// Format names an output format of `rppsync check --format`.
type Format string

// The formats of CONTRACT.md.
const (
	FormatTable Format = "table" // aligned text for a terminal
	FormatJSON  Format = "json"  // the JSON document of CONTRACT.md
	FormatCSV   Format = "csv"   // UTF-8 with BOM, ";" and CRLF, for French Excel
	FormatXLSX  Format = "xlsx"  // an Excel workbook
)

// Formats lists every format, in the order help texts show them.
var Formats = []Format{FormatTable, FormatJSON, FormatCSV, FormatXLSX}

// ErrUnknownFormat is returned (wrapped) by ParseFormat and Write for a
// format that is not one of Formats.
var ErrUnknownFormat = errors.New("format de rapport inconnu")

// ParseFormat reads a format name as typed on the command line, ignoring case
// and surrounding spaces. Any other name returns an error wrapping
// ErrUnknownFormat that lists the accepted names.
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range Formats {
		if f == known {
			return f, nil
		}
	}
	return "", fmt.Errorf("%w « %s » : choisissez table, json, csv ou xlsx", ErrUnknownFormat, s)
}

// String returns the format's name.
func (f Format) String() string { return string(f) }

// Options tunes Write. The zero value is valid: no colour, no width limit,
// the report dated now.
type Options struct {
	// Color writes ANSI colours per status in the table format. Only set it
	// when the output is a terminal; other formats ignore it.
	Color bool
	// Width is the terminal width in columns for the table format; when the
	// rows are wider, long names are truncated (down to a minimum). 0 means
	// no limit.
	Width int
	// Now dates the report (table and xlsx); the zero time means time.Now().
	Now time.Time
	// Title says what a queue export holds, such as "Structure FINESS
	// 250999901" or "Agence Alpha"; the xlsx queue format shows it in its
	// "Résumé" sheet and document title. Other outputs ignore it.
	Title string
}

// now returns the report date.
func (o Options) now() time.Time {
	if o.Now.IsZero() {
		return time.Now()
	}
	return o.Now
}

// Write writes files in format f to w. Errors from w are returned wrapped,
// and an unknown format returns an error wrapping ErrUnknownFormat before
// anything is written. Write does not close w.
func Write(w io.Writer, f Format, files []rppsync.FileResult, opts Options) error {
	var err error
	switch f {
	case FormatTable:
		err = writeTable(w, files, opts)
	case FormatJSON:
		err = writeJSON(w, files)
	case FormatCSV:
		err = writeCSV(w, files)
	case FormatXLSX:
		err = writeXLSX(w, files, opts)
	default:
		return fmt.Errorf("write report: %w « %s »", ErrUnknownFormat, f)
	}
	if err != nil {
		return fmt.Errorf("write %s report: %w", f, err)
	}
	return nil
}
