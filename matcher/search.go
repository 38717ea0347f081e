package matcher

import (
	"math"
	"slices"
	"strings"

	"github.com/rppsync/rppsync/namekey"
)

// NameSearch is the candidate search of a batch of rows: the blocking keys
// they look under (Keys) and the gate a directory name must pass before a
// person bearing it is worth reading at all (Keep).
//
// Blocking keys alone are loose on purpose: a common last name such as
// MARTIN, with its one-typo neighbours, is shared by thousands of
// directory people, of whom only those with a close first name can become
// candidates. Keep answers exactly the question the scoring asks first:
// could some row searching under one of this name's keys score a person
// with this last and first name at MinScore or more, given the best
// profession and FINESS evidence? A person it refuses can never be a
// candidate, so a directory that returns only the people Keep accepts
// gives the same verdicts as one that returns everyone under the keys,
// while reading, sending and holding a small fraction of them.
//
// A NameSearch memoises what it learns of the directory's names (the gate of
// each last name, the similarity of first names); it is not safe for
// concurrent use.
type NameSearch struct {
	minScore float64
	rows     []searchRow        // distinct names searched
	firsts   []string           // distinct folded first names of rows, read straight or swapped
	asLast   []string           // distinct folded names of rows that compare with a directory last name
	byKey    map[string][]int32 // key → indexes in rows of the names searching under it
	keys     []string           // sorted, distinct
	cmp      *comparer
	buf      []byte

	lasts     map[string]*lastGate // directory last name (as given) → what passes for it
	dirFirsts map[string]int32     // directory first name (as given) → index in dirFolded
	dirFolded []string             // folded directory first names
	dirLets   []letters            // letters of dirFolded
	firstLets []letters            // letters of firsts
	firstSims map[uint64]float64   // firsts index << 32 | dirFolded index → firstSim
	keeps     map[uint64]bool      // lastGate.id << 32 | dirFirsts index → Keep
	gates     uint32               // lastGates made, for their ids

	// Scratch of lastGate: stamp[i] == gen when rows[i] was seen for the
	// current name; at[fi] is 1 + the position of firsts[fi] in its best;
	// sim[j] is lastSim(asLast[j], name) when simGen[j] == gen.
	stamp  []uint32
	at     []int32
	sim    []float64
	simGen []uint32
	gen    uint32
}

// searchMemo bounds the directory last names a NameSearch remembers: past
// it, the memories are forgotten and rebuilt as names come back, so that
// a pass over the whole directory stays within a few megabytes (a name's
// gate holds a few rows). It is above the distinct names that an agency
// file's keys meet in a directory pass (6,600 for 10k rows on the
// full-size extract, 17,800 where common names are ten times denser),
// since the names come back in no order: at 8,192, the dense pass built
// each gate seven times.
const searchMemo = 1 << 15

// keepMemo bounds the (gate, first name) answers of Keep a NameSearch
// remembers.
const keepMemo = 1 << 17

// searchRow is one distinct name searched, folded.
type searchRow struct {
	name               PersonName
	last, usage, first string
	fi                 int32 // index of first in NameSearch.firsts
	sfi                int32 // index in NameSearch.firsts of the name that reads as first name when swapped
	li, ui, fli        int32 // indexes in NameSearch.asLast of last, usage (-1 when none) and first
}

// lastGate is what a NameSearch knows of one directory last name: which
// rows search under one of its keys and pass the last-name gate.
type lastGate struct {
	best []firstBest // rows read straight, by first name, with their best last-name similarity
	swap []int32     // rows whose first name is close enough to dl to be read swapped
	edit []int32     // first names (index in firsts) of rows below the last-name gate but within one edit of dl
	id   uint32      // which lastGate of its NameSearch it is, for NameSearch.keeps
}

// empty reports whether no row can make a candidate of a person named so.
func (g *lastGate) empty() bool {
	return g == nil || len(g.best) == 0 && len(g.swap) == 0 && len(g.edit) == 0
}

// firstBest is, for one first name of the rows, the best last-name
// similarity to a directory last name among the rows bearing it.
type firstBest struct {
	fi   int32
	last float64
}

// newNameSearch returns the search of rows (those that look for candidates)
// for candidates scoring at least minScore.
func newNameSearch(rows []*row, minScore float64) *NameSearch {
	b := newSearchBuilder(minScore, len(rows))
	b.add(rows)
	return b.finish()
}

// searchBuilder builds a NameSearch from rows given in runs: the search
// of the runs, one after the other, is that of all their rows at once.
type searchBuilder struct {
	s                     *NameSearch
	index                 map[PersonName]int32 // distinct name → index in s.rows
	firstIndex, lastIndex map[string]int32     // interned s.firsts and s.asLast
	buf                   []byte
}

