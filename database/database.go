// Package database opens Ordi's database, SQLite by default or PostgreSQL,
// and applies the embedded migrations.
package database

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/ncruces/go-sqlite3/gormlite"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/ordi-app/ordi/migrations"
)

// DefaultURL is the database used when ORDI_DATABASE_URL is not set: a SQLite
// file in the working directory.
const DefaultURL = "ordi.db"

// Dialect names the database engine behind a *gorm.DB.
type Dialect string

// The supported engines. The values are GORM's dialector names.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DialectOf returns the engine of db.
func DialectOf(db *gorm.DB) Dialect { return Dialect(db.Dialector.Name()) }

// Target is a parsed ORDI_DATABASE_URL.
type Target struct {
	Dialect Dialect
	DSN     string // driver data source name
}

// sqliteTimeFormat is how times are written to SQLite: converted to UTC,
// fixed width, so text order is time order; SQLite's own datetime() values
// (goose writes them) decode too. Millisecond precision.
const sqliteTimeFormat = "2006-01-02 15:04:05.000"

// ParseURL reads a database URL: a postgres:// or postgresql:// URL selects
// PostgreSQL; a file path, a file: URI or a sqlite:// URL selects SQLite.
func ParseURL(raw string) (Target, error) {
	if raw == "" {
		raw = DefaultURL
	}
	if scheme, rest, ok := strings.Cut(raw, "://"); ok {
		switch strings.ToLower(scheme) {
		case "postgres", "postgresql":
			if _, err := url.Parse(raw); err != nil {
				return Target{}, fmt.Errorf("URL de base de données invalide: %w", err)
			}
			return Target{Dialect: Postgres, DSN: raw}, nil
		case "sqlite", "sqlite3":
			return sqliteTarget(rest)
		default:
			return Target{}, fmt.Errorf("URL de base de données invalide %q: utilisez un chemin de fichier SQLite ou une URL postgres://", redact(raw))
		}
	}
	if path, ok := strings.CutPrefix(raw, "file:"); ok {
		path, _, _ = strings.Cut(path, "?")
		return sqliteTarget(path)
	}
	return sqliteTarget(raw)
}

func sqliteTarget(path string) (Target, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return Target{}, fmt.Errorf("chemin de fichier SQLite invalide %q", path)
	}
	q := url.Values{}
	// Order matters: busy timeout first (see the driver's documentation).
	q.Add("_pragma", "busy_timeout(30000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(wal)")
	q.Add("_pragma", "synchronous(normal)")
	// Writers take the lock at BEGIN, so a transaction never fails half-way
	// when it upgrades from reading to writing; waiting is the busy timeout's job.
	q.Set("_txlock", "immediate")
	q.Set("_timefmt", sqliteTimeFormat)
	u := url.URL{Scheme: "file", Opaque: (&url.URL{Path: path}).EscapedPath(), RawQuery: q.Encode()}
	return Target{Dialect: SQLite, DSN: u.String()}, nil
}

// redact hides a password in a URL for messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "…"
	}
	return u.Redacted()
}

// Open connects to the database named by rawURL and checks that it answers.
// It does not migrate; call Migrate.
func Open(ctx context.Context, rawURL string, log *slog.Logger) (*gorm.DB, error) {
	t, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	return OpenTarget(ctx, t, log)
}

// OpenTarget connects to a parsed target.
func OpenTarget(ctx context.Context, t Target, log *slog.Logger) (*gorm.DB, error) {
	var dialector gorm.Dialector
	switch t.Dialect {
	case SQLite:
		dialector = gormlite.Open(t.DSN)
	case Postgres:
		dialector = postgres.New(postgres.Config{DSN: t.DSN, OptionOpenDB: []stdlib.OptionOpenDB{stdlib.OptionAfterConnect(scanUTC)}})
	default:
		return nil, fmt.Errorf("base de données inconnue %q", t.Dialect)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	db, err := gorm.Open(dialector, &gorm.Config{
		TranslateError:         true,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
		Logger: logger.New(slogWriter{log}, logger.Config{
			SlowThreshold:             500 * time.Millisecond,
			LogLevel:                  logger.Warn,
			IgnoreRecordNotFoundError: true,
			// Never write the values of a query: they may be personal data.
			ParameterizedQueries: true,
		}),
	})
	if err != nil {
		return nil, fmt.Errorf("base de données injoignable : %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	switch t.Dialect {
	case SQLite:
		sqlDB.SetMaxOpenConns(8)
		sqlDB.SetMaxIdleConns(8)
	case Postgres:
		sqlDB.SetMaxOpenConns(40)
		sqlDB.SetMaxIdleConns(40)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("base de données injoignable: %w", err)
	}
	return db, nil
}

// scanUTC makes pgx return timestamptz values in UTC rather than the
// server process's local zone: Ordi's times are UTC everywhere.
func scanUTC(_ context.Context, conn *pgx.Conn) error {
	conn.TypeMap().RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID, Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
	return nil
}

// Close closes the connection pool behind db.
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// slogWriter sends GORM's warnings (slow queries, errors) to slog. GORM is
// configured with parameterized queries, so no value reaches the log.
type slogWriter struct{ log *slog.Logger }

func (w slogWriter) Printf(format string, args ...any) {
	w.log.Warn("database", "message", fmt.Sprintf(format, args...))
}

func provider(db *gorm.DB) (*goose.Provider, error) {
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	var (
		dialect goose.Dialect
		dir     string
		opts    []goose.ProviderOption
	)
	switch DialectOf(db) {
	case SQLite:
		dialect, dir = goose.DialectSQLite3, "sqlite"
	case Postgres:
		dialect, dir = goose.DialectPostgres, "postgres"
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
	default:
		return nil, fmt.Errorf("no migrations for %q", DialectOf(db))
	}
	fsys, err := fs.Sub(migrations.FS, dir)
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(dialect, sqlDB, fsys, opts...)
}

// Migrate applies every pending migration.
func Migrate(ctx context.Context, db *gorm.DB) error {
	p, err := provider(db)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return nil
}

// Migration is the state of one migration.
type Migration struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time
}

// Status lists every known migration and whether it is applied.
func Status(ctx context.Context, db *gorm.DB) ([]Migration, error) {
	p, err := provider(db)
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
	return out, nil
}

// ErrPending is returned by Check when migrations remain to be applied.
var ErrPending = errors.New("des migrations restent à appliquer")

// Check pings the database and verifies that every migration is applied:
// the readiness probe.
func Check(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("base de données injoignable: %w", err)
	}
	p, err := provider(db)
	if err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if pending {
		return ErrPending
	}
	return nil
}
