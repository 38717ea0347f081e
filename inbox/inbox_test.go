package inbox_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/rppsync/rppsync/inbox"
)

// fakeClock is moved by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

const stable = 30 * time.Second

// t0 is 2026-12-04 10:00 in Paris.
var t0 = time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)

func newInbox(t *testing.T, root string, clock inbox.Clock, mod ...func(*inbox.Config)) *inbox.Inbox {
	t.Helper()
	cfg := inbox.Config{Root: root, StableFor: stable, Clock: clock, Logger: zerolog.New(zerolog.NewTestWriter(t))}
	for _, m := range mod {
		m(&cfg)
	}
	in, err := inbox.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func write(t *testing.T, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o640); err != nil {
		t.Fatal(err)
	}
}

func scan(t *testing.T, in *inbox.Inbox) inbox.ScanResult {
	t.Helper()
	res, err := in.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func hexSHA(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// ready scans until the files are stable (two scans StableFor apart) and
// returns the second scan.
func ready(t *testing.T, in *inbox.Inbox, clock *fakeClock) inbox.ScanResult {
	t.Helper()
	scan(t, in)
	clock.advance(stable)
	return scan(t, in)
}

func TestNewValidatesTheConfig(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	write(t, filepath.Dir(file), "f", "x")
	for name, cfg := range map[string]inbox.Config{
		"no root":      {},
		"missing root": {Root: filepath.Join(t.TempDir(), "absent")},
		"root a file":  {Root: file},
	} {
		if _, err := inbox.New(cfg); !errors.Is(err, inbox.ErrNoRoot) {
			t.Errorf("%s: err = %v, want ErrNoRoot", name, err)
		}
	}
	if _, err := inbox.New(inbox.Config{Root: t.TempDir(), StableFor: -time.Second}); err == nil {
		t.Error("a negative StableFor was accepted")
	}
}

func TestScanTakesAFileOnceItsSizeAndMtimeHeldForStableFor(t *testing.T) {
	root := t.TempDir()
	clock := &fakeClock{now: t0}
	in := newInbox(t, root, clock)
	write(t, root, "Interim Plus/planning.xlsx", "contenu")
	write(t, root, "top.csv", "a;b")

	res := scan(t, in)
	if len(res.Ready) != 0 || res.Pending != 2 {
		t.Fatalf("first scan: ready %v, pending %d; want nothing ready, 2 pending", res.Ready, res.Pending)
	}
	clock.advance(stable - time.Second)
	if res := scan(t, in); len(res.Ready) != 0 || res.Pending != 2 {
		t.Fatalf("scan before StableFor: ready %v, pending %d", res.Ready, res.Pending)
	}
	clock.advance(time.Second)
	res = scan(t, in)
	if len(res.Ready) != 2 || res.Pending != 0 {
		t.Fatalf("scan after StableFor: ready %v, pending %d; want 2 ready", res.Ready, res.Pending)
	}
	got := res.Ready[0]
	st, err := os.Stat(filepath.Join(root, "Interim Plus", "planning.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	want := inbox.File{Path: "Interim Plus/planning.xlsx", Agency: "Interim Plus", Size: 7, ModTime: st.ModTime(), SHA256: hexSHA("contenu")}
	if got != want {
		t.Errorf("ready[0] = %+v\nwant       %+v", got, want)
	}
	if top := res.Ready[1]; top.Path != "top.csv" || top.Agency != "" || top.SHA256 != hexSHA("a;b") {
		t.Errorf("ready[1] = %+v, want top.csv with no agency", top)
	}
	// Still there at the next scan, with the same hash.
	if again := scan(t, in); len(again.Ready) != 2 || again.Ready[0] != want {
		t.Errorf("next scan: %+v", again.Ready)
	}
}

func TestScanRestartsTheWaitWhenTheFileChanges(t *testing.T) {
	later := t0.Add(-time.Hour)
	for name, change := range map[string]func(t *testing.T, p string){
		"appended": func(t *testing.T, p string) {
			f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString(" et la suite")
			f.Close()
			os.Chtimes(p, later, later) // only the size tells
		},
		"mtime only": func(t *testing.T, p string) {
			if err := os.Chtimes(p, later.Add(time.Minute), later.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
		},
		"rewritten same size": func(t *testing.T, p string) {
			if err := os.WriteFile(p, []byte("CONTENU"), 0o640); err != nil {
				t.Fatal(err)
			}
			os.Chtimes(p, later.Add(2*time.Minute), later.Add(2*time.Minute))
		},
	} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			clock := &fakeClock{now: t0}
			in := newInbox(t, root, clock)
			write(t, root, "a.xlsx", "contenu")
			p := filepath.Join(root, "a.xlsx")
			if err := os.Chtimes(p, later, later); err != nil {
				t.Fatal(err)
			}
			scan(t, in)
			clock.advance(stable - time.Second)
			change(t, p)
			if res := scan(t, in); len(res.Ready) != 0 || res.Pending != 1 {
				t.Fatalf("scan after the change: ready %v, pending %d", res.Ready, res.Pending)
			}
			clock.advance(stable - time.Second) // StableFor since the first scan, not since the change
			if res := scan(t, in); len(res.Ready) != 0 {
				t.Fatalf("taken %v before StableFor since the change", res.Ready)
			}
			clock.advance(time.Second)
			res := scan(t, in)
			if len(res.Ready) != 1 {
				t.Fatalf("not taken StableFor after the change: pending %d", res.Pending)
			}
			content, _ := os.ReadFile(p)
			if res.Ready[0].SHA256 != hexSHA(string(content)) {
				t.Errorf("hash of the old content: %s", res.Ready[0].SHA256)
			}
		})
	}
}

func TestScanDoesNotTrustAnOldMtimeAlone(t *testing.T) {
	// cp -p and unzip give a half-written file its source's old mtime.
	root := t.TempDir()
	clock := &fakeClock{now: t0}
	in := newInbox(t, root, clock)
	write(t, root, "copie.xlsx", "début")
	old := t0.AddDate(-1, 0, 0)
	if err := os.Chtimes(filepath.Join(root, "copie.xlsx"), old, old); err != nil {
		t.Fatal(err)
	}
	if res := scan(t, in); len(res.Ready) != 0 || res.Pending != 1 {
		t.Fatalf("a file seen once was taken: %+v", res)
	}
	// A new Inbox (a restarted replica) starts its own observation.
	other := newInbox(t, root, clock)
	clock.advance(stable)
	if res := scan(t, other); len(res.Ready) != 0 {
		t.Fatalf("a restarted scanner took a file on its first scan: %+v", res.Ready)
	}
	if res := scan(t, in); len(res.Ready) != 1 {
		t.Fatalf("not taken after StableFor: %+v", res)
	}
}

func TestScanIgnoresTemporaryNamesAndReservedFolders(t *testing.T) {
	root := t.TempDir()
	clock := &fakeClock{now: t0}
	in := newInbox(t, root, clock)
	for _, rel := range []string{
		"~$planning.xlsx", "envoi.xlsx.part", "export.TMP", ".cache", ".cachée/planning.xlsx",
		"Agence/~$b.xlsx", "Agence/c.csv.crdownload",
		"done/2026-12-01/a.xlsx", "rejected/2026-12-01/b.xlsx", "processing/abc/c.xlsx",
	} {
		write(t, root, rel, "x")
	}
	write(t, root, "Agence/done/real.xlsx", "pris") // reserved only at the top
	res := ready(t, in, clock)
	if len(res.Ready) != 1 || res.Ready[0].Path != "Agence/done/real.xlsx" || res.Ready[0].Agency != "Agence" {
		t.Errorf("ready = %+v, want only Agence/done/real.xlsx", res.Ready)
	}
	if len(res.Refused) != 0 {
		t.Errorf("refused = %+v", res.Refused)
	}
	if res.Ignored != 7 {
		t.Errorf("ignored = %d, want 7", res.Ignored)
	}
}

func TestScanRefusesWhatMustNotBeRead(t *testing.T) {
	root := filepath.Join(t.TempDir(), "inbox")
	outside := filepath.Join(filepath.Dir(root), "ailleurs")
	write(t, outside, "secret.xlsx", "hors du dossier")
	clock := &fakeClock{now: t0}
	in := newInbox(t, mkdir(t, root), clock, func(c *inbox.Config) { c.MaxSize = 10; c.MaxDepth = 2 })

	write(t, root, "Agence/ok.xlsx", "petit")
	write(t, root, "Agence/gros.xlsx", "bien plus de dix octets")
	write(t, root, "Agence/2026/12/profond.xlsx", "x")
	write(t, root, "Agence/a\x01b.xlsx", "x")
	write(t, root, "Agence/\xff.xlsx", "x")
	symlink(t, filepath.Join(outside, "secret.xlsx"), filepath.Join(root, "absolu.xlsx"))
	symlink(t, "../ailleurs/secret.xlsx", filepath.Join(root, "relatif.xlsx"))
	symlink(t, "nulle-part.xlsx", filepath.Join(root, "casse.xlsx"))
	symlink(t, "ok.xlsx", filepath.Join(root, "Agence", "interne.xlsx"))
	symlink(t, outside, filepath.Join(root, "Agence Liée"))
	if err := syscall.Mkfifo(filepath.Join(root, "Agence", "tube.xlsx"), 0o640); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // hang guard: the FIFO must not be opened
	defer cancel()
	in.Scan(ctx)
	clock.advance(stable)
	res, err := in.Scan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Ready) != 1 || res.Ready[0].Path != "Agence/ok.xlsx" {
		t.Errorf("ready = %+v, want only Agence/ok.xlsx", res.Ready)
	}
	want := map[string]string{
		"Agence/gros.xlsx":    inbox.CodeTooLarge,
		"Agence/2026/12":      inbox.CodeTooDeep,
		"Agence/a\x01b.xlsx":  inbox.CodeNameControl,
		"Agence/\xff.xlsx":    inbox.CodeNameNotUTF8,
		"absolu.xlsx":         inbox.CodeSymlinkOutside,
		"relatif.xlsx":        inbox.CodeSymlinkOutside,
		"casse.xlsx":          inbox.CodeSymlinkOutside,
		"Agence/interne.xlsx": inbox.CodeSymlinkInside,
		"Agence Liée":         inbox.CodeSymlinkOutside,
		"Agence/tube.xlsx":    inbox.CodeNotRegular,
	}
	got := map[string]string{}
	for _, r := range res.Refused {
		got[r.Path] = r.Code
		if wantAgency := strings.SplitN(r.Path, "/", 2)[0]; strings.Contains(r.Path, "/") && r.Agency != wantAgency {
			t.Errorf("%q: agency %q, want %q", r.Path, r.Agency, wantAgency)
		}
		if !strings.Contains(r.Reason, " ") || strings.ContainsAny(r.Reason, "\x01\xff") {
			t.Errorf("%q: reason %q is not a readable sentence", r.Path, r.Reason)
		}
	}
	for p, code := range want {
		if got[p] != code {
			t.Errorf("%q: code %q, want %q", p, got[p], code)
		}
	}
	if len(got) != len(want) {
		t.Errorf("refused %v, want %v", got, want)
	}
}

func mkdir(t *testing.T, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	return dir
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func TestScanHonoursCancellation(t *testing.T) {
	root := t.TempDir()
	write(t, root, "a.xlsx", "x")
	in := newInbox(t, root, &fakeClock{now: t0})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := in.Scan(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestConcurrentScannersTakeEachFileOnce(t *testing.T) {
	root := t.TempDir()
	clock := &fakeClock{now: t0}
	const files = 30
	for i := range files {
		write(t, root, filepath.Join("Agence "+string(rune('A'+i%3)), "f"+string(rune('a'+i))+".csv"), strings.Repeat("x", i+1))
	}
	replicas := []*inbox.Inbox{newInbox(t, root, clock), newInbox(t, root, clock), newInbox(t, root, clock)}
	for _, in := range replicas {
		scan(t, in)
	}
	clock.advance(stable)

	var mu sync.Mutex
	moved := map[string]int{}
	var wg sync.WaitGroup
	for _, in := range replicas {
		wg.Go(func() {
			for {
				res, err := in.Scan(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				if len(res.Ready) == 0 {
					return
				}
				for _, f := range res.Ready {
					_, err := in.Finish(context.Background(), f, inbox.Done)
					switch {
					case errors.Is(err, inbox.ErrAlreadyFinished):
					case err != nil:
						t.Error(err)
						return
					default:
						mu.Lock()
						moved[f.SHA256]++
						mu.Unlock()
					}
				}
			}
		})
	}
	wg.Wait()
	if len(moved) != files {
		t.Errorf("%d files moved, want %d", len(moved), files)
	}
	for h, n := range moved {
		if n != 1 {
			t.Errorf("%s moved %d times", h, n)
		}
	}
	if n := countFiles(t, filepath.Join(root, "done")); n != files {
		t.Errorf("done holds %d files, want %d", n, files)
	}
	assertNoClaims(t, root)
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// assertNoClaims checks that processing/ holds nothing once moves are over.
func assertNoClaims(t *testing.T, root string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, inbox.ProcessingDir))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	if len(names) > 0 {
		t.Errorf("processing/ still holds %v", names)
	}
}

func TestScanLogsARefusalOnce(t *testing.T) {
	root := t.TempDir()
	var logs strings.Builder
	clock := &fakeClock{now: t0}
	in := newInbox(t, root, clock, func(c *inbox.Config) { c.Logger = zerolog.New(&logs) })
	symlink(t, "/etc/hostname", filepath.Join(root, "lien.csv"))
	for range 3 {
		scan(t, in)
		clock.advance(stable)
	}
	if n := strings.Count(logs.String(), `"code":"symlink_outside"`); n != 1 {
		t.Errorf("refusal logged %d times over 3 scans, want once:\n%s", n, logs.String())
	}
	os.Remove(filepath.Join(root, "lien.csv"))
	scan(t, in)
	symlink(t, "/etc/hostname", filepath.Join(root, "lien.csv"))
	scan(t, in)
	if n := strings.Count(logs.String(), `"code":"symlink_outside"`); n != 2 {
		t.Errorf("a refusal that comes back is logged again: %d, want 2", n)
	}
}
