package matcher

import (
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rppsync/rppsync/namekey"
)

// PersonName is the name of an agency row as the matcher compares it:
// birth name, usage name and first name(s), as typed (they are folded here).
type PersonName struct {
	Last  string // nom (de naissance)
	Usage string // nom d'usage; "" when none
	First string // prénom(s), possibly several
}

// NameMatch says how close an agency name is to a directory name.
type NameMatch struct {
	Score   float64  // LastWeight×Last + FirstWeight×First, in [0,1]
	Last    float64  // similarity of the best agency last name (birth or usage) to the nom d'exercice
	First   float64  // similarity of the first names
	Swapped bool     // first and last names were typed the other way round
	Reasons []string // French reasons, e.g. "nom identique", "prénom en initiales"
}

// Weights of the last and first name in NameMatch.Score.
const (
	LastWeight  = 0.6
	FirstWeight = 0.4
)

// swapPenalty scales the score of a name read with first and last swapped:
// plausible, but less likely than the name as typed.
const swapPenalty = 0.97

// SameThreshold is the similarity both the last name and the first name
// must reach for a row and a directory entry with the same RPPS to be the
// same person (Same). It tolerates a typo, a missing accent, a usage name,
// initials and swapped columns, not another first name.
const SameThreshold = 0.85

// Same reports whether m is close enough to call the agency person and the
// directory person the same, once the RPPS already ties them.
func (m NameMatch) Same() bool { return m.Last >= SameThreshold && m.First >= SameThreshold }

// Exact reports whether both names are identical once folded.
func (m NameMatch) Exact() bool { return m.Last == 1 && m.First == 1 && !m.Swapped }

// CompareNames compares an agency person with a directory nom and prénom
// d'exercice, folded (accents, case, hyphens, apostrophes ignored). Either
// agency last name (birth or usage) may be the directory's; compound first
// names, initials ("J-P", "J. Pierre"), a list of first names of which the
// directory keeps the first, and swapped first/last names are recognised.
// Differing first names are compared by Jaro-Winkler, differing last names
// by the mean of Jaro-Winkler and an optimal-string-alignment similarity
// (so one typo ranks above two).
func CompareNames(p PersonName, dirLast, dirFirst string) NameMatch {
	return (*comparer)(nil).compare(p, dirLast, dirFirst)
}

// sim is one similarity and its reason.
type sim struct {
	score  float64
	reason string
}

// comparer memoises the pieces of CompareNames, which depend only on pairs
// of names: a row without RPPS is compared with thousands of directory
// people who share a few last names (MARTIN, MARIN…) and a few hundred
// first names, so most comparisons repeat. A nil comparer computes
// everything afresh. Not safe for concurrent use.
type comparer struct {
	folded map[string]string
	last   map[[2]string]sim
	first  map[[2]string]sim
}

func newComparer() *comparer {
	return &comparer{folded: map[string]string{}, last: map[[2]string]sim{}, first: map[[2]string]sim{}}
}

// nextRow forgets the similarities of the previous row, keeping the folded
// names, so that memory stays bounded by one row's comparisons.
func (c *comparer) nextRow() {
	clear(c.last)
	clear(c.first)
}

func (c *comparer) fold(s string) string {
	if c == nil {
		return namekey.Fold(s)
	}
	f, ok := c.folded[s]
	if !ok {
		f = namekey.Fold(s)
		c.folded[s] = f
	}
	return f
}

func (c *comparer) lastSim(a, d string) (float64, string) {
	if c == nil {
		return lastSim(a, d)
	}
	k := [2]string{a, d}
	v, ok := c.last[k]
	if !ok {
		v.score, v.reason = lastSim(a, d)
		c.last[k] = v
	}
	return v.score, v.reason
}

func (c *comparer) firstSim(a, d string) (float64, string) {
	if c == nil {
		return firstSim(a, d)
	}
	k := [2]string{a, d}
	v, ok := c.first[k]
	if !ok {
		v.score, v.reason = firstSim(a, d)
		c.first[k] = v
	}
	return v.score, v.reason
}

func (c *comparer) compare(p PersonName, dirLast, dirFirst string) NameMatch {
	dl, df := c.fold(dirLast), c.fold(dirFirst)
	last, usage, first := c.fold(p.Last), c.fold(p.Usage), c.fold(p.First)

	straight := c.compareFolded(last, usage, first, dl, df)
	swapped := c.compareFolded(first, "", orFirst(last, usage), dl, df)
	swapped.Score *= swapPenalty
	if swapped.Score > straight.Score && swapped.Last >= SameThreshold && swapped.First >= SameThreshold {
		swapped.Swapped = true
		swapped.Reasons = append([]string{"nom et prénom inversés"}, swapped.Reasons...)
		return swapped
	}
	return straight
}

