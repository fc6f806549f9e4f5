package account

import (
	"context"
	"errors"
	"fmt"
	"github.com/ordi-app/ordi/notify"
	"runtime"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/audit"
)

// Service manages accounts, partners, tokens and sign-in. Every operation
// done on behalf of someone takes their Actor and authorises it (DESIGN §3:
// accounts and partners are the administrators'; ordi.System, the command
// line's actor, is one). Authentication itself (Authenticate, UserByToken,
// SessionUser) and first-run setup have no actor yet.
type Service struct {
	db  *gorm.DB
	now func() time.Time

	// hashSlots holds one token per password hash in progress; its capacity
	// is the number of cores (throttle.go).
	hashSlots     chan struct{}
	hashQueueWait time.Duration

	mu     sync.Mutex
	tokens map[string]cachedToken // by token hash

	notify *notify.Notifier // account mails (NotifyBy); nil: none
}

// NewService returns a service over db. now is the clock (time.Now in production).
func NewService(db *gorm.DB, now func() time.Time) *Service {
	return &Service{
		db:            db,
		now:           func() time.Time { return now().UTC() },
		hashSlots:     make(chan struct{}, runtime.GOMAXPROCS(0)),
		hashQueueWait: hashQueueWait,
		tokens:        map[string]cachedToken{},
	}
}

// The messages of refused operations.
const (
	onlyAdmins = "Seuls les administrateurs gèrent les comptes, les structures partenaires et les jetons d'API."
)

// CreateUser creates an account (administrators). Duplicate email and
// unknown partner are field errors; nothing is written on error.
func (s *Service) CreateUser(ctx context.Context, actor ordi.Actor, n NewUser) (User, error) {
	if err := actor.Require(ordi.Administer, onlyAdmins); err != nil {
		return User{}, err
	}
	n.Normalize()
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
		u, err = s.insertUser(ctx, tx, n, hash)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), actor, "user.create", "user", u.ID, string(u.Role))
	})
	return u, err
}

// validateNew checks a new account's fields and, in the same round, what only
// the database knows (an unknown partner, an address already taken), so that
// a form shows every error at once (issue 14, item 8). insertUser checks the
// stored ones again in its transaction: this read only spares a second round.
func (s *Service) validateNew(ctx context.Context, n NewUser) error {
	var v ordi.Validation
	if err := v.Merge(n.Validate()); err != nil {
		return err
	}
	db := s.db.WithContext(ctx)
	if !v.Has("partner_id") {
		if err := s.checkPartner(ctx, db, &v, n.PartnerID); err != nil {
			return err
		}
	}
	if !v.Has("email") {
		var taken int64
		if err := db.Model(&User{}).Where("email = ?", n.Email).Count(&taken).Error; err != nil {
			return fmt.Errorf("check email: %w", err)
		}
		if taken > 0 {
			v.Add("email", "Cette adresse e-mail est déjà utilisée par un autre compte.")
		}
	}
	return v.Err()
}

// insertUser writes a validated account whose password is already hashed
// (hashing stays out of the transaction, which on SQLite holds the write lock).
func (s *Service) insertUser(ctx context.Context, tx *gorm.DB, n NewUser, hash string) (User, error) {
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
	hash, err := s.hashPassword(ctx, n.Password)
	if err != nil {
		return User{}, err
	}
	var u User
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
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
		if u, err = s.insertUser(ctx, tx, n, hash); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), u.Actor(), "setup.admin", "user", u.ID, "")
	})
	return u, err
}

// User returns the account with the given id, to an administrator or to
// its owner.
func (s *Service) User(ctx context.Context, actor ordi.Actor, id int64) (User, error) {
	if actor.UserID != id {
		if err := actor.Require(ordi.Administer, onlyAdmins); err != nil {
			return User{}, err
		}
	}
	return s.findUser(ctx, s.db, id)
}

