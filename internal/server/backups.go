package server

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/autogql/autogql/internal/backup"
	"github.com/autogql/autogql/internal/config"
)

// scheduledBackups builds serve's backup scheduler (--backup-schedule):
// at each activation a backup of the served database into backup.dir,
// then the retention. Every replica with a schedule backs up, so give it
// to one (or use the Helm CronJob).
func scheduledBackups(s *config.Config, log *slog.Logger) (*backup.Scheduler, error) {
	sched, err := backup.ParseSchedule(s.Backup.Schedule)
	if err != nil {
		return nil, err
	}
	m := &backup.Manager{Storage: backup.NewDir(s.Backup.Dir), PGBinDir: s.Backup.PGBin, Logger: log}
	keep := backup.Retention{KeepLast: s.Backup.KeepLast, KeepDaily: s.Backup.KeepDaily, KeepWeekly: s.Backup.KeepWeekly}
	log.Info("scheduled backups", "schedule", sched.String(), "dir", s.Backup.Dir, "next", sched.Next(time.Now()))
	return &backup.Scheduler{
		Schedule: sched,
		Job: func(ctx context.Context) error {
			if _, err := m.Create(ctx, s.Database.URL, backup.CreateOptions{Release: os.Getenv("AUTOGQL_RELEASE")}); err != nil {
				return err
			}
			_, err := m.Prune(ctx, keep, false)
			return err
		},
		OnError: func(err error) { log.Error("scheduled backup failed", "err", err) },
	}, nil
}
