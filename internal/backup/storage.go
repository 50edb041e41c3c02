package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Storage keeps backup files by name. Implementations are safe for
// concurrent use; Put is atomic (a reader sees the whole object or none).
type Storage interface {
	// Put stores r under name, replacing an existing object.
	Put(ctx context.Context, name string, r io.Reader) error
	// Open returns the object's content; ErrNotFound when absent.
	Open(ctx context.Context, name string) (io.ReadCloser, error)
	// List returns the names of the stored objects, sorted.
	List(ctx context.Context) ([]string, error)
	// Delete removes the object; deleting an absent one is not an error.
	Delete(ctx context.Context, name string) error
	// Location describes where objects live, for messages.
	Location() string
}

// ErrNotFound is returned for a missing backup or object.
var ErrNotFound = errors.New("backup not found")

// Dir is a Storage in a local directory (a mounted volume in Kubernetes).
type Dir struct {
	path string
}

// NewDir returns a Storage in path. It does no I/O: the directory is made
// on the first Put.
func NewDir(path string) *Dir { return &Dir{path: path} }

// Location returns the directory.
func (d *Dir) Location() string { return d.path }

func (d *Dir) file(name string) (string, error) {
	if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return "", fmt.Errorf("invalid backup object name %q", name)
	}
	return filepath.Join(d.path, name), nil
}

// Put writes a temporary file in the directory, syncs it and renames it
// into place.
func (d *Dir) Put(ctx context.Context, name string, r io.Reader) error {
	p, err := d.file(name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(d.path, 0o750); err != nil {
		return fmt.Errorf("backup storage: %w", err)
	}
	tmp, err := os.CreateTemp(d.path, ".tmp-"+name+"-*")
	if err != nil {
		return fmt.Errorf("backup storage: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := io.Copy(tmp, contextReader{ctx, r}); err != nil {
		tmp.Close()
		return fmt.Errorf("backup storage: write %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("backup storage: sync %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("backup storage: %w", err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("backup storage: %w", err)
	}
	return nil
}

// Open opens the named file.
func (d *Dir) Open(_ context.Context, name string) (io.ReadCloser, error) {
	p, err := d.file(name)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s in %s: %w", name, d.path, ErrNotFound)
	}
	return f, err
}

// List lists the directory's files, skipping temporary ones; a missing
// directory holds nothing.
func (d *Dir) List(context.Context) ([]string, error) {
	entries, err := os.ReadDir(d.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("backup storage: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names, nil
}

// Delete removes the named file.
func (d *Dir) Delete(_ context.Context, name string) error {
	p, err := d.file(name)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup storage: %w", err)
	}
	return nil
}

// contextReader stops a long copy when ctx ends.
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
