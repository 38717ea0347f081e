package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/matcher"
	"github.com/rppsync/rppsync/matcher/insee"
	"github.com/rppsync/rppsync/queue"
	"github.com/rppsync/rppsync/store"
)

func (m *Main) runImport(ctx context.Context, args []string) error {
	var cfg config
	fs := m.flags("import", "import [--agency NAME] [--dropped-by WHO] FILE...\n\nChecks the files like `check`, then records files, rows, contracts and the\nstructures' queue items. The same file twice changes nothing; a corrected\nfile updates the contracts it changes.", &cfg,
		"database-url", "profile", "agency", "dropped-by")
	if err := m.parse(fs, &cfg, args); err != nil {
		return err
	}
	paths, opts, err := m.agencyFiles(fs.Args(), &cfg)
	if err != nil {
		return err
	}
	db, err := m.openDB(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()

	// The birth-place index takes about 100 ms to build: build it while
	// the files are read.
	go insee.Default()
	results, records, err := m.readFiles(ctx, paths, opts, 0, nil)
	if err != nil {
		return err
	}
	var dir matcher.Directory
	if _, err := db.DirectoryStatus(ctx); err == nil {
		dir = db.Directory()
	} else if errors.Is(err, store.ErrNoDirectory) {
		m.log.Warn().Msg("the database holds no directory: RPPS are not checked and no registration is prepared (run `rppsync directory load`)")
	} else {
		return err
	}
	mt, err := matcher.New(matcher.Config{Directory: dir, Places: insee.Default()})
	if err != nil {
		return err
	}
	if err := judge(ctx, mt, checkBatch, results, records); err != nil {
		return err
	}
	cards, err := m.cardsFor(ctx, db, results)
	if err != nil {
		return err
	}

	agency, droppedBy := cfg.get("agency"), cfg.get("dropped-by")
	if droppedBy == "" {
		droppedBy = currentUser(m.Getenv)
	}
	now := m.Now()
	unreadable := 0
	for i, res := range results {
		f := store.ImportFile{Path: res.Path, Agency: agency, DroppedBy: droppedBy, Sheets: res.Sheets,
			Unmapped: res.Unmapped, NIRColumns: res.NIRColumns, Error: res.Error}
		if res.Error != nil {
			unreadable++
		}
		sum, err := fileSHA256(res.Path)
		if err != nil {
			if res.Error == nil {
				return fmt.Errorf("hash %s: %w", res.Path, err)
			}
			// A missing file has no content to hash: record nothing for it.
			continue
		}
		f.SHA256 = sum
		rows := make([]store.ImportRow, len(records[i]))
		for j, rec := range records[i] {
			v := res.Rows[j]
			rows[j] = store.ImportRow{Record: rec, Verdict: v, Items: queue.Build(rec, v, cards, now)}
		}
		rep, err := db.ImportFile(ctx, f, rows, now)
		if err != nil {
			return fmt.Errorf("import %s: %w (nothing of this file was recorded; run the import again)", res.Path, err)
		}
		m.log.Info().Str("file", res.Path).Int64("file_id", rep.FileID).Bool("duplicate", rep.Duplicate).Int("rows", rep.Rows).
			Int("contracts_new", rep.ContractsNew).Int("contracts_updated", rep.ContractsUpdated).
			Int("items_created", rep.ItemsCreated).Int("items_cancelled", rep.ItemsCancelled).Msg("file imported")
		m.printImport(m.Stdout, res, rep)
	}
	if unreadable > 0 {
		return errFilesUnreadable
	}
	return nil
}

// cardsFor fetches, in one query, the CPS cards of every RPPS the rows name.
func (m *Main) cardsFor(ctx context.Context, db *store.DB, results []rppsync.FileResult) (queue.Cards, error) {
	seen := map[string]bool{}
	var rpps []string
	for _, r := range results {
		for _, v := range r.Rows {
			if v.RPPS != nil && !seen[*v.RPPS] {
				seen[*v.RPPS] = true
				rpps = append(rpps, *v.RPPS)
			}
		}
	}
	sort.Strings(rpps)
	byRPPS, err := db.Cards(ctx, rpps)
	if errors.Is(err, store.ErrNoCards) {
		m.log.Warn().Msg("no card extract loaded: MIE needs are not computed (load a Porteurs_CPS_CPF extract)")
		return queue.Cards{}, nil
	}
	if err != nil {
		return queue.Cards{}, err
	}
	c := queue.Cards{Known: true}
	for _, k := range sortedKeys(byRPPS) {
		c.List = append(c.List, byRPPS[k]...)
	}
	return c, nil
}

func (m *Main) printImport(w io.Writer, res rppsync.FileResult, rep *store.ImportReport) {
	if rep.Duplicate {
		fmt.Fprintf(w, "%s : déjà importé le %s (fichier n°%d) : rien n'a changé.\n", res.Path, rep.DuplicateAt.Local().Format("02/01/2006 15:04"), rep.DuplicateOf)
		return
	}
	if res.Error != nil {
		fmt.Fprintf(w, "%s : illisible, enregistré comme tel : %s\n", res.Path, res.Error.Message)
		return
	}
	fmt.Fprintf(w, "%s : %d lignes ; contrats : %d nouveaux, %d mis à jour, %d inchangés ; demandes : %d créées, %d mises à jour, %d annulées.\n",
		res.Path, rep.Rows, rep.ContractsNew, rep.ContractsUpdated, rep.ContractsUnchanged, rep.ItemsCreated, rep.ItemsUpdated, rep.ItemsCancelled)
	for _, c := range rep.Changes {
		where := fmt.Sprintf("ligne %d", c.Row)
		if c.Sheet != "" {
			where = fmt.Sprintf("feuille %s, ligne %d", c.Sheet, c.Row)
		}
		fmt.Fprintf(w, "  %s : contrat mis à jour (%v)\n", where, c.Fields)
	}
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
