package certify

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/mail"
	"github.com/lectern-platform/lectern/internal/store"
)

// ReminderJob is the daily job (package jobs) that sends the recertification
// reminders; internal/app registers SendReminders under it.
const ReminderJob = "certificate-reminders"

// The reminders, named by the days before expiry they are sent at.
const (
	Reminder90 = 90
	Reminder30 = 30
)

// reminderKind is the reminder due for a certificate expiring at exp, judged
// at now (within ExpiringWindow of it): the 30-day one within 30 days, else the
// 90-day one. A server that was down on the 90th day sends the 90-day one when
// it is back if more than 30 days remain, and only the 30-day one otherwise.
func reminderKind(exp, now time.Time) int {
	if exp.Sub(now) <= Reminder30*24*time.Hour {
		return Reminder30
	}
	return Reminder90
}

// SendReminders e-mails, through the outbox, the recertification reminders
// due at the server's clock (s.Now): to each holder whose latest certificate of
// a course is valid and expires within ExpiringWindow, the 90-day or the 30-day
// reminder; and to each coordinator of the holder's agency, one digest per run
// listing the certificates newly due (one e-mail per certificate would bury a
// coordinator whose whole team was trained on one day). Each reminder goes once
// per certificate, kind and recipient: its certificate_reminders row is
// inserted in the transaction that writes the e-mail, so a second run, a
// restart or another process sends nothing twice. Revoked certificates, and
// holders who hold a newer certificate of the course, get nothing. A failure
// for one recipient does not stop the others; the errors are returned
// together, and the job retried.
//
// It is the daily job ReminderJob; the day it is given is not used, the clock
// decides (a run missed on one day catches up on the next).
func (s *Service) SendReminders(ctx context.Context, _ time.Time) error {
	if s.Mail == nil {
		// Without a mailer nothing can be written: recording the reminders as
		// sent would lose them.
		return nil
	}
	now := s.Now()
	read := s.db.Read(ctx)
	due, err := read.DueCertificates(store.DueFilter{After: now, Until: now.Add(ExpiringWindow)})
	if err != nil {
		return err
	}
	if len(due) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(due))
	for _, c := range due {
		ids = append(ids, c.UserID)
	}
	users, err := read.UsersByIDs(ids)
	if err != nil {
		return err
	}
	holders := make(map[int64]*store.User, len(users))
	for i := range users {
		holders[users[i].ID] = &users[i]
	}
	coordinators, err := s.db.Users(ctx, store.UserFilter{Role: string(auth.RoleCoordinator)})
	if err != nil {
		return err
	}
	byAgency := map[int64][]store.User{}
	for _, u := range coordinators {
		if u.AgencyID != nil && u.Email != "" && u.ErasedAt == nil {
			byAgency[*u.AgencyID] = append(byAgency[*u.AgencyID], u)
		}
	}

	base := strings.TrimSuffix(s.BaseURL, "/")
	var errs []error
	officers, digests := 0, 0
	agencyDue := map[int64][]store.Certificate{}
	for i := range due {
		c := &due[i]
		u := holders[c.UserID]
		if u == nil || u.Email == "" || u.ErasedAt != nil { // no one to write to (an erased account: its address is a placeholder)
			continue
		}
		kind := reminderKind(*c.ExpiresAt, now)
		sent, err := s.remindHolder(ctx, u, c, kind, now, base)
		if err != nil {
			errs = append(errs, err)
		} else if sent {
			officers++
		}
		agency := u.AgencyID
		if agency == nil {
			agency = c.AgencyID
		}
		if agency != nil {
			agencyDue[*agency] = append(agencyDue[*agency], *c)
		}
	}
	for agencyID, certs := range agencyDue {
		for _, coord := range byAgency[agencyID] {
			sent, err := s.remindCoordinator(ctx, &coord, agencyID, certs, now, base)
			if err != nil {
				errs = append(errs, err)
			} else if sent {
				digests++
			}
		}
	}
	if officers > 0 || digests > 0 {
		s.log.Info("recertification reminders queued", "holders", officers, "coordinator_digests", digests)
	}
	return errors.Join(errs...)
}

// remindHolder sends c's holder the reminder of kind unless it went already.
func (s *Service) remindHolder(ctx context.Context, u *store.User, c *store.Certificate, kind int, now time.Time, base string) (sent bool, err error) {
	ws, err := readWording(c)
	if err != nil {
		return false, err
	}
	lang := ""
	if s.courses != nil {
		if co, ok := s.courses.Course(c.CourseID); ok {
			lang = co.Language
		}
	}
	err = s.db.Tx(ctx, func(q store.Q) error {
		ok, err := q.ClaimCertificateReminder(c.Serial, kind, u.ID, now)
		if err != nil || !ok {
			return err
		}
		sent = true
		return s.Mail.CertificateExpiring(q, u, c, base+"/sessions?course="+url.QueryEscape(c.CourseID),
			base+"/api/v1/certificates/"+c.Serial+".pdf", lang, courseTitles(ws))
	})
	if err != nil {
		return false, fmt.Errorf("%d-day reminder of certificate %s: %w", kind, c.Serial, err)
	}
	return sent, nil
}

// remindCoordinator sends a coordinator one digest of the certificates among
// certs whose reminder (of the kind due now) they have not had yet.
func (s *Service) remindCoordinator(ctx context.Context, coord *store.User, agencyID int64, certs []store.Certificate, now time.Time, base string) (sent bool, err error) {
	err = s.db.Tx(ctx, func(q store.Q) error {
		var lines []mail.DueLine
		for i := range certs {
			c := &certs[i]
			ok, err := q.ClaimCertificateReminder(c.Serial, reminderKind(*c.ExpiresAt, now), coord.ID, now)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			ws, err := readWording(c)
			if err != nil {
				return err
			}
			lines = append(lines, mail.DueLine{Holder: c.HolderName, Course: c.CourseTitle, Titles: courseTitles(ws), ExpiresAt: *c.ExpiresAt})
		}
		sent = len(lines) > 0
		return s.Mail.CertificatesExpiring(q, coord, lines, fmt.Sprintf("%s/agencies/%d/record?status=due", base, agencyID))
	})
	if err != nil {
		return false, fmt.Errorf("recertification digest for coordinator %d: %w", coord.ID, err)
	}
	return sent, nil
}
