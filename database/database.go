// Package database opens Ordi's database, SQLite by default or PostgreSQL,
// and applies the embedded migrations.
package database

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/ncruces/go-sqlite3/gormlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
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
	// FULL: a commit is on disk before it is acknowledged. With NORMAL a power
	// cut may roll back the last transactions, and a handover already printed
	// would give its certificate number to the next one (docs/decisions.md).
	q.Add("_pragma", "synchronous(full)")
	// Deleted and overwritten content is zeroed, so an erased family's data
	// does not live on in the file's free space (docs/decisions.md).
	q.Add("_pragma", "secure_delete(1)")
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
	var (
		inner gorm.Dialector
		pg    *postgresConfig
	)
	switch t.Dialect {
	case SQLite:
		inner = gormlite.Open(t.DSN)
	case Postgres:
		var err error
		if pg, err = parsePostgres(t.DSN); err != nil {
			return nil, err
		}
		inner = pg.dialector()
	default:
		return nil, fmt.Errorf("base de données inconnue %q", t.Dialect)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	db, err := gorm.Open(dialector{inner}, &gorm.Config{
		TranslateError:         true,
		SkipDefaultTransaction: true,
		// OpenTarget pings below, under a deadline; GORM's own ping has none.
		DisableAutomaticPing: true,
		NowFunc:              func() time.Time { return time.Now().UTC() },
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
	if err := db.Use(&opened{target: t, pg: pg}); err != nil {
		return nil, err
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
		return nil, fmt.Errorf("base de données injoignable : %w", err)
	}
	return db, nil
}

// opened keeps on a *gorm.DB what OpenTarget knew, for Migrate. It is a
// GORM plugin only to ride along with the handle.
type opened struct {
	target Target
	pg     *postgresConfig // nil for SQLite
}

const openedName = "ordi:database"

func (*opened) Name() string                 { return openedName }
func (*opened) Initialize(db *gorm.DB) error { return nil }

func openedOf(db *gorm.DB) *opened {
	o, _ := db.Config.Plugins[openedName].(*opened)
	return o
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

// ErrBackupPostgres is returned by Backup on PostgreSQL, whose own tools
// (pg_dump) make backups.
var ErrBackupPostgres = errors.New("ordi backup copie une base SQLite ; sur PostgreSQL, utilisez pg_dump (voir le README)")

// Backup writes a consistent copy of a SQLite database, in use or not, to
// path, which must not exist yet (VACUUM INTO).
func Backup(ctx context.Context, db *gorm.DB, path string) error {
	if DialectOf(db) != SQLite {
		return ErrBackupPostgres
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("le fichier %s existe déjà : choisissez un nouveau nom", path)
	}
	if err := db.WithContext(ctx).Exec("VACUUM INTO ?", path).Error; err != nil {
		return fmt.Errorf("copie de la base vers %s : %w", path, err)
	}
	return nil
}
