package certify

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/mail"
	"github.com/lectern-platform/lectern/internal/store"
)

// Courses is what certificates need of the course library.
type Courses interface {
	Course(id string) (*course.Course, bool)
}

// OpenAttempts is what closing a session needs of the attempts domain;
// *attempt.Service is one.
type OpenAttempts interface {
	// SubmitOpenIn submits, inside the close's transaction, every attempt of
	// the session still open with what it saved, and reports how many by
	// reason (the close, or a deadline that had passed).
	SubmitOpenIn(q store.Q, sessionID int64) (map[string]int, error)
	// CountFinalised counts them in the metrics once the close has committed.
	CountFinalised(byReason map[string]int)
}

// Sessions is the one session access rule (schedule.Access is it): a session
// the actor cannot see is not found, one they can see but may not act on with
// act is forbidden. certify does not import schedule; internal/app passes the rule in.
type Sessions interface {
	Session(q store.Q, a *auth.Actor, id int64, act auth.Action, lock bool) (*store.TrainingSession, error)
}

// Service issues, lists, verifies and revokes certificates.
type Service struct {
	Options
	db       *store.DB
	courses  Courses
	signer   *Signer
	attempts OpenAttempts
	sessions Sessions
	log      *slog.Logger
	Now      func() time.Time
	// renders counts PDFs rendered (Rendered); cacheWrites the transactions
	// that kept renders in the cache.
	renders, cacheWrites atomic.Int64
	// signed counts credentials signed (Signed).
	signed atomic.Int64
	// closed hands the sessions just closed to Prerender.
	closed chan int64
	// versions are the stored course versions credentials were worded
	// from, parsed, by hash: a handful (a course changes seldom).
	versions sync.Map
	// lists are the signed status lists this process made, by number
	// (statuslist.go).
	lists statusLists
}

// Options are the certificates service's settings and collaborators, given
// once to NewService (internal/app builds them).
type Options struct {
	// Programme is the training programme named on every certificate issued;
	// empty: DefaultProgramme.
	Programme string
	// BaseURL is the public address the certificates' QR codes point to;
	// empty: http://localhost:8080.
	BaseURL string
	// Mail, when set, tells each officer their certificate is issued, inside the
	// close's transaction.
	Mail *mail.Mailer
	// Metrics, when set, counts the certificates issued once a close commits.
	Metrics Metrics
	// Catalog words what a course does not (the generic certificate title in
	// a certificate language); nil: the embedded catalogues.
	Catalog *i18n.Catalog
	// SaltKey keys the salts of the holders' hashed e-mail addresses in
	// their credentials (identitySalt); internal/app derives it from the
	// secrets key. Empty: one derived from the signing key.
	SaltKey []byte
}

// Metrics counts issued certificates; *metrics.Metrics is one.
type Metrics interface {
	CertificatesIssued(n int)
}

// DefaultProgramme is printed on certificates when the operator names none.
const DefaultProgramme = "Law-enforcement training programme"

// NewService returns the certificates service; attempts submits what is still
// open when a session closes, sessions decides who may see and run a session.
func NewService(db *store.DB, courses Courses, signer *Signer, attempts OpenAttempts, sessions Sessions, log *slog.Logger, opts Options) *Service {
	if opts.Programme == "" {
		opts.Programme = DefaultProgramme
	}
	if opts.BaseURL == "" {
		opts.BaseURL = "http://localhost:8080"
	}
	return &Service{Options: opts, db: db, courses: courses, signer: signer, attempts: attempts, sessions: sessions, log: log, Now: func() time.Time { return time.Now().UTC() },
		closed: make(chan int64, prerenderQueue)}
}

// catalog is the catalogues certificates are worded with.
func (s *Service) catalog() (*i18n.Catalog, error) {
	if s.Catalog != nil {
		return s.Catalog, nil
	}
	return i18n.Default()
}

// newSerial returns 16 base32 characters (80 random bits): unguessable, and easy
// to read aloud or type from paper.
func newSerial() (string, error) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base32.StdEncoding.EncodeToString(b), nil
}

