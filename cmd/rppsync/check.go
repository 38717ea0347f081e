package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/importer"
	"github.com/rppsync/rppsync/pipeline"
	"github.com/rppsync/rppsync/report"
	"github.com/rppsync/rppsync/store"
)

// checkMemoryLimit is the soft memory limit of a check against the
// database (see tuneGC), unless GOGC or GOMEMLIMIT is set.
const checkMemoryLimit = 1 << 30

// newPipeline returns the pipeline the commands run, with the logger, the
// clock and the --profile of cfg (when the command takes it).
func (m *Main) newPipeline(cfg *config, onPhase func(pipeline.Phase, pipeline.Source)) (*pipeline.Pipeline, error) {
	pc := pipeline.Config{Logger: &m.log, Now: m.Now, OnPhase: onPhase}
	if path := cfg.get("profile"); path != "" {
		prof, err := importer.LoadProfile(path)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		pc.Profile = prof
	}
	return pipeline.New(pc)
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

func (m *Main) runCheck(ctx context.Context, args []string) error {
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
	p, err := m.newPipeline(&cfg, m.tuneGC)
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
		return fmt.Errorf("write the report: %w", err)
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
		return nil, fmt.Errorf("%w: name at least one agency file (.xlsx, .csv, .txt)", errUsage)
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
