package store_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/store/storetest"
)

// crashURLEnv carries the schema URL to the child process of TestCrashMidLoad.
const crashURLEnv = "RPPSYNC_STORE_CRASH_CHILD_URL"

// crashPhaseEnv, set to "index", makes the child stop once its staging
// table is committed instead of copying forever.
const crashPhaseEnv = "RPPSYNC_STORE_CRASH_PHASE"

// crashMarker is what the child prints once its COPY is well under way, or
// its staging table committed.
const crashMarker = "COPY-UNDER-WAY"

// TestCrashMidLoadChild is the child of TestCrashMidLoad: it loads a slow,
// endless generated extract until it is killed. Run alone it does nothing.
func TestCrashMidLoadChild(t *testing.T) {
	url := os.Getenv(crashURLEnv)
	if url == "" {
		t.Skip("child process of TestCrashMidLoad")
	}
	db, err := store.Open(context.Background(), store.Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv(crashPhaseEnv) == "index" {
		// A finite extract, and a load that stops for good once its
		// staging table is committed: the parent kills it there.
		db.SetAfterStaging(func() {
			os.Stdout.WriteString("\n" + crashMarker + "\n")
			select {}
		})
		_, err = db.LoadDirectory(context.Background(), store.ExtractInfo{Name: "crash.txt", Date: day(20)}, &genSource{n: 5000, variant: 5}, store.LoadOptions{})
		t.Fatalf("the load returned: %v", err)
	}
	src := &genSource{n: 1 << 40, variant: 5, delay: func(n int) {
		if n == 30_000 { // several COPY buffers have reached the server
			os.Stdout.WriteString("\n" + crashMarker + "\n")
		}
		if n > 30_000 && n%1000 == 0 {
			time.Sleep(5 * time.Millisecond)
		}
	}}
	_, err = db.LoadDirectory(context.Background(), store.ExtractInfo{Name: "crash.txt", Date: day(20)}, src, store.LoadOptions{})
	t.Fatalf("the endless load returned: %v", err)
}

// TestCrashMidLoad kills a process with SIGKILL in the middle of its COPY
// and checks that the previous directory is intact, that no staging table is
// visible, and that the next load succeeds and leaves none behind.
func TestCrashMidLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process; skipped with -short")
	}
	t.Parallel()
	ctx := context.Background()
	url, db, before := crashSchema(t)

	kill := startCrashChild(t, url, "")
	// The server is in the middle of the child's COPY.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var copying int
		err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE state = 'active' AND query ILIKE 'copy "directory_line_next"%'`).Scan(&copying)
		if err != nil {
			t.Fatal(err)
		}
		if copying > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no COPY into directory_line_next seen on the server")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if stagingVisible(t, db) {
		t.Error("a reader sees the staging table of a load in progress")
	}
	kill()

	assertDirectoryA(t, db, before)
	if stagingVisible(t, db) {
		t.Error("a staging table is visible after the crash")
	}
	after := mustLoad(t, db, "b.txt", 6, extractA()[:3])
	if after.Previous == nil || after.Previous.Name != "a.txt" {
		t.Errorf("load after the crash replaced %+v, want a.txt", after.Previous)
	}
	if stagingVisible(t, db) {
		t.Error("a staging table is left after the load that followed the crash")
	}
	if st, err := db.DirectoryStatus(ctx); err != nil || st.Name != "b.txt" || st.People != 2 {
		t.Errorf("status after the next load = %+v, %v", st, err)
	}
}

// startCrashChild starts TestCrashMidLoadChild loading into the schema of
// url (phase: "" to be killed in its COPY, "index" once its staging table
// is committed), waits for its marker and returns the function that kills
// it with SIGKILL (also called at the end of the test).
func startCrashChild(t *testing.T, url, phase string) (kill func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashMidLoadChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashURLEnv+"="+url, crashPhaseEnv+"="+phase)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	kill = func() {
		once.Do(func() {
			_ = cmd.Process.Kill() // SIGKILL
			_ = cmd.Wait()
		})
	}
	t.Cleanup(kill)
	marker := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		found := false
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == crashMarker && !found {
				found = true
				marker <- true
			}
		}
		if !found {
			marker <- false
		}
	}()
	select {
	case ok := <-marker:
		if !ok {
			t.Fatal("the child process ended before its marker")
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("the child process printed no marker within 2 minutes")
	}

	return kill
}

// TestCrashBetweenCommits kills a load with SIGKILL once its staging table
// is committed, before the swap: the previous directory is intact, and the
// next load drops the staging table left behind and succeeds.
func TestCrashBetweenCommits(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process; skipped with -short")
	}
	t.Parallel()
	ctx := context.Background()
	url, db, before := crashSchema(t)
	kill := startCrashChild(t, url, "index")
	if !stagingVisible(t, db) {
		t.Fatal("no committed staging table while the child waits between its commits")
	}
	kill()

	assertDirectoryA(t, db, before)
	// The child's session, and so its advisory lock, ended with it.
	lctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	after, err := db.LoadDirectory(lctx, store.ExtractInfo{Name: "b.txt", Date: day(6)}, &sliceSource{lines: extractA()[:3]}, store.LoadOptions{})
	if err != nil {
		t.Fatalf("load after the crash: %v", err)
	}
	if after.Previous == nil || after.Previous.Name != "a.txt" {
		t.Errorf("load after the crash replaced %+v, want a.txt", after.Previous)
	}
	if stagingVisible(t, db) {
		t.Error("a staging table is left after the load that followed the crash")
	}
}

// assertDirectoryA checks that the directory loaded is extractA, as loaded
// by before.
func assertDirectoryA(t *testing.T, db *store.DB, before *store.LoadReport) {
	t.Helper()
	ctx := context.Background()
	st, err := db.DirectoryStatus(ctx)
	if err != nil || st.ExtractID != before.ExtractID || st.Activities != 7 {
		t.Fatalf("status after the crash = %+v, %v; want the previous extract", st, err)
	}
	ps, err := db.Directory().Professionals(ctx, []string{"10000000002"})
	if err != nil || len(ps["10000000002"].Activities) != 3 {
		t.Fatalf("Professionals after the crash = %+v, %v", ps, err)
	}
}

// crashSchema returns a schema of its own (its URL, for a child process)
// with extractA loaded, and the report of that load.
func crashSchema(t *testing.T) (string, *store.DB, *store.LoadReport) {
	t.Helper()
	url := storetest.NewSchema(t)
	db := storetest.Open(t, url)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return url, db, mustLoad(t, db, "a.txt", 5, extractA())
}
