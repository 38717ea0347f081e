package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rppsync/rppsync/store/storetest"
)

type listedItem struct {
	ID      int64  `json:"id"`
	Kind    string `json:"kind"`
	State   string `json:"state"`
	FINESS  string `json:"finess"`
	RPPS    string `json:"rpps"`
	Reason  string `json:"reason"`
	Worker  string `json:"worker"`
	History []struct {
		From, To string
		RPPS     string `json:"rpps"`
	} `json:"history"`
	Registration *struct {
		BirthName  string `json:"birth_name"`
		BirthINSEE string `json:"birth_insee"`
	} `json:"registration"`
	Candidates []struct {
		RPPS string `json:"rpps"`
	} `json:"candidates"`
}

func listItems(t *testing.T, env map[string]string, args ...string) []listedItem {
	t.Helper()
	r := run(t, env, append([]string{"queue", "list", "--format", "json", "--state", "all"}, args...)...)
	if r.code != 0 {
		t.Fatalf("queue list: exit %d: %s", r.code, r.stderr)
	}
	var items []listedItem
	if err := json.Unmarshal([]byte(r.stdout), &items); err != nil {
		t.Fatalf("queue list json: %v\n%s", err, r.stdout)
	}
	return items
}

func find(items []listedItem, kind, state, finess string) []listedItem {
	var out []listedItem
	for _, it := range items {
		if it.Kind == kind && (state == "" || it.State == state) && (finess == "" || it.FINESS == finess) {
			out = append(out, it)
		}
	}
	return out
}

