package account

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/ordi-app/ordi"
)

// Login throttling (docs/decisions.md, "Login throttling", says what an
// attacker can and cannot do). Failures are counted per account and client
// address, and per client address over all accounts, in the database, so
// that every instance behind a load balancer sees the same numbers. An
// attempt is counted before its password is checked, and the count and the
// check of the count are one step: of 60 simultaneous guesses, 5 are checked.
// Past a limit, the client waits FirstWait, then twice as long after each
// further failure, up to MaxWait. Nobody else waits: the owner of an account
// signing in from another address is not held back by someone guessing.
const (
	// MaxFailuresPerAccount is how many failed sign-ins one client address
	// may make on one account before it must wait.
	MaxFailuresPerAccount = 5
	// MaxFailuresPerAddress is how many failed sign-ins one client address
	// may make over all accounts before it must wait.
	MaxFailuresPerAddress = 20
	// AccountFailureMemory is how long a failure on an account counts
	// against the address it came from; a successful sign-in forgets them.
	AccountFailureMemory = 24 * time.Hour
	// AddressFailureMemory is how long a failure counts against its address
	// over all accounts.
	AddressFailureMemory = time.Hour
	// FirstWait is the wait once a limit is reached; it doubles with each
	// further failure, up to MaxWait.
	FirstWait = time.Minute
	MaxWait   = time.Hour
)

// Password hashing is bounded: argon2id takes 19 MiB and tens of
// milliseconds per hash, so at most one hash per core runs at once and the
// others queue, each for hashQueueWait at most, after which the attempt is
// refused (429) without being counted.
const (
	hashQueueWait  = 3 * time.Second
	hashRetryAfter = 5 * time.Second
)

// errBadLogin is the one answer to a wrong email, a wrong password or an
// inactive account, so the form reveals nothing.
var errBadLogin = ordi.Errorf(ordi.Unauthorized, "Adresse e-mail ou mot de passe incorrect.")

// errTokenOnly refuses the sign-in of an account whose role works by API
// token only (ordi.Role.SignsIn): a workbench.
var errTokenOnly = ordi.Errorf(ordi.Unauthorized, "Ce compte est celui d'un poste d'atelier : il s'utilise avec un jeton d'accès (ordi probe), pas par la page de connexion.")

// loginKey is the row an attempt from one client address locks while it is
// counted.
type loginKey struct {
	Key    string `gorm:"primaryKey"`
	SeenAt time.Time
}

func (loginKey) TableName() string { return "login_keys" }

// throttleRule is one count: whose failures, how many may be made, and for
// how long each is remembered.
type throttleRule struct {
	key    string
	limit  int
	memory time.Duration
}

// Authenticate checks an email and password from the given client address.
// The attempt is counted first; past the limits the answer is RateLimited,
// with the wait in RetryAfter, and the password is not checked.
func (s *Service) Authenticate(ctx context.Context, email, password, addr string) (User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	client := clientKey(addr)
	rules := []throttleRule{
		{throttleKey("account", email+"\x00"+client), MaxFailuresPerAccount, AccountFailureMemory},
		{throttleKey("addr", client), MaxFailuresPerAddress, AddressFailureMemory},
	}
	attempt, err := s.countAttempt(ctx, rules)
	if err != nil {
		return User{}, err
	}
	u, ok, err := s.checkCredentials(ctx, email, password)
	if err != nil {
		// The password was not checked (no hashing slot, or the database
		// failed): the attempt does not count.
		s.uncountAttempt(ctx, attempt)
		return User{}, err
	}
	if !ok {
		return User{}, errBadLogin
	}
	if !u.Role.SignsIn() {
		// The password was right: say why the door stays closed, rather
		// than let an operator believe they mistyped it.
		return User{}, errTokenOnly
	}
	now := s.now()
	if err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Signed in: this address's failures on this account are forgiven,
		// and this attempt does not count against the address.
		if err := tx.Where("key = ?", rules[0].key).Delete(&loginAttempt{}).Error; err != nil {
			return err
		}
		if err := tx.Where("id IN ?", attempt).Delete(&loginAttempt{}).Error; err != nil {
			return err
		}
		return tx.Model(&User{}).Where("id = ?", u.ID).Update("last_login_at", now).Error
	}); err != nil {
		return User{}, fmt.Errorf("record login: %w", err)
	}
	u.LastLoginAt = &now
	return u, nil
}

