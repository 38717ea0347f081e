package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/rppsync/rppsync"
)

// Encoding names the character encoding SniffCSV found.
type Encoding string

// The encodings a CSV or TXT file may have.
const (
	EncodingUTF8        Encoding = "utf-8"
	EncodingUTF8BOM     Encoding = "utf-8-bom"
	EncodingUTF16LE     Encoding = "utf-16le"
	EncodingUTF16BE     Encoding = "utf-16be"
	EncodingWindows1252 Encoding = "windows-1252"
)

// ErrBinary is returned (wrapped) by SniffCSV when the data holds NUL bytes
// without a UTF-16 byte order mark: it is not text.
var ErrBinary = errors.New("données binaires, pas du texte")

// Sniff is what SniffCSV found about a text file.
type Sniff struct {
	Encoding  Encoding
	Separator rune // ';', ',', '\t' or '|'
	// InvalidLines are the lines (numbered from 1) of a UTF-8 text holding
	// bytes that are not UTF-8, each run of them replaced by U+FFFD.
	InvalidLines []int
}

// separators are the candidates, in the order that breaks ties.
var separators = []rune{';', ',', '\t', '|'}

// SniffCSV decodes the bytes of a CSV or TXT file to UTF-8 text and finds its
// separator. The encoding is UTF-8 with or without a byte order mark, UTF-16
// LE or BE with a byte order mark, and otherwise Windows-1252 (French Excel's
// default): data that is not valid UTF-8 and has no byte order mark is read
// as Windows-1252, never mangled. Text without a byte order mark that is
// mostly UTF-8 (more valid multi-byte sequences than invalid bytes) is
// UTF-8 with a few bad bytes: they are replaced by U+FFFD and their lines
// listed in Sniff.InvalidLines, the other lines kept intact. The returned
// text has no byte order mark.
func SniffCSV(data []byte) (string, Sniff, error) {
	var s Sniff
	var text string
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		s.Encoding, text = EncodingUTF8BOM, string(data[3:])
		if !utf8.ValidString(text) {
			s.InvalidLines = invalidLines(data[3:])
			text = strings.ToValidUTF8(text, "\uFFFD")
		}
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		s.Encoding = EncodingUTF16LE
		if data[0] == 0xFE {
			s.Encoding = EncodingUTF16BE
		}
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		b, err := dec.Bytes(data)
		if err != nil {
			return "", s, fmt.Errorf("decode %s: %w", s.Encoding, err)
		}
		text = strings.TrimPrefix(string(b), "\uFEFF")
	case bytes.IndexByte(data, 0) >= 0:
		return "", s, ErrBinary
	case utf8.Valid(data):
		s.Encoding, text = EncodingUTF8, string(data)
	case mostlyUTF8(data):
		s.Encoding, text = EncodingUTF8, strings.ToValidUTF8(string(data), "\uFFFD")
		s.InvalidLines = invalidLines(data)
	default:
		b, err := charmap.Windows1252.NewDecoder().Bytes(data)
		if err != nil {
			return "", s, fmt.Errorf("decode windows-1252: %w", err)
		}
		s.Encoding, text = EncodingWindows1252, string(b)
	}
	s.Separator = DetectSeparator(text)
	return text, s, nil
}

// mostlyUTF8 reports whether data, not valid UTF-8, still has more valid
// multi-byte UTF-8 sequences than invalid bytes: UTF-8 text with a few bad
// bytes. Windows-1252 French text has its accented letters as single bytes
// followed by ASCII, invalid in UTF-8, and hardly ever a valid sequence.
func mostlyUTF8(data []byte) bool {
	valid, invalid := 0, 0
	for i := 0; i < len(data); {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			invalid++
		} else {
			valid++
		}
		i += size
	}
	return valid > invalid
}