// CloseSession closes a session (its trainers and admins): it submits every
// attempt still open with what it saved, then issues a certificate to every
// officer who became eligible, in one transaction. A crash or a failure leaves
// either nothing done or all of it: no attempt submitted by a close that did
// not happen, no certificate judged on an attempt still taking answers (whose
// owner could read the key in an earlier attempt's review, open once the day
// is closed). Closing again issues only what became due since (after a late
// attendance or grade correction) and reports that number.
func (s *Service) CloseSession(ctx context.Context, a *auth.Actor, sessionID int64) (int, error) {
	issued, submitted := 0, map[string]int{}
	err := s.db.Tx(ctx, func(q store.Q) error {
		// The session's row locked first (FOR UPDATE on PostgreSQL; SQLite has
		// one writer): a second close — another tab, another process — waits
		// here, then finds the first's certificates and issues only what is
		// still due. Without it both would issue, and the unique index on
		// (session, user) would fail the later one.
		ts, err := s.sessions.Session(q, a, sessionID, auth.ActSessionManage, true)
		if err != nil {
			return err
		}
		if ts.Status == store.SessionCancelled {
			return apperr.Conflict("err.session.cancelled_not_closable")
		}
		c, ok := s.courses.Course(ts.CourseID)
		if !ok {
			return apperr.Conflict("err.session.course_not_loaded")
		}
		if submitted, err = s.attempts.SubmitOpenIn(q, sessionID); err != nil {
			return err
		}
		quizzes := quizIDs(c)
		enrolments, err := q.Enrollments(sessionID, nil)
		if err != nil {
			return err
		}
		evidence, err := sessionEvidence(q, sessionID)
		if err != nil {
			return err
		}
		trainers, err := trainerNames(q, ts)
		if err != nil {
			return err
		}
		existing, err := q.Certificates(store.CertificateFilter{SessionID: &sessionID})
		if err != nil {
			return err
		}
		has := map[int64]bool{}
		for _, cert := range existing {
			has[cert.UserID] = true
		}
		now := s.Now()
		agencyNames := map[int64]string{}
		places := &placer{q: q}
		for _, e := range enrolments {
			if e.Status != store.Enrolled || e.User == nil || has[e.UserID] {
				continue
			}
			if !Eligible(c.Certificate, quizzes, evidence[e.UserID]) {
				continue
			}
			cert, err := s.newCertificate(q, ts, c, e.User, trainers, agencyNames, now)
			if err != nil {
				return err
			}
			if err := places.place(cert); err != nil {
				return err
			}
			if err := q.CreateCertificate(cert); err != nil {
				return err
			}
			pdf := strings.TrimSuffix(s.BaseURL, "/") + "/api/v1/certificates/" + cert.Serial + ".pdf"
			ws, err := readWording(cert)
			if err != nil {
				return err
			}
			if err := s.Mail.CertificateIssued(q, e.User, cert, pdf, courseTitles(ws)); err != nil {
				return err
			}
			issued++
		}
		if ts.Status != store.SessionClosed {
			if err := q.SetSessionStatus(sessionID, store.SessionClosed); err != nil {
				return err
			}
		}
		actorID := a.UserID
		after, _ := json.Marshal(map[string]any{"status": store.SessionClosed, "issued": issued, "attempts_submitted": submitted})
		return q.Audit(&store.AuditEvent{At: now, ActorID: &actorID, Action: "session.close", SessionID: &sessionID, After: string(after)})
	})
	if err != nil {
		return 0, fmt.Errorf("close session %d: %w", sessionID, err)
	}
	s.attempts.CountFinalised(submitted)
	if s.Metrics != nil {
		s.Metrics.CertificatesIssued(issued)
	}
	s.log.Info("session closed", "session_id", sessionID, "issued", issued, "attempts_submitted", submitted, "by", a.UserID)
	if issued > 0 {
		s.prerenderLater(sessionID)
	}
	return issued, nil
}

// trainerNames is the session's trainers as printed on its certificates.
func trainerNames(q store.Q, ts *store.TrainingSession) (string, error) {
	users, err := q.UsersByIDs(ts.TrainerIDs())
	if err != nil {
		return "", err
	}
	names := make([]string, 0, len(users))
	for _, u := range users {
		names = append(names, u.Name)
	}
	slices.Sort(names)
	return strings.Join(names, ", "), nil
}

