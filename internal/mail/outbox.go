package mail

import (
	"context"
	"fmt"
	"time"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/store"
)

// Outbox message statuses, in the order the outbox page offers them.
const (
	StatusQueued = store.OutboxQueued
	StatusSent   = store.OutboxSent
	StatusFailed = store.OutboxFailed
)

// Statuses lists every outbox status.
var Statuses = []string{string(StatusQueued), string(StatusSent), string(StatusFailed)}

// OutboxMessage is one e-mail as the outbox page and GET /api/v1/outbox show it.
type OutboxMessage struct {
	ID            int64              `json:"id"`
	Kind          string             `json:"kind"`
	UserID        *int64             `json:"user_id"`
	SessionID     *int64             `json:"session_id"`
	ToAddress     string             `json:"to_address"`
	ToName        string             `json:"to_name"`
	Language      string             `json:"language"`
	Subject       string             `json:"subject"`
	TextBody      string             `json:"text_body"`
	HTMLBody      string             `json:"html_body"`
	Attachments   []OutboxAttachment `json:"attachments"`
	Status        string             `json:"status"`
	Attempts      int                `json:"attempts"`
	NextAttemptAt time.Time          `json:"next_attempt_at"`
	LastError     string             `json:"last_error"`
	CreatedAt     time.Time          `json:"created_at"`
	SentAt        *time.Time         `json:"sent_at"`
}

// OutboxAttachment names a file sent with a message; listings carry its size,
// not its data.
type OutboxAttachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

// OutboxFilter restricts a listing; zero fields do not filter.
type OutboxFilter struct {
	Status   string
	Kind     string
	UserID   *int64
	BeforeID int64 // paging: only messages older than this one
	Limit    int   // default and maximum 500
}

// Outbox reads the outbox for admins. It checks the actor itself, so no caller
// can list other people's e-mail (invitation links among them) by forgetting to.
type Outbox struct {
	db *store.DB
}

// NewOutbox returns the outbox reader over db.
func NewOutbox(db *store.DB) *Outbox { return &Outbox{db: db} }

// Messages lists messages newest first, with their attachments' names and sizes.
func (o *Outbox) Messages(ctx context.Context, a *auth.Actor, f OutboxFilter) ([]OutboxMessage, error) {
	if err := auth.Authorize(a, auth.ActOutboxRead); err != nil {
		return nil, err
	}
	rows, err := o.db.OutboxMessages(ctx, store.OutboxFilter(f))
	if err != nil {
		return nil, fmt.Errorf("read the outbox: %w", err)
	}
	if rows == nil {
		return nil, nil
	}
	out := make([]OutboxMessage, len(rows))
	for i, m := range rows {
		out[i] = outboxMessage(m)
	}
	return out, nil
}

// Counts counts messages by status.
func (o *Outbox) Counts(ctx context.Context, a *auth.Actor) (map[string]int64, error) {
	if err := auth.Authorize(a, auth.ActOutboxRead); err != nil {
		return nil, err
	}
	counts, err := o.db.CountOutbox(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the outbox: %w", err)
	}
	return counts, nil
}

func outboxMessage(m store.OutboxMessage) OutboxMessage {
	v := OutboxMessage{ID: m.ID, Kind: m.Kind, UserID: m.UserID, SessionID: m.SessionID,
		ToAddress: m.ToAddress, ToName: m.ToName, Language: m.Language, Subject: m.Subject,
		TextBody: m.TextBody, HTMLBody: m.HTMLBody, Status: string(m.Status), Attempts: m.Attempts,
		NextAttemptAt: m.NextAttemptAt, LastError: m.LastError, CreatedAt: m.CreatedAt, SentAt: m.SentAt}
	if m.Attachments != nil { // a message without attachments lists as null, as it always has
		v.Attachments = make([]OutboxAttachment, len(m.Attachments))
		for i, a := range m.Attachments {
			v.Attachments[i] = OutboxAttachment{Name: a.Name, ContentType: a.ContentType, Size: a.Size}
		}
	}
	return v
}
