package importer

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/rppsync/rppsync"
)

// Reasons a sheet is skipped (rppsync.SheetInfo.Skipped).
const (
	skipProfile  = "feuille non retenue par le profil de l'agence"
	skipNoHeader = "aucune ligne d'intitulés reconnue dans les 20 premières lignes"
	skipEmpty    = "feuille vide"
	skipNotGrid  = "feuille sans cellules (graphique ou macro)"
)

// cellRange is a merged range, 1-based and inclusive.
type cellRange struct{ col1, row1, col2, row2 int }

// readXLSX reads a workbook from its bytes: its sheets from the workbook
// part, their cells with sheetRows (see sheetxml.go), or through excelize
// for a sheet whose part the scanner does not read (File.SlowPath).
func readXLSX(ctx context.Context, p string, data []byte, opts Options) (*File, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errCorrupt(p)
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > uint64(opts.MaxUnzipSize) {
			return nil, errTooLarge(p, opts.MaxUnzipSize)
		}
	}
	pkg := newPackage(zr, opts.MaxUnzipSize)
	wb, err := readWorkbook(ctx, pkg, opts.MaxUnzipXMLSize)
	if err != nil {
		if errors.Is(err, errNotWorkbook) {
			return nil, errUnsupported(p, "est une archive zip mais pas un classeur Excel (.xlsx)")
		}
		return nil, xlsxError(ctx, p, err, opts)
	}

	file := &File{Path: p, Format: "xlsx", Records: []rppsync.Record{}}
	x := &xlsxReader{data: data, opts: opts}
	defer x.close()
	coll := newCollector(file)
	read := 0
	textLeft := opts.MaxUnzipSize // mapped cell text kept, all sheets together
	var sst []string              // the shared strings, read with the first sheet read
	slow := false                 // the shared strings are not the scanner's: read every sheet through excelize
	for _, sheet := range wb.sheets {
		name := sheet.name
		info := rppsync.SheetInfo{Name: name, Hidden: sheet.state != "" && sheet.state != "visible"}
		if !opts.Profile.wantsSheet(name) {
			info.Skipped = skipProfile
			file.Sheets = append(file.Sheets, info)
			continue
		}
		sr := &sheetReader{path: p, sheet: name, spreadsheet: true, date1904: wb.date1904, now: opts.Now, coll: coll, records: opts.records(),
			structures: opts.Structures}
		sr.hidden = info.Hidden && !opts.Profile.namesSheet(name)
		if opts.Profile != nil {
			sr.agency = opts.Profile.Agency
		}
		part := sheet.part
		if part == "" {
			// No part behind the name (a relationship missing).
			info.Skipped = skipNotGrid
			file.Sheets = append(file.Sheets, info)
			continue
		}
		merges := func() ([]cellRange, error) { return scanMerges(ctx, pkg, part) }
		if sst == nil && !slow {
			if sst, err = loadSharedStrings(ctx, pkg, wb.sharedStrings, opts.MaxUnzipXMLSize); err != nil {
				if !canFallBack(ctx, err) {
					return nil, xlsxError(ctx, p, err, opts)
				}
				slow = true
			}
			if sst == nil {
				sst = []string{}
			}
		}
		var (
			rows   rowSource
			partRC io.Closer // the sheet's part, closed once the sheet is read
		)
		switch {
		case slow:
			if rows, err = x.excelizeRows(ctx, pkg, name, part, 0); err != nil {
				return nil, xlsxError(ctx, p, err, opts)
			}
			file.SlowPath = true
		case !pkg.has(part):
			// A part the archive lacks is an empty sheet, as with excelize.
			rows = &scanRows{sheetRows: newSheetRows(strings.NewReader(""), sst), ctx: ctx}
		default:
			rc, err := pkg.open(ctx, sheet.part)
			if err != nil {
				return nil, xlsxError(ctx, p, err, opts)
			}
			partRC = rc
			rows = &scanRows{sheetRows: newSheetRows(rc, sst), ctx: ctx, fallback: func(after int) (rowSource, error) {
				file.SlowPath = true
				return x.excelizeRows(ctx, pkg, name, part, after)
			}}
		}
		recs, err := readSheet(ctx, rows, sr, opts.Profile, merges, &info, &textLeft)
		if partRC != nil {
			_ = partRC.Close()
		}
		if err != nil {
			if errors.Is(err, errTextBudget) {
				return nil, errTextTooLarge(p, opts.MaxUnzipSize)
			}
			return nil, xlsxError(ctx, p, err, opts)
		}
		if info.Skipped == "" {
			read++
			file.Records = append(file.Records, recs...)
		}
		file.Sheets = append(file.Sheets, info)
	}
	if read == 0 {
		return file, errNoHeader(p)
	}
	return file, nil
}

