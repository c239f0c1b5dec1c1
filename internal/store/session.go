package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// TrainingSession is one day of one course at one venue.
type TrainingSession struct {
	ID            int64
	CourseID      string
	Date          string // YYYY-MM-DD in the session's time zone
	StartTime     string // HH:MM
	EndTime       string
	Timezone      string // IANA name
	StartsAt      time.Time
	EndsAt        time.Time
	Venue         string
	City          string
	Country       string
	Capacity      int
	Status        string
	CheckinSecret []byte
	Sequence      int
	CreatedBy     int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Trainers      []SessionTrainer `gorm:"foreignKey:SessionID"`
	Agencies      []SessionAgency  `gorm:"foreignKey:SessionID"`
}

type SessionTrainer struct {
	SessionID int64 `gorm:"primaryKey"`
	UserID    int64 `gorm:"primaryKey"`
}

// SessionAgency lists the agencies a session is open to; none means every agency.
type SessionAgency struct {
	SessionID int64 `gorm:"primaryKey"`
	AgencyID  int64 `gorm:"primaryKey"`
}

type Enrollment struct {
	ID               int64
	SessionID        int64
	UserID           int64
	Status           string // enrolled | waitlisted
	ExtraTimePercent int
	CreatedAt        time.Time
	UpdatedAt        time.Time
	User             *User
}

type Attendance struct {
	SessionID int64 `gorm:"primaryKey"`
	UserID    int64 `gorm:"primaryKey"`
	Status    string
	Source    string // trainer | checkin
	MarkedBy  int64
	MarkedAt  time.Time
}

// AuditEvent records one change: who, when, what, before and after (JSON).
type AuditEvent struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	ActorID   *int64    `json:"actor_id"`
	Action    string    `json:"action"`
	SessionID *int64    `json:"session_id,omitempty"`
	UserID    *int64    `json:"user_id,omitempty"`
	Before    string    `json:"before,omitempty"`
	After     string    `json:"after,omitempty"`
}

type CheckinFailure struct {
	ID        int64
	SessionID int64
	UserID    int64
	At        time.Time
}

// Q runs queries on one handle: a pool, or a transaction in progress.
type Q struct {
	g        *gorm.DB
	postgres bool
}

// Read returns queries on the read pool.
func (db *DB) Read(ctx context.Context) Q {
	return Q{g: db.R.WithContext(ctx), postgres: db.Dialect == "postgres"}
}

// Tx runs fn in one write transaction. With SQLite it begins IMMEDIATE (one writer
// at a time), so a read-then-write such as a capacity check cannot race.
func (db *DB) Tx(ctx context.Context, fn func(Q) error) error {
	return db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(Q{g: tx, postgres: db.Dialect == "postgres"})
	})
}

// CreateSession inserts a session with its trainers and agencies.
func (q Q) CreateSession(s *TrainingSession) error {
	if err := q.g.Create(s).Error; err != nil {
		return fmt.Errorf("create session: %w", translate(err))
	}
	return nil
}

