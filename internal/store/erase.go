package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Erasure is what EraseUser does to one user's rows; privacy.Eraser decides it.
type Erasure struct {
	UserID int64
	// Email replaces the address: unique and personal to nobody
	// (erased-<id>@erased.invalid), so the row keeps its unique key.
	Email string
	At    time.Time
	// KeepPrintedName keeps the certificates' holder name and signed payload
	// (privacy.KeepPrintedName); otherwise HolderMarker replaces the name and
	// the payload and signature go.
	KeepPrintedName bool
	HolderMarker    string
	// Needles are the strings that identify the user on their own (full name,
	// Latin name, address) as they may be stored (raw, JSON- and
	// HTML-escaped): rows of other users' records that contain one (audit
	// events, e-mails to others) are passed through ScrubOthers.
	Needles []string
	// Scrub returns text with every personal string of the user taken out,
	// given and family names alone included: for rows about the user.
	Scrub func(text string) string
	// ScrubOthers takes out only the identifying strings: for rows about
	// someone else, where "Paul" alone may be that other person's name.
	ScrubOthers func(text string) string
	// Audit is the erasure's own event, written in the same transaction.
	Audit *AuditEvent
}

// UserForUpdate loads a user, locking the row on PostgreSQL (SQLite's
// transactions already hold the one writer).
func (q Q) UserForUpdate(id int64) (*User, error) {
	g := q.g
	if q.postgres {
		g = g.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var u User
	if err := g.Take(&u, id).Error; err != nil {
		return nil, fmt.Errorf("load user %d: %w", id, translate(err))
	}
	return &u, nil
}

// CountActiveAdmins counts the admins whose data is not erased.
func (q Q) CountActiveAdmins() (int64, error) {
	var n int64
	if err := q.g.Model(&User{}).Where("role = ? AND erased_at IS NULL", "admin").Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count admins: %w", err)
	}
	return n, nil
}

// EraseUser removes a user's personal data inside the caller's transaction.
// The user row stays (nameless, unable to sign in) so enrolments, attendance,
// attempts and certificates keep their owner and every count stays right;
// what only served the person (sign-in records, tokens, e-mails to them)
// goes; what others' records say about them is scrubbed, not deleted, so the
// audit trail keeps every event.
func (q Q) EraseUser(e Erasure) error {
	u, err := q.UserForUpdate(e.UserID)
	if err != nil {
		return err
	}
	oldEmail := strings.ToLower(u.Email)
	steps := []struct {
		what string
		run  func() error
	}{
		{"user", func() error {
			return q.g.Model(&User{}).Where("id = ?", e.UserID).Updates(map[string]any{
				"email": e.Email, "name": "", "given_name": "", "family_name": "", "latin_name": "",
				"password_hash": "", "calendar_token": nil, "totp_secret": "", "totp_enabled_at": nil, "totp_last_step": 0,
				"erased_at": e.At, "updated_at": e.At,
			}).Error
		}},
		{"login sessions", func() error { return q.g.Where("user_id = ?", e.UserID).Delete(&LoginSession{}).Error }},
		{"login failures", func() error { return q.g.Where("LOWER(email) = ?", oldEmail).Delete(&LoginFailure{}).Error }},
		{"one-time tokens", func() error { return q.g.Where("user_id = ?", e.UserID).Delete(&OneTimeToken{}).Error }},
		{"recovery codes", func() error { return q.g.Where("user_id = ?", e.UserID).Delete(&RecoveryCode{}).Error }},
		{"check-in failures", func() error { return q.g.Where("user_id = ?", e.UserID).Delete(&CheckinFailure{}).Error }},
		{"e-mails", func() error {
			// Attachments first: SQLite enforces the cascade only with
			// foreign keys on, which a copy opened elsewhere may not have.
			mine := q.g.Model(&OutboxMessage{}).Select("id").Where("user_id = ? OR LOWER(to_address) = ?", e.UserID, oldEmail)
			if err := q.g.Where("message_id IN (?)", mine).Delete(&OutboxAttachment{}).Error; err != nil {
				return err
			}
			return q.g.Where("user_id = ? OR LOWER(to_address) = ?", e.UserID, oldEmail).Delete(&OutboxMessage{}).Error
		}},
		{"e-mails to others", func() error { return q.scrubOutbox(e) }},
		{"answers", func() error { return q.scrubAnswers(e) }},
		{"audit events", func() error { return q.scrubAudit(e) }},
		{"certificates", func() error { return q.eraseCertificates(e) }},
		// After the certificates: on PostgreSQL their update waits for a
		// render being cached (CacheCertificatePDF), whose row this then sees.
		{"certificate pdfs", func() error {
			return q.g.Where("serial IN (?)", q.g.Model(&Certificate{}).Select("serial").Where("user_id = ?", e.UserID)).
				Delete(&CertificatePDF{}).Error
		}},
		{"certificate credentials", func() error {
			return q.g.Where("serial IN (?)", q.g.Model(&Certificate{}).Select("serial").Where("user_id = ?", e.UserID)).
				Delete(&CertificateCredential{}).Error
		}},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			return fmt.Errorf("erase user %d: %s: %w", e.UserID, s.what, err)
		}
	}
	if e.Audit != nil {
		return q.Audit(e.Audit)
	}
	return nil
}