// newSearchBuilder returns an empty builder, its maps sized for about
// rows rows.
func newSearchBuilder(minScore float64, rows int) *searchBuilder {
	return &searchBuilder{
		s: &NameSearch{
			minScore:  minScore,
			byKey:     make(map[string][]int32, 4*rows),
			cmp:       newComparer(),
			lasts:     map[string]*lastGate{},
			dirFirsts: map[string]int32{},
			firstSims: map[uint64]float64{},
			keeps:     map[uint64]bool{},
		},
		index:      make(map[PersonName]int32, rows),
		firstIndex: map[string]int32{},
		lastIndex:  map[string]int32{},
	}
}

// add adds the names and keys of rows.
func (b *searchBuilder) add(rows []*row) {
	s := b.s
	for _, r := range rows {
		i := int32(-1)
		b.buf = r.eachKeyWanted(b.buf, func(k []byte) {
			if i < 0 {
				i = b.addRow(r)
			}
			if l := s.byKey[string(k)]; len(l) == 0 || l[len(l)-1] != i {
				s.byKey[string(k)] = append(l, i)
			}
		})
	}
}

// finish returns the search of every row added; the builder must not be
// used afterwards.
func (b *searchBuilder) finish() *NameSearch {
	s := b.s
	s.firstLets = make([]letters, len(s.firsts))
	for i, f := range s.firsts {
		s.firstLets[i] = lettersOf(f)
	}
	s.keys = make([]string, 0, len(s.byKey))
	for k := range s.byKey {
		s.keys = append(s.keys, k)
	}
	slices.Sort(s.keys)
	return s
}

// addRow adds the distinct name of r to s.rows and returns its index
// there, or returns the index of the row already there with the same name.
func (b *searchBuilder) addRow(r *row) int32 {
	s := b.s
	if i, ok := b.index[r.name]; ok {
		return i
	}
	i := int32(len(s.rows))
	b.index[r.name] = i
	sr := searchRow{name: r.name, last: namekey.Fold(r.name.Last), usage: namekey.Fold(r.name.Usage), first: namekey.Fold(r.name.First)}
	sr.fi = internString(b.firstIndex, &s.firsts, sr.first)
	sr.sfi = internString(b.firstIndex, &s.firsts, orFirst(sr.last, sr.usage))
	sr.li, sr.ui, sr.fli = b.asLast(sr.last), b.asLast(sr.usage), b.asLast(sr.first)
	s.rows = append(s.rows, sr)
	return i
}

// asLast returns the index of f in s.asLast, adding it; -1 for no name.
func (b *searchBuilder) asLast(f string) int32 {
	if f == "" {
		return -1
	}
	return internString(b.lastIndex, &b.s.asLast, f)
}

// internString returns the position of v in *list, appending it first
// when index (v → position) does not have it.
func internString(index map[string]int32, list *[]string, v string) int32 {
	i, ok := index[v]
	if !ok {
		i = int32(len(*list))
		index[v] = i
		*list = append(*list, v)
	}
	return i
}

// Clone returns a NameSearch that answers as s does, sharing what s was
// built from but with memories of its own, for use on another goroutine.
func (s *NameSearch) Clone() *NameSearch {
	if s == nil {
		return nil
	}
	return &NameSearch{
		minScore: s.minScore, rows: s.rows, firsts: s.firsts, firstLets: s.firstLets, asLast: s.asLast, byKey: s.byKey, keys: s.keys,
		cmp: newComparer(), lasts: map[string]*lastGate{}, dirFirsts: map[string]int32{}, firstSims: map[uint64]float64{},
		keeps: map[uint64]bool{},
	}
}

// Keys returns the blocking keys searched (see namekey.Keys), sorted, each
// once. The caller must not change the slice.
func (s *NameSearch) Keys() []string {
	if s == nil {
		return nil
	}
	return s.keys
}

// HasKey reports whether some row searches under key k.
func (s *NameSearch) HasKey(k string) bool {
	if s == nil {
		return false
	}
	_, ok := s.byKey[k]
	return ok
}

// KeepLast reports whether a directory person with this last name (as
// stored or folded) could be a candidate of some row searching under one
// of the name's keys, whatever the first name: the last-name half of Keep,
// for directories that look at last names before first names.
func (s *NameSearch) KeepLast(last string) bool {
	return !s.lastGate(last).empty()
}

