package insee

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/rppsync/rppsync/namekey"

	"github.com/rppsync/rppsync"
)

// The statuses of a Result (CONTRACT.md, `rppsync lookup commune`).
const (
	StatusOK         = "ok"          // Code is set
	StatusAmbiguous  = "ambiguous"   // several communes fit: Candidates
	StatusPostalCode = "postal_code" // the text is a postal code: Candidates are the communes it serves
	StatusUnknown    = "unknown"     // nothing fits
)

// Result is the answer to one birth place, in the JSON shape of
// `rppsync lookup commune --format json`: CONTRACT.md's five keys, then
// the ones this package adds (see BIRTHCODES.md).
//
// Code is the code in force on the birth date (today's code when the date
// is unknown): what civil status carries and what ResolveBirthPlace
// returns. Name is the commune's (or country's) name under that code.
// TodayCode and TodayName are the commune it is today (the same as Code
// and Name unless the commune changed code, merged or was renamed since),
// which is what a form that picks a commune from today's list (RPPS+)
// needs. All four are null unless Status is ok; TodayCode and TodayName
// are also null when the commune has since been split between several.
type Result struct {
	Input      string      `json:"input"`
	Status     string      `json:"status"`
	Code       *string     `json:"code"`
	Name       *string     `json:"name"`
	Candidates []Candidate `json:"candidates"`
	// CodeAtBirth is Code, under a name that says which code it is.
	CodeAtBirth *string `json:"code_at_birth"`
	TodayCode   *string `json:"today_code"`
	TodayName   *string `json:"today_name"`
	// Notes says, in French sentences, what was assumed to reach Code or
	// what a person should know about it (an old name read at the birth
	// date, a code that is also a postal code, a département ignored…),
	// one sentence or two per note. Never nil; empty when nothing was
	// assumed.
	Notes []string `json:"notes"`
	// Assumed is Notes joined by spaces, for the readers that predate
	// Notes. Empty when nothing was assumed.
	Assumed string `json:"assumed,omitempty"`
}

// Candidate is one commune (or country) that may be the birth place.
type Candidate struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Dept string `json:"dept"` // département or collectivity code; "99" for a country
	// Reading says how the text typed leads to this candidate when a bare
	// code is both an INSEE and a postal code: ReadingINSEE or
	// ReadingPostal. Empty otherwise.
	Reading string `json:"reading,omitempty"`
}

// The readings of a code that is both an INSEE and a postal code.
const (
	ReadingINSEE  = "insee_code"
	ReadingPostal = "postal_code"
)

// outcome is what a name resolved to, before it becomes a Result.
type outcome struct {
	found bool    // the text named something (even if nothing fits the date)
	picks []int32 // places at the birth date, one per code
	notes map[int32]string
	extra []string // notes that hold whatever the pick
	// country answers
	countries []string
}

// dateInt returns d as yyyymmdd, 0 when absent.
func dateInt(d rppsync.Date) int32 {
	if d.IsZero() {
		return 0
	}
	return int32(d.Year*10000 + int(d.Month)*100 + d.Day)
}

// Resolve returns the INSEE code of the birth place typed as text. dept,
// when not empty, is the birth département as typed ("93", "2A", "974",
// "La Réunion"); born, when not zero, is the birth date: the commune is
// resolved as it was on that day. Resolve never guesses between
// homonyms: with nothing to decide, the answer is StatusAmbiguous.
func (ix *Index) Resolve(text, dept string, born rppsync.Date) Result {
	return ix.resolve(text, ix.deptFilter(dept), dateInt(born))
}

// resolve resolves text and fills the fields every Result has.
func (ix *Index) resolve(text string, filt []string, d int32) Result {
	r := ix.resolveText(text, filt, d)
	if r.Notes == nil {
		r.Notes = []string{}
	}
	r.Assumed = strings.Join(r.Notes, " ")
	r.CodeAtBirth = r.Code
	return r
}

