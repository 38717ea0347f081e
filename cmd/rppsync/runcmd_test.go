package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rppsync/rppsync/store/storetest"
)

// TestRunOnePass drops the sample files into an inbox, one folder per
// agency, and runs `rppsync run` once: every file is imported and moved
// to done/ with its report, the digests reach a real SMTP server, the pass
// is in the history that `status` shows; a second run finds nothing new.
func TestRunOnePass(t *testing.T) {
	box := newMailbox(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "inbox")
	for agency, file := range map[string]string{"Alpha": agencyFiles[0], "Beta": agencyFiles[1]} {
		if err := os.MkdirAll(filepath.Join(in, agency), 0o755); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(in, agency, filepath.Base(file)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(in, "Alpha", "~$planning.xlsx"), []byte("lock"), 0o644); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "structures.json")
	if err := os.WriteFile(conf, []byte(`{"version": 1,
 "structures": [{"finess": "250999901", "name": "CH synthétique", "contacts": [{"email": "rpps@chsb.example.org"}]},
                {"finess": "690999909", "name": "Lyon Sud", "contacts": [{"email": "interim@hfls.example.org"}]}],
 "agencies": [{"name": "Alpha", "contacts": [{"email": "rh@alpha.example.org"}]},
              {"name": "Beta", "contacts": [{"email": "rh@beta.example.org"}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DATABASE_URL": storetest.NewSchema(t)}
	for _, args := range [][]string{{"structures", "load", conf}, {"directory", "load", firstExtract}, {"directory", "load", cardExtract}} {
		if r := run(t, env, args...); r.code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
	}
	runArgs := []string{"run", "--inbox", in, "--inbox-stable", "300ms", "--smtp-host", "127.0.0.1",
		"--smtp-port", fmt.Sprint(box.port), "--smtp-tls", "none", "--smtp-from", "rppsync@localhost"}
	r := run(t, env, runArgs...)
	if r.code != 0 {
		t.Fatalf("run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, f := range []string{"Alpha/interim-alpha.xlsx", "Beta/interim-beta.csv"} {
		if _, err := os.Stat(filepath.Join(in, f)); !os.IsNotExist(err) {
			t.Errorf("%s is still in the inbox after the pass", f)
		}
	}
	done, _ := filepath.Glob(filepath.Join(in, "done", "*", "*", "*"))
	if len(done) < 4 { // two files and their reports
		t.Errorf("done/ holds %v", done)
	}
	if _, err := os.Stat(filepath.Join(in, "Alpha", "~$planning.xlsx")); err != nil {
		t.Errorf("a lock file was taken or moved: %v", err)
	}
	if n := len(box.received()); n < 3 {
		t.Errorf("%d e-mails delivered by the pass, want the two structures' digests and the agencies' fix lists:\n%s", n, r.stdout)
	}
	for _, name := range []string{"MARTIN", "DUBOIS", "Claire"} {
		if strings.Contains(r.stderr, name) {
			t.Errorf("the logs name %q", name)
		}
	}
	st := run(t, env, "status", "--format", "table")
	if !strings.Contains(st.stdout, "Passage n°1") || !strings.Contains(st.stdout, ": ok") {
		t.Errorf("status does not show the pass:\n%s", st.stdout)
	}
	before := len(box.received())
	if r := run(t, env, runArgs...); r.code != 0 {
		t.Fatalf("second run: exit %d\n%s", r.code, r.stderr)
	}
	if n := len(box.received()); n != before {
		t.Errorf("a pass with nothing new sent %d e-mails", n-before)
	}
}
