package inbox_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rppsync/rppsync/inbox"
)

func readFile(t *testing.T, root, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func assertGone(t *testing.T, root, rel string) {
	t.Helper()
	if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(rel))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s still there (err %v)", rel, err)
	}
}

func only(t *testing.T, res inbox.ScanResult) inbox.File {
	t.Helper()
	if len(res.Ready) != 1 {
		t.Fatalf("ready = %+v, want one file", res.Ready)
	}
	return res.Ready[0]
}

func TestFinishMovesIntoTheDayFolderWithReports(t *testing.T) {
	for name, tc := range map[string]struct {
		outcome inbox.Outcome
		now     time.Time
		want    string
	}{
		"done":                     {inbox.Done, t0, "done/2026-12-04/Interim Plus/planning.xlsx"},
		"rejected":                 {inbox.Rejected, t0, "rejected/2026-12-04/Interim Plus/planning.xlsx"},
		"after midnight in Paris":  {inbox.Done, time.Date(2026, 12, 4, 23, 30, 0, 0, time.UTC), "done/2026-12-05/Interim Plus/planning.xlsx"},
		"before midnight in Paris": {inbox.Done, time.Date(2026, 12, 4, 22, 30, 0, 0, time.UTC), "done/2026-12-04/Interim Plus/planning.xlsx"},
	} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			clock := &fakeClock{now: tc.now.Add(-stable)}
			in := newInbox(t, root, clock)
			write(t, root, "Interim Plus/planning.xlsx", "les contrats")
			f := only(t, ready(t, in, clock))
			dest, err := in.Finish(context.Background(), f, tc.outcome,
				inbox.Report{Name: "rapport.xlsx", Data: []byte("le rapport")},
				inbox.Report{Name: "erreurs.csv", Data: []byte("ligne;code")})
			if err != nil {
				t.Fatal(err)
			}
			if dest != tc.want {
				t.Errorf("dest = %q, want %q", dest, tc.want)
			}
			if got := readFile(t, root, tc.want); got != "les contrats" {
				t.Errorf("moved content %q", got)
			}
			dir := filepath.Dir(tc.want)
			if got := readFile(t, root, dir+"/planning_rapport.xlsx"); got != "le rapport" {
				t.Errorf("report %q", got)
			}
			if got := readFile(t, root, dir+"/planning_erreurs.csv"); got != "ligne;code" {
				t.Errorf("report %q", got)
			}
			if n := countFiles(t, filepath.Join(root, filepath.FromSlash(dir))); n != 3 {
				t.Errorf("%s holds %d files, want the file and 2 reports", dir, n)
			}
			assertGone(t, root, "Interim Plus/planning.xlsx")
			assertNoClaims(t, root)
			if res := scan(t, in); len(res.Ready)+len(res.Refused)+res.Pending != 0 {
				t.Errorf("the moved file is scanned again: %+v", res)
			}
		})
	}
}

func TestFinishNeverOverwrites(t *testing.T) {
	root := t.TempDir()
	clock := &fakeClock{now: t0}
	in := newInbox(t, root, clock)
	report := inbox.Report{Name: "rapport.xlsx", Data: []byte("r")}

	var dests []string
	for _, content := range []string{"premier", "deuxième", "troisième"} {
		write(t, root, "A/planning.xlsx", content)
		f := only(t, ready(t, in, clock))
		dest, err := in.Finish(context.Background(), f, inbox.Done, report)
		if err != nil {
			t.Fatal(err)
		}
		dests = append(dests, dest)
	}
	want := []string{"done/2026-12-04/A/planning.xlsx", "done/2026-12-04/A/planning (2).xlsx", "done/2026-12-04/A/planning (3).xlsx"}
	for i, content := range []string{"premier", "deuxième", "troisième"} {
		if dests[i] != want[i] {
			t.Errorf("finish %d: dest %q, want %q", i, dests[i], want[i])
		}
		if got := readFile(t, root, want[i]); got != content {
			t.Errorf("%s holds %q, want %q", want[i], got, content)
		}
	}
	for _, r := range []string{"planning_rapport.xlsx", "planning (2)_rapport.xlsx", "planning (3)_rapport.xlsx"} {
		readFile(t, root, "done/2026-12-04/A/"+r)
	}

	// A free file name whose report name is taken moves on to the next suffix.
	write(t, root, "done/2026-12-04/B/liste_rapport.xlsx", "déjà là")
	write(t, root, "B/liste.csv", "liste")
	f := only(t, ready(t, in, clock))
	dest, err := in.Finish(context.Background(), f, inbox.Done, report)
	if err != nil {
		t.Fatal(err)
	}
	if dest != "done/2026-12-04/B/liste (2).csv" {
		t.Errorf("dest = %q", dest)
	}
	if got := readFile(t, root, "done/2026-12-04/B/liste_rapport.xlsx"); got != "déjà là" {
		t.Errorf("an existing report was overwritten: %q", got)
	}
	assertGone(t, root, "done/2026-12-04/B/liste.csv")
	assertNoClaims(t, root)
}

