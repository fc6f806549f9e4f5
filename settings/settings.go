// Package settings keeps small configuration documents (the programme
// rules, the association's identity) as JSON in the settings table, each
// change audited.
package settings

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/audit"
)

type row struct {
	Key       string
	Value     string
	UpdatedAt time.Time
}

func (row) TableName() string { return "settings" }

// Load reads the JSON document under key into dst. When there is none it
// reports false and leaves dst as it was (the caller's defaults).
func Load(ctx context.Context, db *gorm.DB, key string, dst any) (bool, error) {
	var r row
	err := db.WithContext(ctx).Where("key = ?", key).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read setting %s: %w", key, err)
	}
	if err := json.Unmarshal([]byte(r.Value), dst); err != nil {
		return false, fmt.Errorf("read setting %s: %w", key, err)
	}
	return true, nil
}

// Save stores v as the JSON document under key and records who changed it,
// in one transaction.
func Save(ctx context.Context, db *gorm.DB, at time.Time, actor ordi.Actor, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode setting %s: %w", key, err)
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}}, DoUpdates: clause.AssignmentColumns([]string{"value", "updated_at"})}).
			Create(&row{Key: key, Value: string(b), UpdatedAt: at.UTC()}).Error
		if err != nil {
			return fmt.Errorf("save setting %s: %w", key, err)
		}
		return audit.Record(ctx, tx, at, actor, "settings.update", "settings", key, "")
	})
}
