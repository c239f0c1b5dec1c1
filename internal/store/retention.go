package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// RetentionCutoffs say, per category, before when records go; a zero value
// keeps that category whole. Answers compares with the session's date
// (YYYY-MM-DD, the day the answers were given), the others with a moment.
type RetentionCutoffs struct {
	AnswersBefore       string    // session date
	LoginRecordsBefore  time.Time // sign-in sessions' expiry, failures' time
	SentEmailsBefore    time.Time // sent: when sent; failed: when written
	AuditBefore         time.Time
	ExpiredTokensBefore time.Time // the token's expiry
}

// RetentionRows is how many rows of one table a category removes (or would).
type RetentionRows struct {
	Category string // the privacy policy's key: answers, login_records, …
	Table    string
	Rows     int64
}

// retentionRule is one table's share of a category: the rows matching where
// go, key by key, in batches. key is the table's primary key (columns
// separated by commas).
type retentionRule struct {
	category, table, key, where string
	arg                         func(RetentionCutoffs) (any, bool)
}

// answersOf selects finalised attempts of sessions dated before the cut-off
// whose item scores are stored: their answers go, the attempt, its score and
// its item scores stay. An attempt still open (a day never closed, a paper
// entry pending) keeps its answers: it is scored from them when it ends, and
// would score nothing. So does one finalised before item scores were kept,
// until attempt.Service.BackfillItemScores has scored it from them (the
// backfill and the first retention run both start with the upgraded server;
// without this, the programme report's facility read 0 for its questions).
const answersOf = "attempt_id IN (SELECT a.id FROM attempts a JOIN training_sessions s ON s.id = a.session_id WHERE s.date < ? AND a.finalised <> '' AND EXISTS (SELECT 1 FROM item_scores i WHERE i.attempt_id = a.id))"

// lateAnswersOf is answersOf for late answers a trainer (or the quiz's grace)
// has decided on: one still awaiting a decision may yet count, so it stays.
const lateAnswersOf = answersOf + " AND accepted_at IS NOT NULL"

// sentOrFailed is an outbox message that will not be sent again.
const sentOrFailed = "status IN ('sent', 'failed') AND COALESCE(sent_at, created_at) < ?"

func answersCut(c RetentionCutoffs) (any, bool) { return c.AnswersBefore, c.AnswersBefore != "" }
func loginCut(c RetentionCutoffs) (any, bool) {
	return c.LoginRecordsBefore.UTC(), !c.LoginRecordsBefore.IsZero()
}
func emailCut(c RetentionCutoffs) (any, bool) {
	return c.SentEmailsBefore.UTC(), !c.SentEmailsBefore.IsZero()
}
func auditCut(c RetentionCutoffs) (any, bool) { return c.AuditBefore.UTC(), !c.AuditBefore.IsZero() }
func tokenCut(c RetentionCutoffs) (any, bool) {
	return c.ExpiredTokensBefore.UTC(), !c.ExpiredTokensBefore.IsZero()
}

// retentionRules in the order they run: attachments before their messages.
var retentionRules = []retentionRule{
	{"answers", "attempt_answers", "attempt_id", answersOf, answersCut},
	{"answers", "late_answers", "attempt_id, question_id", lateAnswersOf, answersCut},
	{"login_records", "login_sessions", "token_hash", "expires_at < ?", loginCut},
	{"login_records", "login_failures", "id", "at < ?", loginCut},
	{"login_records", "checkin_failures", "id", "at < ?", loginCut},
	{"sent_emails", "outbox_attachments", "id", "message_id IN (SELECT id FROM outbox WHERE " + sentOrFailed + ")", emailCut},
	{"sent_emails", "outbox", "id", sentOrFailed, emailCut},
	{"audit", "audit_events", "id", "at < ?", auditCut},
	{"expired_tokens", "one_time_tokens", "id", "expires_at < ?", tokenCut},
}

// CountRetention counts, table by table, what ApplyRetention would remove now;
// it changes nothing.
func (db *DB) CountRetention(ctx context.Context, c RetentionCutoffs) ([]RetentionRows, error) {
	out := make([]RetentionRows, 0, len(retentionRules))
	for _, r := range retentionRules {
		row := RetentionRows{Category: r.category, Table: r.table}
		if arg, on := r.arg(c); on {
			if err := db.R.WithContext(ctx).Raw("SELECT COUNT(*) FROM "+r.table+" WHERE "+r.where, arg).Scan(&row.Rows).Error; err != nil {
				return nil, fmt.Errorf("count %s past retention: %w", r.table, err)
			}
		}
		out = append(out, row)
	}
	return out, nil
}

// ApplyRetention removes the rows past the cut-offs, each table in batches of
// up to batch keys, one short transaction each, so that a first run over
// years of records neither holds a long lock nor builds a huge transaction on
// PostgreSQL. Running it again removes nothing more: it is idempotent, and an
// interrupted run is finished by the next.
func (db *DB) ApplyRetention(ctx context.Context, c RetentionCutoffs, batch int) ([]RetentionRows, error) {
	out := make([]RetentionRows, 0, len(retentionRules))
	for _, r := range retentionRules {
		row := RetentionRows{Category: r.category, Table: r.table}
		arg, on := r.arg(c)
		for on {
			if err := ctx.Err(); err != nil {
				return out, fmt.Errorf("remove %s past retention: %w", r.table, err)
			}
			// The key in parentheses: late answers' is two columns, and a
			// pending one must not go with a decided one of its attempt.
			var n int64
			err := db.write(ctx, func(g *gorm.DB) error {
				res := g.Exec("DELETE FROM "+r.table+" WHERE ("+r.key+") IN (SELECT "+r.key+" FROM "+r.table+" WHERE "+r.where+" LIMIT ?)", arg, batch)
				n = res.RowsAffected
				return res.Error
			})
			if err != nil {
				return append(out, row), fmt.Errorf("remove %s past retention: %w", r.table, err)
			}
			row.Rows += n
			on = n > 0
		}
		out = append(out, row)
	}
	return out, nil
}

// AuditEventsOf lists one action's events, newest first.
func (q Q) AuditEventsOf(action string, limit int) ([]AuditEvent, error) {
	var out []AuditEvent
	if err := q.g.Where("action = ?", action).Order("id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list %s audit events: %w", action, err)
	}
	return out, nil
}
