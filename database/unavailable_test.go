package database_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/ncruces/go-sqlite3"
	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/database/proxytest"
)

func TestTranslate(t *testing.T) {
	for _, tc := range []struct {
		name        string
		err         error
		unavailable bool
	}{
		{"statement timeout", &pgconn.PgError{Code: "57014"}, true},
		{"server shutting down", &pgconn.PgError{Severity: "FATAL", Code: "57P01"}, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"disk full", &pgconn.PgError{Code: "53100"}, true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"idle in transaction", &pgconn.PgError{Severity: "FATAL", Code: "25P03"}, true},
		{"I/O error", &pgconn.PgError{Code: "58030"}, true},
		{"network", fmt.Errorf("query: %w", &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}), true},
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), true},
		{"SQLite disk full", sqlite3.FULL, true},
		{"SQLite I/O", sqlite3.IOERR_WRITE, true},
		{"SQLite locked too long", sqlite3.BUSY, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"check violation", &pgconn.PgError{Code: "23514"}, false},
		{"SQLite constraint", sqlite3.CONSTRAINT_CHECK, false},
		{"syntax", &pgconn.PgError{Code: "42601"}, false},
		{"not found", gorm.ErrRecordNotFound, false},
		{"cancelled by the client", context.Canceled, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := database.Translate(tc.err)
			if got := ordi.KindOf(err) == ordi.Unavailable; got != tc.unavailable {
				t.Fatalf("Translate(%v) = %v: unavailable %v, want %v", tc.err, err, got, tc.unavailable)
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("Translate(%v) = %v lost its cause", tc.err, err)
			}
			if tc.unavailable && ordi.RetryAfterOf(err) <= 0 {
				t.Fatalf("Translate(%v) gives no Retry-After", tc.err)
			}
		})
	}
}

// hungPostgres opens a migrated PostgreSQL database through a proxy the test
// controls, with statement_timeout 1 s and connect_timeout 1 s.
func hungPostgres(t *testing.T) (*gorm.DB, *proxytest.Proxy) {
	t.Helper()
	if os.Getenv(dbtest.PostgresEnv) == "" {
		t.Skipf("set %s: a hung PostgreSQL needs one", dbtest.PostgresEnv)
	}
	raw := dbtest.URL(t, database.Postgres)
	proxy := proxytest.Start(t, proxytest.Target(t, raw))
	u, err := url.Parse(proxy.URL(t, raw))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("statement_timeout", "1s")
	q.Set("connect_timeout", "1")
	u.RawQuery = q.Encode()
	ctx := context.Background()
	db, err := database.Open(ctx, u.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { database.Close(db) })
	if err := database.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	return db, proxy
}

// hungBound is how long a statement may wait on a hung database in
// hungPostgres: statement_timeout 1 s plus the client's 2 s grace; or, on
// connections idle for over a second, two 2 s pings and a 1 s connection
// attempt; plus slack for a loaded machine.
const hungBound = 5*time.Second + 2*time.Second

// within runs fn and fails the test unless it returns an Unavailable error
// within bound.
func within(t *testing.T, bound time.Duration, what string, fn func() error) {
	t.Helper()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		took := time.Since(start)
		if ordi.KindOf(err) != ordi.Unavailable {
			t.Errorf("%s: %v (%T), want an Unavailable error", what, err, err)
		}
		if took > bound {
			t.Errorf("%s took %v, want at most %v", what, took, bound)
		}
		t.Logf("%s: %v after %v", what, err, took.Round(time.Millisecond))
	case <-time.After(bound + 10*time.Second):
		t.Errorf("%s still waiting after %v", what, bound+10*time.Second)
	}
}

// TestHungPostgres freezes the proxy: connections stay open, nothing comes
// back. Statements, transactions and the readiness check fail as
// Unavailable within their deadlines instead of waiting forever.
func TestHungPostgres(t *testing.T) {
	db, proxy := hungPostgres(t)
	ctx := context.Background()
	// Several connections in the pool, idle when the database hangs.
	if err := db.Transaction(func(tx *gorm.DB) error {
		return db.Transaction(func(tx2 *gorm.DB) error { return tx2.Exec("SELECT 1").Error })
	}); err != nil {
		t.Fatal(err)
	}
	// A transaction open when the database hangs: its next statement has no
	// liveness ping, only its own deadline (1 s + 2 s).
	open := db.WithContext(ctx).Begin()
	if err := open.Exec("SELECT 1").Error; err != nil {
		t.Fatal(err)
	}
	// No Rollback: the connection dies with its statement (and would hang,
	// were the deadline missing).
	proxy.Freeze()
	var units int64
	checks := map[string]struct {
		bound time.Duration
		fn    func() error
	}{
		"query": {hungBound, func() error { return db.WithContext(ctx).Table("units").Count(&units).Error }},
		"transaction": {hungBound, func() error {
			return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return tx.Exec("UPDATE units SET notes = ''").Error })
		}},
		"statement of an open transaction": {3*time.Second + 2*time.Second, func() error { return open.Exec("SELECT 1").Error }},
	}
	done := make(chan struct{})
	for what, c := range checks {
		go func() {
			defer func() { done <- struct{}{} }()
			within(t, c.bound, what, c.fn)
		}()
	}
	go func() {
		defer func() { done <- struct{}{} }()
		// /readyz gives the check 2 s.
		within(t, 3*time.Second, "readiness check", func() error {
			ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			return database.Check(ctx, db)
		})
	}()
	for range len(checks) + 1 {
		<-done
	}
}

