package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
)

// formView carries a page's list, the form's values and its field errors, so a
// rejected form comes back filled in with every problem next to its field.
type formView struct {
	List     any
	Agencies []auth.Agency
	Roles    []auth.Role
	Values   map[string]string
	Errors   map[string]string
	Message  string
	Created  string
}

// form lets pages that embed a formView share the "field" partial.
func (fv formView) form() formView { return fv }

func formErrors(err error) (map[string]string, bool) {
	de, ok := apperr.As(err)
	if !ok || (de.Code != apperr.CodeInvalid && de.Code != apperr.CodeConflict) {
		return nil, false
	}
	out := map[string]string{}
	for _, d := range de.Details {
		out[d.Field] = d.Message
	}
	if len(out) == 0 {
		out["_"] = de.Message
	}
	return out, true
}

func formValues(c echo.Context, names ...string) map[string]string {
	v := map[string]string{}
	for _, n := range names {
		v[n] = strings.TrimSpace(c.FormValue(n))
	}
	return v
}

func (s *Server) agenciesPage(c echo.Context) error {
	return s.renderAgencies(c, http.StatusOK, formView{Created: c.QueryParam("created")})
}

func (s *Server) renderAgencies(c echo.Context, status int, v formView) error {
	a := actor(c)
	if err := auth.Authorize(a, auth.ActAgencyCreate); err != nil {
		return err
	}
	list, err := s.accounts.Agencies(c.Request().Context(), a)
	if err != nil {
		return err
	}
	v.List = list
	return s.render(c, status, "agencies.html", s.localizer(c).T("agencies.title"), v)
}

func (s *Server) agenciesSubmit(c echo.Context) error {
	vals := formValues(c, "name", "country")
	ag, err := s.accounts.CreateAgency(c.Request().Context(), actor(c), auth.NewAgency{Name: vals["name"], Country: vals["country"]})
	if errs, ok := formErrors(err); ok {
		return s.renderAgencies(c, http.StatusUnprocessableEntity, formView{Values: vals, Errors: errs})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/agencies?created="+strconv.FormatInt(ag.ID, 10))
}

var userFormFields = []string{"email", "name", "given_name", "family_name", "latin_name", "role", "agency_id"}

func newUserFromForm(c echo.Context, vals map[string]string) auth.NewUser {
	in := auth.NewUser{Email: vals["email"], Name: vals["name"], GivenName: vals["given_name"], FamilyName: vals["family_name"],
		LatinName: vals["latin_name"], Role: vals["role"], Password: c.FormValue("password")}
	if id, err := strconv.ParseInt(vals["agency_id"], 10, 64); err == nil {
		in.AgencyID = &id
	}
	return in
}

func (s *Server) usersPage(c echo.Context) error {
	return s.renderUsers(c, http.StatusOK, formView{Created: c.QueryParam("created")})
}

func (s *Server) renderUsers(c echo.Context, status int, v formView) error {
	a := actor(c)
	if err := auth.Authorize(a, auth.ActAgencyCreate); err != nil { // managing everyone is the admin's
		return err
	}
	ctx := c.Request().Context()
	users, err := s.accounts.Users(ctx, a, auth.UserQuery{})
	if err != nil {
		return err
	}
	if v.Agencies, err = s.accounts.Agencies(ctx, a); err != nil {
		return err
	}
	v.List, v.Roles = users, auth.Roles
	return s.render(c, status, "users.html", s.localizer(c).T("users.title"), v)
}

func (s *Server) usersSubmit(c echo.Context) error {
	if err := auth.Authorize(actor(c), auth.ActAgencyCreate); err != nil {
		return err
	}
	vals := formValues(c, userFormFields...)
	u, err := s.accounts.CreateUser(c.Request().Context(), actor(c), newUserFromForm(c, vals))
	if errs, ok := formErrors(err); ok {
		return s.renderUsers(c, http.StatusUnprocessableEntity, formView{Values: vals, Errors: errs})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users?created="+strconv.FormatInt(u.ID, 10))
}

// officersPage is the coordinator's view of their own agency's officers.
func (s *Server) officersPage(c echo.Context) error {
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

func (s *Server) officersSubmit(c echo.Context) error {
	a := actor(c)
	if err := auth.Authorize(a, auth.ActUserCreate); err != nil {
		return err
	}
	vals := formValues(c, "email", "name", "given_name", "family_name", "latin_name")
	in := newUserFromForm(c, vals)
	in.Role = string(auth.RoleOfficer)
	in.AgencyID = a.AgencyID
	u, err := s.accounts.CreateUser(c.Request().Context(), a, in)
	if errs, ok := formErrors(err); ok {
		return s.renderOfficers(c, http.StatusUnprocessableEntity, formView{Values: vals, Errors: errs})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/agency/officers?created="+strconv.FormatInt(u.ID, 10))
}
