package importer

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// The cells of a worksheet are read by a small streaming scanner of the
// sheet's XML rather than by excelize's row iterator, which decodes each
// cell through encoding/xml and costs about three microseconds a cell
// (most of a check of an XLSX file). The scanner gives the same rows as
// excelize's Rows and Columns with RawCellValue (the tests compare both on
// generated and hand-written workbooks); what it does not understand is an
// error, never a silent truncation.

// errSheetXML says a worksheet or shared-string part is not the XML a
// spreadsheet holds.
var errSheetXML = errors.New("malformed worksheet XML")

// xmlToken kinds.
const (
	tokEOF = iota
	tokStart
	tokEnd
	tokText
)

// xmlScanner reads the tokens of an XML part: start and end tags by local
// name (a namespace prefix is dropped), their raw attributes, and text
// with its entities decoded and its line ends normalised as an XML parser
// does. Comments, processing instructions and the doctype are skipped;
// CDATA is text. It holds no more than one token at a time.
type xmlScanner struct {
	r         *bufio.Reader
	name      []byte // local name of the last tag
	attrs     []byte // raw attributes of the last start tag
	selfClose bool   // the last start tag was <x/>: next gives its end token at once
	text      []byte // the last text token, decoded
	raw       []byte // scratch
	pendEnd   bool   // an end token is owed for the self-closed start before
	open      []byte // qualified names of the open elements, end to end
	opens     []int  // where each starts in open
}

// xmlBufferSize is the scanner's read buffer; the tests make it tiny, so
// that tags and texts cross its ends.
var xmlBufferSize = 64 << 10

func newXMLScanner(r io.Reader) *xmlScanner {
	return &xmlScanner{r: bufio.NewReaderSize(r, xmlBufferSize)}
}

// next returns the kind of the next token.
func (x *xmlScanner) next() (int, error) {
	if x.pendEnd {
		x.pendEnd = false
		return tokEnd, nil
	}
	for {
		c, err := x.r.ReadByte()
		if err == io.EOF {
			if len(x.opens) > 0 {
				return tokEOF, fmt.Errorf("%w: unclosed element", errSheetXML)
			}
			return tokEOF, nil
		}
		if err != nil {
			return tokEOF, err
		}
		if c != '<' {
			_ = x.r.UnreadByte()
			if err := x.readText(); err != nil {
				return tokEOF, err
			}
			return tokText, nil
		}
		c, err = x.r.ReadByte()
		if err != nil {
			return tokEOF, readErr(err)
		}
		switch c {
		case '/':
			tag, err := x.readUntil('>')
			if err != nil {
				return tokEOF, err
			}
			tag = bytes.TrimRight(tag, " \t\r\n")
			// An end tag closes the element last opened, by the same name.
			n := len(x.opens)
			if n == 0 || !bytes.Equal(x.open[x.opens[n-1]:], tag) {
				return tokEOF, fmt.Errorf("%w: end tag %q does not match", errSheetXML, tag)
			}
			x.open, x.opens = x.open[:x.opens[n-1]], x.opens[:n-1]
			// Copied: tag is bufio's buffer, which the next read reuses.
			x.name = append(x.name[:0], localName(tag)...)
			return tokEnd, nil
		case '?':
			if err := x.instruction(); err != nil {
				return tokEOF, err
			}
		case '!':
			done, err := x.bang()
			if err != nil {
				return tokEOF, err
			}
			if done {
				return tokText, nil
			}
		default:
			_ = x.r.UnreadByte()
			if err := x.readStart(); err != nil {
				return tokEOF, err
			}
			return tokStart, nil
		}
	}
}

// readErr is the error of a read that stopped: the end of the part in the
// middle of a token is malformed XML; any other error (a cancelled ctx, the
// unzip budget spent, a damaged zip entry) is returned as it is.
func readErr(err error) error {
	if errors.Is(err, io.EOF) {
		return errSheetXML
	}
	return err
}

// readUntil reads up to and including delim and returns what came before,
// valid until the next read.
func (x *xmlScanner) readUntil(delim byte) ([]byte, error) {
	b, err := x.r.ReadSlice(delim)
	if err == nil {
		return b[:len(b)-1], nil
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		return nil, readErr(err)
	}
	x.raw = append(x.raw[:0], b...)
	for {
		b, err = x.r.ReadSlice(delim)
		x.raw = append(x.raw, b...)
		if err == nil {
			return x.raw[:len(x.raw)-1], nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return nil, readErr(err)
		}
	}
}

