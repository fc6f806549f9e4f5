package allocation_test

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

// interleave makes the next UPDATE of table first run sql in the same
// transaction: as if another request had committed that change between the
// service's check and its conditional write. It is how the rows-affected
// paths run on SQLite too, whose writers never overlap (_txlock=immediate).
// sql holds no placeholders (the drivers spell them differently).
func interleave(t *testing.T, db *gorm.DB, table, sql string) *atomic.Bool {
	t.Helper()
	fired := &atomic.Bool{}
	name := fmt.Sprintf("test:interleave:%p", fired)
	err := db.Callback().Update().Before("gorm:update").Register(name, func(tx *gorm.DB) {
		if tx.Statement.Table != table || fired.Load() {
			return
		}
		fired.Store(true)
		if _, err := tx.Statement.ConnPool.ExecContext(tx.Statement.Context, sql); err != nil {
			tx.AddError(fmt.Errorf("interleaved %q: %w", sql, err))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Callback().Update().Remove(name) })
	return fired
}

// state is what a refused call must leave as it was.
type state struct {
	Household, Unit string
	Reservations    int64 // active reservations of the family or the unit
	Version         int
}

func (w *world) state(t *testing.T, householdID int64, code inventory.Code) state {
	t.Helper()
	var s state
	var h struct {
		Status  string
		Version int
	}
	if err := w.db.Table("households").Select("status, version").Where("id = ?", householdID).Take(&h).Error; err != nil {
		t.Fatal(err)
	}
	s.Household, s.Version = h.Status, h.Version
	u, err := w.inv.Unit(ctx, w.staff, string(code))
	if err != nil {
		t.Fatal(err)
	}
	s.Unit = string(u.Status)
	err = w.db.Table("reservations").Where("status = 'active' AND (household_id = ? OR unit_id = ?)", householdID, u.ID).Count(&s.Reservations).Error
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestStaleHouseholdEdit: an edit made on an old version of the file is
// refused and changes nothing; its error carries the current version, not
// the file. A change committed between the check and the write is refused
// the same way.
func TestStaleHouseholdEdit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		h := w.nominated("Famille modifiée deux fois")
		first, second := "Première version des notes", "Notes de l'autre onglet"
		got, err := w.svc.UpdateHousehold(ctx, w.workerA, h.ID, allocation.HouseholdUpdate{Version: h.Version, Notes: &first})
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.UpdateHousehold(ctx, w.admin, h.ID, allocation.HouseholdUpdate{Version: h.Version, Notes: &second})
		var conflict *ordi.Error
		if !errors.As(err, &conflict) || conflict.Kind != ordi.Conflict {
			t.Fatalf("edit on a stale version: %v, want Conflict", err)
		}
		if current, _ := conflict.Extra["current"].(map[string]int); len(conflict.Extra) != 1 || len(current) != 1 || current["version"] != got.Version {
			t.Fatalf("the conflict carries %#v; want the current version %d and nothing of the file", conflict.Extra, got.Version)
		}
		if row := rowOf(t, db, h.ID); row.Notes != first {
			t.Fatalf("after the refused edit the notes are %q", row.Notes)
		}

		// Another edit commits between the check and the conditional update.
		fired := interleave(t, db, "households", fmt.Sprintf("UPDATE households SET notes = 'Enregistré entre-temps', version = version + 1 WHERE id = %d", h.ID))
		_, err = w.svc.UpdateHousehold(ctx, w.workerA, h.ID, allocation.HouseholdUpdate{Version: got.Version, Notes: &second})
		if !fired.Load() || !errors.Is(err, ordi.Conflict) {
			t.Fatalf("edit overtaken by another (interleaved: %v): %v, want Conflict", fired.Load(), err)
		}
		// The transaction rolled back, the interleaved change with it: the
		// file is as it was before the call.
		if row := rowOf(t, db, h.ID); row.Notes != first {
			t.Fatalf("after the overtaken edit the notes are %q", row.Notes)
		}
	})
}