// resolveText resolves text: a country, a code, a name, or a name and a
// code typed beside it.
func (ix *Index) resolveText(text string, filt []string, d int32) Result {
	r := Result{Input: text, Status: StatusUnknown, Candidates: []Candidate{}}
	q := ix.parse(text)
	filt = appendDepts(slices.Clone(filt), q.depts)
	switch {
	case len(q.countries) > 0:
		return ix.countryResult(r, q.countries, d)
	case len(q.tokens) == 0 && q.code == "":
		return r
	case len(q.tokens) == 0:
		return ix.codeOnly(r, q.code, filt, d)
	}
	out := ix.resolveName(q.tokens, filt, d)
	if len(out.countries) > 0 {
		return ix.countryResult(r, out.countries, d)
	}
	if q.code != "" {
		return ix.withCode(r, out, q.code, filt, d)
	}
	// "Allemagne", "Suisse", "Soudan" also name (or named) French communes.
	if h, ok := ix.country[nameKey(q.tokens)]; ok && len(out.picks) > 0 && len(filt) == 0 {
		if !slices.ContainsFunc(out.picks, func(i int32) bool { return out.notes[i] == "" }) {
			return ix.countryResult(r, h.codes, d) // only an old name or a guess: the country
		}
		r = ix.ambiguous(r, out.picks)
		r.Candidates = append(r.Candidates, ix.countryResult(Result{}, h.codes, d).asCandidates()...)
		return r
	}
	return ix.finish(r, out)
}

// asCandidates returns the countries of a country Result as candidates.
func (r Result) asCandidates() []Candidate {
	if r.Status == StatusOK {
		return []Candidate{{Code: *r.Code, Name: *r.Name, Dept: "99"}}
	}
	return r.Candidates
}

// query is a typed birth place taken apart.
type query struct {
	tokens    []string // the name, folded
	code      string   // a five-character code typed beside (or instead of) it
	depts     []string // départements named in brackets
	countries []string // a foreign country named in brackets
}

func (ix *Index) parse(text string) query {
	var q query
	rest, hints := splitBrackets(text)
	q.tokens = strings.Fields(namekey.Fold(rest))
	for _, h := range hints {
		ht := strings.Fields(namekey.Fold(h))
		if len(ht) == 0 {
			continue
		}
		if len(ht) == 1 {
			if isCodeToken(ht[0]) && q.code == "" {
				q.code = ht[0]
				continue
			}
			if dc := normDeptCode(ht[0]); dc != "" && len(ht[0]) >= 2 {
				q.depts = append(q.depts, dc)
				continue
			}
		}
		k := nameKey(ht)
		if deps, ok := ix.terr[k]; ok {
			q.depts = append(q.depts, deps...)
			continue
		}
		if c := ix.countryCodes(k, ht); len(c) > 0 {
			q.countries = c
			continue
		}
		q.tokens = append(q.tokens, ht...) // "Château-Chinon (Ville)", "Paris (15e)"
	}
	for i, t := range q.tokens {
		if isCodeToken(t) && q.code == "" {
			q.code = t
			q.tokens = slices.Delete(slices.Clone(q.tokens), i, i+1)
			break
		}
	}
	return q
}

// splitBrackets returns text without its bracketed parts, and those parts.
func splitBrackets(text string) (string, []string) {
	if !strings.ContainsAny(text, "([") {
		return text, nil
	}
	var rest strings.Builder
	var hints []string
	depth, start := 0, 0
	for i, c := range text {
		switch c {
		case '(', '[':
			if depth == 0 {
				start = i + 1
				rest.WriteByte(' ')
			}
			depth++
		case ')', ']':
			if depth == 1 {
				hints = append(hints, text[start:i])
			}
			if depth > 0 {
				depth--
			}
		default:
			if depth == 0 {
				rest.WriteRune(c)
			}
		}
	}
	if depth > 0 {
		hints = append(hints, text[start:])
	}
	return rest.String(), hints
}

// countryCodes returns the 99xxx codes a folded name (or ISO code) names.
func (ix *Index) countryCodes(key string, tokens []string) []string {
	if h, ok := ix.country[key]; ok {
		return h.codes
	}
	if len(tokens) == 1 && (len(tokens[0]) == 2 || len(tokens[0]) == 3) {
		if c, ok := ix.iso[tokens[0]]; ok {
			return []string{c}
		}
	}
	return nil
}

// deptFilter reads the dept argument: a code or a name. It returns nil
// when dept is empty or not recognised (then it decides nothing).
func (ix *Index) deptFilter(dept string) []string {
	if strings.TrimSpace(dept) == "" {
		return nil
	}
	if dc := normDeptCode(dept); dc != "" {
		return []string{dc}
	}
	if dc := normDeptCode(namekey.Fold(dept)); dc != "" {
		return []string{dc}
	}
	return slices.Clone(ix.terr[keyOf(dept)])
}

func appendDepts(filt, more []string) []string {
	for _, d := range more {
		if !slices.Contains(filt, d) {
			filt = append(filt, d)
		}
	}
	return filt
}

