package allocation_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

// erasedRow is what an erasure must leave of a family in the database.
type erasedRow struct {
	ContactName, Phone, Postcode, IncomeBracket, Notes, StatusReason, Status, Commune string
	Adults, Children                                                                  int
	ErasedAt                                                                          *time.Time
}

func rowOf(t *testing.T, db *gorm.DB, id int64) erasedRow {
	t.Helper()
	var r erasedRow
	if err := db.Table("households").Where("id = ?", id).Take(&r).Error; err != nil {
		t.Fatal(err)
	}
	return r
}

func erasures(t *testing.T, db *gorm.DB, id int64) int64 {
	t.Helper()
	var n int64
	if err := db.Table("audit_events").Where("object_type = 'household' AND object_id = ? AND action = 'household.erase'", fmt.Sprint(id)).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEraseHouseholdOnRequest(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		h := w.trained("Mme Effacée")
		u := w.ready(8)
		if _, err := w.svc.Reserve(ctx, w.staff, h.ID, string(u.Code)); err != nil {
			t.Fatal(err)
		}
		before := rowOf(t, db, h.ID)
		// Only administrators erase: the family's own social worker and staff are refused, and nothing changes.
		for _, a := range []ordi.Actor{w.staff, w.workerA, w.trainer} {
			if _, err := w.svc.EraseHousehold(ctx, a, h.ID, h.Reference); !errors.Is(err, ordi.Forbidden) {
				t.Fatalf("%s erasing: %v, want Forbidden", a.Role, err)
			}
		}
		// An administrator must type the reference.
		for _, confirm := range []string{"", "F-1999-0001", "oui"} {
			if _, err := w.svc.EraseHousehold(ctx, w.admin, h.ID, confirm); !errors.Is(err, ordi.Invalid) || !fieldsOf(err)["confirm"] {
				t.Fatalf("confirmed with %q: %v, want Invalid on confirm", confirm, err)
			}
		}
		if got := rowOf(t, db, h.ID); got != before || erasures(t, db, h.ID) != 0 {
			t.Fatalf("a refused erasure changed the file: %+v", got)
		}

		got, err := w.svc.EraseHousehold(ctx, w.admin, h.ID, " "+strings.ToLower(h.Reference))
		if err != nil {
			t.Fatal(err)
		}
		row := rowOf(t, db, h.ID)
		if row.ContactName != allocation.ErasedName || row.Phone != "" || row.Postcode != "" || row.IncomeBracket != "" || row.Notes != "" ||
			row.ErasedAt == nil || row.Status != string(allocation.StatusWithdrawn) || row.StatusReason != "Données effacées à la demande de la famille." {
			t.Fatalf("after the erasure: %+v", row)
		}
		// What the programme accounts for stays.
		if row.Commune != "Roubaix" || row.Adults != 1 || row.Children != 2 {
			t.Fatalf("the anonymous facts went too: %+v", row)
		}
		if got.ContactName != allocation.ErasedName || got.ErasedAt == nil || got.Status != allocation.StatusWithdrawn {
			t.Fatalf("returned %+v", got)
		}
		// The reservation is cancelled and the unit ready for another family.
		if unit, _ := w.inv.Unit(ctx, w.staff, string(u.Code)); unit.Status != inventory.StatusReady {
			t.Fatalf("the unit is %s", unit.Status)
		}
		if erasures(t, db, h.ID) != 1 {
			t.Fatal("the erasure is not in the audit log")
		}

		// The file is closed.
		if _, err := w.svc.EraseHousehold(ctx, w.admin, h.ID, h.Reference); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("second erasure: %v", err)
		}
		name := "Mme Revenue"
		if _, err := w.svc.UpdateHousehold(ctx, w.admin, h.ID, allocation.HouseholdUpdate{Version: got.Version, ContactName: &name}); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("editing an erased file: %v", err)
		}
		if _, err := w.svc.Decide(ctx, w.staff, h.ID, true, ""); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("deciding on an erased file: %v", err)
		}
		if row := rowOf(t, db, h.ID); row.ContactName != allocation.ErasedName || erasures(t, db, h.ID) != 1 {
			t.Fatalf("after the refused changes: %+v", row)
		}
		// An unknown family.
		if _, err := w.svc.EraseHousehold(ctx, w.admin, h.ID+1000, h.Reference); !errors.Is(err, ordi.NotFound) {
			t.Fatalf("unknown family: %v", err)
		}

		// A refused family stays refused, with the erasure as its reason.
		r, _ := w.svc.Nominate(ctx, w.workerA, nomination("M. Refusé"))
		if _, err := w.svc.Decide(ctx, w.staff, r.ID, false, "Hors du territoire du programme"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.EraseHousehold(ctx, w.admin, r.ID, r.Reference); err != nil {
			t.Fatal(err)
		}
		if row := rowOf(t, db, r.ID); row.Status != string(allocation.StatusIneligible) || row.StatusReason != "Données effacées à la demande de la famille." {
			t.Fatalf("refused family after the erasure: %+v", row)
		}
	})
}

