package web

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/chart"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/report"
	"github.com/lectern-platform/lectern/internal/sheet"
)

// reportFigures are the service's reports for one filter, each asked at most
// once per request, and only when a table needs it.
type reportFigures struct {
	trained, certified *report.Officers
	attendance         *report.Attendance
	quizzes            *report.Quizzes
	questions          *report.Questions
	certificates       *report.Certificates
}

// reportFigures asks the service for what the named tables need.
func (s *Server) reportFigures(ctx context.Context, a *auth.Actor, f report.Filter, names ...string) (*reportFigures, error) {
	var fig reportFigures
	var err error
	need := func(ns ...string) bool {
		return slices.ContainsFunc(names, func(n string) bool { return slices.Contains(ns, n) })
	}
	if need("months", "countries", "agencies", "courses") {
		if fig.trained, err = s.reports.Trained(ctx, a, f); err != nil {
			return nil, err
		}
		if fig.certified, err = s.reports.Certified(ctx, a, f); err != nil {
			return nil, err
		}
		if fig.attendance, err = s.reports.Attendance(ctx, a, f); err != nil {
			return nil, err
		}
	}
	if need("quizzes") {
		if fig.quizzes, err = s.reports.Quizzes(ctx, a, f); err != nil {
			return nil, err
		}
	}
	if need("questions") {
		if fig.questions, err = s.reports.Questions(ctx, a, f); err != nil {
			return nil, err
		}
	}
	if need("certificates") {
		if fig.certificates, err = s.reports.Certificates(ctx, a, f); err != nil {
			return nil, err
		}
	}
	return &fig, nil
}

// reportTable builds one named table, and its chart, from the figures.
func (s *Server) reportTable(l *i18n.Localizer, fig *reportFigures, name string) (reportTable, error) {
	t := reportTable{Name: name, Title: l.T("reports." + name + "_title")}
	o := chartOptions(l, t)
	var err error
	switch name {
	case "months", "countries", "agencies", "courses":
		return s.groupTable(l, fig, t)
	case "quizzes":
		t.Columns = []sheet.Column{{Header: l.T("reports.col_course"), Kind: sheet.Text}, {Header: l.T("reports.col_quiz"), Kind: sheet.Text},
			{Header: l.T("reports.col_officers"), Kind: sheet.Int}, {Header: l.T("reports.col_passed"), Kind: sheet.Int}, {Header: l.T("reports.col_pass_rate"), Kind: sheet.Percent}}
		var bars []chart.Bar
		for _, q := range fig.quizzes.Quizzes {
			title := cmpOr(q.Title, q.Quiz)
			t.Rows = append(t.Rows, []any{s.courseTitle(q.Course), title, q.Officers, q.Passed, q.Rate})
			bars = append(bars, chart.Bar{Label: title, Value: q.Rate})
		}
		o.Max, o.Desc = 1, l.T("reports.chart_desc_quizzes")
		o.Format = func(v float64) string { return l.Percent(v, 0) }
		t.Chart, err = chart.Bars(bars, o)
	case "questions":
		t.Columns = []sheet.Column{{Header: l.T("reports.col_course"), Kind: sheet.Text}, {Header: l.T("reports.col_quiz"), Kind: sheet.Text},
			{Header: l.T("reports.col_question"), Kind: sheet.Text}, {Header: l.T("reports.col_responses"), Kind: sheet.Int}, {Header: l.T("results.facility"), Kind: sheet.Percent}}
		var bars []chart.Bar
		for _, q := range fig.questions.Questions {
			quiz, question := s.questionTitles(q.Course, q.Quiz, q.Question)
			t.Rows = append(t.Rows, []any{s.courseTitle(q.Course), quiz, question, q.Responses, q.Facility})
			// The questions come lowest first: the chart shows those that
			// most need a look; the table has them all.
			if len(bars) < reportChartQuestions {
				bars = append(bars, chart.Bar{Label: question, Value: q.Facility})
			}
		}
		o.Max, o.Desc = 1, l.T("reports.chart_desc_questions", "Count", reportChartQuestions)
		o.Format = func(v float64) string { return l.Percent(v, 0) }
		t.Chart, err = chart.Bars(bars, o)
	case "certificates":
		c := fig.certificates
		t.Columns = []sheet.Column{{Header: l.T("reports.col_course"), Kind: sheet.Text},
			{Header: l.T("certificate.status.valid"), Kind: sheet.Int}, {Header: l.T("certificate.status.expiring"), Kind: sheet.Int},
			{Header: l.T("certificate.status.expired"), Kind: sheet.Int}, {Header: l.T("certificate.status.revoked"), Kind: sheet.Int},
			{Header: l.T("reports.col_total"), Kind: sheet.Int}}
		for _, st := range c.ByCourse {
			t.Rows = append(t.Rows, []any{cmpOr(st.Name, st.Key), st.Valid, st.Expiring, st.Expired, st.Revoked, st.Total})
		}
		if len(t.Rows) > 0 {
			o := c.Overall
			t.Rows = append(t.Rows, []any{l.T("reports.all_courses"), o.Valid, o.Expiring, o.Expired, o.Revoked, o.Total})
		}
		o.Desc = l.T("reports.chart_desc")
		t.Chart, err = chart.Stacked([]chart.Segment{
			{Label: l.T("certificate.status.valid"), Value: float64(c.Overall.Valid), Tone: chart.ToneOK},
			{Label: l.T("certificate.status.expiring"), Value: float64(c.Overall.Expiring), Tone: chart.ToneWarn},
			{Label: l.T("certificate.status.expired"), Value: float64(c.Overall.Expired), Tone: chart.ToneMuted},
			{Label: l.T("certificate.status.revoked"), Value: float64(c.Overall.Revoked), Tone: chart.ToneBad},
		}, o)
	default:
		return reportTable{}, apperr.NotFound("report")
	}
	return t, err
}

