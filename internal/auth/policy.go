package auth

import "github.com/lectern-platform/lectern/internal/apperr"

// Actor is the signed-in user making a request. A nil *Actor is anonymous.
type Actor struct {
	UserID   int64
	Role     Role
	AgencyID *int64
	Name     string
	Email    string
	// Language is what the user reads ("" until known): a page's first
	// choice, before a cookie or the browser's Accept-Language, when
	// LanguageChosen; after them when only observed at activation.
	Language       string
	LanguageChosen bool
	// Kept: signed in on a browser its owner chose to keep (Credentials.Keep),
	// which the idle timeout does not sign out.
	Kept bool
}

// ActorFor builds the actor of a user.
func ActorFor(u *User) *Actor {
	return &Actor{UserID: u.ID, Role: Role(u.Role), AgencyID: u.AgencyID, Name: u.Name, Email: u.Email, Language: u.Language, LanguageChosen: u.LanguageChosen}
}

// Action is something a role may be granted.
type Action string

const (
	ActAgencyCreate Action = "agency.create"
	ActAgencyRead   Action = "agency.read" // list and show, within the actor's scope
	// ActAgencyRecord reads an agency's record: every officer's certificates
	// across sessions and years, and the ZIP of the valid ones.
	ActAgencyRecord Action = "agency.record"
	ActUserCreate   Action = "user.create"
	ActUserRead     Action = "user.read" // list and show, within the actor's scope
	ActCourseRead   Action = "course.read"
	ActCourseAdmin  Action = "course.admin" // see lint problems of the course library

	ActSessionCreate Action = "session.create"
	ActSessionRead   Action = "session.read"   // within CanSeeSession
	ActSessionManage Action = "session.manage" // edit, cancel, attendance, check-in code: within CanManageSession
	ActEnrollOthers  Action = "enrollment.others"
	ActEnrollSelf    Action = "enrollment.self"
	ActRosterImport  Action = "roster.import"
	ActCheckin       Action = "checkin"
	ActAuditRead     Action = "audit.read"
	ActOutboxRead    Action = "outbox.read"    // every e-mail, with its links: admins only
	ActReportRead    Action = "report.read"    // programme reports, within AgencyScope
	ActRetentionRead Action = "retention.read" // the retention periods, what would go, the last runs: admins only
	ActUserErase     Action = "user.erase"     // erase a person's data (privacy.Eraser): admins only
)

// grants is the whole role model in one table. What a role may *see* within an
// action is narrowed further by CanSeeAgency and CanSeeUser.
var grants = map[Role]map[Action]bool{
	RoleAdmin: {ActAgencyCreate: true, ActAgencyRead: true, ActAgencyRecord: true, ActUserCreate: true, ActUserRead: true,
		ActCourseRead: true, ActCourseAdmin: true, ActSessionCreate: true, ActSessionRead: true, ActSessionManage: true,
		ActEnrollOthers: true, ActRosterImport: true, ActAuditRead: true, ActOutboxRead: true, ActReportRead: true,
		ActRetentionRead: true, ActUserErase: true},
	RoleTrainer: {ActAgencyRead: true, ActUserRead: true, ActCourseRead: true, ActCourseAdmin: true,
		ActSessionCreate: true, ActSessionRead: true, ActSessionManage: true, ActEnrollOthers: true, ActRosterImport: true},
	RoleCoordinator: {ActAgencyRead: true, ActAgencyRecord: true, ActUserCreate: true, ActUserRead: true, ActCourseRead: true,
		ActSessionRead: true, ActEnrollOthers: true, ActRosterImport: true, ActReportRead: true},
	RoleOfficer: {ActAgencyRead: true, ActUserRead: true, ActCourseRead: true, ActSessionRead: true,
		ActEnrollSelf: true, ActCheckin: true},
}

// Authorize is the check every handler makes before anything else: anonymous
// callers get "unauthorized", roles without the action get "forbidden".
func Authorize(a *Actor, act Action) error {
	if a == nil {
		return apperr.Unauthorized("err.auth.sign_in_first")
	}
	if !grants[a.Role][act] {
		return apperr.Forbidden("err.auth.role_forbidden")
	}
	return nil
}

// Can reports whether the actor's role has the action (for showing links).
func (a *Actor) Can(act Action) bool { return a != nil && grants[a.Role][act] }

// AgencyScope is the one agency an actor is confined to, or nil for all agencies.
func (a *Actor) AgencyScope() *int64 {
	if a.Role.belongsToAgency() {
		if a.AgencyID == nil {
			none := int64(-1) // an agency role without an agency sees nothing
			return &none
		}
		return a.AgencyID
	}
	return nil
}

// CanSeeAgency reports whether records of an agency are visible to the actor.
func (a *Actor) CanSeeAgency(id int64) bool {
	scope := a.AgencyScope()
	return scope == nil || *scope == id
}

// CanSeeUser reports whether the actor may see a user. Admins see everyone; a
// coordinator sees the officers of their agency; everyone sees themself.
func (a *Actor) CanSeeUser(u *User) bool {
	if a == nil {
		return false
	}
	switch {
	case u.ID == a.UserID, a.Role == RoleAdmin:
		return true
	case a.Role == RoleCoordinator:
		return Role(u.Role) == RoleOfficer && u.AgencyID != nil && a.CanSeeAgency(*u.AgencyID)
	}
	return false
}

// userScope is the listing filter matching CanSeeUser.
func (a *Actor) userScope() (agency *int64, role Role, self *int64) {
	switch a.Role {
	case RoleAdmin:
		return nil, "", nil
	case RoleCoordinator:
		return a.AgencyScope(), RoleOfficer, nil
	}
	id := a.UserID
	return nil, "", &id
}

// CanSeeSession reports whether a session is visible: admins and trainers see the
// whole programme; coordinators and officers see sessions open to their agency
// (openTo empty means open to all) and any they are enrolled in.
func (a *Actor) CanSeeSession(openTo []int64, enrolled bool) bool {
	if a == nil {
		return false
	}
	if a.Role == RoleAdmin || a.Role == RoleTrainer || enrolled || len(openTo) == 0 {
		return true
	}
	for _, id := range openTo {
		if a.CanSeeAgency(id) {
			return true
		}
	}
	return false
}

// CanManageSession reports whether the actor runs a session: admins always, trainers
// when they are among its trainers.
func (a *Actor) CanManageSession(trainerIDs []int64) bool {
	if a == nil || !grants[a.Role][ActSessionManage] {
		return false
	}
	if a.Role == RoleAdmin {
		return true
	}
	for _, id := range trainerIDs {
		if id == a.UserID {
			return true
		}
	}
	return false
}

// SessionScope is how much of a session's people the actor handles (results,
// slips, certificates): all of them (nil) for its trainers and admins, their
// agency's for a coordinator; ok is false for everyone else.
func (a *Actor) SessionScope(trainerIDs []int64) (agency *int64, ok bool) {
	switch {
	case a.CanManageSession(trainerIDs):
		return nil, true
	case a != nil && a.Role == RoleCoordinator:
		return a.AgencyScope(), true
	}
	return nil, false
}

// CanActForUser reports whether the actor may enrol, unenrol or import a user:
// admins and trainers anyone, coordinators the officers of their agency, officers
// themselves.
func (a *Actor) CanActForUser(u *User) bool {
	if a == nil {
		return false
	}
	switch a.Role {
	case RoleAdmin, RoleTrainer:
		return true
	case RoleCoordinator:
		return Role(u.Role) == RoleOfficer && u.AgencyID != nil && a.CanSeeAgency(*u.AgencyID)
	}
	return u.ID == a.UserID
}
