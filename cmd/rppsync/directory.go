package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/directory"
	"github.com/rppsync/rppsync/store"
)

func (m *Main) runDirectory(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "load" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			args = []string{"load", "-h"}
		} else {
			return fmt.Errorf("%w: `rppsync directory load [--force] PATH...`", errUsage)
		}
	}
	var cfg config
	fs := m.flags("directory load", "directory load [--force] PATH...\n\nPATH is a PS_LibreAcces zip, a PS_LibreAcces_Personne_activite_*.txt, or a\nPorteurs_CPS_CPF_*.txt (or its zip). The date in the file name orders the extracts.", &cfg, "database-url")
	force := fs.Bool("force", false, "Load even when the extract is older than the one in the database.")
	if err := m.parse(fs, &cfg, args[1:]); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: name the extract to load", errUsage)
	}
	db, err := m.openDB(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, path := range fs.Args() {
		if err := m.loadExtract(ctx, db, path, *force); err != nil {
			return err
		}
	}
	return m.reconcile(ctx, db)
}

// reconcile closes the loop after a load: pending items the new directory
// fulfils are done, items whose contract ended expire.
func (m *Main) reconcile(ctx context.Context, db *store.DB) error {
	now := m.Now()
	rep, err := db.Reconcile(ctx, rppsync.DateOf(now), now)
	if err != nil {
		return fmt.Errorf("reconcile the queue with the new directory: %w (the directory is loaded; run the load again to retry)", err)
	}
	m.log.Info().Int("checked", rep.Checked).Int("done", rep.Done).Int("expired", rep.Expired).Int("created", rep.Created).Msg("queue reconciled")
	if rep.Checked > 0 {
		fmt.Fprintf(m.Stdout, "File d'attente : %d demandes en cours vérifiées, %d faites, %d expirées, %d créées.\n", rep.Checked, rep.Done, rep.Expired, rep.Created)
	}
	return nil
}

// isCardExtract tells a Porteurs_CPS_CPF extract from an activity extract by its name.
func isCardExtract(path string) bool {
	return strings.Contains(strings.ToLower(filepath.Base(path)), "porteurs_cps")
}

func (m *Main) loadExtract(ctx context.Context, db *store.DB, path string, force bool) error {
	cards := isCardExtract(path)
	open := directory.Open
	if cards {
		open = directory.OpenCards
	}
	ext, err := open(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer ext.Close()
	info := store.ExtractInfo{Name: ext.Name, Date: ext.Date}
	prog := m.newProgress(path, ext.Size)
	var rep *store.LoadReport
	var stats directory.Stats
	if cards {
		r, err := directory.NewCardReader(ext)
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		rep, err = db.LoadCards(ctx, info, r, store.LoadOptions{Force: force, Progress: func(int64) { prog.update(r.Stats()) }})
		stats = r.Stats()
		if err != nil {
			return fmt.Errorf("load %s: %w", path, err)
		}
	} else {
		r, err := directory.NewActivityReader(ext)
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		rep, err = db.LoadDirectory(ctx, info, r, store.LoadOptions{Force: force, Progress: func(int64) { prog.update(r.Stats()) }})
		stats = r.Stats()
		if err != nil {
			return fmt.Errorf("load %s: %w", path, err)
		}
	}
	prog.finish(stats)
	m.log.Info().Str("extract", ext.Name).Str("date", ext.Date.Format(time.DateOnly)).Bool("cards", cards).
		Int64("lines_stored", rep.Lines).Int("lines_read", stats.Lines).Int("adeli_lines", stats.ADELI).
		Int("bad_lines", stats.Bad).Int64("people", rep.People).Dur("took", rep.Timings.Total).Msg("extract loaded")
	for _, b := range stats.Samples {
		m.log.Warn().Str("extract", ext.Name).Int("line", b.Line).Str("reason", b.Reason).Msg("bad line skipped")
	}
	kind := "d'activités"
	if cards {
		kind = "de cartes"
	}
	fmt.Fprintf(m.Stdout, "%s : %d lignes %s chargées (%d lues, %d ADELI écartées, %d invalides), %d personnes, en %s.\n",
		ext.Name, rep.Lines, kind, stats.Lines, stats.ADELI, stats.Bad, rep.People, rep.Timings.Total.Round(time.Millisecond))
	if c := rep.Changes; rep.Previous != nil && !cards {
		fmt.Fprintf(m.Stdout, "Depuis %s : %d personnes ajoutées, %d retirées ; %d activités ajoutées, %d terminées.\n",
			rep.Previous.Name, c.PeopleAdded, c.PeopleRemoved, c.ActivitiesAdded, c.ActivitiesEnded)
		for _, f := range c.ByFINESS {
			fmt.Fprintf(m.Stdout, "  FINESS %s : +%d/-%d personnes, +%d/-%d activités\n", f.FINESS, f.PeopleAdded, f.PeopleRemoved, f.ActivitiesAdded, f.ActivitiesEnded)
		}
	}
	return nil
}

// progress draws a bar on a terminal and logs structured progress otherwise.
type progress struct {
	m       *Main
	name    string
	size    int64
	bar     *progressbar.ProgressBar
	lastLog time.Time
}

func (m *Main) newProgress(path string, size int64) *progress {
	p := &progress{m: m, name: filepath.Base(path), size: size, lastLog: m.Now()}
	if m.Terminal(m.Stderr) {
		p.bar = progressbar.NewOptions64(max(size, -1),
			progressbar.OptionSetWriter(m.Stderr),
			progressbar.OptionSetDescription(p.name),
			progressbar.OptionShowBytes(true),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	return p
}

func (p *progress) update(s directory.Stats) {
	if p.bar != nil {
		_ = p.bar.Set64(s.Bytes)
		p.bar.Describe(fmt.Sprintf("%s — %d lignes", p.name, s.Lines))
		return
	}
	if now := p.m.Now(); now.Sub(p.lastLog) >= 5*time.Second {
		p.lastLog = now
		ev := p.m.log.Info().Str("extract", p.name).Int("lines", s.Lines).Int64("bytes", s.Bytes)
		if p.size > 0 {
			ev = ev.Float64("percent", float64(s.Bytes)*100/float64(p.size))
		}
		ev.Msg("loading")
	}
}

func (p *progress) finish(directory.Stats) {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
