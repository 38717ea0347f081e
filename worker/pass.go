package worker

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/rs/zerolog"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/directory/fetch"
	"github.com/rppsync/rppsync/pipeline"
	"github.com/rppsync/rppsync/store"
)

// The outcomes of a file in a pass (FileSummary.Outcome).
const (
	FileDone      = "done"      // imported, moved to done/
	FileRejected  = "rejected"  // refused by the inbox or unreadable, moved to rejected/
	FileDuplicate = "duplicate" // its content was imported before: moved to done/ with a note
	FileFailed    = "failed"    // not imported this pass (an error, a shutdown): left in the inbox
)

// FileSummary is what a pass did with one inbox file.
type FileSummary struct {
	Path      string         `json:"path"` // relative to the inbox
	Agency    string         `json:"agency,omitempty"`
	SHA256    string         `json:"sha256,omitempty"`
	Outcome   string         `json:"outcome"`            // one of the File… constants
	MovedTo   string         `json:"moved_to,omitempty"` // relative to the inbox
	JobID     int64          `json:"job_id,omitempty"`
	FileID    int64          `json:"file_id,omitempty"`    // import_file.id
	ErrorCode string         `json:"error_code,omitempty"` // the file-level error or the failure's code
	Rows      map[string]int `json:"rows,omitempty"`       // rows by verdict status
}

// ExtractSummary is what a pass did with one national extract.
type ExtractSummary struct {
	Kind        fetch.Kind `json:"kind"`
	Name        string     `json:"name,omitempty"` // the member loaded
	NotModified bool       `json:"not_modified"`   // the server answered 304
	Loaded      bool       `json:"loaded"`
	ErrorCode   string     `json:"error_code,omitempty"`
}

// PassSummary is what a pass did.
type PassSummary struct {
	PassID       string           `json:"pass_id"`
	RunID        int64            `json:"run_id"`
	Replica      string           `json:"replica"`
	Trigger      string           `json:"trigger"`
	ScheduledFor time.Time        `json:"scheduled_for,omitzero"`
	StartedAt    time.Time        `json:"started_at"`
	FinishedAt   time.Time        `json:"finished_at"`
	Outcome      store.RunOutcome `json:"outcome"`
	ErrorCode    string           `json:"error_code,omitempty"`
	Extracts     []ExtractSummary `json:"extracts,omitempty"`
	Files        []FileSummary    `json:"files,omitempty"`
	// FilesPending counts files seen in the inbox but not stable yet.
	FilesPending int                    `json:"files_pending"`
	Rows         map[string]int         `json:"rows"`  // rows of the imported files by verdict status
	Items        map[string]int         `json:"items"` // work items created during the pass, by kind
	Messages     int                    `json:"messages"`
	Reconciled   *store.ReconcileReport `json:"reconciled,omitempty"`
	Purged       *store.PurgeReport     `json:"purged,omitempty"`
	Steps        map[string]int64       `json:"steps_ms"`
}

// Counts returns the figures of s as the pass history keeps them.
func (s *PassSummary) Counts() store.RunCounts {
	c := store.RunCounts{Files: len(s.Files), Rows: s.Rows, Items: s.Items, Messages: s.Messages, Steps: s.Steps}
	for _, f := range s.Files {
		switch f.Outcome {
		case FileDone, FileDuplicate:
			c.FilesDone++
		case FileRejected:
			c.FilesRejected++
		case FileFailed:
			c.FilesFailed++
		}
	}
	for _, e := range s.Extracts {
		if e.Loaded {
			c.Extracts++
		}
	}
	if r := s.Reconciled; r != nil {
		c.Reconciled = map[string]int{"done": r.Done, "expired": r.Expired, "created": r.Created}
	}
	if p := s.Purged; p != nil {
		c.Purged = map[string]int{"contracts": p.Contracts, "rows": p.Rows, "items": p.Items}
	}
	return c
}

// RunPass runs one pass now and records it: fetch and load the extracts
// that changed, import the ready inbox files, reconcile, notify, purge. A
// step that fails without stopping the pass (an extract, a file) makes it
// "partial", and RunPass returns the summary and nil. A failed reconcile,
// notification or purge ends the pass "failed" with an error wrapping
// ErrPassFailed; a cancelled ctx ends it "interrupted" with ErrInterrupted,
// the file being imported rolled back and left in the inbox. When the pass
// cannot even be recorded (the database does not answer), RunPass returns
// a nil summary and the error. Passes of one Worker never overlap.
func (w *Worker) RunPass(ctx context.Context) (*PassSummary, error) {
	return w.runPass(ctx, store.TriggerRun, time.Time{})
}

