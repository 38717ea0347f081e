package store_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/rppsync/rppsync/directory"
	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/store/storetest"
)

// exampleTB gives an example a fresh schema through storetest, which needs
// a testing.TB: a minimal one that stops the example on failure.
type exampleTB struct {
	testing.TB
	cleanups []func()
}

func (e *exampleTB) Helper()          {}
func (e *exampleTB) Cleanup(f func()) { e.cleanups = append(e.cleanups, f) }
func (e *exampleTB) Fatalf(f string, args ...any) {
	fmt.Fprintf(os.Stderr, f+"\n", args...)
	os.Exit(1)
}
func (e *exampleTB) Errorf(f string, args ...any) { fmt.Fprintf(os.Stderr, f+"\n", args...) }
func (e *exampleTB) done() {
	for i := len(e.cleanups) - 1; i >= 0; i-- {
		e.cleanups[i]()
	}
}

func ExampleDB_LoadDirectory() {
	tb := &exampleTB{}
	defer tb.done()
	url := storetest.NewSchema(tb) // in production: the DATABASE_URL

	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{URL: url})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		fmt.Println(err)
		return
	}
	lines := []directory.Line{
		line("10000000002", "DUPONT", "Marc", "10", "750000001"),
		line("10000000002", "DUPONT", "Marc", "10", "690000002"),
		line("10000000003", "Dupond", "Léa", "50", "690000002"),
	}
	rep, err := db.LoadDirectory(ctx, store.ExtractInfo{Name: "PS_LibreAcces_Personne_activite_202601050000.txt", Date: day(5)},
		&sliceSource{lines: lines}, store.LoadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d lines, %d people\n", rep.Lines, rep.People)

	ps, err := db.Directory().Professionals(ctx, []string{"10000000002", "10000000099"})
	if err != nil {
		fmt.Println(err)
		return
	}
	p := ps["10000000002"]
	fmt.Println(len(ps), p.LastName, p.ProfessionCode, len(p.Activities), p.Activities[1].FinessSite)
	// Output:
	// 3 lines, 2 people
	// 1 DUPONT 10 2 690000002
}
