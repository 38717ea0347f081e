package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/rppsync/rppsync"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// ANSI colours of the table format.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiGrey   = "\x1b[90m"
)

// statusANSI returns the colour of a status: green when nothing is to do,
// yellow (orange) when someone must act, red when the data is wrong, grey
// when nothing could be checked.
func statusANSI(s rppsync.Status) string {
	switch s {
	case rppsync.StatusMatched:
		return ansiGreen
	case rppsync.StatusCandidate, rppsync.StatusToRegister, rppsync.StatusRPPSUnknown:
		return ansiYellow
	case rppsync.StatusIdentityMismatch, rppsync.StatusRPPSInvalid, rppsync.StatusInvalid:
		return ansiRed
	}
	return ansiGrey
}

// Table layout.
const (
	absent        = "—" // an absent value
	colSep        = "  "
	nameMax       = 32 // widest name column
	nameMin       = 12 // narrowest name column when fitting a terminal width
	contIndent    = "      ↳ "
	summaryIndent = "  "
)

// tableHeaders are the column titles of the table format.
var tableHeaders = []string{"Feuille", "Ligne", "Statut", "RPPS", "Nom", "Profession", "Canal", "FINESS", "Contrat"}

const nameCol = 4 // index of the name column in tableHeaders

// tableRow is one row of the table: its cells (already made safe for a
// terminal) and what goes on its continuation lines.
type tableRow struct {
	status rppsync.Status
	cells  []string
	extra  []string
}

// newTableRow builds the table row of v.
func newTableRow(v rppsync.Verdict) tableRow {
	or := func(s string) string {
		if s = termSafe(s); s == "" {
			return absent
		}
		return s
	}
	name := strings.TrimSpace(deref(v.LastName) + " " + deref(v.FirstName))
	var channel string
	if v.Channel != nil {
		channel = ChannelLabel(*v.Channel)
	}
	contract := absent
	if !v.ContractStart.IsZero() || !v.ContractEnd.IsZero() {
		start, end := frenchDate(v.ContractStart), frenchDate(v.ContractEnd)
		if start == "" {
			start = "?"
		}
		if end == "" {
			end = "?"
		}
		contract = start + " → " + end
	}
	r := tableRow{
		status: v.Status,
		cells: []string{
			or(deref(v.Sheet)), strconv.Itoa(v.Row), StatusLabel(v.Status) + " (" + termSafe(string(v.Status)) + ")",
			or(deref(v.RPPS)), or(name), or(deref(v.ProfessionCode)), or(channel), or(deref(v.FINESS)), contract,
		},
	}
	for _, is := range v.Issues {
		r.extra = append(r.extra, termSafe(issueText(is)))
	}
	if len(v.Candidates) > 0 {
		cands := make([]string, len(v.Candidates))
		for i, c := range v.Candidates {
			cands[i] = termSafe(candidateText(c))
		}
		r.extra = append(r.extra, "Candidats : "+strings.Join(cands, ", "))
	}
	return r
}

// tableWriter writes the table format to a buffered writer, remembering the
// first write error.
type tableWriter struct {
	w      *bufio.Writer
	color  bool
	widths []int
}

// paint wraps s in colour c when colours are on.
func (t *tableWriter) paint(c, s string) string {
	if !t.color || c == "" {
		return s
	}
	return c + s + ansiReset
}

// line writes s and a newline.
func (t *tableWriter) line(s string) { t.w.WriteString(strings.TrimRight(s, " ") + "\n") }

// row writes cells aligned on t.widths; the status cell is coloured with c.
func (t *tableWriter) row(cells []string, c string) {
	var b strings.Builder
	for i, cell := range cells {
		if i > 0 {
			b.WriteString(colSep)
		}
		cell = truncate(cell, t.widths[i])
		pad := strings.Repeat(" ", t.widths[i]-displayWidth(cell))
		switch {
		case i == 1: // row numbers align right
			b.WriteString(pad + cell)
		case i == 2:
			b.WriteString(t.paint(c, cell) + pad)
		default:
			b.WriteString(cell + pad)
		}
	}
	t.line(b.String())
}

