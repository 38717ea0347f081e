package report_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
	"github.com/rppsync/rppsync/report"
	"github.com/xuri/excelize/v2"
)

// All people, numbers and files below are invented.

// paris stands for Europe/Paris in winter without needing the tz database.
var paris = time.FixedZone("CET", 3600)

// queueNow is the export date of the queue workbooks: 17:00 in Paris.
var queueNow = time.Date(2026, time.December, 4, 17, 0, 0, 0, paris)

// formulaStarts are the first characters that make a spreadsheet cell a
// formula or a command (OWASP CSV injection).
const formulaStarts = "=+-@\t\r"

// The sheet names of the sample queue, in workbook order.
var queueSheets = []string{
	report.SheetSummary,
	"Valider l’activité",
	"Inscrire sur le Portail RPPS+",
	"Commander un moyen d’identific…",
	"Faire activer la e-CPS",
	"Corriger les données",
	"Confirmer l’identité",
}

// queueSample holds items of six kinds, in an order unlike queue.Kinds, with
// accents and hostile strings in every kind of field.
func queueSample() []queue.Entry {
	src := func(row int) queue.Source { return queue.Source{Path: "depot/alpha.xlsx", Sheet: "Contrats", Row: row} }
	dec1, dec21 := date(2026, 12, 1), date(2026, 12, 21)
	entry := func(id int64, k queue.Kind, s queue.State, reason string) queue.Entry {
		return queue.Entry{ID: id, Agency: "Alpha Intérim", Item: queue.Item{Key: "k" + strconv.FormatInt(id, 10),
			Kind: k, Audience: k.Audience(), State: s, FINESS: "250999901", Reason: reason,
			Start: dec1, End: dec21, Source: src(int(id))}}
	}
	fix := entry(9, queue.KindFixData, queue.StatePending, "-1")
	fix.Agency, fix.FINESS = "Beta Santé", ""
	fix.Issues = []rppsync.Issue{
		{Code: "finess_missing", Message: "Le numéro FINESS de l'établissement manque : indiquez-le."},
		{Code: "odd", Message: "=1+1"},
	}
	reg := entry(7, queue.KindRegisterRPPSPlus, queue.StatePending, `=HYPERLINK("http://exemple.invalid/";"Cliquez")`)
	reg.Registration = &queue.Registration{Civility: "Mme", BirthName: "Lefèvre-Hénin", UsageName: "+Dupont",
		FirstNames: "@SUM(A1)", BirthDate: date(1990, 5, 17), BirthINSEE: "2A004", Nationality: "\r=2+2",
		Email: "\t=cmd|' /C calc'!A0", Phone: "+33 6 00 00 00 00", ProfessionCode: "", ProfessionLabel: "Aide-soignante",
		Missing: []string{"adresse e-mail", "téléphone"}}
	cand := entry(8, queue.KindConfirmCandidate, queue.StatePending, "Confirmez le bon numéro RPPS.")
	cand.Registration = &queue.Registration{BirthName: "Dupré", FirstNames: "Anaïs", BirthDate: date(1985, 2, 3),
		ProfessionLabel: "Infirmière"}
	cand.Candidates = []rppsync.Candidate{
		{RPPS: "10100000001", Score: 0.92, Reasons: []string{"même nom", "même date de naissance"}},
		{RPPS: "10100000002", Score: 0.61, Reasons: []string{"-homonyme"}},
	}
	mie := entry(10, queue.KindOrderMIE, queue.StatePending, "Aucune carte CPS valide ne couvre la mission.")
	mie.RPPS, mie.Start, mie.End = "10100000003", date(2027, 1, 4), date(2027, 1, 31)
	ecps := entry(11, queue.KindActivateECPS, queue.StatePending, "Demandez l'activation de la e-CPS.")
	ecps.RPPS, ecps.DueAt = "10100000004", time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)
	long := entry(12, queue.KindValidateActivity, queue.StateDone, strings.Repeat("Enregistrez et validez l'activité. ", 6))
	long.RPPS = "10100000005"
	pending := entry(13, queue.KindValidateActivity, queue.StatePending, "Validez l'activité.")
	pending.RPPS, pending.FINESS = "10100000006", "250999902"
	expired := entry(14, queue.KindValidateActivity, queue.StateExpired, "Validez l'activité.")
	expired.RPPS, expired.End = "10100000007", date(2026, 11, 30)
	return []queue.Entry{fix, long, reg, cand, mie, ecps, pending, expired}
}

