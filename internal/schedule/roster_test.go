package schedule

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/store"
)

// people is how many accounts exist.
func (w *world) people() int {
	w.t.Helper()
	users, err := w.db.Users(w.ctx, store.UserFilter{})
	if err != nil {
		w.t.Fatal(err)
	}
	return len(users)
}

func (w *world) importRoster(a *auth.Actor, sessionID int64, csv string) (*RosterResult, error) {
	return w.svc.ImportRoster(w.ctx, a, sessionID, strings.NewReader(csv))
}

func TestRoster_AllOrNothing(t *testing.T) {
	w := newWorld(t)
	s := w.session(2, nil)
	w.enroll(s.ID, w.officerA)
	good := fmt.Sprintf("email,name,agency_id\n%s,Officer A,%d\nnew1@test.example,Zoë Ångström,%d\nnew2@test.example,김민준,%d\nnew3@test.example,New Three,%d\n",
		w.officerA.Email, w.agencyA, w.agencyA, w.agencyB, w.agencyA)
	people := w.people()
	// unchanged fails unless the accounts and the list are as before the import.
	unchanged := func(t *testing.T, what string) {
		t.Helper()
		if n := w.people(); n != people {
			t.Errorf("%s left %d new accounts", what, n-people)
		}
		if got := w.statuses(s.ID); len(got) != 1 {
			t.Errorf("%s changed the list: %v", what, got)
		}
	}

	t.Run("OneBadRowAndNothingChanges", func(t *testing.T) {
		bad := good + fmt.Sprintf("new4@test.example,,%d\n", w.agencyA) // line 6: no name
		_, err := w.importRoster(w.trainer, s.ID, bad)
		e, ok := apperr.As(err)
		if !ok || e.Code != apperr.CodeInvalid || len(e.Details) != 1 || e.Details[0].Row != 6 || e.Details[0].Field != "name" {
			t.Fatalf("a roster with a bad line 6: %v", err)
		}
		unchanged(t, "a refused roster")
	})
	t.Run("EveryBadRowIsReportedByLine", func(t *testing.T) {
		bad := "email,name,agency_id\n" +
			fmt.Sprintf("ok@test.example,Fine,%d\n", w.agencyA) + // line 2
			fmt.Sprintf("not-an-email,Bad Mail,%d\n", w.agencyA) + // 3
			"nobody@test.example,Nobody,999999\n" + // 4: unknown agency
			fmt.Sprintf("OK@test.example,Again,%d\n", w.agencyA) + // 5: repeats line 2
			fmt.Sprintf("%s,Coordinator,%d\n", w.coordA.Email, w.agencyA) // 6: not an officer
		_, err := w.importRoster(w.trainer, s.ID, bad)
		e, _ := apperr.As(err)
		var got []string
		for _, d := range e.Details {
			got = append(got, fmt.Sprintf("%d %s", d.Row, d.Field))
		}
		if want := "[3 email 4 agency_id 5 email 6 email]"; fmt.Sprint(got) != want {
			t.Errorf("row errors %v, want %s (%v)", got, want, err)
		}
	})
	t.Run("AFailureInsideTheWriteUndoesIt", func(t *testing.T) {
		// Every row is good, but inviting the second new officer fails inside
		// the import's transaction: the first one's account goes too.
		invited := 0
		w.svc.Invite = func(q store.Q, by *auth.Actor, u *store.User) error {
			if invited++; invited == 2 {
				return errors.New("outbox full")
			}
			return nil
		}
		defer func() { w.svc.Invite = nil }()
		if _, err := w.importRoster(w.trainer, s.ID, good); err == nil || !strings.Contains(err.Error(), "outbox full") {
			t.Fatalf("import with a failing invitation: %v", err)
		}
		unchanged(t, "a failed import")
	})
	t.Run("AGoodRosterSeatsThenWaitlists", func(t *testing.T) {
		res, err := w.importRoster(w.trainer, s.ID, good)
		if err != nil {
			t.Fatal(err)
		}
		if want := (RosterResult{Rows: 4, Created: 3, Enrolled: 1, Waitlisted: 2, Already: 1}); *res != want {
			t.Errorf("import: %+v, want %+v", *res, want)
		}
		if n := w.people(); n != people+3 {
			t.Errorf("%d accounts created, want 3", n-people)
		}
		res, err = w.importRoster(w.trainer, s.ID, good)
		if err != nil || *res != (RosterResult{Rows: 4, Already: 4}) {
			t.Errorf("the same roster again: %+v, %v", res, err)
		}
	})
}