// newCertificate builds and signs one officer's certificate; agencyNames caches
// the agencies already looked up during this close. q is the close's
// transaction: reading through s.db there would take a second connection while
// holding one.
func (s *Service) newCertificate(q store.Q, ts *store.TrainingSession, c *course.Course, u *store.User, trainers string, agencyNames map[int64]string, now time.Time) (*store.Certificate, error) {
	serial, err := newSerial()
	if err != nil {
		return nil, err
	}
	cat, err := s.catalog()
	if err != nil {
		return nil, fmt.Errorf("certificate for user %d: %w", u.ID, err)
	}
	wordingJSON, err := json.Marshal(wordingFor(c, cat))
	if err != nil {
		return nil, fmt.Errorf("certificate for user %d: %w", u.ID, err)
	}
	// The record's title is the course language's, like the course title the
	// payload signs; the printed ones are in ws.
	title := c.Certificate.Title
	if title == "" {
		title = cat.For(cat.Match(c.Language)).T("documents.certificate.title")
	}
	cert := &store.Certificate{Wording: wordingJSON, Serial: serial, SessionID: ts.ID, UserID: u.ID, AgencyID: u.AgencyID, Title: title, Programme: s.Programme,
		HolderName: u.Name, LatinName: u.LatinName, CourseID: c.ID, CourseTitle: c.Title, CourseHash: c.Hash, SessionDate: ts.Date,
		City: ts.City, Country: ts.Country, Minutes: int(c.Duration().Minutes()), Trainers: trainers, IssuedAt: now, Status: store.CertificateValid}
	if u.Email != "" {
		cert.HolderIdentitySalt = s.identitySalt(serial)
		cert.HolderIdentityHash = store.EmailIdentityHash(u.Email, cert.HolderIdentitySalt)
	}
	if u.AgencyID != nil {
		name, ok := agencyNames[*u.AgencyID]
		if !ok {
			ag, err := q.Agency(*u.AgencyID)
			if err != nil {
				return nil, fmt.Errorf("certificate for user %d: %w", u.ID, err)
			}
			name, agencyNames[*u.AgencyID] = ag.Name, ag.Name
		}
		cert.AgencyName = name
	}
	p := Payload{Serial: serial, Holder: cert.HolderName, Agency: cert.AgencyName, Course: cert.CourseTitle, CourseHash: cert.CourseHash,
		SessionDate: cert.SessionDate, City: cert.City, Country: cert.Country, IssuedAt: now.UTC().Format(time.RFC3339)}
	if !c.Certificate.ValidFor.IsZero() {
		// Validity counts from the session date (DESIGN.md).
		day, err := time.Parse("2006-01-02", ts.Date)
		if err == nil {
			exp := c.Certificate.ValidFor.AddTo(day).UTC()
			cert.ExpiresAt = &exp
			p.ExpiresAt = exp.Format(time.RFC3339)
		}
	}
	signed, err := s.signer.Sign(p)
	if err != nil {
		return nil, err
	}
	cert.Payload, cert.Signature = signed.Payload, signed.Signature
	return cert, nil
}

// view marks expired certificates as such when they are read.
func (s *Service) view(c *store.Certificate) *store.Certificate {
	if c.Status == store.CertificateValid && c.ExpiresAt != nil && !s.Now().Before(*c.ExpiresAt) {
		c.Status = store.CertificateExpired
	}
	return c
}

// memberView is what holders, coordinators and staff see of a certificate:
// the stored row as view judges it, with "expiring" for a valid one due for
// recertification (Status).
func (s *Service) memberView(c *store.Certificate) Certificate {
	v := certificateView(s.view(c))
	v.Status = Status(c.Status, c.ExpiresAt, s.Now())
	return v
}

func visible(a *auth.Actor, c *store.Certificate) bool {
	switch a.Role {
	case auth.RoleAdmin, auth.RoleTrainer:
		return true
	case auth.RoleCoordinator:
		return c.AgencyID != nil && a.CanSeeAgency(*c.AgencyID)
	}
	return c.UserID == a.UserID
}

