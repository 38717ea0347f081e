package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/term"
)

// Exit statuses of CONTRACT.md.
const (
	exitOK     = 0
	exitFailed = 1 // a file could not be read at all, or the run failed
	exitUsage  = 2
)

// errUsage marks an error in the command line: exit status 2.
var errUsage = errors.New("usage")

// usageError is an error in the command line, worded in French for the
// person who typed it; it matches errUsage.
type usageError struct{ msg string }

func (e *usageError) Error() string        { return e.msg }
func (e *usageError) Is(target error) bool { return target == errUsage }

// usagef returns a usageError with the sentence fmt.Sprintf makes.
func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// flagError words the flag package's errors in French.
func flagError(err error) error {
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "flag provided but not defined: "):
		return usagef("option inconnue : %s (rppsync COMMANDE -h liste les options)", strings.TrimPrefix(msg, "flag provided but not defined: "))
	case strings.HasPrefix(msg, "flag needs an argument: "):
		return usagef("l'option %s attend une valeur", strings.TrimPrefix(msg, "flag needs an argument: "))
	case strings.HasPrefix(msg, "invalid value "), strings.HasPrefix(msg, "invalid boolean value "):
		return usagef("valeur invalide : %s", msg)
	}
	return usagef("%s", msg)
}

// errFilesUnreadable is returned when at least one input file could not be
// read at all; the others were processed and reported: exit status 1.
var errFilesUnreadable = errors.New("at least one file could not be read")

// Main is the program: its streams, environment and clock are fields so that
// end-to-end tests build one with a temporary directory and the test database
// and call Run.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Now    func() time.Time
	// Terminal reports whether w is a terminal (tables and progress bars on
	// terminals, JSON otherwise).
	Terminal func(w io.Writer) bool

	log zerolog.Logger
}

// NewMain returns a Main wired to the process.
func NewMain() *Main {
	return &Main{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: os.Getenv,
		Now:    time.Now,
		Terminal: func(w io.Writer) bool {
			f, ok := w.(*os.File)
			return ok && term.IsTerminal(int(f.Fd()))
		},
	}
}

type command struct {
	name    string
	summary string
	run     func(m *Main, ctx context.Context, args []string) error
}

func commands() []command {
	return []command{
		{"check", "Dry run: read agency files, validate and match every row, write nothing.", (*Main).runCheck},
		{"lookup", "Look up an identifier (`lookup rpps NUMBER...`) or a birth place (`lookup commune TEXT`).", (*Main).runLookup},
		{"directory", "Load a national directory extract into the database (`directory load PATH...`).", (*Main).runDirectory},
		{"import", "Check agency files and record them: rows, contracts, the structures' queue items.", (*Main).runImport},
		{"queue", "A structure's validation queue: `queue list`, `queue export`, `queue resolve`.", (*Main).runQueue},
		{"structures", "Who receives what: `structures load FILE` (structures, agencies, contacts), `structures list`.", (*Main).runStructures},
		{"notify", "Write the digests and fix lists that are due, and deliver them (e-mail, webhooks).", (*Main).runNotify},
		{"run", "One sync pass: fetch and load newer extracts, import the inbox, reconcile, notify, purge.", (*Main).runRun},
		{"serve", "The scheduled worker: the pass on a cron schedule, the inbox watched, /healthz and /metrics.", (*Main).runServe},
		{"purge", "Erase the personal data of contracts that ended longer ago than --retention.", (*Main).runPurge},
		{"migrate", "Apply the database migrations (other commands do it when they need to).", (*Main).runMigrate},
		{"status", "What the database holds: directory extract, files, rows, queue items.", (*Main).runStatus},
		{"help", "Describe the commands (`help config` prints the configuration table).", (*Main).runHelp},
	}
}

// Run runs one command line and returns the process exit status.
func (m *Main) Run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		m.usage(m.Stderr)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	if name == "-h" || name == "--help" {
		name = "help"
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		err := c.run(m, ctx, rest)
		switch {
		case err == nil:
			return exitOK
		case errors.Is(err, flag.ErrHelp):
			return exitOK
		case errors.Is(err, errUsage):
			fmt.Fprintf(m.Stderr, "rppsync %s : %v\n", name, err)
			return exitUsage
		case errors.Is(err, errFilesUnreadable):
			return exitFailed
		default:
			fmt.Fprintf(m.Stderr, "rppsync %s: %s\n", name, describe(err))
			return exitFailed
		}
	}
	fmt.Fprintf(m.Stderr, "rppsync : commande inconnue %q ; « rppsync help » les liste\n", name)
	return exitUsage
}

