package directory

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// The member name prefixes of the two extracts.
const (
	ActivityPrefix = "PS_LibreAcces_Personne_activite_"
	CardPrefix     = "Porteurs_CPS_CPF_"
)

// Extract is an opened national extract: the bare text file, or the
// member of its zip streamed without unpacking to disk. Read it through
// NewActivityReader or NewCardReader, then Close it.
type Extract struct {
	Name string    // file name of the text (the zip member's name for a zip)
	Date time.Time // extract date, from the name's _YYYYMMDDHHMM, Europe/Paris
	Size int64     // uncompressed size in bytes, or -1 when unknown

	r      io.Reader
	closer []io.Closer
}

// Read reads the uncompressed text of the extract.
func (e *Extract) Read(p []byte) (int, error) { return e.r.Read(p) }

// Close releases the file (and zip member).
func (e *Extract) Close() error {
	var errs []error
	for i := len(e.closer) - 1; i >= 0; i-- {
		errs = append(errs, e.closer[i].Close())
	}
	return errors.Join(errs...)
}

// Open opens an activity extract: a PS_LibreAcces zip (the
// PS_LibreAcces_Personne_activite_*.txt member is streamed) or the bare
// .txt. The date comes from the file name; ErrNoDate when it has none (use
// OpenDated then).
func Open(path string) (*Extract, error) { return open(path, ActivityPrefix, time.Time{}) }

// OpenCards opens a Porteurs_CPS_CPF extract, zipped or bare, like Open.
func OpenCards(path string) (*Extract, error) { return open(path, CardPrefix, time.Time{}) }

// OpenDated is Open for a file whose name carries no date: date is used
// when the name has none, and ignored otherwise.
func OpenDated(path string, date time.Time) (*Extract, error) {
	return open(path, ActivityPrefix, date)
}

var nameDate = regexp.MustCompile(`_(\d{12})(?:\.[A-Za-z]+)?$`)

// paris is the zone the extract times are written in; UTC when the zone
// database is absent.
var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// DateFromName returns the date in an extract file name
// (PS_LibreAcces_Personne_activite_202611200800.txt → 2026-11-20 08:00
// Europe/Paris), or ErrNoDate when there is none or its year is not
// within 2000..2100.
func DateFromName(name string) (time.Time, error) {
	m := nameDate.FindStringSubmatch(filepath.Base(name))
	if m == nil {
		return time.Time{}, fmt.Errorf("%w: %s", ErrNoDate, name)
	}
	t, err := time.ParseInLocation("200601021504", m[1], paris)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s: %w", ErrNoDate, name, err)
	}
	if t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}, fmt.Errorf("%w: %s: year %d out of range", ErrNoDate, name, t.Year())
	}
	return t, nil
}

func open(path, prefix string, date time.Time) (*Extract, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("directory: open extract: %w", err)
	}
	e := &Extract{Name: filepath.Base(path), Size: -1, r: f, closer: []io.Closer{f}}
	if st, err := f.Stat(); err == nil {
		e.Size = st.Size()
	}
	var magic [4]byte
	if n, _ := io.ReadFull(f, magic[:]); n == 4 && string(magic[:]) == "PK\x03\x04" {
		if err := e.openZip(f, prefix); err != nil {
			f.Close()
			return nil, fmt.Errorf("directory: %s: %w", path, err)
		}
	} else if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("directory: rewind %s: %w", path, err)
	}
	d, derr := DateFromName(e.Name)
	if derr != nil && e.Name != filepath.Base(path) {
		d, derr = DateFromName(path) // member undated: try the zip's own name
	}
	switch {
	case derr == nil:
		e.Date = d
	case !date.IsZero():
		e.Date = date
	default:
		e.Close()
		return nil, derr
	}
	return e, nil
}

func (e *Extract) openZip(f *os.File, prefix string) error {
	size := e.Size
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return fmt.Errorf("read zip: %w", err)
	}
	for _, m := range zr.File {
		base := filepath.Base(m.Name)
		if strings.HasPrefix(base, prefix) && strings.HasSuffix(strings.ToLower(base), ".txt") {
			rc, err := m.Open()
			if err != nil {
				return fmt.Errorf("open zip member %s: %w", m.Name, err)
			}
			e.Name = base
			e.Size = int64(m.UncompressedSize64)
			e.r = rc
			e.closer = append(e.closer, rc)
			return nil
		}
	}
	return fmt.Errorf("%w: no %s*.txt", ErrNoMember, prefix)
}

// timeUnknown stands for "no extract date": LoadFiltered does not need one.
var timeUnknown = time.Unix(0, 0).UTC()
