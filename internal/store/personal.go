package store

import (
	"fmt"
	"time"
)

// The queries below read everything stored about one person, for their data
// export (privacy.Exporter, GDPR Arts 15 and 20). Each returns rows in a
// stable order (id or time), so two exports of the same data are the same
// file; the long ones are paged by id (after, limit) so a large history is
// never held whole in memory.

// UserEnrollments lists a user's enrolments, oldest first.
func (q Q) UserEnrollments(userID int64) ([]Enrollment, error) {
	var out []Enrollment
	if err := q.g.Where("user_id = ?", userID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list enrollments of user %d: %w", userID, err)
	}
	return out, nil
}

// UserAttendances lists a user's attendance records, by session.
func (q Q) UserAttendances(userID int64) ([]Attendance, error) {
	var out []Attendance
	if err := q.g.Where("user_id = ?", userID).Order("session_id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list attendance of user %d: %w", userID, err)
	}
	return out, nil
}

// UserCheckinFailures lists a user's refused check-in codes.
func (q Q) UserCheckinFailures(userID int64) ([]CheckinFailure, error) {
	var out []CheckinFailure
	if err := q.g.Where("user_id = ?", userID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list check-in failures of user %d: %w", userID, err)
	}
	return out, nil
}

// UserAttemptIDs lists the ids of a user's quiz attempts, oldest first.
func (q Q) UserAttemptIDs(userID int64) ([]int64, error) {
	var out []int64
	if err := q.g.Model(&Attempt{}).Where("user_id = ?", userID).Order("id").Pluck("id", &out).Error; err != nil {
		return nil, fmt.Errorf("list attempts of user %d: %w", userID, err)
	}
	return out, nil
}

// UserAttemptExceptions lists the extra attempts granted to a user.
func (q Q) UserAttemptExceptions(userID int64) ([]AttemptException, error) {
	var out []AttemptException
	if err := q.g.Where("user_id = ?", userID).Order("session_id, quiz_id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list attempt exceptions of user %d: %w", userID, err)
	}
	return out, nil
}

// UserAuditEvents pages through the audit events about a user or by them
// (subject or actor), oldest first, after the event id after.
func (q Q) UserAuditEvents(userID, after int64, limit int) ([]AuditEvent, error) {
	var out []AuditEvent
	if err := q.g.Where("(user_id = ? OR actor_id = ?) AND id > ?", userID, userID, after).Order("id").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list audit events of user %d: %w", userID, err)
	}
	return out, nil
}

// UserLoginSessions lists a user's signed-in sessions (browsers and API
// tokens) still stored, oldest first.
func (q Q) UserLoginSessions(userID int64) ([]LoginSession, error) {
	var out []LoginSession
	if err := q.g.Where("user_id = ?", userID).Order("created_at, token_hash").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list login sessions of user %d: %w", userID, err)
	}
	return out, nil
}

// EmailLoginFailures pages through the failed sign-ins recorded for an
// e-mail address (stored lower-case), oldest first.
func (q Q) EmailLoginFailures(email string, after int64, limit int) ([]LoginFailure, error) {
	var out []LoginFailure
	if err := q.g.Where("email = ? AND id > ?", email, after).Order("id").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list login failures: %w", err)
	}
	return out, nil
}

// UserTokens lists a user's one-time tokens (invitations, reset links), oldest
// first; their hashes are read too, callers leave them out.
func (q Q) UserTokens(userID int64) ([]OneTimeToken, error) {
	var out []OneTimeToken
	if err := q.g.Where("user_id = ?", userID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list one-time tokens of user %d: %w", userID, err)
	}
	return out, nil
}

// UserRecoveryCodes lists a user's second-factor recovery codes.
func (q Q) UserRecoveryCodes(userID int64) ([]RecoveryCode, error) {
	var out []RecoveryCode
	if err := q.g.Where("user_id = ?", userID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list recovery codes of user %d: %w", userID, err)
	}
	return out, nil
}

