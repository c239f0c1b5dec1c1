package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/schedule"
)

// monthGroup is one month of the calendar view.
type monthGroup struct {
	Month    string // as shown: December 2026
	ID       string // for ids: 2026-12 (an id cannot hold a space)
	Sessions []*schedule.Session
}

type sessionsView struct {
	Upcoming    []monthGroup
	Past        []*schedule.Session
	CanCreate   bool
	CalendarURL string
}

func (s *Server) sessionList(c echo.Context) error {
	a := actor(c)
	list, err := s.schedule.Sessions(c.Request().Context(), a, schedule.SessionQuery{Course: c.QueryParam("course")})
	if err != nil {
		return err
	}
	v := sessionsView{CanCreate: a.Can(auth.ActSessionCreate)}
	if token, err := s.schedule.CalendarToken(c.Request().Context(), a); err == nil {
		v.CalendarURL = s.calendarURL(token)
	} else {
		return err
	}
	today := s.schedule.Now().UTC().Add(-24 * time.Hour) // the server's clock, as everywhere else
	for _, ses := range list {
		if ses.EndsAt.Before(today) {
			v.Past = append([]*schedule.Session{ses}, v.Past...)
			continue
		}
		start := ses.StartsAt.In(ses.Location)
		month := s.localizer(c).MonthYear(start)
		if n := len(v.Upcoming); n == 0 || v.Upcoming[n-1].Month != month {
			v.Upcoming = append(v.Upcoming, monthGroup{Month: month, ID: start.Format("2006-01")})
		}
		g := &v.Upcoming[len(v.Upcoming)-1]
		g.Sessions = append(g.Sessions, ses)
	}
	return s.render(c, http.StatusOK, "sessions.html", s.localizer(c).T("sessions.title"), v)
}

// sessionView is the session page: the day, the course's agenda, my place in it.
type sessionView struct {
	Session   *schedule.Session
	Course    *course.Course
	Trainers  []string
	Mine      *schedule.Enrollment
	Attending *schedule.AttendanceRow
	CanManage bool
	CanEnroll bool
	MapQuery  string
	Calendar  string
	Message   string
	// Certificates are the session's certificates the actor may download in
	// bulk (all for its trainers and admins, the agency's for a coordinator);
	// MyCertificate is an officer's own.
	Certificates []certify.Certificate
	// NoLongerEligible marks, for the session's trainers, valid certificates
	// whose holders no longer meet the rule (a regrade after the close).
	NoLongerEligible map[string]bool
	MyCertificate    *certify.Certificate
	// RecertDue counts the officers due for recertification in the course whom
	// the actor may offer this session to (schedule.DueForSession): shown to
	// its trainers, admins and coordinators while it has not started.
	RecertDue int
}

func (s *Server) sessionShow(c echo.Context) error {
	if strings.HasSuffix(c.Param("id"), ".ics") {
		return s.sessionICS(c)
	}
	return s.renderSession(c, http.StatusOK, c.QueryParam("msg"))
}

func (s *Server) renderSession(c echo.Context, status int, message string) error {
	a, ctx, ses, err := s.sessionFromPath(c)
	if err != nil {
		return err
	}
	id := ses.ID
	v := sessionView{Session: ses, CanManage: a.CanManageSession(ses.TrainerIDs), Message: message,
		Calendar: fmt.Sprintf("/sessions/%d.ics", ses.ID),
		MapQuery: "https://www.openstreetmap.org/search?query=" + url.QueryEscape(ses.Venue+", "+ses.City+", "+ses.Country)}
	v.Course, _ = s.library.Course(ses.Course)
	names, err := s.accounts.Names(ctx, a, ses.TrainerIDs)
	if err != nil {
		return err
	}
	for _, tid := range ses.TrainerIDs {
		if name, ok := names[tid]; ok {
			v.Trainers = append(v.Trainers, name)
		}
	}
	if a.Role == auth.RoleOfficer {
		mine, err := s.schedule.Enrollments(ctx, a, id)
		if err != nil {
			return err
		}
		if len(mine) == 1 {
			v.Mine = mine[0]
			if rows, err := s.schedule.Attendance(ctx, a, id); err == nil && len(rows) == 1 {
				v.Attending = rows[0]
			}
		}
		v.CanEnroll = v.Mine == nil && ses.Status == schedule.StatusScheduled
	}
	if err := s.sessionCertificates(c, &v); err != nil {
		return err
	}
	if (v.CanManage || a.Role == auth.RoleCoordinator) && ses.Status == schedule.StatusScheduled && s.schedule.Now().Before(ses.StartsAt) {
		due, err := s.schedule.DueForSession(ctx, a, id)
		if _, refused := refusal(err, apperr.CodeForbidden, apperr.CodeConflict); err != nil && !refused {
			return err
		}
		v.RecertDue = len(due)
	}
	return s.render(c, status, "session.html", ses.CourseTitle, v)
}

// sessionCertificates fills what the session page offers to download. A trainer
// who does not run the session sees none here: they may read certificates, but
// the session's ZIP is not theirs to take.
func (s *Server) sessionCertificates(c echo.Context, v *sessionView) error {
	a := actor(c)
	if !v.CanManage && a.Role != auth.RoleCoordinator && a.Role != auth.RoleOfficer {
		return nil
	}
	certs, err := s.certs.List(c.Request().Context(), a, certify.Filter{SessionID: &v.Session.ID})
	if err != nil {
		return err
	}
	if a.Role == auth.RoleOfficer {
		if len(certs) > 0 {
			v.MyCertificate = &certs[0]
		}
		return nil
	}
	v.Certificates = certs
	if v.CanManage && len(certs) > 0 {
		if v.NoLongerEligible, err = s.certs.NoLongerEligible(c.Request().Context(), a, v.Session.ID); err != nil {
			return err
		}
	}
	return nil
}

// sessionAction runs a state change from a session page button and returns to
// the page with a message, or shows the domain's refusal on the page.
func (s *Server) sessionAction(c echo.Context, do func(id int64) error, okMsg string) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := do(id); err != nil {
		if de, ok := refusal(err, apperr.CodeConflict, apperr.CodeInvalid, apperr.CodeForbidden); ok {
			return s.renderSession(c, domainStatus[de.Code], s.userMessage(c, de))
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/sessions/%d?msg=%s", id, url.QueryEscape(s.localizer(c).T(okMsg))))
}

// sessionFromPath is sessionScope for a page about the session: it loads the
// session of the path as the actor may see it (schedule.Access: 404 when not).
func (s *Server) sessionFromPath(c echo.Context) (*auth.Actor, context.Context, *schedule.Session, error) {
	a, ctx, id, err := sessionScope(c)
	if err != nil {
		return nil, nil, nil, err
	}
	ses, err := s.schedule.Session(ctx, a, id)
	return a, ctx, ses, err
}

func (s *Server) sessionListAPI(c echo.Context) error {
	q := schedule.SessionQuery{Course: c.QueryParam("course"), From: c.QueryParam("from"), To: c.QueryParam("to"),
		Status: c.QueryParam("status"), Mine: c.QueryParam("mine") == "true"}
	list, err := s.schedule.Sessions(c.Request().Context(), actor(c), q)
	return jsonOrError(c, http.StatusOK, list, err)
}

func (s *Server) sessionShowAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	out, err := s.schedule.Session(c.Request().Context(), actor(c), id)
	return jsonOrError(c, http.StatusOK, out, err)
}
