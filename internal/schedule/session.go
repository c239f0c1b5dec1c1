package schedule

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/store"
)

// SessionInput creates a session; on PATCH, nil fields are left as they are.
type SessionInput struct {
	Course     *string  `json:"course"`
	Date       *string  `json:"date"`
	Start      *string  `json:"start"`
	End        *string  `json:"end"`
	Timezone   *string  `json:"timezone"`
	Venue      *string  `json:"venue"`
	City       *string  `json:"city"`
	Country    *string  `json:"country"`
	Capacity   *int     `json:"capacity"`
	TrainerIDs *[]int64 `json:"trainer_ids"`
	AgencyIDs  *[]int64 `json:"agency_ids"` // open to these agencies; empty: all
}

// Caps on a session's lists, far above any real programme's: every id is
// checked inside the write transaction, so an unbounded list would hold the
// single writer (or overflow SQLite's bound variables).
const (
	MaxSessionTrainers = 50
	MaxSessionAgencies = 200
)

// Session is a session as callers see it.
type Session struct {
	ID          int64     `json:"id"`
	Course      string    `json:"course"`
	CourseTitle string    `json:"course_title"`
	Date        string    `json:"date"`
	Start       string    `json:"start"`
	End         string    `json:"end"`
	Timezone    string    `json:"timezone"`
	UTCOffset   string    `json:"utc_offset"`
	StartsAt    time.Time `json:"starts_at"`
	EndsAt      time.Time `json:"ends_at"`
	Venue       string    `json:"venue"`
	City        string    `json:"city"`
	Country     string    `json:"country"`
	Capacity    int       `json:"capacity"`
	Enrolled    int64     `json:"enrolled"`
	Waitlisted  int64     `json:"waitlisted"`
	Status      string    `json:"status"`
	TrainerIDs  []int64   `json:"trainer_ids"`
	AgencyIDs   []int64   `json:"agency_ids"`
	Sequence    int       `json:"sequence"`

	Location *time.Location `json:"-"`
}

// Ended reports a session that takes no more changes (store.SessionStatus.Ended).
func (v *Session) Ended() bool { return store.SessionStatus(v.Status).Ended() }

func (s *Service) view(q store.Q, ts *store.TrainingSession) (*Session, error) {
	loc, err := time.LoadLocation(ts.Timezone)
	if err != nil {
		return nil, fmt.Errorf("session %d time zone: %w", ts.ID, err)
	}
	v := &Session{ID: ts.ID, Course: ts.CourseID, Date: ts.Date, Start: ts.StartTime, End: ts.EndTime,
		Timezone: ts.Timezone, StartsAt: ts.StartsAt.UTC(), EndsAt: ts.EndsAt.UTC(), Venue: ts.Venue, City: ts.City,
		Country: ts.Country, Capacity: ts.Capacity, Status: string(ts.Status), Sequence: ts.Sequence, Location: loc,
		TrainerIDs: ts.TrainerIDs(), AgencyIDs: ts.AgencyIDs()}
	v.UTCOffset = ts.StartsAt.In(loc).Format("-07:00")
	if c, ok := s.courses.Course(ts.CourseID); ok {
		v.CourseTitle = c.Title
	}
	if v.Status == StatusScheduled {
		if now := s.Now(); !now.Before(ts.StartsAt) && now.Before(ts.EndsAt) {
			v.Status = StatusInProgress
		}
	}
	if v.Enrolled, err = q.CountEnrollments(ts.ID, store.Enrolled); err != nil {
		return nil, err
	}
	if v.Waitlisted, err = q.CountEnrollments(ts.ID, store.Waitlisted); err != nil {
		return nil, err
	}
	return v, nil
}

