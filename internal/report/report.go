package report

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/store"
)

// Group is one row of a breakdown of distinct officers.
type Group struct {
	// Key is the month (YYYY-MM, of the session date), the country code, the
	// agency's id or the course's id.
	Key      string `json:"key"`
	Name     string `json:"name,omitempty"`    // the agency's name, the course's title
	Country  string `json:"country,omitempty"` // an agency's country
	Officers int    `json:"officers"`
}

// Officers counts distinct officers (trained, or certified), in all and by
// month, country, agency and course. An officer counts once in the total and
// once in each group they fall in, so groups can add up to more than the
// total (trained in two months, or in two courses).
type Officers struct {
	Filter    Filter  `json:"filter"`
	Total     int     `json:"total"`
	ByMonth   []Group `json:"by_month"`
	ByCountry []Group `json:"by_country"`
	ByAgency  []Group `json:"by_agency"`
	ByCourse  []Group `json:"by_course"`
}

// Rate is attendance over one group (Key, Name and Country as in Group):
// enrolments (seats, not the waitlist) in closed sessions, and how many of
// them were marked present or late.
type Rate struct {
	Key      string  `json:"key"`
	Name     string  `json:"name,omitempty"`
	Country  string  `json:"country,omitempty"`
	Enrolled int     `json:"enrolled"`
	Attended int     `json:"attended"`
	Rate     float64 `json:"rate"` // Attended / Enrolled, 0–1; 0 when nobody was enrolled
}

// Attendance is the attendance rate in all and by month, country, agency and
// course.
type Attendance struct {
	Filter    Filter `json:"filter"`
	Overall   Rate   `json:"overall"`
	ByMonth   []Rate `json:"by_month"`
	ByCountry []Rate `json:"by_country"`
	ByAgency  []Rate `json:"by_agency"`
	ByCourse  []Rate `json:"by_course"`
}

// QuizRate is one quiz's pass rate across sessions. An officer counts once
// per session they finalised an attempt of the quiz in, as passed when any of
// those attempts passed: the rule certificates are issued by.
type QuizRate struct {
	Course   string  `json:"course"`
	Quiz     string  `json:"quiz"`
	Title    string  `json:"title,omitempty"`
	Officers int     `json:"officers"`
	Passed   int     `json:"passed"`
	Rate     float64 `json:"rate"` // Passed / Officers, 0–1
}

// Quizzes is the pass rate of every quiz with a finalised attempt.
type Quizzes struct {
	Filter  Filter     `json:"filter"`
	Quizzes []QuizRate `json:"quizzes"`
}

// Facility is one question's facility across every session: the mean share
// of its points earned, over the latest finalised attempt of each officer in
// each session (the attempts a session's item analysis reads, so the two
// agree), with Responses the number of those attempts that had the question.
type Facility struct {
	Course    string  `json:"course"`
	Quiz      string  `json:"quiz"`
	Question  string  `json:"question"`
	Facility  float64 `json:"facility"` // 0–1
	Responses int     `json:"responses"`
}

// Questions is every question's facility, lowest first: the questions most
// got wrong, programme-wide, lead.
type Questions struct {
	Filter    Filter     `json:"filter"`
	Questions []Facility `json:"questions"`
}

// Standing counts certificates by standing as of a moment: revoked ones;
// among the others, expired (past their expiry), expiring (within
// certify.ExpiringWindow of it) and valid (the rest). The four are disjoint.
type Standing struct {
	Key      string `json:"key,omitempty"` // the course's id (ByCourse)
	Name     string `json:"name,omitempty"`
	Total    int    `json:"total"`
	Valid    int    `json:"valid"`
	Expiring int    `json:"expiring"`
	Expired  int    `json:"expired"`
	Revoked  int    `json:"revoked"`
}

// Certificates is the standing of the certificates of the filtered sessions
// as of AsOf (the server's clock), in all and by course.
type Certificates struct {
	Filter   Filter     `json:"filter"`
	AsOf     time.Time  `json:"as_of"`
	Overall  Standing   `json:"overall"`
	ByCourse []Standing `json:"by_course"`
}

// Courses is what the service reads of the course library: titles.
type Courses interface {
	Course(id string) (*course.Course, bool)
}

