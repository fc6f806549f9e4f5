// Package notify writes Ordi's e-mails into the outbox, within the
// transaction of the change that causes each one, and keeps who wants which
// message. The texts are here, in French, each with a plain-text part; a
// message about a family names it by its reference only and links to its
// file, never its name, phone or address.
package notify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/outbox"
	"github.com/ordi-app/ordi/settings"
)

// The kinds of message (outbox_messages.kind).
const (
	Eligibility      = "eligibility"
	CourseCompleted  = "course_completed"
	Reservation      = "reservation"
	Handover         = "handover"
	DonorCertificate = "donor_certificate"
	Invitation       = "invitation"
	PasswordReset    = "password_reset"
	Digest           = "digest"
)

// Kind describes a kind of message a user may choose to receive.
type Kind struct {
	Key   string
	Label string
	Roles []ordi.Role // who receives it
}

// kinds are the messages a user may turn off. Account mails (invitation,
// reset) cannot be turned off; a donor's certificate goes to a donor, who
// has no account.
var kinds = []Kind{
	{Eligibility, "Décision d'éligibilité d'une de mes familles", []ordi.Role{ordi.RoleSocialWorker}},
	{CourseCompleted, "Formation terminée par une de mes familles", []ordi.Role{ordi.RoleSocialWorker}},
	{Reservation, "Ordinateur réservé et rendez-vous de remise", []ordi.Role{ordi.RoleSocialWorker}},
	{Handover, "Ordinateur remis à une de mes familles", []ordi.Role{ordi.RoleSocialWorker}},
	{Digest, "Récapitulatif quotidien de l'atelier", []ordi.Role{ordi.RoleAdmin, ordi.RoleStaff}},
}

// KindsFor lists the messages a role may receive and turn off.
func KindsFor(r ordi.Role) []Kind {
	var out []Kind
	for _, k := range kinds {
		if slices.Contains(k.Roles, r) {
			out = append(out, k)
		}
	}
	return out
}

// Notifier writes messages into the outbox. Its methods taking a tx are
// called by the domain services inside the change's own transaction.
type Notifier struct {
	BaseURL string // the public address links start with
}

// New returns a notifier whose links start with baseURL.
func New(baseURL string) *Notifier {
	return &Notifier{BaseURL: strings.TrimRight(baseURL, "/")}
}

// Link is the absolute address of path.
func (n *Notifier) Link(path string) string {
	if n == nil {
		return path
	}
	return n.BaseURL + path
}

type recipient struct {
	ID     int64
	Email  string
	Role   ordi.Role
	Active bool
}

// ToUser enqueues m for the user within tx, unless the account is inactive
// or its owner turned m.Kind off. It reports whether a message was written.
func (n *Notifier) ToUser(tx *gorm.DB, userID int64, m outbox.Mail, now time.Time) (bool, error) {
	if n == nil {
		return false, nil
	}
	var u recipient
	err := tx.Table("users").Select("id, email, role, active").Where("id = ?", userID).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("notify: recipient %d: %w", userID, err)
	}
	if !u.Active || u.Email == "" {
		return false, nil
	}
	var off int64
	if err := tx.Model(&optOut{}).Where("user_id = ? AND kind = ?", userID, m.Kind).Count(&off).Error; err != nil {
		return false, fmt.Errorf("notify: preferences of %d: %w", userID, err)
	}
	if off > 0 {
		return false, nil
	}
	m.To = u.Email
	if _, err := outbox.Enqueue(tx, m, now); err != nil {
		return false, err
	}
	return true, nil
}

// To enqueues m for an address that is no user's (a donor's contact).
func (n *Notifier) To(tx *gorm.DB, m outbox.Mail, now time.Time) (outbox.Message, error) {
	return outbox.Enqueue(tx, m, now)
}

// optOut is one message a user turned off.
type optOut struct {
	UserID int64
	Kind   string
}

func (optOut) TableName() string { return "mail_opt_outs" }

// SettingsKey is the settings document of mail: the sender address and the
// digest's hour.
const SettingsKey = "mail"

// Settings is the mail settings document.
type Settings struct {
	// From is the sender address; empty: ORDI_MAIL_FROM, or ordi@ the
	// public host.
	From string `json:"from"`
	// DigestHour is the hour (Europe/Paris, 0–23) of the staff's daily
	// digest; -1 or absent: no digest.
	DigestHour *int `json:"digest_hour,omitempty"`
}

// LoadSettings reads the mail settings (zero values when never saved).
func LoadSettings(ctx context.Context, db *gorm.DB) (Settings, error) {
	var s Settings
	_, err := settings.Load(ctx, db, SettingsKey, &s)
	return s, err
}
