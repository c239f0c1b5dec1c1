package schedule

import (
	"bytes"
	"fmt"
	"time"

	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/ical"
	"github.com/lectern-platform/lectern/internal/mail"
	"github.com/lectern-platform/lectern/internal/store"
)

// The e-mails of the training day. Each is written to the outbox inside the
// transaction of the change it reports; with no Mailer (s.Mail nil) they are
// skipped.

// mailSession is what e-mails tell about a session.
func (s *Service) mailSession(ts *store.TrainingSession) mail.Session {
	ms := mail.Session{ID: ts.ID, Course: ts.CourseID, Date: ts.Date, Start: ts.StartTime, End: ts.EndTime,
		Timezone: ts.Timezone, Venue: ts.Venue, City: ts.City, Country: ts.Country}
	if loc, err := time.LoadLocation(ts.Timezone); err == nil {
		ms.UTCOffset = ts.StartsAt.In(loc).Format("-07:00")
	}
	if c, ok := s.courses.Course(ts.CourseID); ok {
		ms.Course, ms.Language, ms.Titles = c.Title, c.Language, s.courseTitles(c.ID)
	}
	return ms
}

// mailEnrolled confirms seats to the officers given.
func (s *Service) mailEnrolled(q store.Q, ts *store.TrainingSession, users ...*store.User) error {
	if s.Mail == nil {
		return nil
	}
	ms := s.mailSession(ts)
	for _, u := range users {
		if err := s.Mail.EnrolmentConfirmed(q, u, ms); err != nil {
			return err
		}
	}
	return nil
}

// mailPromoted tells an officer they moved from the waitlist to a seat.
func (s *Service) mailPromoted(q store.Q, ts *store.TrainingSession, userID int64) error {
	if s.Mail == nil {
		return nil
	}
	users, err := q.UsersByIDs([]int64{userID})
	if err != nil || len(users) == 0 {
		return err
	}
	return s.Mail.WaitlistPromoted(q, &users[0], s.mailSession(ts))
}

// mailAttendees sends a changed or cancelled session, with its .ics, to everyone
// enrolled or waitlisted.
func (s *Service) mailAttendees(q store.Q, ts *store.TrainingSession, v *Session, cancelled bool) error {
	if s.Mail == nil {
		return nil
	}
	cat, err := s.catalog()
	if err != nil {
		return err
	}
	// The .ics goes out in each recipient's language, made once per language.
	files := map[string][]byte{}
	ics := func(lang string) ([]byte, error) {
		if f, ok := files[lang]; ok {
			return f, nil
		}
		f, err := s.calendarFile(v, s.Mail.BaseURL, cat.For(lang))
		files[lang] = f
		return f, err
	}
	list, err := q.Enrollments(ts.ID, nil)
	if err != nil {
		return err
	}
	ms := s.mailSession(ts)
	for i := range list {
		u := list[i].User
		if u == nil {
			continue
		}
		if cancelled {
			err = s.Mail.SessionCancelled(q, u, ms, ics)
		} else {
			err = s.Mail.SessionChanged(q, u, ms, ics)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// attendeesCare reports whether a change is one the officers must hear of: the
// day, the hours or the place (not the capacity or the trainers).
func attendeesCare(before, after *Session) bool {
	return before.Date != after.Date || before.Start != after.Start || before.End != after.End ||
		before.Timezone != after.Timezone || before.Venue != after.Venue || before.City != after.City ||
		before.Country != after.Country
}

// calendarFile is one session as an .ics file in l's language.
func (s *Service) calendarFile(v *Session, baseURL string, l *i18n.Localizer) ([]byte, error) {
	ev := s.event(v, baseURL, l)
	var buf bytes.Buffer
	if err := ical.Write(&buf, ev.Summary, []ical.Event{ev}); err != nil {
		return nil, fmt.Errorf("session %d calendar: %w", v.ID, err)
	}
	return buf.Bytes(), nil
}
