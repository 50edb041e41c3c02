package backup

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Retention says which backups prune keeps: the union of the newest
// KeepLast, the newest of each of the KeepDaily most recent days that have
// one, and the newest of each of the KeepWeekly most recent ISO weeks that
// have one (days and weeks in UTC). All zero keeps everything.
type Retention struct {
	KeepLast, KeepDaily, KeepWeekly int
}

// Zero reports a policy that keeps everything.
func (r Retention) Zero() bool { return r.KeepLast <= 0 && r.KeepDaily <= 0 && r.KeepWeekly <= 0 }

// Keep splits backups (any order) into kept and removed, each newest first.
func (r Retention) Keep(all []*Manifest) (keep, remove []*Manifest) {
	sorted := append([]*Manifest(nil), all...)
	// Newest first.
	for i := 1; i < len(sorted); i++ {
		for j := i; j > 0 && sorted[j].CreatedAt.After(sorted[j-1].CreatedAt); j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	if r.Zero() {
		return sorted, nil
	}
	kept := map[string]bool{}
	for i, m := range sorted {
		if i < r.KeepLast {
			kept[m.ID] = true
		}
	}
	bucket := func(n int, key func(time.Time) string) {
		seen := map[string]bool{}
		for _, m := range sorted {
			k := key(m.CreatedAt.UTC())
			if seen[k] {
				continue
			}
			if len(seen) >= n {
				return
			}
			seen[k] = true
			kept[m.ID] = true
		}
	}
	bucket(r.KeepDaily, func(t time.Time) string { return t.Format("2006-01-02") })
	bucket(r.KeepWeekly, func(t time.Time) string {
		y, w := t.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	})
	for _, m := range sorted {
		if kept[m.ID] {
			keep = append(keep, m)
		} else {
			remove = append(remove, m)
		}
	}
	return keep, remove
}

// Prune deletes the backups the policy does not keep and returns them.
// dryRun reports without deleting.
func (m *Manager) Prune(ctx context.Context, r Retention, dryRun bool) (removed []*Manifest, err error) {
	all, listErr := List(ctx, m.Storage)
	if listErr != nil && len(all) == 0 {
		return nil, listErr
	}
	_, remove := r.Keep(all)
	if dryRun {
		return remove, listErr
	}
	var errs []error
	for _, b := range remove {
		if err := m.Delete(ctx, b); err != nil {
			errs = append(errs, fmt.Errorf("delete %s: %w", b.ID, err))
			continue
		}
		removed = append(removed, b)
		m.log().Info("backup pruned", "backup", b.ID, "created_at", b.CreatedAt)
	}
	return removed, errors.Join(append(errs, listErr)...)
}