// Session loads one session with its trainers and agencies. lock takes a row lock
// on PostgreSQL (SQLite's transactions are already exclusive).
func (q Q) Session(id int64, lock bool) (*TrainingSession, error) {
	var s TrainingSession
	g := q.g.Preload("Trainers").Preload("Agencies")
	if lock && q.postgres {
		g = g.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := g.Take(&s, id).Error; err != nil {
		return nil, fmt.Errorf("load session %d: %w", id, translate(err))
	}
	return &s, nil
}

// SessionStatusForShare reads a session's status, share-locking its row on
// PostgreSQL: writes that must not cross a close (starting an attempt) wait for
// the close's update lock, and the close waits for them, while they do not
// wait for each other.
func (q Q) SessionStatusForShare(id int64) (string, error) {
	var row struct{ Status string }
	g := q.g.Model(&TrainingSession{}).Select("status").Where("id = ?", id)
	if q.postgres {
		g = g.Clauses(clause.Locking{Strength: "SHARE"})
	}
	if err := g.Take(&row).Error; err != nil {
		return "", fmt.Errorf("load session %d status: %w", id, translate(err))
	}
	return row.Status, nil
}

// SessionFilter restricts a session listing; zero fields do not filter.
type SessionFilter struct {
	CourseID        string
	From, To        string // dates, inclusive
	Status          string
	TrainerID       *int64
	VisibleToAgency *int64 // open to this agency (or to all)
	EnrolledUser    *int64 // OR: this user is enrolled (with VisibleToAgency)
}

// Sessions lists sessions by start.
func (q Q) Sessions(f SessionFilter) ([]TrainingSession, error) {
	g := q.g.Model(&TrainingSession{}).Preload("Trainers").Preload("Agencies").Order("starts_at, id")
	if f.CourseID != "" {
		g = g.Where("course_id = ?", f.CourseID)
	}
	if f.From != "" {
		g = g.Where("date >= ?", f.From)
	}
	if f.To != "" {
		g = g.Where("date <= ?", f.To)
	}
	if f.Status != "" {
		g = g.Where("status = ?", f.Status)
	}
	if f.TrainerID != nil {
		g = g.Where("id IN (SELECT session_id FROM session_trainers WHERE user_id = ?)", *f.TrainerID)
	}
	if f.VisibleToAgency != nil {
		open := "(NOT EXISTS (SELECT 1 FROM session_agencies sa WHERE sa.session_id = training_sessions.id) OR id IN (SELECT session_id FROM session_agencies WHERE agency_id = ?))"
		if f.EnrolledUser != nil {
			g = g.Where("("+open+" OR id IN (SELECT session_id FROM enrollments WHERE user_id = ?))", *f.VisibleToAgency, *f.EnrolledUser)
		} else {
			g = g.Where(open, *f.VisibleToAgency)
		}
	}
	var out []TrainingSession
	if err := g.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return out, nil
}

// UpdateSession saves a session's own fields and replaces its trainers and agencies.
func (q Q) UpdateSession(s *TrainingSession) error {
	if err := q.g.Omit("Trainers", "Agencies").Save(s).Error; err != nil {
		return fmt.Errorf("update session %d: %w", s.ID, translate(err))
	}
	if err := q.g.Where("session_id = ?", s.ID).Delete(&SessionTrainer{}).Error; err != nil {
		return fmt.Errorf("update session trainers: %w", err)
	}
	if err := q.g.Where("session_id = ?", s.ID).Delete(&SessionAgency{}).Error; err != nil {
		return fmt.Errorf("update session agencies: %w", err)
	}
	for i := range s.Trainers {
		s.Trainers[i].SessionID = s.ID
	}
	for i := range s.Agencies {
		s.Agencies[i].SessionID = s.ID
	}
	if len(s.Trainers) > 0 {
		if err := q.g.Create(&s.Trainers).Error; err != nil {
			return fmt.Errorf("update session trainers: %w", err)
		}
	}
	if len(s.Agencies) > 0 {
		if err := q.g.Create(&s.Agencies).Error; err != nil {
			return fmt.Errorf("update session agencies: %w", err)
		}
	}
	return nil
}

// Enrollment returns a user's enrolment in a session.
func (q Q) Enrollment(sessionID, userID int64) (*Enrollment, error) {
	var e Enrollment
	if err := q.g.Preload("User").Where("session_id = ? AND user_id = ?", sessionID, userID).Take(&e).Error; err != nil {
		return nil, fmt.Errorf("load enrollment: %w", translate(err))
	}
	return &e, nil
}

// EnrollmentForUpdate loads an enrolment inside a write transaction, locking
// its row on PostgreSQL (SQLite's transactions are already exclusive): what
// one officer's attempts at a quiz become — a start, a paper sheet entered —
// is decided by one transaction at a time, so two cannot both find none and
// each create attempt 1.
func (q Q) EnrollmentForUpdate(sessionID, userID int64) (*Enrollment, error) {
	var e Enrollment
	g := q.g.Preload("User")
	if q.postgres {
		g = g.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := g.Where("session_id = ? AND user_id = ?", sessionID, userID).Take(&e).Error; err != nil {
		return nil, fmt.Errorf("load enrollment: %w", translate(err))
	}
	return &e, nil
}

// Enrollments lists a session's enrolments, enrolled first then the waitlist in
// order; agencyID optionally restricts to one agency's users.
func (q Q) Enrollments(sessionID int64, agencyID *int64) ([]Enrollment, error) {
	g := q.g.Preload("User").Where("session_id = ?", sessionID)
	if agencyID != nil {
		g = g.Where("user_id IN (SELECT id FROM users WHERE agency_id = ?)", *agencyID)
	}
	var out []Enrollment
	if err := g.Order("CASE status WHEN 'enrolled' THEN 0 ELSE 1 END, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list enrollments: %w", err)
	}
	return out, nil
}

// CountEnrollments counts a session's enrolments with a status.
func (q Q) CountEnrollments(sessionID int64, status string) (int64, error) {
	var n int64
	if err := q.g.Model(&Enrollment{}).Where("session_id = ? AND status = ?", sessionID, status).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count enrollments: %w", err)
	}
	return n, nil
}

