package matcher

import "strings"

// firstNamesAgree reports whether the folded first names of a row (a) and
// of a directory person (d) agree for the one-edit rule (see doc.go): the
// same once spaces are set aside, or d's words first among a's (the
// directory keeps the first of several first names). A first name with
// a typo does not agree: the rule stands on the evidence around a name
// with one typo, which must then be exact.
func firstNamesAgree(a, d string) bool {
	if a == "" || d == "" {
		return false
	}
	if a == d || compact(a) == compact(d) {
		return true
	}
	return len(a) > len(d) && a[len(d)] == ' ' && a[:len(d)] == d
}

// Reasons a candidate of the one-edit rule shows for its name.
const (
	reasonOneEdit      = "nom à une lettre près"
	reasonOneEditUsage = "nom d'usage à une lettre près"
)

// withinOneEdit reports whether the folded names a and b, without their
// spaces, are at most one edit apart: equal, or one letter replaced,
// dropped, added, or two neighbours swapped (an optimal-string-alignment
// distance of 0 or 1). An empty name (or one of spaces) is no name: false.
func withinOneEdit(a, b string) bool {
	if strings.IndexByte(a, ' ') >= 0 {
		a = compact(a)
	}
	if strings.IndexByte(b, ' ') >= 0 {
		b = compact(b)
	}
	if a == "" || b == "" {
		return false
	}
	if isASCII(a) && isASCII(b) {
		return oneEditSeq([]byte(a), []byte(b))
	}
	return oneEditSeq([]rune(a), []rune(b))
}

// oneEditSeq is withinOneEdit on two sequences of letters.
func oneEditSeq[T byte | rune](a, b []T) bool {
	if len(a) < len(b) {
		a, b = b, a
	}
	if len(a)-len(b) > 1 {
		return false
	}
	i := 0
	for i < len(b) && a[i] == b[i] {
		i++
	}
	if i == len(b) {
		return true // equal, or one letter added at the end of a
	}
	if len(a) > len(b) { // one letter of a dropped at i
		return equalSeq(a[i+1:], b[i:])
	}
	// Same length: a[i] replaced, or a[i] and a[i+1] swapped.
	if equalSeq(a[i+1:], b[i+1:]) {
		return true
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && equalSeq(a[i+2:], b[i+2:])
}

func equalSeq[T byte | rune](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// oneEditMatch is the name part of the one-edit rule: the row's birth or
// usage name is within one edit of dirLast and its first name agrees with
// dirFirst (firstNamesAgree), read straight. The match it returns counts the
// last name as minLastSim when it scores lower, so that it clears the
// candidate gates and, with the same profession and structure (which the
// caller checks), scores at least 0.8 × (0.6 × 0.82 + 0.4 × 0.97) + 0.2 =
// 0.904: a short name, whose one typo weighs more in the similarities
// than the gate allows, still gets a say for the evidence around it.
// ok is false when the rule does not apply.
func (c *comparer) oneEditMatch(p PersonName, dirLast, dirFirst string) (m NameMatch, ok bool) {
	dl, df := c.fold(dirLast), c.fold(dirFirst)
	last, usage, first := c.fold(p.Last), c.fold(p.Usage), c.fold(p.First)
	lastNear, usageNear := withinOneEdit(last, dl), withinOneEdit(usage, dl)
	if !lastNear && !usageNear {
		return NameMatch{}, false
	}
	if !firstNamesAgree(first, df) {
		return NameMatch{}, false
	}
	fs, fr := c.firstSim(first, df)
	ls, _ := c.lastSim(last, dl)
	us, _ := c.lastSim(usage, dl)
	m.Last, m.First = oneEditLast(max(ls, us)), fs
	m.Score = LastWeight*m.Last + FirstWeight*m.First
	reason := reasonOneEdit
	if !lastNear {
		reason = reasonOneEditUsage
	}
	m.Reasons = []string{reason}
	if fr != "" {
		m.Reasons = append(m.Reasons, fr)
	}
	return m, true
}

// oneEditLast is the last-name similarity the one-edit rule counts for a
// last name of similarity ls: at least minLastSim.
func oneEditLast(ls float64) float64 { return max(ls, minLastSim) }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
