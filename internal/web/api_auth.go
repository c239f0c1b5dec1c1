package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/auth"
)

type loginResponse struct {
	Token string     `json:"token"`
	User  *auth.User `json:"user"`
}

func (s *Server) apiLogin(c echo.Context) error {
	var in auth.Credentials
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	in.ClientIP, in.UserAgent, in.Kind = c.RealIP(), c.Request().UserAgent(), auth.KindAPI
	token, u, err := s.accounts.Login(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, loginResponse{Token: token, User: u})
}

func (s *Server) apiLogout(c echo.Context) error {
	token, _ := c.Get("token").(string)
	if err := auth.Authorize(actor(c), auth.ActCourseRead); err != nil {
		return err
	}
	if err := s.accounts.Logout(c.Request().Context(), token); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiMe(c echo.Context) error {
	a := actor(c)
	if a == nil {
		return auth.Authorize(nil, auth.ActUserRead)
	}
	u, err := s.accounts.User(c.Request().Context(), a, a.UserID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}
