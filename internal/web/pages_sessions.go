package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/qrcode"
	"github.com/lectern-platform/lectern/internal/schedule"
	"github.com/lectern-platform/lectern/internal/store"
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

func (s *Server) sessionsPage(c echo.Context) error {
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
		month := start.Format("January 2006")
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
	CanEnrol  bool
	MapQuery  string
	Calendar  string
	Message   string
	// Certificates are the session's certificates the actor may download in
	// bulk (all for its trainers and admins, the agency's for a coordinator);
	// MyCertificate is an officer's own.
	Certificates []store.Certificate
	// NoLongerEligible marks, for the session's trainers, valid certificates
	// whose holders no longer meet the rule (a regrade after the close).
	NoLongerEligible map[string]bool
	MyCertificate    *store.Certificate
}

func (s *Server) sessionPage(c echo.Context) error {
	if strings.HasSuffix(c.Param("id"), ".ics") {
		return s.sessionICS(c)
	}
	return s.renderSession(c, http.StatusOK, c.QueryParam("msg"))
}

func (s *Server) renderSession(c echo.Context, status int, message string) error {
	a := actor(c)
	ctx := c.Request().Context()
	ses, err := s.sessionFromPath(c)
	if err != nil {
		return err
	}
	id := ses.ID
	v := sessionView{Session: ses, CanManage: a.CanManageSession(ses.TrainerIDs), Message: message,
		Calendar: fmt.Sprintf("/sessions/%d.ics", ses.ID),
		MapQuery: "https://www.openstreetmap.org/search?query=" + url.QueryEscape(ses.Venue+", "+ses.City+", "+ses.Country)}
	v.Course, _ = s.library.Course(ses.Course)
	for _, tid := range ses.TrainerIDs {
		if u, err := s.db.User(ctx, tid); err == nil {
			v.Trainers = append(v.Trainers, u.Name)
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
		v.CanEnrol = v.Mine == nil && ses.Status == schedule.StatusScheduled
	}
	if err := s.sessionCertificates(c, &v); err != nil {
		return err
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
	certs, err := s.certs.List(c.Request().Context(), a, store.CertificateFilter{SessionID: &v.Session.ID})
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
		if de, ok := apperr.As(err); ok && (de.Code == apperr.CodeConflict || de.Code == apperr.CodeInvalid || de.Code == apperr.CodeForbidden) {
			return s.renderSession(c, domainStatus[de.Code], userMessage(de))
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/sessions/%d?msg=%s", id, url.QueryEscape(s.localizer(c).T(okMsg))))
}

func (s *Server) enrolSubmit(c echo.Context) error {
	a := actor(c)
	return s.sessionAction(c, func(id int64) error {
		if a == nil {
			return auth.Authorize(nil, auth.ActEnrollSelf)
		}
		_, _, err := s.schedule.Enroll(c.Request().Context(), a, id, schedule.EnrollmentInput{UserID: a.UserID})
		return err
	}, "session.enrolled_msg")
}

func (s *Server) unenrolSubmit(c echo.Context) error {
	a := actor(c)
	return s.sessionAction(c, func(id int64) error {
		if a == nil {
			return auth.Authorize(nil, auth.ActEnrollSelf)
		}
		return s.schedule.Unenroll(c.Request().Context(), a, id, a.UserID)
	}, "session.unenrolled_msg")
}

func (s *Server) closeSubmit(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	n, err := s.certs.CloseSession(c.Request().Context(), actor(c), id)
	if de, ok := apperr.As(err); ok && (de.Code == apperr.CodeConflict || de.Code == apperr.CodeForbidden) {
		return s.renderSession(c, domainStatus[de.Code], userMessage(de))
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/sessions/%d?msg=%s", id, url.QueryEscape(s.localizer(c).T("session.closed_msg", "Count", n))))
}

func (s *Server) cancelSubmit(c echo.Context) error {
	return s.sessionAction(c, func(id int64) error {
		_, err := s.schedule.CancelSession(c.Request().Context(), actor(c), id)
		return err
	}, "session.cancelled_msg")
}

var sessionFormFields = []string{"course", "date", "start", "end", "timezone", "venue", "city", "country", "capacity", "trainer_ids", "agency_ids"}

type sessionFormView struct {
	formView
	Courses  []*course.Course
	Trainers []auth.User
}

func (s *Server) newSessionPage(c echo.Context) error {
	return s.renderSessionForm(c, http.StatusOK, formView{Values: map[string]string{"start": "09:00", "end": "17:00", "timezone": "Europe/Paris", "capacity": "30"}})
}

func (s *Server) renderSessionForm(c echo.Context, status int, fv formView) error {
	a := actor(c)
	if err := auth.Authorize(a, auth.ActSessionCreate); err != nil {
		return err
	}
	ctx := c.Request().Context()
	v := sessionFormView{formView: fv, Courses: s.library.Courses()}
	var err error
	if v.Agencies, err = s.accounts.Agencies(ctx, a); err != nil {
		return err
	}
	if a.Role == auth.RoleAdmin {
		if v.Trainers, err = s.accounts.Users(ctx, a, auth.UserQuery{Role: string(auth.RoleTrainer)}); err != nil {
			return err
		}
	}
	return s.render(c, status, "session_new.html", s.localizer(c).T("sessions.new"), v)
}

func (s *Server) newSessionSubmit(c echo.Context) error {
	vals := formValues(c, sessionFormFields...)
	in := schedule.SessionInput{Course: strp(vals["course"]), Date: strp(vals["date"]), Start: strp(vals["start"]),
		End: strp(vals["end"]), Timezone: strp(vals["timezone"]), Venue: strp(vals["venue"]), City: strp(vals["city"]),
		Country: strp(vals["country"])}
	if n, err := strconv.Atoi(vals["capacity"]); err == nil {
		in.Capacity = &n
	} else {
		in.Capacity = new(int) // reported as out of range
	}
	if ids := formIDs(c, "trainer_ids"); len(ids) > 0 {
		in.TrainerIDs = &ids
	}
	if ids := formIDs(c, "agency_ids"); len(ids) > 0 {
		in.AgencyIDs = &ids
	}
	ses, err := s.schedule.CreateSession(c.Request().Context(), actor(c), in)
	if errs, ok := formErrors(err); ok {
		return s.renderSessionForm(c, http.StatusUnprocessableEntity, formView{Values: vals, Errors: errs})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/sessions/%d", ses.ID))
}

func strp(s string) *string { return &s }

func formIDs(c echo.Context, name string) []int64 {
	form, _ := c.FormParams()
	var ids []int64
	for _, v := range form[name] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// attendanceView is the trainer's sheet: one row per enrolled officer, one tap
// per status.
type attendanceView struct {
	Session  *schedule.Session
	Rows     []*schedule.AttendanceRow
	Statuses []string
	Counts   map[string]int
}

func (s *Server) attendancePage(c echo.Context) error {
	a := actor(c)
	ctx := c.Request().Context()
	ses, err := s.sessionFromPath(c)
	if err != nil {
		return err
	}
	id := ses.ID
	if !a.CanManageSession(ses.TrainerIDs) {
		return apperr.Forbidden("only this session's trainers and admins take attendance")
	}
	rows, err := s.schedule.Attendance(ctx, a, id)
	if err != nil {
		return err
	}
	v := attendanceView{Session: ses, Rows: rows, Statuses: []string{"present", "late", "absent", "excused"}, Counts: map[string]int{}}
	for _, r := range rows {
		v.Counts[r.Status]++
	}
	return s.render(c, http.StatusOK, "attendance.html", s.localizer(c).T("attendance.title"), v)
}

func (s *Server) attendanceSubmit(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	userID, err := idParam(c, "user_id")
	if err != nil {
		return err
	}
	if _, err := s.schedule.MarkAttendance(c.Request().Context(), actor(c), id, userID, c.FormValue("status")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/sessions/%d/attendance#u%d", id, userID))
}

type checkinView struct {
	Session *schedule.Session
	Code    string
	Error   string
	Done    *schedule.AttendanceRow
}

func (s *Server) checkinPage(c echo.Context) error {
	ses, err := s.sessionFromPath(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "checkin.html", s.localizer(c).T("checkin.title"), checkinView{Session: ses, Code: c.QueryParam("code")})
}

func (s *Server) checkinSubmit(c echo.Context) error {
	a := actor(c)
	ctx := c.Request().Context()
	ses, err := s.sessionFromPath(c)
	if err != nil {
		return err
	}
	id := ses.ID
	v := checkinView{Session: ses, Code: c.FormValue("code")}
	row, err := s.schedule.CheckIn(ctx, a, id, v.Code)
	status := http.StatusOK
	if de, ok := apperr.As(err); ok && de.Code != apperr.CodeNotFound {
		v.Error, status = userMessage(de), domainStatus[de.Code]
	} else if err != nil {
		return err
	}
	v.Done = row
	return s.render(c, status, "checkin.html", s.localizer(c).T("checkin.title"), v)
}

// projectorView is the room's screen: the code, its QR, and when it changes.
type projectorView struct {
	Session *schedule.Session
	Code    *schedule.CheckinCode
	Link    string
	Present int
	// ReloadSeconds is said on the screen: a room display may reload itself
	// (WCAG 2.2.1), but not unannounced.
	ReloadSeconds int
}

func (s *Server) projectorPage(c echo.Context) error {
	a := actor(c)
	ctx := c.Request().Context()
	ses, err := s.sessionFromPath(c)
	if err != nil {
		return err
	}
	id := ses.ID
	code, err := s.schedule.CurrentCode(ctx, a, id)
	if err != nil {
		return err
	}
	rows, err := s.schedule.Attendance(ctx, a, id)
	if err != nil {
		return err
	}
	v := projectorView{Session: ses, Code: code, Link: s.checkinLink(id, code.Code), ReloadSeconds: int(schedule.CodeRotation.Seconds())}
	for _, r := range rows {
		if r.Status == "present" || r.Status == "late" {
			v.Present++
		}
	}
	// Reload when the code changes; the page works without JavaScript.
	refresh := int(time.Until(code.ExpiresAt).Seconds()) + 1
	c.Set("refresh", max(refresh, 1))
	return s.render(c, http.StatusOK, "projector.html", s.localizer(c).T("projector.title"), v)
}

func (s *Server) checkinLink(id int64, code string) string {
	return fmt.Sprintf("%s/sessions/%d/checkin?code=%s", strings.TrimSuffix(s.cfg.BaseURL, "/"), id, code)
}

func (s *Server) checkinQR(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	code, err := s.schedule.CurrentCode(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	img, err := qrcode.PNG(s.checkinLink(id, code.Code), 512)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "image/png", img)
}

func (s *Server) auditPage(c echo.Context) error {
	var sessionID *int64
	if v := c.QueryParam("session_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest)
		}
		sessionID = &id
	}
	return s.renderAudit(c, sessionID, nil)
}

// sessionAuditPage is one session's history, for the trainers who run it.
func (s *Server) sessionAuditPage(c echo.Context) error {
	ses, err := s.sessionFromPath(c)
	if err != nil {
		return err
	}
	return s.renderAudit(c, &ses.ID, ses)
}

func (s *Server) renderAudit(c echo.Context, sessionID *int64, ses *schedule.Session) error {
	events, err := s.schedule.AuditEvents(c.Request().Context(), actor(c), sessionID, 500)
	if err != nil {
		return err
	}
	// Show people by name: collect every id the events mention.
	var ids []int64
	for _, e := range events {
		if e.ActorID != nil {
			ids = append(ids, *e.ActorID)
		}
		if e.UserID != nil {
			ids = append(ids, *e.UserID)
		}
	}
	users, err := s.db.Read(c.Request().Context()).UsersByIDs(ids)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, u := range users {
		names[u.ID] = u.Name
	}
	return s.render(c, http.StatusOK, "audit.html", s.localizer(c).T("audit.title"), map[string]any{"Events": events, "Names": names, "Session": ses})
}

// sessionFromPath loads the session named by the URL's :id, for the actor.
func (s *Server) sessionFromPath(c echo.Context) (*schedule.Session, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return nil, err
	}
	return s.schedule.Session(c.Request().Context(), actor(c), id)
}
