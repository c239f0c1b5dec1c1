package store

import (
	"fmt"
	"strings"
)

// ReportFilter restricts a programme report; zero fields do not filter. Dates
// are session dates (YYYY-MM-DD, inclusive), compared as text: the column holds
// exactly that form, so the comparison is the same on SQLite and PostgreSQL.
type ReportFilter struct {
	From, To string
	Country  string // the agency's ISO 3166 code
	AgencyID *int64
	CourseID string
}

// ReportDim is what a report's counts are grouped by.
type ReportDim string

const (
	ByTotal   ReportDim = ""        // one row: the whole filtered set
	ByMonth   ReportDim = "month"   // the session date's YYYY-MM
	ByCountry ReportDim = "country" // the agency's country
	ByAgency  ReportDim = "agency"
	ByCourse  ReportDim = "course"
)

// ReportDims are the breakdowns every counting report has, in display order.
var ReportDims = []ReportDim{ByMonth, ByCountry, ByAgency, ByCourse}

// ReportRow is one group of a report: its key (a month, a country code, a
// course id; an agency's id in AgencyID with its name and country) and counts.
// N is the report's main count (distinct officers; enrolments for attendance),
// M its second (officers who attended), where it has one.
type ReportRow struct {
	Key      string
	AgencyID int64
	Name     string
	Country  string
	N        int
	M        int
}

// reportSource is one report's rows before grouping: its FROM clause (which
// joins agencies as ag), the condition every row meets, and the columns the
// filter and the groups read.
type reportSource struct {
	from, cond           string
	date, course, agency string
}

var (
	// trainedSource: attendance marked present or late. The officer's
	// agency is their current one (users.agency_id).
	trainedSource = reportSource{
		from: "attendances at JOIN training_sessions s ON s.id = at.session_id " +
			"JOIN users u ON u.id = at.user_id LEFT JOIN agencies ag ON ag.id = u.agency_id",
		cond: "at.status IN ('present', 'late')",
		date: "s.date", course: "s.course_id", agency: "u.agency_id",
	}
	// certifiedSource: certificates not revoked; a certificate carries its
	// session's date and course and the holder's agency as issued.
	certifiedSource = reportSource{
		from: "certificates c LEFT JOIN agencies ag ON ag.id = c.agency_id",
		cond: "c.status <> 'revoked'",
		date: "c.session_date", course: "c.course_id", agency: "c.agency_id",
	}
)

// where is the source's condition and the filter's, with their arguments.
func (src reportSource) where(f ReportFilter) (string, []any) {
	conds := []string{src.cond}
	var args []any
	if f.From != "" {
		conds, args = append(conds, src.date+" >= ?"), append(args, f.From)
	}
	if f.To != "" {
		conds, args = append(conds, src.date+" <= ?"), append(args, f.To)
	}
	if f.CourseID != "" {
		conds, args = append(conds, src.course+" = ?"), append(args, f.CourseID)
	}
	if f.AgencyID != nil {
		conds, args = append(conds, src.agency+" = ?"), append(args, *f.AgencyID)
	}
	if f.Country != "" {
		conds, args = append(conds, "ag.country = ?"), append(args, f.Country)
	}
	return strings.Join(conds, " AND "), args
}

// groupBy is the key columns a dimension selects (as key, agency_id, name,
// country) and groups by.
func (src reportSource) groupBy(dim ReportDim) (sel, group string) {
	switch dim {
	case ByMonth:
		return "substr(" + src.date + ", 1, 7) AS key", "substr(" + src.date + ", 1, 7)"
	case ByCountry:
		return "COALESCE(ag.country, '') AS key", "COALESCE(ag.country, '')"
	case ByAgency:
		return "COALESCE(ag.id, 0) AS agency_id, COALESCE(ag.name, '') AS name, COALESCE(ag.country, '') AS country",
			"COALESCE(ag.id, 0), COALESCE(ag.name, ''), COALESCE(ag.country, '')"
	case ByCourse:
		return src.course + " AS key", src.course
	}
	return "'' AS key", ""
}

// count runs one grouped count over a source: counts are the aggregate
// expressions, selected as n (and m).
func (q Q) count(what string, src reportSource, f ReportFilter, dim ReportDim, counts string) ([]ReportRow, error) {
	sel, group := src.groupBy(dim)
	where, args := src.where(f)
	sql := "SELECT " + sel + ", " + counts + " FROM " + src.from + " WHERE " + where
	if group != "" {
		sql += " GROUP BY " + group + " ORDER BY " + group
	}
	var rows []ReportRow
	if err := q.g.Raw(sql, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("report %s by %s: %w", what, dimName(dim), err)
	}
	if group == "" && len(rows) == 0 {
		rows = []ReportRow{{}}
	}
	return rows, nil
}

func dimName(d ReportDim) string {
	if d == ByTotal {
		return "total"
	}
	return string(d)
}

// TrainedOfficers counts distinct officers marked present or late, grouped by dim.
func (q Q) TrainedOfficers(f ReportFilter, dim ReportDim) ([]ReportRow, error) {
	return q.count("trained officers", trainedSource, f, dim, "COUNT(DISTINCT at.user_id) AS n")
}

// CertifiedOfficers counts distinct holders of certificates not revoked,
// grouped by dim.
func (q Q) CertifiedOfficers(f ReportFilter, dim ReportDim) ([]ReportRow, error) {
	return q.count("certified officers", certifiedSource, f, dim, "COUNT(DISTINCT c.user_id) AS n")
}