// List returns the certificates the actor may see: everything for admins and
// trainers, the agency's for a coordinator, their own for an officer.
func (s *Service) List(ctx context.Context, a *auth.Actor, f Filter) ([]Certificate, error) {
	if err := auth.Authorize(a, auth.ActSessionRead); err != nil {
		return nil, err
	}
	switch a.Role {
	case auth.RoleCoordinator:
		scope := a.AgencyScope()
		if f.AgencyID != nil && *f.AgencyID != *scope {
			return []Certificate{}, nil
		}
		f.AgencyID = scope
	case auth.RoleOfficer:
		if f.UserID != nil && *f.UserID != a.UserID {
			return []Certificate{}, nil
		}
		f.UserID = &a.UserID
	}
	rows, err := s.db.Read(ctx).Certificates(store.CertificateFilter(f))
	if err != nil {
		return nil, err
	}
	list := make([]Certificate, len(rows))
	for i := range rows {
		list[i] = s.memberView(&rows[i])
	}
	return list, nil
}

// Get returns one certificate the actor may see; anything else is not found.
func (s *Service) Get(ctx context.Context, a *auth.Actor, serial string) (*Certificate, error) {
	c, err := s.get(ctx, a, serial)
	if err != nil {
		return nil, err
	}
	v := s.memberView(c)
	return &v, nil
}

// get is Get keeping the stored row, signature included, for the PDF.
func (s *Service) get(ctx context.Context, a *auth.Actor, serial string) (*store.Certificate, error) {
	if err := auth.Authorize(a, auth.ActSessionRead); err != nil {
		return nil, err
	}
	c, err := s.db.Read(ctx).Certificate(serial)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !visible(a, c)) {
		return nil, apperr.NotFound("certificate")
	}
	if err != nil {
		return nil, err
	}
	return s.view(c), nil
}

// Public is what anyone holding a certificate may learn from its serial.
type Public struct {
	Serial           string     `json:"serial"`
	Status           string     `json:"status"`
	HolderName       string     `json:"holder_name"`
	CourseTitle      string     `json:"course_title"`
	SessionDate      string     `json:"session_date"`
	Agency           string     `json:"agency"`
	IssuedAt         time.Time  `json:"issued_at"`
	ExpiresAt        *time.Time `json:"expires_at"`
	RevocationReason string     `json:"revocation_reason,omitempty"`
	// ErasedAt is when the holder's personal data was erased at their
	// request (the programme erases printed names): HolderName is empty and
	// Status is StatusErased, unless the certificate was revoked.
	ErasedAt *time.Time `json:"erased_at,omitempty"`
}

// StatusErased is the public status of a certificate whose holder's name was
// erased: it was issued (course, date, validity stand), but the name on a
// paper or PDF copy can no longer be confirmed by this service — neither
// "valid" (which would vouch for a name) nor "unknown" (it was issued).
const StatusErased = "erased"

// Verify looks a serial up for the public verification page.
func (s *Service) Verify(ctx context.Context, serial string) (*Public, error) {
	serial = strings.ToUpper(strings.TrimSpace(serial))
	if len(serial) < 16 || len(serial) > 32 {
		return nil, apperr.NotFound("certificate")
	}
	c, err := s.db.Read(ctx).Certificate(serial)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apperr.NotFound("certificate")
	} else if err != nil {
		return nil, err
	}
	s.view(c)
	pub := &Public{Serial: c.Serial, Status: string(c.Status), HolderName: c.HolderName, CourseTitle: c.CourseTitle, SessionDate: c.SessionDate,
		Agency: c.AgencyName, IssuedAt: c.IssuedAt.UTC(), ExpiresAt: c.ExpiresAt, RevocationReason: c.RevocationReason}
	if c.ErasedAt != nil {
		at := c.ErasedAt.UTC()
		pub.HolderName, pub.ErasedAt = "", &at
		// Revoked and expired say more: not valid, whoever holds it.
		if c.Status != store.CertificateRevoked && c.Status != store.CertificateExpired {
			pub.Status = StatusErased
		}
	}
	return pub, nil
}

var errRevokeForbidden = apperr.Forbidden("err.certificate.revoke_forbidden")

