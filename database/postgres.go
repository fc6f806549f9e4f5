package database

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
)

// Deadlines on PostgreSQL work, so that a database that is slow, hung or cut
// off makes requests fail (503, see Translate) instead of waiting as long as
// their clients do. Each applies unless the URL sets it (connect_timeout in
// seconds; statement_timeout and idle_in_transaction_session_timeout as
// PostgreSQL reads them, e.g. 30s or 30000 for milliseconds, 0 for none).
// docs/decisions.md says how the values were chosen.
const (
	// DefaultConnectTimeout bounds opening a connection: TCP, TLS and the
	// server's start-up.
	DefaultConnectTimeout = 5 * time.Second
	// DefaultStatementTimeout is PostgreSQL's statement_timeout: the server
	// cancels a statement that runs, or waits for a lock, longer.
	DefaultStatementTimeout = 10 * time.Second
	// DefaultIdleInTransactionTimeout is PostgreSQL's
	// idle_in_transaction_session_timeout: the server ends a session whose
	// transaction has waited that long for its next statement, so that a hung
	// client does not keep its locks.
	DefaultIdleInTransactionTimeout = 60 * time.Second
	// clientGrace is how long after statement_timeout the client stops
	// waiting for the answer. A live server has answered by then (with an
	// error if the statement was cancelled); one that has not is hung or cut
	// off, and its own timer cannot reach us.
	clientGrace = 2 * time.Second
	// pingTimeout bounds the liveness ping made before reusing a connection
	// that has been idle more than a second.
	pingTimeout = 2 * time.Second
)

// postgresConfig is a parsed PostgreSQL URL with Ordi's deadlines applied.
type postgresConfig struct {
	conn *pgx.ConnConfig
	// statementTimeout is the statement_timeout sent to the server; 0 when
	// the URL disables it.
	statementTimeout time.Duration
}

func parsePostgres(dsn string) (*postgresConfig, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("URL de base de données invalide : %w", err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	setDefault(cfg.RuntimeParams, "statement_timeout", DefaultStatementTimeout)
	setDefault(cfg.RuntimeParams, "idle_in_transaction_session_timeout", DefaultIdleInTransactionTimeout)
	pc := &postgresConfig{conn: cfg}
	for _, name := range []string{"statement_timeout", "idle_in_transaction_session_timeout"} {
		d, ok := parseSetting(cfg.RuntimeParams[name])
		if !ok {
			return nil, fmt.Errorf("URL de base de données invalide : %s=%q n'est pas une durée (ex. 30s)", name, cfg.RuntimeParams[name])
		}
		if name == "statement_timeout" {
			pc.statementTimeout = d
		}
	}
	if pc.statementTimeout > 0 {
		cfg.Tracer = statementDeadline(pc.statementTimeout + clientGrace)
	}
	return pc, nil
}

func setDefault(params map[string]string, name string, d time.Duration) {
	if _, set := params[name]; !set {
		params[name] = strconv.FormatInt(d.Milliseconds(), 10)
	}
}

// parseSetting reads a PostgreSQL time setting: a number with an optional
// unit, milliseconds by default.
func parseSetting(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	end := strings.IndexFunc(v, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if end < 0 {
		end = len(v)
	}
	n, err := strconv.ParseFloat(v[:end], 64)
	if err != nil || n < 0 {
		return 0, false
	}
	unit, ok := map[string]time.Duration{"": time.Millisecond, "us": time.Microsecond, "ms": time.Millisecond,
		"s": time.Second, "min": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[strings.TrimSpace(v[end:])]
	if !ok {
		return 0, false
	}
	return time.Duration(n * float64(unit)), true
}

func (pc *postgresConfig) dialector() gorm.Dialector {
	return postgres.New(postgres.Config{Conn: openPostgres(pc.conn, stdlib.OptionShouldPing(pingBriefly))})
}

// withoutDeadlines opens a small pool on the same server without the
// statement deadlines: migrations may legitimately run long.
func (pc *postgresConfig) withoutDeadlines() *sql.DB {
	cfg := pc.conn.Copy()
	cfg.RuntimeParams["statement_timeout"] = "0"
	cfg.RuntimeParams["idle_in_transaction_session_timeout"] = "0"
	cfg.Tracer = nil
	db := openPostgres(cfg)
	db.SetMaxOpenConns(2)
	return db
}

func openPostgres(cfg *pgx.ConnConfig, opts ...stdlib.OptionOpenDB) *sql.DB {
	return stdlib.OpenDB(*cfg, append(opts, stdlib.OptionAfterConnect(scanUTC))...)
}

// scanUTC makes pgx return timestamptz values in UTC rather than the
// server process's local zone: Ordi's times are UTC everywhere.
func scanUTC(_ context.Context, conn *pgx.Conn) error {
	conn.TypeMap().RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID, Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
	return nil
}

// statementDeadline is a pgx tracer that gives every statement (BEGIN and
// COMMIT included) a deadline on the client, unless its context already has
// an earlier one. It ends when the statement does, rows read and closed.
type statementDeadline time.Duration

type cancelKey struct{}

func (d statementDeadline) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	var cancel context.CancelFunc
	if deadline, ok := ctx.Deadline(); !ok || time.Until(deadline) > time.Duration(d) {
		ctx, cancel = context.WithTimeout(ctx, time.Duration(d))
	}
	// Stored even when nil, so that TraceQueryEnd never finds, and cancels,
	// the deadline of an enclosing statement.
	return context.WithValue(ctx, cancelKey{}, cancel)
}

func (statementDeadline) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryEndData) {
	if cancel, _ := ctx.Value(cancelKey{}).(context.CancelFunc); cancel != nil {
		cancel()
	}
}

// pingBriefly replaces the ping database/sql's driver makes before reusing a
// connection idle for more than a second, which has no deadline of its own:
// on a hung server each of several pooled connections would wait in turn.
// It reports whether the driver must ping again: only after a failure, when
// the connection is closed and that second ping fails at once, so that the
// pool drops the connection.
func pingBriefly(ctx context.Context, p stdlib.ShouldPingParams) bool {
	if p.IdleDuration <= time.Second {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	return p.Conn.Ping(ctx) != nil
}
