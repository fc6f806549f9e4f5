// Package audit records who did what, when, to which object: user and
// partner administration, settings changes, and every read of a family's
// file. Entries are appended, never edited; they hold identifiers, not
// personal data.
package audit

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
)

// Entry is one audit record.
type Entry struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	ActorID    *int64    `json:"actor_id,omitempty"`
	ActorName  string    `json:"actor"`
	Action     string    `json:"action"`
	ObjectType string    `json:"object_type"`
	ObjectID   string    `json:"object_id"`
	Detail     string    `json:"detail,omitempty"`
}

// TableName tells GORM where entries live.
func (Entry) TableName() string { return "audit_events" }

// Record appends an entry in db, which may be a transaction: the entry then
// commits or rolls back with the change it describes.
func Record(ctx context.Context, db *gorm.DB, at time.Time, actor ordi.Actor, action, objectType string, objectID any, detail string) error {
	e := Entry{
		At:         at.UTC(),
		ActorName:  actor.Name,
		Action:     action,
		ObjectType: objectType,
		ObjectID:   fmt.Sprint(objectID),
		Detail:     detail,
	}
	if actor.UserID != 0 {
		id := actor.UserID
		e.ActorID = &id
	}
	if err := db.WithContext(ctx).Create(&e).Error; err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// Filter selects entries; zero fields match everything.
type Filter struct {
	ObjectType string
	ObjectID   string
	Action     string
	Before     int64 // keyset cursor: entries with a smaller ID
	Limit      int
}

// List returns entries newest first.
func List(ctx context.Context, db *gorm.DB, f Filter) ([]Entry, error) {
	q := db.WithContext(ctx).Model(&Entry{})
	if f.ObjectType != "" {
		q = q.Where("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != "" {
		q = q.Where("object_id = ?", f.ObjectID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	limit := ordi.ListLimit(f.Limit)
	var out []Entry
	if err := q.Order("id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	return out, nil
}
