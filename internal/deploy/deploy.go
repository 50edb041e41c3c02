package deploy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/autogql/autogql/internal/backup"
	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/migrate"
)

// Config is what a Deployer needs besides the environment.
type Config struct {
	// EnvName names the environment (records, notifications).
	EnvName string
	// DatabaseURL is the database of the environment.
	DatabaseURL string
	// RedisURL mirrors maintenance mode (recreate); may be empty.
	RedisURL string
	// BackupDir and PGBin configure the backup taken before migrations.
	BackupDir, PGBin string
	// Who is recorded as the operator.
	Who string
	// Out receives the step log (one line per step and command).
	Out io.Writer
	// Client makes the readiness, smoke and notification requests; nil
	// uses a client with a 10 s timeout.
	Client *http.Client
}

// Deployer runs deploys and rollbacks of one environment. New does no I/O.
type Deployer struct {
	cfg    Config
	env    *Environment
	db     *database.DB
	client *http.Client
	run    *runner
	vars   vars
}

// New returns a Deployer for env over an open database.
func New(env *Environment, db *database.DB, cfg Config) *Deployer {
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	client := cfg.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	d := &Deployer{cfg: cfg, env: env, db: db, client: client, vars: vars{Env: cfg.EnvName}}
	d.run = &runner{env: env, dbURL: cfg.DatabaseURL, timeout: env.CommandTimeout, log: d.printf}
	return d
}

func (d *Deployer) printf(format string, args ...any) {
	fmt.Fprintf(d.cfg.Out, time.Now().Format("15:04:05.000")+" "+format+"\n", args...)
}

// Options tune Deploy.
type Options struct {
	// DryRun prints the plan and changes nothing.
	DryRun bool
	// AllowDestructive lets destructive migration steps run.
	AllowDestructive bool
}

// StepError is a failed deploy or rollback: the step that failed, its
// error, and whether undoing the earlier steps failed too.
type StepError struct {
	Step       string
	Err        error
	UndoErr    error
	Deployment int64
}

func (e *StepError) Error() string {
	s := fmt.Sprintf("deployment %d failed at step %s: %v", e.Deployment, e.Step, e.Err)
	if e.UndoErr != nil {
		s += fmt.Sprintf("; ROLLBACK INCOMPLETE: %v", e.UndoErr)
	} else {
		s += "; rolled back"
	}
	return s
}

func (e *StepError) Unwrap() error { return e.Err }

// step is one unit of a deploy with its undo.
type step struct {
	name string
	do   func(ctx context.Context) (detail string, err error)
	// undo reverses do; nil when there is nothing to reverse.
	undo func(ctx context.Context) error
	// undoSelf runs undo when do itself fails (it may have half-happened).
	undoSelf bool
}

// execute runs steps in order, recording each in rec. On a failure it
// runs the undos of the steps done, newest first, with a context that
// ignores cancellation (an interrupted deploy still rolls back).
func (d *Deployer) execute(ctx context.Context, rec *Record, steps []step) error {
	var done []step
	for i, s := range steps {
		start := time.Now()
		d.printf("[%d/%d] %s", i+1, len(steps), s.name)
		detail, err := s.do(ctx)
		if err == nil {
			err = ctx.Err()
		}
		st := Step{Name: s.name, DurationMS: time.Since(start).Milliseconds(), Detail: detail, Status: "ok"}
		if err == nil {
			rec.Steps = append(rec.Steps, st)
			d.printf("[%d/%d] %s: ok in %s%s", i+1, len(steps), s.name, time.Since(start).Round(time.Millisecond), suffix(detail))
			done = append(done, s)
			_ = update(context.WithoutCancel(ctx), d.db, rec) // progress; the final update reports errors
			continue
		}
		st.Status, st.Detail = "failed", err.Error()
		rec.Steps = append(rec.Steps, st)
		d.printf("[%d/%d] %s: FAILED after %s: %v", i+1, len(steps), s.name, time.Since(start).Round(time.Millisecond), err)
		if s.undoSelf {
			done = append(done, s)
		}
		uctx := context.WithoutCancel(ctx)
		var undoErrs []error
		for j := len(done) - 1; j >= 0; j-- {
			u := done[j]
			if u.undo == nil {
				continue
			}
			t0 := time.Now()
			d.printf("  undo %s", u.name)
			us := Step{Name: "undo " + u.name, Status: "undone"}
			if uerr := u.undo(uctx); uerr != nil {
				us.Status, us.Detail = "undo_failed", uerr.Error()
				undoErrs = append(undoErrs, fmt.Errorf("undo %s: %w", u.name, uerr))
				d.printf("  undo %s: FAILED: %v", u.name, uerr)
			} else {
				d.printf("  undo %s: done in %s", u.name, time.Since(t0).Round(time.Millisecond))
			}
			us.DurationMS = time.Since(t0).Milliseconds()
			rec.Steps = append(rec.Steps, us)
		}
		rec.FailedStep, rec.Error = s.name, err.Error()
		rec.Status = StatusRolledBack
		undoErr := errors.Join(undoErrs...)
		if undoErr != nil {
			rec.Status = StatusRollbackFailed
		}
		return &StepError{Step: s.name, Err: err, UndoErr: undoErr, Deployment: rec.ID}
	}
	return nil
}

