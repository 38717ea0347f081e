package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/structures"
)

func (m *Main) runStructures(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "load" && args[0] != "list") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(m.Stderr, "Usage: rppsync structures load FILE | rppsync structures list [--format table|json]")
			return nil
		}
		return usagef("utilisez « rppsync structures load FICHIER » ou « rppsync structures list »")
	}
	if args[0] == "load" {
		return m.structuresLoad(ctx, args[1:])
	}
	return m.structuresList(ctx, args[1:])
}

func (m *Main) structuresLoad(ctx context.Context, args []string) error {
	var cfg config
	fs := m.flags("structures load", "structures load FILE\n\nLoads the structures and agencies configuration (see fixtures/structures.example.json and the README):\nwho receives the digests and fix lists, and the names agencies write for each FINESS. The whole\nconfiguration is replaced; FINESS with no configured structure keep their rows and are reported.", &cfg, "database-url")
	if err := m.parse(fs, &cfg, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("indiquez le fichier de configuration des structures à charger")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return usagef("impossible de lire %s : %v", fs.Arg(0), err)
	}
	defer f.Close()
	file, err := structures.Parse(f)
	if err != nil {
		return fmt.Errorf("%s : %w", fs.Arg(0), err)
	}
	if err := file.CheckSecrets(os.LookupEnv); err != nil {
		return fmt.Errorf("%s : %w", fs.Arg(0), err)
	}
	db, err := m.openDB(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := db.LoadStructures(ctx, file, m.Now())
	if err != nil {
		return err
	}
	diff := func(what string, d store.ConfigDiff) {
		fmt.Fprintf(m.Stdout, "%s : %d ajoutée(s), %d modifiée(s), %d retirée(s), %d inchangée(s).\n",
			what, len(d.Added), len(d.Changed), len(d.Removed), d.Unchanged)
	}
	diff("Structures", rep.Structures)
	diff("Agences", rep.Agencies)
	return m.printUnconfigured(ctx, db)
}

// printUnconfigured reports the FINESS the imported rows name that no
// configured structure has: their rows are kept, nobody receives them.
func (m *Main) printUnconfigured(ctx context.Context, db *store.DB) error {
	missing, err := db.UnconfiguredFINESS(ctx)
	if err != nil {
		return err
	}
	for _, u := range missing {
		fmt.Fprintf(m.Stdout, "  FINESS %s : aucune structure configurée (%d contrat(s), %d demande(s) en cours, agences : %s) — ses lignes sont gardées ; ajoutez-la au fichier.\n",
			u.FINESS, u.Contracts, u.Pending, strings.Join(u.Agencies, ", "))
	}
	return nil
}

func (m *Main) structuresList(ctx context.Context, args []string) error {
	var cfg config
	fs := m.flags("structures list", "structures list [--format table|json]", &cfg, "database-url", "format")
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
	ss, err := db.Structures(ctx)
	if err != nil {
		return err
	}
	as, err := db.Agencies(ctx)
	if err != nil {
		return err
	}
	for i := range ss {
		ss[i].Structure = ss[i].Redacted()
	}
	if format == "json" {
		return writeJSON(m.Stdout, map[string]any{"structures": ss, "agencies": as})
	}
	if len(ss) == 0 && len(as) == 0 {
		fmt.Fprintln(m.Stdout, "Aucune structure configurée (rppsync structures load FICHIER).")
		return nil
	}
	for _, s := range ss {
		digest := "pas de synthèse"
		if s.Digest.Enabled {
			digest = fmt.Sprintf("synthèse à %s", s.Digest.Time)
		}
		hook := ""
		if s.Webhook != nil {
			hook = ", webhook"
		}
		fmt.Fprintf(m.Stdout, "%s  %s — %d destinataire(s)%s, %s ; noms connus : %s\n", s.FINESS, s.Name,
			len(s.Emails()), hook, digest, strings.Join(s.Aliases, " | "))
	}
	for _, a := range as {
		fmt.Fprintf(m.Stdout, "Agence %s — %d destinataire(s) ; noms connus : %s\n", a.Name, len(a.Emails()), strings.Join(a.Aliases, " | "))
	}
	return m.printUnconfigured(ctx, db)
}

// structureNames resolves a structure's name as agencies write it to its
// FINESS, from the configuration loaded in the database, read again at
// most once a minute (serve runs for days; `structures load` may change it).
type structureNames struct {
	db   *store.DB
	now  func() time.Time
	mu   sync.Mutex
	file *structures.File
	at   time.Time
}

// Resolve returns the FINESS of name, or false when no configured
// structure bears that name (or none is configured).
func (s *structureNames) Resolve(name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now := s.now(); s.at.IsZero() || now.Sub(s.at) > time.Minute {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		f, err := s.db.StructureConfig(ctx)
		cancel()
		if err == nil || errors.Is(err, store.ErrStructuresNotLoaded) {
			s.file, s.at = f, now
		}
	}
	if s.file == nil {
		return "", false
	}
	return s.file.Resolve(name)
}
