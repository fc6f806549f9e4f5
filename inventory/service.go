package inventory

import (
	"crypto/rand"
	"io"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
)

// Service registers donors, donations and units and moves units through
// their lifecycle. Every change to a unit writes an event in the same
// transaction.
type Service struct {
	db   *gorm.DB
	now  func() time.Time
	rand io.Reader
}

// NewService returns a service over db. now is the clock.
func NewService(db *gorm.DB, now func() time.Time) *Service {
	return &Service{db: db, now: func() time.Time { return now().UTC() }, rand: rand.Reader}
}

// WithTx returns the service working inside tx, for another package's
// transaction (allocation moving a unit while it reserves it).
func (s *Service) WithTx(tx *gorm.DB) *Service {
	c := *s
	c.db = tx
	return &c
}

// today is the current calendar day in the association's time zone.
func (s *Service) today() ordi.Date { return ordi.DateOf(s.now().In(ordi.Paris)) }

func actorID(a ordi.Actor) *int64 {
	if a.UserID == 0 {
		return nil
	}
	id := a.UserID
	return &id
}

// escapeLike escapes LIKE wildcards in user text; queries say ESCAPE '\'
// (SQLite has no default escape character).
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
