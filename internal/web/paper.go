package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/attempt"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/paper"
	"github.com/lectern-platform/lectern/internal/schedule"
	"github.com/lectern-platform/lectern/internal/typeset"
)

// paperView is the page on which a trainer enters one officer's paper result:
// what is marked on a printed version (its number first, then one input per
// printed question), or only the score.
type paperView struct {
	Session *schedule.Session
	Quiz    *attempt.QuizOfficers
	Officer *attempt.OfficerAttempts
	Agency  string
	Before  *attempt.OfficerAttempt // the paper result a new one replaces
	Version int                     // chosen, once the version number was valid
	Slots   []attempt.PaperSlot
	Mode    string // the form sent: "sheet" or "score"
	Values  map[string]string
	Errors  map[string]string
	// Other are the errors no input on the page stands for (a question number
	// not on the sheet), shown above the form.
	Other []string
}

// paperShow shows the choice of version (and the score form); with ?version=N,
// the inputs of that version's printed questions.
func (s *Server) paperShow(c echo.Context) error {
	v := paperView{Values: map[string]string{}, Errors: map[string]string{}}
	if raw, ok := c.QueryParams()["version"]; ok {
		v.Values["sheet.version"] = strings.TrimSpace(strings.Join(raw, ""))
	}
	return s.renderPaper(c, http.StatusOK, v)
}

func (s *Server) renderPaper(c echo.Context, status int, v paperView) error {
	ctx := c.Request().Context()
	ses, qo, err := s.quizOfficers(c, 0, c.Param("quiz"))
	if err != nil {
		return err
	}
	userID, err := idParam(c, "user")
	if err != nil {
		return err
	}
	v.Session, v.Quiz, v.Officer = ses, qo, byUser(userID)(qo)
	if v.Officer == nil {
		return apperr.NotFound("enrolment")
	}
	for i := range v.Officer.Attempts {
		if v.Officer.Attempts[i].OnPaper {
			v.Before = &v.Officer.Attempts[i]
		}
	}
	if v.Officer.AgencyID != nil {
		names, err := s.agencyNames(ctx, actor(c))
		if err != nil {
			return err
		}
		v.Agency = names[*v.Officer.AgencyID]
	}
	if raw, chosen := v.Values["sheet.version"]; chosen {
		n, _ := strconv.Atoi(raw) // not a number: 0, which the domain refuses
		v.Slots, err = s.attempts.PaperSlots(ctx, actor(c), ses.ID, qo.Quiz.ID, n)
		if errs, ok := s.formErrors(c, err); ok {
			for f, m := range errs {
				v.Errors[f] = m
			}
			status = max(status, http.StatusUnprocessableEntity)
		} else if err != nil {
			return err
		} else {
			v.Version = n
		}
	}
	shown := map[string]bool{"reason": true, "score": true, "sheet.version": true}
	for _, slot := range v.Slots {
		shown["sheet.answers."+strconv.Itoa(slot.Number)] = true
	}
	for f, m := range v.Errors {
		if !shown[f] {
			v.Other = append(v.Other, m)
		}
	}
	l := s.localizer(c)
	return s.render(c, status, "paper.html", l.T("paper.title", "Name", v.Officer.Name), v)
}

