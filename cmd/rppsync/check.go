package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"sync"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/directory"
	"github.com/rppsync/rppsync/importer"
	"github.com/rppsync/rppsync/matcher"
	"github.com/rppsync/rppsync/matcher/insee"
	"github.com/rppsync/rppsync/report"
	"github.com/rppsync/rppsync/store"
)

// checkBatch is how many rows go to the matcher at once: one directory query
// per batch, never one per row.
const checkBatch = 5000

// memoryBatch is how many rows go to the matcher at once against the
// in-memory directory of check --directory, where a batch costs no query:
// smaller batches share the cores more evenly and hold less at once
// (measured on the full-size extract and 10k rows: the same time, and a
// peak memory 12-15 MB lower than with checkBatch; 625 was no better).
const memoryBatch = 1250

// checkMemoryLimit is the soft memory limit of a check against the
// database (see runCheck), unless GOGC or GOMEMLIMIT is set.
const checkMemoryLimit = 1 << 30

// wantedRun is how many rows at a time go to matcher.Wanted while the files
// are read for check --directory: short runs, so that little is left to do
// once the last row is read.
const wantedRun = 1000

// readFiles reads every file; a file that cannot be read is reported in its
// FileResult and the others go on. It returns the results (rows not yet
// judged) and, per file, its records.
//
// With onRecords, the records are handed to it as they are read, in runs
// of run records: those of file number file (named path) from start on.
func (m *Main) readFiles(ctx context.Context, paths []string, opts importer.Options,
	run int, onRecords func(file int, path string, start int, recs []rppsync.Record)) ([]rppsync.FileResult, [][]rppsync.Record, error) {
	results := make([]rppsync.FileResult, len(paths))
	records := make([][]rppsync.Record, len(paths))
	for i, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		results[i].Path = p
		if onRecords != nil {
			next := 0
			opts.OnRecords = func(recs []rppsync.Record) {
				onRecords(i, p, next, recs)
				next += len(recs)
			}
			opts.RecordsBatch = run
		}
		f, err := importer.ReadFile(ctx, p, opts)
		if err != nil {
			var fe *rppsync.FileError
			if !errors.As(err, &fe) {
				if ctx.Err() != nil {
					return nil, nil, ctx.Err()
				}
				fe = &rppsync.FileError{Code: importer.CodeFileUnreadable, Message: fmt.Sprintf("Le fichier %s n'a pas pu être lu (%v) : vérifiez-le et déposez-le à nouveau.", p, err)}
			}
			results[i].Error = fe
			if f != nil {
				results[i].Sheets = f.Sheets
			}
			fmt.Fprintf(m.Stderr, "rppsync: %s\n", fe.Message)
			m.log.Warn().Str("file", p).Str("code", fe.Code).Msg("file could not be read")
			continue
		}
		results[i].Sheets = f.Sheets
		results[i].Unmapped = f.Unmapped
		results[i].NIRColumns = f.NIRColumns
		results[i].Warnings = f.Warnings
		records[i] = f.Records
		m.log.Info().Str("file", p).Str("format", f.Format).Int("rows", len(f.Records)).
			Int("unmapped_columns", len(f.Unmapped)).Int("nir_columns", len(f.NIRColumns)).Msg("file read")
	}
	return results, records, nil
}

// batches checks runs of records concurrently, one per core at most, and
// lays each verdict at its record's place: a batch waits on the database
// for part of its time, and the matcher and both directories are safe for
// concurrent use. Runs may be added while the files are still being read.
type batches struct {
	ctx    context.Context
	cancel context.CancelFunc
	mt     *matcher.Matcher
	sem    chan struct{}
	wg     sync.WaitGroup
	mu     sync.Mutex
	err    error
	done   map[int][]checked // by file index
}

// checked are the verdicts of the records of a file from start on.
type checked struct {
	start int
	vs    []rppsync.Verdict
}

func newBatches(ctx context.Context, mt *matcher.Matcher) *batches {
	ctx, cancel := context.WithCancel(ctx)
	return &batches{ctx: ctx, cancel: cancel, mt: mt, sem: make(chan struct{}, runtime.GOMAXPROCS(0)), done: map[int][]checked{}}
}

// add checks recs, the records of file (named path) from start on, in the
// background; it waits while every core already checks a batch.
func (b *batches) add(file int, path string, start int, recs []rppsync.Record) {
	b.sem <- struct{}{}
	b.wg.Add(1)
	go func() {
		defer func() { <-b.sem; b.wg.Done() }()
		vs, err := b.mt.Check(b.ctx, recs)
		b.mu.Lock()
		defer b.mu.Unlock()
		if err != nil {
			if b.err == nil {
				b.err = fmt.Errorf("check %s: %w", path, err)
			}
			b.cancel()
			return
		}
		b.done[file] = append(b.done[file], checked{start, vs})
	}()
}

