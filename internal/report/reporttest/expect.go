package reporttest

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/report"
	"github.com/lectern-platform/lectern/internal/store"
)

// What each report should say about the plan, counted in Go from the plan
// itself: the independent side of the report tests. Titles (course and quiz)
// are the caller's, as the service takes them from its course library.

// Titles names courses and quizzes as the report service's library does; nil
// functions name nothing.
type Titles struct {
	Course func(id string) string
	Quiz   func(course, quiz string) string
}

func (t Titles) course(id string) string {
	if t.Course == nil {
		return ""
	}
	return t.Course(id)
}

func (t Titles) quiz(course, quiz string) string {
	if t.Quiz == nil {
		return ""
	}
	return t.Quiz(course, quiz)
}

// matches reports whether a session and an officer fall in the filter.
func (p *Plan) matches(f report.Filter, si, oi int) bool {
	s, ag := p.Sessions[si], p.Agencies[p.Officers[oi].Agency]
	return (f.From == "" || s.Date >= f.From) && (f.To == "" || s.Date <= f.To) &&
		(f.CourseID == "" || s.Course == f.CourseID) && (f.AgencyID == nil || *f.AgencyID == ag.ID) &&
		(f.Country == "" || f.Country == ag.Country)
}

// keys are the groups one (session, officer) pair falls in, per breakdown.
func (p *Plan) keys(si, oi int) (month, country, agency, course string) {
	s, ag := p.Sessions[si], p.Agencies[p.Officers[oi].Agency]
	return s.Date[:7], ag.Country, strconv.FormatInt(ag.ID, 10), s.Course
}

// distinct counts distinct officers per key.
type distinct map[string]map[int]bool

func (d distinct) add(key string, officer int) {
	if d[key] == nil {
		d[key] = map[int]bool{}
	}
	d[key][officer] = true
}

func (p *Plan) officers(f report.Filter, t Titles, pairs [][2]int) *report.Officers {
	all := map[int]bool{}
	by := [4]distinct{{}, {}, {}, {}}
	for _, pr := range pairs {
		if !p.matches(f, pr[0], pr[1]) {
			continue
		}
		all[pr[1]] = true
		m, c, a, co := p.keys(pr[0], pr[1])
		for i, k := range []string{m, c, a, co} {
			by[i].add(k, pr[1])
		}
	}
	out := &report.Officers{Filter: f, Total: len(all)}
	groups := func(i int) []report.Group {
		return breakdown(p, t, i, by[i], func(key, name, country string, set map[int]bool) report.Group {
			return report.Group{Key: key, Name: name, Country: country, Officers: len(set)}
		}, func(g report.Group) string { return g.Key })
	}
	out.ByMonth, out.ByCountry, out.ByAgency, out.ByCourse = groups(0), groups(1), groups(2), groups(3)
	return out
}

// breakdown is the rows of breakdown i (0 month, 1 country, 2 agency, 3
// course) from its groups by key, named as the service names them (an
// agency's name and country, a course's title) and sorted as the SQL sorts.
func breakdown[V, R any](p *Plan, t Titles, i int, groups map[string]V, row func(key, name, country string, v V) R, key func(R) string) []R {
	out := []R{}
	for k, v := range groups {
		name, country := "", ""
		switch i {
		case 2:
			name, country = p.agencyName(k)
		case 3:
			name = t.course(k)
		}
		out = append(out, row(k, name, country, v))
	}
	sortByKey(i == 2, out, key)
	return out
}

// sortByKey orders groups as the SQL does: by key, agencies by id.
func sortByKey[G any](agency bool, gs []G, key func(G) string) {
	slices.SortFunc(gs, func(a, b G) int {
		if agency {
			x, _ := strconv.ParseInt(key(a), 10, 64)
			y, _ := strconv.ParseInt(key(b), 10, 64)
			return cmp.Compare(x, y)
		}
		return cmp.Compare(key(a), key(b))
	})
}

func (p *Plan) agencyName(id string) (name, country string) {
	for _, a := range p.Agencies {
		if strconv.FormatInt(a.ID, 10) == id {
			return a.Name, a.Country
		}
	}
	return "", ""
}

// WantTrained is what the trained report should say: officers marked present or late.
func (p *Plan) WantTrained(f report.Filter, t Titles) *report.Officers {
	var pairs [][2]int
	for _, st := range p.Seats {
		if st.Attendance == store.Present || st.Attendance == store.Late {
			pairs = append(pairs, [2]int{st.Session, st.Officer})
		}
	}
	return p.officers(f, t, pairs)
}

// WantCertified is what the certified report should say: holders of certificates
// not revoked.
func (p *Plan) WantCertified(f report.Filter, t Titles) *report.Officers {
	var pairs [][2]int
	for _, c := range p.Certificates {
		if !c.Revoked {
			pairs = append(pairs, [2]int{c.Session, c.Officer})
		}
	}
	return p.officers(f, t, pairs)
}

