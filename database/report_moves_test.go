package database_test

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/database/dbtest"
)

// reportMovesHistory writes units and their events as the inventory leaves
// them: a first move to ready undone and made again, a return and a second
// handover, a handover with no move to ready before it, recycling and
// dismantling, moves at every hour of the day; then a weight is
// corrected and another removed.
func reportMovesHistory(t *testing.T, db *gorm.DB) {
	t.Helper()
	exec := func(sql string, args ...any) {
		t.Helper()
		if err := db.Exec(sql, args...).Error; err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	exec("INSERT INTO donors (id, name, kind, created_at, updated_at) VALUES (1, 'Entreprise', 'company', ?, ?)", t0, t0)
	exec("INSERT INTO donations (id, donor_id, received_on, created_at, updated_at) VALUES (1, 1, ?, ?, ?)", "2026-03-02", t0, t0)
	units := []struct {
		weight *float64
		moves  []string
	}{
		{ptr(2.5), []string{"diagnosed", "wiped", "refurbished", "ready", "refurbished", "ready", "reserved", "handed_over"}},
		{ptr(1.2), []string{"diagnosed", "ready", "reserved", "handed_over", "returned", "diagnosed", "ready", "diagnosed", "ready", "reserved", "handed_over"}},
		{nil, []string{"diagnosed", "ready", "recycled"}},
		{ptr(7.0), []string{"diagnosed", "dismantled", "recycled"}},
		{ptr(3.0), []string{"reserved", "handed_over"}},
		{ptr(4.0), []string{"diagnosed"}},
	}
	event := int64(0)
	for i, u := range units {
		id := int64(i + 1)
		at := t0.Add(time.Duration(i) * time.Hour)
		exec(`INSERT INTO units (id, code, donation_id, kind, weight_kg, status, created_at, updated_at) VALUES (?, ?, 1, 'laptop', ?, ?, ?, ?)`,
			id, fmt.Sprintf("U%06d", id), u.weight, u.moves[len(u.moves)-1], at, at)
		from := ""
		for _, to := range append([]string{"received"}, u.moves...) {
			event++
			exec(`INSERT INTO unit_events (id, unit_id, at, actor_name, action, from_status, to_status) VALUES (?, ?, ?, 'test', 'transition', ?, ?)`,
				event, id, at, from, to)
			// 13 h 30 apart: moves fall at any hour of the day.
			at, from = at.Add(13*time.Hour+30*time.Minute), to
		}
		event++ // an erasure between moves: not a move
		exec(`INSERT INTO unit_events (id, unit_id, at, actor_name, action, from_status, to_status) VALUES (?, ?, ?, 'test', 'erasure.passed', ?, ?)`,
			event, id, at, from, from)
	}
	exec("UPDATE units SET weight_kg = 2.75 WHERE id = 1")
	exec("UPDATE units SET weight_kg = NULL WHERE id = 4")
}

func ptr[T any](v T) *T { return &v }

type reportMove struct {
	ID, UnitID int64
	ToStatus   string
	At         time.Time
	Since      *time.Time
	WeightKG   *float64
}

func reportMoves(t *testing.T, db *gorm.DB) []reportMove {
	t.Helper()
	var rows []reportMove
	if err := db.Raw("SELECT id, unit_id, to_status, at, since, weight_kg FROM report_moves ORDER BY id").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestReportMovesBackfill writes the same history into a database before
// migration 00230 (then migrated: the backfill) and into one after it (the
// triggers, as the events are written): report_moves holds the same rows,
// the ones worked out by hand here, and every unit its donation's date, on
// both databases.
func TestReportMovesBackfill(t *testing.T) {
	for _, d := range dbtest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			before, err := database.Open(ctx, dbtest.URL(t, d), slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { database.Close(before) })
			if err := database.MigrateTo(ctx, before, 229); err != nil {
				t.Fatal(err)
			}
			reportMovesHistory(t, before)
			if err := database.Migrate(ctx, before); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			live := dbtest.Open(t, d)
			reportMovesHistory(t, live)
			for name, db := range map[string]*gorm.DB{"backfilled": before, "kept": live} {
				var days []string
				if err := db.Raw("SELECT received_on FROM units ORDER BY id").Scan(&days).Error; err != nil {
					t.Fatal(err)
				}
				if len(days) != 6 || days[0][:10] != "2026-03-02" || days[5][:10] != "2026-03-02" {
					t.Errorf("%s: units' received_on %q, want their donation's, 2026-03-02", name, days)
				}
			}
			backfilled, kept := reportMoves(t, before), reportMoves(t, live)
			if !reflect.DeepEqual(backfilled, kept) {
				t.Errorf("backfilled:\n%+v\nkept as written:\n%+v", backfilled, kept)
			}
			var got []string
			for _, m := range kept {
				s := fmt.Sprintf("u%d %s %s", m.UnitID, m.ToStatus, m.At.Format("02 15:04"))
				if m.Since != nil {
					s += " since " + m.Since.Format("02 15:04")
				}
				if m.WeightKG != nil {
					s += fmt.Sprintf(" %gkg", *m.WeightKG)
				}
				got = append(got, s)
			}
			want := []string{
				// Unit 1: first ready on the 4th at 15:00 (the move undone
				// after, as the history has it), handed over after its
				// second move to ready; its weight corrected to 2.75.
				"u1 ready 04 15:00 since 02 09:00 2.75kg", "u1 handed_over 06 21:00 since 05 18:00 2.75kg",
				// Unit 2: handed over twice, each after its last move to
				// ready (the second after a move back to diagnosis).
				"u2 ready 03 13:00 since 02 10:00 1.2kg", "u2 handed_over 04 16:00 since 03 13:00 1.2kg",
				"u2 handed_over 08 14:30 since 07 11:30 1.2kg",
				"u3 ready 03 14:00 since 02 11:00", "u3 recycled 04 03:30",
				// Unit 4: its weight removed.
				"u4 dismantled 03 15:00", "u4 recycled 04 04:30",
				// Unit 5: handed over with no move to ready: no lead time.
				"u5 handed_over 03 16:00 3kg",
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("report_moves:\n%q\nwant\n%q", got, want)
			}
		})
	}
}
