// Package auth owns who may do what: users and agencies, roles, password hashing,
// login sessions and API tokens, login throttling, and the one authorisation policy
// every handler goes through.
package auth

// Role is what a user is allowed to do.
type Role string

const (
	RoleAdmin       Role = "admin"
	RoleTrainer     Role = "trainer"
	RoleCoordinator Role = "coordinator"
	RoleOfficer     Role = "officer"
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleAdmin, RoleTrainer, RoleCoordinator, RoleOfficer}

func (r Role) valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// belongsToAgency reports whether users of this role must have an agency.
func (r Role) belongsToAgency() bool { return r == RoleCoordinator || r == RoleOfficer }
