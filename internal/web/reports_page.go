package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/report"
	"github.com/lectern-platform/lectern/internal/sheet"
)

// The /reports page draws each programme report as a chart with its numbers in
// a table, and offers each table as CSV and XLSX at /reports/{name}.csv|.xlsx
// with the page's filter. One reportTable feeds the table, the chart's numbers
// and the exports, so the three never disagree.
//
// Accessibility: the chart is role="img" with a short name (its title) and a
// description pointing at the table; the table (captioned, with header cells)
// is the accessible equivalent. The SVG is not hidden, so a screen-reader user
// who also sees the screen hears what the picture is, but its bars are not
// read one by one: every number is read once, from the table.

// reportTable is one report: typed rows, so the page writes each value in the
// reader's language and the XLSX keeps its type.
type reportTable struct {
	Name    string // in the export's address
	Title   string
	Columns []sheet.Column
	Rows    [][]any
	Chart   template.HTML
}

// reportCell is one value as the page shows it.
type reportCell struct {
	Text string
	// Num right-aligns a number (tabular figures); Data marks a name (dir=auto).
	Num, Data bool
}

// Cells are the table's rows in the reader's language.
func (t reportTable) Cells(l *i18n.Localizer) [][]reportCell {
	out := make([][]reportCell, len(t.Rows))
	for i, row := range t.Rows {
		out[i] = make([]reportCell, len(row))
		for j, v := range row {
			out[i][j] = formatCell(l, t.Columns[j].Kind, v)
		}
	}
	return out
}

func formatCell(l *i18n.Localizer, k sheet.Kind, v any) reportCell {
	if v == nil {
		return reportCell{Text: "—"}
	}
	switch k {
	case sheet.Int, sheet.Number:
		return reportCell{Text: l.Number(v), Num: true}
	case sheet.Percent:
		return reportCell{Text: l.Percent(v.(float64), 1), Num: true}
	case sheet.Month:
		return reportCell{Text: l.MonthYear(v.(time.Time))}
	case sheet.Date:
		return reportCell{Text: l.Date(v.(time.Time))}
	}
	s, _ := v.(string)
	return reportCell{Text: s, Data: true}
}

func (t reportTable) sheet() sheet.Table {
	return sheet.Table{Name: t.Title, Columns: t.Columns, Rows: func(emit func([]any) error) error {
		for _, r := range t.Rows {
			if err := emit(r); err != nil {
				return err
			}
		}
		return nil
	}}
}

// reportNamesPage are the tables the page shows, in its order; each is also
// an export.
var reportNamesPage = []string{"months", "countries", "agencies", "courses", "quizzes", "questions", "certificates"}

type reportsView struct {
	Filter    report.Filter
	Query     string // the filter as a query string, for the export links
	Errors    map[string]string
	Tables    []reportTable
	Countries []string
	Agencies  []auth.Agency
	Courses   []reportOption
	// ChooseAgency is false for a coordinator, whose agency is fixed; Agency
	// is the one chosen (0: all).
	ChooseAgency bool
	Agency       int64
}

type reportOption struct{ Value, Label string }

func (s *Server) reportsPage(c echo.Context) error {
	a := actor(c)
	if err := auth.Authorize(a, auth.ActReportRead); err != nil {
		return err
	}
	l := s.localizer(c)
	v := reportsView{ChooseAgency: a.AgencyScope() == nil}
	if err := s.reportChoices(c.Request().Context(), a, l, &v); err != nil {
		return err
	}
	f, err := report.ParseFilter(reportParams(c))
	v.Filter = f
	if f.AgencyID != nil {
		v.Agency = *f.AgencyID
	}
	if errs, ok := s.formErrors(c, err); ok {
		v.Errors = errs
		return s.render(c, http.StatusBadRequest, "reports.html", l.T("reports.title"), v)
	} else if err != nil {
		return err
	}
	v.Query = reportQuery(f, a)
	fig, err := s.reportFigures(c.Request().Context(), a, f, reportNamesPage...)
	if err != nil {
		return err
	}
	for _, name := range reportNamesPage {
		t, err := s.reportTable(l, fig, name)
		if err != nil {
			return err
		}
		v.Tables = append(v.Tables, t)
	}
	return s.render(c, http.StatusOK, "reports.html", l.T("reports.title"), v)
}

// reportExport answers /reports/{name}.csv and .xlsx: the page's table, with
// the same filter, headers in the reader's language.
func (s *Server) reportExport(c echo.Context) error {
	name, ext, _ := strings.Cut(c.Param("file"), ".")
	format := sheet.Format(ext)
	if !slices.Contains(reportNamesPage, name) || (format != sheet.CSV && format != sheet.XLSX) {
		return apperr.NotFound("report")
	}
	a := actor(c)
	if err := auth.Authorize(a, auth.ActReportRead); err != nil {
		return err
	}
	f, err := reportFilter(c)
	if err != nil {
		return err
	}
	fig, err := s.reportFigures(c.Request().Context(), a, f, name)
	if err != nil {
		return err
	}
	t, err := s.reportTable(s.localizer(c), fig, name)
	if err != nil {
		return err
	}
	res := c.Response()
	res.Header().Set(echo.HeaderContentType, format.ContentType())
	res.Header().Set(echo.HeaderContentDisposition, `attachment; filename="report-`+name+`.`+ext+`"`)
	res.WriteHeader(http.StatusOK)
	// The headers are gone once rows stream: a failure now can only cut the
	// download short, so it is logged rather than answered.
	if err := sheet.Write(res, format, t.sheet()); err != nil {
		s.log.Error("report export", "report", name, "format", ext, "err", err)
	}
	return nil
}

func reportParams(c echo.Context) report.Params {
	return report.Params{From: c.QueryParam(report.ParamFrom), To: c.QueryParam(report.ParamTo),
		Country: c.QueryParam(report.ParamCountry), Agency: c.QueryParam(report.ParamAgency), Course: c.QueryParam(report.ParamCourse)}
}

// reportQuery is the filter as the export links carry it; a coordinator's
// agency is implied, so it is left out.
func reportQuery(f report.Filter, a *auth.Actor) string {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set(report.ParamFrom, f.From)
	set(report.ParamTo, f.To)
	set(report.ParamCountry, f.Country)
	set(report.ParamCourse, f.CourseID)
	if f.AgencyID != nil && a.AgencyScope() == nil {
		set(report.ParamAgency, strconv.FormatInt(*f.AgencyID, 10))
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// reportChoices fills the filter form's lists: the agencies the actor sees
// and their countries, and the courses.
func (s *Server) reportChoices(ctx context.Context, a *auth.Actor, l *i18n.Localizer, v *reportsView) error {
	agencies, err := s.accounts.Agencies(ctx, a)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, ag := range agencies {
		if !seen[ag.Country] {
			seen[ag.Country] = true
			v.Countries = append(v.Countries, ag.Country)
		}
	}
	slices.SortFunc(v.Countries, func(x, y string) int { return strings.Compare(l.Country(x), l.Country(y)) })
	if v.ChooseAgency {
		v.Agencies = agencies
	}
	for _, c := range s.library.Courses() {
		v.Courses = append(v.Courses, reportOption{Value: c.ID, Label: c.Title})
	}
	return nil
}
