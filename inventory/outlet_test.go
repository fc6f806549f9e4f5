package inventory_test

import (
	"errors"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

// ecologic is a complete outlet input (the SIRET's key is right).
var ecologic = inventory.OutletInput{Name: "Ecologic", Kind: inventory.OutletEcoOrganisme, SIRET: "733 003 339 00005",
	Address: "15 rue de la Paix, 75002 Paris", Agreement: "Convention DEEE 2026-14"}

func (f *fixture) outlet(t *testing.T, in inventory.OutletInput) inventory.Outlet {
	t.Helper()
	o, err := f.svc.CreateOutlet(ctx, staff, in)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// recyclable is a unit with sanitised storage, ready to leave.
func (f *fixture) recyclable(t *testing.T) inventory.Unit {
	t.Helper()
	u := f.laptop(t)
	f.erase(t, u, "S1", inventory.ErasurePassed)
	return u
}

func TestOutletValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		o := f.outlet(t, ecologic)
		if o.SIRET != "73300333900005" || !o.Active || o.NeedsCompleting() || o.Kind != inventory.OutletEcoOrganisme {
			t.Fatalf("created: %+v", o)
		}
		cases := []struct {
			name   string
			change func(in *inventory.OutletInput)
			fields []string
		}{
			{"ErrBadSIRETKey", func(in *inventory.OutletInput) { in.Name, in.SIRET = "Autre", "73300333900006" }, []string{"siret"}},
			{"ErrNoSIRET", func(in *inventory.OutletInput) { in.Name, in.SIRET = "Autre", " " }, []string{"siret"}},
			{"ErrNoName", func(in *inventory.OutletInput) { in.Name = " " }, []string{"name"}},
			{"ErrKind", func(in *inventory.OutletInput) { in.Name, in.Kind = "Autre", "broker" }, []string{"kind"}},
			{"ErrNoAddress", func(in *inventory.OutletInput) { in.Name, in.Address = "Autre", "" }, []string{"address"}},
			{"ErrSameNameOtherCase", func(in *inventory.OutletInput) { in.Name = "ECOLOGIC" }, []string{"name"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := ecologic
				c.change(&in)
				_, err := f.svc.CreateOutlet(ctx, staff, in)
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
		if n := count(t, db, "outlets"); n != 1 {
			t.Fatalf("%d outlets after refusals, want 1", n)
		}
	})
}

func TestOutletUpdateAndList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		eco := f.outlet(t, ecologic)
		in := ecologic
		in.Name, in.Kind, in.SIRET = "Recyclerie du Bocage", inventory.OutletRecycler, "21750001600019"
		rec := f.outlet(t, in)
		in.Name, in.Kind = "Emmaüs Connect", inventory.OutletReuse
		reuse := f.outlet(t, in)

		off := false
		edit := ecologic
		edit.Agreement, edit.Active = "Convention DEEE 2027-02", &off
		got, err := f.svc.UpdateOutlet(ctx, staff, eco.ID, edit)
		if err != nil || got.Active || got.Agreement != "Convention DEEE 2027-02" {
			t.Fatalf("update: %+v, %v", got, err)
		}
		edit.Name = "Recyclerie du Bocage"
		if _, err := f.svc.UpdateOutlet(ctx, staff, eco.ID, edit); !hasField(err, "name") {
			t.Fatalf("renaming onto another outlet: %v", err)
		}
		if _, err := f.svc.UpdateOutlet(ctx, staff, 9999, ecologic); !errors.Is(err, ordi.NotFound) {
			t.Fatalf("unknown outlet: %v", err)
		}

		all, err := f.svc.Outlets(ctx, staff, inventory.OutletFilter{})
		if err != nil || len(all) != 3 || all[0].ID != eco.ID || all[1].ID != reuse.ID || all[2].ID != rec.ID {
			t.Fatalf("by name: %+v, %v", all, err)
		}
		active, _ := f.svc.Outlets(ctx, staff, inventory.OutletFilter{ActiveOnly: true})
		if len(active) != 2 {
			t.Fatalf("active: %+v", active)
		}
		page, _ := f.svc.Outlets(ctx, staff, inventory.OutletFilter{After: reuse.ID, Limit: 1})
		if len(page) != 1 || page[0].ID != rec.ID {
			t.Fatalf("page after %d: %+v", reuse.ID, page)
		}
	})
}

