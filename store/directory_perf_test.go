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
	"time"

	"github.com/rppsync/rppsync/namekey"

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

// searchOf returns the name search of agency rows without identifier
// named (last, first), as matcher.Wanted builds it.
func searchOf(names ...[2]string) *matcher.NameSearch {
	recs := make([]rppsync.Record, len(names))
	for i, n := range names {
		recs[i] = rppsync.Record{Row: i + 2, Profession: "IDE",
			LastName:  rppsync.Name{Display: n[0], Folded: namekey.Fold(n[0])},
			FirstName: rppsync.Name{Display: n[1], Folded: namekey.Fold(n[1])}}
	}
	_, s := matcher.Wanted(recs, 0)
	return s
}

// wantByNameKeys is the in-memory oracle of ByNameKeys over lines: for
// each key of s, the people with a line whose folded last name has that
// key and a line whose folded last name and first name s.Keep accepts,
// sorted by RPPS, with all their activities in file order and the names
// and profession of their first line.
func wantByNameKeys(lines []directory.Line, s *matcher.NameSearch) map[string][]rppsync.Professional {
	people := map[string]*rppsync.Professional{}
	nameKeys := map[string][]string{}
	kept := map[string]bool{}
	for _, l := range lines {
		p := people[l.ID]
		if p == nil {
			p = &rppsync.Professional{RPPS: l.ID, LastName: l.LastName, FirstName: l.FirstName,
				ProfessionCode: l.ProfessionCode, ProfessionLabel: l.ProfessionLabel}
			people[l.ID] = p
		}
		p.Activities = append(p.Activities, l.Activity())
		folded := namekey.Fold(l.LastName)
		for _, k := range namekey.Keys(folded) {
			if !slices.Contains(nameKeys[k], l.ID) {
				nameKeys[k] = append(nameKeys[k], l.ID)
			}
		}
		if s.Keep(folded, l.FirstName) {
			kept[l.ID] = true
		}
	}
	want := map[string][]rppsync.Professional{}
	for _, k := range s.Keys() {
		for _, id := range slices.Sorted(slices.Values(nameKeys[k])) {
			if kept[id] {
				want[k] = append(want[k], *people[id])
			}
		}
	}
	return want
}

// rppsOf returns the RPPS of ps, in order.
func rppsOf(ps []rppsync.Professional) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.RPPS)
	}
	return out
}