func orFirst(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (c *comparer) compareFolded(last, usage, first, dl, df string) NameMatch {
	var m NameMatch
	ls, lr := c.lastSim(last, dl)
	if us, ur := c.lastSim(usage, dl); us > ls {
		ls, lr = us, strings.Replace(ur, "nom", "nom d'usage", 1)
	}
	fs, fr := c.firstSim(first, df)
	m.Last, m.First = ls, fs
	m.Score = LastWeight*ls + FirstWeight*fs
	for _, r := range []string{lr, fr} {
		if r != "" {
			m.Reasons = append(m.Reasons, r)
		}
	}
	return m
}

// lastSim compares two folded last names.
func lastSim(a, d string) (float64, string) {
	ac, dc := compact(a), compact(d)
	if ac == "" || dc == "" {
		return 0, ""
	}
	if ac == dc {
		return 1, "nom identique"
	}
	at, dt := strings.Fields(a), strings.Fields(d)
	if (len(at) > 1 || len(dt) > 1) && (tokensWithin(at, dt) || tokensWithin(dt, at)) {
		return 0.92, "nom composé en partie identique"
	}
	s := (jw(ac, dc) + osa(ac, dc)) / 2
	if s >= 0.88 {
		return s, "nom proche"
	}
	return s, ""
}

// tokensWithin reports whether every word of small (at least one of three
// letters or more) is a word of big.
func tokensWithin(small, big []string) bool {
	long := false
	for _, w := range small {
		found := false
		for _, b := range big {
			if w == b {
				found = true
				break
			}
		}
		if !found {
			return false
		}
		long = long || len(w) >= 3
	}
	return long
}

// firstSim compares two folded first names.
func firstSim(a, d string) (float64, string) {
	ac, dc := compact(a), compact(d)
	if ac == "" || dc == "" {
		return 0, ""
	}
	if ac == dc {
		return 1, "prénom identique"
	}
	at, dt := strings.Fields(a), strings.Fields(d)
	if len(at) > len(dt) && slices.Equal(at[:len(dt)], dt) {
		return 0.97, "premier prénom identique"
	}
	if len(dt) > len(at) && slices.Equal(dt[:len(at)], at) && len(at[0]) > 1 {
		return 0.85, "prénom en partie identique"
	}
	if len(ac) == 1 {
		if ac[0] == dc[0] {
			return 0.85, "initiale du prénom"
		}
		return 0, ""
	}
	if initialsMatch(at, dt) {
		return 0.9, "prénom en initiales"
	}
	s := jw(ac, dc)
	if t := jw(at[0], dt[0]); len(at) > 1 && len(dt) > 1 && t > s {
		s = t
	}
	if s >= 0.9 {
		return s, "prénom proche"
	}
	return s, ""
}

// initialsMatch reports whether the agency words a are the directory words
// d (or their first ones) with at least one of them reduced to its initial:
// "J P" or "JP" for "JEAN PIERRE", "J PIERRE" for "JEAN PIERRE".
func initialsMatch(a, d []string) bool {
	if len(a) == 1 && len(d) >= 2 && len(a[0]) == len(d) {
		for i, w := range d {
			if w[0] != a[0][i] {
				return false
			}
		}
		return true
	}
	if len(a) > len(d) {
		return false
	}
	initial := false
	for i, w := range a {
		switch {
		case w == d[i]:
		case len(w) == 1 && w[0] == d[i][0]:
			initial = true
		default:
			return false
		}
	}
	return initial && (len(a) >= 2 || len(d) == 1)
}

func compact(s string) string { return strings.ReplaceAll(s, " ", "") }

// osa is 1 - the optimal-string-alignment (Damerau-Levenshtein) distance
// of a and b over the longer length, rounded to 4 decimals: one typo costs
// one edit, whatever the length.
func osa(a, b string) float64 {
	n := max(utf8.RuneCountInString(a), utf8.RuneCountInString(b))
	if n == 0 {
		return 1
	}
	d := osaDistance(a, b)
	return math.Round((1-float64(d)/float64(n))*1e4) / 1e4
}

// jw is the Jaro-Winkler similarity of a and b, rounded to 4 decimals so
// that float32 noise does not reorder candidates.
func jw(a, b string) float64 {
	return math.Round(float64(jaroWinkler(a, b))*1e4) / 1e4
}
