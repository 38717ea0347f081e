package pipeline

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/directory"
	"github.com/rppsync/rppsync/importer"
	"github.com/rppsync/rppsync/matcher"
	"github.com/rppsync/rppsync/matcher/insee"
	"github.com/rppsync/rppsync/store"
)

// Checked is what Check found: per file, its result (rows judged, or a
// file-level error) and its records as read.
type Checked struct {
	Files   []rppsync.FileResult
	Records [][]rppsync.Record
	// SHA256 is, per file, the hex SHA-256 of the very bytes read (""
	// when nothing could be read: a missing file, a FIFO).
	SHA256 []string
	// Directory says which directory judged the rows: DirectoryExtract,
	// DirectoryDatabase or DirectoryNone.
	Directory DirectoryKind
	// Extract is the extract file's reading figures, with DirectoryExtract.
	Extract *directory.Stats
}

// DirectoryKind says which directory a check read.
type DirectoryKind string

// The directories a check reads.
const (
	DirectoryExtract  DirectoryKind = "extract"
	DirectoryDatabase DirectoryKind = "database"
	DirectoryNone     DirectoryKind = "none"
)

// Unreadable returns how many files could not be read at all.
func (c *Checked) Unreadable() int {
	n := 0
	for _, f := range c.Files {
		if f.Error != nil {
			n++
		}
	}
	return n
}

// Check reads every file and gives every row its verdict against the
// directory src names. A file that cannot be read gets a file-level error
// in its FileResult and the others go on; an error is returned only when
// the check itself cannot go on (the directory cannot be read, ctx ends).
//
// Against the database (or no directory), rows are judged while the files
// are still being read. Against an extract file, the extract is read once
// the files are, keeping only what their rows can match.
func (p *Pipeline) Check(ctx context.Context, paths []string, src Source) (*Checked, error) {
	p.phase(PhaseRead, src)
	if src.Extract != "" {
		return p.checkExtract(ctx, paths, src.Extract)
	}
	// The birth-place index takes about 100 ms to build: a check can start
	// on its first rows while it is built.
	go insee.Default()
	dir, kind, err := p.databaseDirectory(ctx, src.DB)
	if err != nil {
		return nil, err
	}
	mt, err := matcher.New(matcher.Config{Directory: dir, Places: lazyPlaces{}})
	if err != nil {
		return nil, err
	}
	b := newBatches(ctx, mt)
	files, records, sums, err := p.readFiles(ctx, paths, p.cfg.CheckBatch, b.add)
	if err != nil {
		_ = b.wait(nil, nil) // let the batches end; the read error is the one to report
		return nil, err
	}
	p.phase(PhaseMatch, Source{DB: src.DB})
	if err := b.wait(files, records); err != nil {
		return nil, err
	}
	return &Checked{Files: files, Records: records, SHA256: sums, Directory: kind}, nil
}

func (p *Pipeline) checkExtract(ctx context.Context, paths []string, extract string) (*Checked, error) {
	// What the records can match (matcher.Wanted) is computed on another
	// goroutine while they are read.
	wanted := matcher.NewWanted(0, 0)
	runs := make(chan []rppsync.Record, 4)
	added := make(chan struct{})
	go func() {
		defer close(added)
		for recs := range runs {
			wanted.Add(recs)
		}
	}()
	files, records, sums, err := p.readFiles(ctx, paths, p.cfg.WantedRun, func(_ int, _ string, _ int, recs []rppsync.Record) { runs <- recs })
	close(runs)
	<-added
	if err != nil {
		return nil, err
	}
	rpps, names := wanted.Result()
	mem, stats, err := p.readExtract(ctx, extract, rpps, names, wanted.FINESS())
	if err != nil {
		return nil, err
	}
	p.phase(PhaseMatch, Source{Extract: extract})
	mt, err := matcher.New(matcher.Config{Directory: mem, Places: insee.Default()})
	if err != nil {
		return nil, err
	}
	if err := judge(ctx, mt, p.cfg.MemoryBatch, files, records); err != nil {
		return nil, err
	}
	return &Checked{Files: files, Records: records, SHA256: sums, Directory: DirectoryExtract, Extract: &stats}, nil
}

// ErrExtractUnreadable is returned (wrapped) when an extract file given as
// the directory cannot be read.
var ErrExtractUnreadable = rppsync.NewError("extract_unreadable", "the directory extract cannot be read")

// readExtract reads the extract at path, keeping the people with these
// RPPS numbers and those names can match, and the sites of the legal
// entities among finess (a FINESS juridique given where a site is
// expected).
func (p *Pipeline) readExtract(ctx context.Context, path string, rpps []string, names *matcher.NameSearch, finess []string) (*directory.Memory, directory.Stats, error) {
	mem, stats, err := directory.LoadFilteredSites(ctx, path, rpps, names, finess)
	if err != nil {
		return nil, stats, ErrExtractUnreadable.About(path, err)
	}
	p.log.Info().Str("extract", path).Int("lines", stats.Lines).Int("kept", stats.Kept).Int("bad_lines", stats.Bad).Msg("directory extract read")
	return mem, stats, nil
}

