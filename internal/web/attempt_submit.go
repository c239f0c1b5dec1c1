package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/attempt"
	"github.com/lectern-platform/lectern/internal/course"
)

func (s *Server) attemptSubmitAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	res, err := s.attempts.Submit(c.Request().Context(), actor(c), id)
	return jsonOrError(c, http.StatusOK, res, err)
}

// attemptUpdate is the no-JavaScript path: it saves every answer in the form, then
// submits when asked, or goes back to the page (optionally the next question).
func (s *Server) attemptUpdate(c echo.Context) error {
	a := actor(c)
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := s.attempts.Get(ctx, a, id)
	if err != nil {
		return err
	}
	if v.Status == "open" {
		form, _ := c.FormParams()
		for i, q := range v.Questions {
			vals, present := form["q."+q.ID]
			if _, shown := form["shown."+q.ID]; !present && !shown {
				continue // not on this screen
			}
			in := attempt.SaveInput{}
			switch q.Type {
			case course.KindSingle, course.KindMultiple:
				in.Choices = []string{}
				for _, v := range vals {
					if v != "" {
						in.Choices = append(in.Choices, v)
					}
				}
			case course.KindShort:
				t := strings.Join(vals, " ")
				in.Text = &t
			case course.KindNumeric:
				raw := strings.ReplaceAll(strings.TrimSpace(strings.Join(vals, "")), ",", ".")
				if raw != "" {
					n, err := strconv.ParseFloat(raw, 64)
					if err != nil {
						return s.renderAttemptAt(c, http.StatusUnprocessableEntity, s.localizer(c).T("quiz.not_a_number", "Number", i+1), q.ID)
					}
					in.Number = &n
				}
			}
			if _, err := s.attempts.Save(ctx, a, id, q.ID, in); err != nil {
				return s.attemptRefusedAt(c, err, q.ID)
			}
		}
	}
	if c.FormValue("action") == "submit" {
		if v.Status == "open" && c.FormValue("confirm") != "1" {
			if blank, err := s.confirmBlanks(c, id); blank || err != nil {
				return err
			}
		}
		if _, err := s.attempts.Submit(ctx, a, id); err != nil {
			return s.attemptRefused(c, err) // the day closed: the page says so
		}
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/attempts/%d", id))
	}
	// Back to the page: at the question asked for (Previous, Next), else at
	// the one shown (Save).
	next := fmt.Sprintf("/attempts/%d", id)
	if c.FormValue("view") == "one" {
		q, err := strconv.Atoi(c.FormValue("goto"))
		if err != nil {
			q, _ = strconv.Atoi(c.FormValue("q"))
		}
		next += fmt.Sprintf("?view=one&q=%d", q)
	}
	return c.Redirect(http.StatusSeeOther, next+"#saved")
}

// attemptConfirmView asks, without JavaScript, whether to submit with
// questions left blank (the script asks on the page itself).
type attemptConfirmView struct {
	Attempt      *attempt.View
	Blank, Total int
	// Back is the page to answer them on: the first blank question, one per
	// screen when the officer was so.
	Back string
}

// confirmBlanks shows the confirmation page when the attempt, its answers
// just saved, still has blank questions; it reports whether it did.
func (s *Server) confirmBlanks(c echo.Context, id int64) (bool, error) {
	v, err := s.attempts.Get(c.Request().Context(), actor(c), id)
	if err != nil {
		return false, err
	}
	blank := v.Unanswered()
	if len(blank) == 0 || v.Status != "open" {
		return false, nil
	}
	back := fmt.Sprintf("/attempts/%d", id)
	if c.FormValue("view") == "one" {
		back += fmt.Sprintf("?view=one&q=%d", slices.IndexFunc(v.Questions, func(q attempt.PublicQuestion) bool { return q.ID == blank[0] }))
	}
	view := attemptConfirmView{Attempt: v, Blank: len(blank), Total: len(v.Questions), Back: back}
	return true, s.render(c, http.StatusOK, "attempt_confirm.html", s.localizer(c).T("quiz.title"), view)
}