// TestByNameKeysSharedKeys checks ByNameKeys against the oracle: people
// sharing keys are returned only when the search accepts their first name,
// and a person with two last names is found, whole, under the keys of both.
func TestByNameKeysSharedKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	lines := sharedKeysExtract()
	if _, err := db.LoadDirectory(ctx, store.ExtractInfo{Name: "shared.txt", Date: day(7)}, &sliceSource{lines: lines}, store.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	eve := [][2]string{{"Martin", "Ève"}, {"Marin", "Ève"}}
	var everyone [][2]string
	for i, n := range []string{"MARTIN", "Martins", "MARIN", "Matin", "MARTAIN", "Le Martin", "DUPONT", "Dupond", "N'Guyen", "Nguyen"} {
		everyone = append(everyone, [2]string{n, fmt.Sprintf("Prénom%d", i)})
	}
	many := slices.Clone(eve)
	for i := range 3000 {
		// Names no one has, with keys of their own.
		many = append(many, [2]string{fmt.Sprintf("Absent %c%c%c", 'A'+i%26, 'A'+i/26%26, 'A'+i/676), "Jean"})
	}
	tests := []struct {
		name  string
		rows  [][2]string
		check func(t *testing.T, got map[string][]rppsync.Professional)
	}{
		{"one first name", eve, func(t *testing.T, got map[string][]rppsync.Professional) {
			// MARTIN, MARTINS, MARTAIN… share D:MARTIN but are not Ève.
			for _, k := range []string{"D:MARTIN", "N:MARTIN", "N:MARIN"} {
				if ids := rppsOf(got[k]); !slices.Equal(ids, []string{"10000000007"}) {
					t.Errorf("%s lists %v, want only the person with two names", k, ids)
				}
			}
			for _, k := range []string{"N:MARTIN", "N:MARIN"} {
				if ps := got[k]; len(ps) == 1 && (ps[0].LastName != "MARIN" || ps[0].ProfessionCode != "60" || len(ps[0].Activities) != 3) {
					t.Errorf("%s: person with two names = %+v", k, ps[0])
				}
			}
		}},
		{"every first name", everyone, func(t *testing.T, got map[string][]rppsync.Professional) {
			if n := len(got["D:MARTIN"]); n < 3 {
				t.Errorf("D:MARTIN lists %d people, want MARTIN, MARTINS and MARTAIN at least", n)
			}
		}},
		{"many rows", many, nil},
		{"names the directory does not hold, one typo away", [][2]string{{"Marrtin", "Prénom0"}, {"Dupon", "Prénom6"}, {"Martin", "Prénom1"}}, func(t *testing.T, got map[string][]rppsync.Professional) {
			if ids := rppsOf(got["D:DUPON"]); !slices.Contains(ids, "10000000106") {
				t.Errorf("D:DUPON lists %v, want DUPONT Prénom6", ids)
			}
		}},
		{"rows with their own keys only", [][2]string{{"Personne", "Jean"}}, func(t *testing.T, got map[string][]rppsync.Professional) {
			if len(got) != 0 {
				t.Errorf("got %v, want an empty map", got)
			}
		}},
		{"no row", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Directory().ByNameKeys(ctx, searchOf(tt.rows...))
			if err != nil {
				t.Fatal(err)
			}
			want := wantByNameKeys(lines, searchOf(tt.rows...))
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
			if tt.check != nil {
				tt.check(t, got)
			}
		})
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
// read only) for the name search of a 10k-row agency file, in batches of
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
	var batches [][]rppsync.Record
	asked := 0
	for start := 0; start < len(f.Records); start += benchCheckBatch {
		batch := f.Records[start:min(start+benchCheckBatch, len(f.Records))]
		_, s := matcher.Wanted(batch, 0)
		batches = append(batches, batch)
		asked += len(s.Keys())
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
		for _, batch := range batches {
			// A search memoises the gate's answers: each pass builds its
			// own, as each `rppsync check` does.
			b.StopTimer()
			_, s := matcher.Wanted(batch, 0)
			b.StartTimer()
			byKey, err := dir.ByNameKeys(ctx, s)
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

// TestByNameKeysOneSnapshot runs a load of another extract while
// ByNameKeys is between its first query and its second: the load must wait
// for the lookup's transaction (which holds the directory tables from its
// start) and then succeed, and the lookup must answer from the extract
// its first query saw. Reading the tables one query at a time, without
// holding them, would deadlock with the load's swap here. The transaction
// is read-only REPEATABLE READ by construction (ByNameKeys' BeginTx).
func TestByNameKeysOneSnapshot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	before := sharedKeysExtract()
	if _, err := db.LoadDirectory(ctx, store.ExtractInfo{Name: "before.txt", Date: day(7)}, &sliceSource{lines: before}, store.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	// The next extract renames the person with two names and brings
	// another Ève MARTIN.
	var after []directory.Line
	for _, l := range before {
		if l.ID == "10000000007" {
			l.FirstName = "Adam"
		}
		after = append(after, l)
	}
	after = append(after, line("10000000099", "MARTIN", "Ève", "60", ""))
	rows := [][2]string{{"Martin", "Ève"}, {"Marin", "Ève"}}

	dir := db.Directory()
	loaded := make(chan error, 1)
	dir.SetAfterKeys(func() {
		go func() {
			_, err := db.LoadDirectory(ctx, store.ExtractInfo{Name: "after.txt", Date: day(8)}, &sliceSource{lines: after}, store.LoadOptions{})
			loaded <- err
		}()
		// Wait until the load waits for a directory table.
		deadline := time.Now().Add(time.Minute)
		for {
			var waiting bool
			err := db.Pool().QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE NOT granted
				AND relation = 'directory_line'::regclass)`).Scan(&waiting)
			if err != nil {
				t.Error(err)
				return
			}
			if waiting {
				return
			}
			if time.Now().After(deadline) {
				t.Error("the load never waited for the lookup's transaction")
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
	got, err := dir.ByNameKeys(ctx, searchOf(rows...))
	if err != nil {
		t.Fatal(err)
	}
	if err := <-loaded; err != nil {
		t.Fatalf("load during the lookup: %v", err)
	}
	if want := wantByNameKeys(before, searchOf(rows...)); !reflect.DeepEqual(got, want) {
		t.Errorf("lookup during a load =\n%+v\nwant the extract before\n%+v", got, want)
	}
	got, err = db.Directory().ByNameKeys(ctx, searchOf(rows...))
	if err != nil {
		t.Fatal(err)
	}
	if want := wantByNameKeys(after, searchOf(rows...)); !reflect.DeepEqual(got, want) {
		t.Errorf("lookup after the load =\n%+v\nwant the extract after\n%+v", got, want)
	}
	if ids := rppsOf(got["N:MARTIN"]); !slices.Equal(ids, []string{"10000000099"}) {
		t.Errorf("N:MARTIN after the load lists %v, want the new Ève MARTIN only", ids)
	}
}