// UserOutbox pages through the e-mails written to a user (by their id, or to
// their address when no user was recorded), oldest first, without
// attachments.
func (q Q) UserOutbox(userID int64, email string, after int64, limit int) ([]OutboxMessage, error) {
	var out []OutboxMessage
	if err := q.g.Where("(user_id = ? OR (user_id IS NULL AND to_address = ?)) AND id > ?", userID, email, after).
		Order("id").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list e-mails to user %d: %w", userID, err)
	}
	return out, nil
}

// UserCertificateReminders lists the expiry reminders sent to a user (about
// their certificates, or their officers' as a coordinator), oldest first.
func (q Q) UserCertificateReminders(userID int64) ([]CertificateReminder, error) {
	var out []CertificateReminder
	if err := q.g.Where("user_id = ?", userID).Order("sent_at, serial, kind").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list certificate reminders of user %d: %w", userID, err)
	}
	return out, nil
}

// UserTrainedSessions lists the ids of the sessions a user is a trainer of.
func (q Q) UserTrainedSessions(userID int64) ([]int64, error) {
	var out []int64
	if err := q.g.Model(&SessionTrainer{}).Where("user_id = ?", userID).Order("session_id").Pluck("session_id", &out).Error; err != nil {
		return nil, fmt.Errorf("list sessions trained by user %d: %w", userID, err)
	}
	return out, nil
}

// Act is something a user did that a row records in a "…_by" column of
// another record (a session created, an attendance marked): the kind of act,
// where and when, never the other person it was about.
type Act struct {
	Kind      string
	SessionID *int64
	QuizID    string
	At        *time.Time
}

// UserActs lists every act a "…_by" column records of a user, kind by kind,
// each by time. The kinds name the table and column: session_created
// (training_sessions.created_by), attendance_marked (attendances.marked_by,
// others' attendance), quiz_opened_or_closed (session_quizzes.changed_by),
// paper_entered (attempts.entered_by), late_answer_accepted
// (late_answers.accepted_by), invitation_created (one_time_tokens.created_by,
// for others).
func (q Q) UserActs(userID int64) ([]Act, error) {
	queries := []struct {
		kind string
		run  func(*[]Act) error
	}{
		{"session_created", func(out *[]Act) error {
			return q.g.Model(&TrainingSession{}).Select("id AS session_id, created_at AS at").Where("created_by = ?", userID).Order("created_at, id").Scan(out).Error
		}},
		{"attendance_marked", func(out *[]Act) error {
			return q.g.Model(&Attendance{}).Select("session_id, marked_at AS at").Where("marked_by = ? AND user_id <> ?", userID, userID).Order("marked_at, session_id").Scan(out).Error
		}},
		{"quiz_opened_or_closed", func(out *[]Act) error {
			return q.g.Model(&SessionQuiz{}).Select("session_id, quiz_id, changed_at AS at").Where("changed_by = ?", userID).Order("changed_at, session_id, quiz_id").Scan(out).Error
		}},
		{"paper_entered", func(out *[]Act) error {
			return q.g.Model(&Attempt{}).Select("session_id, quiz_id, started_at AS at").Where("entered_by = ?", userID).Order("started_at, id").Scan(out).Error
		}},
		{"late_answer_accepted", func(out *[]Act) error {
			return q.g.Table("late_answers").Select("attempts.session_id, attempts.quiz_id, late_answers.accepted_at AS at").
				Joins("JOIN attempts ON attempts.id = late_answers.attempt_id").Where("late_answers.accepted_by = ?", userID).
				Order("late_answers.accepted_at, late_answers.attempt_id, late_answers.question_id").Scan(out).Error
		}},
		{"invitation_created", func(out *[]Act) error {
			return q.g.Model(&OneTimeToken{}).Select("created_at AS at").Where("created_by = ? AND user_id <> ?", userID, userID).Order("created_at, id").Scan(out).Error
		}},
	}
	var all []Act
	for _, k := range queries {
		var rows []Act
		if err := k.run(&rows); err != nil {
			return nil, fmt.Errorf("list acts (%s) of user %d: %w", k.kind, userID, err)
		}
		for i := range rows {
			rows[i].Kind = k.kind
		}
		all = append(all, rows...)
	}
	return all, nil
}
