package worker

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/inbox"
	"github.com/rppsync/rppsync/pipeline"
	"github.com/rppsync/rppsync/report"
	"github.com/rppsync/rppsync/scheduler"
)

// Names of the reports written beside a moved file.
const (
	ReportName    = "rapport.xlsx" // the check report of an imported or unreadable file
	RefusalName   = "motif.txt"    // why the inbox refused an entry
	DuplicateName = "doublon.txt"  // the note beside a copy of a file imported before
)

// droppedBy is recorded as who dropped the inbox's files.
const droppedBy = "inbox"

// tracked is an inbox file whose job a pass waits for.
type tracked struct {
	file  inbox.File
	jobID int64
}

// scanned is what one look at the inbox did.
type scanned struct {
	jobs    []tracked
	files   []FileSummary // refused and duplicate entries, already moved
	pending int
}

// scanInbox recovers stale claims, scans the inbox, moves the refused
// entries and the copies of content imported before, and inserts a job for
// every other ready file (River keeps one job per SHA-256). It returns the
// jobs to wait for.
func (w *Worker) scanInbox(ctx context.Context, client *river.Client[pgx.Tx], log zerolog.Logger) (scanned, error) {
	var out scanned
	in := w.cfg.Inbox
	if back, err := in.Recover(ctx, 0); err != nil {
		log.Warn().Err(err).Msg("inbox claims not recovered")
	} else if len(back) > 0 {
		log.Warn().Strs("files", back).Msg("files of an interrupted move put back in the inbox")
	}
	res, err := in.Scan(ctx)
	if err != nil {
		return out, fmt.Errorf("scan the inbox: %w", err)
	}
	out.pending = res.Pending
	for _, r := range res.Refused {
		dest, err := in.Reject(ctx, r, inbox.Report{Name: RefusalName, Data: []byte(r.Reason + "\n")})
		switch {
		case errors.Is(err, inbox.ErrAlreadyFinished):
			continue
		case err != nil:
			return out, fmt.Errorf("reject %s: %w", r.Path, err)
		}
		log.Warn().Str("file", r.Path).Str("code", r.Code).Str("moved_to", dest).Msg("inbox entry refused")
		w.metrics.file(FileRejected)
		out.files = append(out.files, FileSummary{Path: r.Path, Agency: r.Agency, Outcome: FileRejected, MovedTo: dest, ErrorCode: r.Code})
	}
	if len(res.Ready) == 0 {
		return out, nil
	}
	params := make([]river.InsertManyParams, len(res.Ready))
	for i, f := range res.Ready {
		params[i] = river.InsertManyParams{Args: scheduler.InboxFileArgs{SHA256: f.SHA256, Path: f.Path, Agency: f.Agency}}
	}
	inserted, err := client.InsertMany(ctx, params)
	if err != nil {
		return out, fmt.Errorf("insert the inbox jobs: %w", err)
	}
	for i, r := range inserted {
		f := res.Ready[i]
		flog := log.With().Str("file", f.Path).Str("sha256", f.SHA256).Int64("job_id", r.Job.ID).Logger()
		if !r.UniqueSkippedAsDuplicate {
			flog.Info().Msg("inbox file queued")
			out.jobs = append(out.jobs, tracked{file: f, jobID: r.Job.ID})
			continue
		}
		switch r.Job.State {
		case rivertype.JobStateCompleted:
			// That content was imported: this is a copy, dropped again or
			// under another name.
			fs, err := w.moveDuplicate(ctx, f, r.Job)
			if err != nil {
				return out, err
			}
			if fs != nil {
				flog.Info().Str("moved_to", fs.MovedTo).Msg("copy of a file imported before moved to done")
				w.metrics.file(FileDuplicate)
				out.files = append(out.files, *fs)
			}
		case rivertype.JobStateRetryable:
			// An earlier attempt failed (or was cut by a shutdown): try it
			// now rather than after River's backoff.
			if _, err := client.JobRetry(ctx, r.Job.ID); err != nil {
				return out, fmt.Errorf("retry job %d: %w", r.Job.ID, err)
			}
			flog.Info().Msg("inbox file's job retried now")
			out.jobs = append(out.jobs, tracked{file: f, jobID: r.Job.ID})
		default: // available, scheduled, running: another pass or replica has it
			out.jobs = append(out.jobs, tracked{file: f, jobID: r.Job.ID})
		}
	}
	return out, nil
}