// invalidLines returns the lines (from 1) of data holding bytes that are
// not UTF-8.
func invalidLines(data []byte) []int {
	var out []int
	line := 1
	for i := 0; i < len(data); {
		c := data[i]
		if c == '\n' {
			line++
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 && (len(out) == 0 || out[len(out)-1] != line) {
			out = append(out, line)
		}
		i += size
	}
	return out
}

// DetectSeparator returns the field separator of CSV text among ';', ',',
// tab and '|': the one whose count outside quotes is the same on the most of
// the first 20 non-empty records (ties go to the larger count, then to that
// order). Text with none of them gives ';'.
func DetectSeparator(text string) rune {
	counts := make(map[rune][]int)
	records := 0
	cur := make(map[rune]int)
	inQuotes, empty := false, true
	flush := func() {
		if !empty {
			for _, sep := range separators {
				counts[sep] = append(counts[sep], cur[sep])
			}
			records++
		}
		clear(cur)
		empty = true
	}
	for _, r := range text {
		if records >= 20 {
			break
		}
		switch {
		case r == '"':
			inQuotes = !inQuotes
			empty = false
		case inQuotes:
		case r == '\n' || r == '\r':
			flush()
		default:
			if r != ' ' {
				empty = false
			}
			for _, sep := range separators {
				if r == sep {
					cur[sep]++
				}
			}
		}
	}
	flush()
	best, bestScore, bestMode := ';', 0, 0
	for _, sep := range separators {
		freq := make(map[int]int)
		for _, n := range counts[sep] {
			if n > 0 {
				freq[n]++
			}
		}
		mode, score := 0, 0
		for n, k := range freq {
			if k > score || k == score && n > mode {
				mode, score = n, k
			}
		}
		if score > bestScore || score == bestScore && score > 0 && mode > bestMode {
			best, bestScore, bestMode = sep, score, mode
		}
	}
	return best
}

// readCSV reads a CSV or TXT agency file.
func readCSV(ctx context.Context, path string, data []byte, opts Options) (*File, error) {
	text, sn, err := SniffCSV(data)
	if err != nil {
		return nil, errUnsupported(path, "n'est pas un fichier texte lisible")
	}
	file := &File{Path: path, Format: "csv", Encoding: sn.Encoding, Separator: string(sn.Separator), Records: []rppsync.Record{}}
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = sn.Separator
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	type line struct {
		num    int
		fields []string
	}
	var head []line
	headerAt := -1
	for len(head) < maxHeaderSearch || (opts.Profile != nil && opts.Profile.HeaderRow > 0 && headerAt < 0 && len(head) < opts.Profile.HeaderRow) {
		fields, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, errCorrupt(path)
		}
		n, _ := cr.FieldPos(0)
		head = append(head, line{n, fields})
		if opts.Profile != nil && opts.Profile.HeaderRow > 0 {
			if n == opts.Profile.HeaderRow {
				headerAt = len(head) - 1
				break
			}
			continue
		}
		if isHeader(opts.Profile, fields) {
			headerAt = len(head) - 1
			break
		}
	}
	if headerAt < 0 {
		return file, errNoHeader(path)
	}
	header := head[headerAt].fields
	sr := &sheetReader{path: path, lay: newLayout(opts.Profile, header), now: opts.Now, coll: newCollector(file), structures: opts.Structures}
	list := opts.records()
	if opts.Profile != nil {
		sr.agency = opts.Profile.Agency
	}
	sr.start()
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fields, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, errCorrupt(path)
		}
		n, _ := cr.FieldPos(0)
		last, _ := cr.FieldPos(len(fields) - 1)
		last += strings.Count(fields[len(fields)-1], "\n")
		var cut []int
		for i, f := range fields {
			if c, long := capCell(f); long {
				fields[i] = c
				cut = append(cut, i)
			}
		}
		rec, ok := sr.record(n, fields)
		if !ok {
			continue
		}
		addCutIssues(&rec, sr.lay, cut)
		if bad := linesIn(sn.InvalidLines, n, last); len(bad) > 0 {
			rec.Issues = append(rec.Issues, rppsync.Issue{Field: "", Code: CodeEncodingInvalid,
				Message: fmt.Sprintf("La ligne %d contient des octets illisibles en UTF-8, remplacés par « \uFFFD » : vérifiez ses valeurs et demandez à l'agence d'enregistrer le fichier en UTF-8.", bad[0])})
		}
		if len(fields) != len(header) {
			rec.Issues = append(rec.Issues, rppsync.Issue{Field: "", Code: CodeRowFieldCount,
				Message: fmt.Sprintf("La ligne %d compte %d champs au lieu des %d de la ligne d'en-tête : vérifiez les séparateurs « %s » et les guillemets de cette ligne, les valeurs ont pu glisser d'une colonne.", n, len(fields), len(header), displaySep(sn.Separator))})
		}
		list.add(rec)
	}
	file.Records = list.all()
	return file, nil
}

// linesIn returns the lines of sorted that are within [from, to].
func linesIn(sorted []int, from, to int) []int {
	i, _ := slices.BinarySearch(sorted, from)
	j, _ := slices.BinarySearch(sorted, to+1)
	return sorted[i:j]
}

func displaySep(r rune) string {
	if r == '\t' {
		return "tabulation"
	}
	return string(r)
}
