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
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/audit"
)

// tokenCacheTTL bounds how long another instance may still accept a token
// after it was revoked or its account's credentials were ended; this
// instance forgets at once. Within it the API's hot path costs no query for
// authentication; past it the next request asks the database again, so a
// token in steady use costs one query a second (docs/decisions.md).
const tokenCacheTTL = time.Second

// tokenPrefix makes Ordi tokens recognisable by secret scanners.
const tokenPrefix = "ordi_"

// Token limits.
const (
	maxTokenNameLength = 80
	defaultTokenName   = "API"
	maxTokensListed    = 200
)

type cachedToken struct {
	user    User
	expires time.Time
}

// NewToken is the input to issue an API token to an account, named by id
// (the administration page) or by email (the command line).
type NewToken struct {
	UserID    int64
	Email     string
	Name      string     // what the token is for: "script d'import", "tablette atelier"
	ExpiresAt *time.Time // nil: until revoked
}

// IssuedToken is a token just issued: its record, and the secret, which is
// shown this once and never stored.
type IssuedToken struct {
	Token
	Secret string `json:"token"`
}

// TokenStatus says whether a token still opens the API.
type TokenStatus string

// The token statuses.
const (
	TokenActive  TokenStatus = "active"
	TokenExpired TokenStatus = "expired"
	TokenRevoked TokenStatus = "revoked"
)

// Label is the status's French name.
func (st TokenStatus) Label() string {
	switch st {
	case TokenActive:
		return "Actif"
	case TokenExpired:
		return "Expiré"
	case TokenRevoked:
		return "Révoqué"
	}
	return string(st)
}

// Status says whether the token still opens the API at now.
func (t Token) Status(now time.Time) TokenStatus {
	switch {
	case t.RevokedAt != nil:
		return TokenRevoked
	case t.ExpiresAt != nil && !now.Before(*t.ExpiresAt):
		return TokenExpired
	}
	return TokenActive
}

// IssueToken issues an API token for an active account (administrators) and
// returns it; only its hash is kept, so it cannot be shown again.
func (s *Service) IssueToken(ctx context.Context, actor ordi.Actor, n NewToken) (IssuedToken, error) {
	if err := actor.Require(ordi.Administer, onlyAdmins); err != nil {
		return IssuedToken{}, err
	}
	now := s.now()
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" {
		n.Name = defaultTokenName
	}
	var v ordi.Validation
	if utf8.RuneCountInString(n.Name) > maxTokenNameLength {
		v.Addf("name", "Le nom du jeton est trop long (%d caractères au plus).", maxTokenNameLength)
	}
	if n.ExpiresAt != nil && !n.ExpiresAt.After(now) {
		v.Add("expires_at", "La date d'expiration doit être dans le futur.")
	}
	u, err := s.tokenOwner(ctx, n)
	if err != nil {
		return IssuedToken{}, err
	}
	if err := v.Err(); err != nil {
		return IssuedToken{}, err
	}
	if !u.Active {
		return IssuedToken{}, ordi.Errorf(ordi.Conflict, "Ce compte est désactivé.")
	}
	raw := make([]byte, 20)
	if _, err := rand.Read(raw); err != nil {
		return IssuedToken{}, err
	}
	secret := tokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw))
	t := Token{UserID: u.ID, Name: n.Name, TokenHash: hashToken(secret), CreatedAt: now}
	if n.ExpiresAt != nil {
		exp := n.ExpiresAt.UTC()
		t.ExpiresAt = &exp
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&t).Error; err != nil {
			return fmt.Errorf("insert token: %w", err)
		}
		return audit.Record(ctx, tx, now, actor, "token.create", "user", u.ID, n.Name)
	})
	if err != nil {
		return IssuedToken{}, err
	}
	return IssuedToken{Token: t, Secret: secret}, nil
}

// tokenOwner finds the account a new token is for.
func (s *Service) tokenOwner(ctx context.Context, n NewToken) (User, error) {
	if n.UserID != 0 {
		return s.findUser(ctx, s.db, n.UserID)
	}
	u, err := s.findUserByEmail(ctx, n.Email)
	if errors.Is(err, ordi.NotFound) {
		return User{}, &ordi.Error{Kind: ordi.Invalid, Message: "Aucun compte n'a cette adresse e-mail.",
			Fields: []ordi.FieldError{{Field: "email", Message: "compte inconnu"}}}
	}
	return u, err
}