// wait waits for every batch and gives each file that could be read the
// verdicts of all its records, in their order.
func (b *batches) wait(results []rppsync.FileResult, records [][]rppsync.Record) error {
	b.wg.Wait()
	b.cancel()
	if b.err != nil {
		return b.err
	}
	for i := range results {
		if results[i].Error != nil {
			continue
		}
		results[i].Rows = make([]rppsync.Verdict, len(records[i]))
		n := 0
		for _, c := range b.done[i] {
			n += copy(results[i].Rows[c.start:], c.vs)
		}
		if n != len(records[i]) {
			return fmt.Errorf("check %s: %d verdicts for %d rows", results[i].Path, n, len(records[i]))
		}
	}
	return nil
}

// judge gives every record of files already read its verdict, in batches
// of at most batch records.
func judge(ctx context.Context, mt *matcher.Matcher, batch int, results []rppsync.FileResult, records [][]rppsync.Record) error {
	b := newBatches(ctx, mt)
	for i, recs := range records {
		for start := 0; start < len(recs); start += batch {
			b.add(i, results[i].Path, start, recs[start:min(start+batch, len(recs))])
		}
	}
	return b.wait(results, records)
}

// lazyPlaces resolves birth places with the embedded INSEE index, built on
// first use: a check can start on its first rows while it is built.
type lazyPlaces struct{}

func (lazyPlaces) ResolveBirthPlace(place, dept, country string, born rppsync.Date) (string, *rppsync.Issue) {
	return insee.Default().ResolveBirthPlace(place, dept, country, born)
}

// directoryFor returns the directory a check uses: the extract named by
// --directory, read once and filtered to what the records can match; else
// the one loaded in the database when --database-url is set; else none
// (rows are checked for format only). closeFn releases what it opened.
//
// want says which RPPS numbers and names the in-memory directory must keep
// (matcher.Wanted).
//
// finess, when not nil, gives the FINESS numbers the records carry, for the
// in-memory directory to recognise a legal entity's among them.
func (m *Main) directoryFor(ctx context.Context, cfg *config, want func() (rpps []string, names *matcher.NameSearch),
	finess func() []string) (dir matcher.Directory, closeFn func(), err error) {
	closeFn = func() {}
	if path := cfg.get("directory"); path != "" {
		rpps, names := want()
		var fin []string
		if finess != nil {
			fin = finess()
		}
		mem, stats, err := directory.LoadFilteredSites(ctx, path, rpps, names, fin)
		if err != nil {
			return nil, closeFn, fmt.Errorf("read the directory extract %s: %w (give the PS_LibreAcces zip or its Personne_activite .txt file)", path, err)
		}
		m.log.Info().Str("extract", path).Int("lines", stats.Lines).Int("kept", stats.Kept).Int("bad_lines", stats.Bad).Msg("directory extract read")
		return mem, closeFn, nil
	}
	if cfg.get("database-url") == "" {
		m.log.Info().Msg("no directory: rows are checked for format only (give --directory or DATABASE_URL)")
		return nil, closeFn, nil
	}
	// Two connections: while one batch waits on the database, the other
	// can. More would not help on a check's few batches, and each new
	// PostgreSQL server process pays, page by page, for each shared buffer
	// it touches first (measured on the 10k-row benchmark: one connection
	// 0.75 s, two 0.68 s, since the name search reads a list of names
	// rather than probing a 540 MB key table; with the key table, two were
	// slower than one).
	db, err := m.openDBConns(ctx, cfg, 2)
	if err != nil {
		return nil, closeFn, err
	}
	if _, err := db.DirectoryStatus(ctx); err != nil {
		db.Close()
		if errors.Is(err, store.ErrNoDirectory) {
			m.log.Warn().Msg("the database holds no directory yet: rows are checked for format only (run `rppsync directory load`)")
			return nil, func() {}, nil
		}
		return nil, closeFn, err
	}
	d := db.Directory()
	// The directory's list of names is read while the files are: the
	// first name search finds it there. A failure here is the search's
	// to report.
	go func() { _ = d.Prefetch(ctx) }()
	return d, db.Close, nil
}

