// Package database opens the SQL databases autogql serves (embedded SQLite or
// PostgreSQL) behind one small type. It sits below the engine: the engine
// hands it SQL text and ordered parameters, and it appends the JSON the
// database built to the caller's buffer without decoding it.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Dialect names a supported SQL dialect.
type Dialect string

// Supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Options tune how a database is opened.
type Options struct {
	// OnQuery, when set, is called before every statement the DB runs. Tests
	// use it to count statements per request.
	OnQuery func(sql string)
	// MaxConns caps the pool size (0 = driver default).
	MaxConns int
	// MinConns keeps this many PostgreSQL connections open.
	MinConns int
	// MaxConnLifetime and MaxConnIdleTime recycle connections (0 = driver
	// default).
	MaxConnLifetime, MaxConnIdleTime time.Duration
	// PgBouncer runs statements without server-side prepared statements
	// (pgx's exec mode, no statement cache) and sets no startup parameters
	// PgBouncer would refuse, for PgBouncer in transaction pooling mode.
	PgBouncer bool
	// StatementTimeout is a server-side backstop for every statement on
	// PostgreSQL (statement_timeout); callers bound statements with their
	// context, which cancels them on the server (0 = none).
	StatementTimeout time.Duration
	// Observe, when set, receives the duration of every statement.
	Observe func(time.Duration)
}

// DB is an open database. It is safe for concurrent use.
type DB struct {
	dialect Dialect
	pg      *pgxpool.Pool
	sq      *sql.DB
	onQuery func(string)
	observe func(time.Duration)
}

// ErrUnsupportedURL is returned by Open for a URL that names no supported database.
var ErrUnsupportedURL = errors.New("unsupported database URL (want sqlite:PATH, postgres://… or postgresql://…)")

// Open connects to the database named by url: "sqlite:autogql.db",
// "sqlite:/abs/path.db", "sqlite::memory:", "postgres://…" or "postgresql://…".
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return openPostgres(ctx, url, opts)
	case strings.HasPrefix(url, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(url, "sqlite:"), opts)
	default:
		return nil, fmt.Errorf("open database: %w", ErrUnsupportedURL)
	}
}

func openPostgres(ctx context.Context, url string, opts Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = int32(opts.MaxConns)
	}
	if opts.MinConns > 0 {
		cfg.MinConns = int32(opts.MinConns)
	}
	if opts.MaxConnLifetime > 0 {
		cfg.MaxConnLifetime = opts.MaxConnLifetime
	}
	if opts.MaxConnIdleTime > 0 {
		cfg.MaxConnIdleTime = opts.MaxConnIdleTime
	}
	if opts.PgBouncer {
		cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
		cfg.ConnConfig.StatementCacheCapacity = 0
		cfg.ConnConfig.DescriptionCacheCapacity = 0
	} else if opts.StatementTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(opts.StatementTimeout.Milliseconds(), 10)
	}
	// A cancelled context (a request timeout, a client gone) cancels the
	// statement on the server at once rather than only abandoning the
	// connection, so a slow query stops using the database.
	cfg.ConnConfig.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: time.Second}
	}
	// Durations are rendered by SQL; keep the session's view of time fixed so
	// generated SQL means the same on every connection.
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	cfg.ConnConfig.RuntimeParams["intervalstyle"] = "iso_8601"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return &DB{dialect: Postgres, pg: pool, onQuery: opts.OnQuery, observe: opts.Observe}, nil
}

// Dialect returns the database's SQL dialect.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close releases every connection.
func (db *DB) Close() {
	if db.pg != nil {
		db.pg.Close()
	}
	if db.sq != nil {
		db.sq.Close()
	}
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if db.pg != nil {
		return db.pg.Ping(ctx)
	}
	return db.sq.PingContext(ctx)
}

// Pool returns the PostgreSQL pool (nil on SQLite), for pool statistics.
func (db *DB) Pool() *pgxpool.Pool { return db.pg }

// PoolStats is a snapshot of the connection pool.
type PoolStats struct {
	// Max is the pool's size cap (0: unbounded, SQLite's default).
	Max int
	// Idle, InUse and Total count open connections.
	Idle, InUse, Total int
}

// PoolStats reports the pool, from pgxpool.Stat or sql.DB.Stats.
func (db *DB) PoolStats() PoolStats {
	if db.pg != nil {
		s := db.pg.Stat()
		return PoolStats{Max: int(s.MaxConns()), Idle: int(s.IdleConns()), InUse: int(s.AcquiredConns()), Total: int(s.TotalConns())}
	}
	s := db.sq.Stats()
	return PoolStats{Max: s.MaxOpenConnections, Idle: s.Idle, InUse: s.InUse, Total: s.OpenConnections}
}