// pass is the state of one pass.
type pass struct {
	w        *Worker
	sum      *PassSummary
	client   *river.Client[pgx.Tx] // works the pass's jobs: Serve's, or the pass's own
	stopping chan struct{}         // Serve's shutdown, nil outside Serve
	log      zerolog.Logger
	partial  error // the first failure that did not stop the pass
}

func (w *Worker) runPass(ctx context.Context, trigger string, scheduledFor time.Time) (*PassSummary, error) {
	w.passMu.Lock()
	defer w.passMu.Unlock()
	started := w.clock.Now()
	sum := &PassSummary{PassID: newID(), Replica: w.cfg.Replica, Trigger: trigger, ScheduledFor: scheduledFor, StartedAt: started,
		Rows: map[string]int{}, Items: map[string]int{}, Steps: map[string]int64{}}
	p := &pass{w: w, sum: sum, log: w.log.With().Str("pass_id", sum.PassID).Logger()}
	runID, err := w.db.StartRun(ctx, store.RunStart{Replica: w.cfg.Replica, Trigger: trigger, ScheduledFor: scheduledFor, StartedAt: started})
	if err != nil {
		return nil, fmt.Errorf("record the pass: %w", err)
	}
	sum.RunID = runID
	p.log = p.log.With().Int64("run_id", runID).Logger()
	ev := p.log.Info().Str("trigger", trigger)
	if !scheduledFor.IsZero() {
		ev = ev.Time("scheduled_for", scheduledFor)
	}
	ev.Msg("pass started")

	err = p.steps(ctx)
	sum.FinishedAt = w.clock.Now()
	switch {
	case err != nil && (ctx.Err() != nil || errors.Is(err, errStopping)):
		sum.Outcome = store.RunInterrupted
		err = ErrInterrupted.About(sum.PassID, err)
	case err != nil:
		sum.Outcome = store.RunFailed
	case p.partial != nil:
		sum.Outcome = store.RunPartial
	default:
		sum.Outcome = store.RunOK
	}
	first := firstErr(err, p.partial)
	msg := ""
	if first != nil {
		sum.ErrorCode = errorCode(first)
		msg = first.Error()
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if ferr := w.db.FinishRun(fctx, runID, store.RunEnd{FinishedAt: sum.FinishedAt, Outcome: sum.Outcome,
		ErrorCode: sum.ErrorCode, ErrorMessage: msg, Counts: sum.Counts()}); ferr != nil {
		p.log.Error().Err(ferr).Msg("the pass could not be recorded")
		err = firstErr(err, ferr)
	}
	w.metrics.pass(sum)
	p.logSummary()
	return sum, err
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// fail records a failure that does not stop the pass.
func (p *pass) fail(step string, err error) {
	p.log.Error().Str("step", step).Str("code", errorCode(err)).Err(err).Msg("pass step failed, the pass goes on")
	if p.partial == nil {
		p.partial = fmt.Errorf("%s: %w", step, err)
	}
}

// timed runs a step and records its duration.
func (p *pass) timed(step string, fn func() error) error {
	t0 := time.Now()
	err := fn()
	p.sum.Steps[step] = time.Since(t0).Milliseconds()
	return err
}

func (p *pass) steps(ctx context.Context) error {
	w := p.w
	p.client, p.stopping = w.serving()
	if p.client == nil && (w.cfg.Inbox != nil || w.cfg.Notifier != nil) {
		// Outside Serve: a client of the pass's own works the inbox jobs
		// and the notifications, and stops at the end of the pass.
		c, stop, err := w.startPassClient(ctx)
		if err != nil {
			return ErrPassFailed.About("River", err)
		}
		defer stop()
		p.client = c
	}
	if w.cfg.Fetcher != nil {
		if err := p.timed("fetch", func() error { return p.refresh(ctx) }); err != nil {
			return err
		}
	}
	if w.cfg.Inbox != nil {
		if err := p.timed("inbox", func() error { return p.importInbox(ctx) }); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := p.timed("reconcile", func() error {
		rep, err := w.cfg.Pipeline.Reconcile(ctx, w.db)
		p.sum.Reconciled = rep
		return err
	})
	if err != nil {
		return ErrPassFailed.About("reconcile", err)
	}
	if err := p.timed("items", func() error {
		items, err := w.db.ItemsCreatedBetween(ctx, p.sum.StartedAt, w.clock.Now())
		p.sum.Items = items
		return err
	}); err != nil {
		p.fail("items", err)
	}
	if w.cfg.Notifier != nil {
		err := p.timed("notify", func() error {
			return w.db.InTx(ctx, func(tx *store.Tx) error {
				n, err := w.cfg.Notifier.Notify(ctx, tx, *p.sum)
				p.sum.Messages = n
				return err
			})
		})
		if err != nil {
			p.sum.Messages = 0
			return ErrPassFailed.About("notify", err)
		}
	}
	err = p.timed("purge", func() error {
		rep, _, err := w.cfg.Pipeline.Purge(ctx, w.db, w.cfg.Retention)
		p.sum.Purged = rep
		return err
	})
	if err != nil {
		return ErrPassFailed.About("purge", err)
	}
	return nil
}

// refresh fetches each extract and loads the ones that changed. A failed
// download or load keeps the directory in place; the pass goes on.
func (p *pass) refresh(ctx context.Context) error {
	w := p.w
	for _, kind := range w.cfg.FetchKinds {
		if err := ctx.Err(); err != nil {
			return err
		}
		es := ExtractSummary{Kind: kind}
		res, err := w.cfg.Fetcher.Fetch(ctx, kind)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			es.ErrorCode = errorCode(err)
			p.sum.Extracts = append(p.sum.Extracts, es)
			p.fail("fetch "+string(kind), err)
			continue
		}
		es.Name, es.NotModified = res.Member, res.NotModified
		load := res.Path != "" && !res.NotModified
		if res.NotModified && res.Path != "" {
			// A 304 loads nothing, unless the download was never loaded (a
			// pass that stopped between the two).
			loaded, err := p.loadedName(ctx, kind)
			if err != nil {
				p.fail("directory status", err)
			}
			load = err == nil && loaded != res.Member
		}
		if load {
			l, err := w.cfg.Pipeline.LoadExtract(ctx, w.db, res.Path, pipeline.LoadOptions{})
			switch {
			case err == nil:
				es.Loaded = true
				p.log.Info().Str("extract", l.Name).Bool("cards", l.Cards).Msg("extract loaded")
			case errors.Is(err, store.ErrOlderExtract):
				p.log.Warn().Str("extract", res.Member).Msg("the downloaded extract is older than the one loaded: kept as is")
			case ctx.Err() != nil:
				return err
			default:
				es.ErrorCode = errorCode(err)
				p.fail("load "+string(kind), err)
			}
		}
		p.sum.Extracts = append(p.sum.Extracts, es)
	}
	return nil
}

// loadedName returns the name of the extract of kind loaded in the
// database, "" when none.
func (p *pass) loadedName(ctx context.Context, kind fetch.Kind) (string, error) {
	st, err := p.w.db.DirectoryStatus(ctx)
	if errors.Is(err, store.ErrNoDirectory) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if kind == fetch.Cards {
		if st.CardExtract == nil {
			return "", nil
		}
		return st.CardExtract.Name, nil
	}
	return st.Name, nil
}

// errorCode is the stable code of a pass's failure: a download's
// ("fetch_" and fetch's code), an rppsync error's, "cancelled" for a
// shutdown, "internal" otherwise.
func errorCode(err error) string {
	var fe *fetch.Error
	if errors.As(err, &fe) {
		return "fetch_" + fe.Code
	}
	if c := rppsync.CodeOf(err); c != "" {
		return string(c)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return "cancelled"
	}
	return "internal"
}

func (p *pass) logSummary() {
	s := p.sum
	files := zerolog.Dict()
	c := s.Counts()
	files.Int("total", c.Files).Int("done", c.FilesDone).Int("rejected", c.FilesRejected).Int("failed", c.FilesFailed).Int("pending", s.FilesPending)
	rows, items := zerolog.Dict(), zerolog.Dict()
	for _, k := range slices.Sorted(maps.Keys(s.Rows)) {
		rows.Int(k, s.Rows[k])
	}
	for _, k := range slices.Sorted(maps.Keys(s.Items)) {
		items.Int(k, s.Items[k])
	}
	ev := p.log.Info()
	if s.Outcome != store.RunOK {
		ev = p.log.Warn().Str("code", s.ErrorCode)
	}
	ev.Str("outcome", string(s.Outcome)).Dict("files", files).Dict("rows", rows).Dict("items", items).
		Int("extracts_loaded", c.Extracts).Int("messages", s.Messages).Dur("took", s.FinishedAt.Sub(s.StartedAt)).Msg("pass finished")
}
