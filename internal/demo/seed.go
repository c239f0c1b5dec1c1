package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lectern-platform/lectern/internal/app"
	"github.com/lectern-platform/lectern/internal/attempt"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/schedule"
	"github.com/lectern-platform/lectern/internal/store"
)

// Seeder seeds the demo into one database.
type Seeder struct {
	// App is the application the demo acts through: its courses, signing key
	// and programme, in services of the demo's own (App.Quiet).
	App *app.App
	// DB is the database App was built over, read to tell what it holds.
	DB *store.DB
	// Now is the real clock (the demo's "today"); nil: time.Now.
	Now func() time.Time
}

// Result is what Seed made.
type Result struct {
	Logins       []Login
	Today, Past  *schedule.Session
	Attempts     int // submitted or open, in both sessions
	Certificates int // issued when the past session was closed
}

// services are the domain services the demo acts through. They log nothing (the
// seeding is summed up once) and send no e-mail: nobody is behind the demo's
// addresses, and an operator's outbox stays empty.
type services struct {
	accounts *auth.Service
	schedule *schedule.Service
	attempts *attempt.Service
	certs    *certify.Service
}

// services builds them by App.Quiet, apart from the App's own: the demo sets
// their clocks back, which the server's services must never see.
func (s *Seeder) services() (services, error) {
	q := s.App.Quiet()
	if q.Certs == nil {
		return services{}, errors.New("demo: the application has no signing key to issue the demo certificates with")
	}
	return services{accounts: q.Accounts, schedule: q.Schedule, attempts: q.Attempts, certs: q.Certs}, nil
}

func (s *Seeder) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// cast is the people once created, in the order of the spec lists.
type cast struct {
	admin        *auth.User
	agencies     []*auth.Agency
	trainer      *auth.User
	coordinators []*auth.User
	officers     []*auth.User
}

// Seed fills an empty database (nothing, or its first admin only) with the demo.
// Anything else is refused with ErrNotEmpty and left untouched.
func (s *Seeder) Seed(ctx context.Context) (*Result, error) {
	state, err := Check(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	if state != AdminOnly {
		if state == Blank {
			return nil, errors.New("demo: create the first admin before seeding")
		}
		return nil, ErrNotEmpty
	}
	if s.App.Library == nil {
		return nil, fmt.Errorf("demo: no courses are loaded; the demo uses the shipped courses")
	}
	c, ok := s.App.Library.Course(CourseID)
	if !ok {
		return nil, fmt.Errorf("demo: the course %q is not loaded; the demo uses the shipped courses (start without --courses)", CourseID)
	}
	if len(c.Quizzes()) < 2 {
		return nil, fmt.Errorf("demo: the course %q has fewer than two quizzes", CourseID)
	}
	sv, err := s.services()
	if err != nil {
		return nil, err
	}
	people, err := s.createPeople(ctx, sv)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	res := &Result{}
	if res.Today, err = s.seedToday(ctx, sv, c, people, &res.Attempts); err != nil {
		return nil, fmt.Errorf("demo: today's session: %w", err)
	}
	// The closed session comes last: Check takes it as the mark of a finished seeding.
	if res.Past, res.Certificates, err = s.seedPast(ctx, sv, c, people, &res.Attempts); err != nil {
		return nil, fmt.Errorf("demo: the closed session: %w", err)
	}
	if res.Logins, err = Logins(ctx, s.DB); err != nil {
		return nil, err
	}
	return res, nil
}

func (s *Seeder) createPeople(ctx context.Context, sv services) (*cast, error) {
	admins, err := s.DB.Users(ctx, store.UserFilter{Role: string(auth.RoleAdmin)})
	if err != nil {
		return nil, fmt.Errorf("find the first admin: %w", err)
	}
	if len(admins) == 0 {
		return nil, errors.New("no admin to act as")
	}
	p := &cast{admin: auth.UserOf(&admins[0])}
	adminActor := auth.ActorFor(p.admin)
	for _, a := range agencies {
		ag, err := sv.accounts.CreateAgency(ctx, adminActor, auth.NewAgency{Name: a.Name, Country: a.Country})
		if err != nil {
			return nil, fmt.Errorf("agency %s: %w", a.Name, err)
		}
		p.agencies = append(p.agencies, ag)
	}
	create := func(by *auth.Actor, spec personSpec, role auth.Role, password string) (*auth.User, error) {
		in := auth.NewUser{Email: spec.Email, Name: spec.Name, GivenName: spec.Given, FamilyName: spec.Family,
			LatinName: spec.Latin, Role: string(role), Password: password}
		if role != auth.RoleTrainer {
			in.AgencyID = &p.agencies[spec.Agency].ID
		}
		u, err := sv.accounts.CreateUser(ctx, by, in)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", role, spec.Email, err)
		}
		return u, nil
	}
	if p.trainer, err = create(adminActor, trainer, auth.RoleTrainer, TrainerPassword); err != nil {
		return nil, err
	}
	for _, c := range coordinators {
		u, err := create(adminActor, c, auth.RoleCoordinator, CoordinatorPassword)
		if err != nil {
			return nil, err
		}
		p.coordinators = append(p.coordinators, u)
	}
	// Officers are added by their agency's coordinator, as in real life.
	for _, o := range officers {
		u, err := create(auth.ActorFor(p.coordinators[o.Agency]), o.personSpec, auth.RoleOfficer, OfficerPassword)
		if err != nil {
			return nil, err
		}
		p.officers = append(p.officers, u)
	}
	return p, nil
}

