package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
)

func (s *Server) sessionClose(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	n, err := s.certs.CloseSession(c.Request().Context(), actor(c), id)
	if de, ok := refusal(err, apperr.CodeConflict, apperr.CodeForbidden); ok {
		return s.renderSession(c, domainStatus[de.Code], s.userMessage(c, de))
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/sessions/%d?msg=%s", id, url.QueryEscape(s.localizer(c).T("session.closed_msg", "Count", n))))
}

func (s *Server) sessionCancel(c echo.Context) error {
	return s.sessionAction(c, func(id int64) error {
		_, err := s.schedule.CancelSession(c.Request().Context(), actor(c), id)
		return err
	}, "session.cancelled_msg")
}

func (s *Server) sessionCancelAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	out, err := s.schedule.CancelSession(c.Request().Context(), actor(c), id)
	return jsonOrError(c, http.StatusOK, out, err)
}

func (s *Server) sessionCloseAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	n, err := s.certs.CloseSession(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"issued": n})
}