// moveDuplicate moves a copy of content handled before next to where the
// first went (done/, or rejected/ when it could not be read), with a note;
// nil when another process moved it first.
func (w *Worker) moveDuplicate(ctx context.Context, f inbox.File, job *rivertype.JobRow) (*FileSummary, error) {
	var (
		first scheduler.InboxFileArgs
		out   FileSummary
	)
	_ = json.Unmarshal(job.EncodedArgs, &first)
	_ = json.Unmarshal(job.Output(), &out)
	when := job.CreatedAt
	if job.FinalizedAt != nil {
		when = *job.FinalizedAt
	}
	outcome, what := inbox.Done, "importé"
	if out.Outcome == FileRejected {
		outcome, what = inbox.Rejected, "refusé"
	}
	note := fmt.Sprintf("Ce fichier a le même contenu que « %s », déjà %s le %s : il n'a pas été traité une seconde fois.\n",
		first.Path, what, when.In(paris).Format("02/01/2006 à 15:04"))
	dest, err := w.cfg.Inbox.Finish(ctx, f, outcome, inbox.Report{Name: DuplicateName, Data: []byte(note)})
	switch {
	case errors.Is(err, inbox.ErrAlreadyFinished), errors.Is(err, inbox.ErrChanged):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("move %s: %w", f.Path, err)
	}
	fs := &FileSummary{Path: f.Path, Agency: f.Agency, SHA256: f.SHA256, Outcome: FileDuplicate, MovedTo: dest, JobID: job.ID}
	if outcome == inbox.Rejected {
		fs.Outcome, fs.ErrorCode = FileRejected, out.ErrorCode
	}
	return fs, nil
}

var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// importInbox is the pass's inbox step: scan, then wait for the jobs of the
// ready files, worked by Serve's client or, outside Serve, by a client of
// the pass's own.
func (p *pass) importInbox(ctx context.Context) error {
	w := p.w
	client, stopping := p.client, p.stopping
	sc, err := w.scanInbox(ctx, client, p.log)
	if err == nil && sc.pending > 0 && w.cfg.Settle > 0 && p.stopping == nil {
		// A one-shot pass (run) sees a file for the first time: the inbox
		// takes a file only once it has seen it unchanged twice, Settle
		// apart. Look again once, rather than leave it to the next pass.
		p.log.Info().Int("files", sc.pending).Dur("settle", w.cfg.Settle).Msg("waiting for the files seen to settle")
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(w.cfg.Settle):
		}
		var again scanned
		again, err = w.scanInbox(ctx, client, p.log)
		again.files = append(sc.files, again.files...)
		again.jobs = append(sc.jobs, again.jobs...)
		sc = again
	}
	p.sum.FilesPending = sc.pending
	p.sum.Files = append(p.sum.Files, sc.files...)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		p.fail("inbox", err)
	}
	for _, t := range sc.jobs {
		fs, err := w.waitFile(ctx, client, stopping, t)
		if err != nil && (ctx.Err() != nil || errors.Is(err, errStopping)) {
			// The files not finished stay in the inbox; their jobs are
			// retried by the next pass.
			fs.ErrorCode = "interrupted"
			p.sum.Files = append(p.sum.Files, fs)
			return firstErr(ctx.Err(), err)
		}
		if err != nil {
			p.fail("inbox", err)
		}
		p.sum.Files = append(p.sum.Files, fs)
		for k, n := range fs.Rows {
			p.sum.Rows[k] += n
		}
		if fs.Outcome == FileFailed && err == nil && fs.ErrorCode != codeFileGone && fs.ErrorCode != codeFileChanged {
			p.fail("import "+fs.Path, fmt.Errorf("%s", fs.ErrorCode))
		}
	}
	return nil
}

var errStopping = errors.New("worker: shutting down")

// waitFile waits for a file's job to end and returns what it did. A job
// whose attempt failed (retryable) ends the wait: the file stays in the
// inbox for the next pass.
func (w *Worker) waitFile(ctx context.Context, client *river.Client[pgx.Tx], stopping chan struct{}, t tracked) (FileSummary, error) {
	fs := FileSummary{Path: t.file.Path, Agency: t.file.Agency, SHA256: t.file.SHA256, JobID: t.jobID, Outcome: FileFailed}
	tick := time.NewTicker(min(w.cfg.PollInterval, 200*time.Millisecond))
	defer tick.Stop()
	for {
		job, err := client.JobGet(ctx, t.jobID)
		if err != nil {
			if ctx.Err() != nil {
				return fs, ctx.Err()
			}
			return fs, fmt.Errorf("job %d: %w", t.jobID, err)
		}
		switch job.State {
		case rivertype.JobStateCompleted:
			if out := job.Output(); len(out) > 0 {
				var got FileSummary
				if err := json.Unmarshal(out, &got); err == nil {
					got.JobID = t.jobID
					return got, nil
				}
			}
			fs.Outcome = FileDone
			return fs, nil
		case rivertype.JobStateRetryable, rivertype.JobStateCancelled, rivertype.JobStateDiscarded:
			var got FileSummary
			if json.Unmarshal(job.Output(), &got) == nil && (got.ErrorCode == codeFileGone || got.ErrorCode == codeFileChanged) {
				got.JobID = t.jobID
				return got, nil
			}
			fs.ErrorCode = "import_failed"
			if n := len(job.Errors); n > 0 {
				return fs, fmt.Errorf("import %s (job %d, attempt %d): %s", t.file.Path, t.jobID, job.Errors[n-1].Attempt, job.Errors[n-1].Error)
			}
			return fs, nil
		}
		select {
		case <-ctx.Done():
			return fs, ctx.Err()
		case <-stopping:
			return fs, errStopping
		case <-tick.C:
		}
	}
}

