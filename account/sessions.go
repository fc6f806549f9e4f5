package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/ordi-app/ordi"
)

// SessionStore keeps browser sessions in Ordi's own database, so any
// instance behind a load balancer can serve any request. It implements
// scs.CtxStore. Rows are keyed by the SHA-256 of the session token: the
// table, or a backup of it, holds no cookie that would open a session.
type SessionStore struct {
	db  *gorm.DB
	now func() time.Time
}

type session struct {
	TokenHash string `gorm:"primaryKey"`
	Data      []byte
	Expiry    time.Time
}

func (session) TableName() string { return "sessions" }

// NewSessionStore returns a store over db.
func NewSessionStore(db *gorm.DB, now func() time.Time) *SessionStore {
	return &SessionStore{db: db, now: now}
}

// FindCtx returns the data of an unexpired session.
func (s *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var row session
	err := s.db.WithContext(ctx).Where("token_hash = ? AND expiry > ?", hashToken(token), s.now().UTC()).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("find session: %w", err)
	}
	return row.Data, true, nil
}

// FindEndedCtx returns the data of a session whatever its expiry, while
// Purge keeps it: the web layer reads who an idle-expired session belonged
// to, so that a form submitted after the timeout is given back to its author
// only. It never opens the session again (FindCtx refuses it).
func (s *SessionStore) FindEndedCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var row session
	err := s.db.WithContext(ctx).Where("token_hash = ?", hashToken(token)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("find ended session: %w", err)
	}
	return row.Data, true, nil
}

// CommitCtx inserts or replaces a session.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	row := session{TokenHash: hashToken(token), Data: b, Expiry: expiry.UTC()}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "token_hash"}},
		DoUpdates: clause.AssignmentColumns([]string{"data", "expiry"}),
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("commit session: %w", err)
	}
	return nil
}

// DeleteCtx removes a session.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	if err := s.db.WithContext(ctx).Where("token_hash = ?", hashToken(token)).Delete(&session{}).Error; err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// Find implements scs.Store.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit implements scs.Store.
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete implements scs.Store.
func (s *SessionStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}

// SessionUser returns the account a browser session was opened for, checked
// against the database on every request: the account must still exist, be
// active, and its epoch must be the one the session was opened under
// (changing the password or the role, deactivating, or signing out
// everywhere moves the epoch on). Otherwise the answer is Unauthorized and
// the session is over.
func (s *Service) SessionUser(ctx context.Context, id, epoch int64) (User, error) {
	u, err := s.findUser(ctx, s.db, id)
	if errors.Is(err, ordi.NotFound) || err == nil && (!u.Active || u.SessionEpoch != epoch || !u.Role.SignsIn()) {
		return User{}, ordi.Errorf(ordi.Unauthorized, "Votre session a pris fin. Connectez-vous à nouveau.")
	}
	return u, err
}

// EndedSessionKept is how long an expired session row stays, unusable, so
// that a form submitted after the idle timeout can still be given back to
// the person who typed it (SessionStore.FindEndedCtx): a working day.
const EndedSessionKept = 12 * time.Hour

// Purge deletes sessions expired for longer than EndedSessionKept and login
// attempts no longer remembered, and idempotency keys past their 24 hours.
// Serve calls it periodically.
func (s *Service) Purge(ctx context.Context) error {
	now := s.now()
	db := s.db.WithContext(ctx)
	if err := db.Where("expiry <= ?", now.Add(-EndedSessionKept)).Delete(&session{}).Error; err != nil {
		return fmt.Errorf("purge sessions: %w", err)
	}
	forget := now.Add(-max(AccountFailureMemory, AddressFailureMemory))
	if err := db.Where("at <= ?", forget).Delete(&loginAttempt{}).Error; err != nil {
		return fmt.Errorf("purge login attempts: %w", err)
	}
	if err := db.Where("seen_at <= ?", forget).Delete(&loginKey{}).Error; err != nil {
		return fmt.Errorf("purge login keys: %w", err)
	}
	if _, err := s.SweepIdempotencyKeys(ctx); err != nil {
		return err
	}
	return nil
}
