package importer

import (
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/rppsync/rppsync/namekey"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/matcher"
)

// collapse trims s and turns every run of white space (including non-breaking
// spaces) into one ASCII space.
func collapse(s string) string {
	return strings.Join(strings.FieldsFunc(s, isSpace), " ")
}

// isSpace reports white space, counting the non-breaking spaces spreadsheets
// put in numbers and names.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u00a0' || r == '\u202f' || r == '\u2007'
}

// plainNumber rewrites a spreadsheet number written in scientific notation or
// with a ".0" tail ("1.0999000010E10", "10999000010.0") as its integer digits
// ("10999000010"). Any other text is returned unchanged, so a decimal such as
// "1.5" or a text cell stays as it was.
func plainNumber(s string) string {
	t := strings.TrimSpace(s)
	if t == "" {
		return s
	}
	if i := strings.IndexAny(t, "eE"); i > 0 {
		if strings.IndexFunc(t, func(r rune) bool {
			return !(r >= '0' && r <= '9' || r == '.' || r == 'e' || r == 'E' || r == '+' || r == '-')
		}) >= 0 {
			return s
		}
		f, err := strconv.ParseFloat(t, 64)
		if err != nil || f < 0 || f > 1e15 || f != float64(int64(f)) {
			return s
		}
		return strconv.FormatInt(int64(f), 10)
	}
	if intPart, frac, ok := strings.Cut(t, "."); ok && intPart != "" && allDigits(intPart) && frac != "" && strings.Trim(frac, "0") == "" {
		return intPart
	}
	return s
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// NormaliseIdentifier returns an RPPS, Pro Santé Connect or ADELI number as
// typed, made comparable: a number a spreadsheet wrote in scientific notation
// or with a trailing ".0" is turned back into its digits, then spaces, dots,
// dashes, slashes and underscores are removed. Letters are kept (upper-cased)
// so the matcher can say the identifier is malformed; nothing is validated here.
func NormaliseIdentifier(s string) string {
	s = plainNumber(strings.TrimSpace(s))
	var b strings.Builder
	for _, r := range s {
		switch {
		case isSpace(r), r == '.', r == '-', r == '/', r == '_', r == '\u2010', r == '\u2011', r == '\u2013':
			continue
		default:
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// NormaliseFINESS strips a FINESS number of spaces, dots and dashes and
// upper-cases it, so Corsican numbers read "2A…" / "2B…".
func NormaliseFINESS(s string) string {
	return NormaliseIdentifier(s)
}

// NormalisePhone keeps the digits of a phone number and a leading "+";
// an international prefix written "0033" or "+33" becomes "+33", and the
// "(0)" people insert after it is dropped.
func NormalisePhone(s string) string {
	s = plainNumber(strings.TrimSpace(s))
	s = strings.ReplaceAll(s, "(0)", "")
	var b strings.Builder
	plus := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && b.Len() == 0:
			plus = true
		}
	}
	d := b.String()
	if d == "" {
		return ""
	}
	if plus {
		return "+" + d
	}
	if strings.HasPrefix(d, "00") && len(d) > 4 {
		return "+" + d[2:]
	}
	return d
}

// NormaliseEmail trims and lower-cases an e-mail address and reports whether
// it has the shape of one (one "@", something before it, a dotted domain
// after it, no spaces). The address is not otherwise validated.
func NormaliseEmail(s string) (string, bool) {
	e := strings.ToLower(strings.TrimSpace(s))
	e = strings.TrimPrefix(e, "mailto:")
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" || strings.Contains(domain, "@") || strings.IndexFunc(e, isSpace) >= 0 {
		return e, false
	}
	dot := strings.LastIndexByte(domain, '.')
	if dot <= 0 || dot == len(domain)-1 || strings.Contains(domain, "..") {
		return e, false
	}
	return e, true
}

// NormaliseCivility maps a civility or sex as agencies type it ("M.",
// "Monsieur", "H", "1", "Mme", "Madame", "Mlle", "F", "2") to "M" or "MME",
// and reports false when the text is not recognised.
func NormaliseCivility(s string) (string, bool) {
	switch namekey.Fold(s) {
	case "M", "MR", "MONSIEUR", "H", "HOMME", "MASCULIN", "MASC", "1":
		return "M", true
	case "MME", "MADAME", "MLLE", "MADEMOISELLE", "MELLE", "F", "FEMME", "FEMININ", "FEM", "2":
		return "MME", true
	}
	return "", false
}

// newName returns the display and folded forms of a typed name.
func newName(s string) rppsync.Name {
	d := collapse(s)
	return rppsync.Name{Display: d, Folded: namekey.Fold(d)}
}

// SplitFullName splits a "NOM Prénom" cell into last and first name: the
// leading tokens written in capitals are the last name ("DUPONT Jean-Pierre",
// "LE GALL Anne"). When the capitals come last ("Jean DUPONT") they are the
// last name too. With no case to go by ("DUPONT JEAN", "dupont jean") the
// first token is the last name, as agencies write "NOM Prénom".
func SplitFullName(s string) (last, first string) {
	toks := strings.FieldsFunc(s, isSpace)
	switch len(toks) {
	case 0:
		return "", ""
	case 1:
		return toks[0], ""
	}
	caps := make([]bool, len(toks))
	for i, t := range toks {
		caps[i] = isUpperWord(t)
	}
	n := 0
	for n < len(toks) && caps[n] {
		n++
	}
	if n > 0 && n < len(toks) {
		return strings.Join(toks[:n], " "), strings.Join(toks[n:], " ")
	}
	if n == 0 {
		m := len(toks)
		for m > 0 && caps[m-1] {
			m--
		}
		if m > 0 && m < len(toks) {
			return strings.Join(toks[m:], " "), strings.Join(toks[:m], " ")
		}
	}
	return toks[0], strings.Join(toks[1:], " ")
}

// isUpperWord reports whether t has letters and none of them lower case.
func isUpperWord(t string) bool {
	letters := false
	for _, r := range t {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters = true
		}
	}
	return letters
}

