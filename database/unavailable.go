package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/ncruces/go-sqlite3"
	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
)

// RetryAfter is how long a caller is asked to wait when the database cannot
// serve (503 Retry-After).
const RetryAfter = 5 * time.Second

// Translate returns err as an ordi.Unavailable error when it says that the
// database cannot serve now, whatever the statement: unreachable, hung or
// timed out, shutting down, out of disk, locked too long. Any other error is
// returned as it is. Every error of a *gorm.DB opened here, including those
// of BEGIN and COMMIT, already went through it (GORM's error translator);
// code reaching the database around GORM calls it itself.
func Translate(err error) error {
	if err == nil || !unavailable(err) || ordi.KindOf(err) == ordi.Unavailable {
		return err
	}
	return &ordi.Error{Kind: ordi.Unavailable, RetryAfter: RetryAfter,
		Message: "La base de données ne répond pas. Réessayez dans quelques instants.", Err: err}
}

// unavailable classifies by type and code, never by message.
func unavailable(err error) bool {
	// First, since SQLite's error type also has the methods of a net.Error.
	var code sqlite3.ErrorCode
	if errors.As(err, &code) {
		switch code {
		case sqlite3.BUSY, // still locked after the busy timeout
			sqlite3.INTERRUPT, // the context's deadline passed
			sqlite3.FULL, sqlite3.IOERR, sqlite3.CANTOPEN, sqlite3.READONLY:
			return true
		}
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code[:min(2, len(pgErr.Code))] {
		case "08", // connection exception
			"53", // insufficient resources: disk full, out of memory, too many connections
			"57", // operator intervention: statement timeout, shutdown, cannot connect now
			"58": // system error: I/O
			return true
		}
		return pgErr.Code == "25P03" // idle_in_transaction_session_timeout
	}
	var connectErr *pgconn.ConnectError
	var netErr *net.OpError
	return errors.As(err, &connectErr) || errors.As(err, &netErr) || pgconn.Timeout(err) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// dialector is the engine's GORM dialector with Translate after its own
// error translation. It forwards the optional interfaces GORM looks for.
type dialector struct{ gorm.Dialector }

func (d dialector) Translate(err error) error {
	if t, ok := d.Dialector.(gorm.ErrorTranslator); ok {
		err = t.Translate(err)
	}
	return Translate(err)
}

// Apply lets the engine adjust GORM's configuration (PostgreSQL's
// identifier length).
func (d dialector) Apply(c *gorm.Config) error {
	if a, ok := d.Dialector.(interface{ Apply(*gorm.Config) error }); ok {
		return a.Apply(c)
	}
	return nil
}

func (d dialector) SavePoint(tx *gorm.DB, name string) error {
	return d.Dialector.(gorm.SavePointerDialectorInterface).SavePoint(tx, name)
}

func (d dialector) RollbackTo(tx *gorm.DB, name string) error {
	return d.Dialector.(gorm.SavePointerDialectorInterface).RollbackTo(tx, name)
}
