package mail

import (
	"fmt"
	netmail "net/mail"
	"strings"
	"time"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/store"
)

// Kind says what a message is about.
type Kind string

const (
	KindInvitation         Kind = "invitation"
	KindReset              Kind = "reset"
	KindEnrolmentConfirmed Kind = "enrolment_confirmed"
	KindWaitlistPromoted   Kind = "waitlist_promoted"
	KindSessionChanged     Kind = "session_changed"
	KindSessionCancelled   Kind = "session_cancelled"
	KindCertificateIssued  Kind = "certificate_issued"
	// KindCertificateExpiring reminds a holder that their certificate is due
	// for recertification (90 and 30 days before it expires).
	KindCertificateExpiring Kind = "certificate_expiring"
	// KindCertificatesExpiring is a coordinator's digest of their officers'
	// certificates newly due for recertification.
	KindCertificatesExpiring Kind = "certificates_expiring"
)

// Kinds lists every kind, in the order the outbox page offers them.
var Kinds = []Kind{KindInvitation, KindReset, KindEnrolmentConfirmed, KindWaitlistPromoted,
	KindSessionChanged, KindSessionCancelled, KindCertificateIssued, KindCertificateExpiring, KindCertificatesExpiring}

// Message is one e-mail to one recipient.
type Message struct {
	Kind        Kind
	UserID      *int64
	SessionID   *int64
	To          string // a bare address
	ToName      string
	Language    string
	Subject     string
	Text        string
	HTML        string
	Attachments []Attachment
}

// Attachment is a file sent with a message.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// Enqueue writes a message to the outbox for the sender to deliver. Called with
// the caller's transaction, the message is committed (or rolled back) with the
// change it reports.
func Enqueue(q store.Q, m Message) error {
	var f apperr.Fields
	known := false
	for _, k := range Kinds {
		known = known || k == m.Kind
	}
	if !known {
		f.Add("kind", "err.mail.kind_unknown", "Kind", string(m.Kind))
	}
	addr, err := netmail.ParseAddress(m.To)
	if err != nil || addr.Name != "" {
		f.Add("to", "err.mail.address", "Address", m.To)
	}
	subject := oneLine(m.Subject)
	if subject == "" {
		f.Add("subject", "err.field.required")
	}
	if m.Text == "" {
		f.Add("text", "err.field.required")
	}
	for _, a := range m.Attachments {
		if oneLine(a.Name) == "" || a.ContentType == "" {
			f.Add("attachments", "err.mail.attachment")
		}
	}
	if err := f.Err(); err != nil {
		return fmt.Errorf("enqueue %s e-mail: %w", m.Kind, err)
	}
	now := time.Now().UTC()
	row := &store.OutboxMessage{Kind: string(m.Kind), UserID: m.UserID, SessionID: m.SessionID,
		ToAddress: addr.Address, ToName: oneLine(m.ToName), Language: m.Language, Subject: subject,
		TextBody: m.Text, HTMLBody: m.HTML, Status: store.OutboxQueued, NextAttemptAt: now, CreatedAt: now}
	for _, a := range m.Attachments {
		row.Attachments = append(row.Attachments, store.OutboxAttachment{Name: oneLine(a.Name), ContentType: a.ContentType, Data: a.Data})
	}
	return q.EnqueueOutbox(row)
}

// oneLine keeps header values on one line: a line break in a name or subject
// must never start a header of its own.
func oneLine(s string) string {
	return strings.TrimSpace(strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' }), " "))
}