func (m *Main) usage(w io.Writer) {
	fmt.Fprintln(w, "rppsync checks temp workers' RPPS numbers against the national directory and prepares each structure's validation queue.")
	fmt.Fprintln(w, "\nUsage: rppsync COMMAND [flags] [arguments]    (rppsync COMMAND -h describes every flag)")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nExit status: 0 success (flagged rows are results, not failures), 1 when a file could not be read at all or the run failed, 2 for usage errors.")
}

func (m *Main) runHelp(_ context.Context, args []string) error {
	if len(args) == 1 && args[0] == "config" {
		writeConfigTable(m.Stdout)
		return nil
	}
	if len(args) == 1 {
		for _, c := range commands() {
			if c.name == args[0] && c.name != "help" {
				return c.run(m, context.Background(), []string{"-h"})
			}
		}
	}
	m.usage(m.Stdout)
	return nil
}

// flags starts a command's flag set with the settings every command takes.
func (m *Main) flags(name, usage string, cfg *config, names ...string) *flag.FlagSet {
	fs := flag.NewFlagSet("rppsync "+name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	cfg.getenv = m.Getenv
	if slices.Contains(names, "database-url") {
		names = append(names, "db-timeout", "db-connect-timeout", "db-lock-timeout", "db-load-timeout")
	}
	cfg.register(fs, append([]string{"log-level", "log-format"}, names...)...)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: rppsync %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args and sets up the logger; a bad flag is a usage error.
func (m *Main) parse(fs *flag.FlagSet, cfg *config, args []string) error {
	if err := parseInterspersed(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return flagError(err)
	}
	log, err := m.logger(cfg.get("log-level"), cfg.get("log-format"))
	if err != nil {
		return usagef("%v", err)
	}
	m.log = log
	return nil
}

// parseInterspersed parses args with flags before, between or after the
// positional arguments (`queue resolve 12 --confirm RPPS` as well as
// `queue resolve --confirm RPPS 12`); after "--", everything is
// positional. fs.Args() then returns the positional arguments in order.
func parseInterspersed(fs *flag.FlagSet, args []string) error {
	var pos []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return err
		}
		rest := fs.Args()
		if consumed := args[:len(args)-len(rest)]; len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	return fs.Parse(append([]string{"--"}, pos...))
}

// logger builds the zerolog logger: JSON on stderr when it is not a terminal,
// human-readable when it is.
func (m *Main) logger(level, format string) (zerolog.Logger, error) {
	lvl := zerolog.InfoLevel
	if level != "" {
		l, err := zerolog.ParseLevel(strings.ToLower(level))
		if err != nil {
			return zerolog.Nop(), fmt.Errorf("niveau de journal %q : choisissez debug, info, warn ou error", level)
		}
		lvl = l
	}
	var w io.Writer = m.Stderr
	switch format {
	case "", "auto":
		if m.Terminal(m.Stderr) {
			w = zerolog.ConsoleWriter{Out: m.Stderr, TimeFormat: time.TimeOnly}
		}
	case "console":
		w = zerolog.ConsoleWriter{Out: m.Stderr, TimeFormat: time.TimeOnly, NoColor: !m.Terminal(m.Stderr)}
	case "json":
	default:
		return zerolog.Nop(), fmt.Errorf("format de journal %q : choisissez json, console ou auto", format)
	}
	// Workers log from many goroutines (River, batches): one event at a time.
	return zerolog.New(zerolog.SyncWriter(w)).Level(lvl).With().Timestamp().Logger(), nil
}

// formats sets the help of the --format flag of fs to the formats the
// command accepts, so that -h lists no format the command then refuses.
func formats(fs *flag.FlagSet, allowed ...string) {
	if f := fs.Lookup("format"); f != nil {
		f.Usage = fmt.Sprintf("Output format: %s. Default: table on a terminal, json otherwise. (env RPPSYNC_FORMAT)", strings.Join(allowed, ", "))
	}
}

// outputFormat returns the --format value, or table on a terminal and json
// otherwise; a value that is not one of allowed is a usage error.
func (m *Main) outputFormat(cfg *config, out io.Writer, allowed ...string) (string, error) {
	f := strings.ToLower(cfg.get("format"))
	if f == "" {
		f = "json"
		if m.Terminal(out) {
			f = "table"
		}
	}
	for _, a := range allowed {
		if f == a {
			return f, nil
		}
	}
	return "", usagef("--format %s : choisissez %s", cfg.get("format"), strings.Join(allowed, ", "))
}

func currentUser(getenv func(string) string) string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if u := getenv("USER"); u != "" {
		return u
	}
	return "unknown"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
