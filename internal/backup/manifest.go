package backup

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Formats of a backup's data file.
const (
	FormatPGCustom = "pg_dump-custom"
	FormatSQLite   = "sqlite"
)

// Manifest describes one backup. It is stored beside the data file as
// <id>.json.
type Manifest struct {
	// ID names the backup: its UTC creation time and a random suffix, so
	// IDs sort by time.
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	// DurationMS is how long the backup took.
	DurationMS int64 `json:"duration_ms"`
	// Release is the release that was serving (deploy) or the one given.
	Release string `json:"release,omitempty"`
	// Dialect is sqlite or postgres.
	Dialect string `json:"dialect"`
	// Database is the source URL with its password masked.
	Database string `json:"database"`
	// Schema is the PostgreSQL schema that was dumped.
	Schema string `json:"schema,omitempty"`
	// SchemaVersion is the newest applied migration ("" before any).
	SchemaVersion string `json:"schema_version"`
	// Migrations counts the applied migrations.
	Migrations int `json:"migrations"`
	// File is the data file's name in the storage.
	File   string `json:"file"`
	Format string `json:"format"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// Tables holds the row count and content digest of every table in the
	// backup, taken from the same snapshot as the data.
	Tables map[string]TableStat `json:"tables"`
	// Tool names the dump program and its version (PostgreSQL).
	Tool string `json:"tool,omitempty"`
}

// TableStat is one table's size and content digest.
type TableStat struct {
	Rows int64 `json:"rows"`
	// SHA256 digests the table's rows in a canonical order and text form
	// (per dialect), so a restore can be compared row for row.
	SHA256 string `json:"sha256"`
}

// TotalRows adds up the rows of every table.
func (m *Manifest) TotalRows() int64 {
	var n int64
	for _, t := range m.Tables {
		n += t.Rows
	}
	return n
}

// TableNames returns the table names, sorted.
func (m *Manifest) TableNames() []string {
	names := make([]string, 0, len(m.Tables))
	for n := range m.Tables {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

const manifestSuffix = ".json"

func newID(now time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

func writeManifest(ctx context.Context, st Storage, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return st.Put(ctx, m.ID+manifestSuffix, strings.NewReader(string(b)+"\n"))
}

// ReadManifest loads the manifest of backup id.
func ReadManifest(ctx context.Context, st Storage, id string) (*Manifest, error) {
	rc, err := st.Open(ctx, id+manifestSuffix)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("read manifest %s: %w", id, err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", id, err)
	}
	if m.ID != id {
		return nil, fmt.Errorf("manifest %s names backup %q", id, m.ID)
	}
	return &m, nil
}

// List returns the manifests in st, oldest first. A manifest that cannot
// be read is reported in the joined error while the others are returned.
func List(ctx context.Context, st Storage) ([]*Manifest, error) {
	names, err := st.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Manifest
	var errs []error
	for _, n := range names {
		id, ok := strings.CutSuffix(n, manifestSuffix)
		if !ok {
			continue
		}
		m, err := ReadManifest(ctx, st, id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b *Manifest) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, errors.Join(errs...)
}

// Latest returns the newest backup in st, or ErrNotFound.
func Latest(ctx context.Context, st Storage) (*Manifest, error) {
	all, err := List(ctx, st)
	if len(all) == 0 {
		if err != nil {
			return nil, err
		}
		return nil, ErrNotFound
	}
	return all[len(all)-1], nil
}
