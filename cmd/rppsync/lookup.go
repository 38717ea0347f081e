package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/matcher"
	"github.com/rppsync/rppsync/matcher/insee"
	"github.com/rppsync/rppsync/pipeline"
)

func (m *Main) runLookup(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "rpps" && args[0] != "commune") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(m.Stderr, "Usage: rppsync lookup rpps [--format json] NUMBER...\n       rppsync lookup commune [--dept DD] [--born YYYY-MM-DD] [--format json] TEXT")
			return nil
		}
		return usagef("dites quoi chercher : « lookup rpps NUMÉRO... » ou « lookup commune TEXTE »")
	}
	if args[0] == "rpps" {
		return m.lookupRPPS(ctx, args[1:])
	}
	return m.lookupCommune(ctx, args[1:])
}

// rppsLookup is one entry of `lookup rpps --format json` (CONTRACT.md).
type rppsLookup struct {
	Input     string                `json:"input"`
	Valid     bool                  `json:"valid"`
	RPPS      *string               `json:"rpps"`
	Kind      *matcher.IdentKind    `json:"kind"`
	Issues    []rppsync.Issue       `json:"issues"`
	Directory *rppsync.Professional `json:"directory"`
}

func (m *Main) lookupRPPS(ctx context.Context, args []string) error {
	var cfg config
	fs := m.flags("lookup rpps", "lookup rpps [--format table|json] [--directory PATH] NUMBER...", &cfg, "database-url", "directory", "format")
	formats(fs, "table", "json")
	if err := m.parse(fs, &cfg, args); err != nil {
		return err
	}
	format, err := m.outputFormat(&cfg, m.Stdout, "table", "json")
	if err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("indiquez au moins un numéro (RPPS, 8+RPPS ou ADELI)")
	}
	entries := make([]rppsLookup, fs.NArg())
	var valid []string
	for i, in := range fs.Args() {
		id := matcher.ParseIdentifier(in)
		e := rppsLookup{Input: in, Valid: id.Valid, RPPS: rppsync.Ptr(id.RPPS), Issues: id.Issues}
		if id.Kind != matcher.KindNone {
			k := id.Kind
			e.Kind = &k
		}
		if e.Issues == nil {
			e.Issues = []rppsync.Issue{}
		}
		if id.Valid {
			valid = append(valid, id.RPPS)
		}
		entries[i] = e
	}
	if len(valid) > 0 {
		src := pipeline.Source{Extract: cfg.get("directory")}
		if src.Extract == "" && cfg.get("database-url") != "" {
			db, err := m.openDB(ctx, &cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			src.DB = db
		}
		p, err := m.newPipeline(&cfg, nil, nil)
		if err != nil {
			return err
		}
		dir, _, err := p.Directory(ctx, src, valid)
		if err != nil {
			return err
		}
		if dir != nil {
			found, err := dir.Professionals(ctx, valid)
			if err != nil {
				return err
			}
			for i := range entries {
				if entries[i].RPPS != nil {
					if p, ok := found[*entries[i].RPPS]; ok {
						entries[i].Directory = &p
					}
				}
			}
		}
	}
	if format == "json" {
		return writeJSON(m.Stdout, entries)
	}
	for _, e := range entries {
		kind := "—"
		if e.Kind != nil {
			kind = string(*e.Kind)
		}
		rpps := "—"
		if e.RPPS != nil {
			rpps = *e.RPPS
		}
		verdict := "valide"
		if !e.Valid {
			verdict = "invalide"
		}
		fmt.Fprintf(m.Stdout, "%s : %s (%s, RPPS %s)\n", e.Input, verdict, kind, rpps)
		for _, is := range e.Issues {
			fmt.Fprintf(m.Stdout, "  ↳ %s [%s]\n", is.Message, is.Code)
		}
		if d := e.Directory; d != nil {
			fmt.Fprintf(m.Stdout, "  annuaire : %s %s, %s (%s), %d activité(s)\n", d.LastName, d.FirstName, d.ProfessionLabel, d.ProfessionCode, len(d.Activities))
			for _, a := range d.Activities {
				if a.FinessSite != "" || a.SiteName != "" {
					fmt.Fprintf(m.Stdout, "    - FINESS %s %s\n", a.FinessSite, a.SiteName)
				}
			}
		} else if e.Valid {
			fmt.Fprintln(m.Stdout, "  annuaire : non consulté ou numéro absent")
		}
	}
	return nil
}

func (m *Main) lookupCommune(_ context.Context, args []string) error {
	var cfg config
	fs := m.flags("lookup commune", "lookup commune [--dept DD] [--born YYYY-MM-DD] [--format table|json] TEXT", &cfg, "format")
	dept := fs.String("dept", "", "The birth département (93, 2A, 974…), to decide between homonyms.")
	born := fs.String("born", "", "The birth date (YYYY-MM-DD): the commune is resolved as it was that day.")
	formats(fs, "table", "json")
	if err := m.parse(fs, &cfg, args); err != nil {
		return err
	}
	format, err := m.outputFormat(&cfg, m.Stdout, "table", "json")
	if err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("indiquez le lieu de naissance à chercher, par exemple rppsync lookup commune \"St Etienne\"")
	}
	var date rppsync.Date
	if *born != "" {
		d, err := rppsync.ParseISODate(*born)
		if err != nil {
			return usagef("--born %q : donnez la date sous la forme AAAA-MM-JJ", *born)
		}
		date = d
	}
	res := insee.Default().Resolve(strings.Join(fs.Args(), " "), *dept, date)
	if format == "json" {
		return writeJSON(m.Stdout, res)
	}
	switch res.Status {
	case insee.StatusOK:
		fmt.Fprintf(m.Stdout, "%s → %s %s\n", res.Input, deref(res.Code), deref(res.Name))
	case insee.StatusPostalCode:
		fmt.Fprintf(m.Stdout, "%s est un code postal, pas un code INSEE. Communes desservies :\n", res.Input)
	case insee.StatusAmbiguous:
		fmt.Fprintf(m.Stdout, "%s est ambigu : précisez le département. Communes possibles :\n", res.Input)
	default:
		fmt.Fprintf(m.Stdout, "%s : aucune commune ni aucun pays ne correspond.\n", res.Input)
	}
	for _, c := range res.Candidates {
		fmt.Fprintf(m.Stdout, "  %s %s (%s)\n", c.Code, c.Name, c.Dept)
	}
	if res.Assumed != "" {
		fmt.Fprintf(m.Stdout, "  hypothèse : %s\n", res.Assumed)
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
