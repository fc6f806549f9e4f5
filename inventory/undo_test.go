package inventory_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/audit"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

// TestCheckUndo: which last events may be undone (DESIGN §2.1 and
// CheckUndo's doc): a generic workshop move, not a move to waste, not an
// allocation move, not a return from a family, not anything else.
func TestCheckUndo(t *testing.T) {
	ev := func(action string, from, to inventory.Status) inventory.Event {
		return inventory.Event{Action: action, FromStatus: from, ToStatus: to}
	}
	cases := []struct {
		name string
		e    inventory.Event
		ok   bool
	}{
		{"OK", ev(inventory.ActionTransition, inventory.StatusReceived, inventory.StatusDiagnosed), true},
		{"OKBackward", ev(inventory.ActionTransition, inventory.StatusReady, inventory.StatusDiagnosed), true},
		{"OKAfterReturn", ev(inventory.ActionTransition, inventory.StatusReturned, inventory.StatusDiagnosed), true},
		{"ErrDismantled", ev(inventory.ActionTransition, inventory.StatusDiagnosed, inventory.StatusDismantled), false},
		{"ErrRecycled", ev(inventory.ActionTransition, inventory.StatusReady, inventory.StatusRecycled), false},
		{"ErrReturn", ev(inventory.ActionTransition, inventory.StatusHandedOver, inventory.StatusReturned), false},
		{"ErrAllocation", ev(inventory.ActionAllocationMove, inventory.StatusReady, inventory.StatusReserved), false},
		{"ErrUndo", ev(inventory.ActionUndo, inventory.StatusDiagnosed, inventory.StatusReceived), false},
		{"ErrErasure", ev(inventory.ActionErasurePassed, "", ""), false},
		{"ErrCreated", ev(inventory.ActionCreated, "", inventory.StatusReceived), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := inventory.CheckUndo(c.e)
			if c.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !c.ok && !errors.Is(err, ordi.Conflict) {
				t.Fatalf("err %v, want a Conflict", err)
			}
		})
	}
}

// TestUndoMove: the last move goes back, with an undo event and the undone
// one kept; a stale page, an erasure recorded since, or a volunteer are
// refused and change nothing; an undo is not undone in turn.
func TestUndoMove(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		u := f.unitIn(t, inventory.StatusReady)
		u = f.move(t, u, inventory.StatusDiagnosed) // the mistaken tap

		if _, ok, err := f.svc.UndoableMove(ctx, staff, u); err != nil || !ok {
			t.Fatalf("undoable: %v %v", ok, err)
		}
		volunteer := ordi.Actor{Name: "Vic", Role: ordi.RoleVolunteer}
		if _, err := f.svc.UndoMove(ctx, volunteer, string(u.Code), 0); !errors.Is(err, ordi.Forbidden) {
			t.Fatalf("volunteer: %v", err)
		}
		if _, err := f.svc.UndoMove(ctx, staff, string(u.Code), u.Version-1); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("stale page: %v", err)
		}
		back, err := f.svc.UndoMove(ctx, staff, string(u.Code), u.Version)
		if err != nil {
			t.Fatal(err)
		}
		if back.Status != inventory.StatusReady || back.Version != u.Version+1 {
			t.Fatalf("after undo: %s v%d", back.Status, back.Version)
		}
		events, _ := f.svc.Events(ctx, staff, string(u.Code))
		last, undone := events[len(events)-1], events[len(events)-2]
		if last.Action != inventory.ActionUndo || last.FromStatus != inventory.StatusDiagnosed || last.ToStatus != inventory.StatusReady ||
			last.ActorName != staff.Name || undone.Action != inventory.ActionTransition || !strings.Contains(last.ActionLabel(), "annulé") {
			t.Fatalf("history ends with %+v, %+v", undone, last)
		}
		// An undo is not undone: the step's button does that.
		if _, err := f.svc.UndoMove(ctx, staff, string(u.Code), 0); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("undo of an undo: %v", err)
		}

		// Once an erasure is recorded after the move, the move stays.
		d := f.unitIn(t, inventory.StatusDiagnosed)
		f.erase(t, d, "S2", inventory.ErasureFailed)
		d, _ = f.svc.Unit(ctx, staff, string(d.Code))
		if _, ok, _ := f.svc.UndoableMove(ctx, staff, d); ok {
			t.Fatal("a move followed by an erasure is offered for undo")
		}
		if _, err := f.svc.UndoMove(ctx, staff, string(d.Code), 0); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("undo after an erasure: %v", err)
		}
		if got, _ := f.svc.Unit(ctx, staff, string(d.Code)); got.Status != inventory.StatusDiagnosed || got.Version != d.Version {
			t.Fatalf("a refused undo changed the unit: %s v%d", got.Status, got.Version)
		}
		// Dismantling is never undone.
		x := f.unitIn(t, inventory.StatusDismantled)
		if _, err := f.svc.UndoMove(ctx, staff, string(x.Code), 0); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("undo of dismantling: %v", err)
		}
	})
}

// TestDeleteDonation: a donation without units is deleted, audited; one
// with units stays (Conflict naming them); an unknown one is NotFound; a
// volunteer may not.
func TestDeleteDonation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		empty, err := f.svc.CreateDonation(ctx, staff, inventory.NewDonation{DonorID: f.donor.ID, ReceivedOn: "2026-10-30"})
		if err != nil {
			t.Fatal(err)
		}
		f.laptop(t) // in f.donation
		volunteer := ordi.Actor{Name: "Vic", Role: ordi.RoleVolunteer}
		if err := f.svc.DeleteDonation(ctx, volunteer, empty.ID); !errors.Is(err, ordi.Forbidden) {
			t.Fatalf("volunteer: %v", err)
		}
		err = f.svc.DeleteDonation(ctx, staff, f.donation.ID)
		if !errors.Is(err, ordi.Conflict) || !strings.Contains(ordi.MessageOf(err), "1 unité") {
			t.Fatalf("donation with a unit: %v", err)
		}
		if _, err := f.svc.Donation(ctx, staff, f.donation.ID); err != nil {
			t.Fatalf("the refused delete removed the donation: %v", err)
		}
		if err := f.svc.DeleteDonation(ctx, staff, empty.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Donation(ctx, staff, empty.ID); !errors.Is(err, ordi.NotFound) {
			t.Fatalf("deleted donation: %v", err)
		}
		if err := f.svc.DeleteDonation(ctx, staff, empty.ID); !errors.Is(err, ordi.NotFound) {
			t.Fatalf("deleted twice: %v", err)
		}
		entries, err := audit.List(ctx, db, audit.Filter{Action: "donation.delete"})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].ObjectID != strconv.FormatInt(empty.ID, 10) || entries[0].ActorName != staff.Name {
			t.Fatalf("audit %+v", entries)
		}
	})
}
