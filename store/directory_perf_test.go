package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"os"
	"reflect"
	"slices"
	"syscall"
	"testing"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/directory"
	"github.com/rppsync/rppsync/importer"
	"github.com/rppsync/rppsync/matcher"
	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/store/storetest"
)

// sharedKeysExtract is an extract where many people share blocking keys
// (MARTIN, MARTINS, MARIN, MATIN, MARTAIN…), whose lines are spread over
// the file, and one person (10000000007) whose lines carry two last names
// (MARIN, then MARTIN after a name change) and come in two runs.
func sharedKeysExtract() []directory.Line {
	names := []string{"MARTIN", "Martins", "MARIN", "Matin", "MARTAIN", "Le Martin", "DUPONT", "Dupond", "N'Guyen", "Nguyen"}
	var ls []directory.Line
	for round := range 3 {
		for i, n := range names {
			if round > 0 && i%3 != round%3 {
				continue // people with one, two or three lines
			}
			finess := fmt.Sprintf("%02d000000%d", 10+i, round)
			ls = append(ls, line(fmt.Sprintf("100000001%02d", i), n, fmt.Sprintf("Prénom%d", i), "60", finess))
		}
		ls = append(ls, line("10000000007", []string{"MARIN", "MARTIN", "MARTIN"}[round], "Ève", []string{"60", "10", "10"}[round], ""))
	}
	return ls
}

// wantByNameKeys is the in-memory oracle of ByNameKeys over lines: for
// each key, the people with a line whose folded last name has that key,
// sorted by RPPS, with all their activities in file order and the names
// and profession of their first line.
func wantByNameKeys(lines []directory.Line, keys []string) map[string][]rppsync.Professional {
	people := map[string]*rppsync.Professional{}
	nameKeys := map[string][]string{}
	for _, l := range lines {
		p := people[l.ID]
		if p == nil {
			p = &rppsync.Professional{RPPS: l.ID, LastName: l.LastName, FirstName: l.FirstName,
				ProfessionCode: l.ProfessionCode, ProfessionLabel: l.ProfessionLabel}
			people[l.ID] = p
		}
		p.Activities = append(p.Activities, l.Activity())
		for _, k := range matcher.NameKeys(matcher.Fold(l.LastName)) {
			if !slices.Contains(nameKeys[k], l.ID) {
				nameKeys[k] = append(nameKeys[k], l.ID)
			}
		}
	}
	want := map[string][]rppsync.Professional{}
	for _, k := range keys {
		ids := slices.Sorted(slices.Values(nameKeys[k]))
		if len(ids) == 0 || want[k] != nil {
			continue
		}
		for _, id := range ids {
			want[k] = append(want[k], *people[id])
		}
	}
	return want
}

// TestByNameKeysSharedKeys checks ByNameKeys against the oracle on both of
// its query plans: a few keys (looked up by name) and many keys (the
// directory read once), padded with keys no one has.
func TestByNameKeysSharedKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	lines := sharedKeysExtract()
	if _, err := db.LoadDirectory(ctx, store.ExtractInfo{Name: "shared.txt", Date: day(7)}, &sliceSource{lines: lines}, store.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	var asked []string
	for _, n := range []string{"Martin", "Marin", "Dupont", "Nguyen", "Personne"} {
		asked = append(asked, matcher.NameKeys(matcher.Fold(n))...)
	}
	many := slices.Clone(asked)
	for i := 0; len(many) < 12_000; i++ {
		many = append(many, fmt.Sprintf("N:ABSENT%05d", i))
	}
	tests := []struct {
		name string
		keys []string
	}{
		{"few keys", asked},
		{"few keys twice", append(slices.Clone(asked), asked...)},
		{"many keys", many},
		{"no key", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Directory().ByNameKeys(ctx, tt.keys)
			if err != nil {
				t.Fatal(err)
			}
			want := wantByNameKeys(lines, tt.keys)
			if !reflect.DeepEqual(got, want) {
				for k := range want {
					if !reflect.DeepEqual(got[k], want[k]) {
						t.Errorf("key %s:\n got %+v\nwant %+v", k, got[k], want[k])
					}
				}
				for k := range got {
					if _, ok := want[k]; !ok {
						t.Errorf("key %s: got %+v, want absent", k, got[k])
					}
				}
			}
			if n := len(got["D:MARTIN"]); tt.keys != nil && n != 4 {
				t.Errorf("D:MARTIN lists %d people, want 4 (MARTIN twice, MARTINS, MARTAIN)", n)
			}
		})
	}
	// The person with two names is found under the keys of both, with the
	// names and profession of its first line and all three activities.
	got, err := db.Directory().ByNameKeys(ctx, []string{"N:MARTIN", "N:MARIN"})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"N:MARTIN", "N:MARIN"} {
		i := slices.IndexFunc(got[k], func(p rppsync.Professional) bool { return p.RPPS == "10000000007" })
		if i < 0 {
			t.Fatalf("%s does not list the person with two names: %+v", k, got[k])
		}
		if p := got[k][i]; p.LastName != "MARIN" || p.ProfessionCode != "60" || len(p.Activities) != 3 {
			t.Errorf("%s: person with two names = %+v", k, p)
		}
	}
}

