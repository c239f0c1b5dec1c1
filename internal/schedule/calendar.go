package schedule

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/ical"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/typeset"
)

// event is one session as a calendar entry in l's language: the course's
// title in it when the course is translated, the country by name.
func (s *Service) event(v *Session, baseURL string, l *i18n.Localizer) ical.Event {
	url := fmt.Sprintf("%s/sessions/%d", strings.TrimSuffix(baseURL, "/"), v.ID)
	title := s.courseTitle(v, l.Lang)
	return ical.Event{
		UID:         fmt.Sprintf("session-%d@lectern", v.ID),
		Sequence:    v.Sequence,
		Summary:     title,
		Description: l.T("documents.ics.description", "Course", title, "Place", typeset.Join(", ", v.Venue, v.City), "URL", url),
		Location:    typeset.Join(", ", v.Venue, l.Place(v.City, v.Country)),
		URL:         url,
		Start:       v.StartsAt,
		End:         v.EndsAt,
		TZ:          v.Location,
		Cancelled:   v.Status == StatusCancelled,
		Updated:     s.Now(),
	}
}

// courseTitle is the session's course title as a reader of lang reads it.
func (s *Service) courseTitle(v *Session, lang string) string {
	if s.courses != nil {
		if c, ok := s.courses.Course(v.Course); ok {
			if t := c.Text(lang); t.Language != c.Language {
				return t.Title
			}
		}
	}
	return v.CourseTitle
}

// courseTitles is the course's title in each of its translations, by tag.
func (s *Service) courseTitles(courseID string) map[string]string {
	if s.courses == nil {
		return nil
	}
	c, ok := s.courses.Course(courseID)
	if !ok {
		return nil
	}
	out := map[string]string{}
	for lang, t := range c.Texts {
		out[lang] = t.Title
	}
	return out
}

// catalog is the catalogues calendars are written with.
func (s *Service) catalog() (*i18n.Catalog, error) {
	if s.Catalog != nil {
		return s.Catalog, nil
	}
	return i18n.Default()
}

// SessionCalendar is one session as an .ics file, in l's language.
func (s *Service) SessionCalendar(ctx context.Context, a *auth.Actor, id int64, baseURL string, l *i18n.Localizer) ([]byte, error) {
	v, err := s.Session(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return s.calendarFile(v, baseURL, l)
}

// CalendarToken returns the secret of the actor's calendar feed, creating it on
// first use. The feed is read-only and shows only what the user could see signed in.
func (s *Service) CalendarToken(ctx context.Context, a *auth.Actor) (string, error) {
	if err := auth.Authorize(a, auth.ActSessionRead); err != nil {
		return "", err
	}
	u, err := s.db.User(ctx, a.UserID)
	if err != nil {
		return "", err
	}
	if u.CalendarToken != nil && *u.CalendarToken != "" {
		return *u.CalendarToken, nil
	}
	return s.newCalendarToken(ctx, a.UserID)
}

// NewCalendarToken replaces the actor's calendar feed token (a link that was
// shared or leaked): the old link stops working.
func (s *Service) NewCalendarToken(ctx context.Context, a *auth.Actor) (string, error) {
	if err := auth.Authorize(a, auth.ActSessionRead); err != nil {
		return "", err
	}
	token, err := s.newCalendarToken(ctx, a.UserID)
	if err == nil {
		s.log.Info("calendar link replaced", "user_id", a.UserID)
	}
	return token, err
}

func (s *Service) newCalendarToken(ctx context.Context, userID int64) (string, error) {
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("calendar token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	if err := s.db.Tx(ctx, func(q store.Q) error { return q.SetCalendarToken(userID, token) }); err != nil {
		return "", err
	}
	return token, nil
}

// Feed is a user's calendar: the sessions they are enrolled in or train (all
// sessions for admins, their agency's for coordinators), cancellations included.
func (s *Service) Feed(ctx context.Context, token, baseURL string) ([]byte, error) {
	if len(token) < 20 {
		return nil, apperr.NotFound("calendar")
	}
	u, err := s.db.Read(ctx).UserByCalendarToken(token)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apperr.NotFound("calendar")
	} else if err != nil {
		return nil, err
	}
	a := auth.ActorFor(auth.UserOf(u))
	list, err := s.Sessions(ctx, a, SessionQuery{Mine: true})
	if err != nil {
		return nil, err
	}
	enrolled := map[int64]bool{}
	if a.Role == auth.RoleOfficer {
		ids, err := s.db.Read(ctx).EnrolledSessionIDs(a.UserID)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			enrolled[id] = true
		}
	}
	// The feed is read by a calendar app, which sends no language: it is in
	// the one the user reads (saved, or recorded when they activated).
	cat, err := s.catalog()
	if err != nil {
		return nil, fmt.Errorf("calendar feed: %w", err)
	}
	l := cat.For(cat.LanguageOf(i18n.Reader{Saved: u.Language, Chosen: u.LanguageChosen}))
	var events []ical.Event
	for _, v := range list {
		if a.Role == auth.RoleOfficer && !enrolled[v.ID] {
			continue
		}
		events = append(events, s.event(v, baseURL, l))
	}
	var buf bytes.Buffer
	if err := ical.Write(&buf, l.T("documents.ics.feed", "Name", u.Name), events); err != nil {
		return nil, fmt.Errorf("calendar feed: %w", err)
	}
	return buf.Bytes(), nil
}
