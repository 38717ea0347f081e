package pipeline

import (
	"cmp"
	"fmt"
	"github.com/rppsync/rppsync"
	"time"

	"github.com/rs/zerolog"

	"github.com/rppsync/rppsync/importer"
	"github.com/rppsync/rppsync/store"
)

// Defaults of Config.
const (
	// DefaultCheckBatch is how many rows go to the matcher at once against
	// the database: one directory query per batch, never one per row.
	DefaultCheckBatch = 5000
	// DefaultMemoryBatch is how many rows go to the matcher at once against
	// the in-memory directory of an extract file, where a batch costs no
	// query: smaller batches share the cores more evenly and hold less at
	// once (measured on the full-size extract and 10k rows: the same time,
	// and a peak memory 12-15 MB lower than with DefaultCheckBatch; 625 was
	// no better).
	DefaultMemoryBatch = 1250
	// DefaultWantedRun is how many rows at a time go to matcher.Wanted
	// while the files are read for a check against an extract file: short
	// runs, so that little is left to do once the last row is read.
	DefaultWantedRun = 1000
)

// ErrInvalidConfig is returned by New when a Config cannot be used.
var ErrInvalidConfig = rppsync.NewError("pipeline_config_invalid", "invalid pipeline configuration")

// Phase names a point of a Check that Config.OnPhase is told of.
type Phase int

// The phases of a Check.
const (
	// PhaseRead: the files are being read (and, against the database,
	// their first rows judged meanwhile).
	PhaseRead Phase = iota + 1
	// PhaseMatch: every file and the extract are read; what is left is
	// matching, whose working set dies at the end of the check.
	PhaseMatch
)

// Config configures a Pipeline. The zero value of every field is its
// default.
type Config struct {
	// Logger receives the pipeline's logs (identifiers and counts, never
	// names); a "component" field is added. Default: no logs.
	Logger *zerolog.Logger
	// Now is the clock. Default: time.Now.
	Now func() time.Time
	// Profile maps the headings of an agency whose columns the built-in
	// synonyms do not know. Default: none.
	Profile *importer.Profile
	// CheckBatch, MemoryBatch and WantedRun size the batches (see the
	// Default constants).
	CheckBatch, MemoryBatch, WantedRun int
	// Structures, when set, gives the FINESS of a structure named as an
	// agency writes it (the structures' configuration), for rows with a
	// structure name and no FINESS.
	Structures func(name string) (finess string, ok bool)
	// OnPhase, when set, is called as a Check enters each phase, from the
	// goroutine that called Check. The command line tunes the garbage
	// collector there; the pipeline itself never does.
	OnPhase func(Phase, Source)
}

// Pipeline runs the steps of a pass. It is safe for concurrent use: each
// call has its own state.
type Pipeline struct {
	cfg Config
	log zerolog.Logger
}

// New returns a Pipeline, or an error wrapping ErrInvalidConfig.
func New(cfg Config) (*Pipeline, error) {
	if cfg.CheckBatch < 0 || cfg.MemoryBatch < 0 || cfg.WantedRun < 0 {
		return nil, fmt.Errorf("%w: negative batch size", ErrInvalidConfig)
	}
	cfg.CheckBatch = cmp.Or(cfg.CheckBatch, DefaultCheckBatch)
	cfg.MemoryBatch = cmp.Or(cfg.MemoryBatch, DefaultMemoryBatch)
	cfg.WantedRun = cmp.Or(cfg.WantedRun, DefaultWantedRun)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := zerolog.Nop()
	if cfg.Logger != nil {
		log = cfg.Logger.With().Str("component", "pipeline").Logger()
	}
	return &Pipeline{cfg: cfg, log: log}, nil
}

// Source says which national directory a step reads.
type Source struct {
	// Extract is the path of a national directory extract
	// (PS_LibreAcces_Personne_activite_*.txt or the PS_LibreAcces zip),
	// read once and filtered to what the files can match.
	Extract string
	// DB is the database whose loaded directory is read when Extract is
	// empty. With neither, rows are checked for format only.
	DB *store.DB
}

func (p *Pipeline) phase(ph Phase, src Source) {
	if p.cfg.OnPhase != nil {
		p.cfg.OnPhase(ph, src)
	}
}

func (p *Pipeline) readOptions() importer.Options {
	return importer.Options{Now: p.cfg.Now(), Profile: p.cfg.Profile, Structures: p.cfg.Structures}
}
