package web

import (
	"cmp"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/schedule"
)

// dashboardView is "what is next for me", per role.
type dashboardView struct {
	Agency         *auth.Agency
	Courses        []*course.Course
	CourseProblems map[string]course.Problems
	AgencyCount    int
	UserCount      int
	OfficerCount   int
	Certificates   []certify.Certificate // an officer's own, newest day first
	Today          []*schedule.Session   // an officer's or trainer's sessions of the day
	// Due are an officer's certificates due for recertification (expiring or
	// recently expired, certify.Due); DueCount the officers due that a
	// coordinator (their agency's) or an admin (the programme's) follows up.
	Due      []certify.Certificate
	DueCount int
}

func (s *Server) dashboardShow(c echo.Context) error {
	a := actor(c)
	if err := auth.Authorize(a, auth.ActCourseRead); err != nil {
		return err
	}
	ctx := c.Request().Context()
	v := dashboardView{Courses: s.library.Courses()}
	if a.Can(auth.ActCourseAdmin) {
		v.CourseProblems = s.library.Problems()
	}
	if a.AgencyID != nil {
		ag, err := s.accounts.Agency(ctx, a, *a.AgencyID)
		if err != nil {
			return err
		}
		v.Agency = ag
	}
	today, err := s.schedule.Today(ctx, a)
	if err != nil {
		return err
	}
	v.Today = today
	if a.Role != auth.RoleTrainer {
		due, err := s.certs.Due(ctx, a)
		if err != nil {
			return err
		}
		v.Due, v.DueCount = due, certify.DueHolders(due)
	}
	switch a.Role {
	case auth.RoleAdmin:
		agencies, err := s.accounts.Agencies(ctx, a)
		if err != nil {
			return err
		}
		users, err := s.accounts.Users(ctx, a, auth.UserQuery{})
		if err != nil {
			return err
		}
		v.AgencyCount, v.UserCount = len(agencies), len(users)
	case auth.RoleCoordinator:
		officers, err := s.accounts.Users(ctx, a, auth.UserQuery{Role: string(auth.RoleOfficer)})
		if err != nil {
			return err
		}
		v.OfficerCount = len(officers)
	case auth.RoleOfficer:
		certs, err := s.certs.List(ctx, a, certify.Filter{UserID: &a.UserID})
		if err != nil {
			return err
		}
		slices.SortStableFunc(certs, func(x, y certify.Certificate) int { return cmp.Compare(y.SessionDate, x.SessionDate) })
		v.Certificates = certs
	}
	return s.render(c, http.StatusOK, "dashboard.html", s.localizer(c).T("dashboard.title"), v)
}
