package database

import (
	"context"

	"gorm.io/gorm"
)

// MigrateTo applies the migrations up to and including version, for tests
// that put rows in an older schema before a migration runs.
func MigrateTo(ctx context.Context, db *gorm.DB, version int64) error {
	pool, done, err := migrationPool(db)
	if err != nil {
		return err
	}
	defer done()
	p, err := provider(pool, DialectOf(db))
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}