// enrolAll has each agency's coordinator enrol its officers.
func enrolAll(ctx context.Context, sv services, p *cast, sessionID int64) error {
	for i, o := range p.officers {
		by := auth.ActorFor(p.coordinators[officers[i].Agency])
		e, _, err := sv.schedule.Enroll(ctx, by, sessionID, schedule.EnrollmentInput{UserID: o.ID})
		if err != nil {
			return fmt.Errorf("enrol %s: %w", o.Email, err)
		}
		if e.Status != schedule.Enrolled {
			return fmt.Errorf("enrol %s: %s, not enrolled", o.Email, e.Status)
		}
	}
	return nil
}

// TodayHours is the day's session in its zone: the usual 08:30–17:30 when now
// falls inside it; otherwise hours around now (from an hour before, nine hours
// long, within the day), so that check-in and quizzes work whenever the demo
// starts.
func TodayHours(now time.Time, loc *time.Location) (date, start, end string) {
	local := now.In(loc)
	date = local.Format("2006-01-02")
	minute := local.Hour()*60 + local.Minute()
	if minute >= 8*60+30 && minute < 17*60+30 {
		return date, "08:30", "17:30"
	}
	from := max(0, minute-minute%30-60)
	to := min(from+9*60, 23*60+59)
	return date, fmt.Sprintf("%02d:%02d", from/60, from%60), fmt.Sprintf("%02d:%02d", to/60, to%60)
}

// seedToday schedules today's session and plays the morning: enrolments,
// attendance, and attempts at the first quizzes by the real clock, spread over
// the minutes before now.
func (s *Seeder) seedToday(ctx context.Context, sv services, c *course.Course, p *cast, attempts *int) (*schedule.Session, error) {
	now := s.now()
	loc, err := time.LoadLocation(today.Timezone)
	if err != nil {
		return nil, err
	}
	date, start, end := TodayHours(now, loc)
	clock := now
	sv.schedule.Now = func() time.Time { return clock }
	sv.attempts.Now = func() time.Time { return clock }
	trainerActor := auth.ActorFor(p.trainer)
	sess, err := sv.schedule.CreateSession(ctx, trainerActor, sessionInput(today, date, start, end))
	if err != nil {
		return nil, err
	}
	if err := enrolAll(ctx, sv, p, sess.ID); err != nil {
		return nil, err
	}
	for i, o := range officers {
		if o.Attendance == "" {
			continue
		}
		if _, err := sv.schedule.MarkAttendance(ctx, trainerActor, sess.ID, p.officers[i].ID, o.Attendance); err != nil {
			return nil, fmt.Errorf("attendance of %s: %w", p.officers[i].Email, err)
		}
	}
	// Attempts happened in the last 40 minutes, or since the start if later.
	from := now.Add(-40 * time.Minute)
	if from.Before(sess.StartsAt) {
		from = sess.StartsAt
	}
	step := now.Sub(from) / time.Duration(len(officers)+1)
	quizzes := c.Quizzes()
	for i, o := range officers {
		officer := auth.ActorFor(p.officers[i])
		clock = from.Add(time.Duration(i) * step)
		for _, score := range o.Scores {
			if err := takeQuiz(ctx, sv.attempts, officer, sess.ID, quizzes[0], score, i, &clock, now, true); err != nil {
				return nil, err
			}
			*attempts++
			clock = minTime(clock.Add(2*time.Minute), now)
		}
		if o.SecondQuiz > 0 {
			if err := takeQuiz(ctx, sv.attempts, officer, sess.ID, quizzes[1], o.SecondQuiz, i, &clock, now, true); err != nil {
				return nil, err
			}
			*attempts++
		}
		if o.Open { // still answering when the demo starts
			clock = now.Add(-3 * time.Minute)
			if clock.Before(sess.StartsAt) {
				clock = sess.StartsAt
			}
			if err := takeQuiz(ctx, sv.attempts, officer, sess.ID, quizzes[0], 100, i, &clock, now, false); err != nil {
				return nil, err
			}
			*attempts++
		}
	}
	clock = now
	return sv.schedule.Session(ctx, trainerActor, sess.ID)
}

