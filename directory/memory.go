package directory

import (
	"bytes"
	"context"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"

	"github.com/rppsync/rppsync/namekey"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/internal/hashset"
	"github.com/rppsync/rppsync/matcher"
)

// Memory is the part of a directory extract that a check needs, held in
// memory: the professionals whose RPPS or name key was asked for when it
// was loaded. It answers the same two questions as the PostgreSQL
// directory, and is safe for concurrent reads once loaded.
//
// It is packed to stay small when a common name key keeps hundreds of
// thousands of professionals: every text value is stored once and lines
// refer to it by index; rppsync.Professional values are built per query.
type Memory struct {
	strs   []string           // interned values; strs[0] is ""
	pros   []packedPro        // kept professionals, in order of first line
	acts   []packedAct        // kept activities, chained per professional in file order
	byRPPS map[string]int32   // RPPS → index in pros
	byKey  map[string][]int32 // name key → indexes in pros, sorted by RPPS
	rpps   map[string]bool    // the RPPS filter
	keys   *namekey.Filter    // the name key filter
	name   string             // the extract's file name

	finess map[string]bool              // the FINESS filter (LoadFilteredSites); nil: none asked
	isSite map[string]bool              // the numbers of the FINESS filter that are a line's FINESS site
	jur    map[string]map[string]string // FINESS juridique of the filter → its FINESS sites → least site name
}

type packedPro struct {
	rpps                             string
	last, first, profCode, profLabel uint32
	firstAct, lastAct                int32
}

type packedAct struct {
	finess, juridique, site, mode, commune, role uint32
	next                                         int32 // next activity of the same professional, -1 at the end
}

// nameCacheSize bounds the cache of folded last names kept during a load.
const nameCacheSize = 1 << 14

// LoadFiltered reads the activity extract at path (zip or txt) in one
// streaming pass and keeps only the lines whose RPPS is in rpps, and the
// lines whose last name has a key of names (matcher.NameSearch.Keys) and
// whose last and first name names accepts (matcher.NameSearch.Keep): the
// people no row of the check could take as a candidate are never held.
// names may be nil (no name search). The extract need not carry a date in
// its name. It returns the reading statistics; bad lines are counted
// there, not returned as errors. names is used by LoadFiltered only, from
// its own goroutine; the Memory keeps its keys.
//
// A Memory loaded by LoadFiltered knows no legal entity (JuridiqueSites
// finds none); LoadFilteredSites loads one that does.
func LoadFiltered(ctx context.Context, path string, rpps []string, names *matcher.NameSearch) (*Memory, Stats, error) {
	return loadFiltered(ctx, path, rpps, names, nil, nameCacheSize)
}

// LoadFilteredSites is LoadFiltered keeping also what JuridiqueSites needs
// to answer for the FINESS numbers of finess (matcher.WantedBuilder.FINESS):
// which of them are a FINESS site, and the sites of those that are a FINESS
// juridique. Only the lines naming one of them are built; the others cost
// two more columns cut when finess is not empty.
func LoadFilteredSites(ctx context.Context, path string, rpps []string, names *matcher.NameSearch, finess []string) (*Memory, Stats, error) {
	return loadFiltered(ctx, path, rpps, names, finess, nameCacheSize)
}

