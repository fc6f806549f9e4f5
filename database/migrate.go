package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	goosedb "github.com/pressly/goose/v3/database"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/migrations"
)

// ErrPending is returned by Check when migrations remain to be applied.
var ErrPending = errors.New("des migrations restent à appliquer")

// ErrAhead is returned when the database records migrations this program
// does not know: a newer Ordi has migrated it, and this one would read and
// write a schema it was not written for.
var ErrAhead = errors.New("la base de données a été migrée par une version plus récente d'Ordi")

// aheadError lists the migrations unknown to this program.
type aheadError struct{ versions []int64 }

func (e aheadError) Error() string {
	names := make([]string, len(e.versions))
	for i, v := range e.versions {
		names[i] = fmt.Sprintf("%05d", v)
	}
	return fmt.Sprintf("%v (migrations inconnues de ce programme : %s) : installez cette version d'Ordi ou une plus récente",
		ErrAhead, strings.Join(names, ", "))
}

func (e aheadError) Is(target error) bool { return target == ErrAhead }

// gooseDialect returns goose's name of an engine and the migrations folder.
func gooseDialect(d Dialect) (goose.Dialect, string, error) {
	switch d {
	case SQLite:
		return goose.DialectSQLite3, "sqlite", nil
	case Postgres:
		return goose.DialectPostgres, "postgres", nil
	}
	return "", "", fmt.Errorf("no migrations for %q", d)
}

// migrationPool returns the connections migrations run on: on PostgreSQL a
// small pool without the statement deadlines (a migration may run long), on
// SQLite the database's own. Call done when finished.
func migrationPool(db *gorm.DB) (pool *sql.DB, done func(), err error) {
	if o := openedOf(db); o != nil && o.pg != nil {
		pool := o.pg.withoutDeadlines()
		return pool, func() { pool.Close() }, nil
	}
	sqlDB, err := db.DB()
	return sqlDB, func() {}, err
}

func provider(sqlDB *sql.DB, d Dialect) (*goose.Provider, error) {
	dialect, dir, err := gooseDialect(d)
	if err != nil {
		return nil, err
	}
	var opts []goose.ProviderOption
	if d == Postgres {
		// Several instances starting at once (behind a load balancer) must
		// not apply the same migration twice. The advisory lock is named
		// after the schema migrated, so instances of other schemas in the
		// same database (tests, a second association) do not wait on it;
		// a waiter tries again every second rather than goose's five.
		var schema string
		if err := sqlDB.QueryRow("SELECT current_schema()").Scan(&schema); err != nil {
			return nil, fmt.Errorf("current schema: %w", err)
		}
		id := fnv.New64a()
		id.Write([]byte("ordi migrations " + schema))
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(id.Sum64()>>1)), lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	fsys, err := fs.Sub(migrations.FS, dir)
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(dialect, sqlDB, fsys, opts...)
}

// Migrate applies every pending migration. It refuses a database that a
// newer Ordi has migrated (ErrAhead), before and after applying: another
// instance may have migrated it meanwhile.
func Migrate(ctx context.Context, db *gorm.DB) error {
	pool, done, err := migrationPool(db)
	if err != nil {
		return err
	}
	defer done()
	if err := refuseAhead(ctx, pool, DialectOf(db)); err != nil {
		return err
	}
	p, err := provider(pool, DialectOf(db))
	if err != nil {
		return err
	}
	for {
		before, err := readSchema(ctx, pool, DialectOf(db))
		if err != nil {
			return err
		}
		_, err = p.Up(ctx)
		if err == nil {
			break
		}
		// SQLite has no lock for the whole of goose's run, only each
		// migration's transaction: instances starting together may decide
		// to apply the same migration, and the second one's transaction
		// fails once the first's has committed (and rolls back whole). As
		// long as another instance makes progress, run again: what it
		// applied is skipped.
		after, rerr := readSchema(ctx, pool, DialectOf(db))
		if DialectOf(db) != SQLite || rerr != nil || len(after.pending) >= len(before.pending) {
			return fmt.Errorf("migrations: %w", err)
		}
	}
	return refuseAhead(ctx, pool, DialectOf(db))
}

func refuseAhead(ctx context.Context, sqlDB *sql.DB, d Dialect) error {
	s, err := readSchema(ctx, sqlDB, d)
	if err != nil {
		return err
	}
	if len(s.unknown) > 0 {
		return aheadError{s.unknown}
	}
	return nil
}

// Migration is the state of one migration.
type Migration struct {
	Version   int64
	Name      string // file name; empty for an unknown migration
	Applied   bool
	AppliedAt time.Time
	// Unknown marks a migration recorded in the database that this program
	// does not have: a newer Ordi applied it.
	Unknown bool
}

