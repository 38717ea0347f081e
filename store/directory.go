package store

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rppsync/rppsync/namekey"

	"github.com/jackc/pgx/v5"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/directory"
	"github.com/rppsync/rppsync/matcher"
)

// ErrNoDirectory is returned by DirectoryStatus and by the Directory lookups
// when no national extract has been loaded into the database yet.
var ErrNoDirectory = rppsync.NewError("no_directory", "no national directory is loaded")

// ActivitySource yields the lines of a PS_LibreAcces_Personne_activite
// extract, as *directory.ActivityReader does: Next advances and reports
// whether a line is available, Line returns it, Err reports what stopped
// the iteration (nil at a clean end of file).
type ActivitySource interface {
	Next() bool
	Line() directory.Line
	Err() error
}

// lineColumns are the columns of directory_line COPY fills, in the order
// lineRows.Values returns them.
var lineColumns = [...]string{
	"rpps", "line_no", "national_id", "civility", "last_name", "first_name",
	"profession_code", "profession_label", "category_code", "mode_code",
	"siret_site", "finess_site", "finess_juridique", "structure_id",
	"site_name", "commune_code", "role_code", "last_name_folded",
}

// activitiesSpec is the directory_line table and the indexes its queries
// need: by RPPS (Professionals, ByNameKeys, changes, reconciliation), by
// folded last name and first name (ByNameKeys: the first names of the
// names kept, then the people bearing the pairs the search keeps; rpps is
// in the key so that both are index-only scans once the load has vacuumed
// the table) and by FINESS site (reconciliation per structure); and the
// list of its folded names (directory_name_list, written at the swap).
var activitiesSpec = tableSpec{
	kind:    "activities",
	live:    "directory_line",
	lock:    lockActivities,
	columns: lineColumns[:],
	indexes: []indexSpec{
		{"rpps_finess_idx", "(rpps, finess_site)"},
		{"last_name_folded_first_rpps_idx", "(last_name_folded, first_name, rpps)"},
		{"finess_site_idx", "(finess_site) WHERE finess_site <> ''"},
		{"finess_juridique_idx", "(finess_juridique) WHERE finess_juridique <> ''"},
	},
	atSwap: func(ctx context.Context, tx pgx.Tx, rows copyRows, extractID int64) error {
		return writeNameList(ctx, tx, extractID, rows.(*lineRows).folded)
	},
	changes: true,
	vacuum:  true,
}

// foldCacheSize bounds the cache of folded last names of a load.
const foldCacheSize = 100_000

// lineRows adapts an ActivitySource to pgx.CopyFromSource, keeping only
// RPPS lines (identifier type 8) and adding the folded last name. Folding
// costs more than encoding the whole line and names repeat (one line per
// activity, common surnames), so folds are cached. It gathers the distinct
// folded names for directory_name_list.
type lineRows struct {
	src      ActivitySource
	progress func(int64)
	text     [len(lineColumns)]string // the text columns of the current line (line_no apart)
	lineNo   int64
	prevLast string // last name of the previous line, whose fold is prevFold
	prevFold string
	read     int64
	loaded   int64
	skipped  int64
	folds    map[string]string   // last name as read -> namekey.Fold, bounded
	folded   map[string]struct{} // distinct folded names
}

func newLineRows(src ActivitySource, progress func(int64)) *lineRows {
	return &lineRows{src: src, progress: progress, folds: make(map[string]string), folded: make(map[string]struct{})}
}

// fold returns namekey.Fold(last), from the cache when it was seen recently
// (the lines of one person come together: first from the line before).
func (r *lineRows) fold(last string) string {
	if last == r.prevLast && r.read > 1 {
		return r.prevFold
	}
	r.prevLast = last
	if f, ok := r.folds[last]; ok {
		r.prevFold = f
		return f
	}
	f := namekey.Fold(last)
	if len(r.folds) >= foldCacheSize {
		clear(r.folds)
	}
	r.folds[last] = f
	r.folded[f] = struct{}{}
	r.prevFold = f
	return f
}

