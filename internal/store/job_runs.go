package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// JobRun is one day's run of a daily job (package jobs): the process that
// inserts the (name, day) row runs it; Holder names that claim, so a claim
// taken over after it went stale is not finished or released by the process
// that lost it.
type JobRun struct {
	Name       string `gorm:"primaryKey"`
	Day        string `gorm:"primaryKey"` // UTC date, 2006-01-02
	Holder     string
	StartedAt  time.Time
	FinishedAt *time.Time
}

// ClaimJobRun takes the (name, day) run for holder: by inserting its row, or
// by taking over a run that started before staleBefore and never finished (its
// process died). It reports whether holder now has the run; false means
// another process ran it, or is running it.
func (db *DB) ClaimJobRun(ctx context.Context, name, day, holder string, now, staleBefore time.Time) (bool, error) {
	var claimed bool
	err := db.write(ctx, func(g *gorm.DB) error {
		var err error
		claimed, err = claimJobRun(g, name, day, holder, now, staleBefore)
		return err
	})
	return claimed, err
}

func claimJobRun(g *gorm.DB, name, day, holder string, now, staleBefore time.Time) (bool, error) {
	res := g.Clauses(clause.OnConflict{DoNothing: true}).Create(&JobRun{Name: name, Day: day, Holder: holder, StartedAt: now})
	if res.Error != nil {
		return false, fmt.Errorf("claim job %s for %s: %w", name, day, res.Error)
	}
	if res.RowsAffected == 1 {
		return true, nil
	}
	// One statement: of two processes taking over the same stale run, the
	// second finds started_at moved and updates nothing.
	res = g.Model(&JobRun{}).
		Where("name = ? AND day = ? AND finished_at IS NULL AND started_at < ?", name, day, staleBefore).
		Updates(map[string]any{"holder": holder, "started_at": now})
	if res.Error != nil {
		return false, fmt.Errorf("take over stale job %s for %s: %w", name, day, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// RenewJobRun moves holder's unfinished claim on (name, day) to now (a
// running job's heartbeat), so that it is not taken for stale. It reports
// whether holder still has the claim: false means another process took it.
func (db *DB) RenewJobRun(ctx context.Context, name, day, holder string, now time.Time) (bool, error) {
	n, err := db.updateClaim(ctx, name, day, holder, "started_at", now)
	if err != nil {
		return false, fmt.Errorf("renew claim on job %s for %s: %w", name, day, err)
	}
	return n == 1, nil
}

// updateClaim sets column to at on holder's unfinished claim on (name, day)
// and returns how many rows it changed: 0 when the claim is no longer
// holder's.
func (db *DB) updateClaim(ctx context.Context, name, day, holder, column string, at time.Time) (int64, error) {
	var n int64
	err := db.write(ctx, func(g *gorm.DB) error {
		res := g.Model(&JobRun{}).Where("name = ? AND day = ? AND holder = ? AND finished_at IS NULL", name, day, holder).
			Update(column, at)
		n = res.RowsAffected
		return res.Error
	})
	return n, err
}

// FinishJobRun records that holder's run of (name, day) completed. It is an
// error if holder no longer has the claim (another process took it over):
// that process's run, not this one, is the day's.
func (db *DB) FinishJobRun(ctx context.Context, name, day, holder string, at time.Time) error {
	n, err := db.updateClaim(ctx, name, day, holder, "finished_at", at)
	if err != nil {
		return fmt.Errorf("finish job %s for %s: %w", name, day, err)
	}
	if n == 0 {
		return fmt.Errorf("finish job %s for %s: the claim is no longer this process's (taken over)", name, day)
	}
	return nil
}

// ReleaseJobRun gives up holder's unfinished claim on (name, day), so that a
// later attempt (this process's next tick, or another's) runs it again.
func (db *DB) ReleaseJobRun(ctx context.Context, name, day, holder string) error {
	err := db.write(ctx, func(g *gorm.DB) error {
		return g.Where("name = ? AND day = ? AND holder = ? AND finished_at IS NULL", name, day, holder).Delete(&JobRun{}).Error
	})
	if err != nil {
		return fmt.Errorf("release job %s for %s: %w", name, day, err)
	}
	return nil
}

// JobRuns lists a job's runs, the latest day first (at most limit).
func (db *DB) JobRuns(ctx context.Context, name string, limit int) ([]JobRun, error) {
	var runs []JobRun
	if err := db.R.WithContext(ctx).Where("name = ?", name).Order("day DESC").Limit(limit).Find(&runs).Error; err != nil {
		return nil, fmt.Errorf("list runs of job %s: %w", name, err)
	}
	return runs, nil
}
