package directory

import (
	"errors"
	"fmt"
	"strings"

	"github.com/rppsync/rppsync"
)

// ErrEmpty is returned when an extract has no header line at all.
var ErrEmpty = rppsync.NewError("extract_empty", "the extract is empty")

// ErrNoDate is returned by Open when the extract date cannot be read from
// the file name (…_YYYYMMDDHHMM.txt) and the caller gave none.
var ErrNoDate = rppsync.NewError("extract_no_date", "no extract date in the file name")

// ErrNoMember is returned when a zip holds no member of the expected kind
// (PS_LibreAcces_Personne_activite_*.txt or Porteurs_CPS_CPF_*.txt).
var ErrNoMember = rppsync.NewError("extract_no_member", "the zip holds no extract of the expected kind")

// ErrNotLoaded is returned by Memory lookups for an RPPS or a name key that
// was not part of the filter given to LoadFiltered: answering would silently
// report a known professional as absent.
var ErrNotLoaded = errors.New("directory: value outside the filter the directory was loaded with")

// HeaderError says which required columns the header of an extract lacks.
// It matches ErrMissingColumns with errors.Is.
type HeaderError struct {
	Missing []string // the required column names not found
}

// ErrMissingColumns is matched by every *HeaderError.
var ErrMissingColumns = rppsync.NewError("extract_columns_missing", "required columns missing")

func (e *HeaderError) Error() string {
	return fmt.Sprintf("directory: required columns missing from the header: %s (is this really a national directory extract?)",
		strings.Join(e.Missing, ", "))
}

// Is reports whether target is ErrMissingColumns.
func (e *HeaderError) Is(target error) bool { return target == ErrMissingColumns }

// Unwrap returns ErrMissingColumns about the missing columns, so that
// rppsync.CodeOf finds its code.
func (e *HeaderError) Unwrap() error {
	return ErrMissingColumns.About(strings.Join(e.Missing, ", "), nil)
}
