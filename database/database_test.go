package database_test

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gorm.io/gorm"

	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/database/dbtest"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		in      string
		dialect database.Dialect
		dsn     string // prefix
	}{
		{"", database.SQLite, "file:ordi.db?"},
		{"ordi.db", database.SQLite, "file:ordi.db?"},
		{"/var/lib/ordi/ordi.db", database.SQLite, "file:/var/lib/ordi/ordi.db?"},
		{"file:data/x.db", database.SQLite, "file:data/x.db?"},
		{"sqlite:///tmp/a b.db", database.SQLite, "file:/tmp/a%20b.db?"},
		{"postgres://u@localhost/ordi", database.Postgres, "postgres://u@localhost/ordi"},
		{"postgresql://u@localhost/ordi?sslmode=disable", database.Postgres, "postgresql://"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := database.ParseURL(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.Dialect != tc.dialect || !strings.HasPrefix(got.DSN, tc.dsn) {
				t.Fatalf("ParseURL(%q) = %+v, want %s %s…", tc.in, got, tc.dialect, tc.dsn)
			}
			if got.Dialect == database.SQLite && !strings.Contains(got.DSN, "_txlock=immediate") {
				t.Fatalf("SQLite DSN %q lacks _txlock=immediate", got.DSN)
			}
		})
	}
	for _, bad := range []string{"mysql://root@localhost/ordi", "http://example.org", "file:", "a?b.db"} {
		t.Run("ErrBad/"+bad, func(t *testing.T) {
			if _, err := database.ParseURL(bad); err == nil {
				t.Fatalf("ParseURL(%q) accepted a bad URL", bad)
			}
		})
	}
}

func TestOpenUnreachablePostgres(t *testing.T) {
	_, err := database.Open(context.Background(), "postgres://nobody@127.0.0.1:1/none?connect_timeout=2", nil)
	if err == nil {
		t.Fatal("Open succeeded on a closed port")
	}
}

func TestSQLitePragmas(t *testing.T) {
	db := dbtest.OpenSQLite(t)
	var fk, sync int
	var mode string
	db.Raw("PRAGMA foreign_keys").Scan(&fk)
	db.Raw("PRAGMA journal_mode").Scan(&mode)
	db.Raw("PRAGMA synchronous").Scan(&sync)
	// synchronous 2 is FULL: an acknowledged commit survives a power cut, so
	// no certificate number goes back to be issued twice.
	if fk != 1 || mode != "wal" || sync != 2 {
		t.Fatalf("foreign_keys=%d journal_mode=%q synchronous=%d, want 1, wal and 2 (FULL)", fk, mode, sync)
	}
}

func TestMigrateIsIdempotentAndCurrent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if err := database.Migrate(ctx, db); err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		if err := database.Check(ctx, db); err != nil {
			t.Fatalf("Check after Migrate: %v", err)
		}
		states, err := database.Status(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range states {
			if !s.Applied {
				t.Errorf("migration %d not applied", s.Version)
			}
		}
	})
}

func TestCheckReportsPending(t *testing.T) {
	for _, d := range dbtest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db, err := database.Open(context.Background(), dbtest.URL(t, d), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer database.Close(db)
			if err := database.Check(context.Background(), db); !errors.Is(err, database.ErrPending) {
				t.Fatalf("Check on an empty database = %v, want ErrPending", err)
			}
		})
	}
}

// TestDialectsHaveSameSchema proves both migration folders end with the same
// tables and columns, each column with the same nullability.
func TestDialectsHaveSameSchema(t *testing.T) {
	if len(dbtest.Dialects()) < 2 {
		t.Skipf("set %s to compare with PostgreSQL", dbtest.PostgresEnv)
	}
	lite := schemaOf(t, dbtest.Open(t, database.SQLite))
	pg := schemaOf(t, dbtest.Open(t, database.Postgres))
	if diff := cmp.Diff(lite, pg); diff != "" {
		t.Fatalf("schemas differ (-sqlite +postgres):\n%s", diff)
	}
	if len(lite) < 7 {
		t.Fatalf("only %d tables found: %v", len(lite), lite)
	}
}

type column struct {
	Name     string
	Nullable bool
}

func schemaOf(t *testing.T, db *gorm.DB) map[string][]column {
	t.Helper()
	tables, err := db.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]column{}
	for _, table := range tables {
		if table == "goose_db_version" || strings.HasPrefix(table, "sqlite_") {
			continue
		}
		types, err := db.Migrator().ColumnTypes(table)
		if err != nil {
			t.Fatal(err)
		}
		var cols []column
		for _, ct := range types {
			nullable, _ := ct.Nullable()
			if pk, _ := ct.PrimaryKey(); pk {
				nullable = false // SQLite reports INTEGER PRIMARY KEY as nullable
			}
			cols = append(cols, column{Name: ct.Name(), Nullable: nullable})
		}
		sort.Slice(cols, func(i, j int) bool { return cols[i].Name < cols[j].Name })
		out[table] = cols
	}
	return out
}

// TestTimesAreUTC checks both engines give back UTC times, whatever the
// process's zone: the API promises RFC 3339 UTC.
func TestTimesAreUTC(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		in := time.Date(2026, 3, 29, 1, 30, 0, 0, time.FixedZone("CEST", 7200))
		if err := db.Exec("INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)", "t", "v", in).Error; err != nil {
			t.Fatal(err)
		}
		var out struct{ UpdatedAt time.Time }
		if err := db.Table("settings").Select("updated_at").Where("key = ?", "t").Take(&out).Error; err != nil {
			t.Fatal(err)
		}
		if out.UpdatedAt.Location() != time.UTC || !out.UpdatedAt.Equal(in) {
			t.Fatalf("read %v (%v), want %v in UTC", out.UpdatedAt, out.UpdatedAt.Location(), in.UTC())
		}
	})
}

// TestInstancesMigrateTogether starts several instances on one empty
// database at once, as behind a load balancer: each migrates (one at a time,
// under the advisory lock on PostgreSQL, the write lock on SQLite), none
// fails, and the schema ends current.
func TestInstancesMigrateTogether(t *testing.T) {
	for _, d := range dbtest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			url := dbtest.URL(t, d)
			ctx := context.Background()
			const n = 4
			dbs := make([]*gorm.DB, n)
			for i := range dbs {
				db, err := database.Open(ctx, url, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer database.Close(db)
				dbs[i] = db
			}
			var wg sync.WaitGroup
			errs := make([]error, n)
			start := make(chan struct{})
			for i := range dbs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					errs[i] = database.Migrate(ctx, dbs[i])
				}()
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("instance %d: %v", i, err)
				}
			}
			if err := database.Check(ctx, dbs[0]); err != nil {
				t.Fatal(err)
			}
		})
	}
}
