package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/attempt"
)

// attemptView is the quiz page: every question on one page, or one per screen.
type attemptView struct {
	Attempt   *attempt.View
	Questions []questionView
	OnePer    bool
	Index     int // 0-based, when OnePer
	Remaining string
	Until     string
	Error     string
	// ErrorAt is the question Error is about (the page opens at it and shows
	// the message beside its field); empty: about the attempt as a whole.
	ErrorAt string
	Review  map[string]attempt.ReviewItem
	// Unanswered are the ids of the questions with no answer saved, for the
	// script's confirmation before submitting (it sees one screen only).
	Unanswered string
}

type questionView struct {
	attempt.PublicQuestion
	Number   int
	Name     string // form field name
	Selected map[string]bool
	Text     string
	Review   *attempt.ReviewItem
	// Tolerance is the review's, dereferenced: templates cannot compare a *float64.
	Tolerance float64
}

func (s *Server) attemptShow(c echo.Context) error {
	return s.renderAttempt(c, http.StatusOK, "")
}

func (s *Server) renderAttempt(c echo.Context, status int, message string) error {
	return s.renderAttemptAt(c, status, message, "")
}

// renderAttemptAt shows the quiz page with a message about question qid (or the
// attempt, when empty). One question per screen, it opens at that question,
// else at the one the page was on: view and q come from the query of a GET and
// from the form of a post (its hidden fields).
func (s *Server) renderAttemptAt(c echo.Context, status int, message, qid string) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := s.attempts.Get(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	view := attemptView{Attempt: v, Error: message, ErrorAt: qid, OnePer: c.FormValue("view") == "one", Review: map[string]attempt.ReviewItem{},
		Unanswered: strings.Join(v.Unanswered(), " ")}
	for _, r := range v.Review {
		view.Review[r.QuestionID] = r
	}
	for i, q := range v.Questions {
		qv := questionView{PublicQuestion: q, Number: i + 1, Name: "q." + q.ID, Selected: map[string]bool{}}
		if saved, ok := v.Answers[q.ID]; ok {
			for _, ch := range saved.Answer.Choices {
				qv.Selected[ch] = true
			}
			if saved.Answer.Text != nil {
				qv.Text = *saved.Answer.Text
			}
			if saved.Answer.Number != nil {
				qv.Text = strconv.FormatFloat(*saved.Answer.Number, 'f', -1, 64)
			}
		}
		if r, ok := view.Review[q.ID]; ok {
			qv.Review = &r
			if r.Tolerance != nil {
				qv.Tolerance = *r.Tolerance
			}
		}
		view.Questions = append(view.Questions, qv)
	}
	if view.OnePer {
		view.Index, _ = strconv.Atoi(c.FormValue("q"))
		for i, q := range view.Questions {
			if q.ID == qid {
				view.Index = i
			}
		}
		view.Index = min(max(view.Index, 0), len(view.Questions)-1)
	}
	left := v.Deadline.Sub(v.ServerTime).Round(time.Minute)
	l := s.localizer(c)
	view.Remaining = l.Duration(max(left, 0))
	view.Until = l.Time(v.Deadline.UTC()) + " UTC"
	// The officer reads the deadline on the room's clock: the session's time zone.
	if ses, err := s.schedule.Session(c.Request().Context(), actor(c), v.SessionID); err == nil && ses.Location != nil {
		at := v.Deadline.In(ses.Location)
		view.Until = l.Time(at) + " UTC" + at.Format("-07:00")
	}
	return s.render(c, status, "attempt.html", l.T("quiz.title"), view)
}

// attemptRefused shows the attempt again with why a save or a submit was
// refused (closed, time up, a bad answer); other errors go to the error page.
func (s *Server) attemptRefused(c echo.Context, err error) error {
	return s.attemptRefusedAt(c, err, "")
}

// attemptRefusedAt is attemptRefused for the save of question qid: a bad
// answer is shown beside its field.
func (s *Server) attemptRefusedAt(c echo.Context, err error, qid string) error {
	if de, ok := refusal(err, apperr.CodeConflict, apperr.CodeInvalid); ok {
		if de.Code == apperr.CodeConflict {
			qid = "" // closed, time up: about the attempt, not the answer
		}
		return s.renderAttemptAt(c, domainStatus[de.Code], s.userMessage(c, de), qid)
	}
	return err
}

func (s *Server) attemptShowAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := s.attempts.Get(c.Request().Context(), actor(c), id)
	return jsonOrError(c, http.StatusOK, v, err)
}

func (s *Server) answerSaveAPI(c echo.Context) error {
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
