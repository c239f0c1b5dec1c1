package privacy

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/store"
)

// What each retention period removes, precisely (the privacy notice and the
// admins' retention page say the same in words):
//
//   - answers: the saved answers and late answers of every attempt in a
//     session dated before the cut-off. The attempt itself — who, which quiz,
//     score, percent, passed — stays, so results, certificates and their
//     verification stay true; the item analysis of those sessions then has
//     no per-question data.
//   - login_records: sign-in sessions (browser or API) that expired before
//     the cut-off, failed sign-ins and wrong check-in codes older than it.
//   - sent_emails: outbox messages sent (by their sending time) or given up
//     on (by their writing time) before the cut-off, with their attachments.
//     Queued messages are never removed.
//   - audit: audit log entries older than the cut-off.
//   - expired_tokens: invitation, sign-in-slip, password-reset and
//     second-step links that expired before the cut-off, used or not.
//
// A period of "never" removes nothing of its category. Every removal is
// idempotent: a second run the same day finds nothing more.
const (
	Answers       = "answers"
	LoginRecords  = "login_records"
	SentEmails    = "sent_emails"
	Audit         = "audit"
	ExpiredTokens = "expired_tokens"
)

// Period is one category's retention period.
type Period struct {
	Category string
	Period   course.Validity // zero: never
}

// Periods lists the policy's retention periods in a fixed order (the file's).
func (p Policy) Periods() []Period {
	return []Period{{Answers, p.Answers}, {LoginRecords, p.LoginRecords}, {SentEmails, p.SentEmails}, {Audit, p.Audit}, {ExpiredTokens, p.ExpiredTokens}}
}

// Removal is what one category's period removes (or, in a preview, would).
type Removal struct {
	Category string
	Period   course.Validity // zero: never
	// Cutoff: records from before it go; zero for a period of never.
	Cutoff time.Time
	Rows   int64        // every table together
	Tables []TableCount // table by table
}

// TableCount is how many rows of one table a category removes.
type TableCount struct {
	Table string `json:"table"`
	Rows  int64  `json:"rows"`
}

// Run is one application of the retention periods, or a preview of one.
type Run struct {
	At       time.Time
	By       string // RunByJob, RunByCommand; "" for a preview
	DryRun   bool
	Removals []Removal
}

// Rows is the number of rows the run removed in all.
func (r Run) Rows() int64 {
	var n int64
	for _, c := range r.Removals {
		n += c.Rows
	}
	return n
}

// Who applied a run, as recorded.
const (
	RunByJob     = "job"
	RunByCommand = "command"
)

// auditRun is the audit action a run is recorded under: the audit log is the
// record of changes already, and the runs' history ages out with it.
const auditRun = "retention.run"

// Retention applies the policy's retention periods.
type Retention struct {
	db     *store.DB
	policy Policy
	log    *slog.Logger
	// Now is the clock (tests move it).
	Now func() time.Time
	// Batch is how many rows (for answers: attempts) one delete removes at most.
	Batch int
}

// NewRetention builds the retention service over db for policy.
func NewRetention(db *store.DB, policy Policy, log *slog.Logger) *Retention {
	return &Retention{db: db, policy: policy, log: log, Now: func() time.Time { return time.Now().UTC() }, Batch: 500}
}

// cutoffs turns the periods into the moments before which records go.
func (r *Retention) cutoffs(now time.Time) (store.RetentionCutoffs, map[string]time.Time) {
	at := map[string]time.Time{}
	for _, p := range r.policy.Periods() {
		if c, ok := Cutoff(p.Period, now); ok {
			at[p.Category] = c
		}
	}
	c := store.RetentionCutoffs{LoginRecordsBefore: at[LoginRecords], SentEmailsBefore: at[SentEmails], AuditBefore: at[Audit], ExpiredTokensBefore: at[ExpiredTokens]}
	if t, ok := at[Answers]; ok {
		// A session's date is its day: answers go once the whole day is
		// older than the period, so the cut-off is a day (UTC).
		at[Answers] = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		c.AnswersBefore = at[Answers].Format(time.DateOnly)
	}
	return c, at
}

func (r *Retention) run(now time.Time, at map[string]time.Time, rows []store.RetentionRows) Run {
	run := Run{At: now}
	for _, p := range r.policy.Periods() {
		rm := Removal{Category: p.Category, Period: p.Period, Cutoff: at[p.Category]}
		for _, t := range rows {
			if t.Category == p.Category {
				rm.Rows += t.Rows
				rm.Tables = append(rm.Tables, TableCount{Table: t.Table, Rows: t.Rows})
			}
		}
		run.Removals = append(run.Removals, rm)
	}
	return run
}

// Preview counts what Apply would remove now, changing nothing (`lectern
// retention --dry-run` and the admins' page).
func (r *Retention) Preview(ctx context.Context) (Run, error) {
	now := r.Now().UTC()
	c, at := r.cutoffs(now)
	rows, err := r.db.CountRetention(ctx, c)
	if err != nil {
		return Run{}, fmt.Errorf("preview retention: %w", err)
	}
	run := r.run(now, at, rows)
	run.DryRun = true
	return run, nil
}

