package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rppsync/rppsync"
	"github.com/rs/zerolog"
)

// ErrUnreachable is returned by Open when no PostgreSQL server answers at the
// configured address. The wrapping error says how to start one or which
// variable to set.
var ErrUnreachable = rppsync.NewError("db_unreachable", "PostgreSQL unreachable")

// ErrRefused is returned by Open when the server answered but refused the
// connection (unknown database, user or password).
var ErrRefused = rppsync.NewError("db_refused", "PostgreSQL refused the connection")

// ErrInvalidConfig is returned by Open when the Config cannot be used (empty
// or malformed URL, negative MaxConns).
var ErrInvalidConfig = rppsync.NewError("db_config_invalid", "invalid database configuration")

// Config configures Open. The zero value of every field but URL means "the
// default".
type Config struct {
	// URL is the PostgreSQL connection string (DATABASE_URL), as a URL
	// (postgres://user@host:5432/db?sslmode=disable) or as key=value pairs.
	// Extra parameters such as search_path are sent as run-time parameters
	// on every connection.
	URL string
	// Logger receives the package's logs; a "component" field is added.
	Logger zerolog.Logger
	// MaxConns bounds the pool; zero means pgxpool's default (at least 4).
	MaxConns int32
	// ConnectTimeout bounds the opening of each connection. Default:
	// DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// Timeout bounds each operation of the DB: a transaction of InTx (one
	// file's import, a reconciliation, a purge), a read of the queue or of
	// the directory. The server is told too (statement_timeout), but a
	// frozen server, or a network that drops everything, is only caught by
	// the client's deadline. Default: DefaultTimeout.
	Timeout time.Duration
	// LoadTimeout bounds a whole load of a national extract. Default:
	// DefaultLoadTimeout.
	LoadTimeout time.Duration
	// LockTimeout bounds each wait for a lock (another import or load
	// holding the queue). Default: DefaultLockTimeout.
	LockTimeout time.Duration
}

// Defaults of Config.
const (
	DefaultConnectTimeout = 10 * time.Second
	DefaultTimeout        = 10 * time.Minute
	DefaultLoadTimeout    = time.Hour
	DefaultLockTimeout    = 2 * time.Minute
)

// ErrTimeout is returned, about the operation, when the database did not
// answer within Config.Timeout (or LoadTimeout), or the server cancelled a
// statement that ran past it. Nothing of the operation was written.
var ErrTimeout = rppsync.NewError("db_timeout", "the database did not answer in time")

// ErrLockTimeout is returned when a lock could not be had within
// Config.LockTimeout: another import or load holds the queue.
var ErrLockTimeout = rppsync.NewError("db_lock_timeout", "a lock could not be had in time")

// DB is a pool of connections to the rppsync database. It is safe for
// concurrent use.
type DB struct {
	pool *pgxpool.Pool
	log  zerolog.Logger
	cfg  Config
	// afterStaging, set by tests, is called by a load once its staging
	// table is committed, before its indexes are built.
	afterStaging func()
}

// Open connects to the database described by cfg and checks that it
// answers. When the server cannot be reached, the error wraps ErrUnreachable
// and says how to start PostgreSQL or set DATABASE_URL.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	if cfg.URL == "" {
		return nil, ErrInvalidConfig.About("DATABASE_URL", errors.New("empty"))
	}
	if cfg.ConnectTimeout < 0 || cfg.Timeout < 0 || cfg.LoadTimeout < 0 || cfg.LockTimeout < 0 {
		return nil, ErrInvalidConfig.About("timeouts", errors.New("negative"))
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.LoadTimeout == 0 {
		cfg.LoadTimeout = DefaultLoadTimeout
	}
	if cfg.LockTimeout == 0 {
		cfg.LockTimeout = DefaultLockTimeout
	}
	if cfg.MaxConns < 0 {
		return nil, ErrInvalidConfig.About("MaxConns", fmt.Errorf("%d is negative", cfg.MaxConns))
	}
	pcfg, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		// The parse error may quote the URL, password included: do not wrap it.
		return nil, ErrInvalidConfig.About("DATABASE_URL", errors.New("not a PostgreSQL connection string"))
	}
	if cfg.MaxConns > 0 {
		pcfg.MaxConns = cfg.MaxConns
	}
	pcfg.ConnConfig.ConnectTimeout = cfg.ConnectTimeout
	rp := pcfg.ConnConfig.RuntimeParams
	if _, ok := rp["statement_timeout"]; !ok {
		rp["statement_timeout"] = fmt.Sprint(max(cfg.Timeout, cfg.LoadTimeout).Milliseconds())
	}
	if _, ok := rp["lock_timeout"]; !ok {
		rp["lock_timeout"] = fmt.Sprint(cfg.LockTimeout.Milliseconds())
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("open database pool: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, pingError(pcfg.ConnConfig, err)
	}
	return &DB{pool: pool, cfg: cfg, log: cfg.Logger.With().Str("component", "store").Logger()}, nil
}

// pingError turns a failed first contact into a sentence that says what to
// do. A server that answered with an error (unknown database, refused
// password) is reachable: only the other failures wrap ErrUnreachable.
func pingError(cc *pgx.ConnConfig, err error) error {
	where := fmt.Sprintf("%s:%d, base %q", cc.Host, cc.Port, cc.Database)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return ErrRefused.About(where, err)
	}
	return ErrUnreachable.About(where, err)
}

// Close closes every connection of the pool. It waits for connections in use
// to be released.
func (db *DB) Close() { db.pool.Close() }

// Pool returns the underlying pgx pool, for packages that add their own
// queries on top of the schema this package migrates.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// rollback ends tx when it was not committed. It runs even after ctx is
// cancelled, bounded so a dead server cannot block the caller for long.
func rollback(ctx context.Context, tx pgx.Tx) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_ = tx.Rollback(rctx)
}

// op runs fn under the deadline timeout (Config.Timeout, or LoadTimeout
// for a load) and words the failures that deadline and the server's
// timeouts cause as ErrTimeout and ErrLockTimeout, about what.
func (db *DB) op(ctx context.Context, what string, timeout time.Duration, fn func(context.Context) error) error {
	octx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := fn(octx)
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr) && pgErr.Code == "55P03": // lock_not_available
		return ErrLockTimeout.About(what, err)
	case errors.As(err, &pgErr) && pgErr.Code == "57014" && ctx.Err() == nil: // query_canceled: statement_timeout
		return ErrTimeout.About(what, err)
	case ctx.Err() == nil && errors.Is(octx.Err(), context.DeadlineExceeded):
		return ErrTimeout.About(what, err)
	}
	return err
}
