package web

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/report"
)

// The programme reports' JSON (docs/api.md, "Reports"): one route per report,
// each taking the same filter parameters.

func (s *Server) reportTrainedAPI(c echo.Context) error    { return reportAPI(c, s.reports.Trained) }
func (s *Server) reportCertifiedAPI(c echo.Context) error  { return reportAPI(c, s.reports.Certified) }
func (s *Server) reportAttendanceAPI(c echo.Context) error { return reportAPI(c, s.reports.Attendance) }
func (s *Server) reportQuizzesAPI(c echo.Context) error    { return reportAPI(c, s.reports.Quizzes) }
func (s *Server) reportQuestionsAPI(c echo.Context) error  { return reportAPI(c, s.reports.Questions) }
func (s *Server) reportCertificatesAPI(c echo.Context) error {
	return reportAPI(c, s.reports.Certificates)
}

func reportAPI[T any](c echo.Context, run func(context.Context, *auth.Actor, report.Filter) (T, error)) error {
	f, err := reportFilter(c)
	if err != nil {
		return err
	}
	out, err := run(c.Request().Context(), actor(c), f)
	return jsonOrError(c, http.StatusOK, out, err)
}

// reportFilter reads a report's filter from the query (from, to, country,
// agency, course). A bad parameter is a 400 naming it and what is wrong — a
// malformed request, like a bad id in a path, rather than a form to correct.
func reportFilter(c echo.Context) (report.Filter, error) {
	f, err := report.ParseFilter(report.Params{From: c.QueryParam(report.ParamFrom), To: c.QueryParam(report.ParamTo),
		Country: c.QueryParam(report.ParamCountry), Agency: c.QueryParam(report.ParamAgency), Course: c.QueryParam(report.ParamCourse)})
	if de, ok := apperr.As(err); ok && de.Code == apperr.CodeInvalid && len(de.Details) > 0 {
		// Not WithInternal(err): handleError would find the domain error
		// inside and answer it as a 422.
		d := de.Details[0]
		return f, echo.NewHTTPError(http.StatusBadRequest, apperr.Message("err.report.param", "Param", d.Field, "Problem", d.Msg))
	}
	return f, err
}