// instruction reads a processing instruction after its "<?": its target
// must be a name, and an XML declaration of another version than 1.0 or of
// another encoding than UTF-8 (encoding="ISO-8859-1", which excelize
// decodes) is refused (errSheetXML): the scanner reads UTF-8 only, and such
// a part is read through excelize.
func (x *xmlScanner) instruction() error {
	x.raw = x.raw[:0]
	for !bytes.HasSuffix(x.raw, []byte("?>")) {
		b, err := x.r.ReadSlice('>')
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return readErr(err)
		}
		x.raw = append(x.raw, b...)
	}
	body := x.raw[:len(x.raw)-2]
	end := bytes.IndexAny(body, " \t\r\n")
	if end < 0 {
		end = len(body)
	}
	if !xmlName(body[:end]) {
		return fmt.Errorf("%w: processing instruction", errSheetXML)
	}
	if string(body[:end]) != "xml" {
		return nil
	}
	decl := body[end:]
	if err := checkAttrs(decl); err != nil {
		return err
	}
	ver, _, _ := attr(decl, "version")
	enc, has, _ := attr(decl, "encoding")
	if ver != "1.0" || has && !strings.EqualFold(enc, "utf-8") && !strings.EqualFold(enc, "utf8") {
		return fmt.Errorf("%w: version %q, encoding %q", errSheetXML, ver, enc)
	}
	return nil
}

// comment skips a comment after its "<!--"; "--" inside it is an error,
// as with encoding/xml.
func (x *xmlScanner) comment() error {
	var last [2]byte // the two bytes before
	for {
		// A slice ends at a '>', or where the buffer is full.
		b, err := x.r.ReadSlice('>')
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return readErr(err)
		}
		for _, c := range b {
			if last[0] == '-' && last[1] == '-' {
				if c != '>' {
					return fmt.Errorf("%w: -- in a comment", errSheetXML)
				}
				return nil
			}
			last[0], last[1] = last[1], c
		}
	}
}

// bang handles what follows "<!": a comment, skipped, or a CDATA section,
// read as text (done). A doctype is refused (errSheetXML): its internal
// subset may declare entities and hide markup in quoted values, which only
// a full XML parser reads right, so such a part is read through excelize.
func (x *xmlScanner) bang() (done bool, err error) {
	peek, _ := x.r.Peek(7)
	switch {
	case bytes.HasPrefix(peek, []byte("--")):
		_, _ = x.r.Discard(2)
		return false, x.comment()
	case bytes.HasPrefix(peek, []byte("[CDATA[")):
		_, _ = x.r.Discard(7)
		x.text = x.text[:0]
		for {
			b, err := x.r.ReadSlice('>')
			if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
				return false, readErr(err)
			}
			x.text = append(x.text, b...)
			if err == nil && bytes.HasSuffix(x.text, []byte("]]>")) {
				x.text = normaliseNewlines(x.text[:len(x.text)-3])
				return true, checkXMLChars(x.text)
			}
		}
	default:
		return false, fmt.Errorf("%w: doctype or declaration", errSheetXML)
	}
}

// readStart reads a start tag after its "<".
func (x *xmlScanner) readStart() error {
	tag, err := x.readUntil('>')
	if err != nil {
		return err
	}
	// Quoted attribute values may hold '>' (and '/'): read on to the true
	// end first (tag is copied: it may be bufio's buffer, which the read
	// reuses). The quote state is carried from piece to piece, so that a
	// value of many '>' is read in one pass, never rescanned.
	q := quoteState(0, tag)
	if q != 0 {
		tag = append([]byte(nil), tag...)
	}
	for q != 0 {
		more, err := x.readUntil('>')
		if err != nil {
			return err
		}
		q = quoteState(q, more)
		tag = append(append(tag, '>'), more...)
	}
	x.selfClose = len(tag) > 0 && tag[len(tag)-1] == '/'
	if x.selfClose {
		tag = tag[:len(tag)-1]
	}
	end := bytes.IndexAny(tag, " \t\r\n")
	if end < 0 {
		end = len(tag)
	}
	qname := tag[:end]
	if !xmlName(qname) {
		return fmt.Errorf("%w: element name %q", errSheetXML, qname)
	}
	if err := checkAttrs(tag[end:]); err != nil {
		return err
	}
	x.name = append(x.name[:0], localName(qname)...)
	x.attrs = append(x.attrs[:0], tag[end:]...)
	x.pendEnd = x.selfClose
	if !x.selfClose {
		x.opens = append(x.opens, len(x.open))
		x.open = append(x.open, qname...)
	}
	return nil
}