func (r *lineRows) Next() bool {
	for r.src.Next() {
		r.read++
		if r.progress != nil && r.read%progressEvery == 0 {
			r.progress(r.read)
		}
		l := r.src.Line()
		if l.IDType != "8" || l.ID == "" {
			r.skipped++
			continue
		}
		last := cleanText(l.LastName)
		r.lineNo = r.read
		r.text = [len(lineColumns)]string{
			cleanText(l.ID), "", cleanText(l.NationalID), cleanText(l.Civility),
			last, cleanText(l.FirstName), cleanText(l.ProfessionCode), cleanText(l.ProfessionLabel),
			cleanText(l.CategoryCode), cleanText(l.ModeCode), cleanText(l.SIRETSite),
			cleanText(l.FinessSite), cleanText(l.FinessJuridique), cleanText(l.StructureID),
			cleanText(l.SiteName), cleanText(l.CommuneCode), cleanText(l.RoleCode),
			r.fold(last)}
		r.loaded++
		return true
	}
	return false
}

// lineNoColumn is the place of line_no, the one column that is not text,
// in lineColumns.
const lineNoColumn = 1

func (r *lineRows) Values() ([]any, error) {
	vals := make([]any, len(r.text))
	for i, s := range r.text {
		vals[i] = s
	}
	vals[lineNoColumn] = r.lineNo
	return vals, nil
}

// appendText appends the current line in COPY text format (see
// copyTextReader), without boxing each value as Values does.
func (r *lineRows) appendText(b []byte) []byte {
	for i, s := range r.text {
		if i > 0 {
			b = append(b, '\t')
		}
		if i == lineNoColumn {
			b = strconv.AppendInt(b, r.lineNo, 10)
		} else {
			b = appendCopyString(b, s)
		}
	}
	return append(b, '\n')
}

func (r *lineRows) Err() error {
	if err := r.src.Err(); err != nil {
		return fmt.Errorf("read extract line %d: %w", r.read+1, err)
	}
	return nil
}

func (r *lineRows) counts() (int64, int64, int64) { return r.read, r.loaded, r.skipped }

// LoadDirectory replaces the national directory in the database with the
// lines of src, an extract named by ext. Only RPPS lines (identifier type 8)
// are kept. The lines are streamed with COPY into a staging table, indexed,
// compared with the previous directory (the changes are stored in
// directory_change and summarised in the report), and swapped in by one
// transaction (see load): readers see the previous directory until its
// commit, and a failure or crash at any point leaves it in place.
// Loads of the same schema are serialised. An extract dated before the
// current one is refused with ErrOlderExtract unless opts.Force.
func (db *DB) LoadDirectory(ctx context.Context, ext ExtractInfo, src ActivitySource, opts LoadOptions) (rep *LoadReport, err error) {
	err = db.op(ctx, ext.Name, db.cfg.LoadTimeout, func(ctx context.Context) error {
		rep, err = db.load(ctx, activitiesSpec, ext, newLineRows(src, opts.Progress), opts)
		return err
	})
	return rep, err
}

// DirectoryStatus describes the directory currently loaded.
type DirectoryStatus struct {
	ExtractID  int64     `json:"extract_id"`
	Name       string    `json:"name"`
	Date       time.Time `json:"date"` // the extract's date (midnight UTC)
	LoadedAt   time.Time `json:"loaded_at"`
	Activities int64     `json:"activities"` // lines (professional × practice situation)
	People     int64     `json:"people"`     // distinct RPPS
	// CardExtract is the card extract loaded, nil when none is.
	CardExtract *ExtractInfo `json:"card_extract"`
	Cards       int64        `json:"cards"` // card lines, 0 when no card extract is loaded
}

// DirectoryStatus returns the extract currently loaded and its counts, or
// ErrNoDirectory when no directory extract was ever loaded.
func (db *DB) DirectoryStatus(ctx context.Context) (st *DirectoryStatus, err error) {
	err = db.op(ctx, "directory", db.cfg.Timeout, func(ctx context.Context) error {
		st, err = db.directoryStatus(ctx)
		return err
	})
	return st, err
}