// Revoke withdraws a certificate (admins, and the session's trainers), with a reason.
func (s *Service) Revoke(ctx context.Context, a *auth.Actor, serial, reason string) (*Certificate, error) {
	if err := auth.Authorize(a, auth.ActSessionManage); err != nil {
		if a == nil {
			return nil, err
		}
		// DESIGN: a certificate the actor can see (a coordinator's agency's,
		// an officer's own) is forbidden to revoke; one they cannot, not found.
		if _, err := s.get(ctx, a, serial); err != nil {
			return nil, err
		}
		return nil, errRevokeForbidden
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		return nil, apperr.Invalid("reason", "err.certificate.revoke_reason")
	}
	var out *store.Certificate
	err := s.db.Tx(ctx, func(q store.Q) error {
		c, err := q.Certificate(serial)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.NotFound("certificate")
		} else if err != nil {
			return err
		}
		ts, err := q.Session(c.SessionID, false)
		if err != nil {
			return err
		}
		if !a.CanManageSession(ts.TrainerIDs()) {
			return errRevokeForbidden
		}
		if c.Status == store.CertificateRevoked {
			return apperr.Conflict("err.certificate.already_revoked")
		}
		now := s.Now()
		c.Status, c.RevokedAt, c.RevocationReason = store.CertificateRevoked, &now, reason
		if err := q.SaveCertificate(c); err != nil {
			return err
		}
		if err := q.DropCertificatePDF(serial); err != nil {
			return err
		}
		if err := q.DropCertificateCredential(serial); err != nil {
			return err
		}
		actorID, sid, uid := a.UserID, c.SessionID, c.UserID
		after, _ := json.Marshal(map[string]any{"serial": serial, "status": store.CertificateRevoked, "reason": reason})
		out = c
		return q.Audit(&store.AuditEvent{At: now, ActorID: &actorID, Action: "certificate.revoke", SessionID: &sid, UserID: &uid,
			Before: `{"status":"` + string(store.CertificateValid) + `"}`, After: string(after)})
	})
	if err != nil {
		return nil, err
	}
	return viewOf(out), nil
}

func quizIDs(c *course.Course) []string {
	var ids []string
	for _, qz := range c.Quizzes() {
		ids = append(ids, qz.ID)
	}
	return ids
}

// sessionEvidence is, per officer, the attendance and the quizzes passed in a
// session: what eligibility is judged on.
func sessionEvidence(q store.Q, sessionID int64) (map[int64]Evidence, error) {
	out := map[int64]Evidence{}
	marks, err := q.Attendances(sessionID, nil)
	if err != nil {
		return nil, err
	}
	for _, m := range marks {
		ev := out[m.UserID]
		ev.Attendance = m.Status
		out[m.UserID] = ev
	}
	attempts, err := q.Attempts(sessionID, "", nil)
	if err != nil {
		return nil, err
	}
	for _, at := range attempts {
		if at.Finalised != "" && at.Passed {
			ev := out[at.UserID]
			if ev.Passed == nil {
				ev.Passed = map[string]bool{}
			}
			ev.Passed[at.QuizID] = true
			out[at.UserID] = ev
		}
	}
	return out, nil
}

// NoLongerEligible names the session's valid certificates whose holders no
// longer meet the course's rule — a regrade or an attendance correction after
// the close — for its trainers to decide on revoking: nothing revokes by itself.
func (s *Service) NoLongerEligible(ctx context.Context, a *auth.Actor, sessionID int64) (map[string]bool, error) {
	q := s.db.Read(ctx)
	ts, err := s.sessions.Session(q, a, sessionID, auth.ActSessionManage, false)
	if err != nil {
		return nil, err
	}
	c, ok := s.courses.Course(ts.CourseID)
	if !ok {
		return map[string]bool{}, nil // the rule is not known: flag nothing
	}
	evidence, err := sessionEvidence(q, sessionID)
	if err != nil {
		return nil, err
	}
	certs, err := q.Certificates(store.CertificateFilter{SessionID: &sessionID})
	if err != nil {
		return nil, err
	}
	quizzes := quizIDs(c)
	out := map[string]bool{}
	for _, cert := range certs {
		if cert.Status == store.CertificateValid && !Eligible(c.Certificate, quizzes, evidence[cert.UserID]) {
			out[cert.Serial] = true
		}
	}
	return out, nil
}
