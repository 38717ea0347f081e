package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/directory"
	"github.com/rppsync/rppsync/matcher"
)

// ErrNoDirectory is returned by DirectoryStatus and by the Directory lookups
// when no national extract has been loaded into the database yet.
var ErrNoDirectory = errors.New("aucun annuaire national n'est chargé dans la base ; lancez « rppsync directory load » avec l'extraction PS_LibreAcces")

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
var lineColumns = []string{
	"rpps", "line_no", "national_id", "civility", "last_name", "first_name",
	"profession_code", "profession_label", "category_code", "mode_code",
	"siret_site", "finess_site", "finess_juridique", "structure_id",
	"site_name", "commune_code", "role_code", "last_name_folded",
}

// activitiesSpec is the directory_line table and the indexes its queries
// need: by RPPS (Professionals, changes, reconciliation), by folded name
// (ByNameKeys, through directory_name_key) and by FINESS site
// (reconciliation per structure); and the blocking keys of its names.
var activitiesSpec = tableSpec{
	kind:    "activities",
	live:    "directory_line",
	lock:    lockActivities,
	columns: lineColumns,
	indexes: []indexSpec{
		{"rpps_idx", "(rpps)"},
		{"last_name_folded_idx", "(last_name_folded)"},
		{"finess_site_idx", "(finess_site) WHERE finess_site <> ''"},
	},
	companions: []companionSpec{{
		live:    "directory_name_key",
		columns: []string{"key", "folded"},
		indexes: []indexSpec{{"key_idx", "(key)"}},
		rows:    func(main copyRows) pgx.CopyFromSource { return newKeyRows(main.(*lineRows).folded) },
	}},
	changes: true,
}

// foldCacheSize bounds the cache of folded last names of a load.
const foldCacheSize = 100_000

// lineRows adapts an ActivitySource to pgx.CopyFromSource, keeping only
// RPPS lines (identifier type 8) and adding the folded last name. Folding
// costs more than encoding the whole line and names repeat (one line per
// activity, common surnames), so folds are cached. It gathers the distinct
// folded names for directory_name_key.
type lineRows struct {
	src      ActivitySource
	progress func(int64)
	vals     []any
	read     int64
	loaded   int64
	skipped  int64
	folds    map[string]string   // last name as read -> matcher.Fold, bounded
	folded   map[string]struct{} // distinct folded names
}

func newLineRows(src ActivitySource, progress func(int64)) *lineRows {
	return &lineRows{src: src, progress: progress, folds: make(map[string]string), folded: make(map[string]struct{})}
}

// fold returns matcher.Fold(last), from the cache when it was seen recently.
func (r *lineRows) fold(last string) string {
	if f, ok := r.folds[last]; ok {
		return f
	}
	f := matcher.Fold(last)
	if len(r.folds) >= foldCacheSize {
		clear(r.folds)
	}
	r.folds[last] = f
	r.folded[f] = struct{}{}
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
		r.vals = append(r.vals[:0],
			cleanText(l.ID), r.read, cleanText(l.NationalID), cleanText(l.Civility),
			last, cleanText(l.FirstName), cleanText(l.ProfessionCode), cleanText(l.ProfessionLabel),
			cleanText(l.CategoryCode), cleanText(l.ModeCode), cleanText(l.SIRETSite),
			cleanText(l.FinessSite), cleanText(l.FinessJuridique), cleanText(l.StructureID),
			cleanText(l.SiteName), cleanText(l.CommuneCode), cleanText(l.RoleCode),
			r.fold(last))
		r.loaded++
		return true
	}
	return false
}

func (r *lineRows) Values() ([]any, error) { return r.vals, nil }

func (r *lineRows) Err() error {
	if err := r.src.Err(); err != nil {
		return fmt.Errorf("read extract line %d: %w", r.read+1, err)
	}
	return nil
}

func (r *lineRows) counts() (int64, int64, int64) { return r.read, r.loaded, r.skipped }

// LoadDirectory replaces the national directory in the database with the
// lines of src, an extract named by ext. Only RPPS lines (identifier type 8)
// are kept. The lines are streamed with COPY into a staging table created in
// the load's transaction, indexed, compared with the previous directory (the
// changes are stored in directory_change and summarised in the report), and
// swapped in by the same transaction: readers see the previous directory
// until the commit, and a failure or crash at any point leaves it in place.
// Loads of the same schema are serialised. An extract dated before the
// current one is refused with ErrOlderExtract unless opts.Force.
func (db *DB) LoadDirectory(ctx context.Context, ext ExtractInfo, src ActivitySource, opts LoadOptions) (*LoadReport, error) {
	return db.load(ctx, activitiesSpec, ext, newLineRows(src, opts.Progress), opts)
}

// DirectoryStatus describes the directory currently loaded.
type DirectoryStatus struct {
	ExtractID  int64
	Name       string
	Date       time.Time // the extract's date (midnight UTC)
	LoadedAt   time.Time
	Activities int64 // lines (professional × practice situation)
	People     int64 // distinct RPPS
	// CardExtract is the card extract loaded, nil when none is.
	CardExtract *ExtractInfo
	Cards       int64 // card lines, 0 when no card extract is loaded
}

// DirectoryStatus returns the extract currently loaded and its counts, or
// ErrNoDirectory when no directory extract was ever loaded.
func (db *DB) DirectoryStatus(ctx context.Context) (*DirectoryStatus, error) {
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
// lookup is one query, whatever the number of identifiers or keys asked.
type Directory struct {
	db *DB
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

// byNameKeysSQL is professionalsSQL for the people with a line indexed
// under one of the keys asked, each line carrying the keys it matched.
const byNameKeysSQL = `WITH ` + currentActivities + `,
hit AS (
	SELECT h.rpps, array_agg(DISTINCT k.key ORDER BY k.key) AS keys
	FROM directory_name_key k JOIN directory_line h ON h.last_name_folded = k.folded
	WHERE k.key = ANY($1::text[])
	GROUP BY h.rpps)
SELECT 0 AS part, '{}'::text[] AS keys, 0::bigint AS line_no, ` + blankLine + ` FROM cur
UNION ALL
SELECT 1, hit.keys, l.line_no, ` + lineSelect + ` FROM hit JOIN directory_line l ON l.rpps = hit.rpps
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
func (d *Directory) Professionals(ctx context.Context, rpps []string) (map[string]rppsync.Professional, error) {
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

// ByNameKeys returns, for each blocking key asked (matcher.NameKeys), the
// people having a line whose folded last name has that key, sorted by RPPS; keys with no one
// are absent from the map. It returns ErrNoDirectory when no directory is
// loaded.
func (d *Directory) ByNameKeys(ctx context.Context, keys []string) (map[string][]rppsync.Professional, error) {
	rows, err := d.db.pool.Query(ctx, byNameKeysSQL, keys)
	if err != nil {
		return nil, fmt.Errorf("directory by name keys: %w", err)
	}
	out := make(map[string][]rppsync.Professional)
	err = collectProfessionals(rows, true, func(p *rppsync.Professional, ks []string) {
		for _, k := range ks {
			out[k] = append(out[k], *p)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("directory by name keys: %w", err)
	}
	return out, nil
}

// The reader of the activity extract is an ActivitySource as it is.
var _ ActivitySource = (*directory.ActivityReader)(nil)