// LooksLikeNIR reports whether s has the shape of a French social security
// number (NIR): 13 digits, or 15 with the key, starting with 1 or 2, spaces,
// dots and dashes ignored, "2A"/"2B" allowed for a birth in Corsica. Such a
// value is never kept (DOMAIN.md).
func LooksLikeNIR(s string) bool {
	var b []byte
	for _, r := range s {
		switch {
		case isSpace(r), r == '.', r == '-':
		case r >= '0' && r <= '9', r == 'A', r == 'B', r == 'a', r == 'b':
			b = append(b, byte(unicode.ToUpper(r)))
		default:
			return false
		}
	}
	if len(b) != 13 && len(b) != 15 {
		return false
	}
	if b[0] != '1' && b[0] != '2' {
		return false
	}
	for i, c := range b {
		if c >= '0' && c <= '9' {
			continue
		}
		// Letters only in the département position of a Corsican birth.
		if i != 6 || b[5] != '2' {
			return false
		}
	}
	return true
}

// nameTitles maps the folded civilities and titles agencies type before a
// name to the civility they say ("M", "MME"), or "" for a title that says
// none (Dr, Pr, Pharmacien). They are words of a name cell, never names
// (DOMAIN.md, "Titles are not names").
var nameTitles = map[string]string{
	"M": "M", "MR": "M", "MM": "M", "MONSIEUR": "M",
	"MME": "MME", "MMES": "MME", "MADAME": "MME", "MLLE": "MME", "MELLE": "MME", "MADEMOISELLE": "MME",
	"DR": "", "DOCTEUR": "", "DOCTEURE": "", "PR": "", "PROFESSEUR": "", "PROFESSEURE": "",
	"PHARMACIEN": "", "PHARMACIENNE": "",
}

// marriage words separate a birth name from a usage name in one cell:
// "DUPONT épouse MARTIN" (birth, then usage), "MARTIN née DUPONT" (usage,
// then birth). Keys are folded.
var marriageWords = map[string]bool{
	"EPOUSE": true, "EP": true, "EPSE": true, "EPX": true, "EPOUX": true, "VEUVE": true, "VVE": true, "VEUF": true,
}

var birthWords = map[string]bool{"NEE": true, "NE": true}

// NameCell is what a name cell holds once read: the civility or title typed
// before the name taken out, and a birth name and a usage name typed
// together ("DUPONT épouse MARTIN", "MARTIN née DUPONT") split apart.
type NameCell struct {
	Civility string // "M" or "MME" when a civility was typed; "" otherwise (also for Dr, Pr…)
	Title    string // the civilities and titles taken out, as typed ("Mme", "Dr"), space-separated
	Birth    string // nom de naissance (the only name when the cell gives one)
	Usage    string // nom d'usage, when the cell gives one apart from the birth name
	First    string // prénom(s): only for a cell holding the full name
}

