// Package reporttest seeds a whole training programme — years of sessions in
// several countries, agencies, officers, enrolments, attendance, quiz attempts
// with item scores, certificates valid, expiring, expired and revoked — from a
// fixed seed, straight into the store, and computes what every programme
// report should say about it from the plan alone, in Go, without SQL: the
// report tests compare the two, the report benchmark and the report page's
// and exports' tests reuse the seed.
package reporttest

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/lectern-platform/lectern/internal/store"
)

// Agency is one agency of the plan; ID is filled in by Seed.
type Agency struct {
	Name    string
	Country string
	ID      int64
}

// Officer belongs to Agencies[Agency]; ID is filled in by Seed.
type Officer struct {
	Agency int
	Name   string
	ID     int64
}

// Session is one training day; ID is filled in by Seed.
type Session struct {
	Course string
	Date   string // YYYY-MM-DD
	Status store.SessionStatus
	ID     int64
}

// Seat is an officer's enrolment in a session, with their attendance ("" when
// none was marked).
type Seat struct {
	Session, Officer int
	Waitlisted       bool
	Attendance       store.AttendanceStatus
}

// Attempt is one attempt at a quiz; Items are its item scores (question id →
// share of the points), set only when it is finalised.
type Attempt struct {
	Session, Officer int
	Quiz             string
	Number           int
	Finalised        bool
	Passed           bool
	Items            map[string]float64
}

// Certificate is one issued certificate.
type Certificate struct {
	Session, Officer int
	Revoked          bool
	ExpiresAt        *time.Time
}

// Quiz is one quiz of a course and its question ids.
type Quiz struct {
	ID        string
	Questions []string
}

// Plan is a programme to seed.
type Plan struct {
	Now          time.Time // the clock certificates' standing is judged at
	Courses      map[string][]Quiz
	Agencies     []Agency
	Officers     []Officer
	Sessions     []Session
	Seats        []Seat
	Attempts     []Attempt
	Certificates []Certificate
}

// Options size a plan.
type Options struct {
	Seed int64
	// Now is the plan's present: sessions run from January two years before
	// its year to the end of its year; later ones are still scheduled.
	Now time.Time
	// Sessions is how many sessions over the three years (default 24);
	// OfficersPerAgency how many officers each agency has (default 12), and
	// Seats how many of them each session seats (default 8, at most
	// OfficersPerAgency × agencies).
	Sessions, OfficersPerAgency, Seats int
}

// The programme's agencies: six, in four countries.
var agencies = []Agency{
	{Name: "Police nationale — OCRGDF", Country: "FR"},
	{Name: "Gendarmerie nationale — C3N", Country: "FR"},
	{Name: "Bundeskriminalamt", Country: "DE"},
	{Name: "경찰청 사이버수사국", Country: "KR"},
	{Name: "Polícia Federal", Country: "BR"},
	{Name: "Landeskriminalamt Berlin", Country: "DE"},
}

// Courses: the shipped course and its quizzes, and a second course (a test
// course: its id need not be in any library for the store).
var courses = map[string][]Quiz{
	"crypto-crime": {
		{ID: "01-blockchain", Questions: []string{"q1", "q2", "q3", "q4"}},
		{ID: "02-tracing", Questions: []string{"q1", "q2", "q3"}},
		{ID: "03-legal", Questions: []string{"q1", "q2", "q3"}},
		{ID: "04-aml", Questions: []string{"q1", "q2", "q3", "q4"}},
	},
	"aml-basics": {
		{ID: "01-fatf", Questions: []string{"travel-rule", "vasp", "risk"}},
		{ID: "02-cdd", Questions: []string{"kyc", "pep"}},
	},
}

// CourseIDs are the plan's courses, in a fixed order.
var CourseIDs = []string{"aml-basics", "crypto-crime"}

