// Package storetest gives each test its own migrated PostgreSQL schema, so
// tests of several packages run in parallel against the one local server
// without seeing each other's rows. It talks to a real server: there is no
// mock. It must only be imported from tests.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rppsync/rppsync/store"
	"github.com/rs/zerolog"
)

// DefaultURL is the test database used when TEST_DATABASE_URL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/rppsync_test?sslmode=disable"

// URL returns TEST_DATABASE_URL, or DefaultURL when it is unset.
func URL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// New returns a DB whose every connection works in a fresh schema, migrated,
// and dropped when the test ends. It fails the test when the server cannot
// be reached.
func New(t testing.TB) *store.DB {
	t.Helper()
	db := Open(t, NewSchema(t))
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("storetest: migrate: %v", err)
	}
	return db
}

// Open opens a DB on url (as NewSchema returns it), logging to the test, and
// closes it when the test ends.
func Open(t testing.TB, url string) *store.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := store.Open(ctx, store.Config{URL: url, Logger: zerolog.New(zerolog.NewTestWriter(t))})
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(db.Close)
	return db
}

// NewSchema creates an empty schema unique to the test (t_ and random hex)
// and returns a connection string whose search_path is that schema, for
// tests that migrate themselves or hand the database to a child process.
// The schema is dropped when the test ends, after the DBs opened later are
// closed.
func NewSchema(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	base := URL()
	if err := ensureDatabase(ctx, base); err != nil {
		t.Fatalf("storetest: %v", err)
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("storetest: %v", err)
	}
	schema := "t_" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("storetest: connect to %s: %v", redact(base), err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatalf("storetest: create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("storetest: drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			t.Errorf("storetest: drop schema %s: %v", schema, err)
		}
	})
	return withSearchPath(base, schema)
}

// withSearchPath adds search_path=schema to a connection string in URL or
// key=value form; pgx sends unknown parameters as run-time parameters.
func withSearchPath(base, schema string) string {
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err == nil {
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return base + " search_path=" + schema
}

var (
	ensureMu sync.Mutex
	ensured  = map[string]bool{}
)

// ensureDatabase creates the database of url through the server's postgres
// database when it does not exist yet.
func ensureDatabase(ctx context.Context, u string) error {
	ensureMu.Lock()
	defer ensureMu.Unlock()
	if ensured[u] {
		return nil
	}
	conn, err := pgx.Connect(ctx, u)
	if err == nil {
		ensured[u] = true
		return conn.Close(ctx)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "3D000" { // invalid_catalog_name
		return fmt.Errorf("connect to %s (start PostgreSQL or set TEST_DATABASE_URL): %w", redact(u), err)
	}
	cfg, err := pgx.ParseConfig(u)
	if err != nil {
		return fmt.Errorf("parse %s: %w", redact(u), err)
	}
	name := cfg.Database
	cfg.Database = "postgres"
	admin, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect to the postgres database to create %s: %w", name, err)
	}
	defer admin.Close(ctx)
	_, err = admin.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize())
	if err != nil && !(errors.As(err, &pgErr) && pgErr.Code == "42P04") { // duplicate_database: another package won the race
		return fmt.Errorf("create database %s: %w", name, err)
	}
	ensured[u] = true
	return nil
}

// redact hides the password of a connection URL.
func redact(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
	}
	return s
}