// TestImportQueueAndReconcile runs the whole job as `make run` does, then a
// second extract closes the loop.
func TestImportQueueAndReconcile(t *testing.T) {
	url := storetest.NewSchema(t)
	env := map[string]string{"DATABASE_URL": url}
	if r := run(t, env, "directory", "load", firstExtract, cardExtract); r.code != 0 {
		t.Fatalf("directory load: exit %d: %s", r.code, r.stderr)
	}
	r := run(t, env, append([]string{"import", "--agency", "Intérim Synthétique"}, agencyFiles...)...)
	if r.code != 0 {
		t.Fatalf("import: exit %d: %s", r.code, r.stderr)
	}
	items := listItems(t, env)
	const chA, chB = "250999901", "690999909"
	for _, c := range []struct {
		kind, finess string
		n            int
	}{
		{"register_rpps_plus", chA, 2}, // BERNARD (St Etienne), FAURE (postal code as birth place)
		{"follow_up_ordre", chB, 1},    // LAMBERT Chloé, infirmière
		{"follow_up_ars", chB, 1},      // ROUX Yanis, ergothérapeute
		{"confirm_candidate", chA, 1},  // DUBOIS Marie
		{"order_mie", chB, 1},          // LEFÈVRE Sophie holds no CPS card
	} {
		if got := find(items, c.kind, "", c.finess); len(got) < c.n {
			t.Errorf("%s at %s: %d items, want at least %d", c.kind, c.finess, len(got), c.n)
		}
	}
	// MERCIER's mission (Saint-Denis: ambiguous) ended on 2026-11-20, before
	// the run: it asks nothing of the structure (issue 15), nor do the other
	// missions ended by then; the hidden sheet's row is not queued.
	if got := find(items, "register_rpps_plus", "", "750999906"); len(got) != 0 {
		t.Errorf("an ended mission made work for its structure: %+v", got)
	}
	if len(find(items, "validate_activity", "", "")) < 4 || len(find(items, "fix_data", "", "")) < 4 {
		t.Errorf("too few validate_activity / fix_data items: %+v", items)
	}
	for _, it := range find(items, "register_rpps_plus", "", chA) {
		if it.Registration == nil {
			t.Errorf("registration %d is not pre-filled", it.ID)
		} else if it.Registration.BirthName == "BERNARD" && it.Registration.BirthINSEE != "42218" {
			t.Errorf("BERNARD's birth commune is %q, want 42218", it.Registration.BirthINSEE)
		}
	}

	// The same files again change nothing.
	status := run(t, env, "status", "--format", "json").stdout
	for _, want := range []string{`"files": 3`, `"rows": 23`, `"contracts": 23`, `"card_extract": {`} {
		if !strings.Contains(status, want) {
			t.Errorf("status lacks %s:\n%s", want, status)
		}
	}
	r = run(t, env, append([]string{"import", "--agency", "Intérim Synthétique"}, agencyFiles...)...)
	if r.code != 0 || strings.Count(r.stdout, "déjà importé") != len(agencyFiles) {
		t.Fatalf("second import: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if again := run(t, env, "status", "--format", "json").stdout; again != status {
		t.Errorf("importing the same files again changed the database:\n%s\n%s", status, again)
	}

	// A human confirms the candidate: the item moves on as a match.
	cands := find(items, "confirm_candidate", "pending", chA)
	if len(cands) != 1 || len(cands[0].Candidates) == 0 {
		t.Fatalf("candidate item: %+v", cands)
	}
	r = run(t, env, "queue", "resolve", jsonNumber(cands[0].ID), "--confirm", cands[0].Candidates[0].RPPS, "--format", "table") // the order the README shows
	if r.code != 0 || !strings.Contains(r.stdout, "nouvelle demande") {
		t.Fatalf("queue resolve: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, env, "queue", "resolve", "--reject", jsonNumber(cands[0].ID)); r.code == 0 {
		t.Errorf("resolving a closed item again succeeded:\n%s", r.stdout)
	}

	// The next extract lists BERNARD Kevin at CH-A: his registration is done
	// with his new RPPS, and his e-CPS activation is due.
	r = run(t, env, "directory", "load", nextExtract)
	if r.code != 0 {
		t.Fatalf("second directory load: exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "Depuis PS_LibreAcces_Personne_activite_202611200800.txt") {
		t.Errorf("the load does not say what changed since the previous extract:\n%s", r.stdout)
	}
	items = listItems(t, env, "--finess", chA)
	done := false
	for _, it := range find(items, "register_rpps_plus", "done", chA) {
		for _, h := range it.History {
			done = done || h.RPPS == "10999000135"
		}
	}
	if !done {
		t.Errorf("BERNARD's registration is not done with RPPS 10999000135: %+v", find(items, "register_rpps_plus", "", chA))
	}
	if len(find(items, "activate_ecps", "pending", chA)) != 1 {
		t.Errorf("no e-CPS activation item after the registration was fulfilled")
	}
	for _, it := range items {
		if it.FINESS != chA {
			t.Errorf("queue list --finess %s shows item %d of %s", chA, it.ID, it.FINESS)
		}
	}

	// One structure's export holds nothing of another structure.
	out := filepath.Join(t.TempDir(), "ch-a.csv")
	if r := run(t, env, "queue", "export", "--finess", chA, "--format", "csv", "--state", "all", "--out", out); r.code != 0 {
		t.Fatalf("queue export: exit %d: %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, other := range []string{"LAMBERT", "ROUX", "MERCIER", chB} {
		if strings.Contains(string(b), other) {
			t.Errorf("CH-A's export mentions %s of another structure", other)
		}
	}
	if !strings.Contains(string(b), "BERNARD") {
		t.Errorf("CH-A's export lacks its own registration:\n%s", b)
	}

	// Purge: contracts that ended before today lose their personal data.
	if r := run(t, env, "purge", "--retention", "0d"); r.code != 0 || !strings.Contains(r.stdout, "contrats") {
		t.Fatalf("purge: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, env, "queue", "list", "--format", "json", "--state", "all"); strings.Contains(r.stdout, "ROUSSEAU") {
		t.Errorf("a purged contract (ended 2026-11-20) still shows its worker's name")
	}
}

func jsonNumber(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