// Service computes the reports.
type Service struct {
	db      *store.DB
	courses Courses
	// Now is the clock certificates' standing is judged by.
	Now func() time.Time
}

// NewService returns the report service over db; courses (may be nil) names
// the courses and checks a filter's course.
func NewService(db *store.DB, courses Courses) *Service {
	return &Service{db: db, courses: courses, Now: func() time.Time { return time.Now().UTC() }}
}

// scope authorises the actor and narrows the filter to what they may see: a
// coordinator's agency is forced, another agency is not found. An agency or a
// course that does not exist is not found either.
func (s *Service) scope(ctx context.Context, a *auth.Actor, f Filter) (store.ReportFilter, error) {
	if err := auth.Authorize(a, auth.ActReportRead); err != nil {
		return store.ReportFilter{}, err
	}
	if own := a.AgencyScope(); own != nil {
		if f.AgencyID != nil && *f.AgencyID != *own {
			return store.ReportFilter{}, apperr.NotFound("agency")
		}
		f.AgencyID = own
	}
	if f.AgencyID != nil && *f.AgencyID > 0 {
		if _, err := s.db.Read(ctx).Agency(*f.AgencyID); errors.Is(err, store.ErrNotFound) {
			return store.ReportFilter{}, apperr.NotFound("agency")
		} else if err != nil {
			return store.ReportFilter{}, err
		}
	}
	if f.CourseID != "" && s.courses != nil {
		if _, ok := s.courses.Course(f.CourseID); !ok {
			return store.ReportFilter{}, apperr.NotFound("course")
		}
	}
	return store.ReportFilter{From: f.From, To: f.To, Country: f.Country, AgencyID: f.AgencyID, CourseID: f.CourseID}, nil
}

// effective is the filter as applied (a coordinator's agency filled in), for
// the report to say what it counted.
func effective(f Filter, sf store.ReportFilter) Filter {
	f.AgencyID = sf.AgencyID
	return f
}

// Trained counts the officers marked present or late in a session.
func (s *Service) Trained(ctx context.Context, a *auth.Actor, f Filter) (*Officers, error) {
	return s.officers(ctx, a, f, store.Q.TrainedOfficers)
}

// Certified counts the holders of certificates not revoked (expired ones
// included: they were certified).
func (s *Service) Certified(ctx context.Context, a *auth.Actor, f Filter) (*Officers, error) {
	return s.officers(ctx, a, f, store.Q.CertifiedOfficers)
}

func (s *Service) officers(ctx context.Context, a *auth.Actor, f Filter, count func(store.Q, store.ReportFilter, store.ReportDim) ([]store.ReportRow, error)) (*Officers, error) {
	sf, err := s.scope(ctx, a, f)
	if err != nil {
		return nil, err
	}
	q := s.db.Read(ctx)
	total, err := count(q, sf, store.ByTotal)
	if err != nil {
		return nil, err
	}
	out := &Officers{Filter: effective(f, sf), Total: total[0].N}
	for _, dim := range store.ReportDims {
		rows, err := count(q, sf, dim)
		if err != nil {
			return nil, err
		}
		groups := make([]Group, len(rows))
		for i, r := range rows {
			key, name := s.label(dim, r)
			groups[i] = Group{Key: key, Name: name, Country: r.Country, Officers: r.N}
		}
		*out.dim(dim) = groups
	}
	return out, nil
}

func (o *Officers) dim(d store.ReportDim) *[]Group {
	switch d {
	case store.ByMonth:
		return &o.ByMonth
	case store.ByCountry:
		return &o.ByCountry
	case store.ByAgency:
		return &o.ByAgency
	}
	return &o.ByCourse
}

// label is a group's key and name: an agency's id and name, a course's id and
// title (in the course's language), a month or country as it is.
func (s *Service) label(d store.ReportDim, r store.ReportRow) (key, name string) {
	switch d {
	case store.ByAgency:
		return strconv.FormatInt(r.AgencyID, 10), r.Name
	case store.ByCourse:
		return r.Key, s.courseTitle(r.Key)
	}
	return r.Key, ""
}

func (s *Service) courseTitle(id string) string {
	if s.courses == nil {
		return ""
	}
	if c, ok := s.courses.Course(id); ok {
		return c.Title
	}
	return ""
}

