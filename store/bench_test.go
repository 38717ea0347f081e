package store_test

import (
	"context"
	"syscall"
	"testing"

	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/store/storetest"
)

// extractLines is the size of a real PS_LibreAcces_Personne_activite file.
const extractLines = 2_230_000

// BenchmarkLoadDirectory loads a generated 2.23 M-line extract over a
// previous one (the nightly case: COPY, indexes, changes, swap) and reports
// lines per second and the process's peak RSS. Compare its ns/op with
// `psql \copy` of the raw file into an unindexed 56-text-column table.
func BenchmarkLoadDirectory(b *testing.B) {
	if testing.Short() {
		b.Skip("loads 2.23 M lines; skipped with -short")
	}
	ctx := context.Background()
	db := storetest.New(b)
	first, err := db.LoadDirectory(ctx, store.ExtractInfo{Name: "first.txt", Date: day(1)}, &genSource{n: extractLines, variant: -1}, store.LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("first load: %+v", first.Timings)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := db.LoadDirectory(ctx, store.ExtractInfo{Name: "next.txt", Date: day(2 + i)}, &genSource{n: extractLines, variant: i % 89}, store.LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("load %d: lines %d people %d changes %d/%d/%d/%d timings %+v", i, rep.Lines, rep.People,
			rep.Changes.PeopleAdded, rep.Changes.PeopleRemoved, rep.Changes.ActivitiesAdded, rep.Changes.ActivitiesEnded, rep.Timings)
	}
	b.StopTimer()
	b.ReportMetric(float64(extractLines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MB") // Maxrss is in KiB on Linux
	}
}