// NewPlan draws a programme from the seed: the same options give the same plan.
func NewPlan(o Options) *Plan {
	if o.Sessions == 0 {
		o.Sessions = 24
	}
	if o.OfficersPerAgency == 0 {
		o.OfficersPerAgency = 12
	}
	if o.Seats == 0 {
		o.Seats = 8
	}
	if o.Now.IsZero() {
		o.Now = time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	}
	r := rand.New(rand.NewPCG(uint64(o.Seed), 22))
	p := &Plan{Now: o.Now.UTC(), Courses: courses, Agencies: append([]Agency(nil), agencies...)}
	for a := range p.Agencies {
		for i := 0; i < o.OfficersPerAgency; i++ {
			p.Officers = append(p.Officers, Officer{Agency: a, Name: fmt.Sprintf("Officer %d-%d", a, i)})
		}
	}
	if o.Seats > len(p.Officers) {
		o.Seats = len(p.Officers)
	}
	// Sessions spread evenly over three years, a few days' jitter each.
	first := time.Date(o.Now.Year()-2, 1, 10, 0, 0, 0, 0, time.UTC)
	span := time.Date(o.Now.Year(), 12, 20, 0, 0, 0, 0, time.UTC).Sub(first)
	today := p.Now.Format(time.DateOnly)
	for i := 0; i < o.Sessions; i++ {
		day := first.Add(span/time.Duration(o.Sessions)*time.Duration(i)).AddDate(0, 0, r.IntN(5))
		s := Session{Course: CourseIDs[r.IntN(len(CourseIDs))], Date: day.Format(time.DateOnly), Status: store.SessionClosed}
		switch {
		case s.Date > today:
			s.Status = store.SessionScheduled
		case i%9 == 4:
			s.Status = store.SessionCancelled
		}
		p.Sessions = append(p.Sessions, s)
	}
	for si, s := range p.Sessions {
		for _, oi := range r.Perm(len(p.Officers))[:o.Seats] {
			seat := Seat{Session: si, Officer: oi, Waitlisted: r.IntN(10) == 0}
			if s.Status == store.SessionClosed && !seat.Waitlisted {
				seat.Attendance = []store.AttendanceStatus{store.Present, store.Present, store.Present, store.Late, store.Absent, store.Excused, ""}[r.IntN(7)]
			}
			p.Seats = append(p.Seats, seat)
			if seat.Waitlisted || s.Status != store.SessionClosed {
				continue
			}
			p.attempts(r, si, oi, s.Course)
			if seat.Attendance == store.Present || seat.Attendance == store.Late {
				p.certificate(r, si, oi, s.Date)
			}
		}
	}
	return p
}

// attempts draws an officer's attempts at each quiz of a session: none, one,
// or a second after a first (finalised or left open).
func (p *Plan) attempts(r *rand.Rand, si, oi int, courseID string) {
	for _, qz := range p.Courses[courseID] {
		n := []int{0, 1, 1, 1, 2}[r.IntN(5)]
		for k := 1; k <= n; k++ {
			at := Attempt{Session: si, Officer: oi, Quiz: qz.ID, Number: k, Finalised: k < n || r.IntN(8) != 0}
			if at.Finalised {
				at.Items = map[string]float64{}
				total := 0.0
				for _, q := range qz.Questions {
					if r.IntN(12) == 0 {
						continue // asked in another version of the quiz only
					}
					f := []float64{0, 0.5, 1, 1, 1}[r.IntN(5)]
					at.Items[q] = f
					total += f
				}
				at.Passed = total/float64(len(qz.Questions)) >= 0.7
			}
			p.Attempts = append(p.Attempts, at)
		}
	}
}

// certificate issues one, with an expiry drawn to land in every standing,
// boundaries included: exactly now (expired), exactly the expiring window's
// end (expiring), a second past it (valid).
func (p *Plan) certificate(r *rand.Rand, si, oi int, date string) {
	c := Certificate{Session: si, Officer: oi, Revoked: r.IntN(10) == 0}
	day := 24 * time.Hour
	var exp time.Time
	switch r.IntN(8) {
	case 0: // no expiry
	case 1:
		exp = p.Now.Add(-time.Duration(1+r.IntN(400)) * day)
	case 2:
		exp = p.Now
	case 3:
		exp = p.Now.Add(90 * day)
	case 4:
		exp = p.Now.Add(90*day + time.Second)
	case 5, 6:
		exp = p.Now.Add(time.Duration(1+r.IntN(89))*day + time.Duration(r.IntN(86400))*time.Second)
	default:
		d, _ := time.Parse(time.DateOnly, date)
		exp = d.AddDate(3, 0, 0)
	}
	if !exp.IsZero() {
		c.ExpiresAt = &exp
	}
	p.Certificates = append(p.Certificates, c)
}
