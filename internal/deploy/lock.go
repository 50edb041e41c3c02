package deploy

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/autogql/autogql/internal/database"
)

// lockKey is the PostgreSQL advisory lock of deploys ("autogql-deploy").
const lockKey int64 = 0x6175746f67716c64

// ErrLocked is returned while another deploy or rollback runs.
var ErrLocked = errors.New("another deploy or rollback is running (one at a time)")

// acquireLock takes the deploy lock: a lock file when configured or the
// database is SQLite (beside its file), else a session advisory lock on
// a connection held until release. It never waits.
func acquireLock(ctx context.Context, db *database.DB, dbURL, lockFile string) (release func(), err error) {
	if lockFile == "" && db.Dialect() == database.SQLite {
		lockFile = strings.TrimPrefix(dbURL, "sqlite:") + ".deploy.lock"
	}
	if lockFile != "" {
		f, err := os.OpenFile(lockFile, os.O_CREATE|os.O_RDWR, 0o644)
		if err != nil {
			return nil, fmt.Errorf("deploy lock: %w", err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, fmt.Errorf("%w: %s is held", ErrLocked, lockFile)
			}
			return nil, fmt.Errorf("deploy lock: %w", err)
		}
		fmt.Fprintf(f, "%d\n", os.Getpid())
		return func() {
			syscall.Flock(int(f.Fd()), syscall.LOCK_UN) //nolint:errcheck // closing releases it too
			f.Close()
		}, nil
	}
	conn, err := db.Pool().Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("deploy lock: %w", err)
	}
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, lockKey).Scan(&ok); err != nil {
		conn.Release()
		return nil, fmt.Errorf("deploy lock: %w", err)
	}
	if !ok {
		conn.Release()
		return nil, fmt.Errorf("%w: the database's advisory lock is held", ErrLocked)
	}
	return func() {
		_, _ = conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, lockKey)
		conn.Release()
	}, nil
}