func suffix(detail string) string {
	if detail == "" {
		return ""
	}
	return ": " + detail
}

// finish records the outcome, prunes backups after a success and
// notifies; it logs what fails here but never changes the outcome.
func (d *Deployer) finish(ctx context.Context, rec *Record, runErr error) {
	ctx = context.WithoutCancel(ctx)
	now := time.Now().UTC()
	rec.FinishedAt = &now
	if runErr == nil {
		rec.Status = StatusSucceeded
	} else if rec.Status == StatusRunning {
		rec.Status, rec.Error = StatusFailed, runErr.Error()
	}
	t0 := time.Now()
	if err := update(ctx, d.db, rec); err != nil {
		d.printf("record: FAILED: %v", err)
	} else {
		d.printf("record: deployment %d %s (%s)", rec.ID, rec.Status, time.Since(t0).Round(time.Millisecond))
	}
	if rec.Status == StatusSucceeded {
		if r := d.retention(); !r.Zero() {
			if removed, err := d.backups().Prune(ctx, r, false); err != nil {
				d.printf("prune backups: %v", err)
			} else if len(removed) > 0 {
				d.printf("prune backups: %d removed", len(removed))
			}
		}
	}
	t0 = time.Now()
	errs := d.notify(ctx, rec)
	for _, err := range errs {
		d.printf("notify: %v", err)
	}
	if n := len(d.env.Notify.Webhooks) + len(d.env.Notify.Slack); n > 0 && len(errs) == 0 {
		d.printf("notify: %d target(s) in %s", n, time.Since(t0).Round(time.Millisecond))
	}
	d.printf("deployment %d: %s in %s", rec.ID, rec.Status, rec.Duration().Round(time.Millisecond))
}

func (d *Deployer) retention() backup.Retention {
	b := d.env.Backup
	return backup.Retention{KeepLast: b.KeepLast, KeepDaily: b.KeepDaily, KeepWeekly: b.KeepWeekly}
}

func (d *Deployer) backups() *backup.Manager {
	dir := d.env.Backup.Dir
	if dir == "" {
		dir = d.cfg.BackupDir
	}
	return &backup.Manager{Storage: backup.NewDir(dir), PGBinDir: d.cfg.PGBin}
}

// migrationState returns the applied migrations' names, oldest first.
func (d *Deployer) migrationState(ctx context.Context) ([]string, error) {
	recs, err := migrate.Status(ctx, d.db)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(recs))
	for i, r := range recs {
		names[i] = r.Name
	}
	return names, nil
}

// number is a migration's number: the digits its name starts with
// ("0002_add_subtitle" → 2); 0 for none.
func number(name string) int {
	end := 0
	for end < len(name) && name[end] >= '0' && name[end] <= '9' {
		end++
	}
	n, _ := strconv.Atoi(name[:end])
	return n
}

func last(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return names[len(names)-1]
}

// activeColour is the colour the proxy sends traffic to: the first
// primary server of the upstream file, else the current deployment's
// colour, else blue.
func (d *Deployer) activeColour(cur *Record) string {
	if servers, err := d.env.Proxy.servers(); err == nil {
		for _, s := range servers {
			if s.Backup {
				continue
			}
			for _, c := range Colours {
				if d.env.Colours[c].Upstream == s.Addr {
					return c
				}
			}
		}
	}
	if cur != nil && cur.Colour != "" {
		return cur.Colour
	}
	return Colours[0]
}

func other(colour string) string {
	if colour == Colours[0] {
		return Colours[1]
	}
	return Colours[0]
}

