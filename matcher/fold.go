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
	var b strings.Builder
	b.Grow(len(s))
	space := true // drop leading spaces
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

// NameKeys returns the blocking keys of a folded last name: the keys under
// which the directory indexes a person and under which a row without RPPS
// looks for candidates. Both directory back-ends (PostgreSQL and the
// in-memory extract) index by exactly these keys, so they find the same
// candidates. The keys are the name without spaces ("N:", so "LE GALL" and
// "LEGALL" meet), a phonetic code ("P:", so DUPONT and DUPOND meet) and,
// for names of four letters or more, its deletion neighbourhood ("D:": the
// name without spaces itself and with each one letter deleted, one key per
// distinct string), so that a name with one typo (a letter replaced,
// dropped, added, or two neighbours swapped) shares a key with the right one.
func NameKeys(folded string) []string {
	compact := strings.ReplaceAll(folded, " ", "")
	if compact == "" {
		return nil
	}
	keys := []string{"N:" + compact}
	if p := phonetic(compact); p != "" {
		keys = append(keys, "P:"+p)
	}
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

// phonetic is a small French-leaning sound code: first letter kept, then
// consonants grouped by how they sound, vowels and mute letters dropped,
// repeats collapsed, a final mute T/D/S/X/Z dropped.
func phonetic(s string) string {
	s = strings.NewReplacer("PH", "F", "QU", "K", "CK", "K", "GU", "G", "SCH", "CH", "EAU", "O", "AU", "O").Replace(s)
	for len(s) > 1 && strings.ContainsRune("TDSXZ", rune(s[len(s)-1])) {
		s = s[:len(s)-1]
	}
	if s == "" {
		return ""
	}
	class := func(c byte) byte {
		switch c {
		case 'B', 'P':
			return '1'
		case 'C', 'K', 'Q', 'G':
			return '2'
		case 'D', 'T':
			return '3'
		case 'L':
			return '4'
		case 'M', 'N':
			return '5'
		case 'R':
			return '6'
		case 'S', 'Z', 'X':
			return '7'
		case 'F', 'V', 'W':
			return '8'
		case 'J':
			return '9'
		}
		return 0 // vowels, H, Y, digits
	}
	out := []byte{s[0]}
	last := class(s[0])
	for i := 1; i < len(s); i++ {
		c := class(s[i])
		if c != 0 && c != last {
			out = append(out, c)
		}
		last = c
	}
	return string(out)
}