// xlsxError turns an error met reading a workbook into the file's error.
func xlsxError(ctx context.Context, p string, err error, opts Options) error {
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, errUnzipBudget):
		return errTooLarge(p, opts.MaxUnzipSize)
	case errors.Is(err, errPartTooLarge):
		return errTooLarge(p, opts.MaxUnzipXMLSize)
	}
	return errCorrupt(p)
}

// canFallBack reports whether a part the scanner could not read may be
// read through excelize: not when ctx is done, the unzip budget spent or
// the zip entry itself damaged.
func canFallBack(ctx context.Context, err error) bool {
	var pe *partReadError
	return ctx.Err() == nil && !errors.Is(err, errUnzipBudget) && !errors.Is(err, errPartTooLarge) && !errors.As(err, &pe)
}

// xlsxReader holds what the sheets of one workbook share: the excelize
// reading of the file, opened only when a sheet needs it.
type xlsxReader struct {
	data    []byte
	opts    Options
	xf      *excelize.File
	xerr    error
	closers []io.Closer
}

// excelizeRows returns the rows of a sheet as excelize reads them, after
// row number after. The part is first read through encoding/xml as
// excelize reads it: excelize's row iterator ends silently at the first XML
// error, and a sheet cut short must be an error, never fewer rows.
func (x *xlsxReader) excelizeRows(ctx context.Context, pkg *opcPackage, sheet, part string, after int) (rowSource, error) {
	if x.xf == nil && x.xerr == nil {
		x.xf, x.xerr = excelize.OpenReader(bytes.NewReader(x.data), excelize.Options{
			RawCellValue: true, UnzipSizeLimit: x.opts.MaxUnzipSize, UnzipXMLSizeLimit: x.opts.MaxUnzipXMLSize})
	}
	if x.xerr != nil {
		return nil, x.xerr
	}
	if err := checkSheetXML(ctx, pkg, part, x.xf.CharsetReader); err != nil {
		return nil, err
	}
	it, err := x.xf.Rows(sheet)
	if err != nil {
		return nil, err
	}
	x.closers = append(x.closers, it)
	r := &excelRows{ctx: ctx, it: it}
	for r.num < after {
		if _, _, ok, err := r.Next(); err != nil || !ok {
			return r, err
		}
	}
	return r, nil
}

// checkSheetXML reads a worksheet part with encoding/xml, as excelize does
// (a declared encoding such as ISO-8859-1 included), up to the end of its
// sheet data, and returns the first XML error, wrapping errSheetXML. A part
// the package lacks is an empty sheet.
func checkSheetXML(ctx context.Context, pkg *opcPackage, part string, charset func(string, io.Reader) (io.Reader, error)) error {
	if !pkg.has(part) {
		return nil
	}
	rc, err := pkg.open(ctx, part)
	if err != nil {
		return err
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	d.CharsetReader = charset
	for {
		tok, err := d.Token()
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			if !canFallBack(ctx, err) {
				return err
			}
			return fmt.Errorf("%w: %w", errSheetXML, err)
		}
		if end, ok := tok.(xml.EndElement); ok && end.Name.Local == "sheetData" {
			return nil
		}
	}
}

func (x *xlsxReader) close() {
	for _, c := range x.closers {
		_ = c.Close()
	}
	if x.xf != nil {
		_ = x.xf.Close()
	}
}

