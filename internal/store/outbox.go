package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// OutboxStatus is where a message stands: waiting to be sent (again), sent,
// or given up.
type OutboxStatus string

const (
	OutboxQueued OutboxStatus = "queued"
	OutboxSent   OutboxStatus = "sent"
	OutboxFailed OutboxStatus = "failed"
)

// OutboxMessage is one e-mail, written in the transaction of the change it
// reports and sent later by the mail sender. Sent and failed messages stay, so
// the outbox is also the record of what was sent to whom.
type OutboxMessage struct {
	ID            int64
	Kind          string
	UserID        *int64
	SessionID     *int64
	ToAddress     string
	ToName        string
	Language      string
	Subject       string
	TextBody      string
	HTMLBody      string
	Attachments   []OutboxAttachment `gorm:"foreignKey:MessageID"`
	Status        OutboxStatus
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	SentAt        *time.Time
}

func (OutboxMessage) TableName() string { return "outbox" }

// OutboxAttachment is a file sent with a message. Listings leave Data out and
// fill Size only.
type OutboxAttachment struct {
	ID          int64
	MessageID   int64
	Name        string
	ContentType string
	Data        []byte
	Size        int64 `gorm:"->;-:migration"`
}

func (OutboxAttachment) TableName() string { return "outbox_attachments" }

// EnqueueOutbox inserts a message and its attachments, inside the caller's
// transaction when q is one.
func (q Q) EnqueueOutbox(m *OutboxMessage) error {
	if err := q.g.Create(m).Error; err != nil {
		return fmt.Errorf("enqueue %s e-mail: %w", m.Kind, translate(err))
	}
	return nil
}

// OutboxFilter restricts a listing; zero fields do not filter.
type OutboxFilter struct {
	Status   string
	Kind     string
	UserID   *int64
	BeforeID int64 // paging: only messages older than this one
	Limit    int   // default and maximum 500
}

// OutboxMessages lists messages newest first, with their attachments' names and
// sizes but not their data.
func (db *DB) OutboxMessages(ctx context.Context, f OutboxFilter) ([]OutboxMessage, error) {
	g := db.R.WithContext(ctx).Order("id DESC")
	if f.Status != "" {
		g = g.Where("status = ?", f.Status)
	}
	if f.Kind != "" {
		g = g.Where("kind = ?", f.Kind)
	}
	if f.UserID != nil {
		g = g.Where("user_id = ?", *f.UserID)
	}
	if f.BeforeID > 0 {
		g = g.Where("id < ?", f.BeforeID)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	var out []OutboxMessage
	if err := g.Limit(f.Limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]int64, len(out))
	byID := make(map[int64]*OutboxMessage, len(out))
	for i := range out {
		ids[i], byID[out[i].ID] = out[i].ID, &out[i]
	}
	var atts []OutboxAttachment
	err := db.R.WithContext(ctx).Select("id, message_id, name, content_type, length(data) AS size").
		Where("message_id IN ?", ids).Order("id").Find(&atts).Error
	if err != nil {
		return nil, fmt.Errorf("list outbox attachments: %w", err)
	}
	for _, a := range atts {
		m := byID[a.MessageID]
		m.Attachments = append(m.Attachments, a)
	}
	return out, nil
}

// CountOutbox counts messages by status.
func (db *DB) CountOutbox(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		Status string
		N      int64
	}
	if err := db.R.WithContext(ctx).Model(&OutboxMessage{}).Select("status, count(*) AS n").Group("status").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("count outbox: %w", err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// OutboxMessage loads one message with its attachments' data, from the writer so
// that a message just claimed is read as claimed.
func (db *DB) OutboxMessage(ctx context.Context, id int64) (*OutboxMessage, error) {
	var m OutboxMessage
	if err := db.W.WithContext(ctx).Preload("Attachments").Take(&m, id).Error; err != nil {
		return nil, fmt.Errorf("load outbox message %d: %w", id, translate(err))
	}
	for i := range m.Attachments {
		m.Attachments[i].Size = int64(len(m.Attachments[i].Data))
	}
	return &m, nil
}

// DueOutbox lists the ids of queued messages due at now, oldest due first.
func (db *DB) DueOutbox(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	var ids []int64
	err := db.R.WithContext(ctx).Model(&OutboxMessage{}).Where("status = ? AND next_attempt_at <= ?", OutboxQueued, now.UTC()).
		Order("next_attempt_at, id").Limit(limit).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("list due e-mails: %w", err)
	}
	return ids, nil
}

// ClaimOutbox takes a due message for one sending attempt: it counts the attempt
// and moves next_attempt_at to until (a lease), in one guarded UPDATE, so of
// several processes polling the same database exactly one wins. A sender that
// dies mid-attempt leaves the message to be retried when the lease ends. It
// returns the attempt number, or 0 when someone else claimed it first.
func (db *DB) ClaimOutbox(ctx context.Context, id int64, now, until time.Time) (int, error) {
	var m OutboxMessage
	err := db.Tx(ctx, func(q Q) error {
		res := q.g.Model(&OutboxMessage{}).
			Where("id = ? AND status = ? AND next_attempt_at <= ?", id, OutboxQueued, now.UTC()).
			Updates(map[string]any{"attempts": gorm.Expr("attempts + 1"), "next_attempt_at": until.UTC()})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return q.g.Select("attempts").Take(&m, id).Error
	})
	if err != nil {
		return 0, fmt.Errorf("claim e-mail %d: %w", id, err)
	}
	return m.Attempts, nil
}

// FinishOutbox records the end of attempt number attempt: sent (sentAt set), or
// still queued for next, or failed for good. The attempt number fences the
// update: a sender whose lease ran out and was overtaken changes nothing.
func (db *DB) FinishOutbox(ctx context.Context, id int64, attempt int, status OutboxStatus, next time.Time, lastError string, sentAt *time.Time) error {
	if sentAt != nil {
		t := sentAt.UTC()
		sentAt = &t
	}
	return db.Tx(ctx, func(q Q) error {
		res := q.g.Model(&OutboxMessage{}).
			Where("id = ? AND status = ? AND attempts = ?", id, OutboxQueued, attempt).
			Updates(map[string]any{"status": status, "next_attempt_at": next.UTC(), "last_error": lastError, "sent_at": sentAt})
		if res.Error != nil {
			return fmt.Errorf("record e-mail %d as %s: %w", id, status, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("record e-mail %d as %s: attempt %d was overtaken by another sender", id, status, attempt)
		}
		if status != OutboxSent && status != OutboxFailed {
			return nil
		}
		// Sent and given-up messages go into the audit log with the rest of the day.
		var m OutboxMessage
		if err := q.g.Select("id", "kind", "user_id", "session_id", "to_address").Take(&m, id).Error; err != nil {
			return fmt.Errorf("load e-mail %d: %w", id, err)
		}
		after, err := json.Marshal(map[string]any{"id": m.ID, "kind": m.Kind, "to": m.ToAddress, "attempts": attempt, "error": lastError})
		if err != nil {
			return err
		}
		at := next.UTC()
		if sentAt != nil {
			at = *sentAt
		}
		return q.Audit(&AuditEvent{At: at, Action: "mail." + string(status), SessionID: m.SessionID, UserID: m.UserID, After: string(after)})
	})
}
