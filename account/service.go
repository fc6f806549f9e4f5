package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/audit"
)

// Login throttling: after this many failures within the window, further
// attempts for the same account, or from the same address, are refused until
// the window has passed. Counted in the database so that every instance
// behind a load balancer sees the same numbers.
const (
	MaxFailuresPerAccount = 5
	MaxFailuresPerAddress = 20
	FailureWindow         = 15 * time.Minute
)

// tokenCacheTTL bounds how long a revoked token or a deactivated account may
// still be accepted by another instance; this instance forgets at once.
const tokenCacheTTL = 10 * time.Second

// Service manages accounts, partners and tokens.
type Service struct {
	db  *gorm.DB
	now func() time.Time

	mu     sync.Mutex
	tokens map[string]cachedToken // by token hash
}

type cachedToken struct {
	user    User
	expires time.Time
}

// NewService returns a service over db. now is the clock (time.Now in production).
func NewService(db *gorm.DB, now func() time.Time) *Service {
	return &Service{db: db, now: func() time.Time { return now().UTC() }, tokens: map[string]cachedToken{}}
}

// CreateUser creates an account. Duplicate email and unknown partner are
// field errors; nothing is written on error.
func (s *Service) CreateUser(ctx context.Context, actor ordi.Actor, n NewUser) (User, error) {
	n.Normalize()
	if err := n.Validate(); err != nil {
		return User{}, err
	}
	var u User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		u, err = s.insertUser(ctx, tx, n)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), actor, "user.create", "user", u.ID, string(u.Role))
	})
	return u, err
}

func (s *Service) insertUser(ctx context.Context, tx *gorm.DB, n NewUser) (User, error) {
	var v ordi.Validation
	if err := s.checkPartner(ctx, tx, &v, n.PartnerID); err != nil {
		return User{}, err
	}
	var taken int64
	if err := tx.Model(&User{}).Where("email = ?", n.Email).Count(&taken).Error; err != nil {
		return User{}, fmt.Errorf("check email: %w", err)
	}
	if taken > 0 {
		v.Add("email", "Cette adresse e-mail est déjà utilisée par un autre compte.")
	}
	if err := v.Err(); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(n.Password)
	if err != nil {
		return User{}, err
	}
	now := s.now()
	u := User{Email: n.Email, Name: n.Name, Role: n.Role, PasswordHash: hash, Active: true, CreatedAt: now, UpdatedAt: now}
	if n.PartnerID != 0 {
		id := n.PartnerID
		u.PartnerID = &id
	}
	if err := tx.Create(&u).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return User{}, &ordi.Error{Kind: ordi.Invalid, Message: "Cette adresse e-mail est déjà utilisée par un autre compte.",
				Fields: []ordi.FieldError{{Field: "email", Message: "Cette adresse e-mail est déjà utilisée par un autre compte."}}}
		}
		return User{}, fmt.Errorf("insert user: %w", err)
	}
	return u, nil
}

func (s *Service) checkPartner(ctx context.Context, tx *gorm.DB, v *ordi.Validation, id int64) error {
	if id == 0 {
		return nil
	}
	var n int64
	if err := tx.WithContext(ctx).Model(&Partner{}).Where("id = ?", id).Count(&n).Error; err != nil {
		return fmt.Errorf("check partner: %w", err)
	}
	if n == 0 {
		v.Add("partner_id", "Structure partenaire inconnue.")
	}
	return nil
}

// setupDoneKey marks that the first administrator was created. Its unique
// key settles two simultaneous setups: the second insert fails.
const setupDoneKey = "setup.done"

// NeedsSetup reports whether the database has no account yet.
func (s *Service) NeedsSetup(ctx context.Context) (bool, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&User{}).Limit(1).Count(&n).Error; err != nil {
		return false, fmt.Errorf("count users: %w", err)
	}
	return n == 0, nil
}

