package directory

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rppsync/rppsync"
)

// Card columns and the header names they are known under. The
// Porteurs_CPS_CPF header is not confirmed, so each column accepts
// synonyms; the first name listed is the one the fixtures use.
const (
	cRPPS = iota
	cType
	cTypeLabel
	cNumber
	cFrom
	cTo
	cOpposed
	cUpdated
	cProfession
	nCardCols
)

var cardSynonyms = [nCardCols][]string{
	cRPPS:       {"Identifiant PP", "Identification nationale PP", "Numéro RPPS", "RPPS"},
	cType:       {"Type de carte", "Code type de carte", "Type carte"},
	cTypeLabel:  {"Libellé type de carte", "Libellé type carte"},
	cNumber:     {"Numéro carte", "Numéro de carte", "N° carte"},
	cFrom:       {"Date début validité", "Date de début de validité", "Date début validité carte"},
	cTo:         {"Date fin validité", "Date de fin de validité", "Date fin validité carte"},
	cOpposed:    {"Date d'opposition", "Date opposition"},
	cUpdated:    {"Date mise à jour", "Date de mise à jour", "Date mise à jour carte"},
	cProfession: {"Code profession"},
}

// cardRequired are the columns without which a card cannot be used.
var cardRequired = []int{cRPPS, cNumber, cTo}

// CardReader streams a Porteurs_CPS_CPF extract. The separator is found
// from the header (`|`, else `;`, else tab); columns are found by header
// name with synonyms. The holder may be given as the 11-digit RPPS or the
// 12-digit "8"+RPPS form; dates read as dd/mm/yyyy or yyyy-mm-dd (a time
// after the date is ignored). Lines with an invalid RPPS or an unreadable
// date are counted in Stats and skipped.
//
// A CardReader is not safe for concurrent use.
type CardReader struct {
	sc    *scanner
	sep   byte
	ncol  int
	trail bool // the header ends with the separator
	pos   [nCardCols]int
	spans []span
	card  Card
	stats Stats
	err   error
}

// NewCardReader reads the header of a card extract from r; ErrEmpty for an
// empty input, a *HeaderError when the holder, card number or end of
// validity column is missing.
func NewCardReader(r io.Reader) (*CardReader, error) {
	cr := &CardReader{}
	cr.sc = newScanner(r, &cr.stats)
	head, ok := cr.sc.next()
	if !ok {
		if err := cr.sc.failure(); err != nil {
			return nil, err
		}
		return nil, ErrEmpty
	}
	switch {
	case bytes.IndexByte(head, '|') >= 0:
		cr.sep = '|'
	case bytes.IndexByte(head, ';') >= 0:
		cr.sep = ';'
	default:
		cr.sep = '\t'
	}
	cr.trail = head[len(head)-1] == cr.sep
	cr.spans = split(head, cr.sep, cr.spans, true)
	names := make([]string, len(cr.spans))
	for i, s := range cr.spans {
		names[i] = string(head[s.lo:s.hi])
	}
	cr.ncol = len(names)
	idx := headerIndex(names)
	for c, syn := range cardSynonyms {
		cr.pos[c] = -1
		for _, name := range syn {
			if p, ok := idx[normHeader(name)]; ok {
				cr.pos[c] = p
				break
			}
		}
	}
	var missing []string
	for _, c := range cardRequired {
		if cr.pos[c] < 0 {
			missing = append(missing, cardSynonyms[c][0])
		}
	}
	if cr.pos[cType] < 0 && cr.pos[cTypeLabel] < 0 {
		missing = append(missing, cardSynonyms[cType][0])
	}
	if missing != nil {
		return nil, &HeaderError{Missing: missing}
	}
	return cr, nil
}

// Next advances to the next valid card, and reports false at the end of
// input or on a read error (see Err).
func (cr *CardReader) Next() bool {
	for {
		raw, ok := cr.sc.next()
		if !ok {
			cr.err = cr.sc.failure()
			return false
		}
		cr.stats.Lines++
		if cr.parse(raw) {
			cr.stats.Kept++
			return true
		}
	}
}

