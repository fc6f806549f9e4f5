package inventory_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

// leaving is a unit moved to status (dismantled or recycled) to outlet o.
func (f *fixture) leaving(t *testing.T, o inventory.Outlet, to inventory.Status) inventory.Unit {
	t.Helper()
	u := f.recyclable(t)
	in := inventory.TransitionInput{OutletID: o.ID}
	if to == inventory.StatusRecycled {
		in.OutletReference = "BE-1"
	}
	u, err := f.svc.Transition(ctx, staff, string(u.Code), to, in)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestPickupValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		o := f.outlet(t, ecologic)
		ready := f.laptop(t)
		base := inventory.NewPickup{PickedOn: "2026-11-02", OutletID: o.ID, Carrier: "Transports Durand",
			Flows: []inventory.NewPickupFlow{{Flow: inventory.FlowScreens, WeightKG: 42.5}}}
		cases := []struct {
			name   string
			change func(n *inventory.NewPickup)
			fields []string
		}{
			{"ErrEmpty", func(n *inventory.NewPickup) { n.Flows = nil }, []string{"units"}},
			{"ErrNegativeFlow", func(n *inventory.NewPickup) { n.Flows[0].WeightKG = -3 }, []string{"flows[0].weight_kg"}},
			{"ErrAbsurdFlow", func(n *inventory.NewPickup) { n.Flows[0].WeightKG = 20000 }, []string{"flows[0].weight_kg"}},
			{"ErrUnknownFlow", func(n *inventory.NewPickup) { n.Flows[0].Flow = "plastics" }, []string{"flows[0].flow"}},
			{"ErrFlowTwice", func(n *inventory.NewPickup) { n.Flows = append(n.Flows, n.Flows[0]) }, []string{"flows[1].flow"}},
			{"ErrCarrierSIRET", func(n *inventory.NewPickup) { n.CarrierSIRET = "73300333900006" }, []string{"carrier_siret"}},
			{"ErrNoCarrier", func(n *inventory.NewPickup) { n.Carrier = " " }, []string{"carrier"}},
			{"ErrFuture", func(n *inventory.NewPickup) { n.PickedOn = "2026-11-03" }, []string{"picked_on"}},
			{"ErrNoOutlet", func(n *inventory.NewPickup) { n.OutletID = 0 }, []string{"outlet_id"}},
			{"ErrUnknownOutlet", func(n *inventory.NewPickup) { n.OutletID = 999 }, []string{"outlet_id"}},
			{"ErrUnitNotWaste", func(n *inventory.NewPickup) { n.Units = []string{string(ready.Code)} }, []string{"units"}},
			{"ErrBadCode", func(n *inventory.NewPickup) { n.Units = []string{"ZZZZZZZ"} }, []string{"units"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				n := base
				n.Flows = append([]inventory.NewPickupFlow(nil), base.Flows...)
				c.change(&n)
				_, err := f.svc.CreatePickup(ctx, staff, n)
				if !errors.Is(err, ordi.Invalid) {
					t.Fatalf("want Invalid, got %v", err)
				}
				for _, field := range c.fields {
					if !hasField(err, field) {
						t.Errorf("no error on %s: %v", field, err)
					}
				}
			})
		}
		if n := count(t, db, "pickups"); n != 0 {
			t.Fatalf("%d pickups after refusals", n)
		}
	})
}