// CreateFirstAdmin creates the first administrator of an empty installation.
// It fails with Conflict once any account exists or another setup won.
func (s *Service) CreateFirstAdmin(ctx context.Context, n NewUser) (User, error) {
	n.Role = ordi.RoleAdmin
	n.PartnerID = 0
	n.Normalize()
	if err := n.Validate(); err != nil {
		return User{}, err
	}
	var u User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var users int64
		if err := tx.Model(&User{}).Count(&users).Error; err != nil {
			return err
		}
		if users > 0 {
			return ordi.Errorf(ordi.Conflict, "Ordi est déjà configuré : connectez-vous.")
		}
		if err := tx.Create(&setting{Key: setupDoneKey, Value: "true", UpdatedAt: s.now()}).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return ordi.Errorf(ordi.Conflict, "Ordi est déjà configuré : connectez-vous.")
			}
			return err
		}
		var err error
		if u, err = s.insertUser(ctx, tx, n); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), u.Actor(), "setup.admin", "user", u.ID, "")
	})
	return u, err
}

// errBadLogin is the one answer to a wrong email, a wrong password or an
// inactive account, so the form reveals nothing.
var errBadLogin = ordi.Errorf(ordi.Unauthorized, "Adresse e-mail ou mot de passe incorrect.")

// Authenticate checks an email and password from the given client address.
// Failures are counted per account and per address; past the limits the
// answer is RateLimited without checking the password.
func (s *Service) Authenticate(ctx context.Context, email, password, addr string) (User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	accountKey, addrKey := throttleKey("account", email), throttleKey("addr", addr)
	since := s.now().Add(-FailureWindow)
	db := s.db.WithContext(ctx)
	var perAccount, perAddr int64
	if err := db.Model(&loginAttempt{}).Where("key = ? AND at > ?", accountKey, since).Count(&perAccount).Error; err != nil {
		return User{}, fmt.Errorf("count login failures: %w", err)
	}
	if err := db.Model(&loginAttempt{}).Where("key = ? AND at > ?", addrKey, since).Count(&perAddr).Error; err != nil {
		return User{}, fmt.Errorf("count login failures: %w", err)
	}
	if perAccount >= MaxFailuresPerAccount || perAddr >= MaxFailuresPerAddress {
		return User{}, ordi.Errorf(ordi.RateLimited, "Trop de tentatives de connexion. Réessayez dans %d minutes.", int(FailureWindow.Minutes()))
	}
	var u User
	err := db.Where("email = ?", email).Take(&u).Error
	ok := false
	switch {
	case err == nil:
		ok, err = CheckPassword(u.PasswordHash, password)
		if err != nil {
			return User{}, err
		}
	case errors.Is(err, gorm.ErrRecordNotFound):
		// Spend the same time as a real check so timing reveals nothing.
		CheckPassword(dummyHash(), password)
	default:
		return User{}, fmt.Errorf("find user: %w", err)
	}
	if !ok || !u.Active {
		now := s.now()
		if err := db.Create(&[]loginAttempt{{Key: accountKey, At: now}, {Key: addrKey, At: now}}).Error; err != nil {
			return User{}, fmt.Errorf("record login failure: %w", err)
		}
		return User{}, errBadLogin
	}
	now := s.now()
	if err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("key = ?", accountKey).Delete(&loginAttempt{}).Error; err != nil {
			return err
		}
		return tx.Model(&User{}).Where("id = ?", u.ID).Update("last_login_at", now).Error
	}); err != nil {
		return User{}, fmt.Errorf("record login: %w", err)
	}
	u.LastLoginAt = &now
	return u, nil
}

// dummyHash is checked against when the email is unknown.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("ordi-dummy-password")
	return h
})

// throttleKey hashes the counted identity so the table holds no email or address.
func throttleKey(kind, value string) string {
	sum := sha256.Sum256([]byte(kind + ":" + value))
	return hex.EncodeToString(sum[:16])
}

// User returns the account with the given id.
func (s *Service) User(ctx context.Context, id int64) (User, error) {
	var u User
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return User{}, ordi.Errorf(ordi.NotFound, "Compte introuvable.")
	}
	if err != nil {
		return User{}, fmt.Errorf("find user %d: %w", id, err)
	}
	return u, nil
}

