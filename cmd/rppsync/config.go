package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// setting is one configuration value: a flag, the environment variable that
// sets it when the flag is absent, its default and its meaning. settings is
// the one table of configuration; the README reproduces it (`rppsync help config`).
type setting struct {
	Flag     string
	Env      string
	Default  string
	Usage    string
	Commands string // the commands that take it, as shown in the README
}

var settings = []setting{
	{"database-url", "DATABASE_URL", "", "PostgreSQL connection string. `check` uses the directory loaded there when set; `directory load`, `import`, `queue`, `purge`, `status` and `migrate` need it.", "all"},
	{"db-timeout", "RPPSYNC_DB_TIMEOUT", "10m", "How long one database operation (a file's import, a reconciliation, a read of the queue) may take before it is abandoned, nothing written; catches a frozen server too.", "all that use the database"},
	{"db-connect-timeout", "RPPSYNC_DB_CONNECT_TIMEOUT", "10s", "How long opening a connection to PostgreSQL may take.", "all that use the database"},
	{"db-lock-timeout", "RPPSYNC_DB_LOCK_TIMEOUT", "2m", "How long to wait for another import or load holding the queue before giving up.", "all that use the database"},
	{"db-load-timeout", "RPPSYNC_DB_LOAD_TIMEOUT", "1h", "How long the load of one national extract may take.", "directory"},
	{"directory", "RPPSYNC_DIRECTORY", "", "A national directory extract (`PS_LibreAcces_Personne_activite_*.txt` or the `PS_LibreAcces` zip) read directly by `check`, with no database.", "check"},
	{"format", "RPPSYNC_FORMAT", "table on a terminal, json otherwise", "Output format: `check` takes `table`, `json`, `csv` or `xlsx` (xlsx needs --out); `queue list` and `queue export` take `table`, `json`, `csv` or `xlsx` (xlsx needs --out); `lookup`, `status` and `queue resolve` take `table` or `json`.", "check, lookup, queue, status"},
	{"out", "", "standard output", "Write the report to this file instead.", "check, queue export"},
	{"profile", "RPPSYNC_PROFILE", "", "An agency column-mapping profile (JSON, see fixtures/agencies/profile.example.json) for headers the built-in synonyms do not know.", "check, import"},
	{"agency", "RPPSYNC_AGENCY", "", "The temp agency the files come from, recorded with each imported file.", "import"},
	{"dropped-by", "RPPSYNC_DROPPED_BY", "the login name", "Who dropped the files, recorded with each imported file.", "import"},
	{"retention", "RPPSYNC_RETENTION", "90d", "How long after a contract ends its personal data is kept before `purge` erases it (days `d` or a Go duration).", "purge"},
	{"smtp-host", "RPPSYNC_SMTP_HOST", "", "SMTP server that sends the digests (an MSSanté operator's or the hospital's relay). Without it, e-mails wait for a process that has one.", "notify, run, serve"},
	{"smtp-port", "RPPSYNC_SMTP_PORT", "587 (starttls), 465 (tls), 25 (none)", "SMTP port.", "notify, run, serve"},
	{"smtp-tls", "RPPSYNC_SMTP_TLS", "starttls", "`starttls`, `tls` (implicit TLS) or `none` (loopback only).", "notify, run, serve"},
	{"smtp-from", "RPPSYNC_SMTP_FROM", "rppsync@ the SMTP host", "Sender address of the digests.", "notify, run, serve"},
	{"smtp-user", "RPPSYNC_SMTP_USER", "", "SMTP user name; the password is read from `RPPSYNC_SMTP_PASSWORD` only (never a flag).", "notify, run, serve"},
	{"smtp-client-cert", "RPPSYNC_SMTP_CLIENT_CERT", "", "PEM client certificate presented to the SMTP server (MSSanté operators authenticate servers so), with --smtp-client-key.", "notify, run, serve"},
	{"smtp-client-key", "RPPSYNC_SMTP_CLIENT_KEY", "", "PEM key of --smtp-client-cert.", "notify, run, serve"},
	{"smtp-ca", "RPPSYNC_SMTP_CA", "the system's", "PEM certificates to trust for the SMTP server.", "notify, run, serve"},
	{"deliver-for", "RPPSYNC_DELIVER_FOR", "2m", "How long `notify` works the delivery queue before leaving retries to the next run.", "notify"},
	{"inbox", "RPPSYNC_INBOX", "", "The drop folder HR teams and agencies put files into (a subfolder per agency names the agency); each file is imported once, then moved to done/ or rejected/ with its report.", "run, serve"},
	{"inbox-stable", "RPPSYNC_INBOX_STABLE", "30s", "How long a dropped file's size and time must stay unchanged, between two looks, before it is taken.", "run, serve"},
	{"inbox-every", "RPPSYNC_INBOX_EVERY", "30s", "How often `serve` looks into the inbox during the day.", "serve"},
	{"fetch-dir", "RPPSYNC_FETCH_DIR", "", "Folder the daily national extracts are downloaded to (conditional requests to their official addresses); a pass loads the ones that changed. Without it, no download.", "run, serve, directory fetch"},
	{"fetch-url-activity", "RPPSYNC_FETCH_URL_ACTIVITY", "the Annuaire Santé's PS_LibreAcces address", "Where the activity extract is downloaded from.", "run, serve, directory fetch"},
	{"fetch-url-cards", "RPPSYNC_FETCH_URL_CARDS", "the Annuaire Santé's Porteurs_CPS_CPF address", "Where the card extract is downloaded from.", "run, serve, directory fetch"},
	{"schedule", "RPPSYNC_SCHEDULE", "0 2 * * *", "When `serve` runs the pass: a cron expression (minute hour day month weekday) on the wall clock of --timezone; one replica runs each pass.", "serve"},
	{"timezone", "RPPSYNC_TIMEZONE", "Europe/Paris", "Time zone of --schedule (a 02:00 missing on the spring-forward night runs at 03:00; the fall-back night runs once).", "serve"},
	{"grace", "RPPSYNC_GRACE", "30s", "On SIGINT/SIGTERM, how long `serve` lets the file being imported finish before rolling it back (left in the inbox).", "serve"},
	{"http", "RPPSYNC_HTTP", "127.0.0.1:9187", "Where `serve` answers /healthz and /metrics (Prometheus).", "serve"},
	{"replica", "RPPSYNC_REPLICA", "host name and process id", "This process's name in the pass history.", "serve"},
	{"log-level", "RPPSYNC_LOG_LEVEL", "info", "Log level: `debug`, `info`, `warn`, `error`.", "all"},
	{"log-format", "RPPSYNC_LOG_FORMAT", "auto", "Log format on stderr: `json`, `console`, or `auto` (console on a terminal, JSON otherwise).", "all"},
}

