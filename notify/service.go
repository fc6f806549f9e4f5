package notify

import (
	"context"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/audit"
	"github.com/ordi-app/ordi/outbox"
	"github.com/ordi-app/ordi/settings"
)

// Service keeps each user's choice of messages and shows the outbox to
// administrators.
type Service struct {
	db  *gorm.DB
	now func() time.Time
}

// NewService returns a service over db.
func NewService(db *gorm.DB, now func() time.Time) *Service {
	return &Service{db: db, now: now}
}

// Preference is one kind of message and whether the user receives it.
type Preference struct {
	Kind
	Receive bool
}

// Preferences lists the messages the actor's role may receive, each with
// the actor's choice (received unless turned off).
func (s *Service) Preferences(ctx context.Context, a ordi.Actor) ([]Preference, error) {
	if a.UserID == 0 {
		return nil, ordi.Errorf(ordi.Forbidden, "Seul un compte a des préférences de messages.")
	}
	var off []string
	if err := s.db.WithContext(ctx).Model(&optOut{}).Where("user_id = ?", a.UserID).Pluck("kind", &off).Error; err != nil {
		return nil, fmt.Errorf("read preferences of %d: %w", a.UserID, err)
	}
	var out []Preference
	for _, k := range KindsFor(a.Role) {
		out = append(out, Preference{Kind: k, Receive: !slices.Contains(off, k.Key)})
	}
	return out, nil
}

// SetPreferences records which of the messages its role may receive the
// actor wants: every other one is turned off. An unknown kind is Invalid.
func (s *Service) SetPreferences(ctx context.Context, a ordi.Actor, receive []string) ([]Preference, error) {
	if a.UserID == 0 {
		return nil, ordi.Errorf(ordi.Forbidden, "Seul un compte a des préférences de messages.")
	}
	mine := KindsFor(a.Role)
	for _, k := range receive {
		if !slices.ContainsFunc(mine, func(m Kind) bool { return m.Key == k }) {
			var v ordi.Validation
			v.Addf("receive", "Message inconnu : %q.", k)
			return nil, v.Err()
		}
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("user_id = ?", a.UserID).Delete(&optOut{}).Error; err != nil {
			return fmt.Errorf("clear preferences of %d: %w", a.UserID, err)
		}
		var off []string
		for _, k := range mine {
			if !slices.Contains(receive, k.Key) {
				if err := tx.Create(&optOut{UserID: a.UserID, Kind: k.Key}).Error; err != nil {
					return fmt.Errorf("save preferences of %d: %w", a.UserID, err)
				}
				off = append(off, k.Key)
			}
		}
		return audit.Record(ctx, tx, s.now(), a, "mail.preferences", "user", a.UserID, "désactivés : "+strings.Join(off, ", "))
	})
	if err != nil {
		return nil, err
	}
	return s.Preferences(ctx, a)
}

// Outbox is what the administrators' outbox page shows.
type Outbox struct {
	Counts   map[string]int64
	Messages []outbox.Message // the latest, newest first, without bodies
	Settings Settings
}

// maxListed bounds the outbox page's list.
const maxListed = 100

// Outbox returns the counts per state and the latest messages of state
// (all when empty). Administrators only.
func (s *Service) Outbox(ctx context.Context, a ordi.Actor, state string) (Outbox, error) {
	if err := a.Require(ordi.Administer, "Seuls les administrateurs voient les messages envoyés."); err != nil {
		return Outbox{}, err
	}
	if state != "" && state != outbox.Pending && state != outbox.Sent && state != outbox.Failed {
		state = ""
	}
	counts, err := outbox.Counts(ctx, s.db)
	if err != nil {
		return Outbox{}, fmt.Errorf("outbox counts: %w", err)
	}
	msgs, err := outbox.Recent(ctx, s.db, state, maxListed)
	if err != nil {
		return Outbox{}, fmt.Errorf("outbox list: %w", err)
	}
	st, err := LoadSettings(ctx, s.db)
	if err != nil {
		return Outbox{}, err
	}
	return Outbox{Counts: counts, Messages: msgs, Settings: st}, nil
}

// SaveSettings checks and stores the mail settings (administrators): the
// sender address, empty for the default, and the digest's hour.
func (s *Service) SaveSettings(ctx context.Context, a ordi.Actor, st Settings) (Settings, error) {
	if err := a.Require(ordi.Administer, "Seuls les administrateurs règlent l'envoi des messages."); err != nil {
		return Settings{}, err
	}
	var v ordi.Validation
	st.From = strings.TrimSpace(st.From)
	if st.From != "" {
		if addr, err := mail.ParseAddress(st.From); err != nil || addr.Address != st.From {
			v.Add("from", "Adresse d'expédition invalide (par exemple ordi@mon-asso.fr).")
		}
	}
	if st.DigestHour != nil && (*st.DigestHour < 0 || *st.DigestHour > 23) {
		v.Add("digest_hour", "L'heure du récapitulatif va de 0 à 23.")
	}
	if err := v.Err(); err != nil {
		return Settings{}, err
	}
	if err := settings.Save(ctx, s.db, s.now(), a, SettingsKey, st); err != nil {
		return Settings{}, err
	}
	return st, nil
}

// Sender is the address mail leaves from: the setting, else fallback (the
// environment's).
func Sender(ctx context.Context, db *gorm.DB, fallback string) string {
	st, err := LoadSettings(ctx, db)
	if err != nil || st.From == "" {
		return fallback
	}
	return st.From
}
