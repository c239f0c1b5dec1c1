package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/auth"
)

func (s *Server) agencyCreateAPI(c echo.Context) error {
	var in auth.NewAgency
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ag, err := s.accounts.CreateAgency(c.Request().Context(), actor(c), in)
	return jsonOrError(c, http.StatusCreated, ag, err)
}

func (s *Server) agencyListAPI(c echo.Context) error {
	list, err := s.accounts.Agencies(c.Request().Context(), actor(c))
	return jsonOrError(c, http.StatusOK, list, err)
}

func (s *Server) agencyShowAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ag, err := s.accounts.Agency(c.Request().Context(), actor(c), id)
	return jsonOrError(c, http.StatusOK, ag, err)
}

func (s *Server) agencyList(c echo.Context) error {
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

func (s *Server) agencyCreate(c echo.Context) error {
	vals := formValues(c, "name", "country")
	ag, err := s.accounts.CreateAgency(c.Request().Context(), actor(c), auth.NewAgency{Name: vals["name"], Country: vals["country"]})
	if errs, ok := s.formErrors(c, err); ok {
		return s.renderAgencies(c, http.StatusUnprocessableEntity, formView{Values: vals, Errors: errs})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/agencies?created="+strconv.FormatInt(ag.ID, 10))
}