// loadFiltered is LoadFilteredSites caching the filter keys of at most
// cacheSize distinct last names; finess nil loads no legal entity.
func loadFiltered(ctx context.Context, path string, rpps []string, names *matcher.NameSearch, finess []string, cacheSize int) (*Memory, Stats, error) {
	ex, err := OpenDated(path, timeUnknown)
	if err != nil {
		return nil, Stats{}, err
	}
	defer ex.Close()
	ar, err := NewActivityReader(ex)
	if err != nil {
		return nil, Stats{}, fmt.Errorf("directory: %s: %w", ex.Name, err)
	}
	keys := names.Keys()
	m := &Memory{
		strs:   []string{""},
		byRPPS: make(map[string]int32),
		byKey:  make(map[string][]int32, len(keys)),
		rpps:   make(map[string]bool, len(rpps)),
		keys:   namekey.NewFilter(keys),
		name:   ex.Name,
	}
	for _, r := range rpps {
		m.rpps[r] = true
	}
	if finess != nil {
		m.finess, m.isSite, m.jur = make(map[string]bool, len(finess)), map[string]bool{}, map[string]map[string]string{}
		for _, f := range finess {
			m.finess[f] = true
		}
	}
	ids := map[string]uint32{"": 0}
	intern := func(s string) uint32 {
		if i, ok := ids[s]; ok {
			return i
		}
		i := uint32(len(m.strs))
		s = strings.Clone(s) // do not pin the whole line
		m.strs = append(m.strs, s)
		ids[s] = i
		return i
	}
	// The lines are checked and selected on every core (scanParallel),
	// then added here in file order. The filters' hashes, shared by the
	// workers, spare most map lookups: most lines are nobody's.
	quick := newRPPSSet(rpps)
	newSelector := func() selector[nameTag] {
		return newNameSelector(m.rpps, m.keys, quick, names.Clone(), cacheSize, m.finess,
			[3]int{ar.pos[fFinessSite], ar.pos[fFinessJuridique], ar.pos[fSiteName]})
	}
	err = scanParallel(ctx, ar, 0, newSelector, func(l Line, tag nameTag) {
		if tag.site {
			m.addSite(l)
		}
		if !tag.person {
			return // kept for its FINESS only
		}
		p, seen := m.byRPPS[l.ID]
		if !seen {
			p = int32(len(m.pros))
			m.pros = append(m.pros, packedPro{
				rpps: strings.Clone(l.ID), last: intern(l.LastName), first: intern(l.FirstName),
				profCode: intern(l.ProfessionCode), profLabel: intern(l.ProfessionLabel), firstAct: -1, lastAct: -1,
			})
			m.byRPPS[m.pros[p].rpps] = p
			if tag.named {
				for _, k := range tag.hits {
					m.byKey[k] = append(m.byKey[k], p)
				}
			}
		}
		a := int32(len(m.acts))
		m.acts = append(m.acts, packedAct{
			finess: intern(l.FinessSite), juridique: intern(l.FinessJuridique), site: intern(l.SiteName),
			mode: intern(l.ModeCode), commune: intern(l.CommuneCode), role: intern(l.RoleCode), next: -1,
		})
		pp := &m.pros[p]
		if pp.lastAct < 0 {
			pp.firstAct = a
		} else {
			m.acts[pp.lastAct].next = a
		}
		pp.lastAct = a
	})
	if err != nil {
		return nil, ar.Stats(), fmt.Errorf("directory: load %s: %w", ex.Name, err)
	}

	for k, ps := range m.byKey {
		slices.SortFunc(ps, func(a, b int32) int { return strings.Compare(m.pros[a].rpps, m.pros[b].rpps) })
		m.byKey[k] = slices.Clip(ps)
	}
	m.pros, m.acts, m.strs = slices.Clip(m.pros), slices.Clip(m.acts), slices.Clip(m.strs)
	return m, ar.Stats(), nil
}

// rppsSet is the set of the maphash, with seed, of the RPPS numbers of a
// load filter (see hashset.Set).
type rppsSet struct {
	seed maphash.Seed
	set  *hashset.Set
}

func newRPPSSet(rpps []string) rppsSet {
	f := rppsSet{seed: maphash.MakeSeed()}
	hashes := make([]uint64, 0, len(rpps))
	for _, r := range rpps {
		hashes = append(hashes, maphash.String(f.seed, r))
	}
	f.set = hashset.New(hashes)
	return f
}

// mayHave reports false when id is surely not an RPPS of the filter.
func (f *rppsSet) mayHave(id []byte) bool {
	return f.set.MayHave(maphash.Bytes(f.seed, id))
}

// nameTag is what a nameSelector says of a line it keeps: the filter keys
// of its last name, whether the name search keeps its names (named)
// rather than the line being kept for its RPPS only, whether it is kept
// for its professional at all (person), and whether its FINESS site or
// juridique is one of the FINESS filter (site).
type nameTag struct {
	hits   []string
	named  bool
	person bool
	site   bool
}

// addSite records what line l says of the FINESS filter: its FINESS site
// is a site, and, when its FINESS juridique is one of the filter, its site
// and site name (the least name of a site is kept, as the database does).
func (m *Memory) addSite(l Line) {
	if m.finess[l.FinessSite] {
		m.isSite[l.FinessSite] = true
	}
	if l.FinessSite == "" || !m.finess[l.FinessJuridique] {
		return
	}
	sites := m.jur[l.FinessJuridique]
	if sites == nil {
		sites = map[string]string{}
		m.jur[l.FinessJuridique] = sites
	}
	if n, ok := sites[l.FinessSite]; !ok || l.SiteName < n {
		sites[strings.Clone(l.FinessSite)] = strings.Clone(l.SiteName)
	}
}

// threeFields returns the fields of columns cols (0-based) of the
// '|'-separated line raw; a field past the end of the line is nil.
func threeFields(raw []byte, cols [3]int) (out [3][]byte) {
	lo, last := 0, max(cols[0], cols[1], cols[2])
	for k := 0; k <= last; k++ {
		end := bytes.IndexByte(raw[lo:], '|')
		if end < 0 {
			end = len(raw) - lo
		}
		for c, col := range cols {
			if col == k {
				out[c] = raw[lo : lo+end]
			}
		}
		if lo+end >= len(raw) {
			break
		}
		lo += end + 1
	}
	return out
}

