package matcher

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold returns the form of a name used for comparison: accents removed,
// upper case, hyphens, apostrophes, dots and other punctuation turned into
// single spaces, ligatures expanded. "Jean-Pierre  d'Ormesson" → "JEAN PIERRE D ORMESSON".
func Fold(s string) string {
	if folded(s) {
		return s // the directory's and INSEE's names often are: no copy
	}
	var b strings.Builder
	b.Grow(len(s))
	space := true // drop leading spaces
	if ascii(s) {
		for i := 0; i < len(s); i++ {
			switch c := s[i]; {
			case c >= 'a' && c <= 'z':
				b.WriteByte(c - 'a' + 'A')
				space = false
			case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
				b.WriteByte(c)
				space = false
			case !space:
				b.WriteByte(' ')
				space = true
			}
		}
		return strings.TrimRight(b.String(), " ")
	}
	return foldUnicode(s)
}

// foldUnicode is Fold for any text: the general path the fast ones above
// must agree with.
func foldUnicode(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	// Invalid UTF-8 would make the normaliser skip the decomposition of
	// what follows it; it is a separator like any other non-letter.
	for _, r := range norm.NFD.String(strings.ToValidUTF8(s, " ")) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			switch r {
			case 'œ', 'Œ':
				b.WriteString("OE")
			case 'æ', 'Æ':
				b.WriteString("AE")
			case 'ß':
				b.WriteString("SS")
			default:
				b.WriteRune(unicode.ToUpper(r))
			}
			space = false
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// folded reports whether s is already in folded form: upper-case ASCII
// letters and digits, single inner spaces.
func folded(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == ' ' && i > 0 && i < len(s)-1 && s[i-1] != ' ':
		default:
			return false
		}
	}
	return true
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// NameKeys returns the blocking keys of a folded last name: the keys under
// which the directory indexes a person and under which a row without RPPS
// looks for candidates. Both directory back-ends (PostgreSQL and the
// in-memory extract) index by exactly these keys, so they find the same
// candidates. The keys are the name without spaces ("N:", so "LE GALL" and
// "LEGALL" meet) and, for names of four letters or more, its deletion neighbourhood ("D:": the
// name without spaces itself and with each one letter deleted, one key per
// distinct string), so that a name with one typo (a letter replaced,
// dropped, added, or two neighbours swapped) shares a key with the right one.
//
// A phonetic key was tried and dropped: it gave no recall on the labelled
// set that the deletion keys did not already give, and on full-size data it
// matched a quarter of the directory, which made the in-memory directory of
// `check --directory` three times slower and 35% larger.
func NameKeys(folded string) []string {
	compact := strings.ReplaceAll(folded, " ", "")
	if compact == "" {
		return nil
	}
	keys := []string{"N:" + compact}
	if r := []rune(compact); len(r) >= 4 {
		keys = append(keys, "D:"+compact)
		seen := map[string]bool{compact: true}
		for i := range r {
			d := string(r[:i]) + string(r[i+1:])
			if !seen[d] {
				seen[d] = true
				keys = append(keys, "D:"+d)
			}
		}
	}
	return keys
}