func (m *Main) runCheck(ctx context.Context, args []string) error {
	var cfg config
	fs := m.flags("check", "check [--directory PATH] [--format table|json|xlsx|csv] [--out PATH] FILE...", &cfg,
		"database-url", "directory", "format", "out", "profile")
	if err := m.parse(fs, &cfg, args); err != nil {
		return err
	}
	paths, opts, err := m.agencyFiles(fs.Args(), &cfg)
	if err != nil {
		return err
	}
	out, closeOut, err := m.output(cfg.get("out"))
	if err != nil {
		return err
	}
	defer closeOut()
	format, err := report.ParseFormat(m.outputFormat(&cfg, out))
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if format == report.FormatXLSX && cfg.get("out") == "" && m.Terminal(out) {
		return fmt.Errorf("%w: --format xlsx writes a workbook: name it with --out rapport.xlsx", errUsage)
	}

	var results []rppsync.FileResult
	if cfg.get("directory") == "" {
		// Against the database (or no directory), rows are checked while
		// the files are still being read, and the birth-place index (about
		// 100 ms to build) is built meanwhile.
		go insee.Default()
		if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
			// A check is short and what it allocates (records, the
			// directory's answers, verdicts) mostly lives to its end: the
			// heap may triple rather than double between collections, up
			// to a soft limit of 1 GiB past which the collector works
			// harder (10k-row XLSX: 0.67 -> 0.62 s, peak 155 -> 185 MB;
			// 100k rows: 4.05 -> 3.77 s, 505 -> 664 MB).
			debug.SetGCPercent(200)
			debug.SetMemoryLimit(checkMemoryLimit)
		}
		dir, closeDir, err := m.directoryFor(ctx, &cfg, nil, nil)
		if err != nil {
			return err
		}
		defer closeDir()
		mt, err := matcher.New(matcher.Config{Directory: dir, Places: lazyPlaces{}})
		if err != nil {
			return err
		}
		b := newBatches(ctx, mt)
		res, records, err := m.readFiles(ctx, paths, opts, checkBatch, b.add)
		if err != nil {
			_ = b.wait(nil, nil) // let the batches end; the read error is the one to report
			return err
		}
		if err := b.wait(res, records); err != nil {
			return err
		}
		results = res
	} else {
		// An extract file is filtered to what the records can match: it
		// is read once they all are. What they can match (matcher.Wanted)
		// is computed on another goroutine while they are read.
		wanted := matcher.NewWanted(0, 0)
		runs := make(chan []rppsync.Record, 4)
		added := make(chan struct{})
		go func() {
			defer close(added)
			for recs := range runs {
				wanted.Add(recs)
			}
		}()
		res, records, err := m.readFiles(ctx, paths, opts, wantedRun, func(_ int, _ string, _ int, recs []rppsync.Record) { runs <- recs })
		close(runs)
		<-added
		if err != nil {
			return err
		}
		dir, closeDir, err := m.directoryFor(ctx, &cfg, wanted.Result, wanted.FINESS)
		if err != nil {
			return err
		}
		defer closeDir()
		if os.Getenv("GOGC") == "" {
			// The extract pass is over: what is left is a short matching
			// phase whose working set (birth-place index, candidates,
			// verdicts) dies at the end. Letting the heap double over it,
			// Go's default, only raises the peak memory of the run; collect
			// at half that growth.
			debug.SetGCPercent(50)
		}
		mt, err := matcher.New(matcher.Config{Directory: dir, Places: insee.Default()})
		if err != nil {
			return err
		}
		if err := judge(ctx, mt, memoryBatch, res, records); err != nil {
			return err
		}
		results = res
	}
	if err := report.Write(out, format, results, report.Options{Color: m.Terminal(out), Now: m.Now()}); err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	s := report.Summarise(results)
	m.log.Info().Int("files", s.Files).Int("file_errors", s.FileErrors).Int("rows", s.Rows).Int("matched", s.Matched).Msg("check finished")
	if s.FileErrors > 0 {
		return errFilesUnreadable
	}
	return nil
}

// agencyFiles checks that files were named and returns them with the
// reading options (--profile) that check and import share.
func (m *Main) agencyFiles(paths []string, cfg *config) ([]string, importer.Options, error) {
	opts := importer.Options{Now: m.Now()}
	if len(paths) == 0 {
		return nil, opts, fmt.Errorf("%w: name at least one agency file (.xlsx, .csv, .txt)", errUsage)
	}
	if p := cfg.get("profile"); p != "" {
		prof, err := importer.LoadProfile(p)
		if err != nil {
			return nil, opts, fmt.Errorf("%w: %v", errUsage, err)
		}
		opts.Profile = prof
	}
	return paths, opts, nil
}

// output opens --out, or returns standard output.
func (m *Main) output(path string) (io.Writer, func(), error) {
	if path == "" || path == "-" {
		return m.Stdout, func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, fmt.Errorf("create %s: %w", path, err)
	}
	return f, func() { _ = f.Close() }, nil
}

// openDB connects to --database-url and applies pending migrations.
func (m *Main) openDB(ctx context.Context, cfg *config) (*store.DB, error) {
	return m.openDBConns(ctx, cfg, 0)
}

// openDBConns is openDB with a pool of at most conns connections (0: the
// pool's default).
func (m *Main) openDBConns(ctx context.Context, cfg *config, conns int32) (*store.DB, error) {
	url := cfg.get("database-url")
	if url == "" {
		return nil, fmt.Errorf("%w: this command needs the database: set DATABASE_URL or --database-url (`make db` starts a local PostgreSQL)", errUsage)
	}
	db, err := store.Open(ctx, store.Config{URL: url, Logger: m.log, MaxConns: conns})
	if err != nil {
		return nil, err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if len(applied) > 0 {
		m.log.Info().Strs("migrations", applied).Msg("database migrated")
	}
	return db, nil
}
