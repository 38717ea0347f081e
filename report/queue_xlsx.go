package report

import (
	"archive/zip"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
	"github.com/xuri/excelize/v2"
)

// QueueNothingToDo is the sentence the "Résumé" sheet of an empty queue
// export shows instead of its table of counts.
const QueueNothingToDo = "Rien à faire : aucune demande ne correspond à cet export."

// maxSheetName is the longest sheet name Excel accepts, in UTF-16 units.
const maxSheetName = 31

// Bounds of a fitted column width, in characters.
const (
	minColWidth = 8
	maxColWidth = 60
)

// dateTimeFormat is the custom number format of date-and-time cells.
const dateTimeFormat = "dd/mm/yyyy hh:mm"

// queueXLSX holds what every cell of a queue workbook needs.
type queueXLSX struct {
	st       xlsxStyles
	dateTime int            // style id of date-and-time cells
	loc      *time.Location // where times (the export date, e-CPS due times) are shown
}

// queueColumn is one column of a kind's sheet: its French title and the
// cell it holds for an entry (nil for no cell).
type queueColumn struct {
	title string
	cell  func(q queueXLSX, e queue.Entry) any
}

// registration returns the entry's pre-filled person, or an empty one.
func registration(e queue.Entry) *queue.Registration {
	if e.Registration != nil {
		return e.Registration
	}
	return &queue.Registration{}
}

// regText returns a column holding a text field of the entry's registration.
func regText(title string, field func(r *queue.Registration) string) queueColumn {
	return queueColumn{title, func(q queueXLSX, e queue.Entry) any { return text(field(registration(e)), 0) }}
}

// The columns every kind's sheet starts with: who, where and when.
var queueLeadColumns = []queueColumn{
	{"N°", func(_ queueXLSX, e queue.Entry) any { return e.ID }},
	{"État", func(_ queueXLSX, e queue.Entry) any { return text(e.State.Label(), 0) }},
	{"Nom de naissance", func(_ queueXLSX, e queue.Entry) any { return text(workerOf(e).LastName, 0) }},
	{"Nom d'usage", func(_ queueXLSX, e queue.Entry) any { return text(workerOf(e).UsageName, 0) }},
	{"Prénoms", func(_ queueXLSX, e queue.Entry) any { return text(workerOf(e).FirstName, 0) }},
	{"Agence", func(_ queueXLSX, e queue.Entry) any { return text(e.Agency, 0) }},
	{"FINESS", func(_ queueXLSX, e queue.Entry) any { return text(e.FINESS, 0) }},
	{"RPPS", func(_ queueXLSX, e queue.Entry) any { return text(e.RPPS, 0) }},
	{"Début contrat", func(q queueXLSX, e queue.Entry) any { return dateCell(e.Start, q.st.date) }},
	{"Fin contrat", func(q queueXLSX, e queue.Entry) any { return dateCell(e.End, q.st.date) }},
}

// The columns every kind's sheet ends with: why, and the agency row it
// came from.
var queueTailColumns = []queueColumn{
	{"Motif", func(q queueXLSX, e queue.Entry) any { return text(e.Reason, q.st.wrap) }},
	{"Fichier", func(_ queueXLSX, e queue.Entry) any { return text(e.Source.Path, 0) }},
	{"Feuille", func(_ queueXLSX, e queue.Entry) any { return text(e.Source.Sheet, 0) }},
	{"Ligne", func(_ queueXLSX, e queue.Entry) any {
		if e.Source.Row <= 0 {
			return nil
		}
		return e.Source.Row
	}},
}