// ReadNameCell reads a last-name cell (full false) or a "NOM Prénom" cell
// (full true). Leading civilities and titles (Mme, M., Monsieur, Mlle, Dr,
// Docteur, Pr, Pharmacien…) are taken out as long as a name remains after
// them: "Mme MARTIN Claire" is MARTIN Claire, civility MME. A marriage word
// (épouse, ép., vve, veuve) puts the birth name before it and the usage
// name after it; née / né does the opposite. In a full-name cell, the name
// next to the marriage word is its run of capitals ("DUPONT épouse MARTIN
// Claire"), one word when the cell has no case to go by; the rest is split
// by SplitFullName.
func ReadNameCell(s string, full bool) NameCell {
	var c NameCell
	var toks []string
	toks, c.Civility, c.Title = cutTitles(strings.FieldsFunc(s, isNameSeparator))
	k, birthAfter := -1, false
	for i, t := range toks[:max(len(toks)-1, 0)] { // a word must follow the marker
		f := namekey.Fold(t)
		if marriageWords[f] || birthWords[f] {
			k, birthAfter = i, birthWords[f]
			break
		}
	}
	if k < 0 {
		if full {
			c.Birth, c.First = SplitFullName(strings.Join(toks, " "))
		} else {
			c.Birth = strings.Join(toks, " ")
		}
		return c
	}
	before, after := toks[:k], toks[k+1:]
	var other, this string
	if !full {
		other, this = strings.Join(after, " "), strings.Join(before, " ")
	} else {
		n := 0
		for n < len(after) && isUpperWord(after[n]) {
			n++
		}
		if n == 0 {
			n = 1
		}
		if n == len(after) && n > 1 && !slices.ContainsFunc(before, func(t string) bool { return !isUpperWord(t) }) {
			n-- // "DUPONT EPOUSE MARTIN CLAIRE": the last word is the first name
		}
		other = strings.Join(after[:n], " ")
		rest := append(slices.Clone(before), after[n:]...)
		this, c.First = SplitFullName(strings.Join(rest, " "))
		if len(before) == 0 && len(after[n:]) > 0 && c.First == "" {
			c.First = this // "épouse MARTIN Claire": no birth name, Claire is the first name
			this = ""
		}
	}
	if birthAfter {
		c.Birth, c.Usage = other, this
	} else {
		c.Birth, c.Usage = this, other
	}
	return c
}

// isNameSeparator reports the runes that separate the words of a name
// cell: white space and the parentheses of "MARTIN (née DUPONT)".
func isNameSeparator(r rune) bool { return isSpace(r) || r == '(' || r == ')' }

// cutTitles takes the leading civilities and titles out of the words of a
// name cell, keeping at least one word. It returns the words left, the
// civility said ("M", "MME" or "") and the titles as typed.
func cutTitles(toks []string) (rest []string, civility, titles string) {
	var cut []string
	for len(toks) > 1 {
		civ, ok := nameTitles[namekey.Fold(toks[0])]
		if !ok || strings.ContainsAny(toks[0], "'’") {
			break
		}
		if civility == "" {
			civility = civ
		}
		cut = append(cut, toks[0])
		toks = toks[1:]
	}
	return toks, civility, strings.Join(cut, " ")
}

// ReadFirstNameCell reads a first-name cell: a civility or title typed
// before the first name ("Mme Claire") is taken out and returned apart.
func ReadFirstNameCell(s string) (first, civility string) {
	toks, civ, _ := cutTitles(strings.FieldsFunc(s, isSpace))
	return strings.Join(toks, " "), civ
}

// FINESSInText returns the FINESS number typed in an establishment cell:
// the whole cell when it has the shape of a FINESS (9 characters, digits or
// 2A/2B first, separators ignored: its key is checked later, so that a typo
// is reported rather than lost), or else the one word of the cell that is
// a valid FINESS ("CH X (250999901)"). It returns "" when there is none or
// several.
func FINESSInText(s string) string {
	if n := NormaliseFINESS(s); len(n) == 9 && (allDigits(n) || (n[0] == '2' && (n[1] == 'A' || n[1] == 'B') && allDigits(n[2:]))) {
		return n
	}
	found := ""
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if n, err := matcher.ValidFINESS(w); err == nil && n != found {
			if found != "" {
				return ""
			}
			found = n
		}
	}
	return found
}