// writeQueueWorkbook writes items as an XLSX queue export and opens it again.
func writeQueueWorkbook(t *testing.T, items []queue.Entry, opts report.Options) (*excelize.File, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := report.WriteQueue(&buf, report.QueueXLSX, items, opts); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("the queue export does not reopen: %v", err)
	}
	t.Cleanup(func() { x.Close() })
	return x, buf.Bytes()
}

func TestQueueXLSXSheetsAndHeaders(t *testing.T) {
	x, _ := writeQueueWorkbook(t, queueSample(), report.Options{Now: queueNow, Title: "Structure FINESS 250999901"})
	if got := x.GetSheetList(); !slices.Equal(got, queueSheets) {
		t.Fatalf("sheets = %q, want %q", got, queueSheets)
	}
	lead := []string{"N°", "État", "Nom de naissance", "Nom d'usage", "Prénoms", "Agence", "FINESS", "RPPS",
		"Début contrat", "Fin contrat"}
	tail := []string{"Motif", "Fichier", "Feuille", "Ligne"}
	kinds := map[string][]string{
		queueSheets[1]: nil,
		queueSheets[2]: {"Civilité", "Date de naissance", "INSEE naissance", "Commune de naissance (liste actuelle)", "Lieu de naissance : à vérifier", "Pays de naissance", "Nationalité",
			"Courriel", "Téléphone", "Profession", "Code profession", "Champs manquants"},
		queueSheets[3]: {"À commander avant le"},
		queueSheets[4]: {"À activer à partir du"},
		queueSheets[5]: {"Problèmes à corriger"},
		queueSheets[6]: {"Date de naissance", "Profession", "Candidats (RPPS, score, raisons)"},
	}
	lines := map[string]int{queueSheets[1]: 3, queueSheets[2]: 1, queueSheets[3]: 1, queueSheets[4]: 1,
		queueSheets[5]: 1, queueSheets[6]: 1}
	for sheet, middle := range kinds {
		rows, err := x.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		want := slices.Concat(lead, middle, tail)
		if !slices.Equal(rows[0], want) {
			t.Errorf("%s headers = %q, want %q", sheet, rows[0], want)
		}
		if len(rows)-1 != lines[sheet] {
			t.Errorf("%s has %d lines, want %d", sheet, len(rows)-1, lines[sheet])
		}
		st := styleOf(t, x, sheet, "A1")
		if st.Font == nil || !st.Font.Bold {
			t.Errorf("%s header is not bold", sheet)
		}
	}

	// Items keep their order within a sheet, and each line is its item.
	rows, _ := x.GetRows(queueSheets[1])
	if got := []string{rows[1][0], rows[2][0], rows[3][0]}; !slices.Equal(got, []string{"12", "13", "14"}) {
		t.Errorf("validate_activity numbers = %q", got)
	}
	if got := rows[1][1]; got != "Traité" {
		t.Errorf("state = %q, want Traité", got)
	}
	reg, _ := x.GetRows(queueSheets[2])
	want := []string{"7", "À traiter", "Lefèvre-Hénin", "'+Dupont", "'@SUM(A1)", "Alpha Intérim", "250999901", "",
		"01/12/2026", "21/12/2026", "Mme", "17/05/1990", "2A004", "", "", "", "'\r=2+2", "'\t=cmd|' /C calc'!A0",
		"'+33 6 00 00 00 00", "Aide-soignante", "", "adresse e-mail\ntéléphone"}
	if got := reg[1][:len(want)]; !slices.Equal(got, want) {
		t.Errorf("register_rpps_plus line =\n%q, want\n%q", got, want)
	}
	if got := reg[1][len(want):]; !slices.Equal(got, []string{`'=HYPERLINK("http://exemple.invalid/";"Cliquez")`,
		"depot/alpha.xlsx", "Contrats", "7"}) {
		t.Errorf("register_rpps_plus reason and source = %q", got)
	}
	cand, _ := x.GetRows(queueSheets[6])
	if got := cand[1][12]; got != "10100000001 (0,92) : même nom, même date de naissance\n10100000002 (0,61) : -homonyme" {
		t.Errorf("candidates = %q", got)
	}
	if got := cand[1][2] + " " + cand[1][4]; got != "Dupré Anaïs" {
		t.Errorf("candidate's person = %q", got)
	}
	fix, _ := x.GetRows(queueSheets[5])
	if got := fix[1][10]; got != "Le numéro FINESS de l'établissement manque : indiquez-le. [finess_missing]\n=1+1 [odd]" {
		t.Errorf("issues = %q", got)
	}
	if got := fix[1][11]; got != "'-1" {
		t.Errorf("fix_data reason = %q, want it neutralised", got)
	}
}