// deptMatch reports whether place i (or a place of its lineage) lies in
// one of the départements of filt. "20" (Corsica before 1976) matches 2A
// and 2B.
func (ix *Index) deptMatch(i int32, filt []string) bool {
	p := &ix.places[i]
	if p.kind == kindPart {
		p = &ix.places[p.parent]
	}
	for _, dep := range ix.groups[p.group] {
		for _, f := range filt {
			if f == dep || (f == "20" && (dep == "2A" || dep == "2B")) {
				return true
			}
		}
	}
	return false
}

// resolveName resolves a folded name: an arrondissement, a commune name,
// a name followed by a département code or name, or a country.
func (ix *Index) resolveName(tokens []string, filt []string, d int32) outcome {
	art := ""
	if len(tokens) > 1 && isArticle(tokens[0]) {
		art = tokens[0]
	}
	if code, ok := parseArrondissement(tokens); ok {
		var ids []int32
		for _, i := range ix.byCode[code] {
			if ix.places[i].kind == kindARM {
				ids = append(ids, i)
			}
		}
		return ix.resolvePlaces(ids, art, filt, d)
	}
	if ids, a := ix.lookupName(tokens); len(ids) > 0 {
		return ix.resolvePlaces(ids, a, filt, d)
	}
	// "République démocratique du Congo": a whole country name wins over
	// the country its last word names ("Congo").
	if len(tokens) > 1 {
		if c := ix.countryCodes(nameKey(tokens), tokens); len(c) > 0 {
			return outcome{found: true, countries: c}
		}
	}
	n := len(tokens)
	if n >= 2 {
		// "Saint Denis 93", "93 Saint-Denis"
		for _, c := range []struct {
			dept string
			name []string
		}{{tokens[n-1], tokens[:n-1]}, {tokens[0], tokens[1:]}} {
			if len(c.dept) < 2 {
				continue
			}
			if dc := normDeptCode(c.dept); dc != "" {
				if ids, a := ix.lookupName(c.name); len(ids) > 0 {
					return ix.resolvePlaces(ids, a, appendDepts(slices.Clone(filt), []string{dc}), d)
				}
			}
		}
		// "Saint-Denis La Réunion", "Casablanca Maroc"
		for k := 1; k <= 4 && k < n; k++ {
			sk := nameKey(tokens[n-k:])
			if deps, ok := ix.terr[sk]; ok && len(deps) > 0 {
				if ids, a := ix.lookupName(tokens[:n-k]); len(ids) > 0 {
					return ix.resolvePlaces(ids, a, appendDepts(slices.Clone(filt), deps), d)
				}
			}
			if c := ix.countryCodes(sk, tokens[n-k:]); len(c) > 0 && len(tokens[n-k]) > 3 {
				return outcome{found: true, countries: c}
			}
		}
	}
	if c := ix.countryCodes(nameKey(tokens), tokens); len(c) > 0 {
		return outcome{found: true, countries: c}
	}
	return outcome{}
}

// lookupName returns the places a folded name names, and the article it
// was typed with ("LA" for "La Vergne", "L" for "Lhay les Roses").
// Besides the name key, it reads a leading "L'" typed without its
// apostrophe and glued to the word ("Lhay les Roses", "Lisle sur Tarn"
// when no commune is called that): the key drops the article, so
// "L'Haÿ-les-Roses" is under HAYLESROSES, not LHAYLESROSES.
func (ix *Index) lookupName(tokens []string) ([]int32, string) {
	art := ""
	if len(tokens) > 1 && isArticle(tokens[0]) {
		art = tokens[0]
	}
	if ids := ix.byKey[nameKey(tokens)]; len(ids) > 0 {
		return ids, art
	}
	if t := tokens[0]; len(t) >= 3 && t[0] == 'L' && strings.IndexByte("AEIOUYH", t[1]) >= 0 {
		glued := append([]string{t[1:]}, tokens[1:]...)
		if ids := ix.byKey[nameKey(glued)]; len(ids) > 0 {
			return ids, "L"
		}
	}
	return nil, ""
}

// arrondissement cities: INSEE code of the first arrondissement minus one, and how many.
var cities = map[string]struct{ base, n int }{
	"PARIS":     {75100, 20},
	"LYON":      {69380, 9},
	"MARSEILLE": {13200, 16},
}

