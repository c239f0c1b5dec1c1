package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/attempt"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/schedule"
)

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
	Erased  bool
	ByQuiz  map[string]attempt.ResultRow
	AllPass bool
}

// resultsLiveSeconds is how often a live results page updates itself.
var resultsLiveSeconds = 20 // a variable for the tests

func (s *Server) resultsShow(c echo.Context) error {
	a, ctx, ses, err := s.sessionFromPath(c)
	if err != nil {
		return err
	}
	id := ses.ID
	rows, quizzes, err := s.attempts.Results(ctx, a, id, s.localizer(c).Lang)
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
			v.Officers = append(v.Officers, officerResults{Name: r.Name, Erased: r.Erased, ByQuiz: map[string]attempt.ResultRow{}, AllPass: true})
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
	v.Live = !ses.Ended()
	v.LiveSeconds = resultsLiveSeconds
	return s.render(c, http.StatusOK, "results.html", s.localizer(c).T("results.title"), v)
}

// barWidth scales a 0–1 share to the chart's 300-unit width.
func barWidth(f float64) int { return int(f*300 + 0.5) }

func (s *Server) analysisShowAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	out, err := s.attempts.Analyse(c.Request().Context(), actor(c), id, c.Param("quiz"))
	return jsonOrError(c, http.StatusOK, out, err)
}

func (s *Server) resultsExportAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := s.attempts.WriteResultsCSV(c.Request().Context(), actor(c), id, &buf, s.localizer(c).T("user.erased")); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="session-`+c.Param("id")+`-results.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// facilityChart draws the share of officers who got each question right as a
// horizontal bar chart in SVG: drawn on the server, so no chart library reaches
// the browser. Its label and percentages are the reader's language's.
func facilityChart(an *attempt.Analysis, l *i18n.Localizer) template.HTML {
	const rowH, labelW, barW = 28, 48, 300
	height := len(an.Items)*rowH + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="bars" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s">`, labelW+barW+70, height, template.HTMLEscapeString(l.T("results.chart_caption")))
	for i, it := range an.Items {
		y := 5 + i*rowH
		w := barWidth(it.Facility)
		class := "bar"
		if it.Facility < 0.3 {
			class = "bar low"
		}
		fmt.Fprintf(&b, `<text x="0" y="%d" class="lbl">Q%d</text>`, y+18, it.Number)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="20" class="track"/>`, labelW, y+3, barW)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="20" class="%s"/>`, labelW, y+3, w, class)
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="val">%s</text>`, labelW+barW+8, y+18, template.HTMLEscapeString(l.Percent(it.Facility, 0)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
