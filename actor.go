package ordi

// Role is what a user account may do. The capabilities of each role are
// listed in docs/DESIGN (§3) and enforced by the route table in package web
// and, for data scope, by the domain packages.
type Role string

// The roles.
const (
	RoleAdmin        Role = "admin"
	RoleStaff        Role = "staff"
	RoleVolunteer    Role = "volunteer"
	RoleTrainer      Role = "trainer"
	RoleSocialWorker Role = "social_worker"
	// RoleWorkbench is a diagnostic bench's account ("ordi probe" on a
	// donated computer booted from the workshop's USB stick): it holds only
	// Intake, by API token; it cannot sign in to the pages.
	RoleWorkbench Role = "workbench"
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleAdmin, RoleStaff, RoleVolunteer, RoleTrainer, RoleSocialWorker, RoleWorkbench}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, known := range Roles {
		if r == known {
			return true
		}
	}
	return false
}

// Label is the role's French name for screens.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "Administrateur"
	case RoleStaff:
		return "Équipe atelier"
	case RoleVolunteer:
		return "Bénévole"
	case RoleTrainer:
		return "Formateur"
	case RoleSocialWorker:
		return "Travailleur social"
	case RoleWorkbench:
		return "Poste d'atelier (banc de diagnostic)"
	}
	return string(r)
}

// SignsIn reports whether accounts of the role may sign in to the pages. A
// workbench account works by API token only: the bench's USB stick carries a
// token file, never a password, and nobody browses the site as the bench.
func (r Role) SignsIn() bool { return r != RoleWorkbench }

// Actor is who performs an action: the authenticated user of a request, or
// the system for command-line and start-up work. Domain services take an
// Actor to record who did what and to scope what the caller may see.
type Actor struct {
	UserID    int64
	Name      string
	Role      Role
	PartnerID int64 // set for social workers
}

// System is the actor of work done by Ordi itself (command line, demo data).
var System = Actor{Name: "système", Role: RoleAdmin}

// Is reports whether the actor has one of the roles.
func (a Actor) Is(roles ...Role) bool {
	for _, r := range roles {
		if a.Role == r {
			return true
		}
	}
	return false
}