// inboxFileWorker imports one inbox file and moves it.
type inboxFileWorker struct {
	river.WorkerDefaults[scheduler.InboxFileArgs]
	w *Worker
}

// Timeout bounds one import: Config.FileTimeout.
func (iw *inboxFileWorker) Timeout(*river.Job[scheduler.InboxFileArgs]) time.Duration {
	return iw.w.cfg.FileTimeout
}

// Work imports the file in one transaction (pipeline.Import) and moves it
// to done/, or rejected/ when it could not be read, with its XLSX check
// report. A file no longer in the inbox was moved by another process: the
// job succeeds. A cancelled import (a shutdown) rolls back and fails the
// attempt, leaving the file in the inbox.
func (iw *inboxFileWorker) Work(ctx context.Context, job *river.Job[scheduler.InboxFileArgs]) error {
	w := iw.w
	a := job.Args
	log := w.log.With().Str("file", a.Path).Str("sha256", a.SHA256).Int64("job_id", job.ID).Int("attempt", job.Attempt).Logger()
	if w.cfg.Inbox == nil {
		return river.JobCancel(errors.New("this process has no inbox configured"))
	}
	out := FileSummary{Path: a.Path, Agency: a.Agency, SHA256: a.SHA256, JobID: job.ID}
	path := filepath.Join(w.cfg.InboxRoot, filepath.FromSlash(a.Path))
	// A file gone or rewritten since the scan is not imported. Its job is
	// cancelled, not completed, so that the same content dropped again
	// gets a new job; rewritten, it gets its own once stable again.
	switch sum, err := fileSHA256(path); {
	case errors.Is(err, fs.ErrNotExist):
		return skipFile(ctx, log, out, codeFileGone)
	case err != nil:
		return fmt.Errorf("read %s: %w", a.Path, err)
	case sum != a.SHA256:
		return skipFile(ctx, log, out, codeFileChanged)
	}
	var res *pipeline.FileImport
	imported, err := w.cfg.Pipeline.Import(ctx, w.db, []string{path}, pipeline.ImportOptions{Agency: a.Agency, DroppedBy: droppedBy})
	if err != nil {
		log.Warn().Str("code", errorCode(err)).Err(err).Msg("inbox file not imported")
		return err
	}
	if len(imported.Files) == 1 {
		res = &imported.Files[0]
	}
	if res == nil || res.Report == nil {
		return skipFile(ctx, log, out, codeFileGone) // vanished before it was read
	}
	out.FileID = res.Report.FileID
	out.Rows = map[string]int{}
	for _, v := range res.Result.Rows {
		out.Rows[string(v.Status)]++
	}
	outcome := inbox.Done
	out.Outcome = FileDone
	if res.Result.Error != nil {
		outcome, out.Outcome, out.ErrorCode = inbox.Rejected, FileRejected, res.Result.Error.Code
	}
	var rep bytes.Buffer
	if err := report.Write(&rep, report.FormatXLSX, []rppsync.FileResult{res.Result}, report.Options{Now: w.clock.Now()}); err != nil {
		return fmt.Errorf("check report of %s: %w", a.Path, err)
	}
	f := inbox.File{Path: a.Path, Agency: a.Agency, SHA256: a.SHA256}
	dest, err := w.cfg.Inbox.Finish(ctx, f, outcome, inbox.Report{Name: ReportName, Data: rep.Bytes()})
	switch {
	case errors.Is(err, inbox.ErrAlreadyFinished):
		log.Info().Msg("inbox file already moved by another process")
	case errors.Is(err, inbox.ErrChanged):
		// Replaced since the scan: the new content gets a job of its own.
		log.Warn().Msg("inbox file changed since it was scanned: left for the next scan")
	case err != nil:
		return fmt.Errorf("move %s: %w", a.Path, err)
	default:
		out.MovedTo = dest
	}
	w.metrics.file(out.Outcome)
	w.metrics.addRows(out.Rows)
	log.Info().Str("outcome", out.Outcome).Str("moved_to", out.MovedTo).Int64("file_id", out.FileID).
		Bool("duplicate", res.Report.Duplicate).Int("rows", res.Report.Rows).Msg("inbox file imported")
	return river.RecordOutput(ctx, out)
}

// Codes of the files a job did not import because the inbox changed under
// it; they do not make the pass fail.
const (
	codeFileGone    = "file_gone"    // no longer in the inbox (moved or removed by someone else)
	codeFileChanged = "file_changed" // rewritten since it was scanned
)

// skipFile ends a job whose file is gone or changed: its output says why,
// and the job is cancelled.
func skipFile(ctx context.Context, log zerolog.Logger, out FileSummary, code string) error {
	log.Warn().Str("code", code).Msg("inbox file gone or changed since it was scanned: not imported")
	out.Outcome, out.ErrorCode = FileFailed, code
	if err := river.RecordOutput(ctx, out); err != nil {
		return err
	}
	return river.JobCancel(fmt.Errorf("%s: %s", out.Path, code))
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