func lookupSetting(name string) setting {
	for _, s := range settings {
		if s.Flag == name {
			return s
		}
	}
	panic("rppsync: unknown setting " + name)
}

// config holds the values of the settings a command registered.
type config struct {
	values map[string]*string
	getenv func(string) string
}

// register adds the named settings to fs; their environment variables give
// the defaults and the flags, parsed later, win.
func (c *config) register(fs *flag.FlagSet, names ...string) {
	if c.values == nil {
		c.values = map[string]*string{}
	}
	for _, n := range names {
		s := lookupSetting(n)
		def := ""
		if s.Env != "" {
			def = c.getenv(s.Env)
		}
		// The flag package reads a `quoted` word as the value's name: the
		// README's backquotes are dropped here.
		usage := strings.ReplaceAll(s.Usage, "`", "")
		if s.Default != "" {
			usage += " Default: " + s.Default + "."
		}
		if s.Env != "" {
			usage += " (env " + s.Env + ")"
		}
		c.values[n] = fs.String(n, def, usage)
	}
}

// get returns the value of a registered setting ("" when unset).
func (c *config) get(name string) string {
	if p, ok := c.values[name]; ok {
		return strings.TrimSpace(*p)
	}
	return ""
}

// parseRetention reads "90d", "12h" or a Go duration.
func parseRetention(s string) (time.Duration, error) {
	if s == "" {
		s = "90d"
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("durée de conservation %q : donnez un nombre de jours, par exemple 90d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("durée de conservation %q : donnez un nombre de jours, par exemple 90d, ou une durée, par exemple 2160h", s)
	}
	return v, nil
}

// writeConfigTable prints the settings as the README's Markdown table.
func writeConfigTable(w io.Writer) {
	fmt.Fprintln(w, "| flag | environment variable | default | commands | meaning |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, s := range settings {
		env, def := "—", "—"
		if s.Env != "" {
			env = "`" + s.Env + "`"
		}
		if s.Default != "" {
			def = s.Default
		}
		fmt.Fprintf(w, "| `--%s` | %s | %s | %s | %s |\n", s.Flag, env, def, s.Commands, s.Usage)
	}
}