// xmlName reports whether b is a name the scanner reads: ASCII letters,
// digits, '_', '-', '.', not starting with a digit, '-' or '.', with at most
// one ':' inside. Other names, valid in XML or not, are refused, and the
// part read through excelize.
func xmlName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	colons := 0
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case c >= '0' && c <= '9', c == '-', c == '.':
			if i == 0 {
				return false
			}
		case c == ':':
			colons++
			if i == 0 || i == len(b)-1 || colons > 1 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// checkAttrs checks the attributes of a start tag: each a name, "=", and a
// value quoted with " or ', without "<" or a character XML forbids, whose
// entities are known, the attributes apart by white space. What the
// scanner does not read is an error, never a value misread. It is one pass
// over the bytes: every start tag of a sheet goes through it.
func checkAttrs(b []byte) error {
	space := func(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
	bad := func(what string) error { return fmt.Errorf("%w: attribute %s", errSheetXML, what) }
	for i := 0; ; {
		j := i
		for j < len(b) && space(b[j]) {
			j++
		}
		if j == len(b) {
			return nil
		}
		if j == i {
			return bad("not apart")
		}
		k := j
		for k < len(b) && b[k] != '=' && !space(b[k]) {
			k++
		}
		if !xmlName(b[j:k]) {
			return bad("name")
		}
		for k < len(b) && space(b[k]) {
			k++
		}
		if k == len(b) || b[k] != '=' {
			return bad("without value")
		}
		k++
		for k < len(b) && space(b[k]) {
			k++
		}
		if k == len(b) || b[k] != '"' && b[k] != '\'' {
			return bad("value not quoted")
		}
		q := b[k]
		k++
		start := k
		amp, high := false, false
		for ; k < len(b) && b[k] != q; k++ {
			switch c := b[k]; {
			case c == '<':
				return bad("value with <")
			case c == '&':
				amp = true
			case c >= utf8.RuneSelf:
				high = true
			case c < 0x20 && c != '\t' && c != '\n' && c != '\r':
				return bad("value with a control character")
			}
		}
		if k == len(b) {
			return bad("value not closed")
		}
		switch v := b[start:k]; {
		case amp:
			if _, err := decodeXMLText(append([]byte(nil), v...)); err != nil {
				return err
			}
		case high:
			if err := checkXMLChars(v); err != nil {
				return err
			}
		}
		i = k + 1
	}
}

// quoteState returns the quote left open (0 for none) after b, read with
// quote q open before it.
func quoteState(q byte, b []byte) byte {
	for _, c := range b {
		switch {
		case q == 0 && (c == '"' || c == '\''):
			q = c
		case c == q:
			q = 0
		}
	}
	return q
}

// readText reads text up to the next '<', decoded.
func (x *xmlScanner) readText() error {
	x.text = x.text[:0]
	for {
		b, err := x.r.ReadSlice('<')
		if err == nil {
			x.text = append(x.text, b[:len(b)-1]...)
			_ = x.r.UnreadByte()
			break
		}
		x.text = append(x.text, b...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == io.EOF {
			break
		}
		return readErr(err)
	}
	var err error
	x.text, err = decodeXMLText(x.text)
	return err
}

// localName drops the namespace prefix of a tag or attribute name.
func localName(b []byte) []byte {
	if i := bytes.IndexByte(b, ':'); i >= 0 {
		return b[i+1:]
	}
	return b
}

// decodeXMLText decodes the entities of XML text in place and normalises
// its line ends ("\r\n" and "\r" to "\n"), as encoding/xml does; an entity
// it does not know, or a character XML forbids, is an error.
func decodeXMLText(b []byte) ([]byte, error) {
	if bytes.IndexByte(b, '&') < 0 && bytes.IndexByte(b, '\r') < 0 {
		return b, checkXMLChars(b)
	}
	out := b[:0]
	for i := 0; i < len(b); {
		c := b[i]
		switch c {
		case '\r':
			out = append(out, '\n')
			i++
			if i < len(b) && b[i] == '\n' {
				i++
			}
			continue
		case '&':
			semi := bytes.IndexByte(b[i:], ';')
			if semi < 0 || semi > 12 {
				return nil, errSheetXML
			}
			ent := b[i+1 : i+semi]
			var r rune
			switch string(ent) {
			case "lt":
				r = '<'
			case "gt":
				r = '>'
			case "amp":
				r = '&'
			case "quot":
				r = '"'
			case "apos":
				r = '\''
			default:
				if len(ent) < 2 || ent[0] != '#' {
					return nil, errSheetXML
				}
				var (
					n   uint64
					err error
				)
				if ent[1] == 'x' {
					n, err = strconv.ParseUint(string(ent[2:]), 16, 32)
				} else {
					n, err = strconv.ParseUint(string(ent[1:]), 10, 32)
				}
				if err != nil || !xmlChar(rune(n)) {
					return nil, errSheetXML
				}
				r = rune(n)
			}
			// The encoded rune is never longer than its reference, so the
			// output stays behind the input.
			out = utf8.AppendRune(out, r)
			i += semi + 1
			continue
		}
		out = append(out, c)
		i++
	}
	return out, checkXMLChars(out)
}

// checkXMLChars returns an error when b is not UTF-8 or holds a character
// XML 1.0 forbids (encoding/xml refuses both).
func checkXMLChars(b []byte) error {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return errSheetXML
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 || !xmlChar(r) {
			return errSheetXML
		}
		i += size
	}
	return nil
}

// xmlChar reports whether r is a character XML 1.0 allows.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// normaliseNewlines turns "\r\n" and "\r" into "\n", in place.
func normaliseNewlines(b []byte) []byte {
	if bytes.IndexByte(b, '\r') < 0 {
		return b
	}
	out := b[:0]
	for i := 0; i < len(b); i++ {
		if b[i] == '\r' {
			out = append(out, '\n')
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
			continue
		}
		out = append(out, b[i])
	}
	return out
}

// attr returns the value of the attribute of local name name in raw
// attributes, decoded, and whether it is there.
func attr(attrs []byte, name string) (string, bool, error) {
	for {
		attrs = bytes.TrimLeft(attrs, " \t\r\n")
		if len(attrs) == 0 {
			return "", false, nil
		}
		eq := bytes.IndexByte(attrs, '=')
		if eq < 0 {
			return "", false, errSheetXML
		}
		key := localName(bytes.TrimSpace(attrs[:eq]))
		if len(key) == 0 || bytes.ContainsAny(key, "\"'<>/ \t\r\n") {
			return "", false, errSheetXML
		}
		rest := bytes.TrimLeft(attrs[eq+1:], " \t\r\n")
		if len(rest) == 0 || rest[0] != '"' && rest[0] != '\'' {
			return "", false, errSheetXML
		}
		q := bytes.IndexByte(rest[1:], rest[0])
		if q < 0 {
			return "", false, errSheetXML
		}
		if string(key) == name {
			v := rest[1 : 1+q]
			if bytes.IndexByte(v, '&') >= 0 {
				d, err := decodeXMLText(append([]byte(nil), v...))
				return string(d), true, err
			}
			return string(v), true, nil
		}
		attrs = rest[q+2:]
	}
}

// child returns the kind of the next token inside an element, where the
// end of the part is an error.
func (x *xmlScanner) child() (int, error) {
	tok, err := x.next()
	if err == nil && tok == tokEOF {
		err = errSheetXML
	}
	return tok, err
}

// skipElement skips the content of the element whose start tag was just
// read, up to its end tag.
func (x *xmlScanner) skipElement() error {
	for depth := 1; depth > 0; {
		tok, err := x.child()
		if err != nil {
			return err
		}
		switch tok {
		case tokStart:
			depth++
		case tokEnd:
			depth--
		}
	}
	return nil
}

// children calls fn with the name of each child element of the element
// whose start tag was just read, once its own start tag is read, up to
// the parent's end tag; fn reads the child whole, or returns false to
// have it skipped. Text between the children is ignored.
func (x *xmlScanner) children(fn func(name []byte) (read bool, err error)) error {
	for {
		tok, err := x.child()
		if err != nil {
			return err
		}
		switch tok {
		case tokEnd:
			return nil
		case tokStart:
			read, err := fn(x.name)
			if err != nil {
				return err
			}
			if !read {
				if err := x.skipElement(); err != nil {
					return err
				}
			}
		}
	}
}

// elementText returns the text of the element whose start tag was just
// read, skipping any child element.
func (x *xmlScanner) elementText(buf []byte) ([]byte, error) {
	buf = buf[:0]
	for {
		tok, err := x.child()
		if err != nil {
			return nil, err
		}
		switch tok {
		case tokText:
			buf = append(buf, x.text...)
		case tokStart:
			if err := x.skipElement(); err != nil {
				return nil, err
			}
		case tokEnd:
			return buf, nil
		}
	}
}

// richText reads a string item (<si> of the shared strings, <is> of an
// inline string) whose start tag was just read, as excelize gives it: the
// text of its last direct <t>, then the text of the last <t> of each run
// (<r>); phonetic runs left out; then the _xHHHH_ escapes decoded.
func (x *xmlScanner) richText() (string, error) {
	var t, runs, last []byte
	err := x.children(func(name []byte) (read bool, err error) {
		switch string(name) {
		case "t":
			t, err = x.elementText(t)
			return true, err
		case "r":
			last = last[:0]
			err = x.children(func(name []byte) (bool, error) {
				if string(name) != "t" {
					return false, nil
				}
				var err error
				last, err = x.elementText(last)
				return true, err
			})
			runs = append(runs, last...)
			return true, err
		}
		return false, nil
	})
	if err != nil {
		return "", err
	}
	s := string(t) + string(runs)
	if s == "" {
		return "", nil
	}
	return bstrUnescape(s), nil
}

// bstrEscape is an escaped character of an OOXML string (ECMA-376
// ST_Xstring: "_x000D_" for a carriage return, "_x005F_" for "_").
var bstrEscape = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)

