package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/secrets"
	"github.com/lectern-platform/lectern/internal/store"
)

// Service is the accounts domain: agencies, users and login sessions.
type Service struct {
	Options
	db        *store.DB
	log       *slog.Logger
	now       func() time.Time
	authCache *expirable.LRU[string, cachedActor]
	// evictions counts local evictions (evict.go): a lookup that began
	// before one does not cache what it read, which may be what was evicted.
	evictions atomic.Uint64
	// refuseHash, if set (SetRefuseHash), is asked before each sign-in's
	// password check.
	refuseHash atomic.Pointer[func() bool]
}

// SetRefuseHash makes every sign-in ask fn before its password is checked; true
// answers as a full hashing queue would (429, err.login.busy). For tests of what
// clients do when the server is busy signing a hall in; nil removes it.
func (s *Service) SetRefuseHash(fn func() bool) {
	if fn == nil {
		s.refuseHash.Store(nil)
		return
	}
	s.refuseHash.Store(&fn)
}

// Options are the accounts service's settings and collaborators, given once to
// NewService (internal/app builds them for every command and the server).
type Options struct {
	// BaseURL is the public address invitation and reset links point to.
	BaseURL string
	// Mailer queues invitation and reset e-mails; nil: links are only printed.
	Mailer Mailer
	// IdleTimeout ends a browser session after this long without a request
	// (shared or borrowed devices); 0 keeps sessions for their whole lifetime.
	IdleTimeout time.Duration
	// Secrets seals TOTP secrets (totp.go); nil: second factors cannot be set
	// up or checked (recovery codes still work).
	Secrets *secrets.Key
}

// NewService returns the accounts service over db.
func NewService(db *store.DB, log *slog.Logger, opts Options) *Service {
	return &Service{Options: opts, db: db, log: log, now: func() time.Time { return time.Now().UTC() },
		authCache: expirable.NewLRU[string, cachedActor](50000, nil, authCacheTTL)}
}

// SetClock replaces the clock (tests walk through token lifetimes with it).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// NewAgency is the input to CreateAgency.
type NewAgency struct {
	Name    string `json:"name"`
	Country string `json:"country"`
}

// CreateAgency adds an agency (admins only).
func (s *Service) CreateAgency(ctx context.Context, a *Actor, in NewAgency) (*Agency, error) {
	if err := Authorize(a, ActAgencyCreate); err != nil {
		return nil, err
	}
	var f apperr.Fields
	ag := &store.Agency{Name: CleanName(&f, "name", in.Name, true), Country: CheckCountry(&f, "country", in.Country)}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if err := s.db.CreateAgency(ctx, ag); err != nil {
		return nil, err
	}
	s.log.Info("agency created", "agency_id", ag.ID, "by", a.UserID)
	return agencyOf(ag), nil
}

// Agencies lists the agencies the actor may see.
func (s *Service) Agencies(ctx context.Context, a *Actor) ([]Agency, error) {
	if err := Authorize(a, ActAgencyRead); err != nil {
		return nil, err
	}
	rows, err := s.db.Agencies(ctx, a.AgencyScope())
	if err != nil {
		return nil, err
	}
	return listOf(rows, agencyOf), nil
}

// Agency returns one agency, or not-found when it is not the actor's to see.
func (s *Service) Agency(ctx context.Context, a *Actor, id int64) (*Agency, error) {
	ag, err := AgencyFor(s.db.Read(ctx), a, id, ActAgencyRead)
	if err != nil {
		return nil, err
	}
	return agencyOf(ag), nil
}

// AgencyFor loads an agency for act under the one rule every agency-scoped
// route follows (schedule.Access is its sibling for sessions), in this order:
// nobody signed in, unauthorized (401); no such agency, or another agency than
// a coordinator's or officer's own, not found (404), exactly as if it did not
// exist; an agency the actor can see with an action their role does not have
// (an officer or a trainer asking for its record), forbidden (403).
func AgencyFor(q store.Q, a *Actor, id int64, act Action) (*store.Agency, error) {
	if err := Authorize(a, ActAgencyRead); err != nil { // every role sees some agency
		return nil, err
	}
	if !a.CanSeeAgency(id) {
		return nil, apperr.NotFound("agency")
	}
	ag, err := q.Agency(id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apperr.NotFound("agency")
	} else if err != nil {
		return nil, err
	}
	if err := Authorize(a, act); err != nil {
		return nil, err
	}
	return ag, nil
}

