package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/testfixture"
)

// world is the scheduling service on a real database with the shipped courses,
// two agencies and one person of each role; its clock stands still until a test
// moves it.
type world struct {
	t   testing.TB
	ctx context.Context
	db  *store.DB
	svc *Service
	now atomic.Pointer[time.Time]

	agencyA, agencyB int64
	admin            *auth.Actor
	trainer          *auth.Actor // creates the sessions, so runs them
	otherTrainer     *auth.Actor // runs none of them
	coordA, coordB   *auth.Actor
	officerA         *auth.Actor
	officerB         *auth.Actor
}

// testCourse is the shipped course the sessions teach.
const testCourse = "crypto-crime"

// worldStart is the clock when a world is made: the sessions below are days ahead.
var worldStart = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

func newWorld(t testing.TB) *world { return newWorldOn(t, testfixture.SQLite(t)) }

func newWorldOn(t testing.TB, dsn string) *world {
	t.Helper()
	db := testfixture.Open(t, dsn)
	w := &world{t: t, ctx: context.Background(), db: db,
		svc: NewService(db, testfixture.Courses(t), slog.New(slog.DiscardHandler), Options{})}
	w.svc.Now = func() time.Time { return *w.now.Load() }
	w.setClock(worldStart)
	w.agencyA, w.agencyB = w.agency("Agency A", "FR"), w.agency("Agency B", "DE")
	w.admin = w.user(auth.RoleAdmin, nil, "Admin")
	w.trainer = w.user(auth.RoleTrainer, nil, "Trainer")
	w.otherTrainer = w.user(auth.RoleTrainer, nil, "Other Trainer")
	w.coordA = w.user(auth.RoleCoordinator, &w.agencyA, "Coordinator A")
	w.coordB = w.user(auth.RoleCoordinator, &w.agencyB, "Coordinator B")
	w.officerA = w.officer(w.agencyA, "Officer A")
	w.officerB = w.officer(w.agencyB, "Officer B")
	return w
}

func (w *world) setClock(t time.Time) { t = t.UTC(); w.now.Store(&t) }

func (w *world) agency(name, country string) int64 {
	w.t.Helper()
	ag := &store.Agency{Name: name, Country: country}
	if err := w.db.CreateAgency(w.ctx, ag); err != nil {
		w.t.Fatal(err)
	}
	return ag.ID
}

var userSeq atomic.Int64

// user stores an account (without a password: nothing here signs in) and
// returns it as the actor a request of theirs would carry.
func (w *world) user(role auth.Role, agencyID *int64, name string) *auth.Actor {
	w.t.Helper()
	u := &store.User{Email: fmt.Sprintf("%s-%d@test.example", role, userSeq.Add(1)), Name: name, Role: string(role), AgencyID: agencyID}
	if err := w.db.CreateUser(w.ctx, u); err != nil {
		w.t.Fatal(err)
	}
	return &auth.Actor{UserID: u.ID, Role: role, AgencyID: u.AgencyID, Name: u.Name, Email: u.Email}
}

func (w *world) officer(agencyID int64, name string) *auth.Actor {
	return w.user(auth.RoleOfficer, &agencyID, name)
}

// session schedules, as w.trainer, 2026-12-10 09:00–17:00 in Paris (08:00–16:00
// UTC) with the capacity given; edit changes the input first.
func (w *world) session(capacity int, edit func(*SessionInput)) *Session {
	w.t.Helper()
	in := SessionInput{Course: ptr(testCourse), Date: ptr("2026-12-10"), Start: ptr("09:00"), End: ptr("17:00"),
		Timezone: ptr("Europe/Paris"), Venue: ptr("Salle 1"), City: ptr("Lyon"), Country: ptr("FR"), Capacity: ptr(capacity)}
	if edit != nil {
		edit(&in)
	}
	s, err := w.svc.CreateSession(w.ctx, w.trainer, in)
	if err != nil {
		w.t.Fatalf("create session: %v", err)
	}
	return s
}

// enroll enrols officer in a session as w.trainer and returns the enrolment.
func (w *world) enroll(sessionID int64, officer *auth.Actor) *Enrollment {
	w.t.Helper()
	e, _, err := w.svc.Enroll(w.ctx, w.trainer, sessionID, EnrollmentInput{UserID: officer.UserID})
	if err != nil {
		w.t.Fatalf("enrol %d in session %d: %v", officer.UserID, sessionID, err)
	}
	return e
}

// closeSession closes a session as certify's close does at the end of the day (that
// step lives in certify; scheduling only has to respect its result).
func (w *world) closeSession(sessionID int64) {
	w.t.Helper()
	if err := w.db.Tx(w.ctx, func(q store.Q) error { return q.SetSessionStatus(sessionID, store.SessionClosed) }); err != nil {
		w.t.Fatal(err)
	}
}

// auditActions counts a session's audit events by action.
func (w *world) auditActions(sessionID int64) map[string]int {
	w.t.Helper()
	events, err := w.svc.AuditEvents(w.ctx, w.admin, &sessionID, 1000)
	if err != nil {
		w.t.Fatal(err)
	}
	n := map[string]int{}
	for _, e := range events {
		n[e.Action]++
	}
	return n
}

// wantCode fails unless err is a domain error with the code.
func wantCode(t testing.TB, err error, code apperr.Code, what string) {
	t.Helper()
	if !apperr.Is(err, code) {
		t.Errorf("%s: got %v, want a %s error", what, err, code)
	}
}
