package ordi

// Capability is one line of DESIGN §3, "who may do what": the one table of
// which roles hold which power. Domain services authorise every operation
// with the Actor they receive (Actor.Require); the web route table derives
// its first filter from the same capabilities. Data scope (a social worker's
// own families, a trainer's own courses) is the domain's business on top.
type Capability string

// The capabilities.
const (
	Administer             Capability = "administer"               // users, partners, programme settings, erasure, access log
	ManageInventory        Capability = "manage_inventory"         // donors, donations, units: create, edit, transitions, erasures
	ReadUnits              Capability = "read_units"               // units: read, scan, print labels
	ReadHouseholds         Capability = "read_households"          // a family's full file (social workers: their partner's only)
	NominateHouseholds     Capability = "nominate_households"      // nominate and edit a family (social workers: their partner's only)
	Allocate               Capability = "allocate"                 // eligibility, courses and enrolment, matching, reservations
	RunCourses             Capability = "run_courses"              // course pages, sheets and attendance (trainers: their own courses)
	HandOver               Capability = "hand_over"                // the handover desk, form, signature and completion
	IssueDonorCertificates Capability = "issue_donor_certificates" // donor certificates and receipts
	ReadReports            Capability = "read_reports"             // the Bilan (social workers: their partner's families only)
	// Intake is the workbench's power, and only that: create a unit in a
	// donation, attach the tools' reports (lshw, smartctl, nwipe) and record
	// erasures. It reads nothing back: no unit list, no family, no
	// certificate, no label, no user.
	Intake Capability = "intake"
)

// capabilityRoles is DESIGN §3 as data.
var capabilityRoles = map[Capability][]Role{
	Administer:             {RoleAdmin},
	ManageInventory:        {RoleAdmin, RoleStaff},
	ReadUnits:              {RoleAdmin, RoleStaff, RoleVolunteer},
	ReadHouseholds:         {RoleAdmin, RoleStaff, RoleSocialWorker},
	NominateHouseholds:     {RoleAdmin, RoleSocialWorker},
	Allocate:               {RoleAdmin, RoleStaff},
	RunCourses:             {RoleAdmin, RoleStaff, RoleTrainer},
	HandOver:               {RoleAdmin, RoleStaff, RoleVolunteer},
	IssueDonorCertificates: {RoleAdmin, RoleStaff},
	ReadReports:            {RoleAdmin, RoleStaff, RoleSocialWorker},
	Intake:                 {RoleAdmin, RoleStaff, RoleWorkbench},
}

// Capabilities lists every capability.
func Capabilities() []Capability {
	return []Capability{Administer, ManageInventory, ReadUnits, ReadHouseholds, NominateHouseholds, Allocate,
		RunCourses, HandOver, IssueDonorCertificates, ReadReports, Intake}
}

// Roles returns the roles that hold the capability; none for an unknown one.
func (c Capability) Roles() []Role { return append([]Role(nil), capabilityRoles[c]...) }

// Allows reports whether a role holds the capability.
func (c Capability) Allows(r Role) bool {
	for _, held := range capabilityRoles[c] {
		if held == r {
			return true
		}
	}
	return false
}

// Can reports whether the actor holds the capability.
func (a Actor) Can(c Capability) bool { return c.Allows(a.Role) }

// Require returns nil when the actor holds the capability, and otherwise a
// Forbidden error carrying message, which says in French who may do it.
func (a Actor) Require(c Capability, message string) error {
	if a.Can(c) {
		return nil
	}
	if message == "" {
		message = "Votre rôle ne permet pas cette action."
	}
	return &Error{Kind: Forbidden, Message: message}
}