// UserFilter selects accounts.
type UserFilter struct {
	Role   ordi.Role
	Active *bool
	After  int64 // keyset cursor: accounts with a larger id
	Limit  int
}

// Users lists accounts by id.
func (s *Service) Users(ctx context.Context, f UserFilter) ([]User, error) {
	q := s.db.WithContext(ctx).Model(&User{})
	if f.Role != "" {
		q = q.Where("role = ?", f.Role)
	}
	if f.Active != nil {
		q = q.Where("active = ?", *f.Active)
	}
	if f.After > 0 {
		q = q.Where("id > ?", f.After)
	}
	limit := ordi.ListLimit(f.Limit)
	var out []User
	if err := q.Order("id").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// UpdateUser changes an account. An administrator cannot demote or
// deactivate themself, so an installation never loses its last admin by a
// slip of the finger.
func (s *Service) UpdateUser(ctx context.Context, actor ordi.Actor, id int64, up UserUpdate) (User, error) {
	var u User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(&u).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ordi.Errorf(ordi.NotFound, "Compte introuvable.")
			}
			return err
		}
		var v ordi.Validation
		changes := map[string]any{}
		if up.Name != nil {
			name := strings.TrimSpace(*up.Name)
			validateName(&v, name)
			changes["name"], u.Name = name, name
		}
		if up.Role != nil {
			u.Role = *up.Role
			changes["role"] = u.Role
		}
		if up.PartnerID != nil {
			if *up.PartnerID == 0 {
				u.PartnerID = nil
			} else {
				pid := *up.PartnerID
				u.PartnerID = &pid
			}
			changes["partner_id"] = u.PartnerID
		}
		partner := int64(0)
		if u.PartnerID != nil {
			partner = *u.PartnerID
		}
		validateRole(&v, u.Role, partner)
		if err := s.checkPartner(ctx, tx, &v, partner); err != nil {
			return err
		}
		if up.Active != nil {
			u.Active = *up.Active
			changes["active"] = u.Active
		}
		if up.Password != nil {
			if msg := checkPasswordRules(*up.Password); msg != "" {
				v.Add("password", msg)
			} else {
				hash, err := HashPassword(*up.Password)
				if err != nil {
					return err
				}
				changes["password_hash"] = hash
			}
		}
		if actor.UserID == id && (u.Role != ordi.RoleAdmin || !u.Active) {
			v.Add("role", "Vous ne pouvez pas retirer vos propres droits d'administrateur ni désactiver votre compte.")
		}
		if err := v.Err(); err != nil {
			return err
		}
		if len(changes) == 0 {
			return nil
		}
		u.UpdatedAt = s.now()
		changes["updated_at"] = u.UpdatedAt
		if err := tx.Model(&User{}).Where("id = ?", id).Updates(changes).Error; err != nil {
			return fmt.Errorf("update user %d: %w", id, err)
		}
		if up.Active != nil && !u.Active {
			// A deactivated account loses its tokens at once.
			if err := tx.Model(&Token{}).Where("user_id = ? AND revoked_at IS NULL", id).Update("revoked_at", u.UpdatedAt).Error; err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, u.UpdatedAt, actor, "user.update", "user", id, changedFields(changes))
	})
	if err != nil {
		return User{}, err
	}
	s.forgetUser(id)
	return u, nil
}

func changedFields(changes map[string]any) string {
	var names []string
	for _, k := range []string{"name", "role", "partner_id", "active", "password_hash"} {
		if _, ok := changes[k]; ok {
			names = append(names, k)
		}
	}
	return strings.Join(names, ",")
}

// tokenPrefix makes Ordi tokens recognisable by secret scanners.
const tokenPrefix = "ordi_"

