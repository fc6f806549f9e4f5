package database_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/database/dbtest"
)

// TestWorkbenchRoleMigration puts accounts, a token and an audit entry in the
// schema before migration 00140, which rebuilds SQLite's users table to let
// the workbench role in: every row survives under its id, every reference
// still holds, and a workbench account can then be written (it could not
// before).
func TestWorkbenchRoleMigration(t *testing.T) {
	for _, d := range dbtest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db, err := database.Open(ctx, dbtest.URL(t, d), slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { database.Close(db) })
			if err := database.MigrateTo(ctx, db, 139); err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
			insertUser := func(id int64, role string) error {
				return db.Exec(`INSERT INTO users (id, email, name, role, password_hash, active, created_at, updated_at, session_epoch)
					VALUES (?, ?, ?, ?, 'x', TRUE, ?, ?, 3)`, id, role+"@example.org", "Compte "+role, role, now, now).Error
			}
			for id, role := range map[int64]string{7: "admin", 9: "staff"} {
				if err := insertUser(id, role); err != nil {
					t.Fatal(err)
				}
			}
			if err := insertUser(10, "workbench"); err == nil {
				t.Fatal("the workbench role was accepted before its migration: this test proves nothing")
			}
			if err := db.Exec(`INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES (1, 9, 'script', 'h', ?)`, now).Error; err != nil {
				t.Fatal(err)
			}
			if err := db.Exec(`INSERT INTO audit_events (at, actor_id, actor_name, action, object_type, object_id) VALUES (?, 7, 'a', 'x', 'user', '9')`, now).Error; err != nil {
				t.Fatal(err)
			}
			if err := database.Migrate(ctx, db); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			var users []struct {
				ID           int64
				Role         string
				SessionEpoch int64
			}
			if err := db.Raw("SELECT id, role, session_epoch FROM users ORDER BY id").Scan(&users).Error; err != nil {
				t.Fatal(err)
			}
			if len(users) != 2 || users[0].ID != 7 || users[1].ID != 9 || users[1].Role != "staff" || users[1].SessionEpoch != 3 {
				t.Fatalf("users after the migration: %+v", users)
			}
			if err := insertUser(10, "workbench"); err != nil {
				t.Fatalf("a workbench account after the migration: %v", err)
			}
			if err := db.Exec("INSERT INTO users (id, email, name, role, password_hash, active, created_at, updated_at) VALUES (11, 'z@example.org', 'z', 'intrus', 'x', TRUE, ?, ?)", now, now).Error; err == nil {
				t.Error("an unknown role is accepted after the migration")
			}
			if err := db.Exec(`INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES (2, 404, 'orphan', 'h2', ?)`, now).Error; err == nil {
				t.Error("a token of no account is accepted: the reference to users was lost")
			}
			if d == database.SQLite {
				var problems []map[string]any
				if err := db.Raw("PRAGMA foreign_key_check").Scan(&problems).Error; err != nil {
					t.Fatal(err)
				}
				if len(problems) > 0 {
					t.Errorf("foreign key check after the migration: %v", problems)
				}
				var tables int64
				db.Raw("SELECT COUNT(*) FROM sqlite_temp_master WHERE name = 'users_00140'").Scan(&tables)
				if tables != 0 {
					t.Error("the temporary copy of users is left behind")
				}
			}
		})
	}
}
