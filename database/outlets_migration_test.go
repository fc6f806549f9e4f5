package database_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/database/dbtest"
)

// TestOutletsMigration: the free-text outlets of recycled units become
// outlet records, one per text whatever its case and surrounding spaces,
// and each unit points at its own; units without an outlet point nowhere,
// and the text recorded stays on the unit.
func TestOutletsMigration(t *testing.T) {
	for _, d := range dbtest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db, err := database.Open(ctx, dbtest.URL(t, d), slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { database.Close(db) })
			if err := database.MigrateTo(ctx, db, 239); err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
			exec := func(q string, args ...any) {
				t.Helper()
				if err := db.Exec(q, args...).Error; err != nil {
					t.Fatal(err)
				}
			}
			exec(`INSERT INTO donors (id, name, kind, created_at, updated_at) VALUES (1, 'Mairie', 'public_body', ?, ?)`, now, now)
			exec(`INSERT INTO donations (id, donor_id, received_on, created_at, updated_at) VALUES (1, 1, '2026-11-02', ?, ?)`, now, now)
			for id, outlet := range map[int64]string{1: "Ecologic", 2: " ECOLOGIC ", 3: "Recyclerie du Bocage", 4: "", 5: "  "} {
				status := "recycled"
				if outlet == "" {
					status = "ready"
				}
				exec(`INSERT INTO units (id, code, donation_id, kind, status, outlet, outlet_reference, created_at, updated_at)
					VALUES (?, ?, 1, 'laptop', ?, ?, 'BE-1', ?, ?)`, id, "CODE00"+string(rune('0'+id)), status, outlet, now.Add(time.Duration(id)*time.Hour), now)
			}
			if err := database.Migrate(ctx, db); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			var outlets []struct {
				ID    int64
				Name  string
				Kind  string
				SIRET string `gorm:"column:siret"`
			}
			if err := db.Raw("SELECT id, name, kind, siret FROM outlets ORDER BY name").Scan(&outlets).Error; err != nil {
				t.Fatal(err)
			}
			if len(outlets) != 2 || outlets[1].Name != "Recyclerie du Bocage" || outlets[0].Kind != "recycler" || outlets[0].SIRET != "" {
				t.Fatalf("outlets after the migration: %+v", outlets)
			}
			if outlets[0].Name != "ECOLOGIC" && outlets[0].Name != "Ecologic" {
				t.Fatalf("first outlet named %q", outlets[0].Name)
			}
			var units []struct {
				ID       int64
				OutletID *int64
				Outlet   string
			}
			if err := db.Raw("SELECT id, outlet_id, outlet FROM units ORDER BY id").Scan(&units).Error; err != nil {
				t.Fatal(err)
			}
			want := map[int64]*int64{1: &outlets[0].ID, 2: &outlets[0].ID, 3: &outlets[1].ID, 4: nil, 5: nil}
			for _, u := range units {
				w := want[u.ID]
				if (w == nil) != (u.OutletID == nil) || (w != nil && *w != *u.OutletID) {
					t.Errorf("unit %d points at %v, want %v", u.ID, u.OutletID, w)
				}
			}
			if units[1].Outlet != " ECOLOGIC " {
				t.Errorf("the recorded text changed: %q", units[1].Outlet)
			}
		})
	}
}