// reportChartQuestions is how many questions the facility chart shows.
const reportChartQuestions = 10

// groupTable is officers trained and certified, and attendance, by one
// dimension (month, country, agency, course): columns with a line for months,
// bars of officers trained for the others.
func (s *Server) groupTable(l *i18n.Localizer, fig *reportFigures, t reportTable) (reportTable, error) {
	var rows []groupRow
	var names []sheet.Column
	switch t.Name {
	case "months":
		rows = joinGroups(fig.trained.ByMonth, fig.certified.ByMonth, fig.attendance.ByMonth)
		slices.SortFunc(rows, func(x, y groupRow) int { return strings.Compare(x.Key, y.Key) })
		names = []sheet.Column{{Header: l.T("reports.col_month"), Kind: sheet.Month}}
	case "countries":
		rows = joinGroups(fig.trained.ByCountry, fig.certified.ByCountry, fig.attendance.ByCountry)
		names = []sheet.Column{{Header: l.T("field.country"), Kind: sheet.Text}}
	case "agencies":
		rows = joinGroups(fig.trained.ByAgency, fig.certified.ByAgency, fig.attendance.ByAgency)
		names = []sheet.Column{{Header: l.T("reports.col_agency"), Kind: sheet.Text}, {Header: l.T("field.country"), Kind: sheet.Text}}
	default:
		rows = joinGroups(fig.trained.ByCourse, fig.certified.ByCourse, fig.attendance.ByCourse)
		names = []sheet.Column{{Header: l.T("reports.col_course"), Kind: sheet.Text}}
	}
	t.Columns = append(names, sheet.Column{Header: l.T("reports.col_trained"), Kind: sheet.Int}, sheet.Column{Header: l.T("reports.col_certified"), Kind: sheet.Int},
		sheet.Column{Header: l.T("reports.col_enrolled"), Kind: sheet.Int}, sheet.Column{Header: l.T("reports.col_attended"), Kind: sheet.Int},
		sheet.Column{Header: l.T("reports.col_attendance_rate"), Kind: sheet.Percent})
	var labels []string
	var trained, certified []float64
	var bars []chart.Bar
	for _, r := range rows {
		var name []any
		switch t.Name {
		case "months":
			m, err := time.Parse("2006-01", r.Key)
			if err != nil {
				return reportTable{}, err
			}
			name = []any{m}
			labels = append(labels, l.MonthYear(m))
		case "countries":
			name = []any{l.Country(r.Key)}
		case "agencies":
			name = []any{r.Name, l.Country(r.Country)}
		default:
			name = []any{cmpOr(r.Name, r.Key)}
		}
		var rate any // no seats, no rate: "—", not 0 %
		if r.Enrolled > 0 {
			rate = r.Rate
		}
		t.Rows = append(t.Rows, append(name, r.Trained, r.Certified, r.Enrolled, r.Attended, rate))
		trained, certified = append(trained, float64(r.Trained)), append(certified, float64(r.Certified))
		if label, ok := name[0].(string); ok {
			bars = append(bars, chart.Bar{Label: label, Value: float64(r.Trained)})
		}
	}
	o := chartOptions(l, t)
	var err error
	if t.Name == "months" {
		t.Chart, err = chart.Columns(labels, chart.Series{Name: l.T("reports.col_trained"), Values: trained},
			chart.Series{Name: l.T("reports.col_certified"), Values: certified}, o)
	} else {
		o.Desc = l.T("reports.chart_desc_bars")
		t.Chart, err = chart.Bars(bars, o)
	}
	return t, err
}

func chartOptions(l *i18n.Localizer, t reportTable) chart.Options {
	return chart.Options{ID: "chart-" + t.Name, Title: t.Title, Desc: l.T("reports.chart_desc"), RTL: l.Dir() == "rtl",
		Format: func(v float64) string { return l.Number(v) }}
}

// groupRow is one group's officers trained and certified and its attendance.
type groupRow struct {
	Key, Name, Country                     string
	Trained, Certified, Enrolled, Attended int
	Rate                                   float64
}

// joinGroups joins the three breakdowns of one dimension by key, in the
// trained officers' order, then the keys only the others have.
func joinGroups(trained, certified []report.Group, attendance []report.Rate) []groupRow {
	index := map[string]int{}
	var out []groupRow
	row := func(key, name, country string) *groupRow {
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, groupRow{Key: key, Name: name, Country: country})
		}
		return &out[i]
	}
	for _, g := range trained {
		row(g.Key, g.Name, g.Country).Trained = g.Officers
	}
	for _, g := range certified {
		row(g.Key, g.Name, g.Country).Certified = g.Officers
	}
	for _, r := range attendance {
		g := row(r.Key, r.Name, r.Country)
		g.Enrolled, g.Attended, g.Rate = r.Enrolled, r.Attended, r.Rate
	}
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// courseTitle is a course's title in the library, else its id (a course since
// removed still has its figures).
func (s *Server) courseTitle(id string) string {
	if c, ok := s.library.Course(id); ok {
		return c.Title
	}
	return id
}

// questionTitles are a quiz's title and a question's heading, as the library
// holds them, else their ids.
func (s *Server) questionTitles(courseID, quizID, questionID string) (quiz, question string) {
	quiz, question = quizID, questionID
	c, ok := s.library.Course(courseID)
	if !ok {
		return quiz, question
	}
	for _, q := range c.Quizzes() {
		if q.ID != quizID {
			continue
		}
		quiz = cmpOr(q.Title, quizID)
		for _, qu := range q.Questions {
			if qu.ID == questionID {
				question = cmpOr(qu.Title(), questionID)
			}
		}
	}
	return quiz, question
}
