package web

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/schedule"
)

func (s *Server) rosterImportAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if mt != "text/csv" && mt != "application/csv" {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, apperr.Message("err.http.roster_content_type"))
	}
	res, err := s.schedule.ImportRoster(c.Request().Context(), actor(c), id, c.Request().Body)
	return jsonOrError(c, http.StatusOK, res, tooLarge(err))
}

// tooLarge turns a body that hit the size limit while being read into a 413.
func tooLarge(err error) error {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return he
	}
	return err
}

type rosterView struct {
	Session     *schedule.Session
	Enrollments []*schedule.Enrollment
	Result      *schedule.RosterResult
	Error       string
	RowErrors   []apiFieldError // in the page's language
	CrossAgency bool
}

func (s *Server) rosterShow(c echo.Context) error {
	return s.renderRoster(c, http.StatusOK, rosterView{})
}

func (s *Server) renderRoster(c echo.Context, status int, v rosterView) error {
	a, ctx, id, err := sessionScope(c)
	if err != nil {
		return err
	}
	if v.Session, err = s.schedule.Session(ctx, a, id); err != nil {
		return err
	}
	// After the session: one the actor cannot see is not found (schedule.Access).
	if err := auth.Authorize(a, auth.ActRosterImport); err != nil {
		return err
	}
	if v.Enrollments, err = s.schedule.Enrollments(ctx, a, id); err != nil {
		return err
	}
	v.CrossAgency = a.Role == auth.RoleAdmin || a.Role == auth.RoleTrainer
	return s.render(c, status, "roster.html", s.localizer(c).T("roster.title"), v)
}

func (s *Server) rosterImport(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	file, err := c.FormFile("roster")
	if err != nil {
		return s.renderRoster(c, http.StatusUnprocessableEntity, rosterView{Error: s.localizer(c).T("roster.no_file")})
	}
	f, err := file.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := s.schedule.ImportRoster(c.Request().Context(), actor(c), id, io.LimitReader(f, 1<<20))
	if de, ok := refusal(err, apperr.CodeInvalid, apperr.CodeConflict); ok {
		return s.renderRoster(c, domainStatus[de.Code], rosterView{Error: de.In(s.localizer(c)), RowErrors: fieldErrors(s.localizer(c), de.Details)})
	} else if err != nil {
		return err
	}
	return s.renderRoster(c, http.StatusOK, rosterView{Result: res})
}
