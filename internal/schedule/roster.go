package schedule

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/csvx"
	"github.com/lectern-platform/lectern/internal/store"
)

// MaxRosterRows bounds one import; a conference hall is a few thousand people.
const MaxRosterRows = 10000

// RosterResult says what an import did.
type RosterResult struct {
	Rows       int `json:"rows"`
	Created    int `json:"created"`    // new officer accounts (they get an invitation to set a password)
	Enrolled   int `json:"enrolled"`   // new seats
	Waitlisted int `json:"waitlisted"` // new waitlist places
	Already    int `json:"already"`    // were enrolled or waitlisted before
}

type rosterRow struct {
	line     int
	user     store.User
	existing bool
	extra    int
}

// ImportRoster reads a CSV roster (email, name, and optional given_name,
// family_name, latin_name, extra_time_percent; agency_id when an admin or trainer
// imports), creates the officer accounts that do not exist and enrols everyone.
// All or nothing: any bad row, and nothing changes; every bad row is reported.
func (s *Service) ImportRoster(ctx context.Context, a *auth.Actor, sessionID int64, r io.Reader) (*RosterResult, error) {
	q := s.db.Read(ctx)
	ts, err := Access{}.Session(q, a, sessionID, auth.ActRosterImport, false)
	if err != nil {
		return nil, err
	}
	if a.Role == auth.RoleTrainer && !a.CanManageSession(ts.TrainerIDs()) {
		return nil, apperr.Forbidden("err.roster.forbidden")
	}
	if ts.Status.Ended() {
		return nil, ErrEnded(ts.Status)
	}
	crossAgency := a.Role == auth.RoleAdmin || a.Role == auth.RoleTrainer
	required := []string{"email", "name"}
	optional := []string{"given_name", "family_name", "latin_name", "extra_time_percent"}
	if crossAgency {
		required = append(required, "agency_id")
	}
	table, rowErrs, err := csvx.Read(r, required, optional, MaxRosterRows)
	var fe *csvx.FileError
	if errors.As(err, &fe) {
		return nil, &apperr.Error{Code: apperr.CodeInvalid, Msg: fe.Msg,
			Details: []apperr.FieldError{{Row: fe.Line, Field: "file", Msg: fe.Msg}}}
	} else if err != nil {
		return nil, fmt.Errorf("read roster: %w", err)
	}
	var details []apperr.FieldError
	for _, re := range rowErrs {
		details = append(details, apperr.FieldError{Row: re.Row, Field: re.Field, Msg: re.Msg})
	}
	rows, more, err := s.checkRosterRows(ctx, a, ts, table, crossAgency)
	if err != nil {
		return nil, err
	}
	details = append(details, more...)
	if len(details) > 0 {
		sortRowErrors(details)
		return nil, &apperr.Error{Code: apperr.CodeInvalid, Msg: apperr.Msg{ID: "err.roster.problems", Args: []any{"Count", len(details)}}, Details: details}
	}
	res := &RosterResult{Rows: len(rows)}
	err = s.db.Tx(ctx, func(q store.Q) error {
		ts, err := q.Session(sessionID, true)
		if err != nil {
			return err
		}
		// Again under the lock: the rows were checked outside it, and the
		// session may have been cancelled or closed meanwhile.
		if ts.Status.Ended() {
			return ErrEnded(ts.Status)
		}
		var fresh []store.User
		for _, row := range rows {
			if !row.existing {
				fresh = append(fresh, row.user)
			}
		}
		if err := q.CreateUsers(fresh); err != nil {
			if errors.Is(err, store.ErrDuplicate) {
				return apperr.Conflict("err.roster.account_created")
			}
			return err
		}
		res.Created = len(fresh)
		created, err := q.UsersByEmails(emailsOf(fresh))
		if err != nil {
			return err
		}
		ids := map[string]int64{}
		for i, u := range created {
			ids[u.Email] = u.ID
			if s.Invite != nil {
				if err := s.Invite(q, a, &created[i]); err != nil {
					return err
				}
			}
		}
		enrolled, err := q.CountEnrollments(sessionID, store.Enrolled)
		if err != nil {
			return err
		}
		var seated []int64 // to hear that they are enrolled
		for _, row := range rows {
			uid := row.user.ID
			if !row.existing {
				uid = ids[row.user.Email]
			}
			if _, err := q.Enrollment(sessionID, uid); err == nil {
				res.Already++
				continue
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			e := &store.Enrollment{SessionID: sessionID, UserID: uid, Status: store.Enrolled, ExtraTimePercent: row.extra, CreatedAt: s.Now(), UpdatedAt: s.Now()}
			if enrolled >= int64(ts.Capacity) {
				e.Status = store.Waitlisted
				res.Waitlisted++
			} else {
				enrolled++
				res.Enrolled++
			}
			if err := q.CreateEnrollment(e); err != nil {
				return err
			}
			if e.Status == store.Enrolled {
				seated = append(seated, uid)
			}
			after := map[string]any{"status": e.Status, "extra_time_percent": e.ExtraTimePercent, "via": "roster", "line": row.line}
			if err := s.audit(q, a, "enrollment.create", &sessionID, &uid, nil, after); err != nil {
				return err
			}
		}
		if s.Mail != nil && len(seated) > 0 {
			users, err := q.UsersByIDs(seated)
			if err != nil {
				return err
			}
			for i := range users {
				if err := s.mailEnrolled(q, ts, &users[i]); err != nil {
					return err
				}
			}
		}
		return s.audit(q, a, "roster.import", &sessionID, nil, nil, res)
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("roster imported", "session_id", sessionID, "rows", res.Rows, "created", res.Created, "by", a.UserID)
	return res, nil
}

// checkRosterRows validates every record against the accounts it names.
func (s *Service) checkRosterRows(ctx context.Context, a *auth.Actor, ts *store.TrainingSession, table *csvx.Table, crossAgency bool) ([]rosterRow, []apperr.FieldError, error) {
	q := s.db.Read(ctx)
	var details []apperr.FieldError
	emails := make([]string, 0, len(table.Records))
	for _, rec := range table.Records {
		emails = append(emails, auth.NormalizeEmail(rec.Values["email"]))
	}
	existing, err := q.UsersByEmails(emails)
	if err != nil {
		return nil, nil, err
	}
	byEmail := map[string]store.User{}
	for _, u := range existing {
		byEmail[u.Email] = u
	}
	agencies := map[int64]bool{}
	firstLine := map[string]int{}
	var rows []rosterRow
	for _, rec := range table.Records {
		var f apperr.Fields
		row := rosterRow{line: rec.Line}
		u := &row.user
		u.Email = auth.NormalizeEmail(rec.Values["email"])
		auth.CheckEmail(&f, "email", u.Email)
		u.Name = auth.CleanName(&f, "name", rec.Values["name"], true)
		u.GivenName = auth.CleanName(&f, "given_name", rec.Values["given_name"], false)
		u.FamilyName = auth.CleanName(&f, "family_name", rec.Values["family_name"], false)
		u.LatinName = auth.CleanName(&f, "latin_name", rec.Values["latin_name"], false)
		auth.CheckLatinName(&f, "latin_name", u.LatinName)
		if err := auth.CheckPrintableName(&f, u.Name, u.LatinName); err != nil {
			return nil, nil, err
		}
		u.Role = string(auth.RoleOfficer)
		if v := rec.Values["extra_time_percent"]; v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 300 {
				f.Add("extra_time_percent", "err.roster.extra_time")
			}
			row.extra = n
		}
		if crossAgency {
			id, err := strconv.ParseInt(rec.Values["agency_id"], 10, 64)
			if err != nil {
				f.Add("agency_id", "err.roster.agency_number")
			} else {
				if _, known := agencies[id]; !known {
					_, err := q.Agency(id)
					if err != nil && !errors.Is(err, store.ErrNotFound) {
						return nil, nil, err
					}
					agencies[id] = err == nil
				}
				if !agencies[id] {
					f.Add("agency_id", "err.agency.unknown_id", "ID", id)
				}
				u.AgencyID = &id
			}
		} else {
			u.AgencyID = a.AgencyID
		}
		if first, dup := firstLine[u.Email]; dup && u.Email != "" {
			f.Add("email", "err.roster.repeats_line", "Line", first)
		} else {
			firstLine[u.Email] = rec.Line
		}
		if old, ok := byEmail[u.Email]; ok {
			switch {
			case !crossAgency && (old.Role != string(auth.RoleOfficer) || !a.CanActForUser(auth.UserOf(&old))):
				// A coordinator learns neither the agency nor the role of an
				// account that is not theirs to enrol: one message for all.
				f.Add("email", "err.roster.cannot_enrol")
			case old.Role != string(auth.RoleOfficer):
				f.Add("email", "err.roster.not_officer")
			case !a.CanActForUser(auth.UserOf(&old)):
				f.Add("email", "err.roster.other_agency_officer")
			case u.AgencyID != nil && old.AgencyID != nil && *old.AgencyID != *u.AgencyID:
				f.Add("agency_id", "err.roster.agency_mismatch")
			}
			row.user, row.existing = old, true
		}
		if u.AgencyID != nil && len(f) == 0 {
			if !(&auth.Actor{Role: auth.RoleOfficer, AgencyID: row.user.AgencyID}).CanSeeSession(ts.AgencyIDs(), false) {
				f.Add("agency_id", "err.enrollment.agency_not_open")
			}
		}
		for _, fe := range f {
			fe.Row = rec.Line
			details = append(details, fe)
		}
		rows = append(rows, row)
	}
	return rows, details, nil
}

func emailsOf(users []store.User) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = u.Email
	}
	return out
}