// Columns shared by several kinds.
var (
	colCivility    = regText("Civilité", func(r *queue.Registration) string { return r.Civility })
	colBirthDate   = queueColumn{"Date de naissance", func(q queueXLSX, e queue.Entry) any { return dateCell(registration(e).BirthDate, q.st.date) }}
	colBirthINSEE  = regText("INSEE naissance", func(r *queue.Registration) string { return r.BirthINSEE })
	colCountry     = regText("Pays de naissance", func(r *queue.Registration) string { return r.BirthCountry })
	colNationality = regText("Nationalité", func(r *queue.Registration) string { return r.Nationality })
	colEmail       = regText("Courriel", func(r *queue.Registration) string { return r.Email })
	colPhone       = regText("Téléphone", func(r *queue.Registration) string { return r.Phone })
	colProfession  = regText("Profession", func(r *queue.Registration) string { return r.ProfessionLabel })
	colProfCode    = regText("Code profession", func(r *queue.Registration) string { return r.ProfessionCode })
	colMissing     = queueColumn{"Champs manquants", func(q queueXLSX, e queue.Entry) any {
		return text(strings.Join(registration(e).Missing, "\n"), q.st.wrap)
	}}
	colIssues = queueColumn{"Problèmes à corriger", func(q queueXLSX, e queue.Entry) any {
		lines := make([]string, len(e.Issues))
		for i, is := range e.Issues {
			lines[i] = issueText(is)
		}
		return text(strings.Join(lines, "\n"), q.st.wrap)
	}}
	colCandidates = queueColumn{"Candidats (RPPS, score, raisons)", func(q queueXLSX, e queue.Entry) any {
		lines := make([]string, len(e.Candidates))
		for i, c := range e.Candidates {
			lines[i] = candidateLine(c)
		}
		return text(strings.Join(lines, "\n"), q.st.wrap)
	}}
	colBody = queueColumn{"Organisme d'inscription", func(_ queueXLSX, e queue.Entry) any { return text(e.Body, 0) }}
	// The birth commune as the RPPS+ form picks it (today's name and code,
	// where it changed since the birth) and the assumptions to check.
	colBirthToday = queueColumn{"Commune de naissance (liste actuelle)", func(_ queueXLSX, e queue.Entry) any {
		r := registration(e)
		if r.BirthTodayCode != "" {
			return text(r.BirthTodayName+" ("+r.BirthTodayCode+")", 0)
		}
		if r.BirthPlaceName != "" {
			return text(r.BirthPlaceName, 0)
		}
		return text("", 0)
	}}
	colBirthNotes = queueColumn{"Lieu de naissance : à vérifier", func(q queueXLSX, e queue.Entry) any {
		return text(strings.Join(registration(e).BirthNotes, "\n"), q.st.wrap)
	}}
)

// queueKindColumns holds the columns a kind's sheet has between the lead and
// the tail columns: what a person needs to act on that kind.
var queueKindColumns = map[queue.Kind][]queueColumn{
	queue.KindRegisterRPPSPlus: {colCivility, colBirthDate, colBirthINSEE, colBirthToday, colBirthNotes, colCountry, colNationality,
		colEmail, colPhone, colProfession, colProfCode, colMissing},
	queue.KindConfirmCandidate: {colBirthDate, colProfession, colCandidates},
	queue.KindFixData:          {colIssues},
	queue.KindFollowUpOrdre:    {colBody, colProfession, colBirthDate, colEmail, colPhone},
	queue.KindFollowUpARS:      {colBody, colProfession, colBirthDate, colEmail, colPhone},
	queue.KindOrderMIE:         {{"À commander avant le", dueCell}},
	queue.KindActivateECPS:     {{"À activer à partir du", dueCell}},
}

// dueCell returns the date (or date and time) an item must be acted on, or
// nil when it has none (see dueOf).
func dueCell(q queueXLSX, e queue.Entry) any {
	t, clock, ok := dueOf(e, q.loc)
	switch {
	case !ok:
		return nil
	case clock:
		return excelize.Cell{StyleID: q.dateTime, Value: t}
	}
	return excelize.Cell{StyleID: q.st.date, Value: t}
}

// queueColumns returns the columns of kind k's sheet.
func queueColumns(k queue.Kind) []queueColumn {
	cols := slices.Clone(queueLeadColumns)
	cols = append(cols, queueKindColumns[k]...)
	return append(cols, queueTailColumns...)
}

// candidateLine returns a candidate as "RPPS (score) : reasons".
func candidateLine(c rppsync.Candidate) string {
	s := candidateText(c)
	if len(c.Reasons) > 0 {
		s += " : " + strings.Join(c.Reasons, ", ")
	}
	return s
}