func (db *DB) directoryStatus(ctx context.Context) (*DirectoryStatus, error) {
	var (
		s        DirectoryStatus
		cardName *string
		cardDate *time.Time
		cards    *int64
	)
	err := db.pool.QueryRow(ctx, `
		WITH a AS (SELECT * FROM extract WHERE kind = 'activities' ORDER BY id DESC LIMIT 1),
		     c AS (SELECT * FROM extract WHERE kind = 'cards' ORDER BY id DESC LIMIT 1)
		SELECT a.id, a.name, a.extract_date, a.loaded_at, a.lines, a.people, c.name, c.extract_date, c.lines
		FROM a LEFT JOIN c ON true`).
		Scan(&s.ExtractID, &s.Name, &s.Date, &s.LoadedAt, &s.Activities, &s.People, &cardName, &cardDate, &cards)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNoDirectory
	}
	if err != nil {
		return nil, fmt.Errorf("directory status: %w", err)
	}
	if cardName != nil {
		s.CardExtract = &ExtractInfo{Name: *cardName, Date: *cardDate}
		s.Cards = *cards
	}
	return &s, nil
}

// Directory is the national directory as loaded in the database. Each
// lookup is a fixed number of queries, whatever the number of identifiers
// or keys asked. It keeps the list of names of the extract it last saw
// for its name searches; it is safe for concurrent use.
type Directory struct {
	db    *DB
	mu    sync.Mutex
	names *nameList // the list of names of the extract last seen, nil before the first name search
	// afterKeys, when set (by tests), runs in ByNameKeys once the names
	// under the keys are known, before the query of their first names.
	afterKeys func()
}

// Directory returns the lookups over the loaded directory.
func (db *DB) Directory() *Directory { return &Directory{db: db} }

// lineSelect lists the directory_line columns scanLine reads, prefixed by l.
const lineSelect = `l.rpps, l.last_name, l.first_name, l.profession_code, l.profession_label,
	l.finess_site, l.finess_juridique, l.site_name, l.mode_code, l.commune_code, l.role_code`

// blankLine is lineSelect's shape for the marker row that says a directory
// is loaded.
const blankLine = `'' AS rpps, '', '', '', '', '', '', '', '', '', ''`

// currentActivities selects the current directory extract, if any.
const currentActivities = `cur AS (SELECT id FROM extract WHERE kind = 'activities' ORDER BY id DESC LIMIT 1)`

// professionalsSQL returns a marker row (part 0) when a directory is loaded,
// then every line of the RPPS asked, by RPPS and file order. One statement,
// so the marker and the lines come from the same snapshot.
const professionalsSQL = `WITH ` + currentActivities + `
SELECT 0 AS part, 0::bigint AS line_no, ` + blankLine + ` FROM cur
UNION ALL
SELECT 1, l.line_no, ` + lineSelect + ` FROM directory_line l WHERE l.rpps = ANY($1::text[])
ORDER BY part, rpps, line_no`

// scannedLine is one row of the lookups.
type scannedLine struct {
	part   int
	keys   []string
	lineNo int64
	rpps   string
	last   string
	first  string
	code   string
	label  string
	act    rppsync.Activity
}

func (s *scannedLine) dest(withKeys bool) []any {
	d := []any{&s.part}
	if withKeys {
		d = append(d, &s.keys)
	}
	return append(d, &s.lineNo, &s.rpps, &s.last, &s.first, &s.code, &s.label,
		&s.act.FinessSite, &s.act.FinessJuridique, &s.act.SiteName, &s.act.ModeCode,
		&s.act.CommuneCode, &s.act.RoleCode)
}