// rowSource gives the rows of a sheet, numbered from 1, each its raw cell
// values (see sheetRows).
type rowSource interface {
	Next() (num int, cells []string, ok bool, err error)
	// limitCols keeps no cell past the first n columns from now on (n > 0).
	limitCols(n int)
}

// scanRows reads a sheet with the scanner and, when the scanner refuses
// what it reads (a DOCTYPE, a construct it does not know), reads the rest
// of the sheet through excelize, from the row after the last one given.
type scanRows struct {
	*sheetRows
	ctx      context.Context
	fallback func(after int) (rowSource, error) // nil: no fallback
	slow     rowSource
	last     int
	maxCols  int
}

func (s *scanRows) Next() (int, []string, bool, error) {
	if s.slow == nil {
		num, cells, ok, err := s.sheetRows.Next()
		if err == nil {
			if ok {
				s.last = num
			}
			return num, cells, ok, nil
		}
		if s.fallback == nil || !canFallBack(s.ctx, err) {
			return 0, nil, false, err
		}
		slow, ferr := s.fallback(s.last)
		if ferr != nil {
			return 0, nil, false, fmt.Errorf("%w (excelize: %w)", err, ferr)
		}
		s.slow = slow
		if s.maxCols > 0 {
			s.slow.limitCols(s.maxCols)
		}
	}
	return s.slow.Next()
}

func (s *scanRows) limitCols(n int) {
	s.maxCols = n
	s.sheetRows.maxCols = n
	if s.slow != nil {
		s.slow.limitCols(n)
	}
}

// excelRows reads a sheet through excelize's row iterator.
type excelRows struct {
	ctx     context.Context
	it      *excelize.Rows
	num     int
	maxCols int
}

func (e *excelRows) Next() (int, []string, bool, error) {
	if err := e.ctx.Err(); err != nil {
		return 0, nil, false, err
	}
	if !e.it.Next() {
		return 0, nil, false, e.it.Error()
	}
	e.num++
	cells, err := e.it.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return 0, nil, false, err
	}
	if e.maxCols > 0 && len(cells) > e.maxCols {
		cells = cells[:e.maxCols]
	}
	return e.num, cells, true, nil
}

func (e *excelRows) limitCols(n int) { e.maxCols = n }

// xlsxRow is one row of a sheet: its Excel number, its raw cell texts and
// the columns whose text was cut (see capCell).
type xlsxRow struct {
	num   int
	cells []string
	cut   []int
}

// colMargin is how many columns past the heading row's last are kept: a
// social security number just right of the table is still recognised.
const colMargin = 16

