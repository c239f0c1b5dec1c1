package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
)

var userFormFields = []string{"email", "name", "given_name", "family_name", "latin_name", "role", "agency_id"}

func newUserFromForm(c echo.Context, vals map[string]string) auth.NewUser {
	in := auth.NewUser{Email: vals["email"], Name: vals["name"], GivenName: vals["given_name"], FamilyName: vals["family_name"],
		LatinName: vals["latin_name"], Role: vals["role"], Password: c.FormValue("password")}
	if id, err := strconv.ParseInt(vals["agency_id"], 10, 64); err == nil {
		in.AgencyID = &id
	}
	return in
}

func (s *Server) userList(c echo.Context) error {
	v := formView{Created: c.QueryParam("created")}
	if c.QueryParam("erased") != "" {
		v.Message = s.localizer(c).T("erase.done")
	}
	return s.renderUsers(c, http.StatusOK, v)
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

func (s *Server) userCreate(c echo.Context) error {
	if err := auth.Authorize(actor(c), auth.ActAgencyCreate); err != nil {
		return err
	}
	vals := formValues(c, userFormFields...)
	u, err := s.accounts.CreateUser(c.Request().Context(), actor(c), newUserFromForm(c, vals))
	if errs, ok := s.formErrors(c, err); ok {
		return s.renderUsers(c, http.StatusUnprocessableEntity, formView{Values: vals, Errors: errs})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users?created="+strconv.FormatInt(u.ID, 10))
}

func (s *Server) userCreateAPI(c echo.Context) error {
	var in auth.NewUser
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	u, err := s.accounts.CreateUser(c.Request().Context(), actor(c), in)
	return jsonOrError(c, http.StatusCreated, u, err)
}

func (s *Server) userListAPI(c echo.Context) error {
	var q auth.UserQuery
	if v := c.QueryParam("agency_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return apperr.Invalid("agency_id", "err.field.not_number")
		}
		q.AgencyID = &id
	}
	q.Role = c.QueryParam("role")
	list, err := s.accounts.Users(c.Request().Context(), actor(c), q)
	return jsonOrError(c, http.StatusOK, list, err)
}

func (s *Server) userShowAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	u, err := s.accounts.User(c.Request().Context(), actor(c), id)
	return jsonOrError(c, http.StatusOK, u, err)
}

// userInviteAPI (re)invites one account: admins anyone, coordinators their agency's
// officers. {"send_email": false} only returns the link (for a printed slip).
func (s *Server) userInviteAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	in := struct {
		SendEmail *bool `json:"send_email"`
	}{}
	if c.Request().ContentLength != 0 {
		if err := bindJSON(c, &in); err != nil {
			return err
		}
	}
	send := in.SendEmail == nil || *in.SendEmail
	invs, err := s.accounts.Invite(c.Request().Context(), actor(c), []int64{id}, send)
	if err != nil {
		return err
	}
	if len(invs) == 0 {
		return apperr.Conflict("err.account.already_active")
	}
	return c.JSON(http.StatusOK, invs[0])
}

// userTOTPDisableAPI: an admin turns off the second factor of someone who lost their
// phone and their recovery codes; a user their own (with their password and a
// code).
func (s *Server) userTOTPDisableAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Code     string `json:"code"`
		Password string `json:"password"`
	}
	if c.Request().ContentLength != 0 {
		if err := bindJSON(c, &in); err != nil {
			return err
		}
	}
	cred := auth.Credentials{TOTP: in.Code, Password: in.Password, ClientIP: c.RealIP(), Kind: auth.KindAPI}
	if err := s.accounts.DisableTOTP(c.Request().Context(), actor(c), id, cred); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) meShowAPI(c echo.Context) error {
	a := actor(c)
	if a == nil {
		return auth.Authorize(nil, auth.ActUserRead)
	}
	u, err := s.accounts.User(c.Request().Context(), a, a.UserID)
	return jsonOrError(c, http.StatusOK, u, err)
}