// seedPast schedules last week's session (created three weeks before it, when
// its date was still ahead), plays the whole day — everyone present, every quiz
// passed, one at the second attempt — and closes it, issuing the certificates.
func (s *Seeder) seedPast(ctx context.Context, sv services, c *course.Course, p *cast, attempts *int) (*schedule.Session, int, error) {
	loc, err := time.LoadLocation(past.Timezone)
	if err != nil {
		return nil, 0, err
	}
	local := s.now().In(loc)
	day := time.Date(local.Year(), local.Month(), local.Day()-7, 0, 0, 0, 0, loc)
	var clock time.Time
	sv.schedule.Now = func() time.Time { return clock }
	sv.attempts.Now = func() time.Time { return clock }
	sv.certs.Now = func() time.Time { return clock }
	at := func(days int, hour, minute int) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day()+days, hour, minute, 0, 0, loc).UTC()
	}

	clock = at(-21, 10, 0)
	trainerActor := auth.ActorFor(p.trainer)
	sess, err := sv.schedule.CreateSession(ctx, trainerActor, sessionInput(past, day.Format("2006-01-02"), "09:00", "17:00"))
	if err != nil {
		return nil, 0, err
	}
	clock = at(-14, 11, 0)
	if err := enrolAll(ctx, sv, p, sess.ID); err != nil {
		return nil, 0, err
	}
	for i, o := range p.officers {
		clock = at(0, 8, 40+i)
		if _, err := sv.schedule.MarkAttendance(ctx, trainerActor, sess.ID, o.ID, string(store.Present)); err != nil {
			return nil, 0, fmt.Errorf("attendance of %s: %w", o.Email, err)
		}
	}
	// The quizzes close the modules: about 10:30, 12:30, 14:45 and 16:30.
	quizAt := [][2]int{{10, 30}, {12, 30}, {14, 45}, {16, 30}}
	for j, qz := range c.Quizzes() {
		hm := quizAt[min(j, len(quizAt)-1)]
		for i, o := range p.officers {
			officer := auth.ActorFor(o)
			clock = at(0, hm[0], hm[1]+i/3)
			score := passScores[(i+j)%len(passScores)]
			if i == retakeOfficer && j == 2 && qz.Attempts > 1 {
				if err := takeQuiz(ctx, sv.attempts, officer, sess.ID, qz, 55, i, &clock, time.Time{}, true); err != nil {
					return nil, 0, err
				}
				*attempts++
				clock = clock.Add(5 * time.Minute)
			}
			if err := takeQuiz(ctx, sv.attempts, officer, sess.ID, qz, score, i, &clock, time.Time{}, true); err != nil {
				return nil, 0, err
			}
			*attempts++
		}
	}
	clock = at(0, 17, 20)
	issued, err := sv.certs.CloseSession(ctx, trainerActor, sess.ID)
	if err != nil {
		return nil, 0, err
	}
	if issued != len(p.officers) {
		return nil, 0, fmt.Errorf("closing issued %d certificates, want %d", issued, len(p.officers))
	}
	sess, err = sv.schedule.Session(ctx, trainerActor, sess.ID)
	return sess, issued, err
}

func sessionInput(spec sessionSpec, date, start, end string) schedule.SessionInput {
	id := CourseID
	return schedule.SessionInput{Course: &id, Date: &date, Start: &start, End: &end, Timezone: &spec.Timezone,
		Venue: &spec.Venue, City: &spec.City, Country: &spec.Country, Capacity: &spec.Capacity}
}

// Logins lists the demo accounts: the first admin, the trainer, the
// coordinators and the officers. The admin's password is shown only when it is
// the demo's.
func Logins(ctx context.Context, db *store.DB) ([]Login, error) {
	users, err := db.Read(ctx).UsersByEmails(allEmails())
	if err != nil {
		return nil, fmt.Errorf("demo logins: %w", err)
	}
	byEmail := map[string]store.User{}
	for _, u := range users {
		byEmail[u.Email] = u
	}
	ags, err := db.Agencies(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("demo logins: %w", err)
	}
	agencyOf := func(u store.User) (string, string) {
		for _, a := range ags {
			if u.AgencyID != nil && a.ID == *u.AgencyID {
				return a.Name, a.Country
			}
		}
		return "", ""
	}
	var out []Login
	admins, err := db.Users(ctx, store.UserFilter{Role: string(auth.RoleAdmin)})
	if err != nil {
		return nil, fmt.Errorf("demo logins: %w", err)
	}
	if len(admins) > 0 {
		a := admins[0]
		l := Login{Role: a.Role, Name: a.Name, Email: a.Email}
		if auth.CheckPassword(a.PasswordHash, AdminPassword) {
			l.Password = AdminPassword
		}
		out = append(out, l)
	}
	add := func(spec personSpec, password string) {
		u, ok := byEmail[spec.Email]
		if !ok {
			return
		}
		l := Login{Role: u.Role, Name: u.Name, Email: u.Email, Password: password}
		l.Agency, l.Country = agencyOf(u)
		out = append(out, l)
	}
	add(trainer, TrainerPassword)
	for _, c := range coordinators {
		add(c, CoordinatorPassword)
	}
	for _, o := range officers {
		add(o.personSpec, OfficerPassword)
	}
	return out, nil
}