// countAttempt records an attempt under every rule, unless one of them makes
// the client wait. The client address's row is locked first: every attempt
// from that address, for any account, queues on it, so counting and
// recording are one step on PostgreSQL (on SQLite the transaction holds the
// write lock from its start). Every rule's key includes the address, so that
// one lock covers them all. It returns the ids of the recorded attempts.
func (s *Service) countAttempt(ctx context.Context, rules []throttleRule) ([]int64, error) {
	now := s.now()
	var ids []int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		lock := loginKey{Key: rules[len(rules)-1].key, SeenAt: now}
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "key"}},
			DoUpdates: clause.AssignmentColumns([]string{"seen_at"}),
		}).Create(&lock).Error; err != nil {
			return fmt.Errorf("lock login key: %w", err)
		}
		var wait time.Duration
		for _, r := range rules {
			until, err := blockedUntil(tx, r, now)
			if err != nil {
				return err
			}
			wait = max(wait, until.Sub(now))
		}
		if wait > 0 {
			// Whole seconds, rounded up: stored times may have lost their
			// microseconds (SQLite keeps milliseconds).
			wait = (wait + time.Second - 1).Truncate(time.Second)
			return &ordi.Error{Kind: ordi.RateLimited, RetryAfter: wait,
				Message: "Trop de tentatives de connexion. Réessayez dans " + frenchWait(wait) + "."}
		}
		rows := make([]loginAttempt, len(rules))
		for i, r := range rules {
			rows[i] = loginAttempt{Key: r.key, At: now}
		}
		if err := tx.Create(&rows).Error; err != nil {
			return fmt.Errorf("record login attempt: %w", err)
		}
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		return nil
	})
	return ids, err
}

// blockedUntil returns until when a rule's key must wait (a time not after
// now when it need not): once its remembered attempts reach the limit, the
// last one is followed by FirstWait, doubled for each attempt beyond.
func blockedUntil(tx *gorm.DB, r throttleRule, now time.Time) (time.Time, error) {
	q := tx.Model(&loginAttempt{}).Where("key = ? AND at > ?", r.key, now.Add(-r.memory))
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return time.Time{}, fmt.Errorf("count login attempts: %w", err)
	}
	if n < int64(r.limit) {
		return time.Time{}, nil
	}
	var last loginAttempt
	if err := tx.Where("key = ? AND at > ?", r.key, now.Add(-r.memory)).Order("at DESC").Take(&last).Error; err != nil {
		return time.Time{}, fmt.Errorf("last login attempt: %w", err)
	}
	return last.At.Add(waitAfter(int(n) - r.limit)), nil
}

// waitAfter is the wait once a limit is reached, after beyond more attempts.
func waitAfter(beyond int) time.Duration {
	if beyond >= 16 {
		return MaxWait
	}
	return min(FirstWait<<beyond, MaxWait)
}

// frenchWait says a wait of whole seconds in words, rounded up: "45
// secondes", "2 minutes".
func frenchWait(d time.Duration) string {
	if d < time.Minute {
		s := int((d + time.Second - 1) / time.Second)
		if s <= 1 {
			return "1 seconde"
		}
		return fmt.Sprintf("%d secondes", s)
	}
	m := int((d + time.Minute - 1) / time.Minute)
	if m == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", m)
}

// uncountAttempt removes attempts whose password was never checked. It runs
// even when the request was cancelled.
func (s *Service) uncountAttempt(ctx context.Context, ids []int64) {
	s.db.WithContext(context.WithoutCancel(ctx)).Where("id IN ?", ids).Delete(&loginAttempt{})
}

// checkCredentials reports whether password is the one of the active account
// with this email, spending the same time when there is no such account.
func (s *Service) checkCredentials(ctx context.Context, email, password string) (User, bool, error) {
	var u User
	err := s.db.WithContext(ctx).Where("email = ?", email).Take(&u).Error
	hash := u.PasswordHash
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		// Spend the same time as a real check so timing reveals nothing.
		hash = dummyHash()
	case err != nil:
		return User{}, false, fmt.Errorf("find user: %w", err)
	}
	var ok bool
	if err := s.withHashSlot(ctx, func() error {
		var err error
		ok, err = CheckPassword(hash, password)
		return err
	}); err != nil {
		return User{}, false, err
	}
	return u, ok && u.Active, nil
}

// withHashSlot runs f, a password hash, when one of the slots (one per core)
// is free, waiting hashQueueWait at most.
func (s *Service) withHashSlot(ctx context.Context, f func() error) error {
	timer := time.NewTimer(s.hashQueueWait)
	defer timer.Stop()
	select {
	case s.hashSlots <- struct{}{}:
	case <-timer.C:
		return &ordi.Error{Kind: ordi.RateLimited, RetryAfter: hashRetryAfter,
			Message: "Le serveur est très sollicité : réessayez dans quelques secondes."}
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.hashSlots }()
	return f()
}

// hashPassword hashes a new password in a hashing slot.
func (s *Service) hashPassword(ctx context.Context, password string) (string, error) {
	var hash string
	err := s.withHashSlot(ctx, func() error {
		var err error
		hash, err = HashPassword(password)
		return err
	})
	return hash, err
}

// dummyHash is checked against when the email is unknown.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("ordi-dummy-password")
	return h
})

// clientKey is the address whose failures are counted: an IPv4 address, or
// the /64 network of an IPv6 one, since anybody holding an IPv6 address
// holds its whole /64 (2^64 addresses to rotate through otherwise).
func clientKey(addr string) string {
	a, err := netip.ParseAddr(strings.TrimSpace(addr))
	if err != nil {
		return addr
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.WithZone("").Prefix(64)
		return p.String()
	}
	return a.String()
}

// throttleKey hashes the counted identity so the table holds no email or address.
func throttleKey(kind, value string) string {
	sum := sha256.Sum256([]byte(kind + ":" + value))
	return hex.EncodeToString(sum[:16])
}
