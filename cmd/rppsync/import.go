package main

import (
	"context"
	"fmt"
	"io"

	"github.com/rppsync/rppsync/pipeline"
)

func (m *Main) runImport(ctx context.Context, args []string) error {
	var cfg config
	fs := m.flags("import", "import [--agency NAME] [--dropped-by WHO] FILE...\n\nChecks the files like `check`, then records files, rows, contracts and the\nstructures' queue items. The same file twice changes nothing; a corrected\nfile updates the contracts it changes.", &cfg,
		"database-url", "profile", "agency", "dropped-by")
	if err := m.parse(fs, &cfg, args); err != nil {
		return err
	}
	paths, err := m.agencyFiles(fs.Args())
	if err != nil {
		return err
	}
	p, db, err := m.openPipeline(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	droppedBy := cfg.get("dropped-by")
	if droppedBy == "" {
		droppedBy = currentUser(m.Getenv)
	}
	imported, err := p.Import(ctx, db, paths, pipeline.ImportOptions{
		Agency: cfg.get("agency"), DroppedBy: droppedBy,
		OnFile: func(fi pipeline.FileImport) {
			if fi.Result.Error != nil {
				fmt.Fprintf(m.Stderr, "rppsync: %s\n", fi.Result.Error.Message)
			}
			m.printImport(m.Stdout, fi)
		},
	})
	if err != nil {
		return err
	}
	if imported.Unreadable > 0 {
		return errFilesUnreadable
	}
	return nil
}

func (m *Main) printImport(w io.Writer, fi pipeline.FileImport) {
	res, rep := fi.Result, fi.Report
	if rep == nil {
		return // a missing file: its error is on stderr
	}
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
	for _, c := range rep.Superseded {
		where := fmt.Sprintf("ligne %d", c.Row)
		if c.Sheet != "" {
			where = fmt.Sprintf("feuille %s, ligne %d", c.Sheet, c.Row)
		}
		fmt.Fprintf(w, "  %s : corrige le contrat n°%d (FINESS %s, du %s au %s) ; ses demandes en cours sont annulées.\n",
			where, c.Contract, orDash(c.FINESS), fmtDate(c.Start), fmtDate(c.End))
	}
}
