package worker_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
	"github.com/xuri/excelize/v2"

	"github.com/rppsync/rppsync/scheduler"
	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/worker"
)

func fileByPath(t *testing.T, s *worker.PassSummary, path string) worker.FileSummary {
	t.Helper()
	for _, f := range s.Files {
		if f.Path == path {
			return f
		}
	}
	t.Fatalf("no file %s in the summary: %+v", path, s.Files)
	return worker.FileSummary{}
}

// TestPassFromInboxToNotifications runs passes from the inbox to the
// notifications: files imported, rejected and moved with their reports,
// rows by verdict, one webhook per file, the pass recorded.
func TestPassFromInboxToNotifications(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	e := newEnv(t)
	e.drop(t, fixtureAlpha, "Interim Alpha/interim-alpha.xlsx")
	e.drop(t, fixtureBeta, "Interim Beta/interim-beta.csv")
	dropBytes(t, e.root, "Interim Beta/vide.csv", []byte("ceci n'est pas un planning\n"))
	if err := os.Symlink("/etc/hostname", filepath.Join(e.root, "lien.csv")); err != nil {
		t.Fatal(err)
	}
	w := e.newWorker(t, "r1", nil)

	// First sight: nothing is stable yet, nothing is taken; the refused
	// link is moved at once.
	s1, err := w.RunPass(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s1.FilesPending != 3 || len(s1.Files) != 1 || s1.Files[0].Outcome != worker.FileRejected || s1.Files[0].ErrorCode != "symlink_outside" {
		t.Fatalf("first pass: pending %d, files %+v", s1.FilesPending, s1.Files)
	}
	if s1.Outcome != store.RunOK {
		t.Fatalf("first pass outcome %s (%s)", s1.Outcome, s1.ErrorCode)
	}

	e.clock.advance(time.Minute)
	s2, err := w.RunPass(ctx)
	if err != nil {
		t.Fatal(err)
	}
	alpha := fileByPath(t, s2, "Interim Alpha/interim-alpha.xlsx")
	beta := fileByPath(t, s2, "Interim Beta/interim-beta.csv")
	empty := fileByPath(t, s2, "Interim Beta/vide.csv")
	if alpha.Outcome != worker.FileDone || beta.Outcome != worker.FileDone || alpha.FileID == 0 {
		t.Fatalf("alpha %+v, beta %+v", alpha, beta)
	}
	if empty.Outcome != worker.FileRejected || empty.ErrorCode == "" {
		t.Fatalf("a file that is no planning: %+v, want rejected with its file-level code", empty)
	}
	// Rows by verdict: the fixtures' READMEs.
	if alpha.Rows["matched"] != 6 || alpha.Rows["identity_mismatch"] != 1 || alpha.Rows["candidate"] != 1 || alpha.Rows["to_register"] != 2 {
		t.Errorf("alpha rows = %v", alpha.Rows)
	}
	if beta.Rows["matched"] != 2 || beta.Rows["rpps_invalid"] != 3 || beta.Rows["to_register"] != 2 {
		t.Errorf("beta rows = %v", beta.Rows)
	}
	if s2.Rows["matched"] != 8 {
		t.Errorf("pass rows = %v", s2.Rows)
	}
	if len(s2.Items) == 0 || s2.Items["validate_activity"] == 0 {
		t.Errorf("pass items = %v", s2.Items)
	}
	if s2.Messages != 2 || s2.Outcome != store.RunOK {
		t.Errorf("pass: %d messages, outcome %s", s2.Messages, s2.Outcome)
	}

	// The files moved with their reports beside them.
	day := "2026-12-04/"
	done := movedFiles(t, e.root, "done")
	slices.Sort(done)
	want := []string{day + "Interim Alpha/interim-alpha.xlsx", day + "Interim Alpha/interim-alpha_rapport.xlsx",
		day + "Interim Beta/interim-beta.csv", day + "Interim Beta/interim-beta_rapport.xlsx"}
	if !slices.Equal(done, want) {
		t.Errorf("done/ = %v, want %v", done, want)
	}
	rejected := movedFiles(t, e.root, "rejected")
	slices.Sort(rejected)
	if !slices.Equal(rejected, []string{day + "Interim Beta/vide.csv", day + "Interim Beta/vide_rapport.xlsx", day + "lien.csv", day + "lien_motif.txt"}) {
		t.Errorf("rejected/ = %v", rejected)
	}
	if left := inboxFiles(t, e.root); len(left) != 0 {
		t.Errorf("left in the inbox: %v", left)
	}
	x, err := excelize.OpenFile(filepath.Join(e.root, "done", day+"Interim Alpha/interim-alpha_rapport.xlsx"))
	if err != nil {
		t.Fatalf("the check report is no XLSX: %v", err)
	}
	x.Close()

	// The notifications: one webhook per imported file, sent once.
	waitFor(t, 10*time.Second, "two webhooks", func() bool { return len(e.hooks.received()) == 2 })
	for k, n := range e.hooks.received() {
		if n != 1 || (k != "imported."+alpha.SHA256 && k != "imported."+beta.SHA256) {
			t.Errorf("webhook %s received %d times", k, n)
		}
	}

	// The history.
	runs, err := e.db.Runs(ctx, store.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].ID != s2.RunID || runs[0].Outcome != store.RunOK || runs[0].Counts.FilesDone != 2 ||
		runs[0].Counts.FilesRejected != 1 || runs[0].Counts.Rows["matched"] != 8 || runs[0].Counts.Messages != 2 || runs[0].Replica != "r1" {
		t.Errorf("history: %+v", runs)
	}

	// A copy of an imported file, dropped again: moved with a note, not
	// imported twice, no new message.
	e.drop(t, fixtureBeta, "Interim Beta/interim-beta (copie).csv")
	dropBytes(t, e.root, "Interim Beta/vide encore.csv", []byte("ceci n'est pas un planning\n"))
	if _, err := w.RunPass(ctx); err != nil {
		t.Fatal(err)
	}
	e.clock.advance(time.Minute)
	s3, err := w.RunPass(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c := fileByPath(t, s3, "Interim Beta/interim-beta (copie).csv"); c.Outcome != worker.FileDuplicate {
		t.Errorf("copy: %+v", c)
	}
	note, err := os.ReadFile(filepath.Join(e.root, "done", day+"Interim Beta/interim-beta (copie)_doublon.txt"))
	if err != nil || !strings.Contains(string(note), "interim-beta.csv") {
		t.Errorf("duplicate note: %q, %v", note, err)
	}
	if c := fileByPath(t, s3, "Interim Beta/vide encore.csv"); c.Outcome != worker.FileRejected || !strings.HasPrefix(c.MovedTo, "rejected/") {
		t.Errorf("copy of a rejected file: %+v, want moved to rejected/ as the first", c)
	}
	if n := countImported(t, e.db); n != 3 {
		t.Errorf("%d files recorded, want 3 (alpha, beta, the unreadable one)", n)
	}
	if s3.Messages != 0 {
		t.Errorf("the copy enqueued %d messages", s3.Messages)
	}
}

// TestHalfWrittenFileNotTaken: a file still growing is left alone until its
// size and time hold still for the inbox's StableFor.
func TestHalfWrittenFileNotTaken(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	e := newEnv(t)
	full, err := os.ReadFile(fixtureGamma)
	if err != nil {
		t.Fatal(err)
	}
	dropBytes(t, e.root, "Gamma/planning.csv", full[:len(full)/2])
	w := e.newWorker(t, "r1", nil)
	for i, grow := range []bool{false, true, false} {
		if grow {
			dropBytes(t, e.root, "Gamma/planning.csv", full)
		}
		s, err := w.RunPass(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if i < 2 && (len(s.Files) != 0 || s.FilesPending != 1) {
			t.Fatalf("pass %d took %+v while the file was being written", i, s.Files)
		}
		if i == 2 && (len(s.Files) != 1 || s.Files[0].Outcome != worker.FileDone || s.Files[0].Rows["matched"] != 3) {
			t.Fatalf("pass %d: %+v, want the whole file imported", i, s.Files)
		}
		e.clock.advance(time.Minute)
	}
	if n := countImported(t, e.db); n != 1 {
		t.Fatalf("%d files recorded, want the whole one only", n)
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	if _, err := worker.New(worker.Config{}); !errors.Is(err, worker.ErrInvalidConfig) {
		t.Errorf("New(zero) = %v", err)
	}
}

// TestJobOfAChangedFile: a job whose file no longer has the scanned
// content (rewritten between the scan and the job) imports nothing and is
// cancelled, so that the content, dropped again, gets a job of its own.
func TestJobOfAChangedFile(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	e := newEnv(t)
	e.drop(t, fixtureBeta, "B/planning.csv")
	w := e.newWorker(t, "r1", nil)
	client, err := river.NewClient(riverpgxv5.New(e.db.Pool()), &river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	stale := strings.Repeat("0", 64)
	res, err := client.Insert(ctx, scheduler.InboxFileArgs{SHA256: stale, Path: "B/planning.csv", Agency: "B"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Passes, the file not stable yet (the inbox clock stands still),
	// until the pass's client has worked the stale job.
	var job *rivertype.JobRow
	for range 20 {
		if _, err := w.RunPass(ctx); err != nil {
			t.Fatal(err)
		}
		if job, err = client.JobGet(ctx, res.Job.ID); err != nil {
			t.Fatal(err)
		}
		if job.FinalizedAt != nil {
			break
		}
	}
	if job.State != rivertype.JobStateCancelled || !strings.Contains(string(job.Output()), `"file_changed"`) {
		t.Fatalf("stale job: %s, output %s", job.State, job.Output())
	}
	if n := countImported(t, e.db); n != 0 {
		t.Fatalf("the stale job imported %d files", n)
	}
	e.clock.advance(time.Minute)
	s, err := w.RunPass(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Files) != 1 || s.Files[0].Outcome != worker.FileDone || s.Outcome != store.RunOK {
		t.Fatalf("next pass: %+v, %s", s.Files, s.Outcome)
	}
}
