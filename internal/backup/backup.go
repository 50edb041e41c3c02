package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/autogql/autogql/internal/config"
	"github.com/autogql/autogql/internal/database"
)

// Manager makes, checks and restores backups in one Storage.
type Manager struct {
	Storage Storage
	// PGBinDir holds pg_dump and pg_restore; empty finds the ones matching
	// the server's major version (see pgTool).
	PGBinDir string
	// Logger receives a line per backup, verify and restore; nil discards.
	Logger *slog.Logger
	// Now is the clock (tests); nil is time.Now.
	Now func() time.Time
}

func (m *Manager) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

func (m *Manager) log() *slog.Logger {
	if m.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return m.Logger
}

// CreateOptions tune Create.
type CreateOptions struct {
	// Release is recorded in the manifest.
	Release string
	// NoLog skips the row in autogql_backups (the metric's source).
	NoLog bool
}

// Create backs up the database at rawURL: the data file and its manifest
// go to the storage, then the success is logged in the database.
func (m *Manager) Create(ctx context.Context, rawURL string, opts CreateOptions) (*Manifest, error) {
	start := m.now()
	db, err := database.Open(ctx, rawURL, database.Options{MaxConns: 2})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	man := &Manifest{
		ID:        newID(start),
		CreatedAt: start.UTC(),
		Release:   opts.Release,
		Dialect:   string(db.Dialect()),
		Database:  config.MaskURL(rawURL),
	}
	tmpDir, err := os.MkdirTemp("", "autogql-backup-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmpDir)
	var file string
	switch db.Dialect() {
	case database.Postgres:
		man.Format, man.File = FormatPGCustom, man.ID+".dump"
		file = filepath.Join(tmpDir, man.File)
		err = m.dumpPG(ctx, db, rawURL, file, man)
	default:
		man.Format, man.File = FormatSQLite, man.ID+".sqlite"
		file = filepath.Join(tmpDir, man.File)
		err = dumpSQLite(ctx, db, file, man)
	}
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if man.Size, man.SHA256, err = digestFile(file); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := m.Storage.Put(ctx, man.File, f); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	man.DurationMS = m.now().Sub(start).Milliseconds()
	// The manifest goes last: a backup without one is incomplete and
	// ignored by List.
	if err := writeManifest(ctx, m.Storage, man); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if !opts.NoLog {
		if err := logSuccess(ctx, db, man); err != nil {
			m.log().Warn("backup log", "backup", man.ID, "err", err)
		}
	}
	m.log().Info("backup created", "backup", man.ID, "bytes", man.Size, "tables", len(man.Tables),
		"rows", man.TotalRows(), "schema_version", man.SchemaVersion, "duration_ms", man.DurationMS)
	return man, nil
}

// ErrChecksum reports a data file whose SHA-256 is not the manifest's.
var ErrChecksum = errors.New("backup file checksum mismatch")

// ErrMismatch reports a restored copy that differs from the manifest.
var ErrMismatch = errors.New("restored copy differs from the manifest")

// fetch copies the backup's data file to a temporary file and checks its
// size and checksum. The caller removes the file.
func (m *Manager) fetch(ctx context.Context, man *Manifest) (string, error) {
	rc, err := m.Storage.Open(ctx, man.File)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	f, err := os.CreateTemp("", "autogql-fetch-*-"+man.File)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), contextReader{ctx, rc})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("read %s: %w", man.File, err)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != man.SHA256 || n != man.Size {
		os.Remove(f.Name())
		return "", fmt.Errorf("%w: %s is %d bytes with SHA-256 %.16s…, the manifest says %d bytes, %.16s…",
			ErrChecksum, man.File, n, sum, man.Size, man.SHA256)
	}
	return f.Name(), nil
}

// VerifyOptions tune Verify.
type VerifyOptions struct {
	// ScratchURL is a PostgreSQL server URL where a scratch database may
	// be created (needs CREATEDB); usually the live database's URL.
	// Unused for SQLite backups.
	ScratchURL string
}