// writeTable writes, per file, a header (path, sheets, ignored columns), then
// its rows aligned with issues and candidates on continuation lines, or the
// file's error; then a summary block with the counts per status.
func writeTable(w io.Writer, files []rppsync.FileResult, opts Options) error {
	t := &tableWriter{w: bufio.NewWriter(w), color: opts.Color}
	rowsByFile := make([][]tableRow, len(files))
	t.widths = make([]int, len(tableHeaders))
	for i, h := range tableHeaders {
		t.widths[i] = displayWidth(h)
	}
	for fi, f := range files {
		for _, v := range rowsOf(f) {
			r := newTableRow(v)
			for i, c := range r.cells {
				t.widths[i] = max(t.widths[i], displayWidth(c))
			}
			rowsByFile[fi] = append(rowsByFile[fi], r)
		}
	}
	t.widths[nameCol] = min(t.widths[nameCol], nameMax)
	if opts.Width > 0 {
		total := len(colSep) * (len(t.widths) - 1)
		for _, wd := range t.widths {
			total += wd
		}
		if over := total - opts.Width; over > 0 {
			t.widths[nameCol] = max(min(t.widths[nameCol], nameMin), t.widths[nameCol]-over)
		}
	}

	for fi, f := range files {
		if fi > 0 {
			t.line("")
		}
		t.fileHeader(f)
		if f.Error != nil {
			t.line(t.paint(ansiRed, "  "+FileErrorLabel+" : "+termSafe(fileErrorText(f.Error))))
			continue
		}
		if len(rowsByFile[fi]) == 0 {
			t.line("  Aucune ligne à vérifier dans ce fichier.")
			continue
		}
		t.row(tableHeaders, "")
		for _, r := range rowsByFile[fi] {
			t.row(r.cells, statusANSI(r.status))
			for _, x := range r.extra {
				t.line(contIndent + x)
			}
		}
	}
	if len(files) > 0 {
		t.line("")
	}
	t.summary(Summarise(files), opts)
	return t.w.Flush()
}

// fileHeader writes the lines that introduce a file.
func (t *tableWriter) fileHeader(f rppsync.FileResult) {
	t.line(t.paint(ansiBold, "Fichier : "+termSafe(f.Path)))
	read, skipped, hidden := sheetLists(f.Sheets)
	list := func(label string, items []string) {
		if len(items) > 0 {
			t.line("  " + label + " : " + termSafe(strings.Join(items, ", ")))
		}
	}
	list(plural(len(read), "Feuille lue", "Feuilles lues"), read)
	list(plural(len(skipped), "Feuille ignorée", "Feuilles ignorées"), skipped)
	list(plural(len(hidden), "Feuille masquée", "Feuilles masquées"), hidden)
	other, nir := splitUnmapped(f)
	list("Colonnes non reconnues, ignorées", other)
	list("Colonnes NIR ignorées, jamais conservées (demandez à l'agence de ne plus les envoyer)", nir)
	for _, w := range f.Warnings {
		t.line("  Attention : " + termSafe(issueText(w)))
	}
}

// summary writes the summary block.
func (t *tableWriter) summary(s Summary, opts Options) {
	t.line(t.paint(ansiBold, "Résumé du "+opts.now().Format("02/01/2006 à 15:04")))
	files := strconv.Itoa(s.Files)
	if s.FileErrors > 0 {
		files += fmt.Sprintf(" dont %d %s", s.FileErrors, plural(s.FileErrors, "illisible", "illisibles"))
	}
	t.line(summaryIndent + "Fichiers : " + files)
	labels := make([]string, len(rppsync.Statuses))
	wd := displayWidth("Lignes")
	for i, st := range rppsync.Statuses {
		labels[i] = StatusLabel(st) + " (" + string(st) + ")"
		wd = max(wd, displayWidth(labels[i]))
	}
	num := len(strconv.Itoa(s.Rows))
	count := func(label string, n int, c string) {
		pad := strings.Repeat(" ", wd-displayWidth(label))
		t.line(summaryIndent + t.paint(c, label) + pad + "  " + fmt.Sprintf("%*d", num, n))
	}
	count("Lignes", s.Rows, "")
	for i, st := range rppsync.Statuses {
		c := statusANSI(st)
		if s.Count(st) == 0 {
			c = ""
		}
		count(labels[i], s.Count(st), c)
	}
}

// plural returns one when n is 0 or 1 (French usage), many otherwise.
func plural(n int, one, many string) string {
	if n > 1 {
		return many
	}
	return one
}

// termSafe returns s fit for a terminal: tabs and line breaks become spaces,
// other control characters and bidirectional overrides (which could move the
// cursor, recolour or reorder what HR reads) become U+FFFD, and the text is
// put in composed form so that widths are right.
func termSafe(s string) string {
	s = norm.NFC.String(s)
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r):
			return '\uFFFD'
		}
		return r
	}, s)
}

// runeWidth returns how many terminal columns r takes.
func runeWidth(r rune) int {
	switch {
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// displayWidth returns how many terminal columns s takes.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

// truncate shortens s to at most max columns, ending with "…" when cut.
func truncate(s string, max int) string {
	if displayWidth(s) <= max {
		return s
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		w := runeWidth(r)
		if n+w > max-1 {
			break
		}
		b.WriteRune(r)
		n += w
	}
	return b.String() + "…"
}