// parseArrondissement reads "Paris 15e", "PARIS 15EME ARRONDISSEMENT",
// "Paris XVe", "Lyon 1er", "15e arrondissement de Paris" and returns the
// arrondissement's INSEE code.
func parseArrondissement(tokens []string) (string, bool) {
	if len(tokens) < 2 {
		return "", false
	}
	city, rest := "", make([]string, 0, 4)
	for i, t := range tokens {
		if _, ok := cities[t]; ok && city == "" && (i == 0 || i == len(tokens)-1) {
			city = t
			continue
		}
		switch t {
		case "ARRONDISSEMENT", "ARRONDISSEMENTS", "ARR", "ARRT", "ARRDT", "ARDT", "DE", "DU":
			continue
		}
		rest = append(rest, t)
	}
	if city == "" || len(rest) == 0 || len(rest) > 2 {
		return "", false
	}
	n, ok := ordinal(strings.Join(rest, ""))
	c := cities[city]
	if !ok || n < 1 || n > c.n {
		return "", false
	}
	return strconv.Itoa(c.base + n), true
}

// ordinal reads "15", "15E", "15EME", "1ER", "XV", "XVE", "IER".
func ordinal(s string) (int, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 {
		if i > 2 || !ordinalSuffix(s[i:]) {
			return 0, false
		}
		n, err := strconv.Atoi(s[:i])
		return n, err == nil
	}
	// Roman numerals: try the longest prefix that leaves a valid suffix.
	for j := min(len(s), 6); j > 0; j-- {
		if n, ok := roman(s[:j]); ok && ordinalSuffix(s[j:]) {
			return n, true
		}
	}
	return 0, false
}

func ordinalSuffix(s string) bool {
	switch s {
	case "", "E", "EME", "EMME", "IEME", "EM", "ME", "ER", "ERE", "IER", "IERE", "RE", "EMES":
		return true
	}
	return false
}

// roman reads a Roman numeral from I to XX.
func roman(s string) (int, bool) {
	vals := map[byte]int{'I': 1, 'V': 5, 'X': 10}
	total := 0
	for i := 0; i < len(s); i++ {
		v, ok := vals[s[i]]
		if !ok {
			return 0, false
		}
		if i+1 < len(s) && vals[s[i+1]] > v {
			total -= v
		} else {
			total += v
		}
	}
	// Reject non-canonical forms (IIII, VX…) by writing the number back.
	if total < 1 || total > 20 || toRoman(total) != s {
		return 0, false
	}
	return total, true
}

func toRoman(n int) string {
	var b strings.Builder
	for _, p := range []struct {
		v int
		s string
	}{{10, "X"}, {9, "IX"}, {5, "V"}, {4, "IV"}, {1, "I"}} {
		for n >= p.v {
			b.WriteString(p.s)
			n -= p.v
		}
	}
	return b.String()
}

// at returns the places that place i was, or had become, on date d.
func (ix *Index) at(i, d int32) []int32 {
	var out, seen []int32
	ix.walk(i, d, 0, &seen, &out)
	return out
}

// walk follows place i through time to date d: forward along what it
// became (dir > 0), backward along what it came from (dir < 0), or
// whichever way d lies (dir == 0, the first step). It never turns back
// and visits a place once, so a city and its arrondissements (which link
// both ways) cannot make it loop.
func (ix *Index) walk(i, d int32, dir int, seen, out *[]int32) {
	if slices.Contains(*seen, i) {
		return
	}
	*seen = append(*seen, i)
	p := &ix.places[i]
	if p.kind == kindPart {
		ix.walk(p.parent, d, dir, seen, out)
		return
	}
	if p.validAt(d) {
		if !slices.Contains(*out, i) {
			*out = append(*out, i)
		}
		return
	}
	if len(p.spans) == 0 {
		return
	}
	var end int32 = -1
	for _, s := range p.spans {
		if s.to <= d && s.to > end {
			end = s.to
		}
	}
	if end >= 0 && dir >= 0 {
		for _, l := range p.succ {
			if l.date == end {
				ix.walk(l.to, d, 1, seen, out)
			}
		}
	} else if end < 0 && dir <= 0 {
		start := p.spans[0].from
		for _, l := range p.pred {
			if l.date == start {
				ix.walk(l.to, d, -1, seen, out)
			}
		}
	}
}

// today is a date after every event: at(i, today) is what i is now.
const today = forever - 2

