package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// retentionRuns is how many of the last retention runs the page and the API
// show.
const retentionRuns = 20

// retentionShow is the admins' retention page: the configured periods, their
// cut-offs today, what would go now (the same count as `lectern retention
// --dry-run`) and the last runs with what each removed.
func (s *Server) retentionShow(c echo.Context) error {
	o, err := s.app.Retention.Overview(c.Request().Context(), actor(c), retentionRuns)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "retention.html", s.localizer(c).T("retention.title"), o)
}

func (s *Server) retentionShowAPI(c echo.Context) error {
	o, err := s.app.Retention.Overview(c.Request().Context(), actor(c), retentionRuns)
	return jsonOrError(c, http.StatusOK, o, err)
}
