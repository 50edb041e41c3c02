package deploy

import (
	"context"
	"errors"
	"fmt"

	"github.com/autogql/autogql/internal/backup"
)

// RollbackOptions tune Rollback.
type RollbackOptions struct {
	// To is the deployment to return to; 0 means the one before the
	// current.
	To int64
	// RestoreBackup restores the backup taken before the current
	// deployment's migrations instead of running their down SQL (data
	// written since is lost).
	RestoreBackup bool
	// AllowDestructive lets down migrations that drop data run.
	AllowDestructive bool
}

// ErrNothingToRollBack is returned when no earlier deployment exists.
var ErrNothingToRollBack = errors.New("no earlier deployment to roll back to")

// Rollback returns the environment to an earlier deployment: for
// blue-green, the idle colour is started with that release, checked and
// switched to (the same cutover as a deploy, so no request fails), then the
// schema goes back — the down migrations of the current release, or its
// backup — and the current deployment is marked rolled back.
func (d *Deployer) Rollback(ctx context.Context, opts RollbackOptions) (*Record, error) {
	cur, err := current(ctx, d.db, d.cfg.EnvName)
	if err != nil {
		return nil, err
	}
	if cur == nil {
		return nil, ErrNothingToRollBack
	}
	target, err := d.rollbackTarget(ctx, cur, opts.To)
	if err != nil {
		return nil, err
	}
	curVars, err := d.env.release(vars{Env: d.cfg.EnvName, Release: cur.Release})
	if err != nil {
		return nil, err
	}
	rec := &Record{Kind: KindRollback, Release: target.Release, PreviousRelease: cur.Release,
		PreviousColour: cur.Colour, FromMigration: cur.ToMigration, ToMigration: target.ToMigration}
	if opts.RestoreBackup && cur.BackupID == "" {
		return nil, fmt.Errorf("deployment %d has no backup to restore", cur.ID)
	}
	unlock, err := d.begin(ctx, rec)
	if err != nil {
		return nil, err
	}
	defer unlock()
	d.printf("deployment %d: rollback of %s (#%d) to %s (#%d) in %s by %s", rec.ID, cur.Release, cur.ID, target.Release, target.ID, d.cfg.EnvName, d.cfg.Who)

	schema := step{name: "schema", do: func(ctx context.Context) (string, error) {
		if opts.RestoreBackup {
			if _, err := d.backups().Restore(ctx, cur.BackupID, d.cfg.DatabaseURL, backup.RestoreOptions{Force: true}); err != nil {
				return "", err
			}
			rec.BackupID = cur.BackupID
			return "backup " + cur.BackupID + " restored", nil
		}
		now, err := d.migrationState(ctx)
		if err != nil {
			return "", err
		}
		if number(last(now)) <= number(target.ToMigration) {
			return "schema already at " + dash(last(now)), nil
		}
		if err := d.undoMigrations(ctx, curVars, target.ToMigration, "", opts.AllowDestructive); err != nil {
			return "", err
		}
		return fmt.Sprintf("schema %s → %s", last(now), dash(target.ToMigration)), nil
	}}
	var steps []step
	switch d.env.Strategy {
	case BlueGreen:
		active := d.activeColour(cur)
		idle := other(active)
		rec.Colour = idle
		steps = d.cutover(target.Release, cur.Release, d.env.Colours[idle], d.env.Colours[active], idle, active)
		steps = append(steps, schema)
	default:
		// Rolling puts the instances back on the target release first
		// (expand-only migrations keep the schema compatible) and then the
		// schema; recreate, stopped behind maintenance, does the schema
		// between stop and start.
		tv, err := d.env.release(vars{Env: d.cfg.EnvName, Release: target.Release})
		if err != nil {
			return nil, err
		}
		if d.env.Strategy == Rolling {
			steps = append(d.rolling(rec, tv, cur, opts.AllowDestructive)[3:], schema)
		} else {
			s := d.recreate(rec, tv, cur, opts.AllowDestructive)
			steps = append(append(append([]step{}, s[2:4]...), schema), s[5:]...)
		}
	}
	err = d.execute(ctx, rec, steps)
	if err == nil {
		if serr := setStatus(context.WithoutCancel(ctx), d.db, cur.ID, StatusRolledBack); serr != nil {
			d.printf("mark deployment %d rolled back: %v", cur.ID, serr)
		}
	}
	d.finish(ctx, rec, err)
	return rec, err
}

// rollbackTarget is deployment to (when set) or the newest succeeded
// deployment older than cur; a first deployment falls back to what it
// replaced.
func (d *Deployer) rollbackTarget(ctx context.Context, cur *Record, to int64) (*Record, error) {
	if to != 0 {
		r, err := Find(ctx, d.db, to)
		if err != nil {
			return nil, err
		}
		if r.Env != d.cfg.EnvName || r.ID == cur.ID || (r.Status != StatusSucceeded && r.Status != StatusRolledBack) {
			return nil, fmt.Errorf("deployment %d (%s, %s) cannot be rolled back to from the current %d", r.ID, r.Env, r.Status, cur.ID)
		}
		return r, nil
	}
	all, err := History(ctx, d.db, d.cfg.EnvName, 0)
	if err != nil {
		return nil, err
	}
	for _, r := range all {
		if r.ID < cur.ID && r.Status == StatusSucceeded {
			return r, nil
		}
	}
	if cur.PreviousRelease != "" {
		return &Record{Release: cur.PreviousRelease, ToMigration: cur.FromMigration, Colour: cur.PreviousColour}, nil
	}
	return nil, ErrNothingToRollBack
}
