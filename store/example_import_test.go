package store_test

import (
	"context"
	"fmt"
	"time"

	"github.com/rppsync/rppsync/namekey"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/store/storetest"
)

// ExampleDB_ImportFile records a file of one worker to register, imports it
// a second time, then lists the structure's queue.
func ExampleDB_ImportFile() {
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

	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	start, _ := rppsync.NewDate(2026, 12, 1)
	end, _ := rppsync.NewDate(2026, 12, 21)
	rec := rppsync.Record{Path: "agence.csv", Row: 2,
		LastName:  rppsync.Name{Display: "EXEMPLE", Folded: namekey.Fold("EXEMPLE")},
		FirstName: rppsync.Name{Display: "Alex", Folded: namekey.Fold("Alex")},
		Civility:  "M", BirthDate: rppsync.Date{Year: 1990, Month: 1, Day: 2}, FINESS: "250999901",
		Start: start, End: end, Email: "alex@example.invalid", Phone: "0600000000"}
	v := rppsync.Verdict{Row: 2, Status: rppsync.StatusToRegister, ProfessionCode: rppsync.Ptr("313"),
		Channel: rppsync.Ptr(rppsync.ChannelRPPSPlus), BirthINSEE: rppsync.Ptr("42218"), FINESS: rppsync.Ptr("250999901"),
		ContractStart: start, ContractEnd: end}
	rows := []store.ImportRow{{Record: rec, Verdict: v, Items: queue.Build(rec, v, queue.Cards{}, now)}}
	file := store.ImportFile{Path: "agence.csv", Agency: "Exemple Intérim", Format: "csv",
		SHA256: "5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"}

	rep, err := db.ImportFile(ctx, file, rows, now)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("rows %d, contracts %d, items %d\n", rep.Rows, rep.ContractsNew, rep.ItemsCreated)
	again, err := db.ImportFile(ctx, file, rows, now)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("duplicate:", again.Duplicate, again.DuplicateOf == rep.FileID)
	items, err := db.Items(ctx, store.ItemFilter{FINESS: "250999901", States: []queue.State{queue.StatePending}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, it := range items {
		fmt.Println(it.Kind, it.State, it.Registration.BirthINSEE)
	}
	// Output:
	// rows 1, contracts 1, items 1
	// duplicate: true true
	// register_rpps_plus pending 42218
}
