package insee

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// ErrData is returned (wrapped) by Build when a reference file is missing,
// unreadable or does not have the expected columns.
var ErrData = errors.New("insee: reference data unusable")

//go:embed data/*.csv.gz
var embedded embed.FS

// The reference files Build reads, by their uncompressed names.
const (
	fileCommunes    = "v_commune_2026.csv"
	fileMovements   = "v_mvt_commune_2026.csv"
	fileComer       = "v_commune_comer_2024.csv"
	fileCountries   = "pays2021.csv"
	filePostal      = "laposte_hexasmal_019HexaSmal.csv"
	fileDepartments = "v_departement_2024.csv"
)

// Dates are yyyymmdd integers; 0 is "since always" (before 1943, the
// start of the INSEE event file) and forever is "still valid today".
const forever = 99991231

// Kinds of named places.
const (
	kindCOM   uint8 = iota // a commune (COM row or COM side of an event)
	kindARM                // a municipal arrondissement of Paris, Lyon or Marseille
	kindCOMER              // a commune of an overseas collectivity (98x, 975, 977, 978)
	kindPart               // a delegated or associated commune today, with no history of its own
)

// span is a period [from, to) during which a place existed under its name and code.
type span struct{ from, to int32 }

// link points from a place to the place(s) it became, or came from, on a date.
type link struct {
	date int32
	to   int32
}

// place is one commune under one name and one code, with the periods it
// existed and what it became or came from.
type place struct {
	code   string
	name   string // LIBELLE: the name with its article, as INSEE writes it
	key    string // nameKey of the name
	art    string // its leading article, folded ("LA" for La Vergne), or ""
	kind   uint8
	parent int32 // kindPart: the commune it belongs to; kindARM: the city; else -1
	group  int32 // lineage: places linked by a code change under the same name
	spans  []span
	succ   []link // at the end of a span
	pred   []link // at the start of a span
}

func (p *place) current() bool {
	return len(p.spans) > 0 && p.spans[len(p.spans)-1].to == forever
}

func (p *place) validAt(d int32) bool {
	for _, s := range p.spans {
		if s.from <= d && d < s.to {
			return true
		}
	}
	return false
}

// lastEnd returns the end of the last span of p.
func (p *place) lastEnd() int32 {
	if len(p.spans) == 0 {
		return 0
	}
	return p.spans[len(p.spans)-1].to
}

// country is one entry of the country file.
type country struct {
	code string // 99xxx
	name string
}

// countryHit is what a country key resolves to: the best-ranked codes.
type countryHit struct {
	rank  int
	codes []string
}

// Index resolves typed birth places to INSEE codes. It is immutable once
// built and safe for concurrent use.
type Index struct {
	places  []place
	byKey   map[string][]int32 // name key → places
	byCode  map[string][]int32 // code → places (not kindPart)
	groups  [][]string         // lineage (place.group) → départements its codes belong to
	postal  map[string][]string
	country map[string]countryHit
	iso     map[string]string // ISO 3166 alpha-2/alpha-3 → 99xxx, or "FR"/territory dept
	cname   map[string]string // 99xxx → display name
	terr    map[string][]string
	// Former countries (ACTUAL 2): cnow maps one to the country it is part
	// of today (CRPAY, "RDA" 99141 → 99109); csucc to the countries that
	// came out of it (rows whose CAPAY it is, "Corée" 99237 → 99238,
	// 99239), and cyear gives a country's year of independence (ANI).
	cnow  map[string]string
	csucc map[string][]string
	cyear map[string]string

	unended int // see builder.unended
}

var (
	defaultOnce  sync.Once
	defaultIndex *Index
)

// Default returns the index of the embedded reference data, decoded once,
// on first use, from its embedded snapshot (see snapshot.go: a few
// milliseconds, where building it takes about 100), and shared. It panics
// only if the snapshot is corrupt, which the package tests rule out.
func Default() *Index {
	defaultOnce.Do(func() {
		var err error
		if defaultIndex, err = unmarshal(snapshot); err != nil {
			panic(fmt.Errorf("insee: embedded index: %w", err))
		}
	})
	return defaultIndex
}