// VerifyResult says what Verify checked.
type VerifyResult struct {
	Manifest *Manifest
	// Tables and Rows are what the scratch restore held.
	Tables int
	Rows   int64
	// Duration is the whole check.
	Duration time.Duration
}

// Verify checks backup id: its checksum, then a restore into a scratch
// database whose tables, row counts and digests must equal the manifest's.
// The scratch database is removed afterwards.
func (m *Manager) Verify(ctx context.Context, id string, opts VerifyOptions) (*VerifyResult, error) {
	start := m.now()
	man, err := ReadManifest(ctx, m.Storage, id)
	if err != nil {
		return nil, fmt.Errorf("verify %s: %w", id, err)
	}
	file, err := m.fetch(ctx, man)
	if err != nil {
		return nil, fmt.Errorf("verify %s: %w", id, err)
	}
	defer os.Remove(file)
	got := &Manifest{}
	switch man.Format {
	case FormatSQLite:
		raw, err := openRaw(file)
		if err != nil {
			return nil, err
		}
		err = inspectSQLite(ctx, raw, got)
		raw.Close()
		if err != nil {
			return nil, fmt.Errorf("verify %s: %w", id, err)
		}
	case FormatPGCustom:
		if err := m.verifyPG(ctx, file, man, got, opts.ScratchURL); err != nil {
			return nil, fmt.Errorf("verify %s: %w", id, err)
		}
	default:
		return nil, fmt.Errorf("verify %s: unknown format %q", id, man.Format)
	}
	if diffs := compare(man.Tables, got.Tables); len(diffs) > 0 {
		return nil, fmt.Errorf("verify %s: %w: %s", id, ErrMismatch, strings.Join(diffs, "; "))
	}
	if got.SchemaVersion != man.SchemaVersion {
		return nil, fmt.Errorf("verify %s: %w: schema version %q, want %q", id, ErrMismatch, got.SchemaVersion, man.SchemaVersion)
	}
	res := &VerifyResult{Manifest: man, Tables: len(got.Tables), Rows: got.TotalRows(), Duration: m.now().Sub(start)}
	m.log().Info("backup verified", "backup", id, "tables", res.Tables, "rows", res.Rows, "duration_ms", res.Duration.Milliseconds())
	return res, nil
}

func (m *Manager) verifyPG(ctx context.Context, file string, man, got *Manifest, scratchURL string) error {
	if scratchURL == "" {
		return errors.New("a PostgreSQL server URL for the scratch database is needed (--database or --scratch)")
	}
	admin, err := database.Open(ctx, scratchURL, database.Options{MaxConns: 2})
	if err != nil {
		return err
	}
	defer admin.Close()
	url, drop, err := scratchPG(ctx, admin, scratchURL, man.Schema)
	if err != nil {
		return err
	}
	defer func() {
		if err := drop(context.WithoutCancel(ctx)); err != nil {
			m.log().Warn("drop scratch database", "err", err)
		}
	}()
	scratch, err := database.Open(ctx, url, database.Options{MaxConns: 2})
	if err != nil {
		return err
	}
	defer scratch.Close()
	if err := m.restorePG(ctx, scratch, url, file, man, false); err != nil {
		return err
	}
	tables, err := tablesOf(ctx, scratch, database.Postgres, man.Schema)
	if err != nil {
		return err
	}
	if got.Tables, err = statsOf(ctx, scratch, database.Postgres, man.Schema, tables); err != nil {
		return err
	}
	got.SchemaVersion, got.Migrations, err = schemaVersion(ctx, scratch, database.Postgres, man.Schema, tables)
	return err
}

// ErrLiveTarget is returned by Restore for a target that has tables,
// unless forced.
var ErrLiveTarget = errors.New("the target database has tables: restoring replaces them (pass --yes to confirm)")