// Attendance is the attendance rate of closed sessions: seats (not the
// waitlist) and those marked present or late.
func (s *Service) Attendance(ctx context.Context, a *auth.Actor, f Filter) (*Attendance, error) {
	sf, err := s.scope(ctx, a, f)
	if err != nil {
		return nil, err
	}
	q := s.db.Read(ctx)
	total, err := q.AttendanceRates(sf, store.ByTotal)
	if err != nil {
		return nil, err
	}
	out := &Attendance{Filter: effective(f, sf), Overall: rateOf("", "", total[0])}
	for _, dim := range store.ReportDims {
		rows, err := q.AttendanceRates(sf, dim)
		if err != nil {
			return nil, err
		}
		rates := make([]Rate, len(rows))
		for i, r := range rows {
			key, name := s.label(dim, r)
			rates[i] = rateOf(key, name, r)
		}
		switch dim {
		case store.ByMonth:
			out.ByMonth = rates
		case store.ByCountry:
			out.ByCountry = rates
		case store.ByAgency:
			out.ByAgency = rates
		default:
			out.ByCourse = rates
		}
	}
	return out, nil
}

func rateOf(key, name string, r store.ReportRow) Rate {
	return Rate{Key: key, Name: name, Country: r.Country, Enrolled: r.N, Attended: r.M, Rate: ratio(r.M, r.N)}
}

// ratio is part/whole, 0 for an empty whole.
func ratio(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return float64(part) / float64(whole)
}

// Quizzes is the pass rate of each quiz across sessions.
func (s *Service) Quizzes(ctx context.Context, a *auth.Actor, f Filter) (*Quizzes, error) {
	sf, err := s.scope(ctx, a, f)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Read(ctx).QuizPassRates(sf)
	if err != nil {
		return nil, err
	}
	out := &Quizzes{Filter: effective(f, sf), Quizzes: make([]QuizRate, len(rows))}
	for i, r := range rows {
		out.Quizzes[i] = QuizRate{Course: r.CourseID, Quiz: r.QuizID, Title: s.quizTitle(r.CourseID, r.QuizID),
			Officers: r.Officers, Passed: r.Passed, Rate: ratio(r.Passed, r.Officers)}
	}
	return out, nil
}

func (s *Service) quizTitle(courseID, quizID string) string {
	if s.courses == nil {
		return ""
	}
	if c, ok := s.courses.Course(courseID); ok {
		if m := c.Module(quizID); m != nil && m.Quiz != nil {
			return m.Quiz.Title
		}
	}
	return ""
}

// Questions is every question's facility across sessions, lowest first.
func (s *Service) Questions(ctx context.Context, a *auth.Actor, f Filter) (*Questions, error) {
	sf, err := s.scope(ctx, a, f)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Read(ctx).QuestionFacility(sf)
	if err != nil {
		return nil, err
	}
	out := &Questions{Filter: effective(f, sf), Questions: make([]Facility, len(rows))}
	for i, r := range rows {
		out.Questions[i] = Facility{Course: r.CourseID, Quiz: r.QuizID, Question: r.QuestionID, Facility: r.Facility, Responses: r.Responses}
	}
	return out, nil
}

// Certificates is the standing of certificates as of the service's clock.
func (s *Service) Certificates(ctx context.Context, a *auth.Actor, f Filter) (*Certificates, error) {
	sf, err := s.scope(ctx, a, f)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	soon := now.Add(certify.ExpiringWindow)
	q := s.db.Read(ctx)
	total, err := q.CertificateStandings(sf, false, now, soon)
	if err != nil {
		return nil, err
	}
	byCourse, err := q.CertificateStandings(sf, true, now, soon)
	if err != nil {
		return nil, err
	}
	out := &Certificates{Filter: effective(f, sf), AsOf: now, Overall: standingOf("", "", total[0]), ByCourse: make([]Standing, len(byCourse))}
	for i, r := range byCourse {
		out.ByCourse[i] = standingOf(r.Key, s.courseTitle(r.Key), r)
	}
	return out, nil
}

func standingOf(key, name string, r store.StandingRow) Standing {
	return Standing{Key: key, Name: name, Total: r.Total, Revoked: r.Revoked, Expired: r.Expired, Expiring: r.Expiring,
		Valid: r.Total - r.Revoked - r.Expired - r.Expiring}
}