// readSheet finds the heading of one sheet and reads the rows under it. It
// sets info.HeaderRow, or info.Skipped when there is no heading. textLeft
// is the mapped cell text the file may still keep (errTextBudget past it).
func readSheet(ctx context.Context, rows rowSource, sr *sheetReader, prof *Profile,
	merges func() ([]cellRange, error), info *rppsync.SheetInfo, textLeft *int64) (recs []rppsync.Record, err error) {
	// next reads the next row; it stops on a cancelled ctx.
	next := func() (xlsxRow, bool, error) {
		if err := ctx.Err(); err != nil {
			return xlsxRow{}, false, err
		}
		num, cells, ok, err := rows.Next()
		if err != nil || !ok {
			return xlsxRow{}, false, err
		}
		var cut []int
		for i, c := range cells {
			c, long := capCell(c)
			if long {
				cut = append(cut, i)
			}
			cells[i] = plainNumber(c)
		}
		return xlsxRow{num, cells, cut}, true, nil
	}

	// Buffer the top rows until the heading row, plus the row after it
	// (a possible second heading row).
	var buf []xlsxRow
	headerAt := -1
	limit := maxHeaderSearch
	if prof != nil && prof.HeaderRow > 0 {
		limit = prof.HeaderRow
	}
	nonBlank := false
	for len(buf) < limit+1 {
		r, ok, err := next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		buf = append(buf, r)
		nonBlank = nonBlank || strings.Join(r.cells, "") != ""
		if headerAt >= 0 {
			break // the row after the heading is buffered
		}
		if r.num > limit {
			break
		}
		if prof != nil && prof.HeaderRow > 0 {
			if r.num == prof.HeaderRow {
				headerAt = len(buf) - 1
			}
		} else if isHeader(prof, r.cells) {
			headerAt = len(buf) - 1
		}
	}
	if headerAt < 0 {
		info.Skipped = skipNoHeader
		if !nonBlank {
			info.Skipped = skipEmpty
		}
		return nil, nil
	}

	ranges, err := merges()
	if err != nil {
		return nil, err
	}
	header := buf[headerAt]
	info.HeaderRow = header.num
	lay := newLayout(prof, header.cells)
	dataFrom := headerAt + 1
	// A second heading row under this one: the heading row has cells merged
	// across columns (or down into the next row) and the next row has text
	// under them.
	if headerAt+1 < len(buf) {
		below := buf[headerAt+1]
		spans := horizontalSpans(ranges, header.num)
		if (len(spans) > 0 && hasTextUnder(below.cells, spans)) || mergesDown(ranges, header.num) {
			lay = combineLayout(prof, header.cells, below.cells, spans)
			dataFrom = headerAt + 2
		}
	}
	// A first heading row above this one ("Identité" over "Nom", "Prénom"):
	// at least two labels in that row, merged across the columns below.
	if dataFrom == headerAt+1 && headerAt > 0 {
		above := buf[headerAt-1]
		spans := horizontalSpans(ranges, above.num)
		if len(spans) > 0 && countText(above.cells) >= 2 && hasTextUnder(header.cells, spans) {
			lay = combineLayout(prof, above.cells, header.cells, spans)
		}
	}
	sr.lay = lay
	sr.start()
	rows.limitCols(len(lay.cols) + colMargin)
	list := sr.records
	var budgetErr error
	emit := func(r xlsxRow) {
		for i, c := range r.cells {
			if i < len(lay.cols) && lay.cols[i].field != "" {
				*textLeft -= int64(len(c))
			}
		}
		if *textLeft < 0 {
			budgetErr = errTextBudget
			return
		}
		if rec, ok := sr.record(r.num, r.cells); ok {
			addCutIssues(&rec, lay, r.cut)
			list.add(rec)
		}
	}
	for _, r := range buf[dataFrom:] {
		emit(r)
	}
	for budgetErr == nil {
		r, ok, err := next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		emit(r)
	}
	if budgetErr != nil {
		return nil, budgetErr
	}
	return list.all(), nil
}

// horizontalSpans returns, 0-based, the column ranges merged across at least
// two columns starting in a given row.
func horizontalSpans(ranges []cellRange, row int) [][2]int {
	var spans [][2]int
	for _, r := range ranges {
		if r.row1 == row && r.col2 > r.col1 {
			spans = append(spans, [2]int{r.col1 - 1, r.col2 - 1})
		}
	}
	return spans
}

// mergesDown reports whether a range starting in row spans the next row too.
func mergesDown(ranges []cellRange, row int) bool {
	for _, r := range ranges {
		if r.row1 == row && r.row2 > row {
			return true
		}
	}
	return false
}

// hasTextUnder reports whether cells has text inside one of the spans.
func hasTextUnder(cells []string, spans [][2]int) bool {
	for _, s := range spans {
		for i := s[0]; i <= s[1] && i < len(cells); i++ {
			if strings.TrimSpace(cells[i]) != "" {
				return true
			}
		}
	}
	return false
}

func countText(cells []string) int {
	n := 0
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			n++
		}
	}
	return n
}

// errNotWorkbook says a zip archive has no workbook part.
var errNotWorkbook = errors.New("not a workbook")

// workbook is what readXLSX needs of the workbook part: the sheets in
// their order, the date system and where the shared strings are.
type workbook struct {
	sheets        []workbookSheet
	date1904      bool   // serial dates count from 1904
	sharedStrings string // the shared strings part
}

// workbookSheet is a sheet of the workbook: its name, its state ("",
// "visible", "hidden" or "veryHidden") and its part in the zip ("" when
// its relationship is missing).
type workbookSheet struct {
	name, state, part string
}

