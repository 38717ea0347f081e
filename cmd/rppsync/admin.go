package main

import (
	"context"
	"fmt"
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
	if format == "json" {
		return writeJSON(m.Stdout, st)
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
	return nil
}