// WaitlistPosition is the 1-based place of an enrolment on its session's waitlist.
func (q Q) WaitlistPosition(e *Enrollment) (int, error) {
	var n int64
	err := q.g.Model(&Enrollment{}).Where("session_id = ? AND status = 'waitlisted' AND id <= ?", e.SessionID, e.ID).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("waitlist position: %w", err)
	}
	return int(n), nil
}

// FirstWaitlisted returns the enrolment at the head of the waitlist.
func (q Q) FirstWaitlisted(sessionID int64) (*Enrollment, error) {
	var e Enrollment
	if err := q.g.Where("session_id = ? AND status = 'waitlisted'", sessionID).Order("id").Take(&e).Error; err != nil {
		return nil, fmt.Errorf("first waitlisted: %w", translate(err))
	}
	return &e, nil
}

func (q Q) CreateEnrollment(e *Enrollment) error {
	if err := q.g.Omit("User").Create(e).Error; err != nil {
		return fmt.Errorf("create enrollment: %w", translate(err))
	}
	return nil
}

func (q Q) SaveEnrollment(e *Enrollment) error {
	if err := q.g.Omit("User").Save(e).Error; err != nil {
		return fmt.Errorf("save enrollment: %w", translate(err))
	}
	return nil
}

func (q Q) DeleteEnrollment(e *Enrollment) error {
	if err := q.g.Delete(&Enrollment{}, e.ID).Error; err != nil {
		return fmt.Errorf("delete enrollment: %w", err)
	}
	return nil
}

// Attendance returns one officer's attendance, or ErrNotFound if unmarked.
func (q Q) Attendance(sessionID, userID int64) (*Attendance, error) {
	var a Attendance
	if err := q.g.Where("session_id = ? AND user_id = ?", sessionID, userID).Take(&a).Error; err != nil {
		return nil, fmt.Errorf("load attendance: %w", translate(err))
	}
	return &a, nil
}

// Attendances lists a session's marks, optionally for one agency's users.
func (q Q) Attendances(sessionID int64, agencyID *int64) ([]Attendance, error) {
	g := q.g.Where("session_id = ?", sessionID)
	if agencyID != nil {
		g = g.Where("user_id IN (SELECT id FROM users WHERE agency_id = ?)", *agencyID)
	}
	var out []Attendance
	if err := g.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list attendance: %w", err)
	}
	return out, nil
}

func (q Q) SaveAttendance(a *Attendance) error {
	if err := q.g.Save(a).Error; err != nil {
		return fmt.Errorf("save attendance: %w", translate(err))
	}
	return nil
}

