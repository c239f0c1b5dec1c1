package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/attempt"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/schedule"
	"github.com/lectern-platform/lectern/internal/store"
)

type quizzesView struct {
	Session   *schedule.Session
	Quizzes   []attempt.QuizInfo
	CanManage bool
	Message   string
}

func (s *Server) quizzesPage(c echo.Context) error {
	a := actor(c)
	ctx := c.Request().Context()
	ses, err := s.sessionFromPath(c)
	if err != nil {
		return err
	}
	id := ses.ID
	list, err := s.attempts.Quizzes(ctx, a, id)
	if err != nil {
		return err
	}
	v := quizzesView{Session: ses, Quizzes: list, CanManage: a.CanManageSession(ses.TrainerIDs), Message: c.QueryParam("msg")}
	return s.render(c, http.StatusOK, "quizzes.html", s.localizer(c).T("quiz.list_title"), v)
}

func (s *Server) startQuizSubmit(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, _, err := s.attempts.Start(c.Request().Context(), actor(c), id, c.Param("quiz"))
	if de, ok := apperr.As(err); ok && de.Code == apperr.CodeConflict {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/sessions/%d/quizzes?msg=%s", id, url.QueryEscape(de.Message)))
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/attempts/%d", v.ID))
}

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

func (s *Server) attemptPage(c echo.Context) error {
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
	view.Remaining = formatDuration(max(left, 0))
	view.Until = v.Deadline.UTC().Format("15:04 UTC")
	// The officer reads the deadline on the room's clock: the session's time zone.
	if ses, err := s.schedule.Session(c.Request().Context(), actor(c), v.SessionID); err == nil && ses.Location != nil {
		view.Until = v.Deadline.In(ses.Location).Format("15:04 UTC-07:00")
	}
	return s.render(c, status, "attempt.html", s.localizer(c).T("quiz.title"), view)
}

// attemptSubmit is the no-JavaScript path: it saves every answer in the form, then
// submits when asked, or goes back to the page (optionally the next question).
func (s *Server) attemptSubmit(c echo.Context) error {
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

// attemptRefused shows the attempt again with why a save or a submit was
// refused (closed, time up, a bad answer); other errors go to the error page.
func (s *Server) attemptRefused(c echo.Context, err error) error {
	return s.attemptRefusedAt(c, err, "")
}

// attemptRefusedAt is attemptRefused for the save of question qid: a bad
// answer is shown beside its field.
func (s *Server) attemptRefusedAt(c echo.Context, err error, qid string) error {
	if de, ok := apperr.As(err); ok && (de.Code == apperr.CodeConflict || de.Code == apperr.CodeInvalid) {
		if de.Code == apperr.CodeConflict {
			qid = "" // closed, time up: about the attempt, not the answer
		}
		return s.renderAttemptAt(c, domainStatus[de.Code], userMessage(de), qid)
	}
	return err
}

// resultsView is the trainer's live results: officers × quizzes, and per quiz the
// item analysis as a table and a bar chart.
type resultsView struct {
	Session   *schedule.Session
	Quizzes   []attempt.QuizInfo
	Officers  []officerResults
	Analyses  []*attempt.Analysis
	CanManage bool // links each quiz to its officers page
	// Live: the session runs, and results.js updates the page in place every
	// LiveSeconds; a closed or cancelled session's results are final.
	Live        bool
	LiveSeconds int
}

type officerResults struct {
	Name    string
	ByQuiz  map[string]attempt.ResultRow
	AllPass bool
}

// resultsLiveSeconds is how often a live results page updates itself.
var resultsLiveSeconds = 20 // a variable for the tests

func (s *Server) resultsPage(c echo.Context) error {
	a := actor(c)
	ctx := c.Request().Context()
	ses, err := s.sessionFromPath(c)
	if err != nil {
		return err
	}
	id := ses.ID
	rows, quizzes, err := s.attempts.Results(ctx, a, id)
	if err != nil {
		return err
	}
	v := resultsView{Session: ses, Quizzes: quizzes}
	index := map[int64]int{}
	for _, r := range rows {
		i, ok := index[r.UserID]
		if !ok {
			i = len(v.Officers)
			index[r.UserID] = i
			v.Officers = append(v.Officers, officerResults{Name: r.Name, ByQuiz: map[string]attempt.ResultRow{}, AllPass: true})
		}
		v.Officers[i].ByQuiz[r.Quiz] = r
		v.Officers[i].AllPass = v.Officers[i].AllPass && r.Passed
	}
	v.CanManage = a.CanManageSession(ses.TrainerIDs)
	if v.CanManage {
		for _, q := range quizzes {
			an, err := s.attempts.Analyse(ctx, a, id, q.ID)
			if err != nil {
				return err
			}
			v.Analyses = append(v.Analyses, an)
		}
	}
	v.Live = ses.Status != schedule.StatusClosed && ses.Status != schedule.StatusCancelled
	v.LiveSeconds = resultsLiveSeconds
	return s.render(c, http.StatusOK, "results.html", s.localizer(c).T("results.title"), v)
}

// barWidth scales a 0–1 share to the chart's 300-unit width.
func barWidth(f float64) int { return int(f*300 + 0.5) }

// setQuizClosed answers the trainer's open/close buttons (page) and the API.
func (s *Server) setQuizClosed(c echo.Context, closed bool) (*attempt.QuizState, int64, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return nil, 0, err
	}
	st, err := s.attempts.SetQuizClosed(c.Request().Context(), actor(c), id, c.Param("quiz"), closed)
	return st, id, err
}

func (s *Server) apiOpenQuiz(c echo.Context) error  { return s.apiQuizState(c, false) }
func (s *Server) apiCloseQuiz(c echo.Context) error { return s.apiQuizState(c, true) }

func (s *Server) apiQuizState(c echo.Context, closed bool) error {
	st, _, err := s.setQuizClosed(c, closed)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

func (s *Server) openQuizSubmit(c echo.Context) error  { return s.quizStateSubmit(c, false) }
func (s *Server) closeQuizSubmit(c echo.Context) error { return s.quizStateSubmit(c, true) }

func (s *Server) quizStateSubmit(c echo.Context, closed bool) error {
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

// regradeView is the trainer's regrade preview: every submitted attempt before and
// after, with the version to confirm.
type regradeView struct {
	Session  *schedule.Session
	Regrade  *attempt.Regrade
	Versions []store.CourseVersionInfo // to choose another to regrade against
	Current  string                    // the course version served now
	Notice   string                    // why the version asked for is not shown
	Reason   string
	Error    string
	// QuizTitle names the quiz under the heading.
	QuizTitle string
}

// regradePage previews a regrade against the quiz as the course has it now.
func (s *Server) regradePage(c echo.Context) error {
	return s.renderRegrade(c, http.StatusOK, regradeView{})
}

func (s *Server) renderRegrade(c echo.Context, status int, v regradeView) error {
	ses, err := s.sessionFromPath(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	r, err := s.attempts.RegradeQuiz(ctx, actor(c), ses.ID, c.Param("quiz"), attempt.RegradeInput{Version: c.FormValue("version")})
	if de, ok := apperr.As(err); ok && de.Code == apperr.CodeInvalid && status == http.StatusOK {
		// An unknown version in the URL: show the current one, saying why.
		v.Notice = userMessage(de)
		r, err = s.attempts.RegradeQuiz(ctx, actor(c), ses.ID, c.Param("quiz"), attempt.RegradeInput{})
	}
	if err != nil {
		return err
	}
	if v.Versions, err = s.attempts.CourseVersions(ctx, actor(c), ses.ID); err != nil {
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

// regradeSubmit applies the previewed regrade (the form carries its content
// hash); without a reason the preview comes back saying so.
func (s *Server) regradeSubmit(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	reason := c.FormValue("reason")
	r, err := s.attempts.RegradeQuiz(c.Request().Context(), actor(c), id, c.Param("quiz"),
		attempt.RegradeInput{Version: c.FormValue("version"), Confirm: c.FormValue("confirm"), Reason: reason})
	if de, ok := apperr.As(err); ok && de.Code == apperr.CodeInvalid {
		return s.renderRegrade(c, http.StatusUnprocessableEntity, regradeView{Reason: reason, Error: userMessage(de)})
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
	} else if ses, err := s.schedule.Session(c.Request().Context(), actor(c), id); err == nil && ses.Status == "closed" {
		msg += " " + l.T("regrade.done_closed")
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/sessions/%d/quizzes?msg=%s", id, url.QueryEscape(msg)))
}
