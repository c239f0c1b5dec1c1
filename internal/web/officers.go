package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/auth"
)

// officerList is the coordinator's view of their own agency's officers.
func (s *Server) officerList(c echo.Context) error {
	return s.renderOfficers(c, http.StatusOK, formView{Created: c.QueryParam("created")})
}

func (s *Server) renderOfficers(c echo.Context, status int, v formView) error {
	a := actor(c)
	if err := auth.Authorize(a, auth.ActUserCreate); err != nil {
		return err
	}
	if a.Role != auth.RoleCoordinator {
		return c.Redirect(http.StatusSeeOther, "/admin/users")
	}
	list, err := s.accounts.Users(c.Request().Context(), a, auth.UserQuery{Role: string(auth.RoleOfficer)})
	if err != nil {
		return err
	}
	v.List = list
	return s.render(c, status, "officers.html", s.localizer(c).T("officers.title"), v)
}

func (s *Server) officerCreate(c echo.Context) error {
	a := actor(c)
	if err := auth.Authorize(a, auth.ActUserCreate); err != nil {
		return err
	}
	vals := formValues(c, "email", "name", "given_name", "family_name", "latin_name")
	in := newUserFromForm(c, vals)
	in.Role = string(auth.RoleOfficer)
	in.AgencyID = a.AgencyID
	u, err := s.accounts.CreateUser(c.Request().Context(), a, in)
	if errs, ok := s.formErrors(c, err); ok {
		return s.renderOfficers(c, http.StatusUnprocessableEntity, formView{Values: vals, Errors: errs})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/agency/officers?created="+strconv.FormatInt(u.ID, 10))
}
