package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/audit"
	"github.com/ordi-app/ordi/notify"
)

// The purposes of an account link.
const (
	LinkInvitation = "invitation"
	LinkReset      = "reset"
)

const (
	// InvitationDays is how long an invitation link stays valid.
	InvitationDays = 7
	// ResetValidity is how long a password-reset link stays valid.
	ResetValidity = time.Hour
	// MaxResetsPerHour bounds the reset links written for one account in
	// an hour: asking again and again sends no more mail.
	MaxResetsPerHour = 3
)

// link is an invitation or reset link; only its secret's SHA-256 is kept.
type link struct {
	ID        int64
	UserID    int64
	Purpose   string
	TokenHash string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func (link) TableName() string { return "account_links" }

// NotifyBy makes the service mail invitations and reset links; without it
// InviteUser and RequestReset refuse (the command line then asks for a
// password).
func (s *Service) NotifyBy(n *notify.Notifier) { s.notify = n }

// Mails reports whether the service sends account mails.
func (s *Service) Mails() bool { return s.notify != nil }

func linkHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// newLink writes a link for user id within tx and returns its address.
func (s *Service) newLink(tx *gorm.DB, userID int64, purpose string, validity time.Duration) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	token := hex.EncodeToString(b[:])
	now := s.now()
	if err := tx.Create(&link{UserID: userID, Purpose: purpose, TokenHash: linkHash(token), CreatedAt: now, ExpiresAt: now.Add(validity)}).Error; err != nil {
		return "", fmt.Errorf("insert %s link: %w", purpose, err)
	}
	return s.notify.Link("/password/" + token), nil
}

// InviteUser creates an account without a usable password and mails its
// owner a link, valid InvitationDays, to choose one (administrators). The
// account, the link and the message are written in one transaction.
func (s *Service) InviteUser(ctx context.Context, actor ordi.Actor, n NewUser) (User, error) {
	if err := actor.Require(ordi.Administer, onlyAdmins); err != nil {
		return User{}, err
	}
	if s.notify == nil {
		return User{}, errors.New("account: invitations need mail")
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return User{}, err
	}
	n.Normalize()
	n.Password = hex.EncodeToString(b[:]) // drawn and forgotten: the link sets the real one
	if err := s.validateNew(ctx, n); err != nil {
		return User{}, err
	}
	hash, err := s.hashPassword(ctx, n.Password)
	if err != nil {
		return User{}, err
	}
	var u User
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if u, err = s.insertUser(ctx, tx, n, hash); err != nil {
			return err
		}
		addr, err := s.newLink(tx, u.ID, LinkInvitation, InvitationDays*24*time.Hour)
		if err != nil {
			return err
		}
		m := s.notify.InvitationMail(u.Name, addr, InvitationDays)
		m.To = u.Email
		if _, err := s.notify.To(tx, m, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), actor, "user.invite", "user", u.ID, string(u.Role))
	})
	return u, err
}

// RequestReset mails a password-reset link, valid ResetValidity, to the
// active account of email. Whether such an account exists or not, and
// whether it asked too often (MaxResetsPerHour), the answer is the same:
// nil. Only a database failure is an error.
func (s *Service) RequestReset(ctx context.Context, email string) error {
	if s.notify == nil {
		return nil
	}
	n := NewUser{Email: email}
	n.Normalize()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var u User
		err := tx.Where("email = ? AND active = ?", n.Email, true).Take(&u).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("find account for reset: %w", err)
		}
		if !u.Role.SignsIn() {
			return nil
		}
		var recent int64
		if err := tx.Model(&link{}).Where("user_id = ? AND purpose = ? AND created_at > ?", u.ID, LinkReset, s.now().Add(-time.Hour)).Count(&recent).Error; err != nil {
			return fmt.Errorf("count reset links: %w", err)
		}
		if recent >= MaxResetsPerHour {
			return nil
		}
		addr, err := s.newLink(tx, u.ID, LinkReset, ResetValidity)
		if err != nil {
			return err
		}
		m := s.notify.PasswordResetMail(addr)
		m.To = u.Email
		if _, err := s.notify.To(tx, m, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), ordi.Actor{Name: u.Name, UserID: u.ID, Role: u.Role}, "user.reset_requested", "user", u.ID, "")
	})
}

func linkGone() error {
	return ordi.Errorf(ordi.NotFound, "Ce lien n'est plus valable : il a déjà servi ou il a expiré. Demandez-en un nouveau depuis la page de connexion (« Mot de passe oublié »).")
}

// findLink returns the valid link of token: unknown, used and expired
// links are all NotFound, with the same message.
func (s *Service) findLink(db *gorm.DB, token string) (link, error) {
	var l link
	err := db.Where("token_hash = ? AND used_at IS NULL AND expires_at > ?", linkHash(token), s.now()).Take(&l).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return link{}, linkGone()
	}
	if err != nil {
		return link{}, fmt.Errorf("find link: %w", err)
	}
	return l, nil
}

// LinkPurpose tells what a valid link is for (LinkInvitation, LinkReset)
// and whose it is; NotFound when it is not valid.
func (s *Service) LinkPurpose(ctx context.Context, token string) (string, User, error) {
	l, err := s.findLink(s.db.WithContext(ctx), token)
	if err != nil {
		return "", User{}, err
	}
	u, err := s.findUser(ctx, s.db, l.UserID)
	if err != nil {
		return "", User{}, err
	}
	return l.Purpose, u, nil
}

// UseLink sets the password of a link's account and spends the link (and
// every other link of the account). The account's sessions and API tokens
// end, as with any password change.
func (s *Service) UseLink(ctx context.Context, token, password string) (User, error) {
	l, err := s.findLink(s.db.WithContext(ctx), token)
	if err != nil {
		return User{}, err
	}
	u, err := s.findUser(ctx, s.db, l.UserID)
	if err != nil {
		return User{}, err
	}
	if msg := checkPasswordRules(password, u.Email); msg != "" {
		var v ordi.Validation
		v.Add("password", msg)
		return User{}, v.Err()
	}
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return User{}, err
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.now()
		res := tx.Model(&link{}).Where("id = ? AND used_at IS NULL AND expires_at > ?", l.ID, now).Update("used_at", now)
		if res.Error != nil {
			return fmt.Errorf("spend link: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return linkGone()
		}
		if err := tx.Model(&link{}).Where("user_id = ? AND used_at IS NULL", u.ID).Update("used_at", now).Error; err != nil {
			return fmt.Errorf("spend other links: %w", err)
		}
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{"password_hash": hash, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if u.SessionEpoch, _, err = s.endCredentials(ctx, tx, u.ID, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, ordi.Actor{Name: u.Name, UserID: u.ID, Role: u.Role}, "user.password_"+l.Purpose, "user", u.ID, "")
	})
	if err != nil {
		return User{}, err
	}
	s.forgetUser(u.ID)
	return u, nil
}
