package inbox_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/rppsync/rppsync/inbox"
)

// claim lays out what a process killed in the middle of Finish leaves in
// processing/: the claim folder, its note (the file's path in the inbox),
// the claimed file and a report not yet placed.
func claim(t *testing.T, root, token, rel, content string, age time.Duration) {
	t.Helper()
	dir := filepath.Join(root, inbox.ProcessingDir, token)
	mkdir(t, dir)
	write(t, dir, ".claim", rel)
	if content != "" {
		write(t, dir, filepath.Base(rel), content)
		write(t, dir, ".report-0", "rapport")
	}
	old := time.Now().Add(-age)
	if err := os.Chtimes(dir, old, old); err != nil {
		t.Fatal(err)
	}
}

func TestRecoverPutsInterruptedMovesBack(t *testing.T) {
	root := t.TempDir()
	clock := &fakeClock{now: time.Now()}
	in := newInbox(t, root, clock)
	claim(t, root, "a1", "Agence/planning.xlsx", "interrompu", time.Hour)
	claim(t, root, "a2", "top.csv", "à la racine", time.Hour)
	claim(t, root, "a3", "Autre/x.csv", "", time.Hour)                // killed before the rename: nothing claimed
	claim(t, root, "a4", "Agence/live.xlsx", "en cours", time.Second) // a live Finish: left alone
	// Claims being recovered carry the time of the take in their name: a
	// recoverer that died an hour ago is replaced, a live one is not,
	// whatever their folder's mtime.
	claim(t, root, fmt.Sprintf("r-%d-dead", clock.now.Add(-time.Hour).UnixNano()), "Agence/repris.csv", "repris", time.Second)
	busy := fmt.Sprintf("r-%d-busy", clock.now.Add(-time.Second).UnixNano())
	claim(t, root, busy, "Agence/en-cours.csv", "en cours", time.Hour)
	write(t, root, "top.csv", "nouveau dépôt du même nom")

	back, err := in.Recover(context.Background(), 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(back)
	if want := []string{"Agence/planning.xlsx", "Agence/repris.csv", "top (2).csv"}; !equal(back, want) {
		t.Errorf("put back %v, want %v", back, want)
	}
	if got := readFile(t, root, "Agence/planning.xlsx"); got != "interrompu" {
		t.Errorf("Agence/planning.xlsx holds %q", got)
	}
	if got := readFile(t, root, "top (2).csv"); got != "à la racine" {
		t.Errorf("top (2).csv holds %q", got)
	}
	if got := readFile(t, root, "top.csv"); got != "nouveau dépôt du même nom" {
		t.Errorf("the new top.csv was overwritten: %q", got)
	}
	entries, _ := os.ReadDir(filepath.Join(root, inbox.ProcessingDir))
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if want := []string{"a4", busy}; !equal(left, want) {
		t.Errorf("processing/ holds %v, want only the live claims %v", left, want)
	}
	// The files put back are offered again.
	res := ready(t, in, clock)
	if len(res.Ready) != 4 {
		t.Errorf("ready after recovery: %+v", res.Ready)
	}
}

func TestConcurrentRecoverPutsEachFileBackOnce(t *testing.T) {
	root := t.TempDir()
	clock := &fakeClock{now: time.Now()}
	const claims = 20
	for i := range claims {
		claim(t, root, "c"+string(rune('a'+i)), "Agence/f"+string(rune('a'+i))+".csv", "contenu", time.Hour)
	}
	var mu sync.Mutex
	var all []string
	var wg sync.WaitGroup
	for range 4 {
		in := newInbox(t, root, clock)
		wg.Go(func() {
			back, err := in.Recover(context.Background(), time.Minute)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			all = append(all, back...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(all) != claims {
		t.Errorf("%d files put back, want %d: %v", len(all), claims, all)
	}
	if n := countFiles(t, filepath.Join(root, "Agence")); n != claims {
		t.Errorf("Agence/ holds %d files, want %d", n, claims)
	}
	assertNoClaims(t, root)
}

func TestFinishPutsTheFileBackWhenTheMoveFails(t *testing.T) {
	root := t.TempDir()
	clock := &fakeClock{now: t0}
	in := newInbox(t, root, clock)
	write(t, root, "A/planning.xlsx", "à garder")
	f := only(t, ready(t, in, clock))
	write(t, root, "done", "un fichier, pas un dossier") // the move into done/ cannot happen

	if _, err := in.Finish(context.Background(), f, inbox.Done, inbox.Report{Name: "r.txt", Data: []byte("r")}); err == nil || errors.Is(err, inbox.ErrAlreadyFinished) {
		t.Fatalf("err = %v, want the failure of the move", err)
	}
	if got := readFile(t, root, "A/planning.xlsx"); got != "à garder" {
		t.Errorf("A/planning.xlsx holds %q", got)
	}
	assertNoClaims(t, root)
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