// Status lists every known migration and whether it is applied, then the
// applied migrations this program does not know.
func Status(ctx context.Context, db *gorm.DB) ([]Migration, error) {
	pool, done, err := migrationPool(db)
	if err != nil {
		return nil, err
	}
	defer done()
	p, err := provider(pool, DialectOf(db))
	if err != nil {
		return nil, err
	}
	states, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	out := make([]Migration, 0, len(states))
	for _, s := range states {
		out = append(out, Migration{
			Version:   s.Source.Version,
			Name:      s.Source.Path,
			Applied:   s.State == goose.StateApplied,
			AppliedAt: s.AppliedAt,
		})
	}
	s, err := readSchema(ctx, pool, DialectOf(db))
	if err != nil {
		return nil, err
	}
	for _, v := range s.unknown {
		m := Migration{Version: v, Applied: true, Unknown: true}
		if r, err := s.store.GetMigration(ctx, pool, v); err == nil {
			m.AppliedAt = r.Timestamp
		}
		out = append(out, m)
	}
	return out, nil
}

// schema compares the migrations recorded in a database with this
// program's.
type schema struct {
	store   goosedb.Store
	pending []int64 // known, not applied
	unknown []int64 // applied, not known
}

// readSchema reads goose's table without writing anything (goose's own
// reads create the table when it is missing). A database without the table
// has every migration pending.
func readSchema(ctx context.Context, sqlDB *sql.DB, d Dialect) (schema, error) {
	dialect, dir, err := gooseDialect(d)
	if err != nil {
		return schema{}, err
	}
	known, err := knownVersions(dir)
	if err != nil {
		return schema{}, err
	}
	store, err := goosedb.NewStore(dialect, goose.DefaultTablename)
	if err != nil {
		return schema{}, err
	}
	s := schema{store: store}
	var applied []int64
	exists, err := versionTableExists(ctx, sqlDB, d)
	if err != nil {
		return schema{}, fmt.Errorf("migrations: %w", Translate(err))
	}
	if exists {
		rows, err := store.ListMigrations(ctx, sqlDB)
		if err != nil {
			return schema{}, fmt.Errorf("migrations: %w", Translate(err))
		}
		for _, r := range rows {
			if r.IsApplied && r.Version != 0 {
				applied = append(applied, r.Version)
			}
		}
	}
	for _, v := range known {
		if !slices.Contains(applied, v) {
			s.pending = append(s.pending, v)
		}
	}
	for _, v := range applied {
		if !slices.Contains(known, v) && !slices.Contains(s.unknown, v) {
			s.unknown = append(s.unknown, v)
		}
	}
	slices.Sort(s.unknown)
	return s, nil
}

func versionTableExists(ctx context.Context, sqlDB *sql.DB, d Dialect) (bool, error) {
	query := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1"
	if d == Postgres {
		query = "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = $1"
	}
	var n int
	err := sqlDB.QueryRowContext(ctx, query, goose.DefaultTablename).Scan(&n)
	return n > 0, err
}

// knownVersions lists the versions of the embedded migrations of a folder,
// read from their file names as goose does (00007_name.sql).
func knownVersions(dir string) ([]int64, error) {
	entries, err := fs.ReadDir(migrations.FS, dir)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, e := range entries {
		prefix, _, ok := strings.Cut(e.Name(), "_")
		if !ok || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		v, err := strconv.ParseInt(prefix, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		out = append(out, v)
	}
	return out, nil
}

// Check is the readiness probe: the database answers, its schema is the one
// this program was written for (no migration pending, none unknown), and on
// SQLite its disk has room for writes (SpaceError). Its errors are
// ordi.Unavailable, with a message that may be shown to whoever probes;
// errors.Is finds ErrPending and ErrAhead in them.
func Check(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return Translate(fmt.Errorf("ping: %w", err))
	}
	s, err := readSchema(ctx, sqlDB, DialectOf(db))
	switch {
	case err != nil:
		return err
	case len(s.unknown) > 0:
		return &ordi.Error{Kind: ordi.Unavailable, Err: aheadError{s.unknown},
			Message: "La base de données a été migrée par une version plus récente d'Ordi : cette instance ne doit plus la servir."}
	case len(s.pending) > 0:
		return &ordi.Error{Kind: ordi.Unavailable, Err: ErrPending, Message: "Des migrations de la base de données restent à appliquer."}
	}
	if DialectOf(db) == SQLite {
		return checkSpace(ctx, sqlDB)
	}
	return nil
}
