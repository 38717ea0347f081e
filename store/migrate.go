package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/rppsync/rppsync"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrSchemaTooNew is returned by Migrate when the database records a
// migration this binary does not know: a newer rppsync migrated it.
var ErrSchemaTooNew = rppsync.NewError("schema_too_new", "the database was migrated by a newer rppsync")

// ErrMigrationName is returned when an embedded migration file is not named
// NNNN_name.sql (four digits, an underscore, lower-case letters, digits and
// underscores) or when two files share a version.
var ErrMigrationName = errors.New("nom de fichier de migration invalide")

// Advisory lock classes (first key of pg_advisory_xact_lock(int, int)); the
// second key is a hash of the current schema, so tests in separate schemas
// never wait for one another.
const (
	lockMigrate    int32 = 1
	lockActivities int32 = 2
	lockCards      int32 = 3
)

// lockSQL takes the transaction-scoped advisory lock of a class in the
// current schema.
const lockSQL = `SELECT pg_advisory_xact_lock($1::int, hashtext(coalesce(current_schema(), '')))`

type migration struct {
	version int
	name    string // "0001_directory"
	sql     string
}

// parseMigrationName reads the version and name of a migration file name
// such as "0001_directory.sql".
func parseMigrationName(file string) (int, string, error) {
	base, ok := strings.CutSuffix(file, ".sql")
	if !ok || len(base) < 6 || base[4] != '_' {
		return 0, "", fmt.Errorf("%w: %q (attendu NNNN_nom.sql)", ErrMigrationName, file)
	}
	for i := 0; i < 4; i++ {
		if base[i] < '0' || base[i] > '9' {
			return 0, "", fmt.Errorf("%w: %q (attendu NNNN_nom.sql)", ErrMigrationName, file)
		}
	}
	for _, r := range base[5:] {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return 0, "", fmt.Errorf("%w: %q (attendu NNNN_nom.sql)", ErrMigrationName, file)
		}
	}
	v, err := strconv.Atoi(base[:4])
	if err != nil || v == 0 {
		return 0, "", fmt.Errorf("%w: %q (la version commence à 0001)", ErrMigrationName, file)
	}
	return v, base, nil
}

// loadMigrations reads every *.sql file of dir in fsys, ordered by version.
func loadMigrations(fsys fs.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	seen := map[int]string{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		v, name, err := parseMigrationName(e.Name())
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("%w: %s et %s ont la même version", ErrMigrationName, prev, name)
		}
		seen[v] = name
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// Migrate applies the embedded migrations the database has not seen yet, in
// version order, one transaction per file, and returns the names of those it
// applied ("0001_directory"); none when the schema is up to date. Each file
// runs under a transaction-scoped advisory lock and is recorded in
// schema_migrations, so processes migrating the same schema at once apply
// every file exactly once. It fails with ErrSchemaTooNew when the database
// records a version this binary does not know.
func (db *DB) Migrate(ctx context.Context) (applied []string, err error) {
	err = db.op(ctx, "migrations", db.cfg.Timeout, func(ctx context.Context) error {
		applied, err = db.migrateUpTo(ctx, math.MaxInt)
		return err
	})
	return applied, err
}

// migrateUpTo is Migrate applying the migrations up to version last only
// (the tests of a migration start from the schema before it).
func (db *DB) migrateUpTo(ctx context.Context, last int) (applied []string, err error) {
	ms, err := loadMigrations(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	err = db.lockedTx(ctx, lockMigrate, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer PRIMARY KEY,
			name       text        NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now())`)
		if err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		var latest int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&latest); err != nil {
			return fmt.Errorf("read schema_migrations: %w", err)
		}
		if len(ms) > 0 && latest > ms[len(ms)-1].version {
			return rppsync.Errorf(ErrSchemaTooNew, "", "version %d, this binary knows up to %d", latest, ms[len(ms)-1].version)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	for _, m := range ms {
		if m.version > last {
			break
		}
		done := false
		err := db.lockedTx(ctx, lockMigrate, func(tx pgx.Tx) error {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, m.version).Scan(&exists); err != nil {
				return err
			}
			if exists {
				return nil
			}
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
				return err
			}
			done = true
			return nil
		})
		if err != nil {
			return applied, fmt.Errorf("migrate %s: %w", m.name, err)
		}
		if done {
			applied = append(applied, m.name)
			db.log.Info().Str("migration", m.name).Msg("migration applied")
		}
	}
	return applied, nil
}

// lockedTx runs fn in a transaction holding the advisory lock of class, and
// commits when fn succeeds.
func (db *DB) lockedTx(ctx context.Context, class int32, fn func(pgx.Tx) error) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer rollback(ctx, tx)
	if _, err := tx.Exec(ctx, lockSQL, class); err != nil {
		return fmt.Errorf("advisory lock: %w", err)
	}
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
