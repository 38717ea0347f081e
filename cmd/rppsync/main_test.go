package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rppsync/rppsync/internal/contract"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const (
	fixtures     = "../../fixtures"
	firstExtract = fixtures + "/directory/PS_LibreAcces_Personne_activite_202611200800.txt"
	nextExtract  = fixtures + "/directory/PS_LibreAcces_Personne_activite_202611270800.txt"
	cardExtract  = fixtures + "/directory/Porteurs_CPS_CPF_202611200800.txt"
)

var agencyFiles = []string{
	fixtures + "/agencies/interim-alpha.xlsx",
	fixtures + "/agencies/interim-beta.csv",
	fixtures + "/agencies/interim-gamma.csv",
}

// fixedNow is the clock of every end-to-end run: contracts of the sample
// files run in November and December 2026.
var fixedNow = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// result is what one run of the program printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// run runs the program as a user would, with env as its whole environment.
func run(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{
		Stdin:    strings.NewReader(""),
		Stdout:   &out,
		Stderr:   &errb,
		Getenv:   func(k string) string { return env[k] },
		Now:      func() time.Time { return fixedNow },
		Terminal: func(io.Writer) bool { return false },
	}
	code := m.Run(context.Background(), args)
	return result{code, out.String(), errb.String()}
}

// checkDoc is the part of `check --format json` the tests read.
type checkDoc struct {
	Files []struct {
		Path  string `json:"path"`
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
		Rows []struct {
			Sheet      *string                 `json:"sheet"`
			Row        int                     `json:"row"`
			Status     string                  `json:"status"`
			RPPS       *string                 `json:"rpps"`
			FINESS     *string                 `json:"finess"`
			Channel    *string                 `json:"channel"`
			BirthINSEE *string                 `json:"birth_insee"`
			Issues     []struct{ Code string } `json:"issues"`
			Candidates []struct{ RPPS string } `json:"candidates"`
		} `json:"rows"`
	} `json:"files"`
	Summary map[string]int `json:"summary"`
}

func decodeCheck(t *testing.T, s string) checkDoc {
	t.Helper()
	var d checkDoc
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		t.Fatalf("check output is not JSON: %v\n%s", err, s)
	}
	return d
}

// contractCheck checks out against the JSON shape of CONTRACT.md
// (internal/contract); when RPPSYNC_CONTRACT_CHECK names the team's
// external checker (.ci/run sets it when the shared notes are beside the
// clone) and python3 is there, that one must accept it too.
func contractCheck(t *testing.T, mode, out string) {
	t.Helper()
	if problems := contract.Check(mode, []byte(out)); len(problems) > 0 {
		t.Fatalf("the %s output breaks the contract:\n%s", mode, strings.Join(problems, "\n"))
	}
	tool := os.Getenv("RPPSYNC_CONTRACT_CHECK")
	if tool == "" {
		return
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		return
	}
	cmd := exec.Command(python, tool, mode)
	cmd.Stdin = strings.NewReader(out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("contract-check %s: %v\n%s", mode, err, b)
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/rppsync -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./cmd/rppsync -update, then review the diff):\n%s", name, got)
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"nosuchcommand"},
		{"check"},
		{"check", "--format", "pdf", agencyFiles[1]},
		{"check", "--nosuchflag", agencyFiles[1]},
		{"lookup"},
		{"lookup", "commune", "--born", "1990-02-31", "Paris"},
		{"import", agencyFiles[1]}, // no database configured
	} {
		if r := run(t, nil, args...); r.code != 2 || r.stderr == "" {
			t.Errorf("rppsync %v: exit %d, stderr %q; want exit 2 and a message", args, r.code, r.stderr)
		}
	}
}

func TestHelpDescribesEveryCommandAndTheConfiguration(t *testing.T) {
	r := run(t, nil, "help")
	for _, c := range commands() {
		if !strings.Contains(r.stdout, c.name) {
			t.Errorf("help does not mention %s", c.name)
		}
	}
	r = run(t, nil, "help", "config")
	for _, s := range settings {
		if !strings.Contains(r.stdout, "--"+s.Flag) {
			t.Errorf("help config lacks --%s", s.Flag)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(readme, []byte(r.stdout)) {
		t.Errorf("README.md does not hold the configuration table `rppsync help config` prints:\n%s", r.stdout)
	}
	if r := run(t, nil, "check", "-h"); r.code != 0 || !strings.Contains(r.stderr, "--directory") || !strings.Contains(r.stderr, "-database-url string") {
		t.Errorf("check -h: exit %d, %q", r.code, r.stderr)
	}
}
