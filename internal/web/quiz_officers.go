package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/attempt"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/schedule"
)

// quizOfficersView is the trainer's page for one quiz in the room: each enrolled
// officer's attempts, the exceptions granted, and the forms to grant more.
type quizOfficersView struct {
	Session  *schedule.Session
	Quiz     *attempt.QuizOfficers
	Agencies map[int64]string
	Message  string
	// Problem is a refusal that no field stands for ("the attempt is no longer
	// open"): shown at the top, since its form may be gone from the page.
	Problem string
	// Form names the form a refusal came from ("grant-12", "extend-40",
	// "reopen-40"): it is shown open, with what was typed and the errors.
	Form   string
	Values map[string]string
	Errors map[string]string
}

func (s *Server) quizOfficerList(c echo.Context) error {
	return s.renderQuizOfficers(c, http.StatusOK, quizOfficersView{Message: c.QueryParam("msg")})
}

func (s *Server) renderQuizOfficers(c echo.Context, status int, v quizOfficersView) error {
	ses, qo, err := s.quizOfficers(c, 0, c.Param("quiz"))
	if err != nil {
		return err
	}
	v.Session, v.Quiz = ses, qo
	if v.Agencies, err = s.agencyNames(c.Request().Context(), actor(c)); err != nil {
		return err
	}
	return s.render(c, status, "quiz_officers.html", s.localizer(c).T("quiz_officers.title", "Quiz", qo.Quiz.Title), v)
}

// quizOfficers loads the session (the path's, unless sessionID is given) and its
// quiz's officers, through the domain's checks.
func (s *Server) quizOfficers(c echo.Context, sessionID int64, quizID string) (*schedule.Session, *attempt.QuizOfficers, error) {
	a, ctx, id, err := sessionScope(c)
	if sessionID != 0 {
		id, err = sessionID, nil // the caller's, not the path's
	}
	if err != nil {
		return nil, nil, err
	}
	ses, err := s.schedule.Session(ctx, a, id)
	if err != nil {
		return nil, nil, err
	}
	qo, err := s.attempts.QuizOfficers(ctx, a, ses.ID, quizID)
	if err != nil {
		return nil, nil, err
	}
	return ses, qo, nil
}

func (s *Server) agencyNames(ctx context.Context, a *auth.Actor) (map[int64]string, error) {
	list, err := s.accounts.Agencies(ctx, a)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(list))
	for _, ag := range list {
		out[ag.ID] = ag.Name
	}
	return out, nil
}

// attemptsGrant gives an officer extra attempts ("Extra attempt" form).
func (s *Server) attemptsGrant(c echo.Context) error {
	id, userID, err := idParams(c, "id", "user")
	if err != nil {
		return err
	}
	quizID := c.Param("quiz")
	n, _ := strconv.Atoi(strings.TrimSpace(c.FormValue("extra_attempts"))) // not a number: 0, which the domain refuses
	if _, err := s.attempts.GrantAttempts(c.Request().Context(), actor(c), id, userID, quizID, attempt.Exception{Reason: c.FormValue("reason"), ExtraAttempts: n}); err != nil {
		return s.officersRefused(c, fmt.Sprintf("grant-%d", userID), err)
	}
	return s.officersDone(c, id, quizID, byUser(userID), func(o *attempt.OfficerAttempts, _ *schedule.Session) string {
		return s.localizer(c).T("officers.granted", "Name", o.Name, "Count", o.AttemptsLeft())
	})
}

// byUser and ownerOf pick the officer a message is about.
func byUser(userID int64) func(*attempt.QuizOfficers) *attempt.OfficerAttempts {
	return func(qo *attempt.QuizOfficers) *attempt.OfficerAttempts {
		for i := range qo.Officers {
			if qo.Officers[i].UserID == userID {
				return &qo.Officers[i]
			}
		}
		return nil
	}
}

// officersRefused shows the page again after a refusal the trainer can act on
// (a missing reason, an attempt no longer open): the form open, what was typed
// kept, the errors beside it. Anything else is an error page.
func (s *Server) officersRefused(c echo.Context, form string, err error) error {
	errs, ok := s.formErrors(c, err)
	if !ok {
		return err
	}
	de, _ := apperr.As(err)
	problem := errs["_"]
	delete(errs, "_")
	return s.renderQuizOfficers(c, domainStatus[de.Code], quizOfficersView{Form: form, Problem: problem,
		Values: formValues(c, "extra_attempts", "minutes", "reason"), Errors: errs})
}

// officersDone returns to the page at the officer's row, with a message made
// from the officer's state after the change.
func (s *Server) officersDone(c echo.Context, sessionID int64, quizID string, pick func(*attempt.QuizOfficers) *attempt.OfficerAttempts,
	message func(*attempt.OfficerAttempts, *schedule.Session) string) error {
	ses, qo, err := s.quizOfficers(c, sessionID, quizID)
	if err != nil {
		return err
	}
	msg, anchor := s.localizer(c).T("officers.saved"), ""
	if o := pick(qo); o != nil {
		msg, anchor = message(o, ses), fmt.Sprintf("#u%d", o.UserID)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/sessions/%d/quizzes/%s/officers?msg=%s%s", ses.ID, url.PathEscape(qo.Quiz.ID), url.QueryEscape(msg), anchor))
}

// attemptsGrantAPI gives one officer extra attempts at a quiz (with a reason).
func (s *Server) attemptsGrantAPI(c echo.Context) error {
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