// newNameSelector returns the selector of one LoadFiltered worker: a line
// is kept when its RPPS is in rpps, or when its last name has keys in keys
// and names keeps its last and first name.
//
// Lines of one professional follow each other, and many professionals
// share a last name: the keys a name hits are looked up again only when
// the name changes from the previous line, and computed only when the
// name is not in the cache (at most cacheSize names); the gate is asked
// once per run of lines with the same names. The identifier and the names
// are looked at in the read buffer (m[string(b)] does not allocate).
//
// With a FINESS filter (finess not empty), a line is also kept when it
// tells something new of it (columns cols: FINESS site, FINESS juridique,
// site name): the first line of the worker whose FINESS site is one of
// it, and the lines whose FINESS juridique is one of it with a site name
// less than the worker's least so far for that site. The least name of
// all workers' is the least of the extract: the other lines are left.
func newNameSelector(rpps map[string]bool, keys *namekey.Filter, quick rppsSet, names *matcher.NameSearch, cacheSize int,
	finess map[string]bool, cols [3]int) selector[nameTag] {
	seenSite := map[string]bool{}
	least := map[string]map[string]string{} // FINESS juridique → site → least name seen by this worker
	sc := keys.Scanner()
	cache := newNameCache(cacheSize)
	var (
		prev, prevFirst []byte // the names of the previous line
		fresh           = true // no previous line
		hits            []string
		keep, gated     bool
	)
	return func(id, last, first, raw []byte) (nameTag, bool) {
		if fresh || !bytes.Equal(last, prev) {
			fresh, gated = false, false
			prev = append(prev[:0], last...)
			var ok bool
			if hits, ok = cache.get(last); !ok {
				hits = slices.Clone(sc.Hits(last, nil))
				cache.put(last, hits)
			}
		}
		if len(hits) > 0 && (!gated || !bytes.Equal(first, prevFirst)) {
			prevFirst = append(prevFirst[:0], first...)
			keep, gated = names.Keep(string(last), string(first)), true
		}
		named := len(hits) > 0 && keep
		person := named || quick.mayHave(id) && rpps[string(id)]
		site := false
		if len(finess) > 0 {
			f := threeFields(raw, cols)
			s, j, name := f[0], f[1], f[2]
			if len(s) > 0 && finess[string(s)] && !seenSite[string(s)] {
				seenSite[string(s)] = true
				site = true
			}
			if len(s) > 0 && len(j) > 0 && finess[string(j)] {
				sites := least[string(j)]
				if sites == nil {
					sites = map[string]string{}
					least[string(j)] = sites
				}
				if n, ok := sites[string(s)]; !ok || string(name) < n {
					sites[string(s)] = string(name)
					site = true
				}
			}
		}
		return nameTag{hits: hits, named: named, person: person, site: site}, person || site
	}
}

// Len returns how many professionals were kept.
func (m *Memory) Len() int { return len(m.pros) }

// Extract returns the file name of the extract m was loaded from.
func (m *Memory) Extract() string { return m.name }

// activityCount returns how many activities pros[i] has.
func (m *Memory) activityCount(i int32) int {
	n := 0
	for a := m.pros[i].firstAct; a >= 0; a = m.acts[a].next {
		n++
	}
	return n
}

// professional builds the rppsync.Professional of pros[i], taking its
// activities from the front of slab, which must have room for them all
// (see activityCount); it returns the rest of slab. The activities are
// capped at their length, so that an append by the caller copies them
// instead of writing over the next professional's.
func (m *Memory) professional(i int32, slab []rppsync.Activity) (rppsync.Professional, []rppsync.Activity) {
	p := m.pros[i]
	n := 0
	for a := p.firstAct; a >= 0; a = m.acts[a].next {
		pa := m.acts[a]
		slab[n] = rppsync.Activity{
			FinessSite: m.strs[pa.finess], FinessJuridique: m.strs[pa.juridique], SiteName: m.strs[pa.site],
			ModeCode: m.strs[pa.mode], CommuneCode: m.strs[pa.commune], RoleCode: m.strs[pa.role],
		}
		n++
	}
	out := rppsync.Professional{
		RPPS: p.rpps, LastName: m.strs[p.last], FirstName: m.strs[p.first],
		ProfessionCode: m.strs[p.profCode], ProfessionLabel: m.strs[p.profLabel],
	}
	if n > 0 {
		out.Activities = slab[:n:n]
	}
	return out, slab[n:]
}