func (s *Service) findUser(ctx context.Context, db *gorm.DB, id int64) (User, error) {
	var u User
	err := db.WithContext(ctx).Where("id = ?", id).Take(&u).Error
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

// courseLeaders reports whether the filter selects only the active accounts
// that may lead a course (trainers, staff): the course form lists them to
// whoever plans courses.
func (f UserFilter) courseLeaders() bool {
	return f.Active != nil && *f.Active && (f.Role == ordi.RoleTrainer || f.Role == ordi.RoleStaff)
}

// Users lists accounts by id, to administrators; those who plan courses
// (ordi.Allocate) may list the active trainers and staff.
func (s *Service) Users(ctx context.Context, actor ordi.Actor, f UserFilter) ([]User, error) {
	if !actor.Can(ordi.Administer) && !(actor.Can(ordi.Allocate) && f.courseLeaders()) {
		return nil, actor.Require(ordi.Administer, onlyAdmins)
	}
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

// UpdateUser changes an account (administrators). An administrator cannot
// demote or deactivate themself, so an installation never loses its last
// admin by a slip of the finger. A new password, role or partner, or a
// deactivation, ends every session and token of the account
// (endCredentials): what was signed in under the old terms stays out.
func (s *Service) UpdateUser(ctx context.Context, actor ordi.Actor, id int64, up UserUpdate) (User, error) {
	if err := actor.Require(ordi.Administer, onlyAdmins); err != nil {
		return User{}, err
	}
	var hash, passwordMsg string
	if up.Password != nil {
		// The rules need the account's email: read it before hashing, which
		// stays out of the transaction.
		current, err := s.findUser(ctx, s.db, id)
		if err != nil {
			return User{}, err
		}
		passwordMsg = checkPasswordRules(*up.Password, current.Email)
		if passwordMsg == "" {
			if hash, err = s.hashPassword(ctx, *up.Password); err != nil {
				return User{}, err
			}
		}
	}
	var u User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if u, err = s.findUser(ctx, tx, id); err != nil {
			return err
		}
		before := u
		var v ordi.Validation
		changes := map[string]any{}
		if up.Name != nil {
			name := strings.TrimSpace(*up.Name)
			validateName(&v, name)
			if name != u.Name {
				changes["name"], u.Name = name, name
			}
		}
		if up.Role != nil && *up.Role != u.Role {
			u.Role = *up.Role
			changes["role"] = u.Role
		}
		if up.PartnerID != nil && *up.PartnerID != partnerOf(u) {
			u.PartnerID = nil
			if *up.PartnerID != 0 {
				pid := *up.PartnerID
				u.PartnerID = &pid
			}
			changes["partner_id"] = u.PartnerID
		}
		validateRole(&v, u.Role, partnerOf(u))
		if err := s.checkPartner(ctx, tx, &v, partnerOf(u)); err != nil {
			return err
		}
		if up.Active != nil && *up.Active != u.Active {
			u.Active = *up.Active
			changes["active"] = u.Active
		}
		if passwordMsg != "" {
			v.Add("password", passwordMsg)
		}
		if hash != "" {
			changes["password_hash"] = hash
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
		detail := changedFields(changes)
		if hash != "" || u.Role != before.Role || partnerOf(u) != partnerOf(before) || before.Active && !u.Active {
			if u.SessionEpoch, _, err = s.endCredentials(ctx, tx, id, u.UpdatedAt); err != nil {
				return err
			}
			detail += ";sessions"
		}
		return audit.Record(ctx, tx, u.UpdatedAt, actor, "user.update", "user", id, detail)
	})
	if err != nil {
		return User{}, err
	}
	s.forgetUser(id)
	return u, nil
}

func partnerOf(u User) int64 {
	if u.PartnerID == nil {
		return 0
	}
	return *u.PartnerID
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

// SignOutEverywhere ends every session and revokes every API token of an
// account at once (administrators): the lost tablet, the colleague who left
// with a session open. It returns how many tokens were revoked.
func (s *Service) SignOutEverywhere(ctx context.Context, actor ordi.Actor, id int64) (int64, error) {
	if err := actor.Require(ordi.Administer, onlyAdmins); err != nil {
		return 0, err
	}
	var revoked int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := s.findUser(ctx, tx, id); err != nil {
			return err
		}
		now := s.now()
		var err error
		if _, revoked, err = s.endCredentials(ctx, tx, id, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, "user.sign_out_everywhere", "user", id, fmt.Sprintf("tokens=%d", revoked))
	})
	if err != nil {
		return 0, err
	}
	s.forgetUser(id)
	return revoked, nil
}

// endCredentials ends every session of an account, on every instance (each
// request compares its session's epoch with the account's: SessionUser), and
// revokes its API tokens (other instances' token caches forget within
// tokenCacheTTL). It returns the account's new epoch and how many tokens
// it revoked.
func (s *Service) endCredentials(ctx context.Context, tx *gorm.DB, id int64, now time.Time) (epoch, revoked int64, err error) {
	tx = tx.WithContext(ctx)
	if err := tx.Model(&User{}).Where("id = ?", id).Update("session_epoch", gorm.Expr("session_epoch + 1")).Error; err != nil {
		return 0, 0, fmt.Errorf("end sessions of user %d: %w", id, err)
	}
	res := tx.Model(&Token{}).Where("user_id = ? AND revoked_at IS NULL", id).Update("revoked_at", now)
	if res.Error != nil {
		return 0, 0, fmt.Errorf("revoke tokens of user %d: %w", id, res.Error)
	}
	if err := tx.Model(&User{}).Where("id = ?", id).Select("session_epoch").Scan(&epoch).Error; err != nil {
		return 0, 0, fmt.Errorf("read session epoch of user %d: %w", id, err)
	}
	return epoch, res.RowsAffected, nil
}

// CreatePartner creates a partner organisation (administrators).
func (s *Service) CreatePartner(ctx context.Context, actor ordi.Actor, n NewPartner) (Partner, error) {
	if err := actor.Require(ordi.Administer, onlyAdmins); err != nil {
		return Partner{}, err
	}
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

// Partner returns the partner with the given id to those who work with the
// families partners nominate (ordi.Allocate); a social worker sees only
// their own partner, and any other answers NotFound.
func (s *Service) Partner(ctx context.Context, actor ordi.Actor, id int64) (Partner, error) {
	notFound := ordi.Errorf(ordi.NotFound, "Structure partenaire introuvable.")
	switch {
	case actor.Role == ordi.RoleSocialWorker:
		if actor.PartnerID != id {
			return Partner{}, notFound
		}
	case !actor.Can(ordi.Allocate):
		return Partner{}, actor.Require(ordi.Allocate, "Votre rôle ne permet pas de consulter les structures partenaires.")
	}
	var p Partner
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Partner{}, notFound
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

// Partners lists partners by id, to administrators and staff
// (ordi.Allocate); a social worker's list holds their own partner only.
func (s *Service) Partners(ctx context.Context, actor ordi.Actor, f PartnerFilter) ([]Partner, error) {
	q := s.db.WithContext(ctx)
	switch {
	case actor.Role == ordi.RoleSocialWorker:
		q = q.Where("id = ?", actor.PartnerID)
	case !actor.Can(ordi.Allocate):
		return nil, actor.Require(ordi.Allocate, "Votre rôle ne permet pas de consulter les structures partenaires.")
	}
	limit := ordi.ListLimit(f.Limit)
	var out []Partner
	q = q.Order("id").Limit(limit)
	if f.After > 0 {
		q = q.Where("id > ?", f.After)
	}
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list partners: %w", err)
	}
	return out, nil
}