// Apply removes every record past its period, then logs and records the run
// (counts per category and table) in the audit log. by says who asked
// (RunByJob, RunByCommand). A run cut short still records what it removed.
func (r *Retention) Apply(ctx context.Context, by string) (Run, error) {
	now := r.Now().UTC()
	c, at := r.cutoffs(now)
	rows, applyErr := r.db.ApplyRetention(ctx, c, r.Batch)
	run := r.run(now, at, rows)
	run.By = by
	attrs := []any{"by", by, "rows", run.Rows()}
	for _, rm := range run.Removals {
		attrs = append(attrs, rm.Category, rm.Rows)
	}
	if applyErr != nil {
		r.log.Error("retention run cut short", append(attrs, "err", applyErr)...)
	} else {
		r.log.Info("retention run", attrs...)
	}
	data, err := json.Marshal(recordOf(run))
	if err != nil {
		return run, fmt.Errorf("record retention run: %w", err)
	}
	if err := r.db.Tx(context.WithoutCancel(ctx), func(q store.Q) error {
		return q.Audit(&store.AuditEvent{At: now, Action: auditRun, After: string(data)})
	}); err != nil {
		return run, fmt.Errorf("record retention run: %w", err)
	}
	if applyErr != nil {
		return run, fmt.Errorf("apply retention: %w", applyErr)
	}
	return run, nil
}

// Runs returns the last recorded runs, newest first.
func (r *Retention) Runs(ctx context.Context, limit int) ([]Run, error) {
	events, err := r.db.Read(ctx).AuditEventsOf(auditRun, limit)
	if err != nil {
		return nil, fmt.Errorf("list retention runs: %w", err)
	}
	out := make([]Run, 0, len(events))
	for _, ev := range events {
		var rec runRecord
		if err := json.Unmarshal([]byte(ev.After), &rec); err != nil {
			return nil, fmt.Errorf("read retention run %d: %w", ev.ID, err)
		}
		out = append(out, rec.run(ev.At))
	}
	return out, nil
}

// runRecord is a run as the audit log keeps it.
type runRecord struct {
	By         string           `json:"by"`
	Categories []categoryRecord `json:"categories"`
}

type categoryRecord struct {
	Category string        `json:"category"`
	Period   string        `json:"period"` // "" for never
	Cutoff   *time.Time    `json:"cutoff,omitempty"`
	Rows     int64         `json:"rows"`
	Tables   []tableRecord `json:"tables"`
}

type tableRecord struct {
	Table string `json:"table"`
	Rows  int64  `json:"rows"`
}

func recordOf(run Run) runRecord {
	rec := runRecord{By: run.By}
	for _, rm := range run.Removals {
		c := categoryRecord{Category: rm.Category, Period: rm.Period.String(), Rows: rm.Rows}
		if !rm.Cutoff.IsZero() {
			cut := rm.Cutoff
			c.Cutoff = &cut
		}
		for _, t := range rm.Tables {
			c.Tables = append(c.Tables, tableRecord(t))
		}
		rec.Categories = append(rec.Categories, c)
	}
	return rec
}

func (rec runRecord) run(at time.Time) Run {
	run := Run{At: at.UTC(), By: rec.By}
	for _, c := range rec.Categories {
		rm := Removal{Category: c.Category, Rows: c.Rows}
		if c.Period != "" {
			rm.Period, _ = course.ParseValidity(c.Period) // written by String: always parses
		}
		if c.Cutoff != nil {
			rm.Cutoff = c.Cutoff.UTC()
		}
		for _, t := range c.Tables {
			rm.Tables = append(rm.Tables, TableCount(t))
		}
		run.Removals = append(run.Removals, rm)
	}
	return run
}

// Overview is what the admins' retention page and GET /api/v1/retention
// show: the policy's rule for erased holders' names, what the periods would
// remove now (a preview, as `lectern retention --dry-run`), and the last runs.
type Overview struct {
	CertificateNames NameRule `json:"certificate_names"`
	Pending          Run      `json:"pending"`
	Runs             []Run    `json:"runs"`
}

// Overview is admins' only: the counts say how much is kept about people.
func (r *Retention) Overview(ctx context.Context, a *auth.Actor, runs int) (Overview, error) {
	if err := auth.Authorize(a, auth.ActRetentionRead); err != nil {
		return Overview{}, err
	}
	pending, err := r.Preview(ctx)
	if err != nil {
		return Overview{}, err
	}
	last, err := r.Runs(ctx, runs)
	if err != nil {
		return Overview{}, err
	}
	return Overview{CertificateNames: r.policy.CertificateNames, Pending: pending, Runs: last}, nil
}

// MarshalJSON writes a run with its total and each period as in the policy
// file ("2y"; null for never).
func (r Run) MarshalJSON() ([]byte, error) {
	type removal struct {
		Category string       `json:"category"`
		Period   *string      `json:"period"`
		Cutoff   *time.Time   `json:"cutoff"`
		Rows     int64        `json:"rows"`
		Tables   []TableCount `json:"tables"`
	}
	out := struct {
		At         time.Time `json:"at"`
		By         string    `json:"by,omitempty"`
		DryRun     bool      `json:"dry_run"`
		Rows       int64     `json:"rows"`
		Categories []removal `json:"categories"`
	}{At: r.At, By: r.By, DryRun: r.DryRun, Rows: r.Rows(), Categories: []removal{}}
	for _, rm := range r.Removals {
		v := removal{Category: rm.Category, Rows: rm.Rows, Tables: rm.Tables}
		if !rm.Period.IsZero() {
			p := rm.Period.String()
			v.Period = &p
		}
		if !rm.Cutoff.IsZero() {
			c := rm.Cutoff
			v.Cutoff = &c
		}
		if v.Tables == nil {
			v.Tables = []TableCount{}
		}
		out.Categories = append(out.Categories, v)
	}
	return json.Marshal(out)
}