// TestPickupRecordsUnitsAndFlows: a pickup takes recycled and dismantled
// units with their weights and weighed flows, is numbered ENL-YYYY-NNNN
// gap-free, shows both totals, and writes the event in each unit's
// history; a unit already picked up is refused (Conflict) and the refused
// pickup takes no number.
func TestPickupRecordsUnitsAndFlows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		o := f.outlet(t, ecologic)
		a, b := f.leaving(t, o, inventory.StatusRecycled), f.leaving(t, o, inventory.StatusDismantled)
		unweighed, err := f.svc.CreateUnit(ctx, staff, inventory.NewUnit{DonationID: f.donation.ID, UnitSpec: inventory.UnitSpec{Kind: inventory.KindScreen}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Transition(ctx, staff, string(unweighed.Code), inventory.StatusRecycled, inventory.TransitionInput{OutletID: o.ID, OutletReference: "BE-2"}); err != nil {
			t.Fatal(err)
		}
		p, err := f.svc.CreatePickup(ctx, staff, inventory.NewPickup{PickedOn: "2026-11-02", OutletID: o.ID, Carrier: " Transports Durand ",
			Units: []string{string(a.Code), string(b.Code), string(unweighed.Code), string(a.Code)},
			Flows: []inventory.NewPickupFlow{{Flow: inventory.FlowBatteries, WeightKG: 3.2}, {Flow: inventory.FlowScreens, WeightKG: 40}}})
		if err != nil {
			t.Fatal(err)
		}
		if p.Number != "ENL-2026-0001" || p.Carrier != "Transports Durand" || len(p.Units) != 3 || len(p.Flows) != 2 {
			t.Fatalf("pickup: %+v", p)
		}
		got, err := f.svc.Pickup(ctx, staff, "enl-2026-0001")
		if err != nil {
			t.Fatal(err)
		}
		kg, missing := got.UnitsKG()
		if len(got.Units) != 3 || kg != 3.8 || missing != 1 || got.FlowsKG() != 43.2 || got.CreatedByName != staff.Name {
			t.Fatalf("stored: %+v (units %.1f kg, %d unweighed; flows %.1f kg)", got, kg, missing, got.FlowsKG())
		}
		events, _ := f.svc.Events(ctx, staff, string(a.Code))
		if last := events[len(events)-1]; last.Action != inventory.ActionPickedUp || last.Note != "ENL-2026-0001" {
			t.Fatalf("last event: %+v", last)
		}

		c := f.leaving(t, o, inventory.StatusRecycled)
		_, err = f.svc.CreatePickup(ctx, staff, inventory.NewPickup{PickedOn: "2026-11-02", OutletID: o.ID, Carrier: "Durand", Units: []string{string(c.Code), string(b.Code)}})
		if !errors.Is(err, ordi.Conflict) {
			t.Fatalf("a unit picked up twice: %v", err)
		}
		p2, err := f.svc.CreatePickup(ctx, staff, inventory.NewPickup{PickedOn: "2026-11-02", OutletID: o.ID, Carrier: "Durand", Units: []string{string(c.Code)}})
		if err != nil || p2.Number != "ENL-2026-0002" {
			t.Fatalf("next pickup: %+v, %v", p2, err)
		}
		list, err := f.svc.Pickups(ctx, staff, inventory.PickupFilter{})
		if err != nil || len(list) != 2 || list[0].Number != "ENL-2026-0002" {
			t.Fatalf("list: %+v, %v", list, err)
		}
	})
}

// TestConcurrentPickupsClaimEachUnitOnce: 16 pickups released at once,
// each claiming two of 8 units so that they overlap; the database lets
// each unit into one pickup at most, every refused pickup is a Conflict
// that left nothing, and the winners' numbers follow each other.
func TestConcurrentPickupsClaimEachUnitOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		o := f.outlet(t, ecologic)
		const nUnits, nPickups = 8, 16
		units := make([]inventory.Unit, nUnits)
		for i := range units {
			units[i] = f.leaving(t, o, inventory.StatusRecycled)
		}
		var (
			wg      sync.WaitGroup
			start   = make(chan struct{})
			mu      sync.Mutex
			claimed = map[inventory.Code]int{}
			wins    []inventory.Pickup
		)
		for i := range nPickups {
			wg.Add(1)
			go func() {
				defer wg.Done()
				mine := []string{string(units[i%nUnits].Code), string(units[(i+1)%nUnits].Code)}
				<-start
				p, err := f.svc.CreatePickup(ctx, staff, inventory.NewPickup{PickedOn: "2026-11-02", OutletID: o.ID, Carrier: "Durand", Units: mine})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins = append(wins, p)
					for _, u := range p.Units {
						claimed[u.Code]++
					}
				case !errors.Is(err, ordi.Conflict):
					t.Errorf("pickup %d: %v (want success or Conflict)", i, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if len(wins) == 0 {
			t.Fatal("no pickup went through")
		}
		for code, n := range claimed {
			if n != 1 {
				t.Errorf("unit %s in %d pickups", code, n)
			}
		}
		var rows []struct {
			UnitID int64
			N      int
		}
		db.Raw("SELECT unit_id, COUNT(*) AS n FROM pickup_units GROUP BY unit_id").Scan(&rows)
		if len(rows) != len(claimed) {
			t.Errorf("%d units in pickups in the database, %d claimed by the winners", len(rows), len(claimed))
		}
		for _, r := range rows {
			if r.N != 1 {
				t.Errorf("unit %d stored in %d pickups", r.UnitID, r.N)
			}
		}
		if n := count(t, db, "pickups"); n != int64(len(wins)) {
			t.Errorf("%d pickups stored, %d succeeded", n, len(wins))
		}
		numbers := map[string]bool{}
		for _, p := range wins {
			numbers[p.Number] = true
		}
		for i := 1; i <= len(wins); i++ {
			if n := fmt.Sprintf("ENL-2026-%04d", i); !numbers[n] {
				t.Errorf("number %s missing among %v", n, numbers)
			}
		}
	})
}