// TestLeavingPicksAnOutlet: recycling names an active outlet record, whose
// name the unit keeps as its text; dismantling may name one; the older free
// text links to the record of that name; an inactive or unknown outlet is
// refused on outlet_id.
func TestLeavingPicksAnOutlet(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		eco := f.outlet(t, ecologic)
		in := ecologic
		in.Name, in.SIRET = "Ancien recycleur", "21750001600019"
		old := f.outlet(t, in)
		off := false
		in.Active = &off
		if _, err := f.svc.UpdateOutlet(ctx, staff, old.ID, in); err != nil {
			t.Fatal(err)
		}

		t.Run("Recycled", func(t *testing.T) {
			u := f.recyclable(t)
			got, err := f.svc.Transition(ctx, staff, string(u.Code), inventory.StatusRecycled, inventory.TransitionInput{OutletID: eco.ID, OutletReference: "BE-7"})
			if err != nil || got.OutletID == nil || *got.OutletID != eco.ID || got.Outlet != "Ecologic" {
				t.Fatalf("recycled: %+v, %v", got, err)
			}
			stored, _ := f.svc.Unit(ctx, staff, string(u.Code))
			if stored.OutletID == nil || *stored.OutletID != eco.ID || stored.Outlet != "Ecologic" {
				t.Fatalf("stored: %+v", stored)
			}
		})
		t.Run("DismantledWithOutlet", func(t *testing.T) {
			u := f.recyclable(t)
			got, err := f.svc.Transition(ctx, staff, string(u.Code), inventory.StatusDismantled, inventory.TransitionInput{OutletID: eco.ID})
			if err != nil || got.OutletID == nil || *got.OutletID != eco.ID || got.Outlet != "" {
				t.Fatalf("dismantled: %+v, %v", got, err)
			}
		})
		t.Run("DismantledWithoutOutlet", func(t *testing.T) {
			u := f.recyclable(t)
			if got, err := f.svc.Transition(ctx, staff, string(u.Code), inventory.StatusDismantled, inventory.TransitionInput{}); err != nil || got.OutletID != nil {
				t.Fatalf("dismantled: %+v, %v", got, err)
			}
		})
		t.Run("FreeTextLinksByName", func(t *testing.T) {
			u := f.recyclable(t)
			got, err := f.svc.Transition(ctx, staff, string(u.Code), inventory.StatusRecycled, inventory.TransitionInput{Outlet: " ecologic ", OutletReference: "BE-8"})
			if err != nil || got.OutletID == nil || *got.OutletID != eco.ID || got.Outlet != "Ecologic" {
				t.Fatalf("recycled by name: %+v, %v", got, err)
			}
		})
		t.Run("FreeTextUnknownKept", func(t *testing.T) {
			u := f.recyclable(t)
			got, err := f.svc.Transition(ctx, staff, string(u.Code), inventory.StatusRecycled, inventory.TransitionInput{Outlet: "Collecteur du marché", OutletReference: "BE-9"})
			if err != nil || got.OutletID != nil || got.Outlet != "Collecteur du marché" {
				t.Fatalf("recycled with free text: %+v, %v", got, err)
			}
		})
		for name, c := range map[string]struct {
			to inventory.Status
			in inventory.TransitionInput
		}{
			"ErrInactive":        {inventory.StatusRecycled, inventory.TransitionInput{OutletID: old.ID, OutletReference: "BE-1"}},
			"ErrUnknown":         {inventory.StatusRecycled, inventory.TransitionInput{OutletID: 9999, OutletReference: "BE-1"}},
			"ErrNotLeaving":      {inventory.StatusDiagnosed, inventory.TransitionInput{OutletID: eco.ID}},
			"ErrDismantledInact": {inventory.StatusDismantled, inventory.TransitionInput{OutletID: old.ID}},
		} {
			t.Run(name, func(t *testing.T) {
				u := f.recyclable(t)
				_, err := f.svc.Transition(ctx, staff, string(u.Code), c.to, c.in)
				if !errors.Is(err, ordi.Invalid) || !hasField(err, "outlet_id") {
					t.Fatalf("want Invalid on outlet_id, got %v", err)
				}
				if stored, _ := f.svc.Unit(ctx, staff, string(u.Code)); stored.Status != inventory.StatusReceived || stored.OutletID != nil {
					t.Fatalf("unit changed: %+v", stored)
				}
			})
		}
	})
}
