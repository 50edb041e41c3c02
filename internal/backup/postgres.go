package backup

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/autogql/autogql/internal/database"
)

// pgTarget is a PostgreSQL URL split into what libpq's tools accept and
// the schema autogql works in (search_path, which libpq does not take in
// a URL).
type pgTarget struct {
	// conninfo is the URL without the parameters libpq rejects.
	conninfo string
	// schema is the first schema of search_path, or "" for the server's
	// default (current_schema()).
	schema string
	// database is the database name.
	database string
}

// libpqParams are the URL query parameters passed on to pg_dump and
// pg_restore; the others (search_path, pool settings) are pgx's.
var libpqParams = map[string]bool{
	"sslmode": true, "sslrootcert": true, "sslcert": true, "sslkey": true, "sslpassword": true,
	"connect_timeout": true, "application_name": true, "target_session_attrs": true,
	"options": true, "passfile": true, "service": true,
}

func parsePG(raw string) (pgTarget, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return pgTarget{}, fmt.Errorf("parse database URL: %w", err)
	}
	q := u.Query()
	t := pgTarget{database: strings.TrimPrefix(u.Path, "/")}
	if sp := q.Get("search_path"); sp != "" {
		t.schema = strings.Trim(strings.TrimSpace(strings.Split(sp, ",")[0]), `"`)
	}
	kept := url.Values{}
	for k, v := range q {
		if libpqParams[k] {
			kept[k] = v
		}
	}
	u.RawQuery = kept.Encode()
	t.conninfo = u.String()
	return t, nil
}