// resolvePlaces turns the places a name matched into the places at the
// birth date d (or, d unknown, today's communes and old names).
//
// art is the article typed first ("LA" in "La Vergne"), or "": when the
// name matches places whose articles differ (Vergné and La Vergne, both in
// Charente-Maritime), the places written with the article typed win.
func (ix *Index) resolvePlaces(ids []int32, art string, filt []string, d int32) outcome {
	out := outcome{found: true, notes: map[int32]string{}}
	if len(ids) > 1 {
		exact := slices.DeleteFunc(slices.Clone(ids), func(i int32) bool { return ix.places[i].art != art })
		if len(exact) > 0 && len(exact) < len(ids) {
			ids = exact
		}
	}
	if len(filt) > 0 {
		var kept []int32
		for _, i := range ids {
			if ix.deptMatch(i, filt) {
				kept = append(kept, i)
			}
		}
		if len(kept) == 0 {
			out.extra = append(out.extra, fmt.Sprintf("Aucune commune de ce nom dans le département indiqué (%s) : le département a été ignoré.", strings.Join(filt, ", ")))
		} else {
			ids = kept
		}
	}
	add := func(j int32, note string) {
		for k, o := range out.picks {
			if ix.places[o].code == ix.places[j].code {
				// Same code: keep the place valid today, and no note if either needs none.
				if ix.places[j].current() && !ix.places[o].current() {
					out.picks[k] = j
					out.notes[j] = note
					delete(out.notes, o)
				}
				if note == "" {
					out.notes[out.picks[k]] = ""
				}
				return
			}
		}
		out.picks = append(out.picks, j)
		out.notes[j] = note
	}
	if d > 0 {
		var direct []int32
		for _, i := range ids {
			if ix.places[i].kind != kindPart && ix.places[i].validAt(d) {
				direct = append(direct, i)
			}
		}
		if len(direct) > 0 {
			for _, i := range direct {
				add(i, "")
			}
		} else {
			for _, i := range ids {
				for _, j := range ix.at(i, d) {
					add(j, ix.movedNote(i, j, d))
				}
			}
		}
	} else {
		// No birth date: today's communes of that name decide; old names
		// count only when no commune bears the name today.
		var now, old []int32
		for _, i := range ids {
			p := &ix.places[i]
			switch {
			case p.kind == kindPart || p.current():
				now = append(now, i)
			case !ix.superseded(i, ids):
				old = append(old, i)
			}
		}
		for _, i := range now {
			p := &ix.places[i]
			if p.kind == kindPart {
				add(p.parent, fmt.Sprintf("%s est aujourd'hui une commune déléguée ou associée %s : code %s retenu.", p.name, de(ix.label(p.parent)), de(ix.places[p.parent].name)))
				continue
			}
			add(i, "")
		}
		if len(now) > 0 && len(old) > 0 {
			var names []string
			for _, i := range old {
				if !slices.ContainsFunc(out.picks, func(j int32) bool { return ix.places[j].code == ix.places[i].code }) {
					names = append(names, fmt.Sprintf("%s (%s) jusqu'en %d", ix.places[i].name, ix.places[i].code, year(ix.places[i].lastEnd())))
				}
			}
			if len(names) > 0 {
				out.extra = append(out.extra, fmt.Sprintf("Date de naissance inconnue : la commune actuelle a été retenue, mais ce nom a aussi été porté par %s.", strings.Join(names, ", ")))
			}
		}
		if len(now) == 0 {
			for _, i := range old {
				add(i, ix.oldNameNote(i))
			}
		}
	}
	slices.SortFunc(out.picks, func(a, b int32) int { return strings.Compare(ix.places[a].code, ix.places[b].code) })
	return out
}

// superseded reports whether an old place i has a later place of the same
// lineage among ids (Ajaccio 20004 → 2A004).
func (ix *Index) superseded(i int32, ids []int32) bool {
	p := &ix.places[i]
	for _, j := range ids {
		q := &ix.places[j]
		if j != i && q.kind != kindPart && q.group == p.group && q.lastEnd() > p.lastEnd() {
			return true
		}
	}
	return false
}

func (ix *Index) label(i int32) string {
	p := &ix.places[i]
	return fmt.Sprintf("%s (%s)", p.name, p.code)
}

// de returns "de Paris", "d'Évry-Courcouronnes".
func de(name string) string {
	if f := namekey.Fold(name); f != "" && strings.IndexByte("AEIOUY", f[0]) >= 0 {
		return "d'" + name
	}
	return "de " + name
}

func year(d int32) int { return int(d / 10000) }

