package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/rppsync/rppsync/directory"
	"github.com/rppsync/rppsync/pipeline"
	"github.com/rppsync/rppsync/store"
)

func (m *Main) runDirectory(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "fetch" {
		return m.directoryFetch(ctx, args[1:])
	}
	if len(args) == 0 || args[0] != "load" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			args = []string{"load", "-h"}
		} else {
			return usagef("utilisez « rppsync directory load [--force] FICHIER... »")
		}
	}
	var cfg config
	fs := m.flags("directory load", "directory load [--force] PATH...\n\nPATH is a PS_LibreAcces zip, a PS_LibreAcces_Personne_activite_*.txt, or a\nPorteurs_CPS_CPF_*.txt (or its zip). The date in the file name orders the extracts.", &cfg, "database-url")
	force := fs.Bool("force", false, "Load even when the extract is older than the one in the database.")
	if err := m.parse(fs, &cfg, args[1:]); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("indiquez l'extraction à charger")
	}
	p, db, err := m.openPipeline(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, path := range fs.Args() {
		if err := m.loadExtract(ctx, p, db, path, *force); err != nil {
			return err
		}
	}
	return m.reconcile(ctx, p, db)
}

// reconcile closes the loop after a load: pending items the new directory
// fulfils are done, items whose contract ended expire.
func (m *Main) reconcile(ctx context.Context, p *pipeline.Pipeline, db *store.DB) error {
	rep, err := p.Reconcile(ctx, db)
	if err != nil {
		return &humanError{msg: fmt.Sprintf("L'annuaire est chargé, mais la mise à jour de la file avec lui a échoué : %s Relancez le chargement pour la refaire.", describe(err)), err: err}
	}
	if rep.Checked > 0 {
		fmt.Fprintf(m.Stdout, "File d'attente : %d demandes en cours vérifiées, %d faites, %d expirées, %d créées.\n", rep.Checked, rep.Done, rep.Expired, rep.Created)
	}
	return nil
}

func (m *Main) loadExtract(ctx context.Context, p *pipeline.Pipeline, db *store.DB, path string, force bool) error {
	prog := &progress{m: m, name: filepath.Base(path), lastLog: m.Now()}
	l, err := p.LoadExtract(ctx, db, path, pipeline.LoadOptions{Force: force, Progress: prog})
	if err != nil {
		return err
	}
	prog.finish(l.Stats)
	rep, stats := l.Report, l.Stats
	kind := "d'activités"
	if l.Cards {
		kind = "de cartes"
	}
	fmt.Fprintf(m.Stdout, "%s : %d lignes %s chargées (%d lues, %d ADELI écartées, %d invalides), %d personnes, en %s.\n",
		l.Name, rep.Lines, kind, stats.Lines, stats.ADELI, stats.Bad, rep.People, rep.Timings.Total.Round(time.Millisecond))
	if c := rep.Changes; rep.Previous != nil && !l.Cards {
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

// Start draws the bar on a terminal.
func (p *progress) Start(size int64) {
	p.size = size
	if p.m.Terminal(p.m.Stderr) {
		p.bar = progressbar.NewOptions64(max(size, -1),
			progressbar.OptionSetWriter(p.m.Stderr),
			progressbar.OptionSetDescription(p.name),
			progressbar.OptionShowBytes(true),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
}

// Update moves the bar, or logs progress every 5 seconds.
func (p *progress) Update(s directory.Stats) {
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