// Keep reports whether a directory person with this last and first name
// (as stored or folded) could be a candidate of some row searching under
// one of the last name's keys: see NameSearch.
//
// It is Matcher.score's test without the evidence: the row's names,
// compared with the directory's as CompareNames does, pass the gates on
// each name and give a score of at least MinScore with the same profession
// and an activity at the row's FINESS. A row read straight passes when its
// first name does, with its best last-name similarity (the score grows
// with it); one that may read swapped is compared in full. A row whose
// birth or usage name is within one edit of last but below the last-name
// gate passes when its first name agrees (the one-edit rule, whose
// profession and structure are evidence Keep assumes the best of).
func (s *NameSearch) Keep(last, first string) bool {
	g := s.lastGate(last)
	if g.empty() {
		return false
	}
	df, ok := s.dirFirsts[first]
	if !ok {
		df = int32(len(s.dirFolded))
		s.dirFirsts[strings.Clone(first)] = df
		s.dirFolded = append(s.dirFolded, namekey.Fold(first))
		s.dirLets = append(s.dirLets, lettersOf(s.dirFolded[df]))
	}
	// A name and a first name come back often (MARTIN MARIE): the answer
	// is kept as long as the name's gate is.
	k := uint64(g.id)<<32 | uint64(df)
	if keep, ok := s.keeps[k]; ok {
		return keep
	}
	if len(s.keeps) >= keepMemo {
		clear(s.keeps)
	}
	keep := s.keep(g, df, last, first)
	s.keeps[k] = keep
	return keep
}

// keep is Keep for the names' gate g and the first name's index df.
func (s *NameSearch) keep(g *lastGate, df int32, last, first string) bool {
	keep := false
	for _, b := range g.best {
		fs := s.firstSim(b.fi, df)
		nm := NameMatch{Last: b.last, First: fs, Score: LastWeight*b.last + FirstWeight*fs}
		if passesGates(nm) && bestScore(nm) >= s.minScore {
			keep = true
			break
		}
	}
	for _, fi := range g.edit {
		if keep {
			break
		}
		if firstNamesAgree(s.firsts[fi], s.dirFolded[df]) {
			fs := s.firstSim(fi, df)
			ls := oneEditLast(0)
			keep = bestScore(NameMatch{Last: ls, First: fs, Score: LastWeight*ls + FirstWeight*fs}) >= s.minScore
		}
	}
	for _, i := range g.swap {
		if keep {
			break
		}
		// Read swapped, the row's last name is the first name: it must
		// pass SameThreshold before the full comparison is worth making.
		if s.firstSim(s.rows[i].sfi, df) < SameThreshold {
			continue
		}
		nm := s.cmp.compare(s.rows[i].name, last, first)
		keep = passesGates(nm) && bestScore(nm) >= s.minScore
	}
	return keep
}

// firstSim is firstSim(firsts[fi], dirFolded[df]), memoised, or 0 when
// it is surely below firstFloor, the only value its callers compare it to.
func (s *NameSearch) firstSim(fi, df int32) float64 {
	if !mayReachFirstFloor(s.firsts[fi], s.dirFolded[df], &s.firstLets[fi], &s.dirLets[df]) {
		return 0
	}
	k := uint64(fi)<<32 | uint64(df)
	v, ok := s.firstSims[k]
	if !ok {
		v, _ = firstSim(s.firsts[fi], s.dirFolded[df])
		s.firstSims[k] = v
	}
	return v
}

// lastGate returns what passes for directory last name last; nil when no
// row searches under its keys.
func (s *NameSearch) lastGate(last string) *lastGate {
	if s == nil {
		return nil
	}
	if g, ok := s.lasts[last]; ok {
		return g
	}
	if len(s.lasts) >= searchMemo {
		clear(s.lasts)
		clear(s.keeps)
		s.cmp.nextRow()
		if len(s.firstSims) >= 4*searchMemo {
			clear(s.firstSims)
		}
	}
	dl := namekey.Fold(last)
	if s.stamp == nil {
		s.stamp, s.at = make([]uint32, len(s.rows)), make([]int32, len(s.firsts))
		s.sim, s.simGen = make([]float64, len(s.asLast)), make([]uint32, len(s.asLast))
	}
	s.gen++
	var hit []int32
	s.buf = namekey.EachKey([]byte(dl), s.buf, func(k []byte) {
		for _, i := range s.byKey[string(k)] {
			if s.stamp[i] != s.gen {
				s.stamp[i] = s.gen
				hit = append(hit, i)
			}
		}
	})
	// sim is lastSim(asLast[j], dl), once per distinct name of the rows.
	sim := func(j int32) float64 {
		if j < 0 {
			return 0
		}
		if s.simGen[j] != s.gen {
			s.sim[j], _ = lastSim(s.asLast[j], dl)
			s.simGen[j] = s.gen
		}
		return s.sim[j]
	}
	// near is withinOneEdit(asLast[j], dl): the one-edit rule.
	near := func(j int32) bool { return j >= 0 && withinOneEdit(s.asLast[j], dl) }
	var g *lastGate
	if len(hit) > 0 {
		g = &lastGate{id: s.gates}
		s.gates++
		for _, i := range hit {
			r := &s.rows[i]
			if ls := max(sim(r.li), sim(r.ui)); ls >= minLastSim {
				switch j := s.at[r.fi] - 1; {
				case j < 0:
					g.best = append(g.best, firstBest{fi: r.fi, last: ls})
					s.at[r.fi] = int32(len(g.best))
				case ls > g.best[j].last:
					g.best[j].last = ls
				}
			} else if near(r.li) || near(r.ui) {
				if !slices.Contains(g.edit, r.fi) {
					g.edit = append(g.edit, r.fi)
				}
			}
			if sim(r.fli) >= SameThreshold {
				g.swap = append(g.swap, i)
			}
		}
		for _, b := range g.best {
			s.at[b.fi] = 0
		}
	}
	s.lasts[strings.Clone(last)] = g
	return g
}