// movedNote explains how the name typed (place i) leads to place j at date d.
func (ix *Index) movedNote(i, j int32, d int32) string {
	p, q := &ix.places[i], &ix.places[j]
	if p.kind == kindPart {
		return fmt.Sprintf("%s est une commune déléguée ou associée : à la date de naissance (%d), la commune était %s.", p.name, year(d), ix.label(j))
	}
	if len(p.spans) > 0 && d < p.spans[0].from {
		if p.code == q.code {
			return fmt.Sprintf("%s ne portait pas encore ce nom à la date de naissance (%d) : commune alors nommée %s, code %s.", p.name, year(d), q.name, q.code)
		}
		return fmt.Sprintf("%s n'existait pas sous ce code à la date de naissance (%d) : commune de l'époque retenue, %s.", p.name, year(d), ix.label(j))
	}
	return fmt.Sprintf("%s n'existait plus à la date de naissance (%d) : elle faisait alors partie %s.", p.name, year(d), de(ix.label(j)))
}

// oldNameNote explains an old name resolved without a birth date.
func (ix *Index) oldNameNote(i int32) string {
	p := &ix.places[i]
	now := ix.at(i, today)
	var names []string
	for _, j := range now {
		names = append(names, ix.label(j))
	}
	s := fmt.Sprintf("Date de naissance inconnue : %s est une ancienne commune (jusqu'en %d", p.name, year(p.lastEnd()))
	if len(names) > 0 {
		s += ", aujourd'hui " + strings.Join(names, ", ")
	}
	return s + fmt.Sprintf(") ; son code de l'époque, %s, a été retenu.", p.code)
}

// codeOnly resolves a typed five-character code.
//
// A code that is an INSEE code valid at the birth date and also a postal
// code serving other communes ("13001": Aix-en-Provence, and the postal
// code of Marseille 1er) is ambiguous: both readings are candidates,
// unless the départements of filt keep one reading only.
func (ix *Index) codeOnly(r Result, code string, filt []string, d int32) Result {
	if strings.HasPrefix(code, "99") {
		if _, ok := ix.cname[code]; ok {
			return ix.countryResult(r, []string{code}, d)
		}
	}
	served := ix.postal[code]
	var valid, old []int32 // INSEE places with this code: valid at the date (or today), or not
	for _, i := range ix.byCode[code] {
		when := d
		if when == 0 {
			when = today
		}
		if ix.places[i].validAt(when) {
			valid = append(valid, i)
		} else {
			old = append(old, i)
		}
	}
	switch {
	case len(valid) > 0 && (len(served) == 0 || (len(served) == 1 && served[0] == code)):
		return ix.okResult(r, valid[0])
	case len(valid) > 0:
		return ix.bothCodes(r, code, valid[0], served, filt)
	case len(served) > 0:
		r.Status = StatusPostalCode
		r.Candidates = ix.servedCandidates(served)
		return r
	case len(old) > 0 && d > 0:
		var picks []int32
		for _, i := range old {
			for _, j := range ix.at(i, d) {
				if !slices.Contains(picks, j) {
					picks = append(picks, j)
				}
			}
		}
		if len(picks) == 1 {
			return ix.okResult(r, picks[0], fmt.Sprintf("Le code %s n'était pas en vigueur à la date de naissance (%d) : code de la commune à cette date retenu.", code, year(d)))
		}
		return ix.ambiguous(r, picks)
	case len(old) > 0:
		return ix.okResult(r, old[len(old)-1], ix.oldNameNote(old[len(old)-1]))
	}
	return r
}

