package store_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/rppsync/rppsync/directory"
	"github.com/rppsync/rppsync/store"
)

// sliceSource is an ActivitySource over lines in memory; when failAfter > 0
// it stops with err after that many lines.
type sliceSource struct {
	lines     []directory.Line
	i         int
	failAfter int
	err       error
}

func (s *sliceSource) Next() bool {
	if s.failAfter > 0 && s.i >= s.failAfter {
		return false
	}
	if s.i >= len(s.lines) {
		return false
	}
	s.i++
	return true
}

func (s *sliceSource) Line() directory.Line { return s.lines[s.i-1] }

func (s *sliceSource) Err() error {
	if s.failAfter > 0 && s.i >= s.failAfter {
		return s.err
	}
	return nil
}

// cardSource is a CardSource over cards in memory.
type cardSource struct {
	cards []directory.Card
	i     int
}

func (s *cardSource) Next() bool           { s.i++; return s.i <= len(s.cards) }
func (s *cardSource) Line() directory.Card { return s.cards[s.i-1] }
func (s *cardSource) Err() error           { return nil }

// line builds an RPPS line of an invented professional.
func line(rpps, last, first, code, finess string) directory.Line {
	l := directory.Line{
		IDType: "8", ID: rpps, NationalID: "8" + rpps, Civility: "M",
		LastName: last, FirstName: first, ProfessionCode: code, ProfessionLabel: "Profession " + code,
		CategoryCode: "C", ModeCode: "S", FinessSite: finess, CommuneCode: "75056", RoleCode: "",
	}
	if finess != "" {
		l.FinessJuridique = "75" + finess[2:8] + "9"
		l.SiteName = "Site " + finess
	}
	return l
}

// day returns the extract date 2026-01-dd.
func day(dd int) time.Time { return time.Date(2026, 1, dd, 0, 0, 0, 0, time.UTC) }

// luhnRPPS returns an 11-digit RPPS-like number "10" + 8 digits of n + a
// Luhn key, so generated numbers look like real ones.
func luhnRPPS(n int) string {
	body := "10" + pad(n, 8)
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 { // doubled: positions that precede the key
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return body + strconv.Itoa((10-sum%10)%10)
}

func pad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// genSource generates a synthetic extract of n lines: person p has 1 + p%3
// lines, at FINESS sites derived from p, with invented names. variant
// shifts the population so that two variants differ by a few percent:
// people with p%97 == variant are absent, and for p%89 == variant the
// second site moves.
type genSource struct {
	n, variant int
	emitted    int
	p, k       int // current person and its line index
	line       directory.Line
	delay      func(emitted int) // called before each line, for slow sources
}

var syllables = []string{"MA", "LE", "DU", "BER", "TIN", "RO", "GAR", "NI", "CHE", "VAL", "POU", "LA", "FON", "TAI", "NE", "RI"}
var firsts = []string{"Anne", "Luc", "Chloé", "Marc", "Inès", "Paul", "Léa", "Hugo", "Zoé", "Noël"}

func (g *genSource) Next() bool {
	for g.emitted < g.n {
		if g.k >= 1+g.p%3 {
			g.p++
			g.k = 0
		}
		p, k := g.p, g.k
		g.k++
		if p%97 == g.variant {
			continue
		}
		if g.delay != nil {
			g.delay(g.emitted)
		}
		g.emitted++
		last := inventedName((p * 7919) % 200_003) // about 200 000 distinct names
		site := (p/3 + k*7919) % 60000
		if k == 1 && p%89 == g.variant {
			site = (site + 1) % 60000
		}
		finess := ""
		if k > 0 || p%4 != 0 { // a quarter of first lines are without site (liberal practice)
			finess = pad(10+site%85, 2) + pad(site, 6) + "1"
		}
		rpps := luhnRPPS(p)
		g.line = directory.Line{
			IDType: "8", ID: rpps, NationalID: "8" + rpps, Civility: "MME",
			LastName: last, FirstName: firsts[p%10], ProfessionCode: strconv.Itoa(10 + p%9*10),
			ProfessionLabel: "Profession inventée", CategoryCode: "C", ModeCode: "S",
			SIRETSite: "", FinessSite: finess, StructureID: "", SiteName: "",
			CommuneCode: pad(1000+site%90000, 5), RoleCode: "",
		}
		if finess != "" {
			g.line.FinessJuridique = finess[:8] + "0"
			g.line.SiteName = "CENTRE HOSPITALIER INVENTÉ " + pad(site, 5)
			g.line.SIRETSite = "123456789" + pad(site%100000, 5)
			g.line.StructureID = "F" + finess
		}
		return true
	}
	return false
}

// inventedName spells m in base 16 with syllables: 1 to 5 syllables.
func inventedName(m int) string {
	name := syllables[m%16]
	for m /= 16; m > 0; m /= 16 {
		name += syllables[m%16]
	}
	return name
}

func (g *genSource) Line() directory.Line { return g.line }
func (g *genSource) Err() error           { return nil }

// mustLoad loads lines as extract name of day dd and fails the test on error.
func mustLoad(t testing.TB, db *store.DB, name string, dd int, lines []directory.Line) *store.LoadReport {
	t.Helper()
	rep, err := db.LoadDirectory(context.Background(), store.ExtractInfo{Name: name, Date: day(dd)}, &sliceSource{lines: lines}, store.LoadOptions{})
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return rep
}
