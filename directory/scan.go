package directory

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"github.com/rppsync/rppsync/matcher"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// readBufferSize is the bufio buffer of the readers: large reads keep the
// 800 MB extract streaming at disk speed.
const readBufferSize = 1 << 20

// DefaultMaxSamples is how many bad lines Stats keeps as samples.
const DefaultMaxSamples = 20

// Stats counts what a reader saw. Bytes grows as lines are read, so a
// caller can draw progress against Extract.Size while reading.
type Stats struct {
	Lines       int       // data lines read (header and blank lines excluded)
	Kept        int       // lines returned by Next
	ADELI       int       // type-0 (ADELI) lines, skipped: they carry no RPPS
	Bad         int       // lines rejected (see Samples)
	Recoded     int       // lines that were not UTF-8 and were decoded as Windows-1252
	NoFirstName int       // kept lines with an empty Prénom d'exercice
	Bytes       int64     // bytes consumed, header included
	Samples     []BadLine // the first bad lines, at most DefaultMaxSamples
}

// BadLine is one rejected line: its number in the file (the header is
// line 1) and why it was rejected.
type BadLine struct {
	Line   int    `json:"line"`
	Code   string `json:"code"`   // field_count, rpps_invalid, id_type, name_missing, name_too_long, card_rpps_invalid, date_invalid
	Reason string `json:"reason"` // a French sentence
}

func (s *Stats) bad(line int, code, reason string) {
	s.Bad++
	if len(s.Samples) < DefaultMaxSamples {
		s.Samples = append(s.Samples, BadLine{Line: line, Code: code, Reason: reason})
	}
}

// scanner yields the physical lines of an extract: BOM stripped, line
// endings removed, non-UTF-8 lines decoded as Windows-1252.
type scanner struct {
	br     *bufio.Reader
	long   []byte // accumulates lines longer than the buffer
	lineNo int
	stats  *Stats
	first  bool
	err    error
}

func newScanner(r io.Reader, st *Stats) *scanner {
	return &scanner{br: bufio.NewReaderSize(r, readBufferSize), stats: st, first: true}
}

// next returns the next non-blank line, valid until the following call.
func (s *scanner) next() ([]byte, bool) {
	for {
		if s.err != nil {
			return nil, false
		}
		line, err := s.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			s.long = append(s.long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = s.br.ReadSlice('\n')
				s.long = append(s.long, line...)
			}
			line = s.long
		}
		if err != nil && !errors.Is(err, io.EOF) {
			s.err = fmt.Errorf("directory: read line %d: %w", s.lineNo+1, err)
			return nil, false
		}
		if len(line) == 0 && err != nil {
			s.err = io.EOF
			return nil, false
		}
		if err != nil {
			s.err = io.EOF // last line without newline: return it, stop after
		}
		s.lineNo++
		s.stats.Bytes += int64(len(line))
		line = bytes.TrimRight(line, "\r\n")
		if s.first {
			s.first = false
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
		}
		if len(line) == 0 {
			continue
		}
		return recode(line, s.stats), true
	}
}

// recode returns line as UTF-8: as it is when it is valid UTF-8, else
// decoded as Windows-1252 (counted in st.Recoded).
func recode(line []byte, st *Stats) []byte {
	if utf8.Valid(line) {
		return line
	}
	dec, err := charmap.Windows1252.NewDecoder().Bytes(line)
	if err != nil {
		return line
	}
	st.Recoded++
	return dec
}

// failure is the error to report once next returned false: nil at the
// normal end of input.
func (s *scanner) failure() error {
	if s.err == io.EOF {
		return nil
	}
	return s.err
}

// span is one field of a line, as byte offsets.
type span struct{ lo, hi int }

// split cuts line at every sep into spans (reused). With trailing set (the
// header ends with a separator, as the national extracts do), the empty
// field after a final separator is dropped; otherwise it is a field.
func split(line []byte, sep byte, spans []span, trailing bool) []span {
	spans = spans[:0]
	lo := 0
	for {
		i := bytes.IndexByte(line[lo:], sep)
		if i < 0 {
			if lo < len(line) || !trailing {
				spans = append(spans, span{lo, len(line)})
			}
			return spans
		}
		spans = append(spans, span{lo, lo + i})
		lo += i + 1
	}
}

// splitPrefix is split for a reader that needs only the first need fields
// of a line: it cuts those into spans (reused) and returns, as count, the
// number of fields split would have returned, counting the separators of
// the rest of the line without cutting it. With need at least that number,
// spans equals split's result.
func splitPrefix(line []byte, sep byte, spans []span, trailing bool, need int) (_ []span, count int) {
	spans = spans[:0]
	lo := 0
	for len(spans) < need {
		i := bytes.IndexByte(line[lo:], sep)
		if i < 0 {
			if lo < len(line) || !trailing {
				spans = append(spans, span{lo, len(line)})
			}
			return spans, len(spans)
		}
		spans = append(spans, span{lo, lo + i})
		lo += i + 1
	}
	// need fields are cut and lo is just past a separator: what follows
	// holds one more field per separator, plus the last one unless it is
	// the empty field after a final separator that trailing drops.
	count = len(spans) + bytes.Count(line[lo:], []byte{sep})
	if lo < len(line) && line[len(line)-1] != sep || !trailing {
		count++
	}
	return spans, count
}

// normHeader folds a column name for comparison: accents removed, lower
// case, typographic apostrophes made plain, spaces collapsed.
func normHeader(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(strings.TrimSpace(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == '’' || r == '`':
			b.WriteByte('\'')
			space = false
		case unicode.IsSpace(r):
			if !space {
				b.WriteByte(' ')
			}
			space = true
		default:
			b.WriteRune(unicode.ToLower(r))
			space = false
		}
	}
	return b.String()
}

// headerIndex maps each folded column name to its first position.
func headerIndex(names []string) map[string]int {
	idx := make(map[string]int, len(names))
	for i, n := range names {
		k := normHeader(n)
		if _, dup := idx[k]; !dup {
			idx[k] = i
		}
	}
	return idx
}

// validRPPS reports whether b is an RPPS: 11 digits, first one 1, Luhn-valid.
func validRPPS(b []byte) bool {
	if len(b) != 11 || b[0] != '1' {
		return false
	}
	return matcher.Luhn(b)
}

// ValidRPPS reports whether s is a well-formed RPPS: 11 digits beginning
// with 1 whose last digit is the Luhn check digit.
func ValidRPPS(s string) bool { return validRPPS([]byte(s)) }