// CreateToken issues a token without expiry for the account with the given
// email and returns the secret (IssueToken).
func (s *Service) CreateToken(ctx context.Context, actor ordi.Actor, email, name string) (string, error) {
	t, err := s.IssueToken(ctx, actor, NewToken{Email: email, Name: name})
	return t.Secret, err
}

// UserByEmail returns the account with the given email (administrators).
func (s *Service) UserByEmail(ctx context.Context, actor ordi.Actor, email string) (User, error) {
	if err := actor.Require(ordi.Administer, onlyAdmins); err != nil {
		return User{}, err
	}
	return s.findUserByEmail(ctx, email)
}

func (s *Service) findUserByEmail(ctx context.Context, email string) (User, error) {
	var u User
	err := s.db.WithContext(ctx).Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return User{}, ordi.Errorf(ordi.NotFound, "Aucun compte n'a cette adresse e-mail.")
	}
	if err != nil {
		return User{}, fmt.Errorf("find user by email: %w", err)
	}
	return u, nil
}

// Tokens lists an account's tokens, newest first, revoked and expired ones
// included (administrators).
func (s *Service) Tokens(ctx context.Context, actor ordi.Actor, userID int64) ([]Token, error) {
	if err := actor.Require(ordi.Administer, onlyAdmins); err != nil {
		return nil, err
	}
	if _, err := s.findUser(ctx, s.db, userID); err != nil {
		return nil, err
	}
	var out []Token
	if err := s.db.WithContext(ctx).Where("user_id = ?", userID).Order("id DESC").Limit(maxTokensListed).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

// RevokeToken revokes a token at once (administrators) and returns it.
// Revoking a revoked token changes nothing.
func (s *Service) RevokeToken(ctx context.Context, actor ordi.Actor, id int64) (Token, error) {
	if err := actor.Require(ordi.Administer, onlyAdmins); err != nil {
		return Token{}, err
	}
	var t Token
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.now()
		res := tx.Model(&Token{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", now)
		if res.Error != nil {
			return fmt.Errorf("revoke token %d: %w", id, res.Error)
		}
		err := tx.Where("id = ?", id).Take(&t).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ordi.Errorf(ordi.NotFound, "Jeton introuvable.")
		}
		if err != nil {
			return fmt.Errorf("find token %d: %w", id, err)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		return audit.Record(ctx, tx, now, actor, "token.revoke", "user", t.UserID, t.Name)
	})
	if err != nil {
		return Token{}, err
	}
	s.forgetToken(t.TokenHash)
	return t, nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// UserByToken returns the active account owning an unrevoked, unexpired
// token, or an Unauthorized error. Answers are cached for tokenCacheTTL.
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
	var row struct {
		User
		TokenExpiresAt *time.Time
	}
	err := s.db.WithContext(ctx).Model(&User{}).
		Select("users.*, api_tokens.expires_at AS token_expires_at").
		Joins("JOIN api_tokens ON api_tokens.user_id = users.id").
		Where("api_tokens.token_hash = ? AND api_tokens.revoked_at IS NULL AND users.active = ?", h, true).
		Where("api_tokens.expires_at IS NULL OR api_tokens.expires_at > ?", now).
		Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return User{}, ordi.Errorf(ordi.Unauthorized, "Jeton d'accès invalide.")
	}
	if err != nil {
		return User{}, fmt.Errorf("find token: %w", err)
	}
	expires := now.Add(tokenCacheTTL)
	if row.TokenExpiresAt != nil && row.TokenExpiresAt.Before(expires) {
		expires = *row.TokenExpiresAt
	}
	s.mu.Lock()
	if len(s.tokens) > 10000 {
		clear(s.tokens)
	}
	s.tokens[h] = cachedToken{user: row.User, expires: expires}
	s.mu.Unlock()
	return row.User, nil
}

// forgetUser drops an account's tokens from this instance's cache.
func (s *Service) forgetUser(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for h, c := range s.tokens {
		if c.user.ID == id {
			delete(s.tokens, h)
		}
	}
}

func (s *Service) forgetToken(hash string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, hash)
}
