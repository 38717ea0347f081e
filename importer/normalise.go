package importer

import (
	"strconv"
	"strings"
	"unicode"

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
	switch matcher.Fold(s) {
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
	return rppsync.Name{Display: d, Folded: matcher.Fold(d)}
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