// CreateSession schedules a day (admins and trainers). A trainer who names no
// trainers runs the session themself.
func (s *Service) CreateSession(ctx context.Context, a *auth.Actor, in SessionInput) (*Session, error) {
	if err := auth.Authorize(a, auth.ActSessionCreate); err != nil {
		return nil, err
	}
	if in.TrainerIDs == nil && a.Role == auth.RoleTrainer {
		in.TrainerIDs = &[]int64{a.UserID}
	}
	ts := &store.TrainingSession{Status: store.SessionScheduled, CreatedBy: a.UserID}
	if err := s.apply(s.db.Read(ctx), ts, in, true); err != nil {
		return nil, err
	}
	ts.CheckinSecret = make([]byte, 32)
	if _, err := rand.Read(ts.CheckinSecret); err != nil {
		return nil, fmt.Errorf("check-in secret: %w", err)
	}
	var out *Session
	err := s.db.Tx(ctx, func(q store.Q) error {
		if err := q.CreateSession(ts); err != nil {
			return err
		}
		var err error
		if out, err = s.view(q, ts); err != nil {
			return err
		}
		return s.audit(q, a, "session.create", &ts.ID, nil, nil, out)
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("session scheduled", "session_id", ts.ID, "course", ts.CourseID, "date", ts.Date, "by", a.UserID)
	return out, nil
}

// apply validates input onto a session; create requires every field. It reads
// the named trainers and agencies through q, the caller's transaction when
// there is one: a second connection taken while holding one can wait forever
// for a PostgreSQL pool that transactions like this one have emptied.
func (s *Service) apply(q store.Q, ts *store.TrainingSession, in SessionInput, create bool) error {
	var f apperr.Fields
	req := func(field string, v *string) {
		if create && (v == nil || strings.TrimSpace(*v) == "") {
			f.Add(field, "err.field.required")
		}
	}
	req("course", in.Course)
	req("date", in.Date)
	req("start", in.Start)
	req("end", in.End)
	req("timezone", in.Timezone)
	req("venue", in.Venue)
	req("city", in.City)
	req("country", in.Country)
	if in.Course != nil {
		if !create && *in.Course != ts.CourseID {
			f.Add("course", "err.session.course_fixed")
		} else if _, ok := s.courses.Course(*in.Course); !ok && *in.Course != "" {
			f.Add("course", "err.course.unknown", "Course", *in.Course)
		} else {
			ts.CourseID = *in.Course
		}
	}
	dateChanged := false
	set := func(dst *string, v *string) {
		if v != nil {
			if *dst != strings.TrimSpace(*v) {
				dateChanged = true
			}
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&ts.Date, in.Date)
	set(&ts.StartTime, in.Start)
	set(&ts.EndTime, in.End)
	set(&ts.Timezone, in.Timezone)
	if in.Venue != nil {
		ts.Venue = auth.CleanName(&f, "venue", *in.Venue, true)
	}
	if in.City != nil {
		ts.City = auth.CleanName(&f, "city", *in.City, true)
	}
	if in.Country != nil {
		ts.Country = auth.CheckCountry(&f, "country", *in.Country)
	}
	if in.Capacity != nil {
		ts.Capacity = *in.Capacity
	}
	if create && in.Capacity == nil {
		f.Add("capacity", "err.field.required")
	} else if ts.Capacity < 1 || ts.Capacity > 10000 {
		f.Add("capacity", "err.session.capacity_range")
	}
	if ts.Date != "" && ts.StartTime != "" && ts.EndTime != "" && ts.Timezone != "" {
		s.checkTimes(&f, ts, create || dateChanged)
	}
	if in.TrainerIDs != nil {
		if ids, ok := uniqueIDs(&f, "trainer_ids", *in.TrainerIDs, MaxSessionTrainers); ok {
			if err := s.checkTrainers(q, &f, ts, ids); err != nil {
				return err
			}
		}
	}
	if in.AgencyIDs != nil {
		if ids, ok := uniqueIDs(&f, "agency_ids", *in.AgencyIDs, MaxSessionAgencies); ok {
			if err := s.checkAgencies(q, &f, ts, ids); err != nil {
				return err
			}
		}
	}
	return f.Err()
}

// checkTimes resolves date, start and end in the session's zone. "In the past" is
// judged by the calendar of the session's own time zone.
func (s *Service) checkTimes(f *apperr.Fields, ts *store.TrainingSession, checkPast bool) {
	loc, err := time.LoadLocation(ts.Timezone)
	if err != nil || ts.Timezone == "Local" || !strings.Contains(ts.Timezone, "/") && ts.Timezone != "UTC" {
		f.Add("timezone", "err.session.timezone_unknown", "Zone", ts.Timezone)
		return
	}
	day, err := time.ParseInLocation("2006-01-02", ts.Date, loc)
	if err != nil {
		f.Add("date", "err.field.date")
		return
	}
	start, err1 := time.Parse("15:04", ts.StartTime)
	end, err2 := time.Parse("15:04", ts.EndTime)
	if err1 != nil {
		f.Add("start", "err.field.time")
	}
	if err2 != nil {
		f.Add("end", "err.field.time")
	}
	if err1 != nil || err2 != nil {
		return
	}
	if !end.After(start) {
		f.Add("end", "err.session.end_before_start")
		return
	}
	ts.StartsAt = time.Date(day.Year(), day.Month(), day.Day(), start.Hour(), start.Minute(), 0, 0, loc).UTC()
	ts.EndsAt = time.Date(day.Year(), day.Month(), day.Day(), end.Hour(), end.Minute(), 0, 0, loc).UTC()
	if checkPast && ts.Date < s.Now().In(loc).Format("2006-01-02") {
		f.Add("date", "err.session.date_past", "Zone", ts.Timezone)
	}
}

// uniqueIDs is ids with repeats dropped (first order kept), or false with the
// field's error when more than limit different ids remain.
func uniqueIDs(f *apperr.Fields, field string, ids []int64, limit int) ([]int64, bool) {
	seen := make(map[int64]bool, min(len(ids), limit))
	out := make([]int64, 0, min(len(ids), limit))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		if len(out) == limit {
			f.Add(field, "err.field.ids_limit", "Limit", limit)
			return nil, false
		}
		seen[id] = true
		out = append(out, id)
	}
	return out, true
}

// checkTrainers sets the session's trainers; ids holds no repeats.
func (s *Service) checkTrainers(q store.Q, f *apperr.Fields, ts *store.TrainingSession, ids []int64) error {
	users, err := q.UsersByIDs(ids)
	if err != nil {
		return err
	}
	byID := map[int64]store.User{}
	for _, u := range users {
		byID[u.ID] = u
	}
	ts.Trainers = nil
	for _, id := range ids {
		u, ok := byID[id]
		if !ok || (u.Role != string(auth.RoleTrainer) && u.Role != string(auth.RoleAdmin)) {
			f.Add("trainer_ids", "err.session.not_trainer", "ID", id)
			continue
		}
		ts.Trainers = append(ts.Trainers, store.SessionTrainer{UserID: id})
	}
	return nil
}

// checkAgencies sets the agencies the session is open to; ids holds no repeats.
func (s *Service) checkAgencies(q store.Q, f *apperr.Fields, ts *store.TrainingSession, ids []int64) error {
	ts.Agencies = nil
	for _, id := range ids {
		if _, err := q.Agency(id); errors.Is(err, store.ErrNotFound) {
			f.Add("agency_ids", "err.agency.unknown_id", "ID", id)
			continue
		} else if err != nil {
			return err
		}
		ts.Agencies = append(ts.Agencies, store.SessionAgency{AgencyID: id})
	}
	return nil
}

// Session returns one session.
func (s *Service) Session(ctx context.Context, a *auth.Actor, id int64) (*Session, error) {
	q := s.db.Read(ctx)
	ts, err := Visible(q, a, id, false)
	if err != nil {
		return nil, err
	}
	return s.view(q, ts)
}

// ManagedSession returns one session the actor runs (the trainers' own pages).
func (s *Service) ManagedSession(ctx context.Context, a *auth.Actor, id int64) (*Session, error) {
	q := s.db.Read(ctx)
	ts, err := Managed(q, a, id, false)
	if err != nil {
		return nil, err
	}
	return s.view(q, ts)
}

// SessionQuery filters a listing.
type SessionQuery struct {
	Course   string
	From, To string
	Status   string
	Mine     bool // only sessions I train or am enrolled in
}

// Sessions lists the sessions the actor may see.
func (s *Service) Sessions(ctx context.Context, a *auth.Actor, sq SessionQuery) ([]*Session, error) {
	if err := auth.Authorize(a, auth.ActSessionRead); err != nil {
		return nil, err
	}
	var f apperr.Fields
	for field, d := range map[string]string{"from": sq.From, "to": sq.To} {
		if _, err := time.Parse("2006-01-02", d); d != "" && err != nil {
			f.Add(field, "err.field.date")
		}
	}
	status := store.SessionStatus(sq.Status)
	if status != "" && status != store.SessionScheduled && status != store.SessionClosed && status != store.SessionCancelled && status != store.SessionInProgress {
		f.Add("status", "err.session.status_filter")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	filter := store.SessionFilter{CourseID: sq.Course, From: sq.From, To: sq.To, Status: status}
	if status == store.SessionInProgress {
		filter.Status = store.SessionScheduled
	}
	if a.Role == auth.RoleCoordinator || a.Role == auth.RoleOfficer {
		filter.VisibleToAgency = a.AgencyScope()
		filter.EnrolledUser = &a.UserID
	}
	if sq.Mine && a.Role == auth.RoleTrainer {
		filter.TrainerID = &a.UserID
	}
	q := s.db.Read(ctx)
	list, err := q.Sessions(filter)
	if err != nil {
		return nil, err
	}
	out := make([]*Session, 0, len(list))
	for i := range list {
		v, err := s.view(q, &list[i])
		if err != nil {
			return nil, err
		}
		if status == store.SessionInProgress && v.Status != StatusInProgress || status == store.SessionScheduled && v.Status != StatusScheduled {
			continue
		}
		out = append(out, v)
	}
	return out, nil
}

// UpdateSession changes a scheduled session (its trainers and admins). Raising the
// capacity promotes the waitlist in the same transaction; lowering it below the
// number enrolled is refused.
func (s *Service) UpdateSession(ctx context.Context, a *auth.Actor, id int64, in SessionInput) (*Session, error) {
	var out *Session
	err := s.db.Tx(ctx, func(q store.Q) error {
		ts, err := Managed(q, a, id, true)
		if err != nil {
			return err
		}
		switch ts.Status {
		case store.SessionClosed:
			return apperr.Conflict("err.session.closed_unchangeable")
		case store.SessionCancelled:
			return apperr.Conflict("err.session.cancelled_unchangeable")
		}
		before, err := s.view(q, ts)
		if err != nil {
			return err
		}
		if err := s.apply(q, ts, in, false); err != nil {
			return err
		}
		enrolled, err := q.CountEnrollments(id, store.Enrolled)
		if err != nil {
			return err
		}
		if int64(ts.Capacity) < enrolled {
			return apperr.Invalid("capacity", "err.session.capacity_below_enrolled", "Count", enrolled)
		}
		ts.Sequence++
		if err := q.UpdateSession(ts); err != nil {
			return err
		}
		for n := enrolled; n < int64(ts.Capacity); n++ {
			promoted, err := s.promoteFirst(q, a, ts)
			if err != nil {
				return err
			}
			if !promoted {
				break
			}
		}
		if out, err = s.view(q, ts); err != nil {
			return err
		}
		if attendeesCare(before, out) {
			if err := s.mailAttendees(q, ts, out, false); err != nil {
				return err
			}
		}
		return s.audit(q, a, "session.update", &ts.ID, nil, before, out)
	})
	return out, err
}

// CancelSession cancels a scheduled session; enrolled officers see it cancelled.
func (s *Service) CancelSession(ctx context.Context, a *auth.Actor, id int64) (*Session, error) {
	var out *Session
	err := s.db.Tx(ctx, func(q store.Q) error {
		ts, err := Managed(q, a, id, true)
		if err != nil {
			return err
		}
		switch ts.Status {
		case store.SessionCancelled:
			out, err = s.view(q, ts)
			return err
		case store.SessionClosed:
			return apperr.Conflict("err.session.closed_not_cancellable")
		}
		ts.Status = store.SessionCancelled
		ts.Sequence++
		if err := q.UpdateSession(ts); err != nil {
			return err
		}
		if out, err = s.view(q, ts); err != nil {
			return err
		}
		if err := s.mailAttendees(q, ts, out, true); err != nil {
			return err
		}
		return s.audit(q, a, "session.cancel", &ts.ID, nil, map[string]any{"status": StatusScheduled}, map[string]any{"status": StatusCancelled})
	})
	return out, err
}

// ErrEnded refuses a change to a session that has ended (store's Ended: closed
// or cancelled), saying which.
func ErrEnded(status store.SessionStatus) *apperr.Error {
	if status == store.SessionCancelled {
		return apperr.Conflict("err.session.cancelled")
	}
	return apperr.Conflict("err.session.closed")
}
