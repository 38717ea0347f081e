package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/rppsync/rppsync"
	"github.com/xuri/excelize/v2"
)

// Sheet names of the XLSX workbook.
const (
	SheetChecks  = "Vérifications"
	SheetSummary = "Résumé"
	SheetFiles   = "Fichiers"
)

// statusFill returns the fill colour (RGB hex) of a status in the workbook:
// green when nothing is to do, orange when someone must act, red when the
// data is wrong, grey when nothing could be checked.
func statusFill(s rppsync.Status) string {
	switch s {
	case rppsync.StatusMatched:
		return "C6EFCE"
	case rppsync.StatusCandidate, rppsync.StatusToRegister, rppsync.StatusRPPSUnknown:
		return "FFD8A8"
	case rppsync.StatusIdentityMismatch, rppsync.StatusRPPSInvalid, rppsync.StatusInvalid:
		return "FFC7CE"
	}
	return "D9D9D9"
}

// checkWidths are the column widths of the "Vérifications" sheet, in Headers order.
var checkWidths = []float64{28, 16, 8, 28, 18, 14, 22, 18, 10, 14, 10, 12, 12, 12, 70, 30}

// dateFormat is the custom number format of date cells.
const dateFormat = "dd/mm/yyyy"

// xlsxStyles holds the style ids of the workbook.
type xlsxStyles struct {
	header int
	title  int
	date   int
	wrap   int
	status map[rppsync.Status]int
	error  int
}

// newStyles registers the styles of the workbook in x.
func newStyles(x *excelize.File) (xlsxStyles, error) {
	var st xlsxStyles
	var err error
	solid := func(rgb string) excelize.Fill {
		return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{rgb}}
	}
	df := dateFormat
	defs := []struct {
		id *int
		s  *excelize.Style
	}{
		{&st.header, &excelize.Style{Font: &excelize.Font{Bold: true}, Fill: solid("DDEBF7"),
			Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}}},
		{&st.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}}},
		{&st.date, &excelize.Style{CustomNumFmt: &df}},
		{&st.wrap, &excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}},
		{&st.error, &excelize.Style{Fill: solid(statusFill(rppsync.StatusInvalid))}},
	}
	for _, d := range defs {
		if *d.id, err = x.NewStyle(d.s); err != nil {
			return st, err
		}
	}
	st.status = make(map[rppsync.Status]int, len(rppsync.Statuses))
	for _, s := range rppsync.Statuses {
		if st.status[s], err = x.NewStyle(&excelize.Style{Fill: solid(statusFill(s))}); err != nil {
			return st, err
		}
	}
	return st, nil
}

// statusStyle returns the style of a status cell; an unknown status is grey.
func (st xlsxStyles) statusStyle(s rppsync.Status) int {
	if id, ok := st.status[s]; ok {
		return id
	}
	return st.status[rppsync.StatusUnchecked]
}