// targetVars are the template variables of a start/stop command.
func (d *Deployer) targetVars(release string, t *Target, colour string) (vars, error) {
	v := d.vars
	v.Release, v.Colour, v.Name, v.Addr, v.URL = release, colour, t.Name, t.Upstream, t.URL
	if release == "" {
		return v, nil
	}
	return d.env.release(v)
}

// start restarts t with release: its stop command (errors ignored: it
// may not run), then its start command.
func (d *Deployer) start(ctx context.Context, release string, t *Target, colour string) error {
	v, err := d.targetVars(release, t, colour)
	if err != nil {
		return err
	}
	_, _ = d.run.run(ctx, t.Name+".stop", t.Stop, v)
	_, err = d.run.run(ctx, t.Name+".start", t.Start, v)
	return err
}

func (d *Deployer) stop(ctx context.Context, release string, t *Target, colour string) error {
	v, err := d.targetVars(release, t, colour)
	if err != nil {
		return err
	}
	_, err = d.run.run(ctx, t.Name+".stop", t.Stop, v)
	return err
}

// begin takes the lock and inserts the running record.
func (d *Deployer) begin(ctx context.Context, rec *Record) (func(), error) {
	release, err := acquireLock(ctx, d.db, d.cfg.DatabaseURL, d.env.LockFile)
	if err != nil {
		return nil, err
	}
	rec.Env, rec.Strategy, rec.Who, rec.Status = d.cfg.EnvName, d.env.Strategy, d.cfg.Who, StatusRunning
	rec.StartedAt = time.Now().UTC()
	if err := insert(ctx, d.db, rec); err != nil {
		release()
		return nil, err
	}
	d.vars.Deployment = rec.ID
	return release, nil
}

