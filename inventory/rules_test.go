package inventory_test

import (
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

// The negative side of the inventory's rules: each refusal is asserted with
// its kind, and with nothing written.

// TestHistoryIsAppendOnly: the database itself refuses to edit or delete a
// unit's history, whoever asks.
func TestHistoryIsAppendOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		u := f.laptop(t)
		var first inventory.Event
		if err := db.Where("unit_id = ?", u.ID).Order("id").Take(&first).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Exec("UPDATE unit_events SET note = ? WHERE id = ?", "réécrit", first.ID).Error; err == nil {
			t.Fatal("an event was edited")
		}
		if err := db.Exec("DELETE FROM unit_events WHERE id = ?", first.ID).Error; err == nil {
			t.Fatal("an event was deleted")
		}
		var again inventory.Event
		if err := db.Where("id = ?", first.ID).Take(&again).Error; err != nil || again.Note != first.Note {
			t.Fatalf("event after the refusals: %+v, %v", again, err)
		}
	})
}

// TestUpdateUnitNeedsAVersionAndAChange: an edit without the version read is
// Invalid; an edit that changes nothing writes nothing (no event, no new
// version that would make a colleague's open form stale).
func TestUpdateUnitNeedsAVersionAndAChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		u := f.laptop(t)
		before := state(t, db)
		ram := 16
		if _, err := f.svc.UpdateUnit(ctx, staff, string(u.Code), inventory.UnitUpdate{RAMGB: &ram}); !errors.Is(err, ordi.Invalid) || !hasField(err, "version") {
			t.Fatalf("edit without a version: %v", err)
		}
		same := u.RAMGB
		got, err := f.svc.UpdateUnit(ctx, staff, string(u.Code), inventory.UnitUpdate{Version: u.Version, RAMGB: &same})
		if err != nil || got.Version != u.Version {
			t.Fatalf("edit changing nothing: %+v, %v", got, err)
		}
		if after := state(t, db); after != before {
			t.Fatalf("nothing changed, yet: %s → %s", before, after)
		}
	})
}

// TestErasureRefusesBadInput: an erasure record that cannot be true is
// Invalid on its field, and nothing is written.
func TestErasureRefusesBadInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		u := f.unitIn(t, inventory.StatusDiagnosed)
		start := fixedNow().Add(-time.Hour)
		before, future := start.Add(-time.Minute), fixedNow().Add(time.Hour)
		ok := inventory.NewErasure{Category: inventory.ErasurePurge, Technique: "NVMe sanitize", Result: inventory.ErasurePassed}
		for name, tc := range map[string]struct {
			change func(*inventory.NewErasure)
			field  string
		}{
			"ErrUnknownCategory":  {func(n *inventory.NewErasure) { n.Category = "wipe" }, "category"},
			"ErrUnknownResult":    {func(n *inventory.NewErasure) { n.Result = "ok" }, "result"},
			"ErrNoTechnique":      {func(n *inventory.NewErasure) { n.Technique = "  " }, "technique"},
			"ErrEndBeforeStart":   {func(n *inventory.NewErasure) { n.StartedAt, n.FinishedAt = &start, &before }, "finished_at"},
			"ErrStartInTheFuture": {func(n *inventory.NewErasure) { n.StartedAt = &future }, "started_at"},
			"ErrEndInTheFuture":   {func(n *inventory.NewErasure) { n.FinishedAt = &future }, "finished_at"},
		} {
			t.Run(name, func(t *testing.T) {
				n := ok
				tc.change(&n)
				snapshot := state(t, db)
				if _, err := f.svc.RecordErasure(ctx, staff, string(u.Code), n); !errors.Is(err, ordi.Invalid) || !hasField(err, tc.field) {
					t.Fatalf("err = %v, want Invalid on %s", err, tc.field)
				}
				if after := state(t, db); after != snapshot {
					t.Fatalf("a refused erasure wrote: %s → %s", snapshot, after)
				}
			})
		}
	})
}

// TestMoveForAllocationNeedsItsStatus: an allocation operation moves only a
// unit in the status its table row starts from (reserve a ready unit, hand
// over or cancel a reserved one); otherwise Conflict, and nothing written.
func TestMoveForAllocationNeedsItsStatus(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		for _, tc := range []struct {
			op inventory.Allocation
			st inventory.Status
		}{
			{inventory.AllocationReserve, inventory.StatusRefurbished},
			{inventory.AllocationReserve, inventory.StatusReserved},
			{inventory.AllocationHandover, inventory.StatusReady},
			{inventory.AllocationHandover, inventory.StatusHandedOver},
			{inventory.AllocationCancel, inventory.StatusReady},
			{inventory.AllocationCancel, inventory.StatusHandedOver},
		} {
			u := f.unitIn(t, tc.st)
			before := state(t, db)
			err := db.Transaction(func(tx *gorm.DB) error {
				_, err := f.svc.WithTx(tx).MoveForAllocation(ctx, staff, u.Code, tc.op, "")
				return err
			})
			if !errors.Is(err, ordi.Conflict) {
				t.Fatalf("%s of a %s unit: %v", tc.op, tc.st, err)
			}
			if after := state(t, db); after != before {
				t.Fatalf("%s of a %s unit was refused but wrote: %s → %s", tc.op, tc.st, before, after)
			}
		}
	})
}
