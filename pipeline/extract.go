package pipeline

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/directory"
	"github.com/rppsync/rppsync/store"
)

// ErrLoadFailed is returned by LoadExtract, about the extract's path, when
// the extract could not be loaded; the directory loaded before is still in
// place. Its cause says why.
var ErrLoadFailed = rppsync.NewError("load_failed", "the extract could not be loaded")

// LoadOptions tune LoadExtract.
type LoadOptions struct {
	// Force loads an extract older than the one in the database.
	Force bool
	// Progress, when set, is told the extract's size once it is open, then
	// the reading figures now and then.
	Progress Progress
}

// Progress follows the reading of an extract.
type Progress interface {
	// Start is called once the extract is open, with its size in bytes
	// (the text file's, inside a zip), or -1 when unknown.
	Start(size int64)
	// Update is called now and then with the figures read so far.
	Update(directory.Stats)
}

// Loaded is what LoadExtract did.
type Loaded struct {
	Name   string
	Date   time.Time
	Cards  bool // a Porteurs_CPS_CPF card extract, not an activity extract
	Report *store.LoadReport
	Stats  directory.Stats
}

// IsCardExtract tells a Porteurs_CPS_CPF extract from an activity extract
// by its name.
func IsCardExtract(path string) bool {
	return strings.Contains(strings.ToLower(filepath.Base(path)), "porteurs_cps")
}

// LoadExtract loads the national extract at path (a PS_LibreAcces zip or
// Personne_activite text file, or a Porteurs_CPS_CPF card extract) into db:
// readers see the previous directory until the new one is swapped in, and
// a failed load leaves it in place. It does not reconcile the queue: call
// Reconcile once every extract of the day is loaded.
func (p *Pipeline) LoadExtract(ctx context.Context, db *store.DB, path string, opts LoadOptions) (*Loaded, error) {
	cards := IsCardExtract(path)
	open := directory.Open
	if cards {
		open = directory.OpenCards
	}
	ext, err := open(path)
	if err != nil {
		return nil, ErrLoadFailed.About(path, err)
	}
	defer ext.Close()
	info := store.ExtractInfo{Name: ext.Name, Date: ext.Date}
	if opts.Progress != nil {
		opts.Progress.Start(ext.Size)
	}
	out := &Loaded{Name: ext.Name, Date: ext.Date, Cards: cards}
	if cards {
		r, err := directory.NewCardReader(ext)
		if err != nil {
			return nil, ErrLoadFailed.About(path, err)
		}
		out.Report, err = db.LoadCards(ctx, info, r, store.LoadOptions{Force: opts.Force, Progress: progress(opts, r.Stats)})
		out.Stats = r.Stats()
		if err != nil {
			return nil, ErrLoadFailed.About(path, err)
		}
	} else {
		r, err := directory.NewActivityReader(ext)
		if err != nil {
			return nil, ErrLoadFailed.About(path, err)
		}
		out.Report, err = db.LoadDirectory(ctx, info, r, store.LoadOptions{Force: opts.Force, Progress: progress(opts, r.Stats)})
		out.Stats = r.Stats()
		if err != nil {
			return nil, ErrLoadFailed.About(path, err)
		}
	}
	p.log.Info().Str("extract", ext.Name).Str("date", ext.Date.Format(time.DateOnly)).Bool("cards", cards).
		Int64("lines_stored", out.Report.Lines).Int("lines_read", out.Stats.Lines).Int("adeli_lines", out.Stats.ADELI).
		Int("bad_lines", out.Stats.Bad).Int64("people", out.Report.People).Dur("took", out.Report.Timings.Total).Msg("extract loaded")
	for _, b := range out.Stats.Samples {
		p.log.Warn().Str("extract", ext.Name).Int("line", b.Line).Str("reason", b.Reason).Msg("bad line skipped")
	}
	return out, nil
}

func progress(opts LoadOptions, stats func() directory.Stats) func(int64) {
	if opts.Progress == nil {
		return nil
	}
	return func(int64) { opts.Progress.Update(stats()) }
}
