package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
	"github.com/rppsync/rppsync/report"
	"github.com/rppsync/rppsync/store"
)

func (m *Main) runQueue(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("utilisez « rppsync queue list|export|resolve » (rppsync queue list -h)")
	}
	switch args[0] {
	case "list":
		return m.queueList(ctx, args[1:], false)
	case "export":
		return m.queueList(ctx, args[1:], true)
	case "resolve":
		return m.queueResolve(ctx, args[1:])
	case "-h", "--help":
		fmt.Fprintln(m.Stderr, "Usage: rppsync queue list|export|resolve [flags]   (rppsync queue list -h)")
		return nil
	}
	return usagef("commande de file inconnue %q : list, export ou resolve", args[0])
}

// queueList lists items (list) or writes one structure's queue as a file (export).
func (m *Main) queueList(ctx context.Context, args []string, export bool) (err error) {
	var cfg config
	name, usage := "queue list", "queue list [--finess FINESS] [--agency NAME] [--kind KIND] [--state STATE|all] [--format table|json|csv|xlsx]"
	if export {
		name, usage = "queue export", "queue export (--finess FINESS | --agency NAME) [--state STATE|all] [--format xlsx|csv|json] [--out PATH]\n\nOne structure's queue, or one agency's fix list: nothing of anyone else."
	}
	fs := m.flags(name, usage, &cfg, "database-url", "format", "out")
	formats(fs, "table", "json", "csv", "xlsx")
	finess := fs.String("finess", "", "Only this structure's items (FINESS site).")
	agency := fs.String("agency", "", "Only items from this agency's files.")
	kind := fs.String("kind", "", "Only this kind: validate_activity, register_rpps_plus, follow_up_ordre, follow_up_ars, order_mie, activate_ecps, fix_data, confirm_candidate.")
	state := fs.String("state", "pending", "Only this state: pending, done, cancelled, expired, or all.")
	if err := m.parse(fs, &cfg, args); err != nil {
		return err
	}
	if export && (*finess == "") == (*agency == "") {
		return usagef("queue export écrit la file d'une structure ou la liste d'une agence : indiquez --finess ou --agency, l'un des deux")
	}
	f := store.ItemFilter{FINESS: *finess, Agency: *agency}
	switch {
	case export && *agency != "":
		f.Audience = queue.AudienceAgency // the rows the agency must act on
	case export:
		f.Audience = queue.AudienceStructure // what the structure acts on; the agency's fixes go to the agency
	}
	if *kind != "" {
		k, err := queue.ParseKind(*kind)
		if err != nil {
			return usagef("--kind %q : choisissez parmi %s", *kind, kindNames())
		}
		f.Kinds = []queue.Kind{k}
	}
	if *state != "all" && *state != "" {
		s, err := queue.ParseState(*state)
		if err != nil {
			return usagef("--state %q : choisissez pending, done, cancelled, expired ou all", *state)
		}
		f.States = []queue.State{s}
	}
	out, done := m.output(cfg.get("out"))
	defer func() { err = finishOutput(done, err) }()
	fname, err := m.outputFormat(&cfg, out, "table", "json", "csv", "xlsx")
	if err != nil {
		return err
	}
	if fname == "xlsx" && (cfg.get("out") == "" || cfg.get("out") == "-") {
		return usagef("--format xlsx écrit un classeur : nommez-le avec --out file.xlsx")
	}
	format, err := report.ParseQueueFormat(fname)
	if err != nil {
		return usagef("%v", err)
	}
	p, db, err := m.openPipeline(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	title := "Toutes les demandes sélectionnées"
	switch {
	case f.FINESS != "":
		title = "Structure FINESS " + f.FINESS
	case f.Agency != "":
		title = "Agence " + f.Agency
	}
	_, err = p.Export(ctx, db, out, f, format, title)
	return err
}

func (m *Main) queueResolve(ctx context.Context, args []string) error {
	var cfg config
	fs := m.flags("queue resolve", "queue resolve ITEM (--confirm RPPS | --reject)\n\nA human decision on a candidate: confirm the one who is the worker, or reject all.", &cfg, "database-url", "format")
	formats(fs, "table", "json")
	confirm := fs.String("confirm", "", "The RPPS of the candidate who is the worker.")
	reject := fs.Bool("reject", false, "None of the candidates is the worker: register them instead.")
	if err := m.parse(fs, &cfg, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || (*confirm == "") == !*reject {
		return usagef("indiquez un numéro d'élément et soit --confirm RPPS, soit --reject")
	}
	format, err := m.outputFormat(&cfg, m.Stdout, "table", "json")
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(fs.Arg(0), "#"), 10, 64)
	if err != nil {
		return usagef("élément %q : indiquez le numéro affiché par « rppsync queue list »", fs.Arg(0))
	}
	p, db, err := m.openPipeline(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	item, follow, err := p.Resolve(ctx, db, id, *confirm)
	if err != nil {
		return err
	}
	if format == "json" {
		return writeJSON(m.Stdout, map[string]any{"item": item, "created": follow})
	}
	fmt.Fprintf(m.Stdout, "Demande #%d : %s.\n", item.ID, item.State.Label())
	for _, f := range follow {
		fmt.Fprintf(m.Stdout, "  nouvelle demande #%d : %s — %s\n", f.ID, f.Kind.Label(), f.Reason)
	}
	return nil
}

func (m *Main) runPurge(ctx context.Context, args []string) error {
	var cfg config
	fs := m.flags("purge", "purge [--retention 90d]\n\nErases the personal data of contracts that ended longer ago than the retention.", &cfg, "database-url", "retention")
	if err := m.parse(fs, &cfg, args); err != nil {
		return err
	}
	keep, err := parseRetention(cfg.get("retention"))
	if err != nil {
		return usagef("%v", err)
	}
	p, db, err := m.openPipeline(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, before, err := p.Purge(ctx, db, keep)
	if err != nil {
		return err
	}
	m.log.Info().Str("ended_before", before.String()).Int("contracts", rep.Contracts).Int("rows", rep.Rows).Int("items", rep.Items).Msg("purge finished")
	fmt.Fprintf(m.Stdout, "Données personnelles effacées pour les contrats terminés avant le %s : %d contrats, %d lignes, %d demandes.\n",
		fmtDate(before), rep.Contracts, rep.Rows, rep.Items)
	return nil
}

func fmtDate(d rppsync.Date) string {
	if d.IsZero() {
		return "—"
	}
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// kindNames lists the kinds of work item, for messages.
func kindNames() string {
	names := make([]string, len(queue.Kinds))
	for i, k := range queue.Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}
