package store

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
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

// reportSource is one report's rows before grouping: its FROM clause, the
// joins that reach the officer's agency (as ag) — added only when a filter or
// a group needs it: most reports need none, and they are a lookup or two
// per row —, the condition every row meets, and the columns the filter and
// the groups read.
type reportSource struct {
	from, people, cond   string
	date, course, agency string
}

// tables is the source's FROM clause for a filter and a grouping.
func (src reportSource) tables(f ReportFilter, dim ReportDim) string {
	if f.Country != "" || (f.AgencyID != nil && strings.HasPrefix(src.agency, "u.")) || dim == ByCountry || dim == ByAgency {
		return src.from + " " + src.people
	}
	return src.from
}

// officerPeople joins an officer's (alias u, user_id column given) agency.
func officerPeople(userID string) string {
	return "JOIN users u ON u.id = " + userID + " LEFT JOIN agencies ag ON ag.id = u.agency_id"
}

var (
	// trainedSource: attendance marked present or late. The officer's
	// agency is their current one (users.agency_id).
	trainedSource = reportSource{
		from:   "attendances at JOIN training_sessions s ON s.id = at.session_id",
		people: officerPeople("at.user_id"),
		cond:   "at.status IN ('present', 'late')",
		date:   "s.date", course: "s.course_id", agency: "u.agency_id",
	}
	// certifiedSource: certificates not revoked; a certificate carries its
	// session's date and course and the holder's agency as issued.
	certifiedSource = reportSource{
		from: "certificates c", people: "LEFT JOIN agencies ag ON ag.id = c.agency_id",
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

// reportSQL, when set (by store's tests), sees each report query before it
// runs: the query-plan test reads their plans with EXPLAIN QUERY PLAN.
var reportSQL func(sql string, args []any)

func (q Q) reportRaw(sql string, args []any) *gorm.DB {
	if reportSQL != nil {
		reportSQL(sql, args)
	}
	return q.g.Raw(sql, args...)
}

// count runs one grouped count over a source: counts are the aggregate
// expressions, selected as n (and m).
func (q Q) count(what string, src reportSource, f ReportFilter, dim ReportDim, counts string) ([]ReportRow, error) {
	sel, group := src.groupBy(dim)
	where, args := src.where(f)
	sql := "SELECT " + sel + ", " + counts + " FROM " + src.tables(f, dim) + " WHERE " + where
	if group != "" {
		sql += " GROUP BY " + group + " ORDER BY " + group
	}
	var rows []ReportRow
	if err := q.reportRaw(sql, args).Scan(&rows).Error; err != nil {
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

// attendanceSource: seats (not the waitlist) in closed sessions, each with its
// attendance if marked. A session still to come, or cancelled, has no
// attendance to count yet.
var attendanceSource = reportSource{
	from: "enrollments e JOIN training_sessions s ON s.id = e.session_id " +
		"LEFT JOIN attendances at ON at.session_id = e.session_id AND at.user_id = e.user_id",
	people: officerPeople("e.user_id"),
	cond:   "e.status = 'enrolled' AND s.status = 'closed'",
	date:   "s.date", course: "s.course_id", agency: "u.agency_id",
}

// AttendanceRates counts seats in closed sessions (N) and those marked present or
// late (M), grouped by dim.
func (q Q) AttendanceRates(f ReportFilter, dim ReportDim) ([]ReportRow, error) {
	return q.count("attendance", attendanceSource, f, dim,
		"COUNT(*) AS n, COALESCE(SUM(CASE WHEN at.status IN ('present', 'late') THEN 1 ELSE 0 END), 0) AS m")
}

// attemptSource: finalised attempts with their session and officer.
var attemptSource = reportSource{
	from:   "attempts a JOIN training_sessions s ON s.id = a.session_id",
	people: officerPeople("a.user_id"),
	cond:   "a.finalised <> ''",
	date:   "s.date", course: "s.course_id", agency: "u.agency_id",
}

// QuizPassRow is one quiz's officers (once per session) and those who passed.
type QuizPassRow struct {
	CourseID string
	QuizID   string
	Officers int
	Passed   int
}

// QuizPassRates counts, per course and quiz, the officers with a finalised
// attempt in a session (once per session) and those with a passed one.
func (q Q) QuizPassRates(f ReportFilter) ([]QuizPassRow, error) {
	where, args := attemptSource.where(f)
	sql := "SELECT course_id, quiz_id, COUNT(*) AS officers, SUM(passed) AS passed FROM (" +
		"SELECT s.course_id, a.quiz_id, a.session_id, a.user_id, MAX(CASE WHEN a.passed THEN 1 ELSE 0 END) AS passed FROM " +
		attemptSource.tables(f, ByTotal) + " WHERE " + where + " GROUP BY s.course_id, a.quiz_id, a.session_id, a.user_id" +
		") x GROUP BY course_id, quiz_id ORDER BY course_id, quiz_id"
	var rows []QuizPassRow
	if err := q.reportRaw(sql, args).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("report quiz pass rates: %w", err)
	}
	return rows, nil
}

// FacilityRow is one question's mean item score and how many attempts had it.
type FacilityRow struct {
	CourseID   string
	QuizID     string
	QuestionID string
	Facility   float64
	Responses  int
}

// QuestionFacility averages each question's item score over the latest
// finalised attempt of each officer at each quiz in each session — the
// attempts a session's item analysis reads — lowest facility first.
func (q Q) QuestionFacility(f ReportFilter) ([]FacilityRow, error) {
	// CROSS JOINs with the join conditions in WHERE: the same inner joins to
	// PostgreSQL, and to SQLite an order — sessions (few; through their date
	// index when dates narrow them), their attempts, then those attempts'
	// item scores — rather than every attempt or item score first, which its
	// planner picks without it (TestReports_QueryPlans).
	src := attemptSource
	src.from = "training_sessions s CROSS JOIN attempts a CROSS JOIN item_scores i"
	where, args := src.where(f)
	sql := "SELECT s.course_id, a.quiz_id, i.question_id, AVG(i.fraction) AS facility, COUNT(*) AS responses FROM " +
		src.tables(f, ByTotal) + " WHERE a.session_id = s.id AND i.attempt_id = a.id AND " + where +
		" AND a.number = (SELECT MAX(b.number) FROM attempts b WHERE b.session_id = a.session_id AND b.quiz_id = a.quiz_id" +
		" AND b.user_id = a.user_id AND b.finalised <> '')" +
		" GROUP BY s.course_id, a.quiz_id, i.question_id ORDER BY facility, s.course_id, a.quiz_id, i.question_id"
	var rows []FacilityRow
	if err := q.reportRaw(sql, args).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("report question facility: %w", err)
	}
	return rows, nil
}

// StandingRow counts certificates by standing (see CertificateStandings).
type StandingRow struct {
	Key      string
	Total    int
	Revoked  int
	Expired  int
	Expiring int
}

// certificateSource: every certificate, revoked ones included.
var certificateSource = reportSource{
	from: "certificates c", people: "LEFT JOIN agencies ag ON ag.id = c.agency_id",
	cond: "1 = 1",
	date: "c.session_date", course: "c.course_id", agency: "c.agency_id",
}

// CertificateStandings counts certificates in all (byCourse false: one row)
// or per course: revoked; not revoked and expired at now (expiry at or before
// it, as certify reads them); not revoked and expiring (expiry after now, at
// or before soon). Valid is the rest.
func (q Q) CertificateStandings(f ReportFilter, byCourse bool, now, soon time.Time) ([]StandingRow, error) {
	sel, group := certificateSource.groupBy(ByTotal)
	if byCourse {
		sel, group = certificateSource.groupBy(ByCourse)
	}
	where, args := certificateSource.where(f)
	now, soon = now.UTC(), soon.UTC()
	sql := "SELECT " + sel + ", COUNT(*) AS total," +
		" COALESCE(SUM(CASE WHEN c.status = 'revoked' THEN 1 ELSE 0 END), 0) AS revoked," +
		" COALESCE(SUM(CASE WHEN c.status <> 'revoked' AND c.expires_at IS NOT NULL AND c.expires_at <= ? THEN 1 ELSE 0 END), 0) AS expired," +
		" COALESCE(SUM(CASE WHEN c.status <> 'revoked' AND c.expires_at > ? AND c.expires_at <= ? THEN 1 ELSE 0 END), 0) AS expiring" +
		" FROM " + certificateSource.tables(f, ByCourse) + " WHERE " + where
	if group != "" {
		sql += " GROUP BY " + group + " ORDER BY " + group
	}
	var rows []StandingRow
	if err := q.reportRaw(sql, append([]any{now, now, soon}, args...)).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("report certificate standings: %w", err)
	}
	if group == "" && len(rows) == 0 {
		rows = []StandingRow{{}}
	}
	return rows, nil
}

// CountAttempts is a bare COUNT(*) over attempts: the floor the report
// benchmark measures its reports against (BENCHMARKS.md).
func (q Q) CountAttempts() (int64, error) {
	var n int64
	if err := q.g.Raw("SELECT COUNT(*) FROM attempts").Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("count attempts: %w", err)
	}
	return n, nil
}