// NewUser is the input to CreateUser.
type NewUser struct {
	Email      string `json:"email"`
	Name       string `json:"name"`
	GivenName  string `json:"given_name"`
	FamilyName string `json:"family_name"`
	LatinName  string `json:"latin_name"`
	Role       string `json:"role"`
	AgencyID   *int64 `json:"agency_id"`
	Password   string `json:"password"`
}

// CreateUser adds an account. Admins create anyone; coordinators create officers
// of their own agency (the agency defaults to theirs).
func (s *Service) CreateUser(ctx context.Context, a *Actor, in NewUser) (*User, error) {
	if err := Authorize(a, ActUserCreate); err != nil {
		return nil, err
	}
	if a.Role == RoleCoordinator {
		if in.Role == "" {
			in.Role = string(RoleOfficer)
		}
		if in.AgencyID == nil {
			in.AgencyID = a.AgencyID
		}
	}
	u, err := s.validateUser(ctx, a, in)
	if err != nil {
		return nil, err
	}
	if err := s.db.CreateUser(ctx, u); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return nil, apperr.Conflict("err.account.email_exists").WithField("email", "err.account.email_used")
		}
		return nil, err
	}
	by := int64(0)
	if a != nil {
		by = a.UserID
	}
	s.log.Info("user created", "user_id", u.ID, "role", u.Role, "by", by, "invited", u.PasswordHash == "")
	if u.PasswordHash == "" {
		if err := s.db.Tx(ctx, func(q store.Q) error { return s.InviteAsSystem(q, a, u) }); err != nil {
			return nil, fmt.Errorf("invite user %d: %w", u.ID, err)
		}
	}
	return UserOf(u), nil
}

