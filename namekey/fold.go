package namekey

import (
	"strings"
	"unicode"
	"unicode/utf8"

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

// Keys returns the blocking keys of a folded last name: the keys under
// which the directory indexes a person and under which a row without RPPS
// looks for candidates. Both directory back-ends (PostgreSQL and the
// in-memory extract) index by exactly these keys, so they find the same
// candidates. The keys are the name without spaces ("N:", so "LE GALL" and
// "LEGALL" meet) and, for names of two letters or more (MinDeletionRunes),
// its deletion neighbourhood ("D:": the name without spaces itself and with
// each one letter deleted, one key per distinct string), so that a name with
// one typo (a letter replaced, dropped, added, or two neighbours swapped)
// shares a key with the right one, whatever its length: ROY and ROI meet
// under D:RO, NOEL and NOL under D:NOL. Short names are common in France
// (ROY, REY, GAY, NOËL, DIAZ) and their keys are cheap: a deletion key of
// one or two letters only comes from names of two or three.
//
// A phonetic key was tried and dropped: it gave no recall on the labelled
// set that the deletion keys did not already give, and on full-size data it
// matched a quarter of the directory, which made the in-memory directory of
// `check --directory` three times slower and 35% larger.
func Keys(folded string) []string {
	var keys []string
	EachKey([]byte(folded), nil, func(k []byte) { keys = append(keys, string(k)) })
	return keys
}

// MinDeletionRunes is the shortest name (in letters, without spaces) that
// Keys gives its deletion keys: a single letter would give the empty
// key, which every two-letter name shares with none of its typos.
const MinDeletionRunes = 2

// EachKey calls fn with each key of Keys(Fold(name)), in the same
// order, where name is a last name as typed. Each key is built in buf, which
// EachKey returns for the next call: fn must not keep the key. Readers
// of the full directory extract test millions of names with it without
// allocating (an ASCII name is folded byte by byte: Fold keeps its letters
// and digits, upper-cased, and turns the rest into the spaces the keys drop).
func EachKey(name []byte, buf []byte, fn func(key []byte)) []byte {
	return eachNameKey(name, buf, false, fn)
}

// EachExactKey is EachKey with the exact key only ("N:" and the name
// without its spaces), not its one-deletion neighbours: for names that
// are searched as typed (first names, a row whose RPPS is well formed).
func EachExactKey(name []byte, buf []byte, fn func(key []byte)) []byte {
	return eachNameKey(name, buf, true, fn)
}

// appendCompact appends to buf the name without spaces that the keys of
// name are made of: Fold(name) without its spaces. An ASCII name is
// folded byte by byte, without allocating: Fold keeps its letters and
// digits, upper-cased, and turns the rest into the spaces dropped here.
func appendCompact(buf, name []byte) []byte {
	if ascii(string(name)) { // no copy: the conversion does not escape
		for _, c := range name {
			switch {
			case c >= 'a' && c <= 'z':
				buf = append(buf, c-'a'+'A')
			case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
				buf = append(buf, c)
			}
		}
		return buf
	}
	for _, r := range Fold(string(name)) {
		if r != ' ' {
			buf = utf8.AppendRune(buf, r)
		}
	}
	return buf
}

// eachNameKey is EachKey; with exactOnly, it stops after the first
// key, the exact one ("N:").
func eachNameKey(name []byte, buf []byte, exactOnly bool, fn func(key []byte)) []byte {
	buf = appendCompact(append(buf[:0], "N:"...), name)
	base := len(buf)
	if base == 2 {
		return buf
	}
	fn(buf)
	compact := buf[2:base]
	if exactOnly || utf8.RuneCount(compact) < MinDeletionRunes {
		return buf
	}
	buf[0] = 'D'
	fn(buf)
	// Deleting either of two equal neighbours gives the same string, and
	// no other two deletions do: one key per run.
	prev := utf8.RuneError
	for i := 0; i < len(compact); {
		r, size := utf8.DecodeRune(compact[i:])
		if i == 0 || r != prev {
			buf = append(append(append(buf[:base], "D:"...), compact[:i]...), compact[i+size:]...)
			fn(buf[base:])
		}
		prev = r
		i += size
	}
	return buf[:base]
}
