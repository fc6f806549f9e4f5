package database_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/database/dbtest"
)

// markAhead records in db a migration this program does not have, as a
// newer Ordi would.
func markAhead(t *testing.T, db *gorm.DB, version int64) {
	t.Helper()
	if err := db.Exec("INSERT INTO goose_db_version (version_id, is_applied, tstamp) VALUES (?, ?, ?)",
		version, true, time.Now().UTC()).Error; err != nil {
		t.Fatal(err)
	}
}

// TestDatabaseAhead records migrations unknown to this program: Migrate
// refuses the database, the readiness check fails, and Status lists them.
func TestDatabaseAhead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		markAhead(t, db, 99001)
		markAhead(t, db, 99000)
		err := database.Migrate(ctx, db)
		if !errors.Is(err, database.ErrAhead) || !strings.Contains(err.Error(), "99000, 99001") {
			t.Fatalf("Migrate on a newer database = %v, want ErrAhead naming 99000 and 99001", err)
		}
		if err := database.Check(ctx, db); !errors.Is(err, database.ErrAhead) {
			t.Fatalf("Check on a newer database = %v, want ErrAhead", err)
		}
		states, err := database.Status(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		var unknown []int64
		for _, s := range states {
			if s.Unknown {
				unknown = append(unknown, s.Version)
				if !s.Applied || s.AppliedAt.IsZero() {
					t.Errorf("unknown migration %d: %+v, want applied with its date", s.Version, s)
				}
			} else if !s.Applied || s.Name == "" {
				t.Errorf("known migration %+v, want applied with its name", s)
			}
		}
		if len(unknown) != 2 || unknown[0] != 99000 || unknown[1] != 99001 {
			t.Fatalf("Status lists unknown migrations %v, want [99000 99001]", unknown)
		}
	})
}
