package allocation_test

import (
	"errors"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

// errRollback ends a test transaction without keeping anything.
var errRollback = errors.New("rollback")

// unchanged fails unless the reservation, its family and its unit are
// still as reserving left them.
func (w *world) unchanged(t *testing.T, r allocation.ReservationView) {
	t.Helper()
	rv, err := w.svc.Reservation(ctx, w.staff, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	h, err := w.svc.Household(ctx, w.staff, r.HouseholdID)
	if err != nil {
		t.Fatal(err)
	}
	u, err := w.inv.Unit(ctx, w.staff, string(r.UnitCode))
	if err != nil {
		t.Fatal(err)
	}
	if rv.Status != allocation.ReservationActive || h.Status != allocation.StatusReserved || u.Status != inventory.StatusReserved {
		t.Fatalf("reservation %s, family %s, unit %s: want active, reserved, reserved", rv.Status, h.Status, u.Status)
	}
}

// TestCompleteHandoverNeedsATransaction: the handover's half that belongs
// to allocation cannot run on its own. Called with the database instead of
// a transaction it refuses, and nothing moves; inside a transaction that
// rolls back, nothing moves either.
func TestCompleteHandoverNeedsATransaction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		r := w.reserved("Famille Hors Transaction")
		if _, err := w.svc.CompleteHandover(ctx, db, w.staff, r.ID); err == nil || ordi.KindOf(err) != "" {
			t.Fatalf("outside a transaction: %v, want an internal error", err)
		}
		w.unchanged(t, r)
		if _, err := w.svc.HandedOverFacts(ctx, db, w.staff, r.ID); err == nil || ordi.KindOf(err) != "" {
			t.Fatalf("facts outside a transaction: %v, want an internal error", err)
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			f, err := w.svc.CompleteHandover(ctx, tx, w.staff, r.ID)
			if err != nil {
				return err
			}
			if f.Reservation.Status != allocation.ReservationHandedOver || f.Unit.Status != inventory.StatusHandedOver || f.Household.Status != allocation.StatusEquipped {
				t.Errorf("inside the transaction: %+v", f)
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatal(err)
		}
		w.unchanged(t, r)
	})
}

// TestHandoverRoles checks the domain's own role checks with every role:
// those who hand over complete a handover, staff read its facts again to
// correct its attestation, everybody else is Forbidden and changes nothing.
func TestHandoverRoles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		actors := map[ordi.Role]ordi.Actor{ordi.RoleAdmin: w.admin, ordi.RoleStaff: w.staff, ordi.RoleVolunteer: w.volunteer,
			ordi.RoleTrainer: w.trainer, ordi.RoleSocialWorker: w.workerA}
		handsOver := []ordi.Role{ordi.RoleAdmin, ordi.RoleStaff, ordi.RoleVolunteer}
		corrects := []ordi.Role{ordi.RoleAdmin, ordi.RoleStaff}
		done := w.reserved("Famille Déjà Remise")
		if err := db.Transaction(func(tx *gorm.DB) error {
			_, err := w.svc.CompleteHandover(ctx, tx, w.volunteer, done.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for _, role := range ordi.Roles {
			t.Run(string(role), func(t *testing.T) {
				a := actors[role]
				r := w.reserved("Famille " + string(role))
				err := db.Transaction(func(tx *gorm.DB) error {
					_, err := w.svc.CompleteHandover(ctx, tx, a, r.ID)
					return err
				})
				if slices.Contains(handsOver, role) {
					if err != nil {
						t.Fatalf("handover: %v", err)
					}
				} else {
					if !errors.Is(err, ordi.Forbidden) {
						t.Fatalf("handover: %v, want Forbidden", err)
					}
					w.unchanged(t, r)
				}
				err = db.Transaction(func(tx *gorm.DB) error {
					_, err := w.svc.HandedOverFacts(ctx, tx, a, done.ID)
					return err
				})
				if want := slices.Contains(corrects, role); want && err != nil || !want && !errors.Is(err, ordi.Forbidden) {
					t.Fatalf("facts of a handover: %v", err)
				}
			})
		}
	})
}

// TestHandoverFactsCourse: a volunteer completes a handover and the facts
// carry the course the family followed, its dates and the family's own
// attendance — read without borrowing anybody's role, and without the
// other families of the course.
func TestHandoverFactsCourse(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		c, err := w.svc.CreateCourse(ctx, w.staff, allocation.NewCourse{Title: "Le numérique en famille", SessionDates: []string{"2026-10-05", "2026-10-12", "2026-10-19"}, RequiredSessions: 2})
		if err != nil {
			t.Fatal(err)
		}
		family := func(name string, present ...bool) allocation.Household {
			h, err := w.svc.Nominate(ctx, w.workerA, nomination(name))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.Decide(ctx, w.staff, h.ID, true, ""); err != nil {
				t.Fatal(err)
			}
			if err := w.svc.Enroll(ctx, w.staff, c.ID, h.ID); err != nil {
				t.Fatal(err)
			}
			for i, p := range present {
				if _, err := w.svc.RecordAttendance(ctx, w.staff, c.ID, allocation.Mark{HouseholdID: h.ID, Session: i + 1, Present: p}); err != nil {
					t.Fatal(err)
				}
			}
			return h
		}
		h := family("Famille Deux Séances", true, false, true)
		family("Famille Assidue", true, true, true)
		r, err := w.svc.Reserve(ctx, w.staff, h.ID, string(w.ready(8).Code))
		if err != nil {
			t.Fatal(err)
		}
		var f allocation.HandoverFacts
		if err := db.Transaction(func(tx *gorm.DB) error {
			f, err = w.svc.CompleteHandover(ctx, tx, w.volunteer, r.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if f.Course == nil || f.Course.Title != "Le numérique en famille" || len(f.Course.Dates) != 3 || f.Course.Dates[2].String() != "2026-10-19" || f.Course.Attended != 2 {
			t.Fatalf("course of the handover: %+v", f.Course)
		}
	})
}

// TestHandoverRecord tells who handed a unit over and whether the family's
// data was erased since: what decides a volunteer's access to the
// attestation. A reservation not handed over has no record.
func TestHandoverRecord(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		r := w.reserved("Famille Remise")
		if _, err := w.svc.HandoverRecord(ctx, r.ID); !errors.Is(err, ordi.NotFound) {
			t.Fatalf("active reservation: %v, want NotFound", err)
		}
		if err := db.Transaction(func(tx *gorm.DB) error {
			_, err := w.svc.CompleteHandover(ctx, tx, w.volunteer, r.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		rec, err := w.svc.HandoverRecord(ctx, r.ID)
		if err != nil || rec.HandedOverByID != w.volunteer.UserID || rec.FamilyErased {
			t.Fatalf("record %+v %v", rec, err)
		}
		h, err := w.svc.Household(ctx, w.admin, r.HouseholdID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.EraseHousehold(ctx, w.admin, h.ID, h.Reference); err != nil {
			t.Fatal(err)
		}
		if rec, err := w.svc.HandoverRecord(ctx, r.ID); err != nil || !rec.FamilyErased {
			t.Fatalf("after erasure: %+v %v", rec, err)
		}
	})
}