// Deploy deploys release to the environment with its strategy and
// returns the record; a failure is a *StepError after the rollback.
func (d *Deployer) Deploy(ctx context.Context, release string, opts Options) (*Record, error) {
	if release == "" {
		return nil, errors.New("deploy: a release is required")
	}
	rv, err := d.env.release(vars{Env: d.cfg.EnvName, Release: release})
	if err != nil {
		return nil, err
	}
	cur, err := current(ctx, d.db, d.cfg.EnvName)
	if err != nil {
		return nil, err
	}
	rec := &Record{Kind: KindDeploy, Release: release}
	if cur != nil {
		rec.PreviousRelease, rec.PreviousColour = cur.Release, cur.Colour
	}
	allow := opts.AllowDestructive || d.env.Migrations.AllowDestructive
	var steps []step
	switch d.env.Strategy {
	case BlueGreen:
		steps = d.blueGreen(rec, rv, cur, allow)
	case Rolling:
		steps = d.rolling(rec, rv, cur, allow)
	case Recreate:
		steps = d.recreate(rec, rv, cur, allow)
	}
	if opts.DryRun {
		d.printf("dry run: %s deploy of %s to %s (release dir %s, previous release %s)", d.env.Strategy, release, d.cfg.EnvName, rv.ReleaseDir, dash(rec.PreviousRelease))
		for i, s := range steps {
			d.printf("  %2d. %s", i+1, s.name)
		}
		return rec, nil
	}
	unlock, err := d.begin(ctx, rec)
	if err != nil {
		return nil, err
	}
	defer unlock()
	d.printf("deployment %d: %s deploy of %s to %s by %s", rec.ID, d.env.Strategy, release, d.cfg.EnvName, d.cfg.Who)
	err = d.execute(ctx, rec, steps)
	d.finish(ctx, rec, err)
	return rec, err
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// preflight checks the release and the database, and that the migration
// plan has no destructive step unless allowed.
func (d *Deployer) preflight(rv vars, allow bool) step {
	return step{name: "preflight", do: func(ctx context.Context) (string, error) {
		for _, p := range []string{rv.Binary, rv.Models} {
			if _, err := os.Stat(p); err != nil {
				return "", fmt.Errorf("release %s: %w", rv.Release, err)
			}
		}
		if _, err := d.run.run(ctx, "check", d.env.Check, rv); err != nil {
			return "", err
		}
		if err := d.db.Ping(ctx); err != nil {
			return "", fmt.Errorf("database: %w", err)
		}
		if d.env.Migrations.Disabled {
			return "release checked, database reachable", nil
		}
		v := rv
		v.AllowDestructive = allow
		plan, err := d.run.run(ctx, "migrations.plan", d.env.Migrations.Plan, v)
		if err != nil {
			return "", err
		}
		if strings.Contains(plan, "DESTRUCTIVE") && !allow {
			return "", errors.New("the migration plan has destructive steps: blocked (pass --allow-destructive or set migrations.allow_destructive)")
		}
		pending := 0
		for _, line := range strings.Split(plan, "\n") {
			if strings.HasPrefix(line, "-- ") && strings.Contains(line, " (") && !strings.Contains(line, "[") {
				pending++
			}
		}
		return fmt.Sprintf("release checked, database reachable, %d migration(s) planned", pending), nil
	}}
}

// backupStep takes (and verifies) the backup migrations may need.
func (d *Deployer) backupStep(rec *Record) step {
	return step{name: "backup", do: func(ctx context.Context) (string, error) {
		if !boolOr(d.env.Backup.Enabled, true) {
			return "disabled", nil
		}
		m := d.backups()
		man, err := m.Create(ctx, d.cfg.DatabaseURL, backup.CreateOptions{Release: rec.PreviousRelease})
		if err != nil {
			return "", err
		}
		rec.BackupID = man.ID
		if !boolOr(d.env.Backup.Verify, true) {
			return fmt.Sprintf("%s: %d rows (not verified)", man.ID, man.TotalRows()), nil
		}
		scratch := ""
		if d.db.Dialect() == database.Postgres {
			scratch = d.cfg.DatabaseURL
		}
		res, err := m.Verify(ctx, man.ID, backup.VerifyOptions{ScratchURL: scratch})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s: %d tables, %d rows, verified by a scratch restore", man.ID, res.Tables, res.Rows), nil
	}}
}

// migrateStep applies migrations with the release's binary; its undo
// rolls them back with the same binary (the down SQL is in its files),
// or restores the backup when that fails.
func (d *Deployer) migrateStep(rec *Record, rv vars, allow bool) step {
	var before []string
	return step{
		name: "migrate",
		do: func(ctx context.Context) (string, error) {
			var err error
			if before, err = d.migrationState(ctx); err != nil {
				return "", err
			}
			rec.FromMigration, rec.ToMigration = last(before), last(before)
			if d.env.Migrations.Disabled {
				return "disabled", nil
			}
			v := rv
			v.AllowDestructive, v.FromMigration = allow, last(before)
			_, runErr := d.run.run(ctx, "migrations.apply", d.env.Migrations.Apply, v)
			after, err := d.migrationState(context.WithoutCancel(ctx))
			if err != nil {
				return "", errors.Join(runErr, err)
			}
			rec.MigrationsApplied = nil
			for _, n := range after {
				if !slices.Contains(before, n) {
					rec.MigrationsApplied = append(rec.MigrationsApplied, n)
				}
			}
			rec.ToMigration = last(after)
			if runErr != nil {
				return "", runErr
			}
			if len(rec.MigrationsApplied) == 0 {
				return "nothing to apply, schema at " + dash(rec.ToMigration), nil
			}
			return fmt.Sprintf("applied %s (schema %s → %s)", strings.Join(rec.MigrationsApplied, ", "), dash(rec.FromMigration), rec.ToMigration), nil
		},
		undo: func(ctx context.Context) error {
			if len(rec.MigrationsApplied) == 0 {
				return nil
			}
			return d.undoMigrations(ctx, rv, rec.FromMigration, rec.BackupID, allow)
		},
		undoSelf: true,
	}
}

// undoMigrations takes the schema back to migration to: the rollback
// command of release rv (which has the down SQL), else the backup.
func (d *Deployer) undoMigrations(ctx context.Context, rv vars, to, backupID string, allow bool) error {
	v := rv
	v.FromMigration, v.ToNumber, v.AllowDestructive = to, number(to), allow
	_, err := d.run.run(ctx, "migrations.rollback", d.env.Migrations.Rollback, v)
	if err == nil {
		now, serr := d.migrationState(ctx)
		if serr == nil && last(now) == to {
			d.printf("  schema back at %s", dash(to))
			return nil
		}
		err = fmt.Errorf("schema at %s after the rollback command, want %s", dash(last(now)), dash(to))
	}
	if backupID == "" {
		return fmt.Errorf("migrations cannot be undone and there is no backup: %w", err)
	}
	d.printf("  migrations could not be undone (%v): restoring backup %s", err, backupID)
	if _, rerr := d.backups().Restore(ctx, backupID, d.cfg.DatabaseURL, backup.RestoreOptions{Force: true}); rerr != nil {
		return fmt.Errorf("rollback command: %w; restore of backup %s: %w", err, backupID, rerr)
	}
	d.printf("  backup %s restored", backupID)
	return nil
}
