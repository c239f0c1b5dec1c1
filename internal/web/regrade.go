package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/attempt"
	"github.com/lectern-platform/lectern/internal/schedule"
)

// regradeView is the trainer's regrade preview: every submitted attempt before and
// after, with the version to confirm.
type regradeView struct {
	Session  *schedule.Session
	Regrade  *attempt.Regrade
	Versions []attempt.CourseVersion // to choose another to regrade against
	Current  string                  // the course version served now
	Notice   string                  // why the version asked for is not shown
	Reason   string
	Error    string
	// QuizTitle names the quiz under the heading.
	QuizTitle string
}

// regradeShow previews a regrade against the quiz as the course has it now.
func (s *Server) regradeShow(c echo.Context) error {
	return s.renderRegrade(c, http.StatusOK, regradeView{})
}

func (s *Server) renderRegrade(c echo.Context, status int, v regradeView) error {
	a, ctx, ses, err := s.sessionFromPath(c)
	if err != nil {
		return err
	}
	r, err := s.attempts.RegradeQuiz(ctx, a, ses.ID, c.Param("quiz"), attempt.RegradeInput{Version: c.FormValue("version")})
	if de, ok := refusal(err, apperr.CodeInvalid); ok && status == http.StatusOK {
		// An unknown version in the URL: show the current one, saying why.
		v.Notice = s.userMessage(c, de)
		r, err = s.attempts.RegradeQuiz(ctx, a, ses.ID, c.Param("quiz"), attempt.RegradeInput{})
	}
	if err != nil {
		return err
	}
	if v.Versions, err = s.attempts.CourseVersions(ctx, a, ses.ID); err != nil {
		return err
	}
	if crs, ok := s.library.Course(ses.Course); ok {
		v.Current = crs.Hash
		for _, qz := range crs.Quizzes() {
			if qz.ID == r.Quiz {
				v.QuizTitle = qz.Title
			}
		}
	}
	v.Session, v.Regrade = ses, r
	return s.render(c, status, "regrade.html", s.localizer(c).T("regrade.title"), v)
}

// regradeRun applies the previewed regrade (the form carries its content
// hash); without a reason the preview comes back saying so.
func (s *Server) regradeRun(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	reason := c.FormValue("reason")
	r, err := s.attempts.RegradeQuiz(c.Request().Context(), actor(c), id, c.Param("quiz"),
		attempt.RegradeInput{Version: c.FormValue("version"), Confirm: c.FormValue("confirm"), Reason: reason})
	if de, ok := refusal(err, apperr.CodeInvalid); ok {
		return s.renderRegrade(c, http.StatusUnprocessableEntity, regradeView{Reason: reason, Error: s.userMessage(c, de)})
	}
	if err != nil {
		return err
	}
	l := s.localizer(c)
	msg := l.T("regrade.done", "Count", r.Changed, "Pass", r.NowPass, "Fail", r.NowFail)
	holders := 0
	for _, row := range r.Rows {
		if row.Change == "now_fails" && row.Certificate != "" {
			holders++
		}
	}
	if holders > 0 {
		msg += " " + l.T("regrade.done_revoke", "Count", holders)
	} else if ses, err := s.schedule.Session(c.Request().Context(), actor(c), id); err == nil && ses.Status == schedule.StatusClosed {
		msg += " " + l.T("regrade.done_closed")
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/sessions/%d/quizzes?msg=%s", id, url.QueryEscape(msg)))
}

// regradeRunAPI previews ({}) or applies ({"confirm":"<content_hash of the preview>"})
// a regrade of a session's quiz.
func (s *Server) regradeRunAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in attempt.RegradeInput
	if c.Request().ContentLength != 0 {
		if err := bindJSON(c, &in); err != nil {
			return err
		}
	}
	r, err := s.attempts.RegradeQuiz(c.Request().Context(), actor(c), id, c.Param("quiz"), in)
	return jsonOrError(c, http.StatusOK, r, err)
}
