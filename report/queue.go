package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
)

// QueueFormat names an output format of `rppsync queue list|export`.
type QueueFormat string

// The formats of a queue.
const (
	QueueTable QueueFormat = "table" // per structure, for a terminal
	QueueJSON  QueueFormat = "json"  // the items as stored, with their history
	QueueCSV   QueueFormat = "csv"   // UTF-8 with BOM, ";" and CRLF, for French Excel
	QueueXLSX  QueueFormat = "xlsx"  // an Excel workbook: a "Résumé" sheet, then one sheet per kind of item
)

// QueueFormats lists every queue format, in the order help texts show them.
var QueueFormats = []QueueFormat{QueueTable, QueueJSON, QueueCSV, QueueXLSX}

// ParseQueueFormat reads a queue format name as typed, ignoring case and
// surrounding spaces; any other name returns an error wrapping
// ErrUnknownFormat.
func ParseQueueFormat(s string) (QueueFormat, error) {
	f := QueueFormat(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range QueueFormats {
		if f == known {
			return f, nil
		}
	}
	return "", fmt.Errorf("%w « %s » : choisissez table, json, csv ou xlsx", ErrUnknownFormat, s)
}

// WriteQueue writes work items to w in format f. The xlsx format dates its
// "Résumé" sheet with opts.Now (whose location also shows e-CPS due times)
// and says what the file holds with opts.Title; the other formats ignore
// opts. The same items and options give the same output. An unknown format
// returns an error wrapping ErrUnknownFormat before anything is written.
func WriteQueue(w io.Writer, f QueueFormat, items []queue.Entry, opts Options) error {
	var err error
	switch f {
	case QueueTable:
		err = writeQueueTable(w, items)
	case QueueJSON:
		if items == nil {
			items = []queue.Entry{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		err = enc.Encode(items)
	case QueueCSV:
		err = writeQueueCSV(w, items, opts.now().Location())
	case QueueXLSX:
		err = writeQueueXLSX(w, items, opts)
	default:
		return fmt.Errorf("write queue: %w « %s »", ErrUnknownFormat, f)
	}
	if err != nil {
		return fmt.Errorf("write %s queue: %w", f, err)
	}
	return nil
}

func writeQueueTable(w io.Writer, items []queue.Entry) error {
	ew := &errWriter{w: w}
	if len(items) == 0 {
		fmt.Fprintln(ew, "Aucune demande.")
		return ew.err
	}
	finess := ""
	for _, it := range items {
		if it.FINESS != finess {
			finess = it.FINESS
			fmt.Fprintf(ew, "\nStructure FINESS %s\n", orDash(finess))
		}
		w := workerOf(it)
		fmt.Fprintf(ew, "  #%-6d %-34s %-10s %s → %s  RPPS %s  %s (%s)\n", it.ID, it.Kind.Label(), it.State.Label(),
			dashDate(it.Start), dashDate(it.End), orDash(it.RPPS), orDash(strings.TrimSpace(w.LastName+" "+w.FirstName)), orDash(it.Agency))
		if p := periodsText(it); p != "" {
			fmt.Fprintf(ew, "          périodes : %s\n", p)
		}
		fmt.Fprintf(ew, "          %s\n", it.Reason)
		if r := it.Registration; r != nil && it.Kind == queue.KindRegisterRPPSPlus {
			fmt.Fprintf(ew, "          pré-rempli : %s %s, né(e) le %s, INSEE %s ; manquant : %s\n",
				r.BirthName, r.FirstNames, dashDate(r.BirthDate), orDash(r.BirthINSEE+r.BirthCountry), orDash(strings.Join(r.Missing, ", ")))
		}
		for _, c := range it.Candidates {
			fmt.Fprintf(ew, "          candidat RPPS %s (score %.2f) %s\n", c.RPPS, c.Score, strings.Join(c.Reasons, ", "))
		}
		if it.Kind != queue.KindFixData { // a fix_data reason already lists its issues
			for _, is := range it.Issues {
				fmt.Fprintf(ew, "          ↳ %s\n", is.Message)
			}
		}
	}
	return ew.err
}

// QueueHeaders are the French column titles of a queue's CSV, in order.
// New columns are added at the end, so that a column keeps its place.
var QueueHeaders = []string{"N°", "Demande", "État", "FINESS", "RPPS", "Début contrat", "Fin contrat", "Motif",
	"Civilité", "Nom de naissance", "Nom d'usage", "Prénoms", "Date de naissance", "INSEE naissance", "Pays de naissance",
	"Courriel", "Téléphone", "Profession", "Champs manquants", "Candidats",
	"Agence", "Nationalité", "Organisme d'inscription", "Problèmes", "Échéance", "Fichier", "Feuille", "Ligne"}

// writeQueueCSV writes one line per item; times (the e-CPS due time) are
// shown in loc.
func writeQueueCSV(w io.Writer, items []queue.Entry, loc *time.Location) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	if err := cw.Write(QueueHeaders); err != nil {
		return err
	}
	for _, it := range items {
		r := it.Registration
		if r == nil {
			r = &queue.Registration{}
		}
		var cands []string
		for _, c := range it.Candidates {
			cands = append(cands, fmt.Sprintf("%s (%.2f)", c.RPPS, c.Score))
		}
		issues := make([]string, len(it.Issues))
		for i, is := range it.Issues {
			issues[i] = issueText(is)
		}
		due := ""
		if t, clock, ok := dueOf(it, loc); ok && clock {
			due = t.Format("02/01/2006 15:04")
		} else if ok {
			due = t.Format("02/01/2006")
		}
		row := ""
		if it.Source.Row > 0 {
			row = strconv.Itoa(it.Source.Row)
		}
		w := workerOf(it)
		rec := []string{strconv.FormatInt(it.ID, 10), it.Kind.Label(), it.State.Label(), it.FINESS, it.RPPS,
			dashDate(it.Start), dashDate(it.End), it.Reason, r.Civility, w.LastName, w.UsageName, w.FirstName,
			dashDate(r.BirthDate), r.BirthINSEE, r.BirthCountry, r.Email, r.Phone, r.ProfessionLabel,
			strings.Join(r.Missing, ", "), strings.Join(cands, " | "),
			it.Agency, r.Nationality, it.Body, strings.Join(issues, listSep), due, it.Source.Path, it.Source.Sheet, row}
		for i := range rec {
			rec[i] = Neutralise(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// dueOf returns when an item must be acted on, in loc: for order_mie, the
// day the means of identification must be there by (its due time, else the
// contract start); for activate_ecps, the time from which the e-CPS can be
// activated (clock is true: the hour matters). ok is false for other kinds
// and when the date is unknown.
func dueOf(e queue.Entry, loc *time.Location) (t time.Time, clock, ok bool) {
	switch e.Kind {
	case queue.KindOrderMIE:
		d := e.Start
		if !e.DueAt.IsZero() {
			d = rppsync.DateOf(e.DueAt.In(loc))
		}
		return d.Time(), false, !d.IsZero()
	case queue.KindActivateECPS:
		return e.DueAt.In(loc), true, !e.DueAt.IsZero()
	}
	return time.Time{}, false, false
}

// dashDate formats d as dd/mm/yyyy, or "—" when absent.
func dashDate(d rppsync.Date) string {
	if d.IsZero() {
		return "—"
	}
	return frenchDate(d)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// errWriter keeps the first error of a run of writes.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(b []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(b)
	e.err = err
	return n, err
}

// workerOf names the worker of e: the pre-filled registration's names
// when there is one, else the names the item keeps of the agency's row.
func workerOf(e queue.Entry) queue.Person {
	if r := e.Registration; r != nil && (r.BirthName != "" || r.FirstNames != "") {
		return queue.Person{LastName: r.BirthName, UsageName: r.UsageName, FirstName: r.FirstNames}
	}
	if e.Person != nil {
		return *e.Person
	}
	return queue.Person{}
}

// periodsText lists the contract periods an item covers when it covers
// more than one ("01/12/2026 → 21/12/2026 ; 05/01/2027 → 20/01/2027").
func periodsText(e queue.Entry) string {
	if len(e.Periods) < 2 {
		return ""
	}
	parts := make([]string, len(e.Periods))
	for i, p := range e.Periods {
		parts[i] = dashDate(p.Start) + " → " + dashDate(p.End)
	}
	return strings.Join(parts, " ; ")
}