// Professionals returns the professionals of the given RPPS numbers that
// the extract holds, each with its activities in file order and the
// profession of its first line; an RPPS absent from the extract is absent
// from the map. Asking for an RPPS outside the load filter returns
// ErrNotLoaded. Every call returns fresh values: the caller may change
// them without changing m.
func (m *Memory) Professionals(ctx context.Context, rpps []string) (map[string]rppsync.Professional, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// First pass: check the numbers and count the activities; out marks
	// the professionals already found, so an RPPS asked twice counts once.
	out := make(map[string]rppsync.Professional, len(rpps))
	var found []int32
	nActs := 0
	for _, r := range rpps {
		if !m.rpps[r] {
			return nil, fmt.Errorf("%w: RPPS %s", ErrNotLoaded, r)
		}
		i, ok := m.byRPPS[r]
		if _, dup := out[r]; !ok || dup {
			continue
		}
		out[r] = rppsync.Professional{}
		found = append(found, i)
		nActs += m.activityCount(i)
	}
	// One allocation holds the activities of the whole answer.
	slab := make([]rppsync.Activity, nActs)
	for _, i := range found {
		out[m.pros[i].rpps], slab = m.professional(i, slab)
	}
	return out, nil
}

// JuridiqueSites returns, for each number of finess that the extract
// holds as the FINESS juridique of lines with a FINESS site and as the
// FINESS site of none, its sites sorted by FINESS, each with the least of
// its site names (see matcher.Directory). A Memory loaded by LoadFiltered
// knows no legal entity and returns an empty map; one loaded by
// LoadFilteredSites returns ErrNotLoaded for a number outside its filter.
func (m *Memory) JuridiqueSites(ctx context.Context, finess []string) (map[string][]rppsync.Site, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := map[string][]rppsync.Site{}
	if m.finess == nil {
		return out, nil
	}
	for _, f := range finess {
		if !m.finess[f] {
			return nil, fmt.Errorf("%w: FINESS %s", ErrNotLoaded, f)
		}
		sites := m.jur[f]
		if m.isSite[f] || len(sites) == 0 {
			continue
		}
		list := make([]rppsync.Site, 0, len(sites))
		for site, name := range sites {
			list = append(list, rppsync.Site{FINESS: site, Name: name})
		}
		slices.SortFunc(list, func(a, b rppsync.Site) int { return strings.Compare(a.FINESS, b.FINESS) })
		out[f] = list
	}
	return out, nil
}

// ByNameKeys returns, for each key of s (matcher.NameSearch.Keys), the
// professionals indexed under it whose names s.Keep accepts, sorted by
// RPPS; a key with no professional is absent from the map. Asking for a
// key outside the load filter returns ErrNotLoaded.
//
// A professional listed under several keys is built once per call: every
// list holds a copy of the same rppsync.Professional value, so their
// Activities slices share one backing array. Callers must treat the
// activities as read-only (appending is safe: the slices are capped at
// their length). Each call builds its own values, so nothing a caller does
// to an answer reaches m or another call's answer.
func (m *Memory) ByNameKeys(ctx context.Context, s *matcher.NameSearch) (map[string][]rppsync.Professional, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	keys := s.Keys()
	// kept[i] is 1 when pros[i] passes s.Keep, 2 when it does not, 0 when
	// not asked yet.
	kept := make([]uint8, len(m.pros))
	pass := func(i int32) bool {
		if kept[i] == 0 {
			kept[i] = 2
			if s.Keep(m.strs[m.pros[i].last], m.strs[m.pros[i].first]) {
				kept[i] = 1
			}
		}
		return kept[i] == 1
	}
	// First pass: check the keys and number the distinct professionals
	// they hit. at[i] is 1 + the position of pros[i] in built, 0 if not hit.
	var (
		at    = make([]int32, len(m.pros))
		hit   []int32 // indexes in pros, in order of first hit
		nActs int
	)
	for _, k := range keys {
		if !m.keys.Has(k) {
			return nil, fmt.Errorf("%w: name key %s", ErrNotLoaded, k)
		}
		for _, i := range m.byKey[k] {
			if at[i] == 0 && pass(i) {
				hit = append(hit, i)
				at[i] = int32(len(hit))
				nActs += m.activityCount(i)
			}
		}
	}
	// Build each professional once, all activities in one allocation.
	built := make([]rppsync.Professional, len(hit))
	slab := make([]rppsync.Activity, nActs)
	for j, i := range hit {
		built[j], slab = m.professional(i, slab)
	}
	out := make(map[string][]rppsync.Professional, len(keys))
	for _, k := range keys {
		var ps []rppsync.Professional
		for _, i := range m.byKey[k] {
			if at[i] != 0 {
				ps = append(ps, built[at[i]-1])
			}
		}
		if len(ps) > 0 {
			out[k] = ps
		}
	}
	return out, nil
}