// WantAttendance is what the attendance report should say: seats in closed
// sessions, and those attended.
func (p *Plan) WantAttendance(f report.Filter, t Titles) *report.Attendance {
	type tally struct{ enrolled, attended int }
	overall := tally{}
	by := [4]map[string]*tally{{}, {}, {}, {}}
	for _, st := range p.Seats {
		if st.Waitlisted || p.Sessions[st.Session].Status != store.SessionClosed || !p.matches(f, st.Session, st.Officer) {
			continue
		}
		att := 0
		if st.Attendance == store.Present || st.Attendance == store.Late {
			att = 1
		}
		overall.enrolled++
		overall.attended += att
		m, c, a, co := p.keys(st.Session, st.Officer)
		for i, k := range []string{m, c, a, co} {
			if by[i][k] == nil {
				by[i][k] = &tally{}
			}
			by[i][k].enrolled++
			by[i][k].attended += att
		}
	}
	rate := func(key string, tl tally) report.Rate {
		r := report.Rate{Key: key, Enrolled: tl.enrolled, Attended: tl.attended}
		if tl.enrolled > 0 {
			r.Rate = float64(tl.attended) / float64(tl.enrolled)
		}
		return r
	}
	out := &report.Attendance{Filter: f, Overall: rate("", overall)}
	rates := func(i int) []report.Rate {
		return breakdown(p, t, i, by[i], func(key, name, country string, tl *tally) report.Rate {
			r := rate(key, *tl)
			r.Name, r.Country = name, country
			return r
		}, func(r report.Rate) string { return r.Key })
	}
	out.ByMonth, out.ByCountry, out.ByAgency, out.ByCourse = rates(0), rates(1), rates(2), rates(3)
	return out
}

// WantQuizzes is what the quiz report should say: per quiz, officers once per
// session with a finalised attempt, passed when any passed.
func (p *Plan) WantQuizzes(f report.Filter, t Titles) *report.Quizzes {
	type key struct {
		course, quiz     string
		session, officer int
	}
	passed := map[key]bool{}
	for _, at := range p.Attempts {
		if !at.Finalised || !p.matches(f, at.Session, at.Officer) {
			continue
		}
		k := key{p.Sessions[at.Session].Course, at.Quiz, at.Session, at.Officer}
		passed[k] = passed[k] || at.Passed
	}
	rates := map[[2]string]*report.QuizRate{}
	for k, ok := range passed {
		r := rates[[2]string{k.course, k.quiz}]
		if r == nil {
			r = &report.QuizRate{Course: k.course, Quiz: k.quiz, Title: t.quiz(k.course, k.quiz)}
			rates[[2]string{k.course, k.quiz}] = r
		}
		r.Officers++
		if ok {
			r.Passed++
		}
	}
	out := &report.Quizzes{Filter: f, Quizzes: []report.QuizRate{}}
	for _, r := range rates {
		r.Rate = float64(r.Passed) / float64(r.Officers)
		out.Quizzes = append(out.Quizzes, *r)
	}
	slices.SortFunc(out.Quizzes, func(a, b report.QuizRate) int {
		return cmp.Or(cmp.Compare(a.Course, b.Course), cmp.Compare(a.Quiz, b.Quiz))
	})
	return out
}

// WantQuestions is what the question report should say: each question's mean
// item score over the latest finalised attempt per officer, quiz and session.
func (p *Plan) WantQuestions(f report.Filter) *report.Questions {
	type owner struct {
		quiz             string
		session, officer int
	}
	latest := map[owner]int{}
	for i, at := range p.Attempts {
		if !at.Finalised || !p.matches(f, at.Session, at.Officer) {
			continue
		}
		k := owner{at.Quiz, at.Session, at.Officer}
		if j, ok := latest[k]; !ok || p.Attempts[j].Number < at.Number {
			latest[k] = i
		}
	}
	type qkey struct{ course, quiz, question string }
	sum, n := map[qkey]float64{}, map[qkey]int{}
	for _, i := range latest {
		at := p.Attempts[i]
		for q, v := range at.Items {
			k := qkey{p.Sessions[at.Session].Course, at.Quiz, q}
			sum[k] += v
			n[k]++
		}
	}
	out := &report.Questions{Filter: f, Questions: []report.Facility{}}
	for k, c := range n {
		out.Questions = append(out.Questions, report.Facility{Course: k.course, Quiz: k.quiz, Question: k.question, Facility: sum[k] / float64(c), Responses: c})
	}
	slices.SortFunc(out.Questions, func(a, b report.Facility) int {
		return cmp.Or(cmp.Compare(a.Facility, b.Facility), cmp.Compare(a.Course, b.Course), cmp.Compare(a.Quiz, b.Quiz), cmp.Compare(a.Question, b.Question))
	})
	return out
}

// WantCertificates is what the certificate report should say at the plan's Now.
func (p *Plan) WantCertificates(f report.Filter, t Titles) *report.Certificates {
	out := &report.Certificates{Filter: f, AsOf: p.Now, ByCourse: []report.Standing{}}
	by := map[string]*report.Standing{}
	soon := p.Now.Add(certify.ExpiringWindow)
	for _, c := range p.Certificates {
		if !p.matches(f, c.Session, c.Officer) {
			continue
		}
		course := p.Sessions[c.Session].Course
		if by[course] == nil {
			by[course] = &report.Standing{Key: course, Name: t.course(course)}
		}
		for _, s := range []*report.Standing{&out.Overall, by[course]} {
			s.Total++
			switch {
			case c.Revoked:
				s.Revoked++
			case c.ExpiresAt != nil && !c.ExpiresAt.After(p.Now):
				s.Expired++
			case c.ExpiresAt != nil && !c.ExpiresAt.After(soon):
				s.Expiring++
			default:
				s.Valid++
			}
		}
	}
	for _, s := range by {
		out.ByCourse = append(out.ByCourse, *s)
	}
	sortByKey(false, out.ByCourse, func(s report.Standing) string { return s.Key })
	return out
}
