// Package dbtest gives tests a migrated database: SQLite in a temporary
// directory, and PostgreSQL in a fresh schema when ORDI_TEST_POSTGRES_DSN is
// set.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi/database"
)

// PostgresEnv names the environment variable holding a PostgreSQL URL for
// tests. When it is set, tests run on PostgreSQL too, and an unreachable
// server fails them: it never skips them.
const PostgresEnv = "ORDI_TEST_POSTGRES_DSN"

// SkipLine is printed once per test binary whose tests asked for PostgreSQL
// while PostgresEnv is unset, so that its absence is seen rather than
// silent (go test shows it with -v; CI's report, .ci/testreport, fails on it).
const SkipLine = "SKIP: PostgreSQL: " + PostgresEnv + " is not set: this package's tests ran on SQLite only"

var skipOnce sync.Once

// Dialects returns the engines tests must cover: SQLite always, PostgreSQL
// when PostgresEnv is set. Without it, the first call prints SkipLine.
func Dialects() []database.Dialect {
	if os.Getenv(PostgresEnv) != "" {
		return []database.Dialect{database.SQLite, database.Postgres}
	}
	skipOnce.Do(func() { fmt.Fprintln(os.Stdout, SkipLine) })
	return []database.Dialect{database.SQLite}
}

// Each runs fn as a subtest on every engine of Dialects, each with a fresh
// migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// URL returns a database URL for a fresh, empty, unmigrated database of the
// given engine, removed when the test ends. Use it to exercise code that
// opens the database itself (the ordi command).
func URL(tb testing.TB, d database.Dialect) string {
	tb.Helper()
	switch d {
	case database.SQLite:
		return filepath.Join(tb.TempDir(), "ordi.db")
	case database.Postgres:
		return postgresSchemaURL(tb)
	}
	tb.Fatalf("dbtest: unknown dialect %q", d)
	return ""
}

// Open returns a migrated database of the given engine, closed and removed
// when the test ends.
func Open(tb testing.TB, d database.Dialect) *gorm.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := database.Open(ctx, URL(tb, d), slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatalf("dbtest: open %s: %v", d, err)
	}
	tb.Cleanup(func() { database.Close(db) })
	if err := database.Migrate(ctx, db); err != nil {
		tb.Fatalf("dbtest: migrate %s: %v", d, err)
	}
	return db
}

// OpenSQLite returns a migrated SQLite database.
func OpenSQLite(tb testing.TB) *gorm.DB { return Open(tb, database.SQLite) }

// postgresSchemaURL creates a schema with a random name and returns the
// server URL with search_path set to it; the schema is dropped at cleanup.
func postgresSchemaURL(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(PostgresEnv)
	if dsn == "" {
		tb.Fatalf("dbtest: %s is not set", PostgresEnv)
	}
	ctx := context.Background()
	admin, err := database.Open(ctx, dsn, nil)
	if err != nil {
		tb.Fatalf("dbtest: PostgreSQL at %s: %v", PostgresEnv, err)
	}
	var b [8]byte
	rand.Read(b[:])
	schema := "test_" + hex.EncodeToString(b[:])
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		tb.Fatalf("dbtest: create schema: %v", err)
	}
	tb.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		database.Close(admin)
	})
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatalf("dbtest: %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