func sortRowErrors(d []apperr.FieldError) {
	for i := 1; i < len(d); i++ { // insertion sort: already nearly ordered
		for j := i; j > 0 && d[j].Row < d[j-1].Row; j-- {
			d[j], d[j-1] = d[j-1], d[j]
		}
	}
}

// SlipRoster lists the people who get a printed sign-in slip for a session: its
// enrolled and waitlisted officers, all of them for the session's trainers and
// admins, the agency's for a coordinator.
func (s *Service) SlipRoster(ctx context.Context, a *auth.Actor, sessionID int64) (*Session, []auth.User, error) {
	q := s.db.Read(ctx)
	ts, err := Visible(q, a, sessionID, false)
	if err != nil {
		return nil, nil, err
	}
	scope, ok := a.SessionScope(ts.TrainerIDs())
	if !ok {
		return nil, nil, apperr.Forbidden("err.slips.forbidden")
	}
	enrolments, err := q.Enrollments(sessionID, scope)
	if err != nil {
		return nil, nil, err
	}
	var people []auth.User
	for _, e := range enrolments {
		if e.User != nil && e.User.Role == string(auth.RoleOfficer) {
			people = append(people, *auth.UserOf(e.User))
		}
	}
	v, err := s.view(q, ts)
	if err != nil {
		return nil, nil, err
	}
	return v, people, nil
}