// scanMerges streams a worksheet part and returns its merged ranges; the
// cell data is skipped, never held in memory. The part is searched as bytes
// for its mergeCell elements rather than decoded as XML: the sheet data
// before them is most of the part, and an XML decoder going through it
// would cost as much as reading the cells themselves. In well-formed XML a
// "<" in text is always escaped, so "<mergeCell " (or "<x:mergeCell " with
// a namespace prefix) can only start the element.
func scanMerges(ctx context.Context, pkg *opcPackage, part string) ([]cellRange, error) {
	if !pkg.has(part) {
		return nil, nil
	}
	rc, err := pkg.open(ctx, part)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var out []cellRange
	err = eachMergeRef(rc, func(ref string) {
		first, last, ok := strings.Cut(ref, ":")
		if !ok {
			return
		}
		c1, r1, err1 := excelize.CellNameToCoordinates(first)
		c2, r2, err2 := excelize.CellNameToCoordinates(last)
		if err1 == nil && err2 == nil {
			out = append(out, cellRange{min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)})
		}
	})
	return out, err
}

// mergeCellTag is the name that opens a merged range element.
var mergeCellTag = []byte("mergeCell ")

// eachMergeRef calls fn with the ref attribute of each mergeCell element of
// the worksheet XML read from r, in order.
func eachMergeRef(r io.Reader, fn func(ref string)) error {
	buf := make([]byte, 0, 64<<10)
	chunk := make([]byte, 64<<10)
	for eof := false; !eof; {
		n, err := io.ReadFull(r, chunk)
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			eof = true
		case err != nil:
			return err
		}
		buf = append(buf, chunk[:n]...)
		// Report every complete element; keep, for the next read, the
		// bytes from the first incomplete one (with room for its prefix),
		// or else the last ones that could start a tag, but never an
		// element already reported.
		consumed := 0
		keep := -1
		for {
			i := bytes.Index(buf[consumed:], mergeCellTag)
			if i < 0 {
				break
			}
			i += consumed
			end := bytes.IndexByte(buf[i:], '>')
			if end < 0 {
				keep = max(consumed, i-32)
				break
			}
			end += i
			if opensTag(buf[:i]) {
				if ref, ok := xmlAttr(buf[i+len(mergeCellTag):end], "ref"); ok {
					fn(ref)
				}
			}
			consumed = end + 1
		}
		if keep < 0 {
			keep = max(consumed, len(buf)-len(mergeCellTag)-32)
		}
		buf = append(buf[:0], buf[keep:]...)
	}
	return nil
}

// opensTag reports whether the tag name that starts at the end of b is
// opened there: b ends with "<" or with "<prefix:".
func opensTag(b []byte) bool {
	if len(b) > 0 && b[len(b)-1] == '<' {
		return true
	}
	if len(b) == 0 || b[len(b)-1] != ':' {
		return false
	}
	for i := len(b) - 2; i >= 0 && len(b)-i < 32; i-- {
		switch c := b[i]; {
		case c == '<':
			return i < len(b)-2
		case c == '_' || c == '-' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return false
}

// xmlAttr returns the value of attribute name in the attribute text of a
// start tag, quoted with " or ' (a cell range holds no entity to decode).
func xmlAttr(attrs []byte, name string) (string, bool) {
	for len(attrs) > 0 {
		attrs = bytes.TrimLeft(attrs, " \t\r\n")
		eq := bytes.IndexByte(attrs, '=')
		if eq < 0 {
			return "", false
		}
		key := bytes.TrimSpace(attrs[:eq])
		rest := bytes.TrimLeft(attrs[eq+1:], " \t\r\n")
		if len(rest) == 0 || rest[0] != '"' && rest[0] != '\'' {
			return "", false
		}
		q := bytes.IndexByte(rest[1:], rest[0])
		if q < 0 {
			return "", false
		}
		if string(key) == name {
			return string(rest[1 : 1+q]), true
		}
		attrs = rest[q+2:]
	}
	return "", false
}
