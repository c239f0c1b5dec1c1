package web

import (
	"bytes"
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/attempt"
	"github.com/lectern-platform/lectern/internal/auth"
)

func (s *Server) apiListQuizzes(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	list, err := s.attempts.Quizzes(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list)
}

func (s *Server) apiStartAttempt(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, created, err := s.attempts.Start(c.Request().Context(), actor(c), id, c.Param("quiz"))
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return c.JSON(status, v)
}

func (s *Server) apiGetAttempt(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := s.attempts.Get(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) apiSaveAnswer(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in attempt.SaveInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	out, err := s.attempts.Save(c.Request().Context(), actor(c), id, c.Param("question"), in)
	if err != nil {
		return err
	}
	if out.Status == attempt.StatusLate {
		// Kept, but not counted: it waits for the trainer (docs/api.md).
		return c.JSON(http.StatusAccepted, out)
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiSubmitAttempt(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	res, err := s.attempts.Submit(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

func (s *Server) apiAnalysis(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	out, err := s.attempts.Analyse(c.Request().Context(), actor(c), id, c.Param("quiz"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiResultsCSV(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := s.attempts.WriteResultsCSV(c.Request().Context(), actor(c), id, &buf); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="session-`+c.Param("id")+`-results.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// apiGrantAttempts gives one officer extra attempts at a quiz (with a reason).
func (s *Server) apiGrantAttempts(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		UserID int64 `json:"user_id"`
		attempt.Exception
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	total, err := s.attempts.GrantAttempts(c.Request().Context(), actor(c), id, in.UserID, c.Param("quiz"), in.Exception)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"user_id": in.UserID, "quiz": c.Param("quiz"), "extra_attempts": total})
}

func (s *Server) apiExtendAttempt(c echo.Context) error {
	return s.apiChangeAttempt(c, s.attempts.Extend)
}
func (s *Server) apiReopenAttempt(c echo.Context) error {
	return s.apiChangeAttempt(c, s.attempts.Reopen)
}

func (s *Server) apiChangeAttempt(c echo.Context, change func(context.Context, *auth.Actor, int64, attempt.Exception) (*attempt.View, error)) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in attempt.Exception
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	v, err := change(c.Request().Context(), actor(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// apiAcceptLateAnswers counts an attempt's late answers ({"reason"}) and
// rescores it (the session's trainers and admins).
func (s *Server) apiAcceptLateAnswers(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in attempt.Exception
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	out, err := s.attempts.AcceptLateAnswers(c.Request().Context(), actor(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// apiRegrade previews ({}) or applies ({"confirm":"<content_hash of the preview>"})
// a regrade of a session's quiz.
func (s *Server) apiRegrade(c echo.Context) error {
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
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// apiEnterPaper records a paper result for an officer (the session's trainers).
func (s *Server) apiEnterPaper(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in attempt.PaperInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	r, err := s.attempts.EnterPaper(c.Request().Context(), actor(c), id, c.Param("quiz"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