// bstrUnescape decodes the _xHHHH_ escapes of s, as excelize does.
func bstrUnescape(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	return bstrEscape.ReplaceAllStringFunc(s, func(m string) string {
		if m == "_x005F_" {
			return "_"
		}
		v, _ := strconv.Unquote(`"\u` + m[2:6] + `"`)
		return v
	})
}

// readSharedStrings reads the shared strings part.
func readSharedStrings(r io.Reader) ([]string, error) {
	x := newXMLScanner(r)
	var out []string
	for {
		tok, err := x.next()
		if err != nil {
			return nil, err
		}
		switch tok {
		case tokEOF:
			return out, nil
		case tokStart:
			if string(x.name) == "si" {
				s, err := x.richText()
				if err != nil {
					return nil, err
				}
				out = append(out, s)
			}
		}
	}
}

// sheetRows reads the rows of a worksheet part as excelize's Rows and
// Columns(RawCellValue) give them: one row per row number from 1 to the
// last row element (rows absent from the part come empty), each the raw
// values of its cells up to its last non-empty one (or last formula),
// empty strings between.
type sheetRows struct {
	x         *xmlScanner
	sst       []string
	inData    bool // inside sheetData
	done      bool
	num       int      // number of the row last returned
	next      int      // number of the row element read ahead, 0 when none
	reordered bool     // a row element came with a number not above the row before
	maxCols   int      // when not 0, cells past this column are not kept
	cells     []string // its cells
	v, text   []byte
}