// paperEnter records the paper result. Nothing is stored unless the whole form
// is right; otherwise the page comes back with every value kept.
func (s *Server) paperEnter(c echo.Context) error {
	id, userID, err := idParams(c, "id", "user")
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	l := s.localizer(c)
	v := paperView{Mode: form.Get("mode"), Values: map[string]string{"reason": form.Get("reason")}, Errors: map[string]string{}}
	in := attempt.PaperInput{UserID: userID, Reason: strings.TrimSpace(form.Get("reason"))}
	if v.Mode == "score" {
		raw := strings.TrimSpace(form.Get("score"))
		v.Values["score"] = raw
		if x, err := strconv.ParseFloat(strings.Replace(raw, ",", ".", 1), 64); err == nil {
			in.Score = &x
		} else {
			v.Errors["score"] = l.T("paper.score_not_number")
		}
	} else {
		v.Mode = "sheet"
		v.Values["sheet.version"] = strings.TrimSpace(form.Get("sheet.version"))
		n, _ := strconv.Atoi(v.Values["sheet.version"]) // not a number: 0, which the domain refuses
		in.Sheet = &attempt.PaperSheet{Version: n, Answers: map[string]string{}}
		for name, vals := range form {
			if num, ok := strings.CutPrefix(name, "sheet.answers."); ok {
				in.Sheet.Answers[num] = strings.Join(vals, " ")
				v.Values[name] = strings.Join(vals, " ")
			}
		}
	}
	if len(v.Errors) > 0 {
		return s.renderPaper(c, http.StatusUnprocessableEntity, v)
	}
	res, err := s.attempts.EnterPaper(c.Request().Context(), actor(c), id, c.Param("quiz"), in)
	if errs, ok := s.formErrors(c, err); ok {
		v.Errors = errs
		de, _ := apperr.As(err)
		return s.renderPaper(c, domainStatus[de.Code], v)
	} else if err != nil {
		return err
	}
	return s.officersDone(c, id, c.Param("quiz"), byUser(userID), func(o *attempt.OfficerAttempts, _ *schedule.Session) string {
		msg := "paper.saved_not_passed"
		if res.Passed {
			msg = "paper.saved_passed"
		}
		return l.T(msg, "Name", o.Name, "Score", l.Number(res.Score), "Max", l.Number(res.MaxScore), "Percent", l.Percentage(res.Percent))
	})
}

// paperEnterAPI records a paper result for an officer (the session's trainers).
func (s *Server) paperEnterAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in attempt.PaperInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	r, err := s.attempts.EnterPaper(c.Request().Context(), actor(c), id, c.Param("quiz"), in)
	return jsonOrError(c, http.StatusOK, r, err)
}

// paperPrintAPI prints version ?version=N (default 1) of a session's quiz for a
// room without devices: the officers' question sheet, or with ?key=1 the
// trainer's answer key for that version. The session's trainers and admins only.
func (s *Server) paperPrintAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	version := 1
	if v := c.QueryParam("version"); v != "" {
		if version, err = strconv.Atoi(v); err != nil {
			version = 0 // refused by PaperQuiz like any version out of range, once it is known who asks
		}
	}
	key := c.QueryParam("key") == "1"
	// ?lang= words the sheet (and its key, to mark it with) in one of the
	// quiz's translations; without it, in the course's language.
	pq, err := s.attempts.PaperQuiz(c.Request().Context(), actor(c), id, c.Param("quiz"), version, key, strings.TrimSpace(c.QueryParam("lang")))
	if err != nil {
		return err
	}
	ts := pq.Session
	l := s.catalog.For(s.catalog.Match(pq.Quiz.Language))
	sheet := paper.QuizSheet{L: l, Programme: s.programme(), Course: pq.Course.Text(pq.Quiz.Language).Title, Quiz: pq.Quiz.Title, Date: ts.Date,
		Place:   typeset.Join(", ", ts.Venue, l.Place(ts.City, ts.Country)),
		Version: pq.Version, TimeLimit: pq.Quiz.TimeLimit, PassMark: pq.Quiz.PassMark, Intro: pq.Quiz.Intro,
		Questions: pq.Questions, Key: key}
	var doc bytes.Buffer
	if err := paper.WriteQuiz(&doc, sheet); err != nil {
		return err
	}
	name := fmt.Sprintf("quiz-%s-v%d.pdf", pq.Quiz.ID, pq.Version)
	if key {
		name = fmt.Sprintf("quiz-%s-v%d-key.pdf", pq.Quiz.ID, pq.Version)
	}
	setAttachment(c, name)
	return c.Blob(http.StatusOK, "application/pdf", doc.Bytes())
}

// programme is the training programme printed on the documents the server
// makes (certificates name it through certify's own setting).
func (s *Server) programme() string {
	if s.opts.Programme != "" {
		return s.opts.Programme
	}
	return certify.DefaultProgramme
}