func TestFinishTwiceReturnsErrAlreadyFinished(t *testing.T) {
	root := t.TempDir()
	clock := &fakeClock{now: t0}
	in := newInbox(t, root, clock)
	write(t, root, "a.xlsx", "x")
	f := only(t, ready(t, in, clock))
	if _, err := in.Finish(context.Background(), f, inbox.Done); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Finish(context.Background(), f, inbox.Rejected); !errors.Is(err, inbox.ErrAlreadyFinished) {
		t.Errorf("second Finish: err = %v, want ErrAlreadyFinished", err)
	}
	// Its agency folder gone too: still "already finished".
	write(t, root, "X/b.xlsx", "y")
	g := only(t, ready(t, in, clock))
	if _, err := in.Finish(context.Background(), g, inbox.Done); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(root, "X"))
	if _, err := in.Finish(context.Background(), g, inbox.Done); !errors.Is(err, inbox.ErrAlreadyFinished) {
		t.Errorf("Finish with the folder removed: err = %v, want ErrAlreadyFinished", err)
	}
	if n := countFiles(t, filepath.Join(root, "done")); n != 2 || readFile(t, root, "done/2026-12-04/a.xlsx") != "x" {
		t.Errorf("done holds %d files", n)
	}
	assertNoClaims(t, root)
}

func TestConcurrentFinishOfOneFileMovesItOnce(t *testing.T) {
	root := t.TempDir()
	clock := &fakeClock{now: t0}
	write(t, root, "Agence/planning.xlsx", "une seule fois")
	replicas := []*inbox.Inbox{newInbox(t, root, clock), newInbox(t, root, clock)}
	var f inbox.File
	for _, in := range replicas {
		scan(t, in)
	}
	clock.advance(stable)
	for _, in := range replicas {
		f = only(t, scan(t, in))
	}

	const workers = 16
	var wg sync.WaitGroup
	errs := make([]error, workers)
	start := make(chan struct{})
	for i := range workers {
		wg.Go(func() {
			<-start
			_, errs[i] = replicas[i%2].Finish(context.Background(), f, inbox.Done, inbox.Report{Name: "rapport.txt", Data: []byte("r")})
		})
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, inbox.ErrAlreadyFinished):
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d Finish calls succeeded, want exactly 1", ok)
	}
	if n := countFiles(t, filepath.Join(root, "done")); n != 2 {
		t.Errorf("done holds %d files, want the file and its report", n)
	}
	if got := readFile(t, root, "done/2026-12-04/Agence/planning.xlsx"); got != "une seule fois" {
		t.Errorf("content %q", got)
	}
	assertNoClaims(t, root)
}

func TestFinishPutsBackAFileThatChanged(t *testing.T) {
	root := t.TempDir()
	clock := &fakeClock{now: t0}
	in := newInbox(t, root, clock)
	write(t, root, "A/planning.xlsx", "version scannée")
	f := only(t, ready(t, in, clock))
	write(t, root, "A/planning.xlsx", "version remplacée")

	if _, err := in.Finish(context.Background(), f, inbox.Done); !errors.Is(err, inbox.ErrChanged) {
		t.Fatalf("err = %v, want ErrChanged", err)
	}
	if got := readFile(t, root, "A/planning.xlsx"); got != "version remplacée" {
		t.Errorf("inbox holds %q", got)
	}
	if _, err := os.Stat(filepath.Join(root, "done")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("done/ was created: %v", err)
	}
	assertNoClaims(t, root)
	// The new content is taken by a later scan, with its own hash.
	clock.advance(stable)
	scan(t, in)
	clock.advance(stable)
	g := only(t, scan(t, in))
	if g.SHA256 != hexSHA("version remplacée") {
		t.Errorf("rescanned hash %s", g.SHA256)
	}
}