// benchAgencyFile is the 10k-row agency file the full-size benchmark reads
// its names from (generated with the full-size extract loaded in the
// database RPPSYNC_BENCH_URL names).
const benchAgencyFile = "/tmp/genbench/agency-10k.csv"

// benchCheckBatch is how many rows cmd/rppsync hands to the matcher at once,
// each batch making one ByNameKeys call.
const benchCheckBatch = 5000

// BenchmarkByNameKeysFullSize asks a full-size directory (RPPSYNC_BENCH_URL,
// read only) for the name keys of a 10k-row agency file, in batches of
// 5000 rows as `rppsync check` does, and reports the (key, person) pairs
// returned, the peak RSS of the process and a digest of the results, so
// that two implementations can be compared for speed and for sameness.
// Run it alone so that the peak RSS is its own:
//
//	RPPSYNC_BENCH_URL=postgres://postgres@127.0.0.1:5432/rppsync_bench?sslmode=disable \
//	  go test ./store/ -run '^$' -bench ByNameKeysFullSize -benchtime 1x
func BenchmarkByNameKeysFullSize(b *testing.B) {
	url := os.Getenv("RPPSYNC_BENCH_URL")
	if url == "" {
		b.Skip("RPPSYNC_BENCH_URL is not set: no full-size directory to read")
	}
	ctx := context.Background()
	f, err := importer.ReadFile(ctx, benchAgencyFile, importer.Options{})
	if err != nil {
		b.Fatalf("read %s: %v", benchAgencyFile, err)
	}
	var batches [][]string
	asked := 0
	for start := 0; start < len(f.Records); start += benchCheckBatch {
		_, keys := matcher.Wanted(f.Records[start:min(start+benchCheckBatch, len(f.Records))])
		batches = append(batches, keys)
		asked += len(keys)
	}
	db, err := store.Open(ctx, store.Config{URL: url})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	dir := db.Directory()
	b.Logf("%d rows, %d batches, %d keys asked", len(f.Records), len(batches), asked)

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var pairs int
		h := sha256.New()
		for _, keys := range batches {
			byKey, err := dir.ByNameKeys(ctx, keys)
			if err != nil {
				b.Fatal(err)
			}
			for _, ps := range byKey {
				pairs += len(ps)
			}
			if i == 0 {
				b.StopTimer()
				digestByKey(h, byKey)
				b.StartTimer()
			}
		}
		b.ReportMetric(float64(pairs), "pairs/op")
		if i == 0 {
			b.Logf("(key, person) pairs %d, digest %s", pairs, hex.EncodeToString(h.Sum(nil)))
		}
	}
	b.StopTimer()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MB") // Maxrss is in KiB on Linux
	}
}

// digestByKey writes byKey to h in a canonical order: keys sorted, each
// with its people in the order returned and every field of each person.
func digestByKey(h hash.Hash, byKey map[string][]rppsync.Professional) {
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var buf []byte
	put := func(ss ...string) {
		for _, s := range ss {
			buf = append(append(buf, s...), 0)
		}
	}
	for _, k := range keys {
		buf = buf[:0]
		put("key", k)
		for _, p := range byKey[k] {
			put(p.RPPS, p.LastName, p.FirstName, p.ProfessionCode, p.ProfessionLabel)
			for _, a := range p.Activities {
				put(a.FinessSite, a.FinessJuridique, a.SiteName, a.ModeCode, a.CommuneCode, a.RoleCode)
			}
		}
		h.Write(buf)
	}
}