// bothCodes answers a bare code that is the INSEE code of place i and a
// postal code serving other communes: ambiguous, with the INSEE reading
// first and then the postal one, unless the départements of filt keep
// only one reading (then ok, with a note saying so).
func (ix *Index) bothCodes(r Result, code string, i int32, served, filt []string) Result {
	cands := []Candidate{{Code: code, Name: ix.places[i].name, Dept: deptOfCode(code), Reading: ReadingINSEE}}
	for _, c := range ix.servedCandidates(served) {
		if c.Code != code {
			c.Reading = ReadingPostal
			cands = append(cands, c)
		}
	}
	if len(filt) > 0 {
		in := func(c Candidate) bool {
			return slices.ContainsFunc(filt, func(f string) bool {
				return f == c.Dept || (f == "20" && (c.Dept == "2A" || c.Dept == "2B")) || (f == "985" && c.Dept == "976")
			})
		}
		kept := slices.DeleteFunc(slices.Clone(cands), func(c Candidate) bool { return !in(c) })
		insee := len(kept) > 0 && kept[0].Reading == ReadingINSEE
		switch {
		case len(kept) == 1 && insee:
			return ix.okResult(r, i, fmt.Sprintf("%s est aussi un code postal, mais d'une commune hors du département indiqué (%s) : il a été lu comme le code INSEE %s.", code, strings.Join(filt, ", "), de(ix.places[i].name)))
		case len(kept) > 0 && !insee:
			if len(kept) == 1 {
				for _, j := range ix.byCode[kept[0].Code] {
					if ix.places[j].current() {
						return ix.okResult(r, j, fmt.Sprintf("%s est aussi le code INSEE %s, hors du département indiqué (%s) : il a été lu comme le code postal %s.", code, de(ix.places[i].name), strings.Join(filt, ", "), de(kept[0].Name)))
					}
				}
			}
			r.Status, r.Candidates = StatusPostalCode, kept
			for k := range r.Candidates {
				r.Candidates[k].Reading = ""
			}
			r.Notes = append(r.Notes, fmt.Sprintf("%s est aussi le code INSEE %s, hors du département indiqué (%s) : il a été lu comme un code postal.", code, de(ix.places[i].name), strings.Join(filt, ", ")))
			return r
		}
	}
	r.Status, r.Candidates = StatusAmbiguous, cands
	return r
}

// withCode combines a name and a code typed beside it ("75015 Paris",
// "01090 Montceaux"): the name is preferred, the code only decides.
func (ix *Index) withCode(r Result, out outcome, code string, filt []string, d int32) Result {
	if !out.found {
		r = ix.codeOnly(r, code, filt, d)
		if r.Status != StatusUnknown {
			r.Notes = slices.Insert(r.Notes, 0, "Le nom saisi n'a pas été reconnu : seul le code "+code+" a été utilisé.")
		}
		return r
	}
	served := ix.postal[code]
	var matched []int32
	how := map[int32]string{}
	for _, i := range out.picks {
		now := append([]int32{i}, ix.at(i, today)...)
		var codes []string
		for _, j := range now {
			codes = append(codes, ix.places[j].code)
		}
		switch {
		case slices.Contains(codes, code):
			matched, how[i] = append(matched, i), "insee"
		case slices.ContainsFunc(codes, func(c string) bool { return slices.Contains(served, c) }):
			matched, how[i] = append(matched, i), "postal"
		default:
			// "Paris 75015": the postal code serves an arrondissement of the city named.
			for _, s := range served {
				for _, a := range ix.byCode[s] {
					if ix.places[a].kind != kindARM || ix.places[a].parent != i {
						continue
					}
					targets := []int32{a}
					if d > 0 {
						targets = ix.at(a, d)
					}
					for _, j := range targets {
						if !slices.Contains(matched, j) {
							matched, how[j] = append(matched, j), "postal"
						}
					}
				}
			}
		}
	}
	switch len(matched) {
	case 0:
		r = ix.finish(r, out)
		note := fmt.Sprintf("Le code %s ne correspond pas à la commune nommée : le nom a été retenu.", code)
		if r.Status != StatusOK {
			note = fmt.Sprintf("Le code %s ne correspond à aucune des communes de ce nom.", code)
		}
		r.Notes = slices.Insert(r.Notes, 0, note)
		return r
	case 1:
		i := matched[0]
		var note string
		if how[i] == "postal" {
			note = fmt.Sprintf("%s est un code postal, pas un code INSEE : le code INSEE %s a été retenu.", code, de(ix.places[i].name))
		} else if len(served) > 0 && !(len(served) == 1 && served[0] == code) {
			note = fmt.Sprintf("%s est à la fois un code INSEE et un code postal : le nom saisi correspond au code INSEE %s, qui a été retenu.", code, de(ix.places[i].name))
		}
		return ix.okResult(r, i, note, out.notes[i])
	}
	return ix.ambiguous(r, matched)
}

// finish turns a name outcome into a Result.
func (ix *Index) finish(r Result, out outcome) Result {
	switch len(out.picks) {
	case 0:
		return r
	case 1:
		i := out.picks[0]
		return ix.okResult(r, i, append(slices.Clone(out.extra), out.notes[i])...)
	}
	return ix.ambiguous(r, out.picks)
}