func (s *Service) validateUser(ctx context.Context, a *Actor, in NewUser) (*store.User, error) {
	var f apperr.Fields
	u := &store.User{Email: NormalizeEmail(in.Email), Role: in.Role}
	CheckEmail(&f, "email", u.Email)
	u.Name = CleanName(&f, "name", in.Name, true)
	u.GivenName = CleanName(&f, "given_name", in.GivenName, false)
	u.FamilyName = CleanName(&f, "family_name", in.FamilyName, false)
	u.LatinName = CleanName(&f, "latin_name", in.LatinName, false)
	CheckLatinName(&f, "latin_name", u.LatinName)
	if err := CheckPrintableName(&f, u.Name, u.LatinName); err != nil {
		return nil, err
	}
	role := Role(in.Role)
	switch {
	case !role.valid():
		f.Add("role", "err.user.role_unknown")
	case a != nil && a.Role == RoleCoordinator && role != RoleOfficer:
		f.Add("role", "err.user.coordinator_officers_only")
	}
	switch {
	case role.belongsToAgency() && in.AgencyID == nil:
		f.Add("agency_id", "err.user.agency_required", "Role", string(role))
	case !role.belongsToAgency() && in.AgencyID != nil && role.valid():
		f.Add("agency_id", "err.user.agency_not_allowed", "Role", string(role))
	case in.AgencyID != nil:
		// An agency the actor may not see is reported exactly like one that does
		// not exist, so ids cannot be probed.
		if a != nil && !a.CanSeeAgency(*in.AgencyID) {
			f.Add("agency_id", "err.agency.unknown")
		} else if _, err := s.db.Read(ctx).Agency(*in.AgencyID); errors.Is(err, store.ErrNotFound) {
			f.Add("agency_id", "err.agency.unknown")
		} else if err != nil {
			return nil, err
		}
		u.AgencyID = in.AgencyID
	}
	if in.Password != "" || a == nil {
		checkPasswordRules(&f, "password", in.Password)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if in.Password == "" {
		return u, nil // invited: they choose their own password
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	u.PasswordHash = hash
	return u, nil
}

// UserQuery filters a listing of users.
type UserQuery struct {
	AgencyID *int64
	Role     string
}

// Users lists the users the actor may see, optionally filtered.
func (s *Service) Users(ctx context.Context, a *Actor, q UserQuery) ([]User, error) {
	if err := Authorize(a, ActUserRead); err != nil {
		return nil, err
	}
	agency, role, self := a.userScope()
	f := store.UserFilter{AgencyID: agency, Role: string(role), ID: self}
	if q.AgencyID != nil {
		if !a.CanSeeAgency(*q.AgencyID) {
			return []User{}, nil
		}
		if f.AgencyID == nil {
			f.AgencyID = q.AgencyID
		}
	}
	if q.Role != "" {
		if f.Role != "" && f.Role != q.Role {
			return []User{}, nil
		}
		f.Role = q.Role
	}
	rows, err := s.db.Users(ctx, f)
	if err != nil {
		return nil, err
	}
	return UsersOf(rows), nil
}

// User returns one user, or not-found when the actor may not see them.
func (s *Service) User(ctx context.Context, a *Actor, id int64) (*User, error) {
	if err := Authorize(a, ActUserRead); err != nil {
		return nil, err
	}
	row, err := s.db.User(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apperr.NotFound("user")
	}
	if err != nil {
		return nil, err
	}
	if u := UserOf(row); a.CanSeeUser(u) {
		return u, nil
	}
	return nil, apperr.NotFound("user")
}

// Names returns the full names of the users with these ids that the actor may
// name: everyone for admins and trainers; for others, the users they may see and
// the staff (admins and trainers) who run sessions, as a session page shows its
// trainers. Unknown ids are left out of the map.
func (s *Service) Names(ctx context.Context, a *Actor, ids []int64) (map[int64]string, error) {
	if a == nil {
		return nil, apperr.Unauthorized("err.auth.sign_in_first")
	}
	users, err := s.db.Read(ctx).UsersByIDs(ids)
	if err != nil {
		return nil, fmt.Errorf("look up %d names: %w", len(ids), err)
	}
	names := make(map[int64]string, len(users))
	for i := range users {
		u := UserOf(&users[i])
		staff := Role(u.Role) == RoleAdmin || Role(u.Role) == RoleTrainer
		if a.Role == RoleAdmin || a.Role == RoleTrainer || staff || a.CanSeeUser(u) {
			names[u.ID] = u.Name
		}
	}
	return names, nil
}

// RecordLanguage keeps lang as the language the user's e-mail is written in,
// the first time it is known: a language already recorded is kept (a borrowed
// laptop does not change it).
func (s *Service) RecordLanguage(ctx context.Context, userID int64, lang string) error {
	return s.db.Tx(ctx, func(q store.Q) error { return q.SetUserLanguage(userID, lang) })
}

// CreateUserAsSystem creates an account outside any request (first admin,
// `lectern user add`): no actor, every role allowed.
func (s *Service) CreateUserAsSystem(ctx context.Context, in NewUser) (*User, error) {
	u, err := s.validateUser(ctx, nil, in)
	if err != nil {
		return nil, err
	}
	if err := s.db.CreateUser(ctx, u); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return nil, apperr.Invalid("email", "err.account.email_exists")
		}
		return nil, err
	}
	s.log.Info("user created", "user_id", u.ID, "role", u.Role, "by", "system")
	return UserOf(u), nil
}

// EnsureAdmin creates the first admin when there is none. With no password given
// it generates one and returns it, to be shown once.
func (s *Service) EnsureAdmin(ctx context.Context, email, password string) (created *User, generated string, err error) {
	n, err := s.db.CountUsers(ctx, string(RoleAdmin))
	if err != nil || n > 0 {
		return nil, "", err
	}
	if email == "" {
		email = "admin@localhost"
	}
	if password == "" {
		if generated, err = RandomPassword(); err != nil {
			return nil, "", err
		}
		password = generated
	}
	u, err := s.CreateUserAsSystem(ctx, NewUser{Email: email, Name: "Administrator", Role: string(RoleAdmin), Password: password})
	if err != nil {
		// Several processes starting at once on a new PostgreSQL database all
		// find no admin; one insert wins and the others must start too, not
		// stop on the duplicate address.
		if n, cerr := s.db.CountUsers(ctx, string(RoleAdmin)); cerr == nil && n > 0 {
			return nil, "", nil
		}
		return nil, "", fmt.Errorf("create first admin: %w", err)
	}
	return u, generated, nil
}