// Directory returns the directory src names for looking up the RPPS
// numbers rpps (and nobody else, with an extract file), or nil with
// DirectoryNone when src names none or the database holds none.
func (p *Pipeline) Directory(ctx context.Context, src Source, rpps []string) (matcher.Directory, DirectoryKind, error) {
	if src.Extract != "" {
		mem, _, err := p.readExtract(ctx, src.Extract, rpps, nil, nil)
		if err != nil {
			return nil, "", err
		}
		return mem, DirectoryExtract, nil
	}
	return p.databaseDirectory(ctx, src.DB)
}

// databaseDirectory returns db's directory, or nil when db is nil or holds
// no directory yet (rows are then checked for format only).
func (p *Pipeline) databaseDirectory(ctx context.Context, db *store.DB) (matcher.Directory, DirectoryKind, error) {
	if db == nil {
		p.log.Info().Msg("no directory: rows are checked for format only")
		return nil, DirectoryNone, nil
	}
	if _, err := db.DirectoryStatus(ctx); err != nil {
		if errors.Is(err, store.ErrNoDirectory) {
			p.log.Warn().Msg("the database holds no directory yet: rows are checked for format only")
			return nil, DirectoryNone, nil
		}
		return nil, "", err
	}
	d := db.Directory()
	// The directory's list of names is read while the files are: the
	// first name search finds it there. A failure here is the search's to
	// report.
	go func() { _ = d.Prefetch(ctx) }()
	return d, DirectoryDatabase, nil
}

// lazyPlaces resolves birth places with the embedded INSEE index, built on
// first use: a check can start on its first rows while it is built.
type lazyPlaces struct{}

func (lazyPlaces) ResolveBirthPlace(place, dept, country string, born rppsync.Date) (string, *rppsync.Issue) {
	return insee.Default().ResolveBirthPlace(place, dept, country, born)
}

func (lazyPlaces) BirthPlace(place, dept, country string, born rppsync.Date) (rppsync.BirthPlace, *rppsync.Issue) {
	return insee.Default().BirthPlace(place, dept, country, born)
}

// readFiles reads every file; a file that cannot be read is reported in its
// FileResult and the others go on. It returns the results (rows not yet
// judged) and, per file, its records and the SHA-256 of the bytes read.
//
// With onRecords, the records are handed to it as they are read, in runs
// of run records: those of file number file (named path) from start on.
func (p *Pipeline) readFiles(ctx context.Context, paths []string, run int,
	onRecords func(file int, path string, start int, recs []rppsync.Record)) ([]rppsync.FileResult, [][]rppsync.Record, []string, error) {
	opts := p.readOptions()
	results := make([]rppsync.FileResult, len(paths))
	records := make([][]rppsync.Record, len(paths))
	sums := make([]string, len(paths))
	for i, path := range paths {
		if err := ctx.Err(); err != nil {
			return nil, nil, nil, err
		}
		results[i].Path = path
		if onRecords != nil {
			next := 0
			opts.OnRecords = func(recs []rppsync.Record) {
				onRecords(i, path, next, recs)
				next += len(recs)
			}
			opts.RecordsBatch = run
		}
		f, err := importer.ReadFile(ctx, path, opts)
		if f != nil {
			sums[i] = f.SHA256
		}
		if err != nil {
			var fe *rppsync.FileError
			if !errors.As(err, &fe) {
				if ctx.Err() != nil {
					return nil, nil, nil, ctx.Err()
				}
				fe = &rppsync.FileError{Code: importer.CodeFileUnreadable, Message: fmt.Sprintf("Le fichier %s n'a pas pu être lu (%v) : vérifiez-le et déposez-le à nouveau.", path, err)}
			}
			results[i].Error = fe
			if f != nil {
				results[i].Sheets = f.Sheets
			}
			p.log.Warn().Str("file", path).Str("code", fe.Code).Msg("file could not be read")
			continue
		}
		results[i].Sheets = f.Sheets
		results[i].Unmapped = f.Unmapped
		results[i].NIRColumns = f.NIRColumns
		results[i].Warnings = f.Warnings
		records[i] = f.Records
		p.log.Info().Str("file", path).Str("format", f.Format).Int("rows", len(f.Records)).Bool("slow_path", f.SlowPath).
			Int("unmapped_columns", len(f.Unmapped)).Int("nir_columns", len(f.NIRColumns)).Msg("file read")
	}
	return results, records, sums, nil
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
