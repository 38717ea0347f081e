package inbox_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/rppsync/rppsync/inbox"
)

func ExampleInbox_Scan() {
	root, err := os.MkdirTemp("", "inbox")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(root)
	os.MkdirAll(filepath.Join(root, "Interim Plus"), 0o750)
	os.WriteFile(filepath.Join(root, "Interim Plus", "planning.csv"), []byte("nom;prenom;rpps\n"), 0o640)
	os.WriteFile(filepath.Join(root, "Interim Plus", "~$planning.xlsx"), []byte("verrou Excel"), 0o640)
	os.Symlink("/etc/hostname", filepath.Join(root, "lien.csv"))

	clock := &fakeClock{now: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	in, err := inbox.New(inbox.Config{Root: root, StableFor: time.Minute, Clock: clock})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	res, _ := in.Scan(ctx) // first sight: nothing is stable yet
	fmt.Println("pending:", res.Pending, "ignored:", res.Ignored)

	clock.advance(time.Minute)
	res, _ = in.Scan(ctx)
	for _, f := range res.Ready {
		fmt.Printf("ready: %s (agency %q, %d bytes, sha256 %.12s…)\n", f.Path, f.Agency, f.Size, f.SHA256)
		dest, err := in.Finish(ctx, f, inbox.Done, inbox.Report{Name: "rapport.csv", Data: []byte("ligne;statut\n")})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("moved to:", dest)
	}
	for _, r := range res.Refused {
		fmt.Printf("refused: %s (%s)\n", r.Path, r.Code)
		dest, err := in.Reject(ctx, r)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("moved to:", dest)
	}
	// Output:
	// pending: 1 ignored: 1
	// ready: Interim Plus/planning.csv (agency "Interim Plus", 16 bytes, sha256 181bddf35c2b…)
	// moved to: done/2026-12-04/Interim Plus/planning.csv
	// refused: lien.csv (symlink_outside)
	// moved to: rejected/2026-12-04/lien.csv
}