func newSheetRows(r io.Reader, sst []string) *sheetRows {
	return &sheetRows{x: newXMLScanner(r), sst: sst}
}

// Next returns the next row and its number; ok is false at the end.
func (s *sheetRows) Next() (num int, cells []string, ok bool, err error) {
	if s.next == 0 && !s.done {
		if err := s.readRow(); err != nil {
			s.done = true
			return 0, nil, false, err
		}
	}
	if s.next == 0 {
		return 0, nil, false, nil
	}
	s.num++
	if s.num < s.next {
		return s.num, nil, true, nil // a row the part leaves out
	}
	cells = s.cells
	s.next, s.cells = 0, nil
	return s.num, cells, true, nil
}

// readRow reads the next row element into s.next and s.cells; s.next stays
// 0 at the end of the sheet data.
func (s *sheetRows) readRow() error {
	x := s.x
	for {
		tok, err := x.next()
		if err != nil {
			return err
		}
		switch tok {
		case tokEOF:
			s.done = true
			if s.inData {
				return errSheetXML
			}
			return nil
		case tokEnd:
			if string(x.name) == "sheetData" {
				s.done = true
				return nil
			}
		case tokStart:
			switch string(x.name) {
			case "sheetData":
				s.inData = !x.selfClose
				if x.selfClose {
					s.done = true
					return nil
				}
			case "row":
				if !s.inData {
					return errSheetXML
				}
				r, has, err := attr(x.attrs, "r")
				if err != nil {
					return err
				}
				num := s.num + 1
				if has {
					n, err := strconv.Atoi(strings.TrimSpace(r))
					if err != nil || n < 0 {
						return fmt.Errorf("%w: row number %q", errSheetXML, r)
					}
					if n > excelize.TotalRows {
						return excelize.ErrMaxRows
					}
					if n < num {
						// Rows out of order break the format; excelize
						// appends such a row's cells to the row before.
						// It is read here as the row after it: nothing
						// of it is lost or mixed with another.
						s.reordered = true
					}
					num = max(num, n)
				}
				s.next = num
				s.cells = nil
				if x.selfClose {
					x.pendEnd = false
					return nil
				}
				return s.readCells()
			default:
				if s.inData {
					if err := x.skipElement(); err != nil {
						return err
					}
				}
			}
		}
	}
}