func TestQueueXLSXLayout(t *testing.T) {
	items := queueSample()
	x, raw := writeQueueWorkbook(t, items, report.Options{Now: queueNow})
	filters := map[string]string{}
	for _, d := range x.GetDefinedName() {
		if d.Name == "_xlnm._FilterDatabase" {
			filters[d.Scope] = d.RefersTo
		}
	}
	for i, sheet := range queueSheets[1:] {
		rows, err := x.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if n := utf16.Encode([]rune(sheet)); len(n) > 31 || strings.ContainsAny(sheet, `'[]:*?/\`) {
			t.Errorf("sheet name %q is not a safe Excel name", sheet)
		}
		panes, err := x.GetPanes(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
			t.Errorf("%s: header row not frozen: %+v", sheet, panes)
		}
		last, _ := excelize.ColumnNumberToName(len(rows[0]))
		if want := fmt.Sprintf("'%s'!$A$1:$%s$%d", sheet, last, len(rows)); filters[sheet] != want {
			t.Errorf("%s: autofilter name = %q, want %q", sheet, filters[sheet], want)
		}
		xml := strings.ReplaceAll(zipEntry(t, raw, fmt.Sprintf("xl/worksheets/sheet%d.xml", i+2)), "$", "")
		if want := fmt.Sprintf(`<autoFilter ref="A1:%s%d"`, last, len(rows)); !strings.Contains(xml, want) {
			t.Errorf("%s: no %s in the sheet XML", sheet, want)
		}
		for c := range rows[0] {
			col, _ := excelize.ColumnNumberToName(c + 1)
			w, err := x.GetColWidth(sheet, col)
			if err != nil || w < 8 || w > 60 {
				t.Errorf("%s column %s (%s) width = %v (%v), want 8 to 60", sheet, col, rows[0][c], w, err)
			}
		}
	}
	// Widths follow the content: the number column is narrow, the long
	// reason is wrapped in the widest column, the e-mail fits.
	for ref, want := range map[string]float64{"A": 8, "K": 60} {
		if w, _ := x.GetColWidth(queueSheets[1], ref); w != want {
			t.Errorf("validate_activity column %s width = %v, want %v", ref, w, want)
		}
	}
	if w, _ := x.GetColWidth(queueSheets[2], "R"); w != float64(len([]rune("'\t=cmd|' /C calc'!A0"))+2) {
		t.Errorf("e-mail column width = %v", w)
	}
	if st := styleOf(t, x, queueSheets[1], "K2"); st.Alignment == nil || !st.Alignment.WrapText {
		t.Errorf("reason cell is not wrapped")
	}
}

func TestQueueXLSXDates(t *testing.T) {
	x, _ := writeQueueWorkbook(t, queueSample(), report.Options{Now: queueNow})
	cases := []struct {
		sheet, ref, format, shown string
		want                      time.Time
	}{
		{queueSheets[2], "I2", "dd/mm/yyyy", "01/12/2026", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)},
		{queueSheets[2], "J2", "dd/mm/yyyy", "21/12/2026", time.Date(2026, 12, 21, 0, 0, 0, 0, time.UTC)},
		{queueSheets[2], "L2", "dd/mm/yyyy", "17/05/1990", time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC)},
		{queueSheets[3], "K2", "dd/mm/yyyy", "04/01/2027", time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC)},
		// The e-CPS due time is shown in the export's location: 09:30 UTC is 10:30 in Paris.
		{queueSheets[4], "K2", "dd/mm/yyyy hh:mm", "02/12/2026 10:30", time.Date(2026, 12, 2, 10, 30, 0, 0, time.UTC)},
		{queueSheets[6], "K2", "dd/mm/yyyy", "03/02/1985", time.Date(1985, 2, 3, 0, 0, 0, 0, time.UTC)},
		{report.SheetSummary, "B3", "dd/mm/yyyy hh:mm", "04/12/2026 17:00", time.Date(2026, 12, 4, 17, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		if typ, err := x.GetCellType(c.sheet, c.ref); err != nil || typ == excelize.CellTypeSharedString ||
			typ == excelize.CellTypeInlineString || typ == excelize.CellTypeFormula {
			t.Errorf("%s!%s type = %v (%v), want a number", c.sheet, c.ref, typ, err)
		}
		raw, err := x.GetCellValue(c.sheet, c.ref, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		serial, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			t.Errorf("%s!%s holds %q, not a date number", c.sheet, c.ref, raw)
			continue
		}
		if got, err := excelize.ExcelDateToTime(serial, false); err != nil || !got.Round(time.Second).Equal(c.want) {
			t.Errorf("%s!%s = %v (%v), want %v", c.sheet, c.ref, got, err, c.want)
		}
		if st := styleOf(t, x, c.sheet, c.ref); st.CustomNumFmt == nil || *st.CustomNumFmt != c.format {
			t.Errorf("%s!%s number format = %v, want %s", c.sheet, c.ref, st.CustomNumFmt, c.format)
		}
		if got := cell(t, x, c.sheet, c.ref); got != c.shown {
			t.Errorf("%s!%s shows %q, want %q", c.sheet, c.ref, got, c.shown)
		}
	}
}

func TestQueueXLSXNoFormula(t *testing.T) {
	x, raw := writeQueueWorkbook(t, queueSample(), report.Options{Now: queueNow, Title: "=HYPERLINK(\"x\")"})
	for _, sheet := range x.GetSheetList() {
		rows, err := x.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c, v := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if f, err := x.GetCellFormula(sheet, ref); err != nil || f != "" {
					t.Errorf("%s!%s holds the formula %q (%v)", sheet, ref, f, err)
				}
				if v != "" && strings.ContainsRune(formulaStarts, rune(v[0])) {
					t.Errorf("%s!%s = %q starts a formula", sheet, ref, v)
				}
			}
		}
	}
	z, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		if strings.HasPrefix(f.Name, "xl/worksheets/") {
			if xml := zipEntry(t, raw, f.Name); strings.Contains(xml, "<f>") || strings.Contains(xml, "<f ") {
				t.Errorf("%s holds a formula element", f.Name)
			}
		}
	}
	if got := cell(t, x, report.SheetSummary, "B2"); got != `'=HYPERLINK("x")` {
		t.Errorf("hostile title = %q, want it neutralised", got)
	}
}

func TestQueueXLSXSummary(t *testing.T) {
	x, _ := writeQueueWorkbook(t, queueSample(), report.Options{Now: queueNow, Title: "Structure FINESS 250999901"})
	rows, err := x.GetRows(report.SheetSummary)
	if err != nil {
		t.Fatal(err)
	}
	if got := rows[0][0]; got != "Demandes rppsync : Structure FINESS 250999901" {
		t.Errorf("title = %q", got)
	}
	want := [][]string{
		{"Contenu", "Structure FINESS 250999901"},
		{"Exporté le", "04/12/2026 17:00"},
		{"Demandes", "8"},
		{"Structures (FINESS)", "250999901, 250999902"},
		{"Agences", "Beta Santé, Alpha Intérim"},
		nil,
		{"Demande", "Feuille", "À traiter", "Traité", "Annulé", "Expiré (mission terminée)", "Total"},
		{"Valider l'activité", queueSheets[1], "1", "1", "0", "1", "3"},
		{"Inscrire sur le Portail RPPS+", queueSheets[2], "1", "0", "0", "0", "1"},
		{"Commander un moyen d'identification (e-CPS ou carte CPS)", queueSheets[3], "1", "0", "0", "0", "1"},
		{"Faire activer la e-CPS", queueSheets[4], "1", "0", "0", "0", "1"},
		{"Corriger les données", queueSheets[5], "1", "0", "0", "0", "1"},
		{"Confirmer l'identité", queueSheets[6], "1", "0", "0", "0", "1"},
		{"Total", "", "6", "1", "0", "1", "8"},
	}
	if len(rows)-1 != len(want) {
		t.Fatalf("Résumé has %d lines, want %d: %q", len(rows), len(want)+1, rows)
	}
	for i, w := range want {
		if !slices.Equal(rows[i+1], w) {
			t.Errorf("Résumé line %d = %q, want %q", i+2, rows[i+1], w)
		}
	}
	// The column of kinds fits the longest label, that of sheets the longest name.
	for col, want := range map[string]float64{"A": 58, "B": 33} {
		if w, err := x.GetColWidth(report.SheetSummary, col); err != nil || w != want {
			t.Errorf("Résumé column %s width = %v (%v), want %v", col, w, err, want)
		}
	}
}

func TestQueueXLSXEmpty(t *testing.T) {
	x, _ := writeQueueWorkbook(t, nil, report.Options{Now: queueNow, Title: "Agence Alpha Intérim"})
	if got := x.GetSheetList(); !slices.Equal(got, []string{report.SheetSummary}) {
		t.Fatalf("sheets = %q, want the Résumé only", got)
	}
	rows, err := x.GetRows(report.SheetSummary)
	if err != nil {
		t.Fatal(err)
	}
	if got := rows[3]; !slices.Equal(got, []string{"Demandes", "0"}) {
		t.Errorf("count line = %q", got)
	}
	if got := rows[len(rows)-1]; !slices.Equal(got, []string{report.QueueNothingToDo}) {
		t.Errorf("last line = %q, want %q", got, report.QueueNothingToDo)
	}
}

func TestQueueXLSXDeterministic(t *testing.T) {
	opts := report.Options{Now: queueNow, Title: "Structure FINESS 250999901"}
	// excelize orders the parts of streamed sheets at random: several runs
	// make a difference all but certain to show.
	_, first := writeQueueWorkbook(t, queueSample(), opts)
	for range 5 {
		if _, again := writeQueueWorkbook(t, queueSample(), opts); !bytes.Equal(first, again) {
			t.Fatalf("two exports of the same queue differ (%d and %d bytes)", len(first), len(again))
		}
	}
	if got := zipNames(t, first); got[0] != "[Content_Types].xml" || !slices.IsSorted(got[1:]) {
		t.Errorf("parts in order %q, want the content types first, then by name", got)
	}
}

// TestQueueXLSXUnknownKindAndState shows an item this version does not know
// (a kind or state from a newer database) on a sheet of its own, counted
// under its own state, instead of dropping it.
func TestQueueXLSXUnknownKindAndState(t *testing.T) {
	items := []queue.Entry{
		{ID: 1, Item: queue.Item{Kind: "later/kind:x", State: "on_hold", Reason: "?"}},
		{ID: 2, Item: queue.Item{Kind: queue.KindFixData, State: queue.StatePending, Reason: "x"}},
	}
	x, _ := writeQueueWorkbook(t, items, report.Options{Now: queueNow})
	if got, want := x.GetSheetList(), []string{report.SheetSummary, "Corriger les données", "later-kind-x"}; !slices.Equal(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	rows, _ := x.GetRows(report.SheetSummary)
	if got, want := rows[7], []string{"Demande", "Feuille", "À traiter", "Traité", "Annulé", "Expiré (mission terminée)", "on_hold", "Total"}; !slices.Equal(got, want) {
		t.Errorf("header = %q, want %q", got, want)
	}
	if got, want := rows[9], []string{"later/kind:x", "later-kind-x", "0", "0", "0", "0", "1", "1"}; !slices.Equal(got, want) {
		t.Errorf("unknown kind line = %q, want %q", got, want)
	}
}

func TestParseQueueFormat(t *testing.T) {
	for _, s := range []string{"table", "JSON", " csv ", "XLSX"} {
		if f, err := report.ParseQueueFormat(s); err != nil || string(f) != strings.ToLower(strings.TrimSpace(s)) {
			t.Errorf("ParseQueueFormat(%q) = %q, %v", s, f, err)
		}
	}
}

func styleOf(t *testing.T, x *excelize.File, sheet, ref string) *excelize.Style {
	t.Helper()
	id, err := x.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	st, err := x.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func zipNames(t *testing.T, raw []byte) []string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range z.File {
		names = append(names, f.Name)
	}
	return names
}

func zipEntry(t *testing.T, raw []byte, name string) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := z.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// FuzzWriteQueueXLSX writes items whose texts are arbitrary (agency files
// carry anything) and checks the workbook reopens, holds no formula and
// shows no cell a spreadsheet would run.
func FuzzWriteQueueXLSX(f *testing.F) {
	for _, s := range [][3]string{
		{"Lefèvre", "Validez l'activité.", "Alpha"},
		{"=1+1", "+33 6", "-1"},
		{"@SUM(A1)", "\t=cmd", "\r=x"},
		{"a\x01b\x00", "\uFFFE\uFFFF", "\xff\xfe"},
		{"\n=x", "a\r\nb", strings.Repeat("é", 200)},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, name, reason, agency string) {
		var items []queue.Entry
		for i, k := range queue.Kinds {
			items = append(items, queue.Entry{ID: int64(i + 1), Agency: agency, Item: queue.Item{Kind: k,
				State: queue.StatePending, FINESS: agency, RPPS: name, Reason: reason, Body: reason,
				Source:       queue.Source{Path: name, Sheet: agency, Row: 2},
				Registration: &queue.Registration{BirthName: name, FirstNames: reason, Email: agency, Missing: []string{reason}},
				Candidates:   []rppsync.Candidate{{RPPS: name, Reasons: []string{reason}}},
				Issues:       []rppsync.Issue{{Code: agency, Message: reason}}}})
		}
		var buf bytes.Buffer
		if err := report.WriteQueue(&buf, report.QueueXLSX, items, report.Options{Now: queueNow, Title: name}); err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatalf("the workbook does not reopen: %v", err)
		}
		defer x.Close()
		for _, sheet := range x.GetSheetList() {
			rows, err := x.GetRows(sheet)
			if err != nil {
				t.Fatalf("sheet %s does not read back: %v", sheet, err)
			}
			for r, row := range rows {
				for c, v := range row {
					ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
					if fm, _ := x.GetCellFormula(sheet, ref); fm != "" || (v != "" && strings.ContainsRune(formulaStarts, rune(v[0]))) {
						t.Fatalf("%s!%s = %q (formula %q)", sheet, ref, v, fm)
					}
				}
			}
		}
	})
}