func (cr *CardReader) field(raw []byte, c int) string {
	p := cr.pos[c]
	if p < 0 || p >= len(cr.spans) {
		return ""
	}
	s := cr.spans[p]
	return strings.TrimSpace(string(raw[s.lo:s.hi]))
}

func (cr *CardReader) parse(raw []byte) bool {
	n := cr.sc.lineNo
	cr.spans = split(raw, cr.sep, cr.spans, cr.trail)
	if len(cr.spans) != cr.ncol {
		cr.stats.bad(n, "field_count", fmt.Sprintf("%d champs au lieu de %d : ligne tronquée ou séparateur en trop", len(cr.spans), cr.ncol))
		return false
	}
	id := cr.field(raw, cRPPS)
	if len(id) == 12 && id[0] == '8' {
		id = id[1:]
	}
	if !ValidRPPS(id) {
		cr.stats.bad(n, "card_rpps_invalid", "porteur sans RPPS valide (11 chiffres, ou 12 commençant par 8)")
		return false
	}
	c := Card{RPPS: id, Number: cr.field(raw, cNumber), Profession: cr.field(raw, cProfession)}
	c.Type = cardType(cr.field(raw, cType), cr.field(raw, cTypeLabel))
	var bad string
	dates := []struct {
		col      int
		dst      *rppsync.Date
		required bool
	}{{cFrom, &c.ValidFrom, false}, {cTo, &c.ValidTo, true}, {cOpposed, &c.OpposedAt, false}, {cUpdated, &c.UpdatedAt, false}}
	for _, d := range dates {
		v := cr.field(raw, d.col)
		if v == "" {
			if d.required {
				bad = "date de fin de validité vide"
			}
			continue
		}
		t, ok := ParseCardDate(v)
		if !ok {
			bad = fmt.Sprintf("date illisible %q (attendu jj/mm/aaaa ou aaaa-mm-jj)", v)
			continue
		}
		*d.dst = t
	}
	if bad != "" {
		cr.stats.bad(n, "date_invalid", bad)
		return false
	}
	cr.card = c
	return true
}

// cardType returns "CPS" or "CPF" from the code or label columns ("Carte
// de Professionnel en Formation" is a CPF, "… de Santé" a CPS); the code as
// given when it is neither.
func cardType(code, label string) string {
	for _, v := range []string{code, label} {
		u := strings.ToUpper(v)
		switch {
		case strings.Contains(u, "CPF"), strings.Contains(u, "FORMATION"):
			return "CPF"
		case strings.Contains(u, "CPS"), strings.Contains(u, "SANTÉ"), strings.Contains(u, "SANTE"):
			return "CPS"
		}
	}
	if code != "" {
		return code
	}
	return label
}

// ParseCardDate reads dd/mm/yyyy or yyyy-mm-dd, with an optional time
// after the date (ignored). It reports false for a day that does not exist.
func ParseCardDate(s string) (rppsync.Date, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " T"); i >= 0 {
		s = s[:i]
	}
	var layout string
	switch {
	case len(s) == 10 && s[2] == '/' && s[5] == '/':
		layout = "02/01/2006"
	case len(s) == 10 && s[4] == '-' && s[7] == '-':
		layout = time.DateOnly
	default:
		return rppsync.Date{}, false
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return rppsync.Date{}, false
	}
	return rppsync.NewDate(t.Year(), t.Month(), t.Day())
}

// Line returns the card Next stopped on.
func (cr *CardReader) Line() Card { return cr.card }

// Err returns the read error that stopped Next, or nil at the normal end
// of input.
func (cr *CardReader) Err() error { return cr.err }

// Stats returns the counts so far (ADELI stays zero for cards).
func (cr *CardReader) Stats() Stats {
	s := cr.stats
	s.Samples = append([]BadLine(nil), cr.stats.Samples...)
	return s
}