// okResult answers place i, with its code today and the notes given (the
// empty ones left out).
func (ix *Index) okResult(r Result, i int32, notes ...string) Result {
	p := &ix.places[i]
	r.Status = StatusOK
	r.Code, r.Name = &p.code, &p.name
	r.Candidates = []Candidate{}
	for _, n := range notes {
		if n = strings.TrimSpace(n); n != "" {
			r.Notes = append(r.Notes, n)
		}
	}
	var now []int32
	if p.current() {
		now = []int32{i}
	} else {
		now = ix.at(i, today)
	}
	switch len(now) {
	case 0:
	case 1:
		q := &ix.places[now[0]]
		r.TodayCode, r.TodayName = &q.code, &q.name
	default:
		var names []string
		for _, j := range now {
			names = append(names, ix.label(j))
		}
		r.Notes = append(r.Notes, fmt.Sprintf("%s a depuis été partagée entre plusieurs communes : %s. Choisissez la commune actuelle du lieu de naissance.", ix.label(i), strings.Join(names, ", ")))
	}
	return r
}

func (ix *Index) ambiguous(r Result, picks []int32) Result {
	r.Status = StatusAmbiguous
	r.Candidates = make([]Candidate, 0, len(picks))
	for _, i := range picks {
		p := &ix.places[i]
		r.Candidates = append(r.Candidates, Candidate{Code: p.code, Name: p.name, Dept: deptOfCode(p.code)})
	}
	slices.SortFunc(r.Candidates, func(a, b Candidate) int { return strings.Compare(a.Code, b.Code) })
	return r
}

// countryResult answers the countries of codes, as they were at the
// birth date d (see countriesAt).
func (ix *Index) countryResult(r Result, codes []string, d int32) Result {
	codes, note := ix.countriesAt(codes, d)
	if note != "" {
		r.Notes = append(r.Notes, note)
	}
	if len(codes) == 1 {
		code, name := codes[0], ix.cname[codes[0]]
		r.Status, r.Code, r.Name, r.Candidates = StatusOK, &code, &name, []Candidate{}
		switch now := ix.cnow[code]; {
		case now != "":
			nowName := ix.cname[now]
			r.TodayCode, r.TodayName = &now, &nowName
		case len(ix.csucc[code]) > 0:
			// A former country since split: no single code today.
		default:
			r.TodayCode, r.TodayName = r.Code, r.Name
		}
		return r
	}
	r.Status = StatusAmbiguous
	r.Candidates = make([]Candidate, 0, len(codes))
	for _, c := range codes {
		r.Candidates = append(r.Candidates, Candidate{Code: c, Name: ix.cname[c], Dept: "99"})
	}
	return r
}

// countriesAt reads a country at the birth date d. A former country the
// COG file splits into others (Corée 99237 into 99238 and 99239) is
// itself only before the first of them became independent (ANI): after,
// its successors are the candidates; with no date, it and its successors
// are. Other codes are returned as they are.
func (ix *Index) countriesAt(codes []string, d int32) ([]string, string) {
	if len(codes) != 1 {
		return codes, ""
	}
	code := codes[0]
	succ := ix.csucc[code]
	if len(succ) == 0 {
		return codes, ""
	}
	first := 9999
	for _, c := range succ {
		if y, err := strconv.Atoi(ix.cyear[c]); err == nil && y < first {
			first = y
		}
	}
	switch {
	case d == 0:
		return append([]string{code}, succ...), ""
	case year(d) < first:
		var names []string
		for _, c := range succ {
			names = append(names, fmt.Sprintf("%s %s", ix.cname[c], c))
		}
		return codes, fmt.Sprintf("%s (%s) est le pays tel qu'il était à la date de naissance ; il a depuis laissé place à : %s.", ix.cname[code], code, strings.Join(names, ", "))
	}
	return slices.Clone(succ), ""
}

// servedCandidates lists the communes a postal code serves, by their name today.
func (ix *Index) servedCandidates(served []string) []Candidate {
	out := make([]Candidate, 0, len(served))
	for _, c := range served {
		name := ix.cname[c] // Monaco (99138) is in the La Poste file
		for _, i := range ix.byCode[c] {
			if ix.places[i].current() {
				name = ix.places[i].name
			}
		}
		dept := deptOfCode(c)
		if strings.HasPrefix(c, "99") {
			dept = "99"
		}
		out = append(out, Candidate{Code: c, Name: name, Dept: dept})
	}
	return out
}

func (ix *Index) servedList(served []string) string {
	var parts []string
	for _, c := range ix.servedCandidates(served) {
		parts = append(parts, c.Name+" "+c.Code)
	}
	if len(parts) > 4 {
		parts = append(parts[:4], "…")
	}
	return "communes " + strings.Join(parts, ", ")
}