// Build reads the reference files from fsys, each either plain
// (v_commune_2026.csv) or gzip-compressed (v_commune_2026.csv.gz), and
// builds an index. Errors wrap ErrData.
func Build(fsys fs.FS) (*Index, error) {
	ix := &Index{
		places:  make([]place, 0, 45000),
		byKey:   make(map[string][]int32, 60000),
		byCode:  make(map[string][]int32, 50000),
		postal:  make(map[string][]string, 7000),
		country: make(map[string]countryHit, 1500),
		iso:     make(map[string]string, 600),
		cname:   make(map[string]string, 300),
		terr:    make(map[string][]string, 200),
		cnow:    make(map[string]string, 30),
		csucc:   make(map[string][]string, 30),
		cyear:   make(map[string]string, 250),
	}
	b := builder{ix: ix, ids: make(map[placeRef]int32, 50000)}
	steps := []struct {
		file   string
		cols   []string
		sep    byte
		quoted bool // fields may be quoted: read with encoding/csv
		fn     func([]string) error
	}{
		{fileDepartments, []string{"DEP", "REG", "CHEFLIEU", "TNCC", "NCC", "NCCENR", "LIBELLE"}, ',', false, b.department},
		{fileCommunes, []string{"TYPECOM", "COM", "REG", "DEP", "CTCD", "ARR", "TNCC", "NCC", "NCCENR", "LIBELLE", "CAN", "COMPARENT"}, ',', false, b.commune},
		{fileMovements, []string{"MOD", "DATE_EFF", "TYPECOM_AV", "COM_AV", "TNCC_AV", "NCC_AV", "NCCENR_AV", "LIBELLE_AV", "TYPECOM_AP", "COM_AP", "TNCC_AP", "NCC_AP", "NCCENR_AP", "LIBELLE_AP"}, ',', false, b.movement},
		{fileComer, []string{"COM_COMER", "TNCC", "NCC", "NCCENR", "LIBELLE", "NATURE_ZONAGE", "COMER", "LIBELLE_COMER"}, ',', true, b.comer},
		{fileCountries, []string{"COG", "ACTUAL", "CAPAY", "CRPAY", "ANI", "LIBCOG", "LIBENR", "ANCNOM", "CODEISO2", "CODEISO3", "CODENUM3"}, ',', true, b.country},
		{filePostal, []string{"Code_commune_INSEE", "Nom_de_la_commune", "Code_postal", "Libellé_d_acheminement", "Ligne_5"}, ';', false, b.postal},
	}
	// Decompress every file at once, then read them: the postal codes
	// (last step, which only fills ix.postal) alongside the others, which
	// go in order because each depends on the ones before.
	texts := make([]string, len(steps))
	errs := make([]error, len(steps))
	var wg sync.WaitGroup
	for k, st := range steps {
		wg.Go(func() { texts[k], errs[k] = load(fsys, st.file) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	last := len(steps) - 1
	read := func(k int) error {
		st := steps[k]
		return readRows(texts[k], st.file, st.sep, st.quoted, st.cols, st.fn)
	}
	wg.Go(func() { errs[last] = read(last) })
	for k := range last {
		if errs[k] = read(k); errs[k] != nil {
			break
		}
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := b.finish(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrData, err)
	}
	ix.unended = b.unended
	return ix, nil
}

// load returns the text of name, or of name.gz decompressed, from fsys.
func load(fsys fs.FS, name string) (string, error) {
	raw, err := fs.ReadFile(fsys, name)
	if errors.Is(err, fs.ErrNotExist) {
		raw, err = fs.ReadFile(fsys, name+".gz")
		if err == nil {
			var zr *gzip.Reader
			if zr, err = gzip.NewReader(bytes.NewReader(raw)); err == nil {
				var buf bytes.Buffer
				if n := len(raw); n >= 4 { // gzip ends with the uncompressed size (mod 4 GiB)
					buf.Grow(int(binary.LittleEndian.Uint32(raw[n-4:])) + bytes.MinRead)
				}
				_, err = buf.ReadFrom(zr)
				raw = buf.Bytes()
			}
		}
	}
	if err != nil {
		return "", fmt.Errorf("%w: read %s: %w", ErrData, name, err)
	}
	return string(raw), nil
}

// readRows checks the header of a CSV text and calls fn for every data
// row. Unquoted files are split by hand (fields are substrings of text,
// no copy); quoted ones go through encoding/csv.
func readRows(text, name string, sep byte, quoted bool, cols []string, fn func([]string) error) error {
	bad := func(line int, err error) error { return fmt.Errorf("%w: %s line %d: %w", ErrData, name, line, err) }
	if quoted {
		r := csv.NewReader(strings.NewReader(text))
		r.Comma = rune(sep)
		r.ReuseRecord = true
		r.FieldsPerRecord = len(cols)
		for line := 1; ; line++ {
			rec, err := r.Read()
			switch {
			case err == io.EOF:
				return nil
			case err != nil:
				return bad(line, err)
			case line == 1 && !slices.Equal(rec, cols):
				return bad(line, fmt.Errorf("header %q, want %q", rec, cols))
			case line > 1:
				if err := fn(rec); err != nil {
					return bad(line, err)
				}
			}
		}
	}
	rec := make([]string, 0, len(cols))
	for line := 1; text != ""; line++ {
		var row string
		row, text, _ = strings.Cut(text, "\n")
		row = strings.TrimSuffix(row, "\r")
		if row == "" {
			continue
		}
		rec = rec[:0]
		for {
			f, rest, more := strings.Cut(row, string(sep))
			if strings.IndexByte(f, '"') >= 0 {
				return bad(line, errors.New("unexpected quote"))
			}
			rec = append(rec, f)
			if !more {
				break
			}
			row = rest
		}
		switch {
		case len(rec) != len(cols):
			return bad(line, fmt.Errorf("%d fields, want %d", len(rec), len(cols)))
		case line == 1 && !slices.Equal(rec, cols):
			return bad(line, fmt.Errorf("header %q, want %q", rec, cols))
		case line > 1:
			if err := fn(rec); err != nil {
				return bad(line, err)
			}
		}
	}
	return nil
}

// event is one row of the movement file, reduced to the places it links.
type event struct {
	date   int32
	av, ap int32 // -1 when that side is not a commune (COMD, COMA, empty)
}

// articles gives the article INSEE's TNCC code stands for.
var articles = map[string]string{"2": "LE", "3": "LA", "4": "LES", "5": "L", "6": "AUX", "7": "LAS", "8": "LOS"}

// placeRef identifies a place while building: its code and its name.
type placeRef struct{ code, name string }

// part is a row of the current file that belongs to another commune.
type part struct{ code, name, ncc, tncc, parent string }

type builder struct {
	ix      *Index
	ids     map[placeRef]int32
	current []int32 // places of the current COG file
	parts   []part  // COMD, COMA and ARM rows of the current file
	events  []event
	// Places the event file starts and never ends although today's file
	// lacks them; counted for the tests (expected: none).
	unended int
	// stillUsed holds the country codes some row of which is not a former
	// country (99308 is both former Zanzibar and the British Indian Ocean
	// Territory): those are valid today whatever their other rows say.
	stillUsed map[string]bool
}

// placeID returns the place for code and name, creating it.
func (b *builder) placeID(code, name, ncc, tncc string, kind uint8) int32 {
	id := placeRef{code, name}
	if i, ok := b.ids[id]; ok {
		return i
	}
	i := int32(len(b.ix.places))
	b.ix.places = append(b.ix.places, place{code: code, name: name, key: keyOf(ncc), art: articles[tncc], kind: kind, parent: -1, group: i})
	b.ids[id] = i
	return i
}

func (b *builder) department(r []string) error {
	dep, name := r[0], r[6]
	b.addTerritory(keyOf(name), dep)
	b.addTerritory(keyOf(r[4]), dep)
	return nil
}

func (b *builder) addTerritory(key, dep string) {
	if key == "" || slices.Contains(b.ix.terr[key], dep) {
		return
	}
	b.ix.terr[key] = append(b.ix.terr[key], dep)
}

func (b *builder) commune(r []string) error {
	typ, code, tncc, ncc, name, parent := r[0], r[1], r[6], r[7], r[9], r[11]
	if !isCodeToken(code) {
		return fmt.Errorf("commune code %q", code)
	}
	switch typ {
	case "COM", "ARM":
		kind := kindCOM
		if typ == "ARM" {
			kind = kindARM
		}
		i := b.placeID(code, name, ncc, tncc, kind)
		b.current = append(b.current, i)
		if kind == kindARM {
			b.parts = append(b.parts, part{code: code, parent: parent}) // the city is linked in finish
		}
	case "COMD", "COMA":
		b.parts = append(b.parts, part{code, name, ncc, tncc, parent})
	default:
		return fmt.Errorf("commune type %q", typ)
	}
	return nil
}

func parseDate(s string) (int32, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	n, err := strconv.Atoi(s[:4] + s[5:7] + s[8:])
	if err != nil {
		return 0, false
	}
	return int32(n), true
}

func (b *builder) movement(r []string) error {
	d, ok := parseDate(r[1])
	if !ok {
		return fmt.Errorf("movement date %q", r[1])
	}
	side := func(typ, code, tncc, ncc, name string) int32 {
		switch typ {
		case "COM":
			return b.placeID(code, name, ncc, tncc, kindCOM)
		case "ARM":
			return b.placeID(code, name, ncc, tncc, kindARM)
		}
		return -1
	}
	e := event{date: d, av: side(r[2], r[3], r[4], r[5], r[7]), ap: side(r[8], r[9], r[10], r[11], r[13])}
	if e.av >= 0 || e.ap >= 0 {
		b.events = append(b.events, e)
	}
	return nil
}

func (b *builder) comer(r []string) error {
	code, tncc, ncc, name, comer, comerName := r[0], r[1], r[2], r[4], r[6], r[7]
	i := b.placeID(code, name, ncc, tncc, kindCOMER)
	b.current = append(b.current, i)
	b.addTerritory(keyOf(comerName), comer)
	return nil
}

// Ranks of the country name fields: lower wins. A name as the file
// writes it (LIBCOG, LIBENR, ANCNOM) wins over a variant made from
// another row's name ("COREE", from "COREE (REPUBLIQUE DE)"), and among
// those, a current country (ACTUAL 1) over a former one or a territory:
// every name of the file resolves to its own row, save "RÉPUBLIQUE
// FÉDÉRALE D'ALLEMAGNE", both 99109's official name and former 99142's.
const (
	rankName        = 0
	rankOfficial    = 1
	rankFormer      = 15 // below any row's own name: "ZANZIBAR" is 99308, not 99309's former name
	rankNameVariant = 30
	rankNotCurrent  = 10 // added to the rank of a row that is not a current country
)

func (b *builder) country(r []string) error {
	code, actual, name, official, former, iso2, iso3 := r[0], r[1], r[5], r[6], r[7], r[8], r[9]
	if code == "XXXXX" { // France and its overseas parts
		key := keyOf(name)
		if key == "FRANCE" {
			for _, k := range []string{key, iso2, iso3, keyOf(official)} {
				b.ix.terr[k] = []string{} // empty: France, no département
			}
			return nil
		}
		deps := b.ix.terr[key]
		if i := strings.IndexByte(name, '('); len(deps) == 0 && i > 0 {
			// "CLIPPERTON (ILE)"
			if deps = b.ix.terr[keyOf(name[:i])]; len(deps) == 0 {
				deps = extraTerritories[keyOf(name[:i])]
			}
		}
		if len(deps) > 0 {
			for _, k := range []string{key, iso2, iso3, keyOf(official)} {
				if k != "" {
					b.ix.terr[k] = deps
				}
			}
		}
		return nil
	}
	if !strings.HasPrefix(code, "99") || !isDigits(code) {
		return fmt.Errorf("country code %q", code)
	}
	base := 0
	if actual != "1" {
		base = rankNotCurrent
	}
	if actual != "2" {
		if b.stillUsed == nil {
			b.stillUsed = map[string]bool{}
		}
		b.stillUsed[code] = true
	}
	if actual == "2" && r[3] != "" {
		b.ix.cnow[code] = r[3]
	}
	if r[2] != "" && r[2] != "XXXXX" && !slices.Contains(b.ix.csucc[r[2]], code) {
		b.ix.csucc[r[2]] = append(b.ix.csucc[r[2]], code)
	}
	if r[4] != "" {
		b.ix.cyear[code] = r[4]
	}
	if _, ok := b.ix.cname[code]; !ok || actual == "1" {
		b.ix.cname[code] = prettyCountry(official, name)
	}
	add := func(key string, rank int) {
		if key == "" {
			return
		}
		rank += base
		h, ok := b.ix.country[key]
		switch {
		case !ok || rank < h.rank:
			b.ix.country[key] = countryHit{rank: rank, codes: []string{code}}
		case rank == h.rank && !slices.Contains(h.codes, code):
			h.codes = append(h.codes, code)
			b.ix.country[key] = h
		}
	}
	add(keyOf(name), rankName)
	// "FEROE (ILES)" is also typed "Féroé" and "Îles Féroé".
	if i := strings.IndexByte(name, '('); i > 0 {
		head, tail := name[:i], strings.Trim(name[i:], "() ")
		add(keyOf(head), rankNameVariant)
		add(keyOf(tail+" "+head), rankNameVariant)
	}
	add(keyOf(official), rankOfficial)
	for f := range strings.SplitSeq(former, ",") {
		add(keyOf(f), rankFormer)
	}
	if actual == "1" {
		for _, c := range []string{iso2, iso3} {
			if c != "" {
				b.ix.iso[c] = code
			}
		}
	}
	return nil
}

// prettyCountry returns a readable country name: the official name's
// short form is the upper-case LIBCOG, so the accented LIBENR is kept when
// it is short, the LIBCOG otherwise.
func prettyCountry(official, name string) string {
	if official != "" && len(official) <= len(name)+4 {
		return official
	}
	return name
}

func (b *builder) postal(r []string) error {
	code, cp := r[0], r[2]
	if !isCodeToken(code) || !isCodeToken(cp) {
		return fmt.Errorf("postal row %q %q", code, cp)
	}
	if !slices.Contains(b.ix.postal[cp], code) {
		b.ix.postal[cp] = append(b.ix.postal[cp], code)
	}
	return nil
}

// finish turns the events into periods and links, then fills the lookup maps.
func (b *builder) finish() error {
	ix := b.ix
	slices.SortStableFunc(b.events, func(x, y event) int { return int(x.date - y.date) })
	// A mark is what an event date does to a place: it starts, it ends, or
	// both (it appears and is transformed the same day, as Pont-Farcy 50649
	// did on 2018-01-01, or is transformed after a same-day absorption).
	type mark struct {
		date       int32
		start, end bool
	}
	marks := make([][]mark, len(ix.places))
	// before[p] == d: p is on the "before" side of an event dated d; the
	// same for after and same (a row from p to p: p goes on unchanged).
	// Event dates are never 0.
	before := make([]int32, len(ix.places))
	after := make([]int32, len(ix.places))
	same := make([]int32, len(ix.places))
	for i := 0; i < len(b.events); {
		j := i
		for j < len(b.events) && b.events[j].date == b.events[i].date {
			j++
		}
		group, d := b.events[i:j], b.events[i].date
		for _, e := range group {
			if e.av >= 0 {
				before[e.av] = d
			}
			if e.ap >= 0 {
				after[e.ap] = d
			}
			if e.av >= 0 && e.av == e.ap {
				same[e.av] = d
			}
		}
		touch := func(p int32) {
			if same[p] == d || (len(marks[p]) > 0 && marks[p][len(marks[p])-1].date == d) {
				return
			}
			marks[p] = append(marks[p], mark{d, after[p] == d, before[p] == d})
		}
		for _, e := range group {
			if e.av >= 0 {
				touch(e.av)
			}
			if e.ap >= 0 {
				touch(e.ap)
			}
			if e.av < 0 || e.ap < 0 || e.av == e.ap {
				continue
			}
			if same[e.av] != d {
				ix.places[e.av].succ = appendLink(ix.places[e.av].succ, link{d, e.ap})
			}
			if same[e.ap] != d {
				ix.places[e.ap].pred = appendLink(ix.places[e.ap].pred, link{d, e.av})
			}
		}
		i = j
	}
	isCurrent := make([]bool, len(ix.places))
	for _, p := range b.current {
		isCurrent[p] = true
	}
	for i := range ix.places {
		p := &ix.places[i]
		ms := marks[i]
		open := int32(0) // open since always unless the first mark is a start
		// A first start is a real beginning only when the place came from
		// other communes that day; otherwise (a delegated commune becoming
		// a commune again, as Saint-Germain-en-Laye in 2020) it went on.
		if len(ms) > 0 && ms[0].start && hasPred(p, ms[0].date) {
			open = -1
		}
		for _, m := range ms {
			switch {
			case m.start && m.end && open < 0:
				p.spans = append(p.spans, span{m.date, m.date}) // existed for no day
			case m.end && open >= 0:
				p.spans = append(p.spans, span{open, m.date})
				open = -1
			case m.start && !m.end && open < 0:
				open = m.date
			}
		}
		switch {
		case open >= 0 && isCurrent[i]:
			p.spans = append(p.spans, span{open, forever})
		case open >= 0:
			b.unended++ // the event file never closes it, yet today's file lacks it
			p.spans = append(p.spans, span{open, forever - 1})
		case isCurrent[i]:
			// The events closed it, yet today's file lists it: it went on
			// (Marseille gave birth to its arrondissements in 1946 and
			// stayed a commune). Trust today.
			last := &p.spans[len(p.spans)-1]
			p.succ = slices.DeleteFunc(p.succ, func(l link) bool { return l.date == last.to })
			last.to = forever
		}
	}
	b.mayotte()
	// Overseas collectivities: Saint-Barthélemy and Saint-Martin left
	// Guadeloupe (97123, 97127) in 2007 with no successor in the event
	// file; link them to their 977/978 commune of the same name.
	comerByKey := map[string]int32{}
	for _, i := range b.current {
		if ix.places[i].kind == kindCOMER {
			comerByKey[ix.places[i].key] = i
		}
	}
	for i := range ix.places {
		p := &ix.places[i]
		if p.kind == kindCOMER || p.current() || len(p.succ) > 0 || len(p.spans) == 0 {
			continue
		}
		if c, ok := comerByKey[p.key]; ok {
			end := p.lastEnd()
			p.succ = append(p.succ, link{end, c})
			cp := &ix.places[c]
			cp.spans[0].from = end
			cp.pred = append(cp.pred, link{end, int32(i)})
		}
	}
	// Delegated and associated communes, and arrondissements' cities.
	for i := range ix.places {
		ix.byCode[ix.places[i].code] = append(ix.byCode[ix.places[i].code], int32(i))
	}
	for _, pt := range b.parts {
		parent := int32(-1)
		for _, q := range ix.byCode[pt.parent] {
			if ix.places[q].kind == kindCOM && ix.places[q].current() {
				parent = q
			}
		}
		if parent < 0 {
			return fmt.Errorf("%s: parent %q of %s not found", fileCommunes, pt.parent, pt.code)
		}
		if pt.name == "" { // an arrondissement
			for _, q := range ix.byCode[pt.code] {
				ix.places[q].parent = parent
			}
			continue
		}
		if _, ok := b.ids[placeRef{pt.code, pt.name}]; ok {
			continue // its history as a commune covers it
		}
		i := b.placeID(pt.code, pt.name, pt.ncc, pt.tncc, kindPart)
		ix.places[i].parent = parent
	}
	// Lineages: a place and what it became under the same name and another code.
	var find func(int32) int32
	find = func(i int32) int32 {
		for ix.places[i].group != i {
			ix.places[i].group = ix.places[ix.places[i].group].group
			i = ix.places[i].group
		}
		return i
	}
	for i := range ix.places {
		for _, l := range ix.places[i].succ {
			if ix.places[l.to].key == ix.places[i].key {
				a, c := find(int32(i)), find(l.to)
				if a != c {
					ix.places[a].group = c
				}
			}
		}
	}
	ix.groups = make([][]string, len(ix.places))
	for i := range ix.places {
		p := &ix.places[i]
		p.group = find(int32(i))
		dep := deptOfCode(p.code)
		if !slices.Contains(ix.groups[p.group], dep) {
			ix.groups[p.group] = append(ix.groups[p.group], dep)
		}
		if p.key != "" {
			ix.byKey[p.key] = append(ix.byKey[p.key], int32(i))
			// "Château-Chinon (Ville)" is also typed "Château-Chinon".
			if j := strings.IndexByte(p.name, '('); j > 0 {
				if k := keyOf(p.name[:j]); k != p.key && k != "" {
					ix.byKey[k] = append(ix.byKey[k], int32(i))
				}
			}
		}
	}
	for _, codes := range ix.postal {
		slices.Sort(codes)
	}
	// Names people use that no file carries.
	for k, deps := range extraTerritories {
		if _, ok := ix.terr[k]; !ok {
			ix.terr[k] = deps
		}
	}
	for k, code := range commonCountryNames {
		if _, ok := ix.country[k]; !ok {
			ix.country[k] = countryHit{rank: rankFormer, codes: []string{code}}
		}
	}
	// A code that some row still uses today is no former country.
	for code := range b.stillUsed {
		delete(ix.cnow, code)
	}
	for code := range ix.csucc {
		if b.stillUsed[code] || ix.cnow[code] != "" {
			delete(ix.csucc, code)
			continue
		}
		// Only the countries whose year of independence is known say
		// from when the former one no longer is the answer.
		ix.csucc[code] = slices.DeleteFunc(ix.csucc[code], func(c string) bool { return ix.cyear[c] == "" })
		if len(ix.csucc[code]) == 0 {
			delete(ix.csucc, code)
		} else {
			slices.Sort(ix.csucc[code])
		}
	}
	return nil
}

// extraTerritories are names people use for a part of France that no
// file carries, keyed by their name key, with its départements.
var extraTerritories = map[string][]string{
	"CORSE": {"20"}, "ILEDELAREUNION": {"974"}, "CLIPPERTON": {"989"},
	"TERRESAUSTRALESFRANCAISES": {"984"}, "TAAF": {"984"}, "TAHITI": {"987"},
}

// commonCountryNames are names people write for a country that the COG
// file does not carry (its names are LIBCOG, LIBENR and ANCNOM), keyed by
// their name key.
var commonCountryNames = map[string]string{
	"ANGLETERRE": "99132", "ECOSSE": "99132", "PAYSDEGALLES": "99132", "GRANDEBRETAGNE": "99132", "IRLANDEDUNORD": "99132", "UK": "99132",
	"RDC": "99312", "RDCONGO": "99312", "CONGOKINSHASA": "99312", "CONGORDC": "99312", "CONGODEMOCRATIQUE": "99312", "REPUBLIQUEDEMOCRATIQUEDECONGO": "99312",
	"CONGOBRAZZAVILLE": "99324", "REPUBLIQUEPOPULAIREDUCONGO": "99324",
	"USA": "99404", "ETATSUNISDAMERIQUE": "99404",
	"COREEDUSUD": "99239", "COREESUD": "99239",
	"COREEDUNORD": "99238", "COREENORD": "99238",
	"RUSSIE": "99123", "FEDERATIONDERUSSIE": "99123",
	"TCHEQUIE": "99116", "REPUBLIQUETCHEQUE": "99116",
	"BIRMANIE": "99224", "MYANMAR": "99224",
	"COTEDIVOIRE":  "99326",
	"VIETNAM":      "99243",
	"CENTRAFRIQUE": "99323", "RCA": "99323",
	"VATICAN": "99129", "SAINTSIEGE": "99129",
	"EMIRATS":     "99247",
	"SWAZILAND":   "99391",
	"MACEDOINE":   "99156",
	"BIELORUSSIE": "99148",
	"HOLLANDE":    "99135",
	"TAIWAN":      "99236",
}

// mayotteSince is the day Mayotte's communes took their 976xx codes.
const mayotteSince = 20110331

// mayotte gives Mayotte's communes their codes before 31 March 2011. The
// event file creates 97601–97617 that day from nothing (MOD 20), but they
// existed before under 985xx, the code of the collectivité départementale,
// with the same last two digits (Chirongui 98506, now 97606): the code
// civil status (RNIPP) carries for a birth there before 2011 (see
// datagouv/decoupage-administratif issue 13, which asks for this history).
// Each 976xx place gets a 985xx forerunner of the same name that became
// it on that day.
func (b *builder) mayotte() {
	ix := b.ix
	for _, e := range b.events {
		if e.av >= 0 || e.ap < 0 || e.date != mayotteSince {
			continue
		}
		p := ix.places[e.ap]
		if !strings.HasPrefix(p.code, "976") || len(p.spans) != 1 || p.spans[0].from != 0 || len(p.pred) > 0 {
			continue
		}
		old := b.placeID("985"+p.code[3:], p.name, "", "", kindCOM)
		q := &ix.places[old]
		q.key, q.art = p.key, p.art
		q.spans = []span{{0, mayotteSince}}
		q.succ = []link{{mayotteSince, e.ap}}
		np := &ix.places[e.ap]
		np.spans[0].from = mayotteSince
		np.pred = append(np.pred, link{mayotteSince, old})
	}
}

// hasPred reports whether place p came from other communes on date d.
func hasPred(p *place, d int32) bool {
	return slices.ContainsFunc(p.pred, func(l link) bool { return l.date == d })
}

func appendLink(ls []link, l link) []link {
	if slices.Contains(ls, l) {
		return ls
	}
	return append(ls, l)
}
