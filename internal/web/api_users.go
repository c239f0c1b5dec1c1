package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
)

func (s *Server) apiCreateUser(c echo.Context) error {
	var in auth.NewUser
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	u, err := s.accounts.CreateUser(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, u)
}

func (s *Server) apiListUsers(c echo.Context) error {
	var q auth.UserQuery
	if v := c.QueryParam("agency_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return apperr.Invalid("agency_id", "must be a number")
		}
		q.AgencyID = &id
	}
	q.Role = c.QueryParam("role")
	list, err := s.accounts.Users(c.Request().Context(), actor(c), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list)
}

func (s *Server) apiGetUser(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	u, err := s.accounts.User(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}
