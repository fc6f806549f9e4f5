// Package account holds who may use Ordi: user accounts with their role,
// the partner organisations social workers belong to, API tokens, browser
// sessions, and login throttling.
package account

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ordi-app/ordi"
)

// User is a person with an account.
type User struct {
	ID           int64      `json:"id"`
	Email        string     `json:"email"`
	Name         string     `json:"name"`
	Role         ordi.Role  `json:"role"`
	PartnerID    *int64     `json:"partner_id,omitempty"`
	PasswordHash string     `json:"-"`
	Active       bool       `json:"active"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	LastLoginAt  *time.Time `json:"last_login_at,omitempty"`
	// SessionEpoch moves on whenever the account's sessions must end
	// (Service.SessionUser).
	SessionEpoch int64 `json:"-"`
}

// Actor returns the user as the actor of a request.
func (u User) Actor() ordi.Actor {
	a := ordi.Actor{UserID: u.ID, Name: u.Name, Role: u.Role}
	if u.PartnerID != nil {
		a.PartnerID = *u.PartnerID
	}
	return a
}

// NewUser is the input to create an account.
type NewUser struct {
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      ordi.Role `json:"role"`
	PartnerID int64     `json:"partner_id"`
	Password  string    `json:"password"`
}

// Field limits.
const (
	maxEmailLength = 254
	maxNameLength  = 120
)

// Normalize trims the input and lower-cases the email, which is the login.
func (n *NewUser) Normalize() {
	n.Email = strings.ToLower(strings.TrimSpace(n.Email))
	n.Name = strings.TrimSpace(n.Name)
	n.Role = ordi.Role(strings.TrimSpace(string(n.Role)))
}

// Validate checks the fields that need no database. Call Normalize first.
func (n NewUser) Validate() error {
	var v ordi.Validation
	validateEmail(&v, n.Email)
	validateName(&v, n.Name)
	validateRole(&v, n.Role, n.PartnerID)
	if msg := checkPasswordRules(n.Password, n.Email); msg != "" {
		v.Add("password", msg)
	}
	return v.Err()
}

func validateEmail(v *ordi.Validation, email string) {
	if email == "" {
		v.Add("email", "L'adresse e-mail est obligatoire.")
		return
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > maxEmailLength || !strings.Contains(email[strings.LastIndex(email, "@"):], ".") {
		v.Add("email", "L'adresse e-mail n'est pas valide.")
	}
}

func validateName(v *ordi.Validation, name string) {
	switch {
	case name == "":
		v.Add("name", "Le nom est obligatoire.")
	case utf8.RuneCountInString(name) > maxNameLength:
		v.Addf("name", "Le nom est trop long (%d caractères au plus).", maxNameLength)
	}
}

func validateRole(v *ordi.Validation, role ordi.Role, partnerID int64) {
	if !role.Valid() {
		v.Add("role", "Rôle inconnu : choisissez administrateur, équipe atelier, bénévole, formateur, travailleur social ou poste d'atelier.")
		return
	}
	if role == ordi.RoleSocialWorker && partnerID == 0 {
		v.Add("partner_id", "Un travailleur social doit être rattaché à une structure partenaire.")
	}
}

// UserUpdate changes an account; nil fields are left alone.
type UserUpdate struct {
	Name      *string    `json:"name"`
	Role      *ordi.Role `json:"role"`
	PartnerID *int64     `json:"partner_id"` // 0 detaches
	Active    *bool      `json:"active"`
	Password  *string    `json:"password"`
}

// Partner is an organisation whose social workers nominate families: a CCAS,
// a centre social, an association…
type Partner struct {
	ID        int64       `json:"id"`
	Name      string      `json:"name"`
	Kind      PartnerKind `json:"kind"`
	CreatedAt time.Time   `json:"created_at"`
}

// PartnerKind is the kind of a partner organisation.
type PartnerKind string

// The partner kinds.
const (
	PartnerCCAS         PartnerKind = "ccas"
	PartnerSocialCentre PartnerKind = "centre_social"
	PartnerDepartment   PartnerKind = "departement"
	PartnerAssociation  PartnerKind = "association"
	PartnerMunicipality PartnerKind = "mairie"
	PartnerOther        PartnerKind = "other"
)

// PartnerKinds lists the kinds in display order.
var PartnerKinds = []PartnerKind{PartnerCCAS, PartnerSocialCentre, PartnerDepartment, PartnerMunicipality, PartnerAssociation, PartnerOther}

// Valid reports whether k is a known kind.
func (k PartnerKind) Valid() bool {
	for _, known := range PartnerKinds {
		if k == known {
			return true
		}
	}
	return false
}

// Label is the kind's French name.
func (k PartnerKind) Label() string {
	switch k {
	case PartnerCCAS:
		return "CCAS"
	case PartnerSocialCentre:
		return "Centre social"
	case PartnerDepartment:
		return "Conseil départemental (MDS)"
	case PartnerMunicipality:
		return "Mairie"
	case PartnerAssociation:
		return "Association"
	case PartnerOther:
		return "Autre"
	}
	return string(k)
}

// NewPartner is the input to create a partner.
type NewPartner struct {
	Name string      `json:"name"`
	Kind PartnerKind `json:"kind"`
}

// Validate trims and checks the input.
func (n *NewPartner) Validate() error {
	n.Name = strings.TrimSpace(n.Name)
	n.Kind = PartnerKind(strings.TrimSpace(string(n.Kind)))
	var v ordi.Validation
	validateName(&v, n.Name)
	if !n.Kind.Valid() {
		labels := make([]string, len(PartnerKinds))
		for i, k := range PartnerKinds {
			labels[i] = k.Label()
		}
		v.Add("kind", "Type de structure inconnu : choisissez "+ordi.OrList(labels...)+".")
	}
	return v.Err()
}

// Token is an API token of an account. Only its SHA-256 is stored.
type Token struct {
	ID        int64      `json:"id"`
	UserID    int64      `json:"user_id"`
	Name      string     `json:"name"`
	TokenHash string     `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// TableName tells GORM where tokens live.
func (Token) TableName() string { return "api_tokens" }

// Setting is one programme or association setting, stored as JSON.
type setting struct {
	Key       string
	Value     string
	UpdatedAt time.Time
}

func (setting) TableName() string { return "settings" }

type loginAttempt struct {
	ID  int64
	Key string
	At  time.Time
}
