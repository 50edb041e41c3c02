package backup

import (
	"context"
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
)

// Schedule is a parsed cron expression: five fields (minute hour
// day-of-month month day-of-week) or a descriptor such as @daily or
// @every 6h, in UTC unless it starts with CRON_TZ=.
type Schedule struct {
	spec  string
	sched cron.Schedule
}

// ParseSchedule parses a cron expression.
func ParseSchedule(spec string) (*Schedule, error) {
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("backup schedule %q: %w", spec, err)
	}
	return &Schedule{spec: spec, sched: s}, nil
}

// String returns the expression.
func (s *Schedule) String() string { return s.spec }

// Next returns the first activation after t.
func (s *Schedule) Next(t time.Time) time.Time { return s.sched.Next(t.UTC()) }

// Scheduler runs a job at each activation of a schedule until its context
// ends. Runs never overlap: an activation missed while a job runs is
// skipped (the next one is computed when the job ends).
type Scheduler struct {
	Schedule *Schedule
	// Job does one backup (and prune); its error is passed to OnError.
	Job func(ctx context.Context) error
	// OnError receives a failed job's error; nil ignores it.
	OnError func(error)
	// Now is the clock (tests); nil is time.Now.
	Now func() time.Time
}

// Run waits for each activation and runs the job, until ctx ends.
func (s *Scheduler) Run(ctx context.Context) error {
	now := s.Now
	if now == nil {
		now = time.Now
	}
	for {
		wait := s.Schedule.Next(now()).Sub(now())
		t := time.NewTimer(max(wait, 0))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		if err := s.Job(ctx); err != nil && s.OnError != nil && ctx.Err() == nil {
			s.OnError(err)
		}
	}
}