// passesGates reports whether nm clears the candidate gates on each name.
func passesGates(nm NameMatch) bool { return nm.Last >= minLastSim && nm.First >= minFirstSim }

// bestScore is the score of a candidate whose names compare as nm, with
// the same profession and an activity at the row's FINESS.
func bestScore(nm NameMatch) float64 {
	return roundScore(NameWeight*nm.Score + ProfessionWeight + FINESSWeight)
}

// roundScore rounds a score to three decimals, as candidates show it.
func roundScore(s float64) float64 { return math.Round(s*1000) / 1000 }

// firstFloor is the first-name similarity below which a NameSearch need
// not know the exact value: a candidate's first name must reach
// minFirstSim read straight, and SameThreshold read swapped.
const firstFloor = min(minFirstSim, SameThreshold)

// letters counts the letters and digits of a folded ASCII name, by byte
// value modulo 32 (so letters and digits may share a count, which only
// makes the bound of mayReachFirstFloor looser), in eight-bit lanes of
// four words, and its length without spaces. bounded is false when the
// name is not ASCII or too long for the lanes (more than 127 letters):
// such names are never pruned.
type letters struct {
	lanes   [4]uint64
	n       int
	bounded bool
	space   bool
}

func lettersOf(s string) letters {
	l := letters{bounded: true}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80:
			return letters{}
		case c == ' ':
			l.space = true
			continue
		}
		l.n++
		l.lanes[c&31>>3] += 1 << (c & 7 * 8)
	}
	if l.n > 127 {
		return letters{}
	}
	return l
}

// shared returns how many letters the two names share, counted with
// repeats: the sum over the lanes of the smaller count. The lanes hold
// at most 127, so that the top bit of each is free for the comparison.
func (la *letters) shared(ld *letters) int {
	const high, ones = 0x8080808080808080, 0x0101010101010101
	m := uint64(0)
	for w := range la.lanes {
		a, b := la.lanes[w], ld.lanes[w]
		ge := ((a | high) - b) & high >> 7 * 0xff // lanes where a ≥ b
		m += (b&ge | a&^ge) * ones >> 56          // the sum of the minimums (at most 127)
	}
	return int(m)
}

// mayReachFirstFloor reports false only when firstSim(a, d) is surely
// below firstFloor, cheaply, so that most pairs of unrelated names skip the
// Jaro-Winkler computation. A Jaro similarity J of the names without
// spaces, with m matching characters, is at most (m/|a| + m/|d| + 1)/3,
// where m is at most the letters the two names share (counted with
// repeats), and Winkler's bonus adds at most l/10·(1 − J) for a common
// prefix of l ≤ 4 letters, an upper bound that grows with J. With
// different first letters, only the Jaro-Winkler rules of firstSim can
// reach the floor, and the prefix is empty. With the same first letter,
// the bound holds when the names are single words of two letters or more:
// firstSim is then their Jaro-Winkler similarity and nothing else (its
// rules of initials and of several words do not apply). Other names of
// several words (whose first words are compared too) and non-ASCII names
// are not pruned.
func mayReachFirstFloor(a, d string, la, ld *letters) bool {
	if a == "" || d == "" {
		return false // firstSim is 0
	}
	if !la.bounded || !ld.bounded {
		return true
	}
	prefix := 0
	if a[0] == d[0] {
		if la.space || ld.space || la.n < 2 || ld.n < 2 {
			return true
		}
		for prefix < 4 && prefix < len(a) && prefix < len(d) && a[prefix] == d[prefix] {
			prefix++
		}
	} else if la.space && ld.space {
		return true
	}
	m := la.shared(ld)
	j := (float64(m)/float64(la.n) + float64(m)/float64(ld.n) + 1) / 3
	// Less a margin for the rounding of the similarities (4 decimals,
	// computed in float32 by go-edlib).
	return j+float64(prefix)/10*(1-j) >= firstFloor-1e-3
}
