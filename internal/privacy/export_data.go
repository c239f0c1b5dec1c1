package privacy

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/store"
)

// The records of data.json. Their JSON keys are the documented format
// (docs/api.md, "My data"): a key is renamed only with a new ExportFormat.
// Secrets stay out: the password hash, the second factor's secret, recovery
// codes' and one-time links' hashes, sign-in tokens' hashes, and e-mail
// bodies (they may carry a live sign-in link).

type accountRecord struct {
	ID             int64          `json:"id"`
	Email          string         `json:"email"`
	Name           string         `json:"name"`
	GivenName      string         `json:"given_name"`
	FamilyName     string         `json:"family_name"`
	LatinName      string         `json:"latin_name"`
	Role           string         `json:"role"`
	Agency         *agencyRecord  `json:"agency"`
	Language       string         `json:"language"`
	LanguageChosen bool           `json:"language_chosen"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
	ActivatedAt    *time.Time     `json:"activated_at"` // privacy notice accepted, password chosen
	SecondFactor   bool           `json:"second_factor"`
	SecondSince    *time.Time     `json:"second_factor_since"`
	RecoveryCodes  []recoveryCode `json:"recovery_codes"`
	CalendarFeed   bool           `json:"calendar_feed"`
	ErasedAt       *time.Time     `json:"erased_at"` // the person's data was erased (privacy.Eraser)
}

type agencyRecord struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Country string `json:"country"`
}

type recoveryCode struct {
	UsedAt *time.Time `json:"used_at"`
}

type sessionRecord struct {
	ID        int64     `json:"id"`
	Course    string    `json:"course"`
	Date      string    `json:"date"`
	StartTime string    `json:"start_time"`
	EndTime   string    `json:"end_time"`
	Timezone  string    `json:"timezone"`
	Venue     string    `json:"venue"`
	City      string    `json:"city"`
	Country   string    `json:"country"`
	Status    string    `json:"status"`
	StartsAt  time.Time `json:"starts_at"`
}

type enrollmentRecord struct {
	SessionID        int64     `json:"session_id"`
	Status           string    `json:"status"`
	ExtraTimePercent int       `json:"extra_time_percent"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

type attendanceRecord struct {
	SessionID int64     `json:"session_id"`
	Status    string    `json:"status"`
	Source    string    `json:"source"` // trainer | checkin
	MarkedAt  time.Time `json:"marked_at"`
}

type checkinFailureRecord struct {
	SessionID int64     `json:"session_id"`
	At        time.Time `json:"at"`
}

type exceptionRecord struct {
	SessionID     int64  `json:"session_id"`
	Quiz          string `json:"quiz"`
	ExtraAttempts int    `json:"extra_attempts"`
}

type certificateRecord struct {
	Serial           string     `json:"serial"`
	Status           string     `json:"status"` // valid | expiring | expired | revoked
	SessionID        int64      `json:"session_id"`
	Title            string     `json:"title"`
	Programme        string     `json:"programme"`
	HolderName       string     `json:"holder_name"`
	LatinName        string     `json:"latin_name"`
	Agency           string     `json:"agency"`
	Course           string     `json:"course"`
	CourseTitle      string     `json:"course_title"`
	SessionDate      string     `json:"session_date"`
	City             string     `json:"city"`
	Country          string     `json:"country"`
	Minutes          int        `json:"minutes"`
	Trainers         string     `json:"trainers"`
	IssuedAt         time.Time  `json:"issued_at"`
	ExpiresAt        *time.Time `json:"expires_at"`
	RevokedAt        *time.Time `json:"revoked_at"`
	RevocationReason string     `json:"revocation_reason"`
	ErasedAt         *time.Time `json:"erased_at"` // the holder's name was erased from it
	PDF              string     `json:"pdf"`       // its file in the ZIP; "" without a signing key, or erased
}

type auditRecord struct {
	ID        int64           `json:"id"`
	At        time.Time       `json:"at"`
	Action    string          `json:"action"`
	ActorID   *int64          `json:"actor_id"`
	UserID    *int64          `json:"user_id"`
	SessionID *int64          `json:"session_id"`
	Before    json.RawMessage `json:"before"`
	After     json.RawMessage `json:"after"`
}

type loginSessionRecord struct {
	Kind       string    `json:"kind"` // browser | api
	ClientIP   string    `json:"client_ip"`
	UserAgent  string    `json:"user_agent"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
}

type loginFailureRecord struct {
	ClientIP    string    `json:"client_ip"`
	KnownDevice bool      `json:"known_device"`
	At          time.Time `json:"at"`
}

type linkRecord struct {
	Purpose   string     `json:"purpose"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	UsedAt    *time.Time `json:"used_at"`
}

type emailRecord struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"`
	SessionID *int64     `json:"session_id"`
	ToAddress string     `json:"to_address"`
	ToName    string     `json:"to_name"`
	Language  string     `json:"language"`
	Subject   string     `json:"subject"`
	Status    string     `json:"status"`
	Attempts  int        `json:"attempts"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
}

type reminderRecord struct {
	Serial string    `json:"serial"`
	Days   int       `json:"days"` // the reminder: 90 or 30 days before expiry
	SentAt time.Time `json:"sent_at"`
}

type actRecord struct {
	Kind      string     `json:"kind"`
	SessionID *int64     `json:"session_id"`
	Quiz      string     `json:"quiz,omitempty"`
	At        *time.Time `json:"at"`
}

// writeData writes data.json and returns the person's certificates, for
// their PDFs.
func (e *Exporter) writeData(ctx context.Context, w io.Writer, ex *Export) ([]store.Certificate, error) {
	q := e.db.Read(ctx)
	u := ex.user
	j := &jsonObject{w: bufio.NewWriter(w)}
	j.field("format", ExportFormat)
	j.field("exported_at", ex.at)

	account := accountRecord{ID: u.ID, Email: u.Email, Name: u.Name, GivenName: u.GivenName, FamilyName: u.FamilyName,
		LatinName: u.LatinName, Role: u.Role, Language: u.Language, LanguageChosen: u.LanguageChosen,
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, ActivatedAt: u.PrivacyAcceptedAt,
		SecondFactor: u.TOTPEnabledAt != nil, SecondSince: u.TOTPEnabledAt, CalendarFeed: u.CalendarToken != nil, ErasedAt: u.ErasedAt,
		RecoveryCodes: []recoveryCode{}}
	if u.AgencyID != nil {
		ag, err := q.Agency(*u.AgencyID)
		if err != nil {
			return nil, err
		}
		account.Agency = &agencyRecord{ID: ag.ID, Name: ag.Name, Country: ag.Country}
	}
	codes, err := q.UserRecoveryCodes(u.ID)
	if err != nil {
		return nil, err
	}
	for _, c := range codes {
		account.RecoveryCodes = append(account.RecoveryCodes, recoveryCode{UsedAt: c.UsedAt})
	}
	j.field("account", account)

	enrollments, err := q.UserEnrollments(u.ID)
	if err != nil {
		return nil, err
	}
	attendance, err := q.UserAttendances(u.ID)
	if err != nil {
		return nil, err
	}
	trained, err := q.UserTrainedSessions(u.ID)
	if err != nil {
		return nil, err
	}
	certs, err := q.Certificates(store.CertificateFilter{UserID: &u.ID})
	if err != nil {
		return nil, err
	}
	attemptIDs, err := q.UserAttemptIDs(u.ID)
	if err != nil {
		return nil, err
	}

	// The sessions the other records point to, once each, so session_id
	// can be read without this server.
	ids := slices.Clone(trained)
	for _, en := range enrollments {
		ids = append(ids, en.SessionID)
	}
	for _, a := range attendance {
		ids = append(ids, a.SessionID)
	}
	for _, c := range certs {
		ids = append(ids, c.SessionID)
	}
	slices.Sort(ids)
	j.list("sessions", func(emit func(any)) error {
		for _, id := range slices.Compact(ids) {
			s, err := q.Session(id, false)
			if err != nil {
				return err
			}
			emit(sessionRecord{ID: s.ID, Course: s.CourseID, Date: s.Date, StartTime: s.StartTime, EndTime: s.EndTime,
				Timezone: s.Timezone, Venue: s.Venue, City: s.City, Country: s.Country, Status: string(s.Status), StartsAt: s.StartsAt})
		}
		return nil
	})
	j.field("trained_sessions", nonNil(trained))
	j.list("enrollments", func(emit func(any)) error {
		for _, en := range enrollments {
			emit(enrollmentRecord{SessionID: en.SessionID, Status: string(en.Status), ExtraTimePercent: en.ExtraTimePercent, CreatedAt: en.CreatedAt, UpdatedAt: en.UpdatedAt})
		}
		return nil
	})
	j.list("attendance", func(emit func(any)) error {
		for _, a := range attendance {
			emit(attendanceRecord{SessionID: a.SessionID, Status: string(a.Status), Source: string(a.Source), MarkedAt: a.MarkedAt})
		}
		return nil
	})
	j.list("checkin_failures", func(emit func(any)) error {
		rows, err := q.UserCheckinFailures(u.ID)
		for _, f := range rows {
			emit(checkinFailureRecord{SessionID: f.SessionID, At: f.At})
		}
		return err
	})
	// Each attempt as its owner sees it, whoever asks for the export: the
	// owner's rights decide whether a quiz's answer key may be shown.
	owner := auth.ActorFor(auth.UserOf(u))
	j.list("attempts", func(emit func(any)) error {
		for _, id := range attemptIDs {
			v, err := e.o.Attempt(ctx, owner, id)
			if err != nil {
				return fmt.Errorf("attempt %d: %w", id, err)
			}
			emit(v)
		}
		return nil
	})
	j.list("attempt_exceptions", func(emit func(any)) error {
		rows, err := q.UserAttemptExceptions(u.ID)
		for _, x := range rows {
			emit(exceptionRecord{SessionID: x.SessionID, Quiz: x.QuizID, ExtraAttempts: x.ExtraAttempts})
		}
		return err
	})
	now := e.Now()
	j.list("certificates", func(emit func(any)) error {
		for i := range certs {
			c := &certs[i]
			status := string(c.Status)
			if e.o.CertificateStatus != nil { // expired and expiring are judged now, never stored
				status = e.o.CertificateStatus(c.Status, c.ExpiresAt, now)
			}
			r := certificateRecord{Serial: c.Serial, Status: status, SessionID: c.SessionID, Title: c.Title, Programme: c.Programme,
				HolderName: c.HolderName, LatinName: c.LatinName, Agency: c.AgencyName, Course: c.CourseID, CourseTitle: c.CourseTitle,
				SessionDate: c.SessionDate, City: c.City, Country: c.Country, Minutes: c.Minutes, Trainers: c.Trainers,
				IssuedAt: c.IssuedAt, ExpiresAt: c.ExpiresAt, RevokedAt: c.RevokedAt, RevocationReason: c.RevocationReason, ErasedAt: c.ErasedAt}
			if e.o.Certificates != nil && c.ErasedAt == nil {
				r.PDF = certificatePath(c.Serial)
			}
			emit(r)
		}
		return nil
	})
	j.list("audit", func(emit func(any)) error {
		return pages(func(after int64) (int64, int, error) {
			rows, err := q.UserAuditEvents(u.ID, after, exportPage)
			for _, ev := range rows {
				r := auditRecord{ID: ev.ID, At: ev.At, Action: ev.Action, ActorID: ev.ActorID, SessionID: ev.SessionID,
					Before: json.RawMessage("null"), After: json.RawMessage("null")}
				// What the person did to someone else's record is that
				// person's data: the act is theirs, its values are not.
				if ev.UserID != nil && *ev.UserID == u.ID {
					r.UserID, r.Before, r.After = ev.UserID, rawJSON(ev.Before), rawJSON(ev.After)
				}
				emit(r)
				after = ev.ID
			}
			return after, len(rows), err
		})
	})
	j.list("login_sessions", func(emit func(any)) error {
		rows, err := q.UserLoginSessions(u.ID)
		for _, s := range rows {
			emit(loginSessionRecord{Kind: string(s.Kind), ClientIP: s.ClientIP, UserAgent: s.UserAgent, CreatedAt: s.CreatedAt, LastSeenAt: s.LastSeenAt, ExpiresAt: s.ExpiresAt})
		}
		return err
	})
	j.list("login_failures", func(emit func(any)) error {
		return pages(func(after int64) (int64, int, error) {
			rows, err := q.EmailLoginFailures(u.Email, after, exportPage)
			for _, f := range rows {
				emit(loginFailureRecord{ClientIP: f.ClientIP, KnownDevice: f.Device != "", At: f.At})
				after = f.ID
			}
			return after, len(rows), err
		})
	})
	j.list("links", func(emit func(any)) error {
		rows, err := q.UserTokens(u.ID)
		for _, t := range rows {
			emit(linkRecord{Purpose: string(t.Purpose), CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, UsedAt: t.UsedAt})
		}
		return err
	})
	j.list("emails", func(emit func(any)) error {
		return pages(func(after int64) (int64, int, error) {
			rows, err := q.UserOutbox(u.ID, u.Email, after, exportPage)
			for _, m := range rows {
				emit(emailRecord{ID: m.ID, Kind: m.Kind, SessionID: m.SessionID, ToAddress: m.ToAddress, ToName: m.ToName, Language: m.Language,
					Subject: m.Subject, Status: string(m.Status), Attempts: m.Attempts, CreatedAt: m.CreatedAt, SentAt: m.SentAt})
				after = m.ID
			}
			return after, len(rows), err
		})
	})
	j.list("certificate_reminders", func(emit func(any)) error {
		rows, err := q.UserCertificateReminders(u.ID)
		for _, r := range rows {
			emit(reminderRecord{Serial: r.Serial, Days: r.Kind, SentAt: r.SentAt})
		}
		return err
	})
	j.list("acts", func(emit func(any)) error {
		rows, err := q.UserActs(u.ID)
		for _, a := range rows {
			emit(actRecord{Kind: a.Kind, SessionID: a.SessionID, Quiz: a.QuizID, At: a.At})
		}
		return err
	})
	if err := j.close(); err != nil {
		return nil, err
	}
	// An erased name went with the signed payload: there is no PDF to give.
	return slices.DeleteFunc(certs, func(c store.Certificate) bool { return c.ErasedAt != nil }), nil
}

// pages calls page with the last id read (0 first) until a page comes back
// short.
func pages(page func(after int64) (last int64, n int, err error)) error {
	var after int64
	for {
		last, n, err := page(after)
		if err != nil || n < exportPage {
			return err
		}
		after = last
	}
}

// rawJSON keeps an audit value as the JSON it was recorded as; anything else
// (never written so far) as a JSON string.
func rawJSON(s string) json.RawMessage {
	if s == "" {
		return json.RawMessage("null")
	}
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(s) // a string always marshals
	return b
}

func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}
