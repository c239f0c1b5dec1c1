package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/attempt"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/schedule"
)

func (s *Server) attemptExtend(c echo.Context) error {
	return s.attemptChange(c, "extend", s.attempts.Extend, "officers.extended")
}

func (s *Server) attemptReopen(c echo.Context) error {
	return s.attemptChange(c, "reopen", s.attempts.Reopen, "officers.reopened")
}

// attemptChange answers the "More time" and "Reopen" forms of one attempt.
func (s *Server) attemptChange(c echo.Context, form string, change func(context.Context, *auth.Actor, int64, attempt.Exception) (*attempt.View, error), done string) error {
	sessionID, attemptID, err := idParams(c, "id", "attempt")
	if err != nil {
		return err
	}
	minutes, _ := strconv.Atoi(strings.TrimSpace(c.FormValue("minutes"))) // not a number: 0, which the domain refuses
	v, err := change(c.Request().Context(), actor(c), attemptID,
		attempt.Exception{Reason: c.FormValue("reason"), Minutes: minutes, SessionID: sessionID, QuizID: c.Param("quiz")})
	if err != nil {
		return s.officersRefused(c, fmt.Sprintf("%s-%d", form, attemptID), err)
	}
	// The attempt is the path's (checked by the domain).
	return s.officersDone(c, v.SessionID, v.Quiz, ownerOf(v.ID), func(o *attempt.OfficerAttempts, ses *schedule.Session) string {
		return s.localizer(c).T(done, "Name", o.Name, "Number", v.Number, "Time", s.localizer(c).Time(v.Deadline.In(ses.Location)), "Offset", ses.UTCOffset)
	})
}

// attemptAcceptLate answers the "Accept late answers" form of one attempt.
func (s *Server) attemptAcceptLate(c echo.Context) error {
	sessionID, attemptID, err := idParams(c, "id", "attempt")
	if err != nil {
		return err
	}
	r, err := s.attempts.AcceptLateAnswers(c.Request().Context(), actor(c), attemptID,
		attempt.Exception{Reason: c.FormValue("reason"), SessionID: sessionID, QuizID: c.Param("quiz")})
	if err != nil {
		return s.officersRefused(c, fmt.Sprintf("late-%d", attemptID), err)
	}
	return s.officersDone(c, sessionID, c.Param("quiz"), ownerOf(attemptID), func(o *attempt.OfficerAttempts, _ *schedule.Session) string {
		return s.localizer(c).T("officers.late_accepted", "Name", o.Name, "Number", r.Number, "Count", r.Accepted, "Percent", s.localizer(c).Percentage(r.After.Percent))
	})
}

func ownerOf(attemptID int64) func(*attempt.QuizOfficers) *attempt.OfficerAttempts {
	return func(qo *attempt.QuizOfficers) *attempt.OfficerAttempts {
		for i := range qo.Officers {
			for _, at := range qo.Officers[i].Attempts {
				if at.ID == attemptID {
					return &qo.Officers[i]
				}
			}
		}
		return nil
	}
}

func (s *Server) attemptExtendAPI(c echo.Context) error {
	return attemptExceptionAPI(c, s.attempts.Extend)
}

func (s *Server) attemptReopenAPI(c echo.Context) error {
	return attemptExceptionAPI(c, s.attempts.Reopen)
}

// attemptAcceptLateAPI counts an attempt's late answers ({"reason"}) and
// rescores it (the session's trainers and admins).
func (s *Server) attemptAcceptLateAPI(c echo.Context) error {
	return attemptExceptionAPI(c, s.attempts.AcceptLateAnswers)
}

// attemptExceptionAPI answers the API of a trainer's exception to one attempt
// (more time, reopen, accept late answers): the attempt of the path and the
// exception of the body, passed to the domain's change.
func attemptExceptionAPI[T any](c echo.Context, change func(context.Context, *auth.Actor, int64, attempt.Exception) (T, error)) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in attempt.Exception
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	out, err := change(c.Request().Context(), actor(c), id, in)
	return jsonOrError(c, http.StatusOK, out, err)
}