func TestFinishRefusesPathsOutsideTheInbox(t *testing.T) {
	base := t.TempDir()
	root := mkdir(t, filepath.Join(base, "inbox"))
	write(t, base, "ailleurs/secret.xlsx", "hors du dossier")
	write(t, root, "done/2026-12-01/a.xlsx", "déjà traité")
	symlink(t, filepath.Join(base, "ailleurs"), filepath.Join(root, "Agence Liée"))
	in := newInbox(t, root, &fakeClock{now: t0})

	for _, rel := range []string{
		"", ".", "../ailleurs/secret.xlsx", "/etc/hostname", "A/../../ailleurs/secret.xlsx", "./a.xlsx",
		"done/2026-12-01/a.xlsx", "processing/x", "rejected", "a\x00b", `A\b.xlsx`, "a/b/c/d.xlsx",
		"Agence Liée/secret.xlsx",
	} {
		f := inbox.File{Path: rel, SHA256: hexSHA("hors du dossier")}
		if _, err := in.Finish(context.Background(), f, inbox.Done); !errors.Is(err, inbox.ErrBadPath) {
			t.Errorf("Finish(%q): err = %v, want ErrBadPath", rel, err)
		}
		if _, err := in.Reject(context.Background(), inbox.Refused{Path: rel}); !errors.Is(err, inbox.ErrBadPath) {
			t.Errorf("Reject(%q): err = %v, want ErrBadPath", rel, err)
		}
	}
	if got := readFile(t, base, "ailleurs/secret.xlsx"); got != "hors du dossier" {
		t.Errorf("outside file changed: %q", got)
	}
	readFile(t, root, "done/2026-12-01/a.xlsx")
}

func TestFinishRefusesBadReportsAndOutcomes(t *testing.T) {
	root := t.TempDir()
	clock := &fakeClock{now: t0}
	in := newInbox(t, root, clock)
	write(t, root, "a.xlsx", "x")
	f := only(t, ready(t, in, clock))
	for _, reps := range [][]inbox.Report{
		{{Name: ""}}, {{Name: "../r.txt"}}, {{Name: "a/b"}}, {{Name: "r\n.txt"}}, {{Name: "r.txt"}, {Name: "r.txt"}},
	} {
		if _, err := in.Finish(context.Background(), f, inbox.Done, reps...); !errors.Is(err, inbox.ErrBadReport) {
			t.Errorf("reports %q: err = %v, want ErrBadReport", reps, err)
		}
	}
	if _, err := in.Finish(context.Background(), f, inbox.Outcome(7)); err == nil {
		t.Error("an unknown outcome was accepted")
	}
	readFile(t, root, "a.xlsx") // untouched by the refused calls
}

func TestRejectMovesRefusedEntriesWithoutFollowingThem(t *testing.T) {
	base := t.TempDir()
	root := mkdir(t, filepath.Join(base, "inbox"))
	write(t, base, "ailleurs/secret.xlsx", "hors du dossier")
	clock := &fakeClock{now: t0}
	in := newInbox(t, root, clock, func(c *inbox.Config) { c.MaxDepth = 1 })
	symlink(t, filepath.Join(base, "ailleurs", "secret.xlsx"), filepath.Join(root, "lien.xlsx"))
	if err := syscall.Mkfifo(filepath.Join(root, "tube.csv"), 0o640); err != nil {
		t.Fatal(err)
	}
	write(t, root, "A/trop/profond.xlsx", "x")

	res := ready(t, in, clock)
	if len(res.Refused) != 3 {
		t.Fatalf("refused = %+v", res.Refused)
	}
	for _, r := range res.Refused {
		dest, err := in.Reject(context.Background(), r, inbox.Report{Name: "motif.txt", Data: []byte(r.Reason)})
		if err != nil {
			t.Fatalf("Reject(%s): %v", r.Path, err)
		}
		info, err := os.Lstat(filepath.Join(root, filepath.FromSlash(dest)))
		if err != nil {
			t.Fatal(err)
		}
		if want := "rejected/2026-12-04/" + r.Path; dest != want {
			t.Errorf("dest = %q, want %q", dest, want)
		}
		switch r.Code {
		case inbox.CodeSymlinkOutside:
			if info.Mode()&os.ModeSymlink == 0 {
				t.Errorf("%s: the link was followed: %v", dest, info.Mode())
			}
		case inbox.CodeNotRegular:
			if info.Mode()&os.ModeNamedPipe == 0 {
				t.Errorf("%s: mode %v", dest, info.Mode())
			}
		case inbox.CodeTooDeep:
			if !info.IsDir() || readFile(t, root, dest+"/profond.xlsx") != "x" {
				t.Errorf("%s: the folder was not moved whole", dest)
			}
		}
		assertGone(t, root, r.Path)
	}
	if got := readFile(t, base, "ailleurs/secret.xlsx"); got != "hors du dossier" {
		t.Errorf("outside file changed: %q", got)
	}
	if res := scan(t, in); len(res.Refused)+len(res.Ready) != 0 {
		t.Errorf("after Reject: %+v", res)
	}
	assertNoClaims(t, root)
}
