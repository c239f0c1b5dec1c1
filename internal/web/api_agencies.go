package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/auth"
)

func (s *Server) apiCreateAgency(c echo.Context) error {
	var in auth.NewAgency
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ag, err := s.accounts.CreateAgency(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, ag)
}

func (s *Server) apiListAgencies(c echo.Context) error {
	list, err := s.accounts.Agencies(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list)
}

func (s *Server) apiGetAgency(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ag, err := s.accounts.Agency(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ag)
}