// containsAny restricts g to rows where one of cols contains a needle. LIKE's
// case rules differ between SQLite and PostgreSQL, and Scrub decides anyway:
// this only keeps the scan off rows that cannot mention the user.
func containsAny(g *gorm.DB, cols []string, needles []string) *gorm.DB {
	var conds []string
	var args []any
	for _, n := range needles {
		if n == "" {
			continue
		}
		pattern := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(n) + "%"
		for _, c := range cols {
			conds = append(conds, "LOWER("+c+`) LIKE LOWER(?) ESCAPE '\'`)
			args = append(args, pattern)
		}
	}
	if len(conds) == 0 {
		return g.Where("1 = 0")
	}
	return g.Where(strings.Join(conds, " OR "), args...)
}

// scrubOutbox takes the user out of e-mails to other people (a coordinator
// told about their officers); those e-mails stay, as the record of what was sent.
func (q Q) scrubOutbox(e Erasure) error {
	var msgs []OutboxMessage
	if err := containsAny(q.g, []string{"subject", "text_body", "html_body", "to_name"}, e.Needles).Find(&msgs).Error; err != nil {
		return err
	}
	for _, m := range msgs {
		err := q.g.Model(&OutboxMessage{}).Where("id = ?", m.ID).Updates(map[string]any{
			"subject": e.ScrubOthers(m.Subject), "text_body": e.ScrubOthers(m.TextBody), "html_body": e.ScrubOthers(m.HTMLBody), "to_name": e.ScrubOthers(m.ToName),
		}).Error
		if err != nil {
			return err
		}
	}
	return nil
}

// scrubAnswers keeps the user's answers, which item analysis and regrades
// score again from their text (correctness is not stored), but takes their
// personal strings out of what they typed.
func (q Q) scrubAnswers(e Erasure) error {
	mine := q.g.Model(&Attempt{}).Select("id").Where("user_id = ?", e.UserID)
	type answerText struct {
		AttemptID  int64
		QuestionID string
		Answer     []byte
	}
	for _, table := range []string{"attempt_answers", "late_answers"} {
		var rows []answerText
		if err := q.g.Table(table).Select("attempt_id, question_id, answer").Where("attempt_id IN (?)", mine).Scan(&rows).Error; err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
		for _, a := range rows {
			if s := e.Scrub(string(a.Answer)); s != string(a.Answer) {
				if err := q.g.Table(table).Where("attempt_id = ? AND question_id = ?", a.AttemptID, a.QuestionID).
					Update("answer", []byte(s)).Error; err != nil {
					return fmt.Errorf("%s: %w", table, err)
				}
			}
		}
	}
	return nil
}

// scrubAudit keeps every event (action, time, ids: the trail stays whole) and
// takes the user's personal strings out of the values it recorded: all of
// them from events about the user, only the identifying ones from events
// about others.
func (q Q) scrubAudit(e Erasure) error {
	var events []AuditEvent
	g := q.g.Where("user_id = ?", e.UserID).Or(containsAny(q.g.Session(&gorm.Session{NewDB: true}), []string{"before", "after"}, e.Needles))
	if err := g.Find(&events).Error; err != nil {
		return err
	}
	for _, ev := range events {
		scrub := e.ScrubOthers
		if ev.UserID != nil && *ev.UserID == e.UserID {
			scrub = e.Scrub
		}
		before, after := scrub(ev.Before), scrub(ev.After)
		if before == ev.Before && after == ev.After {
			continue
		}
		if err := q.g.Model(&AuditEvent{}).Where("id = ?", ev.ID).Updates(map[string]any{"before": before, "after": after}).Error; err != nil {
			return err
		}
	}
	return nil
}

// eraseCertificates applies the programme's rule to the user's certificates.
// Kept, a certificate keeps its printed name and signed payload (verification
// unchanged) and loses the Latin name, which is not printed. Erased, the name
// becomes the marker and the payload and signature go: a signature is useless
// without what it signed, and a holder's copy carries its own.
func (q Q) eraseCertificates(e Erasure) error {
	g := q.g.Model(&Certificate{}).Where("user_id = ?", e.UserID)
	// The digest of the e-mail address goes either way: the address is erased.
	if e.KeepPrintedName {
		return g.Updates(map[string]any{"latin_name": "", "holder_identity_salt": "", "holder_identity_hash": ""}).Error
	}
	return g.Updates(map[string]any{"holder_name": e.HolderMarker, "latin_name": "", "payload": []byte{}, "signature": "", "erased_at": e.At,
		"holder_identity_salt": "", "holder_identity_hash": ""}).Error
}

// ForgetFreedSpace makes SQLite give up the bytes of erased rows: with
// secure_delete on, freed pages are zeroed, but the old pages still sit in the
// write-ahead log until a checkpoint copies the log into the database and
// truncates it. PostgreSQL frees dead rows at VACUUM (README).
func (db *DB) ForgetFreedSpace(ctx context.Context) error {
	if db.Dialect != "sqlite" {
		return nil
	}
	if err := db.write(ctx, func(g *gorm.DB) error { return g.Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error }); err != nil {
		return fmt.Errorf("checkpoint the write-ahead log: %w", err)
	}
	return nil
}