// withDatabase returns raw with its database name replaced.
func withDatabase(raw, name string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("parse database URL: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// pgTool finds a PostgreSQL client program for a server of the given
// major version: binDir when set, else Debian's versioned directory
// (/usr/lib/postgresql/<major>/bin) when it exists, else PATH. pg_dump
// refuses servers newer than itself, so the versioned one is preferred.
func pgTool(binDir string, major int, name string) (string, error) {
	if binDir != "" {
		p := filepath.Join(binDir, name)
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s: %w", name, err)
		}
		return p, nil
	}
	if major > 0 {
		p := fmt.Sprintf("/usr/lib/postgresql/%d/bin/%s", major, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s not found (install the PostgreSQL %d client, e.g. postgresql-client-%d, or set --pg-bin): %w", name, major, major, err)
	}
	return p, nil
}

// serverMajor asks the server its major version.
func serverMajor(ctx context.Context, q rowQuerier) (int, error) {
	var v string
	if err := q.QueryRows(ctx, `SHOW server_version_num`, nil, func(scan func(...any) error) error { return scan(&v) }); err != nil {
		return 0, fmt.Errorf("server version: %w", err)
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("server version %q: %w", v, err)
	}
	return n / 10000, nil
}

// run runs a client program, returning its combined output in the error.
func run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%s: %w: %s", filepath.Base(name), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// pgSnapshot adapts a pgx transaction to rowQuerier.
type pgSnapshot struct{ tx pgx.Tx }

func (s pgSnapshot) QueryRows(ctx context.Context, query string, args []any, scan func(func(...any) error) error) error {
	return database.QueryRowsPgx(ctx, s.tx, query, args, scan)
}

// dumpPG writes a custom-format dump of the target's schema to file and
// fills the manifest's tables and schema version from the same snapshot:
// a repeatable-read transaction exports its snapshot and pg_dump reads
// through it, so the counts describe exactly the rows in the file.
func (m *Manager) dumpPG(ctx context.Context, db *database.DB, rawURL, file string, man *Manifest) error {
	t, err := parsePG(rawURL)
	if err != nil {
		return err
	}
	tx, err := db.Pool().BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("begin snapshot: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // read-only
	snap := pgSnapshot{tx}
	if t.schema == "" {
		if err := snap.QueryRows(ctx, `SELECT current_schema()`, nil, func(scan func(...any) error) error { return scan(&t.schema) }); err != nil {
			return fmt.Errorf("current schema: %w", err)
		}
	}
	var snapshot string
	if err := snap.QueryRows(ctx, `SELECT pg_export_snapshot()`, nil, func(scan func(...any) error) error { return scan(&snapshot) }); err != nil {
		return fmt.Errorf("export snapshot: %w", err)
	}
	major, err := serverMajor(ctx, snap)
	if err != nil {
		return err
	}
	dump, err := pgTool(m.PGBinDir, major, "pg_dump")
	if err != nil {
		return err
	}
	args := []string{"--format=custom", "--no-owner", "--no-privileges", "--snapshot=" + snapshot,
		"--schema=" + quotePattern(t.schema), "--file=" + file}
	for _, op := range OperationalTables {
		args = append(args, "--exclude-table="+quotePattern(t.schema)+"."+quotePattern(op))
	}
	args = append(args, "--dbname="+t.conninfo)
	if _, err := run(ctx, dump, args...); err != nil {
		return err
	}
	if v, err := run(ctx, dump, "--version"); err == nil {
		man.Tool = strings.TrimSpace(string(v))
	}
	tables, err := tablesOf(ctx, snap, database.Postgres, t.schema)
	if err != nil {
		return err
	}
	if man.Tables, err = statsOf(ctx, snap, database.Postgres, t.schema, tables); err != nil {
		return err
	}
	if man.SchemaVersion, man.Migrations, err = schemaVersion(ctx, snap, database.Postgres, t.schema, tables); err != nil {
		return err
	}
	man.Schema = t.schema
	return tx.Commit(ctx)
}

// quotePattern quotes an identifier for a pg_dump pattern, so it matches
// exactly (no wildcards, case kept).
func quotePattern(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// restorePG restores a dump into the database at rawURL, whose schema
// (search_path) must be the dump's. clean drops the dumped objects first
// (a live target); the whole restore is one transaction, so a failure
// leaves the target as it was.
func (m *Manager) restorePG(ctx context.Context, db *database.DB, rawURL, file string, man *Manifest, clean bool) error {
	t, err := parsePG(rawURL)
	if err != nil {
		return err
	}
	major, err := serverMajor(ctx, db)
	if err != nil {
		return err
	}
	restore, err := pgTool(m.PGBinDir, major, "pg_restore")
	if err != nil {
		return err
	}
	// The dump's SCHEMA entry is left out: --clean would try to drop the
	// schema, which still holds the operational tables. The schema is
	// created here instead when missing.
	list, err := run(ctx, restore, "--list", file)
	if err != nil {
		return err
	}
	var kept bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(list))
	for sc.Scan() {
		line := sc.Text()
		if schemaEntry(line) {
			continue
		}
		kept.WriteString(line + "\n")
	}
	listFile, err := os.CreateTemp("", "autogql-restore-*.list")
	if err != nil {
		return err
	}
	defer os.Remove(listFile.Name())
	if _, err := listFile.Write(kept.Bytes()); err != nil {
		listFile.Close()
		return err
	}
	if err := listFile.Close(); err != nil {
		return err
	}
	if err := db.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+database.QuoteIdent(man.Schema)); err != nil {
		return fmt.Errorf("create schema %s: %w", man.Schema, err)
	}
	args := []string{"--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
		"--use-list=" + listFile.Name()}
	if clean {
		args = append(args, "--clean", "--if-exists")
	}
	args = append(args, "--dbname="+t.conninfo, file)
	if _, err := run(ctx, restore, args...); err != nil {
		return err
	}
	return nil
}

// schemaEntry reports a pg_restore --list line that creates or comments
// on a schema: "3; 2615 2200 SCHEMA - public owner" or
// "4; 0 0 COMMENT - SCHEMA public owner".
func schemaEntry(line string) bool {
	f := strings.Fields(line)
	if strings.HasPrefix(line, ";") || len(f) < 4 {
		return false
	}
	return f[3] == "SCHEMA" || (f[3] == "COMMENT" && len(f) > 5 && f[5] == "SCHEMA")
}

// scratchPG creates an empty database on the server of rawURL and returns
// its URL (search_path set to schema) and a function that drops it. The
// role needs CREATEDB.
func scratchPG(ctx context.Context, db *database.DB, rawURL, schema string) (string, func(context.Context) error, error) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "autogql_verify_" + hex.EncodeToString(b[:])
	if err := db.Exec(ctx, `CREATE DATABASE `+database.QuoteIdent(name)); err != nil {
		return "", nil, fmt.Errorf("create scratch database (the role needs CREATEDB, or pass --scratch URL): %w", err)
	}
	drop := func(ctx context.Context) error {
		return db.Exec(ctx, `DROP DATABASE IF EXISTS `+database.QuoteIdent(name)+` WITH (FORCE)`)
	}
	u, err := withDatabase(rawURL, name)
	if err != nil {
		return "", nil, errors.Join(err, drop(ctx))
	}
	pu, err := url.Parse(u)
	if err != nil {
		return "", nil, errors.Join(err, drop(ctx))
	}
	q := pu.Query()
	q.Set("search_path", schema)
	pu.RawQuery = q.Encode()
	return pu.String(), drop, nil
}