// Audit appends an event to the audit log.
func (q Q) Audit(ev *AuditEvent) error {
	if err := q.g.Create(ev).Error; err != nil {
		return fmt.Errorf("write audit event %s: %w", ev.Action, err)
	}
	return nil
}

// AuditEvents lists the newest events first, optionally for one session.
func (q Q) AuditEvents(sessionID *int64, limit int) ([]AuditEvent, error) {
	g := q.g.Order("id DESC").Limit(limit)
	if sessionID != nil {
		g = g.Where("session_id = ?", *sessionID)
	}
	var out []AuditEvent
	if err := g.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list audit events: %w", err)
	}
	return out, nil
}

// SessionAuditEvents lists a session's events of the given actions, oldest first.
func (q Q) SessionAuditEvents(sessionID int64, actions []string) ([]AuditEvent, error) {
	var out []AuditEvent
	if err := q.g.Where("session_id = ? AND action IN ?", sessionID, actions).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list audit events of session %d: %w", sessionID, err)
	}
	return out, nil
}

// RecordCheckinFailure remembers a wrong check-in code for rate limiting.
func (q Q) RecordCheckinFailure(sessionID, userID int64, at time.Time) error {
	if err := q.g.Create(&CheckinFailure{SessionID: sessionID, UserID: userID, At: at}).Error; err != nil {
		return fmt.Errorf("record check-in failure: %w", err)
	}
	return nil
}

// CheckinFailures counts an officer's wrong codes for a session since a time.
func (q Q) CheckinFailures(sessionID, userID int64, since time.Time) (int64, error) {
	var n int64
	err := q.g.Model(&CheckinFailure{}).Where("session_id = ? AND user_id = ? AND at >= ?", sessionID, userID, since).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count check-in failures: %w", err)
	}
	return n, nil
}

// UsersByIDs loads users by id.
func (q Q) UsersByIDs(ids []int64) ([]User, error) {
	var out []User
	if len(ids) == 0 {
		return out, nil
	}
	if err := q.g.Where("id IN ?", ids).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("load users: %w", err)
	}
	return out, nil
}

// UsersByEmails loads the users with these normalised addresses.
func (q Q) UsersByEmails(emails []string) ([]User, error) {
	var out []User
	for start := 0; start < len(emails); start += 500 { // stay under SQLite's variable limit
		end := min(start+500, len(emails))
		var part []User
		if err := q.g.Where("email IN ?", emails[start:end]).Find(&part).Error; err != nil {
			return nil, fmt.Errorf("load users by e-mail: %w", err)
		}
		out = append(out, part...)
	}
	return out, nil
}

// CreateUsers inserts many users at once (a roster import).
func (q Q) CreateUsers(users []User) error {
	if len(users) == 0 {
		return nil
	}
	if err := q.g.CreateInBatches(&users, 200).Error; err != nil {
		return fmt.Errorf("create users: %w", translate(err))
	}
	return nil
}

// SetCalendarToken stores a user's calendar feed token.
func (q Q) SetCalendarToken(userID int64, token string) error {
	if err := q.g.Model(&User{}).Where("id = ?", userID).Update("calendar_token", token).Error; err != nil {
		return fmt.Errorf("set calendar token: %w", err)
	}
	return nil
}

// UserByCalendarToken finds the owner of a calendar feed.
func (q Q) UserByCalendarToken(token string) (*User, error) {
	var u User
	if err := q.g.Where("calendar_token = ?", token).Take(&u).Error; err != nil {
		return nil, fmt.Errorf("load user by calendar token: %w", translate(err))
	}
	return &u, nil
}

// EnrolledSessionIDs lists the sessions a user is enrolled or waitlisted in.
func (q Q) EnrolledSessionIDs(userID int64) ([]int64, error) {
	var ids []int64
	if err := q.g.Model(&Enrollment{}).Where("user_id = ?", userID).Pluck("session_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("list enrolled sessions: %w", err)
	}
	return ids, nil
}