// Querier runs statements, on the database or inside a transaction.
type Querier interface {
	// Exec runs a statement that returns no rows.
	Exec(ctx context.Context, query string, args ...any) error
	// AppendJSON runs a statement returning one row with one column holding
	// JSON text and appends that text to dst ("null" when SQL NULL).
	AppendJSON(ctx context.Context, dst []byte, query string, args ...any) ([]byte, error)
	// QueryRows runs a query and calls scan once per row.
	QueryRows(ctx context.Context, query string, args []any, scan func(scan func(dest ...any) error) error) error
}

// Exec implements Querier.
func (db *DB) Exec(ctx context.Context, query string, args ...any) error {
	db.trace(query)
	if db.observe != nil {
		defer db.timed(time.Now())
	}
	if db.pg != nil {
		_, err := db.pg.Exec(ctx, query, args...)
		return err
	}
	_, err := db.sq.ExecContext(ctx, query, args...)
	return err
}

// AppendJSON implements Querier.
func (db *DB) AppendJSON(ctx context.Context, dst []byte, query string, args ...any) ([]byte, error) {
	db.trace(query)
	if db.observe != nil {
		defer db.timed(time.Now())
	}
	if db.pg != nil {
		return appendJSONPG(ctx, db.pg, dst, query, args)
	}
	return appendJSONSQL(ctx, db.sq, dst, query, args)
}

// QueryRows implements Querier.
func (db *DB) QueryRows(ctx context.Context, query string, args []any, scan func(scan func(dest ...any) error) error) error {
	db.trace(query)
	if db.observe != nil {
		defer db.timed(time.Now())
	}
	if db.pg != nil {
		return QueryRowsPgx(ctx, db.pg, query, args, scan)
	}
	return QueryRowsSQL(ctx, db.sq, query, args, scan)
}

func (db *DB) trace(query string) {
	if db.onQuery != nil {
		db.onQuery(query)
	}
}

// timed reports the duration of a statement that started at start.
func (db *DB) timed(start time.Time) { db.observe(time.Since(start)) }

// InTx runs fn in one transaction, committing when fn returns nil and
// rolling back otherwise.
func (db *DB) InTx(ctx context.Context, fn func(tx Querier) error) error {
	if db.pg != nil {
		tx, err := db.pg.Begin(ctx)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		defer tx.Rollback(ctx) //nolint:errcheck // no-op after commit
		if err := fn(&pgTx{tx: tx, db: db}); err != nil {
			return err
		}
		return tx.Commit(ctx)
	}
	tx, err := db.sq.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	if err := fn(&sqlTx{tx: tx, db: db}); err != nil {
		return err
	}
	return tx.Commit()
}

// PgxQuerier is what pgx connections, pools and transactions have in
// common.
type PgxQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

func appendJSONPG(ctx context.Context, q PgxQuerier, dst []byte, query string, args []any) ([]byte, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return dst, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return dst, err
		}
		return append(dst, "null"...), nil
	}
	raw := rows.RawValues()
	if len(raw) != 1 {
		return dst, fmt.Errorf("query returned %d columns, want 1", len(raw))
	}
	if raw[0] == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, raw[0]...)
	}
	rows.Close()
	return dst, rows.Err()
}

// QueryRowsPgx runs a query through pgx and calls scan once per row.
func QueryRowsPgx(ctx context.Context, q PgxQuerier, query string, args []any, scan func(func(...any) error) error) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

type pgTx struct {
	tx pgx.Tx
	db *DB
}

func (t *pgTx) Exec(ctx context.Context, query string, args ...any) error {
	t.db.trace(query)
	if t.db.observe != nil {
		defer t.db.timed(time.Now())
	}
	_, err := t.tx.Exec(ctx, query, args...)
	return err
}

func (t *pgTx) AppendJSON(ctx context.Context, dst []byte, query string, args ...any) ([]byte, error) {
	t.db.trace(query)
	if t.db.observe != nil {
		defer t.db.timed(time.Now())
	}
	return appendJSONPG(ctx, t.tx, dst, query, args)
}

func (t *pgTx) QueryRows(ctx context.Context, query string, args []any, scan func(func(...any) error) error) error {
	t.db.trace(query)
	if t.db.observe != nil {
		defer t.db.timed(time.Now())
	}
	return QueryRowsPgx(ctx, t.tx, query, args, scan)
}

// QuoteIdent quotes an SQL identifier (double quotes on both dialects).
func QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// QuoteIdents quotes identifiers and joins them with ", ".
func QuoteIdents(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = QuoteIdent(n)
	}
	return strings.Join(q, ", ")
}

// QuoteString renders a string literal. Generated SQL uses literals only
// for names and labels from the models file; request values are always
// bound parameters.
func QuoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