func TestEraseExpired(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		withdrawn, _ := w.svc.Nominate(ctx, w.workerA, nomination("Mme Partie"))
		if _, err := w.svc.Withdraw(ctx, w.workerA, withdrawn.ID, "La famille a déménagé"); err != nil {
			t.Fatal(err)
		}
		refused, _ := w.svc.Nominate(ctx, w.workerA, nomination("M. Refusé"))
		if _, err := w.svc.Decide(ctx, w.staff, refused.ID, false, "Hors du territoire"); err != nil {
			t.Fatal(err)
		}
		waiting, _ := w.svc.Nominate(ctx, w.workerA, nomination("Mme Attend"))
		trained := w.trained("M. Formé")

		at := func(d time.Time) *allocation.Service {
			return allocation.NewService(db, w.inv, func() time.Time { return d })
		}
		// The day before the third anniversary: nothing is due.
		if n, err := at(now().AddDate(allocation.RetentionYears, 0, -1)).EraseExpired(ctx); err != nil || n != 0 {
			t.Fatalf("before the period: %d erased, %v", n, err)
		}
		// After it, twice at once: each ended file is erased once; files still in the programme are kept.
		later := at(now().AddDate(allocation.RetentionYears, 0, 1))
		var wg sync.WaitGroup
		counts := make([]int, 2)
		errs := make([]error, 2)
		for i := range counts {
			wg.Go(func() { counts[i], errs[i] = later.EraseExpired(ctx) })
		}
		wg.Wait()
		if errors.Join(errs...) != nil || counts[0]+counts[1] != 2 {
			t.Fatalf("erased %v, errors %v; want 2 in all", counts, errs)
		}
		for _, id := range []int64{withdrawn.ID, refused.ID} {
			if row := rowOf(t, db, id); row.ContactName != allocation.ErasedName || row.StatusReason != "Données effacées : durée de conservation écoulée." || erasures(t, db, id) != 1 {
				t.Fatalf("family %d: %+v, %d erasures logged", id, row, erasures(t, db, id))
			}
		}
		for _, id := range []int64{waiting.ID, trained.ID} {
			if row := rowOf(t, db, id); row.ErasedAt != nil || row.ContactName == allocation.ErasedName {
				t.Fatalf("family %d still in the programme was erased", id)
			}
		}
		if n, err := later.EraseExpired(ctx); err != nil || n != 0 {
			t.Fatalf("second sweep: %d, %v", n, err)
		}
	})
}

// TestEraseRacesReservationAndDecision releases an erasure together with a
// reservation of the same family, and with a new decision on a refused
// family: whichever commits first, the other is refused or sees its effect,
// and an erased family never keeps an active reservation or becomes
// eligible again.
func TestEraseRacesReservationAndDecision(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		for round := 0; round < raceRounds(); round++ {
			h := w.trained(fmt.Sprintf("Famille %d", round))
			u := w.ready(8)
			race(t, 2, func(i int) error {
				if i == 0 {
					_, err := w.svc.Reserve(ctx, w.staff, h.ID, string(u.Code))
					return err
				}
				_, err := w.svc.EraseHousehold(ctx, w.admin, h.ID, h.Reference)
				return err
			})
			row := rowOf(t, db, h.ID)
			var active int64
			db.Table("reservations").Where("household_id = ? AND status = 'active'", h.ID).Count(&active)
			unit, _ := w.inv.Unit(ctx, w.staff, string(u.Code))
			switch {
			case row.ErasedAt != nil && (active != 0 || unit.Status != inventory.StatusReady || row.Status != string(allocation.StatusWithdrawn)):
				t.Fatalf("round %d: erased family %s with %d active reservations, unit %s", round, row.Status, active, unit.Status)
			case row.ErasedAt == nil && (active != 1 || unit.Status != inventory.StatusReserved || row.Status != string(allocation.StatusReserved)):
				t.Fatalf("round %d: erasure refused, but family %s, %d active reservations, unit %s", round, row.Status, active, unit.Status)
			}

			r, _ := w.svc.Nominate(ctx, w.workerA, nomination(fmt.Sprintf("Refusée %d", round)))
			if _, err := w.svc.Decide(ctx, w.staff, r.ID, false, "Hors du territoire"); err != nil {
				t.Fatal(err)
			}
			race(t, 2, func(i int) error {
				if i == 0 {
					_, err := w.svc.Decide(ctx, w.staff, r.ID, true, "")
					return err
				}
				_, err := w.svc.EraseHousehold(ctx, w.admin, r.ID, r.Reference)
				return err
			})
			if row := rowOf(t, db, r.ID); row.ErasedAt != nil && row.Status != string(allocation.StatusIneligible) && row.Status != string(allocation.StatusWithdrawn) {
				t.Fatalf("round %d: an erased family is %s", round, row.Status)
			}
		}
	})
}