// readCells reads the cells of the row element whose start was just read.
func (s *sheetRows) readCells() error {
	x := s.x
	col := 0
	for {
		tok, err := x.child()
		if err != nil {
			return err
		}
		switch tok {
		case tokEnd:
			return nil // the row's end: cells end at their own
		case tokStart:
			if string(x.name) != "c" {
				if err := x.skipElement(); err != nil {
					return err
				}
				continue
			}
			col++
			ref, hasRef, err := attr(x.attrs, "r")
			if err != nil {
				return err
			}
			typ, _, err := attr(x.attrs, "t")
			if err != nil {
				return err
			}
			if hasRef && ref != "" {
				if col, _, err = excelize.CellNameToCoordinates(ref); err != nil {
					return err
				}
			}
			val, formula, err := s.readCell(typ)
			if err != nil {
				return err
			}
			if s.maxCols > 0 && col > s.maxCols {
				continue // a row is never padded up to a far column
			}
			if val != "" || formula {
				for len(s.cells) < col-1 {
					s.cells = append(s.cells, "")
				}
				s.cells = append(s.cells, val)
			}
		}
	}
}

// readCell reads the content of the cell whose start tag was just read,
// and returns its raw value and whether it has a formula.
func (s *sheetRows) readCell(typ string) (val string, formula bool, err error) {
	x := s.x
	if x.selfClose {
		x.pendEnd = false
		return "", false, nil
	}
	var (
		v      []byte
		hasIS  bool
		inline string
	)
	for {
		tok, err := x.child()
		if err != nil {
			return "", false, err
		}
		switch tok {
		case tokEnd:
			val, err := s.value(typ, v, hasIS, inline)
			return val, formula, err
		case tokStart:
			switch string(x.name) {
			case "v":
				if s.v, err = x.elementText(s.v); err != nil {
					return "", false, err
				}
				v = s.v
			case "f":
				formula = true
				if err := x.skipElement(); err != nil {
					return "", false, err
				}
			case "is":
				hasIS = true
				if inline, err = x.richText(); err != nil {
					return "", false, err
				}
			default:
				if err := x.skipElement(); err != nil {
					return "", false, err
				}
			}
		}
	}
}

// value gives a cell's raw value by its type, as excelize does.
func (s *sheetRows) value(typ string, v []byte, hasIS bool, inline string) (string, error) {
	switch typ {
	case "s":
		if len(v) == 0 {
			return "", nil
		}
		i, _ := strconv.Atoi(strings.TrimSpace(string(v)))
		if i < 0 || i >= len(s.sst) {
			return "", fmt.Errorf("%w: shared string %d of %d", errSheetXML, i, len(s.sst))
		}
		return s.sst[i], nil
	case "inlineStr":
		if hasIS {
			return inline, nil
		}
	}
	return string(v), nil
}

// sharedStringsPart is where a workbook keeps its shared strings when its
// relationships do not say.
const sharedStringsPart = "xl/sharedStrings.xml"

// errPartTooLarge says a part to be read whole is larger than allowed.
var errPartTooLarge = errors.New("part too large")

// loadSharedStrings reads the shared strings part of a workbook, of at most
// limit bytes (errPartTooLarge otherwise); none when there is no such part.
func loadSharedStrings(ctx context.Context, pkg *opcPackage, part string, limit int64) ([]string, error) {
	f, ok := pkg.parts[partKey(part)]
	if !ok {
		return nil, nil
	}
	if f.UncompressedSize64 > uint64(limit) {
		return nil, errPartTooLarge
	}
	rc, err := pkg.open(ctx, part)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return readSharedStrings(io.LimitReader(rc, limit))
}