// TestStoppedPostgres closes every connection and refuses new ones: the
// next statements fail at once as Unavailable.
func TestStoppedPostgres(t *testing.T) {
	db, proxy := hungPostgres(t)
	proxy.Stop()
	within(t, 2*time.Second, "query after stop", func() error {
		var n int64
		return db.Table("units").Count(&n).Error
	})
	within(t, 2*time.Second, "transaction after stop", func() error {
		return db.Transaction(func(tx *gorm.DB) error { return nil })
	})
	within(t, 2*time.Second, "readiness check after stop", func() error { return database.Check(context.Background(), db) })
}

// TestStatementTimeout runs a statement longer than statement_timeout on a
// live server: the server cancels it (57014), which is Unavailable.
func TestStatementTimeout(t *testing.T) {
	if os.Getenv(dbtest.PostgresEnv) == "" {
		t.Skipf("set %s to test PostgreSQL's statement_timeout", dbtest.PostgresEnv)
	}
	u, err := url.Parse(dbtest.URL(t, database.Postgres))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("statement_timeout", "300ms")
	u.RawQuery = q.Encode()
	db, err := database.Open(context.Background(), u.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close(db)
	var timeout string
	if err := db.Raw("SHOW statement_timeout").Scan(&timeout).Error; err != nil || timeout != "300ms" {
		t.Fatalf("statement_timeout = %q, %v; want 300ms", timeout, err)
	}
	err = db.Exec("SELECT pg_sleep(5)").Error
	var pgErr *pgconn.PgError
	if ordi.KindOf(err) != ordi.Unavailable || !errors.As(err, &pgErr) || pgErr.Code != "57014" {
		t.Fatalf("a statement over statement_timeout: %v, want Unavailable from 57014", err)
	}
}

// TestPostgresDeadlineDefaults checks the deadlines a plain URL gets.
func TestPostgresDeadlineDefaults(t *testing.T) {
	if os.Getenv(dbtest.PostgresEnv) == "" {
		t.Skipf("set %s to read PostgreSQL's settings", dbtest.PostgresEnv)
	}
	db := dbtest.Open(t, database.Postgres)
	for name, want := range map[string]string{"statement_timeout": "10s", "idle_in_transaction_session_timeout": "1min"} {
		var got string
		if err := db.Raw("SHOW " + name).Scan(&got).Error; err != nil || got != want {
			t.Errorf("%s = %q, %v; want %s", name, got, err, want)
		}
	}
}

// openLimited opens a migrated SQLite database whose file may not grow
// beyond its size plus room bytes (SQLite's max_page_count), and gives it a
// short busy timeout.
func openLimited(t *testing.T, room int64) *gorm.DB {
	t.Helper()
	ctx := context.Background()
	path := dbtest.URL(t, database.SQLite)
	db, err := database.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := database.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	var pages, pageSize int64
	db.Raw("PRAGMA page_count").Scan(&pages)
	db.Raw("PRAGMA page_size").Scan(&pageSize)
	if err := db.Exec("CREATE TABLE filler (b BLOB NOT NULL)").Error; err != nil {
		t.Fatal(err)
	}
	database.Close(db)
	target, err := database.ParseURL(path)
	if err != nil {
		t.Fatal(err)
	}
	target.DSN += "&_pragma=" + url.QueryEscape(fmt.Sprintf("max_page_count(%d)", pages+1+room/pageSize)) +
		"&_pragma=" + url.QueryEscape("busy_timeout(200)")
	if db, err = database.OpenTarget(ctx, target, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { database.Close(db) })
	return db
}

// TestSQLiteFull fills a database to its limit: the write that does not fit
// is Unavailable, and the readiness check, which passed with room left,
// fails.
func TestSQLiteFull(t *testing.T) {
	db := openLimited(t, database.MinFreeBytes+512<<10)
	ctx := context.Background()
	if err := database.Check(ctx, db); err != nil {
		t.Fatalf("Check with room left: %v", err)
	}
	var err error
	for i := 0; i < 100 && err == nil; i++ {
		err = db.Exec("INSERT INTO filler (b) VALUES (randomblob(65536))").Error
	}
	if ordi.KindOf(err) != ordi.Unavailable || !errors.Is(err, sqlite3.FULL) {
		t.Fatalf("write to a full database: %v, want Unavailable from SQLITE_FULL", err)
	}
	err = database.Check(ctx, db)
	var space *database.SpaceError
	if ordi.KindOf(err) != ordi.Unavailable || !errors.As(err, &space) {
		t.Fatalf("Check on a full database: %v, want Unavailable with a SpaceError", err)
	}
	if !strings.Contains(ordi.MessageOf(err), "plein") {
		t.Fatalf("message %q does not say the disk is full", ordi.MessageOf(err))
	}
}

// TestSQLiteLockedTooLong holds the write lock beyond the busy timeout:
// the other writer's transaction fails at BEGIN, as Unavailable.
func TestSQLiteLockedTooLong(t *testing.T) {
	db := openLimited(t, 1<<30)
	ctx := context.Background()
	holder := db.Begin() // BEGIN IMMEDIATE: the write lock
	if holder.Error != nil {
		t.Fatal(holder.Error)
	}
	defer holder.Rollback()
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return tx.Exec("DELETE FROM filler").Error })
	if ordi.KindOf(err) != ordi.Unavailable || !errors.Is(err, sqlite3.BUSY) {
		t.Fatalf("a transaction behind a lock held past the busy timeout: %v, want Unavailable from SQLITE_BUSY", err)
	}
}