// collectProfessionals groups the lines of a lookup, ordered by RPPS then
// file order, into one Professional per RPPS: names and profession from its
// first line, activities in file order. onPerson is called once per person
// with the keys of its first line. It returns ErrNoDirectory when the marker
// row is missing.
func collectProfessionals(rows pgx.Rows, withKeys bool, onPerson func(p *rppsync.Professional, keys []string)) error {
	defer rows.Close()
	var (
		s       scannedLine
		dest    = s.dest(withKeys)
		loaded  bool
		cur     *rppsync.Professional
		curKeys []string
	)
	flush := func() {
		if cur != nil {
			onPerson(cur, curKeys)
		}
	}
	for rows.Next() {
		s.keys = nil
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if s.part == 0 {
			loaded = true
			continue
		}
		if cur == nil || cur.RPPS != s.rpps {
			flush()
			cur = &rppsync.Professional{RPPS: s.rpps, LastName: s.last, FirstName: s.first,
				ProfessionCode: s.code, ProfessionLabel: s.label}
			curKeys = s.keys
		}
		cur.Activities = append(cur.Activities, s.act)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	flush()
	if !loaded {
		return ErrNoDirectory
	}
	return nil
}

// Professionals returns the directory entry of each RPPS asked that the
// directory holds, keyed by RPPS; absent numbers are absent from the map.
// It returns ErrNoDirectory when no directory is loaded.
func (d *Directory) Professionals(ctx context.Context, rpps []string) (out map[string]rppsync.Professional, err error) {
	err = d.db.op(ctx, "directory", d.db.cfg.Timeout, func(ctx context.Context) error {
		out, err = d.professionals(ctx, rpps)
		return err
	})
	return out, err
}

func (d *Directory) professionals(ctx context.Context, rpps []string) (map[string]rppsync.Professional, error) {
	rows, err := d.db.pool.Query(ctx, professionalsSQL, rpps)
	if err != nil {
		return nil, fmt.Errorf("directory professionals: %w", err)
	}
	out := make(map[string]rppsync.Professional, len(rpps))
	err = collectProfessionals(rows, false, func(p *rppsync.Professional, _ []string) { out[p.RPPS] = *p })
	if err != nil {
		return nil, fmt.Errorf("directory professionals: %w", err)
	}
	return out, nil
}

// juridiqueSitesSQL returns a marker row (part 0) when a directory is
// loaded, then, for each FINESS asked that is the legal entity of lines
// with a site and the site of none, its sites with the least of their
// names in byte order (COLLATE "C", as Go compares strings).
const juridiqueSitesSQL = `WITH ` + currentActivities + `
SELECT 0 AS part, '' AS juridique, '' AS site, '' AS name FROM cur
UNION ALL
SELECT 1, j.finess_juridique, j.finess_site, min(j.site_name COLLATE "C")
FROM directory_line j
WHERE j.finess_juridique = ANY($1::text[]) AND j.finess_site <> ''
  AND NOT EXISTS (SELECT 1 FROM directory_line s WHERE s.finess_site = j.finess_juridique)
GROUP BY j.finess_juridique, j.finess_site`

// JuridiqueSites returns, for each FINESS of finess that the directory
// knows as a legal entity's and never as a site, the sites of its lines
// (see matcher.Directory), in one query. It returns ErrNoDirectory when no
// directory is loaded.
func (d *Directory) JuridiqueSites(ctx context.Context, finess []string) (map[string][]rppsync.Site, error) {
	rows, err := d.db.pool.Query(ctx, juridiqueSitesSQL, finess)
	if err != nil {
		return nil, fmt.Errorf("directory juridique sites: %w", err)
	}
	defer rows.Close()
	out := map[string][]rppsync.Site{}
	loaded := false
	for rows.Next() {
		var (
			part            int
			jur, site, name string
		)
		if err := rows.Scan(&part, &jur, &site, &name); err != nil {
			return nil, fmt.Errorf("directory juridique sites: %w", err)
		}
		if part == 0 {
			loaded = true
			continue
		}
		out[jur] = append(out[jur], rppsync.Site{FINESS: site, Name: name})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("directory juridique sites: %w", err)
	}
	if !loaded {
		return nil, ErrNoDirectory
	}
	for _, sites := range out {
		slices.SortFunc(sites, func(a, b rppsync.Site) int { return strings.Compare(a.FINESS, b.FINESS) })
	}
	return out, nil
}

// The reader of the activity extract is an ActivitySource as it is.
var _ ActivitySource = (*directory.ActivityReader)(nil)

// ByNameKeys reads the candidates of a name search in one read-only
// REPEATABLE READ transaction, so that what it reads comes from one
// extract even when a load swaps the tables meanwhile:
//
//  1. nameListSQL: the current extract and, the first time a Directory
//     sees it, its list of folded last names (directory_name_list), kept
//     for the next searches; the names sharing a blocking key with the
//     search are found by testing the keys of each (nameList.hits), and
//     the search's last-name gate (matcher.NameSearch.KeepLast) keeps a
//     few of them;
//  2. namePairsSQL: the distinct first names of each name kept, of which
//     the full gate (matcher.NameSearch.Keep) keeps a few (last name,
//     first name) pairs;
//  3. nameLinesSQL: every line of the people having a line with a pair
//     kept.
//
// Common surnames are what this saves: MARTIN and its one-typo neighbours
// have tens of thousands of bearers, of whom only those with a first name
// close to one searched can become candidates. The second and third
// queries are lookups in the (last_name_folded, first_name, rpps) index,
// then in the rpps index, whatever the number of keys asked.

// lockDirectorySQL takes the read lock of the directory lines before the
// transaction's snapshot is taken (by its first SELECT), as loads take
// theirs (a swap drops directory_line and lists its names in the same
// transaction). A load meanwhile then either waits for the transaction to
// end or makes it wait until the new lines are committed, and the
// snapshot taken after the wait sees them with their list of names.
//
// It also gives the queries' hash and sort the memory of a few hundred
// thousand name pairs, for this transaction only.
const lockDirectorySQL = `SET LOCAL work_mem = '32MB'; LOCK TABLE directory_line IN ACCESS SHARE MODE`

// namePairsSQL returns the distinct first names of each folded name asked
// that has lines, one row per name: the common surnames among them have
// thousands of lines but a few hundred first names, and the rows of one
// name arrive as one array rather than one row per pair.
const namePairsSQL = `SELECT last_name_folded, array_agg(first_name)
FROM (SELECT DISTINCT last_name_folded, first_name FROM directory_line WHERE last_name_folded = ANY($1::text[])) d
GROUP BY last_name_folded`

// nameLinesSQL returns every line of the people having a line with one of
// the (last_name_folded, first_name) pairs asked, with its folded last
// name, once each, in no particular order. Every column is text but
// line_no, so that the rows can be read raw.
const nameLinesSQL = `WITH kp AS (SELECT * FROM unnest($1::text[], $2::text[]) AS kp(folded, first)),
hitp AS (SELECT DISTINCT h.rpps FROM kp
	JOIN directory_line h ON h.last_name_folded = kp.folded AND h.first_name = kp.first)
SELECT l.last_name_folded, l.line_no, ` + lineSelect + `
FROM hitp JOIN directory_line l ON l.rpps = hitp.rpps`

// nameLineColumns is the number of columns of nameLinesSQL: folded,
// line_no and the columns of lineSelect.
const nameLineColumns = 2 + 11

// ByNameKeys returns, for each blocking key of s (namekey.Keys,
// s.Keys()), the people indexed under it whose names s accepts, sorted by
// RPPS, each with all its activities in file order and the names and
// profession of its first line; keys with no one are absent from the map.
// A person is indexed under the keys of the folded last names of all its
// lines, and s accepts it when one of its lines has a folded last name and
// first name s.Keep accepts. It returns ErrNoDirectory when no directory
// is loaded. It calls s from the calling goroutine only.
//
// The call is three queries in one read-only REPEATABLE READ transaction
// (see lockDirectorySQL), and each directory line crosses the network once
// whatever the number of keys it is found under. A person listed under
// several keys is built once: every list holds a copy of the same
// rppsync.Professional value, so their Activities slices share one backing
// array, and the strings repeated across lines share their bytes. Callers
// must treat the activities as read-only (appending is safe: each slice is
// capped at its length). Each call builds its own values.
func (d *Directory) ByNameKeys(ctx context.Context, s *matcher.NameSearch) (out map[string][]rppsync.Professional, err error) {
	err = d.db.op(ctx, "directory", d.db.cfg.Timeout, func(ctx context.Context) error {
		out, err = d.byNameKeys(ctx, s)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("directory by name keys: %w", err)
	}
	return out, nil
}

func (d *Directory) byNameKeys(ctx context.Context, s *matcher.NameSearch) (map[string][]rppsync.Professional, error) {
	tx, err := d.db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer rollback(ctx, tx)
	if _, err := tx.Exec(ctx, lockDirectorySQL); err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	list, loaded, err := d.currentNames(ctx, tx)
	if err != nil {
		return nil, err
	}
	if !loaded {
		return nil, ErrNoDirectory
	}
	a := newNameKeyAnswer()
	list.hits(a, namekey.NewFilter(s.Keys()))
	if d.afterKeys != nil {
		d.afterKeys()
	}
	var names []string
	for f := range a.byFolded {
		if s.KeepLast(f) {
			names = append(names, f)
		}
	}
	if len(names) == 0 {
		return map[string][]rppsync.Professional{}, nil
	}
	rows, err := tx.Query(ctx, namePairsSQL, names)
	if err != nil {
		return nil, err
	}
	lasts, firsts, err := a.readPairs(rows, s)
	if err != nil {
		return nil, err
	}
	if len(lasts) == 0 {
		return map[string][]rppsync.Professional{}, nil
	}
	rows, err = tx.Query(ctx, nameLinesSQL, lasts, firsts)
	if err != nil {
		return nil, err
	}
	if err := a.readLines(rows); err != nil {
		return nil, err
	}
	return a.byKey(), nil
}

// runChunk is the number of lines the chunks of a nameKeyAnswer hold. The
// answer grows by chunks rather than by appending to one slice, which would
// copy a million activities several times over as it grows.
const runChunk = 8192

// keyRun is a run of consecutive lines of one person in a ByNameKeys
// answer. A person's lines normally come as one run; when they do not,
// the runs are merged at the end.
type keyRun struct {
	p       rppsync.Professional // names and profession of the run's first line; Activities set when the run ends
	lines   []int64              // line_no of each activity, in arrival order
	folded  string               // folded last name of the first line
	folded2 []string             // other folded last names of its lines, rare
}

// nameKeyAnswer gathers the rows of the queries of ByNameKeys.
type nameKeyAnswer struct {
	strs map[string]string // interned column values

	keys     []string           // the keys found, by index
	keyIndex map[string]int32   // key -> index in keys
	byFolded map[string][]int32 // folded name -> indexes of its keys

	runs    [][]keyRun         // chunks of runs, in arrival order
	run     *keyRun            // the current run, nil before the first line
	acts    []rppsync.Activity // current chunk of activities; the current run is its tail
	lines   []int64            // line numbers of acts
	runFrom int                // where the current run starts in acts and lines

	last [nameLineColumns]string // the columns of the line before, for col
}

func newNameKeyAnswer() *nameKeyAnswer {
	return &nameKeyAnswer{
		strs:     make(map[string]string),
		keyIndex: make(map[string]int32),
		byFolded: make(map[string][]int32),
	}
}

// errNameKeyRow is returned when a row of the queries of ByNameKeys does
// not have the shape the query gives it (a bug, not a data problem).
var errNameKeyRow = errors.New("unexpected row shape")

// str returns the bytes of b as a string shared with every equal value of
// the answer.
func (a *nameKeyAnswer) str(b []byte) string {
	if s, ok := a.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	a.strs[s] = s
	return s
}

// col returns str(v[j]), column j of a line, at no cost when it equals
// the same column of the line before (lines of one person come together).
func (a *nameKeyAnswer) col(v [][]byte, j int) string {
	if s := a.last[j]; s == string(v[j]) {
		return s
	}
	s := a.str(v[j])
	a.last[j] = s
	return s
}

// checkColumns closes rows and returns an error when they do not have n
// columns.
func checkColumns(rows pgx.Rows, n int) error {
	if fds := rows.FieldDescriptions(); len(fds) != n {
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return fmt.Errorf("%w: %d columns", errNameKeyRow, len(fds))
	}
	return nil
}

// addKey records that folded, a name of the directory, has key.
func (a *nameKeyAnswer) addKey(key, folded string) {
	i, ok := a.keyIndex[key]
	if !ok {
		i = int32(len(a.keys))
		a.keys = append(a.keys, key)
		a.keyIndex[key] = i
	}
	a.byFolded[folded] = append(a.byFolded[folded], i)
}

// readPairs consumes the rows of namePairsSQL and returns the (folded
// last name, first name) pairs s.Keep accepts as two parallel columns.
func (a *nameKeyAnswer) readPairs(rows pgx.Rows, s *matcher.NameSearch) (lasts, firsts []string, err error) {
	defer rows.Close()
	if err := checkColumns(rows, 2); err != nil {
		return nil, nil, err
	}
	var (
		folded []byte
		names  []string
	)
	for rows.Next() {
		names = names[:0]
		if err := rows.Scan(&folded, &names); err != nil {
			return nil, nil, err
		}
		last := a.str(folded)
		for _, first := range names {
			if s.Keep(last, first) {
				lasts, firsts = append(lasts, last), append(firsts, first)
			}
		}
	}
	return lasts, firsts, rows.Err()
}

// readLines consumes the rows of nameLinesSQL, raw: the text columns are
// the bytes of the value in both wire formats, and line_no is decoded by
// its format.
func (a *nameKeyAnswer) readLines(rows pgx.Rows) error {
	defer rows.Close()
	if err := checkColumns(rows, nameLineColumns); err != nil {
		return err
	}
	lineFormat := rows.FieldDescriptions()[1].Format
	for rows.Next() {
		v := rows.RawValues()
		if len(v) != nameLineColumns {
			return fmt.Errorf("%w: %d values", errNameKeyRow, len(v))
		}
		line, err := rawInt8(v[1], lineFormat)
		if err != nil {
			return err
		}
		a.addLine(v, line)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	a.endRun()
	return nil
}

// addLine records line v (nameLinesSQL's columns), numbered line.
func (a *nameKeyAnswer) addLine(v [][]byte, line int64) {
	folded := a.col(v, 0)
	if a.run == nil || a.run.p.RPPS != string(v[2]) {
		a.endRun()
		a.run = a.newRun()
		*a.run = keyRun{folded: folded, p: rppsync.Professional{RPPS: string(v[2]),
			LastName: a.col(v, 3), FirstName: a.col(v, 4), ProfessionCode: a.col(v, 5), ProfessionLabel: a.col(v, 6)}}
	} else if folded != a.run.folded && !slices.Contains(a.run.folded2, folded) {
		a.run.folded2 = append(a.run.folded2, folded)
	}
	if len(a.acts) == cap(a.acts) {
		// A new chunk, with the current run moved to its front so that
		// the run stays contiguous.
		n := len(a.acts) - a.runFrom
		acts := make([]rppsync.Activity, n, max(runChunk, 2*n))
		lines := make([]int64, n, cap(acts))
		copy(acts, a.acts[a.runFrom:])
		copy(lines, a.lines[a.runFrom:])
		a.acts, a.lines, a.runFrom = acts, lines, 0
	}
	a.acts = append(a.acts, rppsync.Activity{
		FinessSite: a.col(v, 7), FinessJuridique: a.col(v, 8), SiteName: a.col(v, 9),
		ModeCode: a.col(v, 10), CommuneCode: a.col(v, 11), RoleCode: a.col(v, 12),
	})
	a.lines = append(a.lines, line)
}

// newRun returns room for one more run.
func (a *nameKeyAnswer) newRun() *keyRun {
	if n := len(a.runs); n == 0 || len(a.runs[n-1]) == cap(a.runs[n-1]) {
		a.runs = append(a.runs, make([]keyRun, 0, runChunk))
	}
	c := &a.runs[len(a.runs)-1]
	*c = append(*c, keyRun{})
	return &(*c)[len(*c)-1]
}

// endRun gives the current run its activities, in file order.
func (a *nameKeyAnswer) endRun() {
	if a.run == nil {
		return
	}
	end := len(a.acts)
	a.run.p.Activities = a.acts[a.runFrom:end:end]
	a.run.lines = a.lines[a.runFrom:end:end]
	a.runFrom = end
	if !slices.IsSorted(a.run.lines) {
		sortByLine(a.run.p.Activities, a.run.lines)
	}
	a.run = nil
}

// rawInt8 decodes a bigint column in the given wire format.
func rawInt8(b []byte, format int16) (int64, error) {
	if format == pgx.BinaryFormatCode {
		if len(b) != 8 {
			return 0, fmt.Errorf("%w: line_no of %d bytes", errNameKeyRow, len(b))
		}
		return int64(binary.BigEndian.Uint64(b)), nil
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: line_no %q", errNameKeyRow, b)
	}
	return n, nil
}

// people returns one run per person, sorted by RPPS: the runs of a person
// whose lines did not come together are merged, in file order, with the
// names and profession of its first line.
func (a *nameKeyAnswer) people() []*keyRun {
	var out []*keyRun
	for c := range a.runs {
		for i := range a.runs[c] {
			out = append(out, &a.runs[c][i])
		}
	}
	slices.SortFunc(out, func(x, y *keyRun) int {
		return cmp.Or(strings.Compare(x.p.RPPS, y.p.RPPS), cmp.Compare(x.lines[0], y.lines[0]))
	})
	merged := out[:0]
	for _, r := range out {
		if n := len(merged); n > 0 && merged[n-1].p.RPPS == r.p.RPPS {
			mergeRun(merged[n-1], r)
			continue
		}
		merged = append(merged, r)
	}
	return merged
}

// mergeRun adds the lines of r, a later run of the same person, to into.
func mergeRun(into, r *keyRun) {
	n := len(into.lines) + len(r.lines)
	acts := append(append(make([]rppsync.Activity, 0, n), into.p.Activities...), r.p.Activities...)
	lines := append(append(make([]int64, 0, n), into.lines...), r.lines...)
	sortByLine(acts, lines)
	into.p.Activities, into.lines = acts, lines
	for _, f := range append([]string{r.folded}, r.folded2...) {
		if f != into.folded && !slices.Contains(into.folded2, f) {
			into.folded2 = append(into.folded2, f)
		}
	}
}

// byKey lays the answer out as ByNameKeys returns it.
func (a *nameKeyAnswer) byKey() map[string][]rppsync.Professional {
	people := a.people()
	// The keys of each person, then exact list sizes, then the lists.
	pkeys := make([][]int32, len(people))
	count := make([]int32, len(a.keys))
	for i, r := range people {
		pkeys[i] = a.personKeys(r)
		for _, k := range pkeys[i] {
			count[k]++
		}
	}
	lists := make([][]rppsync.Professional, len(a.keys))
	for k, n := range count {
		if n > 0 {
			lists[k] = make([]rppsync.Professional, 0, n)
		}
	}
	for i, r := range people {
		for _, k := range pkeys[i] {
			lists[k] = append(lists[k], r.p)
		}
	}
	out := make(map[string][]rppsync.Professional)
	for k, l := range lists {
		if len(l) > 0 {
			out[a.keys[k]] = l
		}
	}
	return out
}

// personKeys returns the indexes of the keys of r's folded names, each once.
func (a *nameKeyAnswer) personKeys(r *keyRun) []int32 {
	ks := a.byFolded[r.folded]
	if len(r.folded2) == 0 {
		return ks
	}
	ks = slices.Clone(ks)
	for _, f := range r.folded2 {
		ks = append(ks, a.byFolded[f]...)
	}
	slices.Sort(ks)
	return slices.Compact(ks)
}

// sortByLine sorts acts by their line numbers lines, in place, together.
func sortByLine(acts []rppsync.Activity, lines []int64) {
	idx := make([]int, len(acts))
	for j := range idx {
		idx[j] = j
	}
	slices.SortStableFunc(idx, func(x, y int) int { return cmp.Compare(lines[x], lines[y]) })
	sortedActs := make([]rppsync.Activity, len(acts))
	sortedLines := make([]int64, len(acts))
	for j, x := range idx {
		sortedActs[j], sortedLines[j] = acts[x], lines[x]
	}
	copy(acts, sortedActs)
	copy(lines, sortedLines)
}