// RestoreOptions tune Restore.
type RestoreOptions struct {
	// Force restores over a database that has tables (the CLI's --yes).
	Force bool
}

// Restore checks backup id's checksum and restores it into the database at
// targetURL, then compares the result with the manifest. A target with
// tables is refused unless opts.Force; its operational tables are kept.
func (m *Manager) Restore(ctx context.Context, id, targetURL string, opts RestoreOptions) (*Manifest, error) {
	start := m.now()
	man, err := ReadManifest(ctx, m.Storage, id)
	if err != nil {
		return nil, fmt.Errorf("restore %s: %w", id, err)
	}
	file, err := m.fetch(ctx, man)
	if err != nil {
		return nil, fmt.Errorf("restore %s: %w", id, err)
	}
	defer os.Remove(file)
	db, err := database.Open(ctx, targetURL, database.Options{MaxConns: 2})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if string(db.Dialect()) != man.Dialect {
		return nil, fmt.Errorf("restore %s: a %s backup cannot be restored into %s", id, man.Dialect, db.Dialect())
	}
	schema := ""
	if db.Dialect() == database.Postgres {
		t, err := parsePG(targetURL)
		if err != nil {
			return nil, err
		}
		if schema = t.schema; schema == "" {
			if err := db.QueryRows(ctx, `SELECT current_schema()`, nil, func(scan func(...any) error) error { return scan(&schema) }); err != nil {
				return nil, err
			}
		}
		if schema != man.Schema {
			return nil, fmt.Errorf("restore %s: the backup holds schema %q but the target's search_path is %q", id, man.Schema, schema)
		}
	}
	tables, err := tablesOf(ctx, db, db.Dialect(), schema)
	if err != nil {
		return nil, err
	}
	live := len(tables) > 0
	if live && !opts.Force {
		return nil, fmt.Errorf("restore %s into %s: %w", id, config.MaskURL(targetURL), ErrLiveTarget)
	}
	switch man.Format {
	case FormatPGCustom:
		err = m.restorePG(ctx, db, targetURL, file, man, live)
	case FormatSQLite:
		err = restoreSQLite(ctx, file, strings.TrimPrefix(targetURL, "sqlite:"))
	default:
		err = fmt.Errorf("unknown format %q", man.Format)
	}
	if err != nil {
		return nil, fmt.Errorf("restore %s: %w", id, err)
	}
	got, err := statsOf(ctx, db, db.Dialect(), schema, mustTables(ctx, db, schema))
	if err != nil {
		return nil, fmt.Errorf("restore %s: check: %w", id, err)
	}
	if diffs := compare(man.Tables, onlyKnown(got, man.Tables)); len(diffs) > 0 {
		return nil, fmt.Errorf("restore %s: %w: %s", id, ErrMismatch, strings.Join(diffs, "; "))
	}
	m.log().Info("backup restored", "backup", id, "target", config.MaskURL(targetURL), "live", live,
		"rows", man.TotalRows(), "duration_ms", m.now().Sub(start).Milliseconds())
	return man, nil
}

func mustTables(ctx context.Context, db *database.DB, schema string) []string {
	t, _ := tablesOf(ctx, db, db.Dialect(), schema)
	return t
}

// onlyKnown keeps the tables the manifest names: a live target may keep
// tables a later migration added (a restore replaces what the backup has).
func onlyKnown(got, want map[string]TableStat) map[string]TableStat {
	out := map[string]TableStat{}
	for k, v := range got {
		if _, ok := want[k]; ok {
			out[k] = v
		}
	}
	return out
}

func digestFile(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// Delete removes backup id (data file, then manifest).
func (m *Manager) Delete(ctx context.Context, man *Manifest) error {
	if err := m.Storage.Delete(ctx, man.File); err != nil {
		return err
	}
	return m.Storage.Delete(ctx, man.ID+manifestSuffix)
}