// TestReservationConflictPaths runs every refusal of a reservation's
// writes, on both databases: each conditional update that finds the row
// changed since it was read, and each unique index that finds another
// active reservation. Every refusal is a Conflict and rolls everything back.
func TestReservationConflictPaths(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)

		t.Run("ReserveFamilyChangedMeanwhile", func(t *testing.T) {
			h, u := w.trained("Famille doublée"), w.ready(8)
			before := w.state(t, h.ID, u.Code)
			fired := interleave(t, db, "households", fmt.Sprintf("UPDATE households SET status = 'withdrawn' WHERE id = %d", h.ID))
			if _, err := w.svc.Reserve(ctx, w.staff, h.ID, string(u.Code)); !fired.Load() || !errors.Is(err, ordi.Conflict) {
				t.Fatalf("reservation of a family withdrawn meanwhile: %v", err)
			}
			if after := w.state(t, h.ID, u.Code); after != before {
				t.Fatalf("%+v became %+v", before, after)
			}
		})

		t.Run("ReserveUnitTakenMeanwhile", func(t *testing.T) {
			h, u := w.trained("Famille devancée"), w.ready(8)
			before := w.state(t, h.ID, u.Code)
			fired := interleave(t, db, "units", fmt.Sprintf("UPDATE units SET status = 'diagnosed' WHERE id = %d", u.ID))
			if _, err := w.svc.Reserve(ctx, w.staff, h.ID, string(u.Code)); !fired.Load() || !errors.Is(err, ordi.Conflict) {
				t.Fatalf("reservation of a unit moved meanwhile: %v", err)
			}
			if after := w.state(t, h.ID, u.Code); after != before {
				t.Fatalf("%+v became %+v", before, after)
			}
		})

		// The unique indexes: an active reservation the status checks do
		// not see (the state a bug, or a restored backup, could leave).
		for _, which := range []string{"unit", "household"} {
			t.Run("ReserveAgainstUniqueIndexOf_"+which, func(t *testing.T) {
				h, u := w.trained("Famille "+which), w.ready(8)
				other := w.trained("Autre famille " + which)
				otherUnit := w.ready(8)
				hid, uid := other.ID, u.ID
				if which == "household" {
					hid, uid = h.ID, otherUnit.ID
				}
				if err := db.Exec("INSERT INTO reservations (household_id, unit_id, status, created_at) VALUES (?, ?, 'active', ?)", hid, uid, now()).Error; err != nil {
					t.Fatal(err)
				}
				before := w.state(t, h.ID, u.Code)
				_, err := w.svc.Reserve(ctx, w.staff, h.ID, string(u.Code))
				if !errors.Is(err, ordi.Conflict) || !strings.Contains(ordi.MessageOf(err), "déjà une réservation") {
					t.Fatalf("reservation against the %s's unique index: %v, want its Conflict", which, err)
				}
				if after := w.state(t, h.ID, u.Code); after != before {
					t.Fatalf("%+v became %+v", before, after)
				}
			})
		}

		t.Run("CancelClosedMeanwhile", func(t *testing.T) {
			r := w.reserved("Famille remise entre-temps")
			code := inventory.Code(r.UnitCode)
			before := w.state(t, r.HouseholdID, code)
			fired := interleave(t, db, "reservations", fmt.Sprintf("UPDATE reservations SET status = 'handed_over' WHERE id = %d", r.ID))
			if _, err := w.svc.Cancel(ctx, w.staff, r.ID, "erreur"); !fired.Load() || !errors.Is(err, ordi.Conflict) {
				t.Fatalf("cancelling a reservation closed meanwhile: %v", err)
			}
			if after := w.state(t, r.HouseholdID, code); after != before {
				t.Fatalf("%+v became %+v", before, after)
			}
		})

		t.Run("CancelFamilyChangedMeanwhile", func(t *testing.T) {
			r := w.reserved("Famille sortie entre-temps")
			code := inventory.Code(r.UnitCode)
			before := w.state(t, r.HouseholdID, code)
			fired := interleave(t, db, "households", fmt.Sprintf("UPDATE households SET status = 'withdrawn' WHERE id = %d", r.HouseholdID))
			if _, err := w.svc.Cancel(ctx, w.staff, r.ID, "erreur"); !fired.Load() || !errors.Is(err, ordi.Conflict) {
				t.Fatalf("cancelling for a family changed meanwhile: %v", err)
			}
			if after := w.state(t, r.HouseholdID, code); after != before {
				t.Fatalf("%+v became %+v", before, after)
			}
		})

		// The handover's conditional writes, inside the transaction its
		// caller opens (certificates), each overtaken by another change.
		handover := func(t *testing.T, r allocation.ReservationView) error {
			t.Helper()
			return db.Transaction(func(tx *gorm.DB) error {
				_, err := w.svc.CompleteHandover(ctx, tx, w.volunteer, r.ID)
				return err
			})
		}
		for _, c := range []struct{ name, table, sql, says string }{
			{"HandoverReservationClosedMeanwhile", "reservations", "UPDATE reservations SET status = 'cancelled' WHERE id = %d", "vient d'être close"},
			{"HandoverUnitMovedMeanwhile", "units", "UPDATE units SET status = 'returned', version = version + 1 WHERE id = (SELECT unit_id FROM reservations WHERE id = %d)", ""},
			{"HandoverFamilyChangedMeanwhile", "households", "UPDATE households SET status = 'withdrawn' WHERE id = (SELECT household_id FROM reservations WHERE id = %d)", ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := w.reserved("Famille " + c.name)
				code := inventory.Code(r.UnitCode)
				before := w.state(t, r.HouseholdID, code)
				fired := interleave(t, db, c.table, fmt.Sprintf(c.sql, r.ID))
				err := handover(t, r)
				if !fired.Load() || !errors.Is(err, ordi.Conflict) || !strings.Contains(err.Error(), c.says) {
					t.Fatalf("handover overtaken (interleaved: %v): %v, want Conflict saying %q", fired.Load(), err, c.says)
				}
				if after := w.state(t, r.HouseholdID, code); after != before {
					t.Fatalf("%+v became %+v", before, after)
				}
				w.unchanged(t, r)
			})
		}

		t.Run("ReserveForEquippedFamily", func(t *testing.T) {
			r := w.reserved("Famille déjà équipée")
			if err := handover(t, r); err != nil {
				t.Fatal(err)
			}
			u := w.ready(8)
			before := w.state(t, r.HouseholdID, u.Code)
			if before.Household != string(allocation.StatusEquipped) {
				t.Fatalf("after the handover: %+v", before)
			}
			_, err := w.svc.Reserve(ctx, w.staff, r.HouseholdID, string(u.Code))
			if !errors.Is(err, ordi.Conflict) || !strings.Contains(err.Error(), "déjà servie") {
				t.Fatalf("a second unit for an equipped family: %v, want Conflict saying « déjà servie »", err)
			}
			if after := w.state(t, r.HouseholdID, u.Code); after != before {
				t.Fatalf("%+v became %+v", before, after)
			}
		})

		t.Run("AppointmentOnReservationClosedMeanwhile", func(t *testing.T) {
			r := w.reserved("Famille au rendez-vous manqué")
			fired := interleave(t, db, "reservations", fmt.Sprintf("UPDATE reservations SET status = 'cancelled' WHERE id = %d", r.ID))
			if _, err := w.svc.SetAppointment(ctx, w.volunteer, r.ID, "2026-11-10"); !fired.Load() || !errors.Is(err, ordi.Conflict) {
				t.Fatalf("appointment on a reservation closed meanwhile: %v", err)
			}
			if got, _ := w.svc.Reservation(ctx, w.staff, r.ID); got.AppointmentOn != nil || got.Status != allocation.ReservationActive {
				t.Fatalf("after the refused appointment: %+v", got.Reservation)
			}
		})
	})
}