func TestRoster_WhoImports(t *testing.T) {
	w := newWorld(t)
	s := w.session(10, nil)
	onlyA := w.session(10, func(in *SessionInput) { in.AgencyIDs = &[]int64{w.agencyA} })
	csv := "email,name\nx@test.example,X\n"

	_, err := w.importRoster(w.officerA, s.ID, csv)
	wantCode(t, err, apperr.CodeForbidden, "an officer")
	_, err = w.importRoster(w.otherTrainer, s.ID, csv)
	wantCode(t, err, apperr.CodeForbidden, "a trainer of other sessions")
	_, err = w.importRoster(w.coordB, onlyA.ID, csv)
	wantCode(t, err, apperr.CodeNotFound, "a coordinator of an agency the session is not open to")
	_, err = w.importRoster(w.coordB, s.ID, fmt.Sprintf("email,name\n%s,Officer A\n", w.officerA.Email))
	if e, _ := apperr.As(err); e == nil || len(e.Details) != 1 || e.Details[0].ID != "err.roster.cannot_enrol" {
		t.Errorf("coordinator B naming officer A: %v", err)
	}
	// A coordinator's officers join their agency; no agency_id column is taken.
	_, err = w.importRoster(w.coordB, s.ID, fmt.Sprintf("email,name,agency_id\nx@test.example,X,%d\n", w.agencyA))
	wantCode(t, err, apperr.CodeInvalid, "a coordinator's roster with agency_id")
	res, err := w.importRoster(w.coordB, s.ID, csv)
	if err != nil || res.Created != 1 || res.Enrolled != 1 {
		t.Fatalf("coordinator import: %+v, %v", res, err)
	}
	x, err := w.db.UserByEmail(w.ctx, "x@test.example")
	if err != nil || x.AgencyID == nil || *x.AgencyID != w.agencyB || x.Role != string(auth.RoleOfficer) || x.PasswordHash != "" {
		t.Errorf("imported account %+v, %v", x, err)
	}
	w.closeSession(s.ID)
	_, err = w.importRoster(w.trainer, s.ID, csv)
	wantCode(t, err, apperr.CodeConflict, "a closed session")
}

// A roster is checked outside the write transaction (it may be thousands of
// rows); a session cancelled in between must not take it once the import has
// the writer: no seats in a cancelled session, no "you are enrolled" e-mails.
func TestRoster_SessionCancelledDuringTheImport(t *testing.T) {
	w := newWorld(t)
	s := w.session(5, nil)
	pools, err := w.db.Pools()
	if err != nil {
		t.Fatal(err)
	}
	writer := pools["write"] // SQLite's one writer connection
	waits := writer.Stats().WaitCount
	done := make(chan error, 1)
	err = w.db.Tx(w.ctx, func(q store.Q) error {
		go func() {
			_, err := w.importRoster(w.coordA, s.ID, "email,name\nnew@test.example,New Officer\n")
			done <- err
		}()
		// Cancel once the import, its checks passed, queues for the writer; the
		// wait is observed, never guessed with a timer.
		for give := time.Now().Add(30 * time.Second); writer.Stats().WaitCount == waits; time.Sleep(time.Millisecond) {
			if time.Now().After(give) {
				return errors.New("the import never queued for the writer")
			}
		}
		return q.SetSessionStatus(s.ID, store.SessionCancelled)
	})
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, <-done, apperr.CodeConflict, "a roster for a session cancelled during the import")
	if got := w.statuses(s.ID); len(got) != 0 {
		t.Errorf("the cancelled session took the roster: %v", got)
	}
}
