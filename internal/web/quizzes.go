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

type quizzesView struct {
	Session   *schedule.Session
	Quizzes   []attempt.QuizInfo
	CanManage bool
	Message   string
}

func (s *Server) quizList(c echo.Context) error {
	a, ctx, ses, err := s.sessionFromPath(c)
	if err != nil {
		return err
	}
	id := ses.ID
	list, err := s.attempts.Quizzes(ctx, a, id, s.localizer(c).Lang)
	if err != nil {
		return err
	}
	v := quizzesView{Session: ses, Quizzes: list, CanManage: a.CanManageSession(ses.TrainerIDs), Message: c.QueryParam("msg")}
	return s.render(c, http.StatusOK, "quizzes.html", s.localizer(c).T("quiz.list_title"), v)
}

func (s *Server) quizStart(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	lang, chosen := s.quizLanguage(c)
	v, _, err := s.attempts.StartIn(c.Request().Context(), actor(c), id, c.Param("quiz"), lang, chosen)
	if de, ok := refusal(err, apperr.CodeConflict); ok {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/sessions/%d/quizzes?msg=%s", id, url.QueryEscape(de.In(s.localizer(c)))))
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/attempts/%d", v.ID))
}

// setQuizClosed answers the trainer's open/close buttons (page) and the API.
func (s *Server) setQuizClosed(c echo.Context, closed bool) (*attempt.QuizState, int64, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return nil, 0, err
	}
	st, err := s.attempts.SetQuizClosed(c.Request().Context(), actor(c), id, c.Param("quiz"), closed)
	return st, id, err
}

func (s *Server) quizOpenAPI(c echo.Context) error { return s.quizSetClosedAPI(c, false) }

func (s *Server) quizCloseAPI(c echo.Context) error { return s.quizSetClosedAPI(c, true) }

func (s *Server) quizSetClosedAPI(c echo.Context, closed bool) error {
	st, _, err := s.setQuizClosed(c, closed)
	return jsonOrError(c, http.StatusOK, st, err)
}

func (s *Server) quizOpen(c echo.Context) error { return s.quizSetClosed(c, false) }

func (s *Server) quizClose(c echo.Context) error { return s.quizSetClosed(c, true) }

func (s *Server) quizSetClosed(c echo.Context, closed bool) error {
	st, id, err := s.setQuizClosed(c, closed)
	if err != nil {
		return err
	}
	l := s.localizer(c)
	msg := l.T("quiz.opened")
	if closed {
		msg = l.T("quiz.closed_now", "Count", st.Finalised)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/sessions/%d/quizzes?msg=%s", id, url.QueryEscape(msg)))
}

func (s *Server) quizListAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	list, err := s.attempts.Quizzes(c.Request().Context(), actor(c), id, s.localizer(c).Lang)
	return jsonOrError(c, http.StatusOK, list, err)
}

func (s *Server) quizStartAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	lang, chosen := s.quizLanguage(c)
	v, created, err := s.attempts.StartIn(c.Request().Context(), actor(c), id, c.Param("quiz"), lang, chosen)
	return jsonOrError(c, createdOrOK(created), v, err)
}

// quizLanguage is the language an officer starts a quiz in: the one they chose
// (the start form's or the API's lang), which the quiz must have, else the
// one they read the site in, which falls back to the course's language.
func (s *Server) quizLanguage(c echo.Context) (lang string, chosen bool) {
	if lang = c.FormValue("lang"); lang != "" {
		return lang, true
	}
	return s.localizer(c).Lang, false
}
