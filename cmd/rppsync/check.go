package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"github.com/rs/zerolog"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/importer"
	"github.com/rppsync/rppsync/notify"
	"github.com/rppsync/rppsync/pipeline"
	"github.com/rppsync/rppsync/report"
	"github.com/rppsync/rppsync/store"
)

// checkMemoryLimit is the soft memory limit of a check against the
// database (see tuneGC), unless GOGC or GOMEMLIMIT is set.
const checkMemoryLimit = 1 << 30

// newPipeline returns the pipeline the commands run, with the logger, the
// clock and the --profile of cfg (when the command takes it), and, with a
// database, the structures' names of its configuration.
func (m *Main) newPipeline(cfg *config, onPhase func(pipeline.Phase, pipeline.Source), db *store.DB) (*pipeline.Pipeline, error) {
	pc := pipeline.Config{Logger: &m.log, Now: m.Now, OnPhase: onPhase}
	if db != nil {
		pc.Structures = (&structureNames{db: db, now: m.Now}).Resolve
	}
	if path := cfg.get("profile"); path != "" {
		prof, err := importer.LoadProfile(path)
		if err != nil {
			return nil, usagef("%v", err)
		}
		pc.Profile = prof
	}
	return pipeline.New(pc)
}

// openPipeline opens the database (migrated) and the pipeline over it,
// with the structures' names of its configuration; the caller closes the
// database.
func (m *Main) openPipeline(ctx context.Context, cfg *config) (*pipeline.Pipeline, *store.DB, error) {
	db, err := m.openDB(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	p, err := m.newPipeline(cfg, nil, db)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return p, db, nil
}

// tuneGC is the command line's garbage-collector tuning of a check, a
// process-wide setting the pipeline never makes itself (a worker runs pass
// after pass in one process). It does nothing when GOGC or GOMEMLIMIT is
// set: they win.
//
//   - Against the database, from the start: a check is short and what it
//     allocates (records, the directory's answers, verdicts) mostly lives to
//     its end: the heap may triple rather than double between collections,
//     up to a soft limit of 1 GiB past which the collector works harder
//     (10k-row XLSX: 0.67 -> 0.62 s, peak 155 -> 185 MB; 100k rows: 4.05 ->
//     3.77 s, 505 -> 664 MB).
//   - Against an extract file, once it is read: what is left is a short
//     matching phase whose working set (birth-place index, candidates,
//     verdicts) dies at the end. Letting the heap double over it, Go's
//     default, only raises the peak memory of the run; collect at half that
//     growth.
func (m *Main) tuneGC(ph pipeline.Phase, src pipeline.Source) {
	if m.Getenv("GOGC") != "" {
		return
	}
	switch {
	case ph == pipeline.PhaseRead && src.Extract == "" && m.Getenv("GOMEMLIMIT") == "":
		debug.SetGCPercent(200)
		debug.SetMemoryLimit(checkMemoryLimit)
	case ph == pipeline.PhaseMatch && src.Extract != "":
		debug.SetGCPercent(50)
	}
}

func (m *Main) runCheck(ctx context.Context, args []string) (err error) {
	var cfg config
	fs := m.flags("check", "check [--directory PATH] [--format table|json|xlsx|csv] [--out PATH] FILE...", &cfg,
		"database-url", "directory", "format", "out", "profile")
	if err := m.parse(fs, &cfg, args); err != nil {
		return err
	}
	paths, err := m.agencyFiles(fs.Args())
	if err != nil {
		return err
	}
	out, done := m.output(cfg.get("out"))
	defer func() { err = finishOutput(done, err) }()
	name, err := m.outputFormat(&cfg, out, "table", "json", "csv", "xlsx")
	if err != nil {
		return err
	}
	format, err := report.ParseFormat(name)
	if err != nil {
		return usagef("%v", err)
	}
	if format == report.FormatXLSX && cfg.get("out") == "" && m.Terminal(out) {
		return usagef("--format xlsx écrit un classeur : nommez-le avec --out rapport.xlsx")
	}

	src := pipeline.Source{Extract: cfg.get("directory")}
	if src.Extract == "" && cfg.get("database-url") != "" {
		// Two connections: while one batch waits on the database, the
		// other can. More would not help on a check's few batches, and
		// each new PostgreSQL server process pays, page by page, for each
		// shared buffer it touches first (measured on the 10k-row
		// benchmark: one connection 0.75 s, two 0.68 s).
		db, err := m.openDBConns(ctx, &cfg, 2)
		if err != nil {
			return err
		}
		defer db.Close()
		src.DB = db
	}
	p, err := m.newPipeline(&cfg, m.tuneGC, src.DB)
	if err != nil {
		return err
	}
	checked, err := p.Check(ctx, paths, src)
	if err != nil {
		return err
	}
	results := checked.Files
	m.printFileErrors(results)
	if err := report.Write(out, format, results, report.Options{Color: m.Terminal(out), Now: m.Now()}); err != nil {
		return fmt.Errorf("écriture du rapport : %w", err)
	}
	s := report.Summarise(results)
	m.log.Info().Int("files", s.Files).Int("file_errors", s.FileErrors).Int("rows", s.Rows).Int("matched", s.Matched).Msg("check finished")
	if s.FileErrors > 0 {
		return errFilesUnreadable
	}
	return nil
}

// agencyFiles checks that files were named.
func (m *Main) agencyFiles(paths []string) ([]string, error) {
	if len(paths) == 0 {
		return nil, usagef("indiquez au moins un fichier d'agence (.xlsx, .csv, .txt)")
	}
	return paths, nil
}

// printFileErrors says on stderr, one sentence each, which files could not
// be read at all.
func (m *Main) printFileErrors(files []rppsync.FileResult) {
	for _, f := range files {
		if f.Error != nil {
			fmt.Fprintf(m.Stderr, "rppsync: %s\n", f.Error.Message)
		}
	}
}

// output returns where a command writes its result: standard output, or
// the file --out names, created on the first write only. done must be
// called once the command is over, with its error: a file the command
// created is removed when it failed, so that no empty or half-written
// report is left behind; on success, done returns the error of closing it.
func (m *Main) output(path string) (out io.Writer, done func(failed error) error) {
	if path == "" || path == "-" {
		return m.Stdout, func(error) error { return nil }
	}
	o := &lazyFile{path: path}
	return o, o.done
}

// finishOutput calls done with the command's error and returns the error
// the command ends with. A report listing files that could not be read is
// a result, kept like any other.
func finishOutput(done func(error) error, err error) error {
	failed := err
	if errors.Is(err, errFilesUnreadable) {
		failed = nil
	}
	if derr := done(failed); err == nil {
		return derr
	}
	return err
}

// lazyFile creates its file on the first Write.
type lazyFile struct {
	path string
	f    *os.File
	err  error
}

func (o *lazyFile) Write(b []byte) (int, error) {
	if o.f == nil && o.err == nil {
		if o.f, o.err = os.Create(o.path); o.err != nil {
			o.err = usagef("impossible d'écrire %s : %v", o.path, o.err)
		}
	}
	if o.err != nil {
		return 0, o.err
	}
	return o.f.Write(b)
}

func (o *lazyFile) done(failed error) error {
	if o.f == nil {
		return nil
	}
	err := o.f.Close()
	if failed != nil || err != nil {
		_ = os.Remove(o.path)
	}
	if err != nil && failed == nil {
		return fmt.Errorf("écriture de %s : %w", o.path, err)
	}
	return nil
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
		return nil, usagef("cette commande a besoin de la base de données : indiquez DATABASE_URL ou --database-url (« make db » démarre un PostgreSQL local)")
	}
	sc := store.Config{URL: url, Logger: m.log, MaxConns: conns}
	for _, d := range []struct {
		name string
		to   *time.Duration
	}{{"db-timeout", &sc.Timeout}, {"db-connect-timeout", &sc.ConnectTimeout}, {"db-lock-timeout", &sc.LockTimeout}, {"db-load-timeout", &sc.LoadTimeout}} {
		if v := cfg.get(d.name); v != "" {
			t, err := time.ParseDuration(v)
			if err != nil || t <= 0 {
				return nil, usagef("--%s %q : donnez une durée, par exemple 30s, 10m ou 1h", d.name, v)
			}
			*d.to = t
		}
	}
	db, err := store.Open(ctx, sc)
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
	// River's tables (notifications, inbox files, the scheduled pass) live
	// beside rppsync's: up to date in one query when nothing is to apply.
	river, err := notify.Migrate(ctx, db.Pool(), m.log.Level(max(m.log.GetLevel(), zerolog.WarnLevel)))
	if err != nil {
		db.Close()
		return nil, err
	}
	if len(river) > 0 {
		m.log.Info().Ints("river_migrations", river).Msg("job queue migrated")
	}
	return db, nil
}
