package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

const icsType = "text/calendar; charset=utf-8"

func (s *Server) sessionICS(c echo.Context) error {
	c.SetParamValues(strings.TrimSuffix(c.Param("id"), ".ics"))
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	data, err := s.schedule.SessionCalendar(c.Request().Context(), actor(c), id, s.cfg.BaseURL, s.localizer(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="session-`+c.Param("id")+`.ics"`)
	return c.Blob(http.StatusOK, icsType, data)
}

// calendarFeedShow serves /calendar/{token}.ics to calendar apps, which cannot sign in:
// the unguessable token is the credential.
func (s *Server) calendarFeedShow(c echo.Context) error {
	token, ok := strings.CutSuffix(c.Param("token"), ".ics")
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	data, err := s.schedule.Feed(c.Request().Context(), token, s.cfg.BaseURL)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, max-age=300")
	return c.Blob(http.StatusOK, icsType, data)
}

func (s *Server) calendarShowAPI(c echo.Context) error {
	token, err := s.schedule.CalendarToken(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"url": s.calendarURL(token)})
}

// calendarRotateAPI replaces the caller's feed link; the old one answers 404.
func (s *Server) calendarRotateAPI(c echo.Context) error {
	token, err := s.schedule.NewCalendarToken(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"url": s.calendarURL(token)})
}

// calendarRotate is the "new link" button under the feed link on /sessions.
func (s *Server) calendarRotate(c echo.Context) error {
	if _, err := s.schedule.NewCalendarToken(c.Request().Context(), actor(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/sessions#cal")
}

func (s *Server) calendarURL(token string) string {
	return strings.TrimSuffix(s.cfg.BaseURL, "/") + "/calendar/" + token + ".ics"
}