// CreateToken issues an API token for the account with the given email and
// returns it; only its hash is kept, so it cannot be shown again.
func (s *Service) CreateToken(ctx context.Context, actor ordi.Actor, email, name string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	var u User
	err := s.db.WithContext(ctx).Where("email = ?", email).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", &ordi.Error{Kind: ordi.Invalid, Message: "Aucun compte n'a cette adresse e-mail.",
			Fields: []ordi.FieldError{{Field: "email", Message: "compte inconnu"}}}
	}
	if err != nil {
		return "", fmt.Errorf("find user: %w", err)
	}
	if !u.Active {
		return "", ordi.Errorf(ordi.Conflict, "Ce compte est désactivé.")
	}
	raw := make([]byte, 20)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	token := tokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw))
	if name == "" {
		name = "API"
	}
	t := Token{UserID: u.ID, Name: name, TokenHash: hashToken(token), CreatedAt: s.now()}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&t).Error; err != nil {
			return fmt.Errorf("insert token: %w", err)
		}
		return audit.Record(ctx, tx, t.CreatedAt, actor, "token.create", "user", u.ID, name)
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// UserByToken returns the active account owning an unrevoked token, or an
// Unauthorized error. Answers are cached for a few seconds: the API's hot path
// then costs no query for authentication.
func (s *Service) UserByToken(ctx context.Context, token string) (User, error) {
	if !strings.HasPrefix(token, tokenPrefix) || len(token) > 100 {
		return User{}, ordi.Errorf(ordi.Unauthorized, "Jeton d'accès invalide.")
	}
	h := hashToken(token)
	now := s.now()
	s.mu.Lock()
	c, ok := s.tokens[h]
	s.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.user, nil
	}
	var u User
	err := s.db.WithContext(ctx).
		Joins("JOIN api_tokens ON api_tokens.user_id = users.id").
		Where("api_tokens.token_hash = ? AND api_tokens.revoked_at IS NULL AND users.active = ?", h, true).
		Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return User{}, ordi.Errorf(ordi.Unauthorized, "Jeton d'accès invalide.")
	}
	if err != nil {
		return User{}, fmt.Errorf("find token: %w", err)
	}
	s.mu.Lock()
	if len(s.tokens) > 10000 {
		clear(s.tokens)
	}
	s.tokens[h] = cachedToken{user: u, expires: now.Add(tokenCacheTTL)}
	s.mu.Unlock()
	return u, nil
}

func (s *Service) forgetUser(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for h, c := range s.tokens {
		if c.user.ID == id {
			delete(s.tokens, h)
		}
	}
}

// CreatePartner creates a partner organisation.
func (s *Service) CreatePartner(ctx context.Context, actor ordi.Actor, n NewPartner) (Partner, error) {
	if err := n.Validate(); err != nil {
		return Partner{}, err
	}
	p := Partner{Name: n.Name, Kind: n.Kind, CreatedAt: s.now()}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&p).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return &ordi.Error{Kind: ordi.Invalid, Message: "Une structure porte déjà ce nom.",
					Fields: []ordi.FieldError{{Field: "name", Message: "Une structure porte déjà ce nom."}}}
			}
			return fmt.Errorf("insert partner: %w", err)
		}
		return audit.Record(ctx, tx, p.CreatedAt, actor, "partner.create", "partner", p.ID, "")
	})
	return p, err
}

// Partner returns the partner with the given id.
func (s *Service) Partner(ctx context.Context, id int64) (Partner, error) {
	var p Partner
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Partner{}, ordi.Errorf(ordi.NotFound, "Structure partenaire introuvable.")
	}
	if err != nil {
		return Partner{}, fmt.Errorf("find partner %d: %w", id, err)
	}
	return p, nil
}

// PartnerFilter selects partners.
type PartnerFilter struct {
	After int64
	Limit int
}

// Partners lists partners by id.
func (s *Service) Partners(ctx context.Context, f PartnerFilter) ([]Partner, error) {
	limit := ordi.ListLimit(f.Limit)
	var out []Partner
	q := s.db.WithContext(ctx).Order("id").Limit(limit)
	if f.After > 0 {
		q = q.Where("id > ?", f.After)
	}
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list partners: %w", err)
	}
	return out, nil
}
