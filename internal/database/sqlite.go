package database

import (
	"context"
	"crypto/md5"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/cases"
	"modernc.org/sqlite"
)

// pragmas every SQLite connection gets: wait instead of failing on a busy
// database, WAL for concurrent readers, foreign keys enforced as on
// PostgreSQL, and LIKE case-sensitive as on PostgreSQL (i-lookups fold case
// explicitly with casefold()).
var sqlitePragmas = []string{
	"busy_timeout(10000)",
	"journal_mode(WAL)",
	"synchronous(NORMAL)",
	"foreign_keys(1)",
	"case_sensitive_like(1)",
}

func openSQLite(ctx context.Context, path string, opts Options) (*DB, error) {
	if path == "" {
		return nil, fmt.Errorf("open sqlite: empty path")
	}
	registerSQLiteFunctions()
	q := url.Values{}
	for _, p := range sqlitePragmas {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	if path == ":memory:" {
		// One shared in-memory database for the whole pool.
		dsn = "file:autogql_mem?mode=memory&cache=shared&" + q.Encode()
	}
	sq, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	if opts.MaxConns > 0 {
		sq.SetMaxOpenConns(opts.MaxConns)
	}
	if path != ":memory:" { // closing every connection would drop the database
		sq.SetConnMaxLifetime(opts.MaxConnLifetime)
		sq.SetConnMaxIdleTime(opts.MaxConnIdleTime)
	}
	if err := sq.PingContext(ctx); err != nil {
		sq.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	return &DB{dialect: SQLite, sq: sq, onQuery: opts.OnQuery, observe: opts.Observe}, nil
}

var registerOnce sync.Once

// registerSQLiteFunctions adds the functions generated SQL relies on:
// casefold(text) for Unicode case-insensitive lookups, regexp(pattern,
// text) for the regex lookups (Go RE2 syntax on SQLite) and
// localtime(datetime, zone) for date parts in the configured time zone, and
// md5(text) as PostgreSQL has it (cursor checks).
func registerSQLiteFunctions() {
	registerOnce.Do(func() {
		fold := cases.Fold()
		sqlite.MustRegisterDeterministicScalarFunction("casefold", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			switch v := args[0].(type) {
			case nil:
				return nil, nil
			case string:
				return fold.String(v), nil
			case []byte:
				return fold.String(string(v)), nil
			default:
				return fold.String(fmt.Sprint(v)), nil
			}
		})
		sqlite.MustRegisterDeterministicScalarFunction("md5", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			var b []byte
			switch v := args[0].(type) {
			case nil:
				return nil, nil
			case string:
				b = []byte(v)
			case []byte:
				b = v
			default:
				b = []byte(fmt.Sprint(v))
			}
			sum := md5.Sum(b)
			return hex.EncodeToString(sum[:]), nil
		})
		var zones sync.Map // name → *time.Location
		sqlite.MustRegisterDeterministicScalarFunction("localtime", 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			s, ok1 := args[0].(string)
			name, ok2 := args[1].(string)
			if !ok1 || !ok2 {
				return nil, nil
			}
			loc, ok := zones.Load(name)
			if !ok {
				l, err := time.LoadLocation(name)
				if err != nil {
					return nil, fmt.Errorf("unknown time zone %q", name)
				}
				loc, _ = zones.LoadOrStore(name, l)
			}
			t, err := ParseDateTime(s)
			if err != nil {
				return nil, nil
			}
			return t.In(loc.(*time.Location)).Format("2006-01-02 15:04:05.999999"), nil
		})
		var cache sync.Map // pattern → *regexp.Regexp
		sqlite.MustRegisterDeterministicScalarFunction("regexp", 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			pat, ok := args[0].(string)
			if !ok || args[1] == nil {
				return nil, nil
			}
			var s string
			switch v := args[1].(type) {
			case string:
				s = v
			case []byte:
				s = string(v)
			default:
				s = fmt.Sprint(v)
			}
			re, ok := cache.Load(pat)
			if !ok {
				c, err := regexp.Compile(pat)
				if err != nil {
					return nil, fmt.Errorf("invalid regular expression: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
				}
				re, _ = cache.LoadOrStore(pat, c)
			}
			if re.(*regexp.Regexp).MatchString(s) {
				return int64(1), nil
			}
			return int64(0), nil
		})
	})
}

// SQLQuerier is what database/sql databases and transactions have in
// common.
type SQLQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func appendJSONSQL(ctx context.Context, q SQLQuerier, dst []byte, query string, args []any) ([]byte, error) {
	rows, err := q.QueryContext(ctx, query, args...)
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
	var raw sql.RawBytes
	if err := rows.Scan(&raw); err != nil {
		return dst, err
	}
	if raw == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, raw...)
	}
	return dst, rows.Close()
}

// QueryRowsSQL runs a query through database/sql and calls scan once per
// row.
func QueryRowsSQL(ctx context.Context, q SQLQuerier, query string, args []any, scan func(func(...any) error) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
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

type sqlTx struct {
	tx *sql.Tx
	db *DB
}

func (t *sqlTx) Exec(ctx context.Context, query string, args ...any) error {
	t.db.trace(query)
	if t.db.observe != nil {
		defer t.db.timed(time.Now())
	}
	_, err := t.tx.ExecContext(ctx, query, args...)
	return err
}

func (t *sqlTx) AppendJSON(ctx context.Context, dst []byte, query string, args ...any) ([]byte, error) {
	t.db.trace(query)
	if t.db.observe != nil {
		defer t.db.timed(time.Now())
	}
	return appendJSONSQL(ctx, t.tx, dst, query, args)
}

func (t *sqlTx) QueryRows(ctx context.Context, query string, args []any, scan func(func(...any) error) error) error {
	t.db.trace(query)
	if t.db.observe != nil {
		defer t.db.timed(time.Now())
	}
	return QueryRowsSQL(ctx, t.tx, query, args, scan)
}
