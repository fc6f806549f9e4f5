package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// SessionStore keeps browser sessions in Ordi's own database, so any
// instance behind a load balancer can serve any request. It implements
// scs.CtxStore.
type SessionStore struct {
	db  *gorm.DB
	now func() time.Time
}

type session struct {
	Token  string `gorm:"primaryKey"`
	Data   []byte
	Expiry time.Time
}

func (session) TableName() string { return "sessions" }

// NewSessionStore returns a store over db.
func NewSessionStore(db *gorm.DB, now func() time.Time) *SessionStore {
	return &SessionStore{db: db, now: now}
}

// FindCtx returns the data of an unexpired session.
func (s *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var row session
	err := s.db.WithContext(ctx).Where("token = ? AND expiry > ?", token, s.now().UTC()).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("find session: %w", err)
	}
	return row.Data, true, nil
}

// CommitCtx inserts or replaces a session.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	row := session{Token: token, Data: b, Expiry: expiry.UTC()}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "token"}},
		DoUpdates: clause.AssignmentColumns([]string{"data", "expiry"}),
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("commit session: %w", err)
	}
	return nil
}

// DeleteCtx removes a session.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	if err := s.db.WithContext(ctx).Where("token = ?", token).Delete(&session{}).Error; err != nil {
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

// Purge deletes expired sessions and login failures older than the
// throttling window. Serve calls it periodically.
func (s *Service) Purge(ctx context.Context) error {
	now := s.now()
	db := s.db.WithContext(ctx)
	if err := db.Where("expiry <= ?", now).Delete(&session{}).Error; err != nil {
		return fmt.Errorf("purge sessions: %w", err)
	}
	if err := db.Where("at <= ?", now.Add(-FailureWindow)).Delete(&loginAttempt{}).Error; err != nil {
		return fmt.Errorf("purge login failures: %w", err)
	}
	return nil
}
