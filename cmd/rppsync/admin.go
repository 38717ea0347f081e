package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rppsync/rppsync/store"
)

func (m *Main) runMigrate(ctx context.Context, args []string) error {
	var cfg config
	fs := m.flags("migrate", "migrate", &cfg, "database-url")
	if err := m.parse(fs, &cfg, args); err != nil {
		return err
	}
	db, err := m.openDB(ctx, &cfg) // openDB migrates
	if err != nil {
		return err
	}
	db.Close()
	fmt.Fprintln(m.Stdout, "Base de données à jour.")
	return nil
}

func (m *Main) runStatus(ctx context.Context, args []string) error {
	var cfg config
	fs := m.flags("status", "status [--format table|json]", &cfg, "database-url", "format")
	formats(fs, "table", "json")
	if err := m.parse(fs, &cfg, args); err != nil {
		return err
	}
	format, err := m.outputFormat(&cfg, m.Stdout, "table", "json")
	if err != nil {
		return err
	}
	db, err := m.openDB(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := db.Status(ctx)
	if err != nil {
		return err
	}
	runs, err := db.Runs(ctx, store.RunFilter{Limit: 5})
	if err != nil {
		return err
	}
	jobs, err := db.JobCounts(ctx)
	if err != nil && !errors.Is(err, store.ErrNoJobQueue) {
		return err
	}
	digests, err := db.Digests(ctx, 5)
	if err != nil {
		return err
	}
	if format == "json" {
		return writeJSON(m.Stdout, map[string]any{"database": st, "passes": nonNilSlice(runs), "jobs": nonNilSlice(jobs), "digests": nonNilSlice(digests)})
	}
	if d := st.Directory; d != nil {
		fmt.Fprintf(m.Stdout, "Annuaire : %s (extraction du %s, chargée le %s) : %d activités, %d personnes.\n",
			d.Name, d.Date.Format("02/01/2006"), d.LoadedAt.Local().Format("02/01/2006 15:04"), d.Activities, d.People)
		if d.CardExtract != nil {
			fmt.Fprintf(m.Stdout, "Cartes : %s : %d cartes.\n", d.CardExtract.Name, d.Cards)
		} else {
			fmt.Fprintln(m.Stdout, "Cartes : aucune extraction Porteurs_CPS_CPF chargée (les besoins de MIE ne sont pas calculés).")
		}
	} else {
		fmt.Fprintln(m.Stdout, "Annuaire : aucun chargé (rppsync directory load PATH).")
	}
	fmt.Fprintf(m.Stdout, "Fichiers importés : %d, lignes : %d, contrats : %d.\n", st.Files, st.Rows, st.Contracts)
	for _, k := range sortedKeys(st.Items) {
		fmt.Fprintf(m.Stdout, "  %s : %d\n", k, st.Items[k])
	}
	if len(runs) == 0 {
		fmt.Fprintln(m.Stdout, "Passages : aucun (rppsync run, ou rppsync serve).")
	}
	for _, r := range runs {
		end := "en cours"
		if r.FinishedAt != nil {
			end = r.FinishedAt.Local().Format("02/01/2006 15:04")
		}
		fmt.Fprintf(m.Stdout, "Passage n°%d (%s, %s) : %s, commencé le %s, fini %s ; %d fichier(s), %d message(s)%s\n",
			r.ID, r.Replica, r.Trigger, r.Outcome, r.StartedAt.Local().Format("02/01/2006 15:04"), end,
			r.Counts.Files, r.Counts.Messages, orEmpty(" ; erreur "+r.ErrorCode, r.ErrorCode != ""))
	}
	for _, j := range jobs {
		switch j.State {
		case "available", "scheduled", "running", "retryable":
			fmt.Fprintf(m.Stdout, "En attente : %d tâche(s) %s (%s).\n", j.Count, j.Kind, j.State)
		case "discarded", "cancelled":
			fmt.Fprintf(m.Stdout, "Échec : %d tâche(s) %s abandonnée(s) (%s) — rppsync notify les liste.\n", j.Count, j.Kind, j.State)
		}
	}
	for _, d := range digests {
		fmt.Fprintf(m.Stdout, "Synthèse pour %s %s du %s : %d demande(s), %d message(s).\n", strings.ToLower(d.Audience.Label()), d.Recipient,
			d.CreatedAt.Local().Format("02/01/2006 15:04"), d.Items, d.Messages)
	}
	return nil
}

func orEmpty(s string, ok bool) string {
	if ok {
		return s
	}
	return ""
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