// writeQueueXLSX writes the queue workbook: a "Résumé" sheet (what the file
// holds, the export date, counts per kind and state), then one sheet per
// kind of item present, in queue.Kinds order, each with a bold frozen header
// row, an autofilter over its lines, fitted column widths and real date
// cells. Text cells are strings, never formulas, and neutralised.
func writeQueueXLSX(w io.Writer, items []queue.Entry, opts Options) (err error) {
	x := excelize.NewFile()
	defer func() {
		if cerr := x.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	// excelize writes the parts of streamed sheets in map order: write
	// them in a fixed order so the same queue gives the same bytes.
	x.SetZipWriter(func(w io.Writer) excelize.ZipWriter { return &orderedZip{w: w} })
	now := opts.now()
	q := queueXLSX{loc: now.Location()}
	if q.st, err = newStyles(x); err != nil {
		return err
	}
	dtf := dateTimeFormat
	if q.dateTime, err = x.NewStyle(&excelize.Style{CustomNumFmt: &dtf}); err != nil {
		return err
	}
	if err = x.SetSheetName(x.GetSheetName(0), SheetSummary); err != nil {
		return err
	}
	kinds, byKind := groupByKind(items)
	names := queueSheetNames(kinds)
	for _, k := range kinds {
		if _, err = x.NewSheet(names[k]); err != nil {
			return fmt.Errorf("sheet %s: %w", names[k], err)
		}
	}
	if err = writeQueueSummary(x, q, kinds, names, byKind, items, opts.Title, now); err != nil {
		return fmt.Errorf("sheet %s: %w", SheetSummary, err)
	}
	for _, k := range kinds {
		if err = writeKindSheet(x, q, names[k], queueColumns(k), byKind[k]); err != nil {
			return fmt.Errorf("sheet %s: %w", names[k], err)
		}
	}
	x.SetActiveSheet(0)
	if err = x.SetDocProps(&excelize.DocProperties{
		Title:   Neutralise(queueTitle(opts.Title)),
		Creator: "rppsync",
		Created: now.UTC().Format("2006-01-02T15:04:05Z"),
	}); err != nil {
		return err
	}
	_, err = x.WriteTo(w)
	return err
}

// queueTitle returns the title of a queue export.
func queueTitle(title string) string {
	if title = strings.TrimSpace(title); title == "" {
		return "Demandes rppsync"
	}
	return "Demandes rppsync : " + title
}

// groupByKind returns the kinds present in items, those of queue.Kinds first
// in that order and unknown ones after them sorted, and the items of each
// kind in their given order.
func groupByKind(items []queue.Entry) ([]queue.Kind, map[queue.Kind][]queue.Entry) {
	byKind := make(map[queue.Kind][]queue.Entry)
	for _, e := range items {
		byKind[e.Kind] = append(byKind[e.Kind], e)
	}
	var kinds, unknown []queue.Kind
	for _, k := range queue.Kinds {
		if len(byKind[k]) > 0 {
			kinds = append(kinds, k)
		}
	}
	for k := range byKind {
		if !k.Valid() {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	return append(kinds, unknown...), byKind
}

// queueSheetNames returns a sheet name per kind, from its French label:
// legal for Excel (no []:*?/\ nor unprintable characters; an apostrophe
// becomes "’" because excelize writes sheet names unescaped inside the
// quoted references of autofilters, where a plain one would break the
// workbook), at most 31 characters, and unique without regard to case
// (Excel's rule), "Résumé" and Excel's reserved "History" included.
func queueSheetNames(kinds []queue.Kind) map[queue.Kind]string {
	used := map[string]bool{strings.ToLower(SheetSummary): true, "history": true}
	names := make(map[queue.Kind]string, len(kinds))
	for _, k := range kinds {
		base := sheetNameOf(k.Label())
		name := cutUTF16(base, maxSheetName)
		for n := 2; used[strings.ToLower(name)]; n++ {
			suffix := fmt.Sprintf(" (%d)", n)
			name = cutUTF16(base, maxSheetName-len(suffix)) + suffix
		}
		used[strings.ToLower(name)] = true
		names[k] = name
	}
	return names
}

// sheetNameOf returns label with the characters Excel refuses in a sheet
// name, and those that are not printable, replaced; or "Demandes" when
// nothing is left.
func sheetNameOf(label string) string {
	s := strings.Map(func(r rune) rune {
		switch {
		case strings.ContainsRune(`[]:*?/\`, r):
			return '-'
		case r == '\'':
			return '’'
		case !unicode.IsGraphic(r):
			return ' '
		}
		return r
	}, label)
	return cmp.Or(strings.TrimSpace(s), "Demandes")
}

// cutUTF16 returns s cut to at most n UTF-16 units (Excel's measure of a
// sheet name), with "…" standing for what was cut.
func cutUTF16(s string, n int) string {
	if len(utf16.Encode([]rune(s))) <= n {
		return s
	}
	var b strings.Builder
	used := 1 // the ellipsis
	for _, r := range s {
		if used+utf16.RuneLen(r) > n {
			break
		}
		used += utf16.RuneLen(r)
		b.WriteRune(r)
	}
	return strings.TrimRightFunc(b.String(), unicode.IsSpace) + "…"
}

// writeQueueSummary writes the "Résumé" sheet: the title, what the file
// holds, the export date and, per kind, its sheet and its items per state.
func writeQueueSummary(x *excelize.File, q queueXLSX, kinds []queue.Kind, names map[queue.Kind]string,
	byKind map[queue.Kind][]queue.Entry, items []queue.Entry, title string, now time.Time) error {
	states := statesOf(items)
	sw, err := x.NewStreamWriter(SheetSummary)
	if err != nil {
		return err
	}
	first, second := 22, 22
	for _, k := range kinds {
		first, second = max(first, textWidth(k.Label())), max(second, textWidth(names[k]))
	}
	widths := []float64{float64(min(first+2, maxColWidth)), float64(min(second+2, maxColWidth))}
	for range states {
		widths = append(widths, 14)
	}
	for i, wd := range append(widths, 10) {
		if err = sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	label := func(s string) any { return excelize.Cell{StyleID: q.st.header, Value: s} }
	var finess, agencies []string
	for _, e := range items {
		finess = appendNew(finess, e.FINESS)
		agencies = appendNew(agencies, e.Agency)
	}
	lines := [][]any{
		{excelize.Cell{StyleID: q.st.title, Value: Neutralise(queueTitle(title))}},
		{label("Contenu"), text(cmp.Or(strings.TrimSpace(title), "Toutes les demandes sélectionnées"), q.st.wrap)},
		{label("Exporté le"), excelize.Cell{StyleID: q.dateTime, Value: now}},
		{label("Demandes"), len(items)},
		{label("Structures (FINESS)"), text(strings.Join(finess, ", "), q.st.wrap)},
		{label("Agences"), text(strings.Join(agencies, ", "), q.st.wrap)},
		nil,
	}
	if len(items) == 0 {
		lines = append(lines, []any{excelize.Cell{StyleID: q.st.title, Value: QueueNothingToDo}})
	} else {
		head := []string{"Demande", "Feuille"}
		for _, s := range states {
			head = append(head, s.Label())
		}
		lines = append(lines, headerRow(append(head, "Total"), q.st.header))
		totals := make([]int, len(states))
		for _, k := range kinds {
			line := []any{text(k.Label(), 0), text(names[k], 0)}
			for i, s := range states {
				n := 0
				for _, e := range byKind[k] {
					if e.State == s {
						n++
					}
				}
				totals[i] += n
				line = append(line, n)
			}
			lines = append(lines, append(line, len(byKind[k])))
		}
		total := []any{label("Total"), nil}
		for _, n := range totals {
			total = append(total, excelize.Cell{StyleID: q.st.header, Value: n})
		}
		lines = append(lines, append(total, excelize.Cell{StyleID: q.st.header, Value: len(items)}))
	}
	for i, line := range lines {
		if line == nil {
			continue
		}
		if err = sw.SetRow("A"+strconv.Itoa(i+1), line); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// statesOf returns the states the summary counts: every state of
// queue.States, then any unknown state present in items, sorted.
func statesOf(items []queue.Entry) []queue.State {
	states := slices.Clone(queue.States)
	var unknown []queue.State
	for _, e := range items {
		if !e.State.Valid() && !slices.Contains(unknown, e.State) {
			unknown = append(unknown, e.State)
		}
	}
	slices.Sort(unknown)
	return append(states, unknown...)
}

// appendNew appends s to list unless it is empty or already there.
func appendNew(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// writeKindSheet writes one kind's sheet: a frozen bold header row, one line
// per item, an autofilter over them and column widths fitted to the content.
func writeKindSheet(x *excelize.File, q queueXLSX, sheet string, cols []queueColumn, items []queue.Entry) error {
	widths := make([]int, len(cols))
	for i, c := range cols {
		widths[i] = textWidth(c.title)
	}
	rows := make([][]any, len(items))
	for r, e := range items {
		rows[r] = make([]any, len(cols))
		for i, c := range cols {
			rows[r][i] = c.cell(q, e)
			widths[i] = max(widths[i], q.cellWidth(rows[r][i]))
		}
	}
	lastCol, err := excelize.ColumnNumberToName(len(cols))
	if err != nil {
		return err
	}
	// The autofilter goes on the worksheet before streaming so that the
	// stream writer carries it into the sheet.
	if err = x.AutoFilter(sheet, fmt.Sprintf("A1:%s%d", lastCol, len(items)+1), nil); err != nil {
		return err
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, wd := range widths {
		if err = sw.SetColWidth(i+1, i+1, float64(min(max(wd+2, minColWidth), maxColWidth))); err != nil {
			return err
		}
	}
	if err = sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = c.title
	}
	if err = sw.SetRow("A1", headerRow(titles, q.st.header)); err != nil {
		return err
	}
	for r, row := range rows {
		if err = sw.SetRow("A"+strconv.Itoa(r+2), row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// cellWidth returns the characters a cell's value needs on its widest line.
func (q queueXLSX) cellWidth(v any) int {
	switch c := v.(type) {
	case excelize.Cell:
		if _, ok := c.Value.(time.Time); ok {
			if c.StyleID == q.dateTime {
				return len(dateTimeFormat)
			}
			return len(dateFormat)
		}
		return q.cellWidth(c.Value)
	case string:
		return textWidth(c)
	case int:
		return len(strconv.Itoa(c))
	case int64:
		return len(strconv.FormatInt(c, 10))
	}
	return 0
}

// textWidth returns the length in characters of the longest line of s.
func textWidth(s string) int {
	w := 0
	for line := range strings.SplitSeq(s, "\n") {
		w = max(w, len([]rune(line)))
	}
	return w
}

// orderedZip is an excelize.ZipWriter that keeps the parts it is given and,
// on Close, writes them as a ZIP archive in a fixed order: the content
// types first (the Open Packaging Conventions reader's first stop), then by
// name.
type orderedZip struct {
	w     io.Writer
	parts []zipPart
}

// zipPart is one file of the archive.
type zipPart struct {
	name string
	data *bytes.Buffer
}

// Create returns a writer for a new part named name.
func (z *orderedZip) Create(name string) (io.Writer, error) {
	p := zipPart{name: name, data: new(bytes.Buffer)}
	z.parts = append(z.parts, p)
	return p.data, nil
}

// AddFS is not used by excelize when saving a workbook; it refuses.
func (z *orderedZip) AddFS(fs.FS) error {
	return errors.New("ordered zip: AddFS is not supported")
}

// Close writes the parts to the underlying writer in order.
func (z *orderedZip) Close() error {
	const first = "[Content_Types].xml"
	slices.SortStableFunc(z.parts, func(a, b zipPart) int {
		return cmp.Or(cmp.Compare(boolRank(a.name != first), boolRank(b.name != first)), strings.Compare(a.name, b.name))
	})
	zw := zip.NewWriter(z.w)
	for _, p := range z.parts {
		f, err := zw.Create(p.name)
		if err != nil {
			return err
		}
		if _, err = p.data.WriteTo(f); err != nil {
			return err
		}
	}
	z.parts = nil
	return zw.Close()
}

// boolRank returns 1 for true and 0 for false.
func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}