// writeXLSX writes the workbook: "Vérifications" (one line per row, frozen
// header, autofilter, fills per status), "Résumé" (counts per file and per
// status) and "Fichiers" (each file with its error, sheets and ignored
// columns). Every text cell is a string, never a formula, and is neutralised
// as in the CSV so it stays inert when someone edits or re-exports it.
func writeXLSX(w io.Writer, files []rppsync.FileResult, opts Options) (err error) {
	x := excelize.NewFile()
	defer func() {
		if cerr := x.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	if err = x.SetSheetName(x.GetSheetName(0), SheetChecks); err != nil {
		return err
	}
	for _, name := range []string{SheetSummary, SheetFiles} {
		if _, err = x.NewSheet(name); err != nil {
			return err
		}
	}
	st, err := newStyles(x)
	if err != nil {
		return err
	}
	if err = writeChecksSheet(x, st, files); err != nil {
		return fmt.Errorf("sheet %s: %w", SheetChecks, err)
	}
	if err = writeSummarySheet(x, st, files, opts); err != nil {
		return fmt.Errorf("sheet %s: %w", SheetSummary, err)
	}
	if err = writeFilesSheet(x, st, files); err != nil {
		return fmt.Errorf("sheet %s: %w", SheetFiles, err)
	}
	x.SetActiveSheet(0)
	if err = x.SetDocProps(&excelize.DocProperties{
		Title:   "Vérification des intérimaires (rppsync)",
		Creator: "rppsync",
		Created: opts.now().UTC().Format("2006-01-02T15:04:05Z"),
	}); err != nil {
		return err
	}
	_, err = x.WriteTo(w)
	return err
}

// headerRow returns titles as header cells.
func headerRow(titles []string, style int) []any {
	row := make([]any, len(titles))
	for i, h := range titles {
		row[i] = excelize.Cell{StyleID: style, Value: h}
	}
	return row
}

// text returns a neutralised text cell, or nil (no cell) for "".
func text(s string, style int) any {
	if s == "" {
		return nil
	}
	return excelize.Cell{StyleID: style, Value: Neutralise(s)}
}

// dateCell returns a date cell, or nil when d is absent.
func dateCell(d rppsync.Date, style int) any {
	if d.IsZero() {
		return nil
	}
	return excelize.Cell{StyleID: style, Value: d.Time()}
}

// writeChecksSheet writes the "Vérifications" sheet.
func writeChecksSheet(x *excelize.File, st xlsxStyles, files []rppsync.FileResult) error {
	n := 0
	for _, f := range files {
		if f.Error != nil {
			n++
		}
		n += len(rowsOf(f))
	}
	lastCol, err := excelize.ColumnNumberToName(len(Headers))
	if err != nil {
		return err
	}
	// The autofilter goes on the worksheet before streaming so that the
	// stream writer carries it into the sheet.
	if err = x.AutoFilter(SheetChecks, fmt.Sprintf("A1:%s%d", lastCol, n+1), nil); err != nil {
		return err
	}
	sw, err := x.NewStreamWriter(SheetChecks)
	if err != nil {
		return err
	}
	for i, wd := range checkWidths {
		if err = sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	if err = sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err = sw.SetRow("A1", headerRow(Headers, st.header)); err != nil {
		return err
	}
	r := 2
	put := func(cells []any) error {
		err := sw.SetRow(fmt.Sprintf("A%d", r), cells)
		r++
		return err
	}
	for _, f := range files {
		if f.Error != nil {
			c := fileErrorCells(f)
			if err = put([]any{text(c[0], 0), nil, nil, text(c[3], st.error), text(c[4], st.error),
				nil, nil, nil, nil, nil, nil, nil, nil, nil, text(c[14], st.wrap)}); err != nil {
				return err
			}
			continue
		}
		for _, v := range f.Rows {
			c := verdictCells(f.Path, v)
			s := st.statusStyle(v.Status)
			cells := []any{
				text(c[0], 0), text(c[1], 0), v.Row, text(c[3], s), text(c[4], s),
				text(c[5], 0), text(c[6], 0), text(c[7], 0), text(c[8], 0), text(c[9], 0),
				text(c[10], 0), text(c[11], 0), dateCell(v.ContractStart, st.date), dateCell(v.ContractEnd, st.date),
				text(strings.ReplaceAll(c[14], listSep, "\n"), st.wrap), text(c[15], 0),
			}
			if err = put(cells); err != nil {
				return err
			}
		}
	}
	return sw.Flush()
}

// writeSummarySheet writes the "Résumé" sheet: a title with the report date,
// then one line per file and a total line, with the rows per status.
func writeSummarySheet(x *excelize.File, st xlsxStyles, files []rppsync.FileResult, opts Options) error {
	sw, err := x.NewStreamWriter(SheetSummary)
	if err != nil {
		return err
	}
	if err = sw.SetColWidth(1, 1, 36); err != nil {
		return err
	}
	if err = sw.SetColWidth(2, 3+len(rppsync.Statuses), 16); err != nil {
		return err
	}
	title := "Vérification des intérimaires du " + opts.now().Format("02/01/2006 à 15:04")
	if err = sw.SetRow("A1", []any{excelize.Cell{StyleID: st.title, Value: title}}); err != nil {
		return err
	}
	titles := []string{"Fichier", "État", "Lignes"}
	for _, s := range rppsync.Statuses {
		titles = append(titles, StatusLabel(s))
	}
	head := headerRow(titles, st.header)
	for i, s := range rppsync.Statuses {
		head[3+i] = excelize.Cell{StyleID: st.statusStyle(s), Value: StatusLabel(s)}
	}
	if err = sw.SetRow("A3", head); err != nil {
		return err
	}
	line := func(r int, name, state string, s Summary, style int) error {
		cells := []any{excelize.Cell{StyleID: style, Value: Neutralise(name)}, excelize.Cell{StyleID: style, Value: state},
			excelize.Cell{StyleID: style, Value: s.Rows}}
		for _, status := range rppsync.Statuses {
			cells = append(cells, excelize.Cell{StyleID: style, Value: s.Count(status)})
		}
		return sw.SetRow(fmt.Sprintf("A%d", r), cells)
	}
	r := 4
	for _, f := range files {
		state, style := "Lu", 0
		if f.Error != nil {
			state, style = FileErrorLabel, st.error
		}
		if err = line(r, f.Path, state, Summarise([]rppsync.FileResult{f}), style); err != nil {
			return err
		}
		r++
	}
	total := Summarise(files)
	state := fmt.Sprintf("%d %s", total.Files, plural(total.Files, "fichier", "fichiers"))
	if total.FileErrors > 0 {
		state += fmt.Sprintf(", %d %s", total.FileErrors, plural(total.FileErrors, "illisible", "illisibles"))
	}
	if err = line(r, "Total", state, total, st.header); err != nil {
		return err
	}
	return sw.Flush()
}

// filesHeaders are the column titles of the "Fichiers" sheet.
var filesHeaders = []string{"Fichier", "État", "Lignes", "Erreur", "Feuilles lues", "Feuilles ignorées",
	"Feuilles masquées", "Colonnes non reconnues", "Colonnes NIR ignorées (non conservées)"}

// writeFilesSheet writes the "Fichiers" sheet: one line per file.
func writeFilesSheet(x *excelize.File, st xlsxStyles, files []rppsync.FileResult) error {
	sw, err := x.NewStreamWriter(SheetFiles)
	if err != nil {
		return err
	}
	for i, wd := range []float64{36, 16, 8, 60, 24, 40, 24, 36, 30} {
		if err = sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	if err = sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err = sw.SetRow("A1", headerRow(filesHeaders, st.header)); err != nil {
		return err
	}
	for i, f := range files {
		state, stateStyle, errText := "Lu", 0, ""
		if f.Error != nil {
			state, stateStyle, errText = FileErrorLabel, st.error, fileErrorText(f.Error)
		}
		read, skipped, hidden := sheetLists(f.Sheets)
		other, nir := splitUnmapped(f)
		cells := []any{
			text(f.Path, 0), text(state, stateStyle), len(rowsOf(f)), text(errText, st.wrap),
			text(strings.Join(read, "\n"), st.wrap), text(strings.Join(skipped, "\n"), st.wrap),
			text(strings.Join(hidden, "\n"), st.wrap), text(strings.Join(other, "\n"), st.wrap),
			text(strings.Join(nir, "\n"), st.wrap),
		}
		if err = sw.SetRow(fmt.Sprintf("A%d", i+2), cells); err != nil {
			return err
		}
	}
	return sw.Flush()
}
