package inventory_test

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

// state sums up everything the inventory writes, to prove that a refused
// operation wrote nothing.
func state(t *testing.T, db *gorm.DB) string {
	t.Helper()
	var s struct {
		Donors, Donations, Units, Events, Erasures, Printed, Versions, Uploads, Mappings, Reports, Drives, Settled, Outlets, Pickups int64
	}
	err := db.Raw(`SELECT (SELECT COUNT(*) FROM donors) AS donors, (SELECT COUNT(*) FROM donations) AS donations,
		(SELECT COUNT(*) FROM units) AS units, (SELECT COUNT(*) FROM unit_events) AS events,
		(SELECT COUNT(*) FROM erasures) AS erasures, (SELECT COUNT(*) FROM units WHERE label_printed_at IS NOT NULL) AS printed,
		(SELECT COALESCE(SUM(version), 0) FROM units) AS versions,
		(SELECT COUNT(*) FROM import_uploads) AS uploads, (SELECT COUNT(*) FROM donor_import_mappings) AS mappings, (SELECT COUNT(*) FROM unit_reports) AS reports,
		(SELECT COUNT(*) FROM unit_drives) AS drives, (SELECT COUNT(*) FROM unit_report_conflicts WHERE resolution <> '') AS settled,
		(SELECT COUNT(*) FROM outlets) + (SELECT COUNT(*) FROM outlets WHERE agreement = 'modifié') AS outlets,
		(SELECT COUNT(*) FROM pickups) AS pickups`).Scan(&s).Error
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%+v", s)
}

// operation is one operation of the inventory service, tried by an actor.
// prepare builds what the operation needs (as staff) and returns the call.
type operation struct {
	name    string
	allowed func(ordi.Role) bool
	prepare func(t *testing.T, f *fixture) func(a ordi.Actor) error
}

func holders(c ordi.Capability) func(ordi.Role) bool { return c.Allows }

// operations lists every exported operation of inventory.Service that
// reads or changes the inventory, with who may call it (DESIGN §3).
func operations() []operation {
	manage, read, intake := holders(ordi.ManageInventory), holders(ordi.ReadUnits), holders(ordi.Intake)
	onUnit := func(st inventory.Status, call func(f *fixture, a ordi.Actor, u inventory.Unit) error) func(t *testing.T, f *fixture) func(a ordi.Actor) error {
		return func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			u := f.unitIn(t, st)
			return func(a ordi.Actor) error { return call(f, a, u) }
		}
	}
	allocation := func(st inventory.Status, op inventory.Allocation) func(t *testing.T, f *fixture) func(a ordi.Actor) error {
		return onUnit(st, func(f *fixture, a ordi.Actor, u inventory.Unit) error {
			return f.db.Transaction(func(tx *gorm.DB) error {
				_, err := f.svc.WithTx(tx).MoveForAllocation(ctx, a, u.Code, op, "")
				return err
			})
		})
	}
	csv := func(f *fixture) string {
		return fmt.Sprintf("donation_id,kind,brand\n%d,laptop,Dell\n", f.donation.ID)
	}
	sheet := []byte("Marque;Type\nDell;Portable\n")
	// The held-file operations belong to a user: each call is made by a
	// user of its own, with the role under test.
	users := 0
	asUser := func(t *testing.T, f *fixture) int64 {
		users++
		u, err := account.NewService(f.db, fixedNow).CreateUser(ctx, ordi.System, account.NewUser{
			Email: fmt.Sprintf("user%d@example.org", users), Name: "Utilisateur", Role: ordi.RoleStaff, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	held := func(call func(f *fixture, a ordi.Actor, id string) error) func(t *testing.T, f *fixture) func(a ordi.Actor) error {
		return func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			uid := asUser(t, f)
			id, err := f.svc.HoldImport(ctx, ordi.Actor{UserID: uid, Name: "Sam", Role: ordi.RoleStaff}, f.donation.ID, "liste.csv", bytes.NewReader(sheet))
			if err != nil {
				t.Fatal(err)
			}
			return func(a ordi.Actor) error { a.UserID = uid; return call(f, a, id) }
		}
	}
	return []operation{
		{"PreviewImport", manage, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			return func(a ordi.Actor) error {
				_, err := f.svc.PreviewImport(ctx, a, f.donation.ID, sheet, inventory.ImportOptions{})
				return err
			}
		}},
		{"ImportSheet", manage, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			return func(a ordi.Actor) error {
				_, err := f.svc.ImportSheet(ctx, a, f.donation.ID, sheet, inventory.ImportOptions{})
				return err
			}
		}},
		{"DonorMapping", manage, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			return func(a ordi.Actor) error { _, err := f.svc.DonorMapping(ctx, a, f.donor.ID); return err }
		}},
		{"HoldImport", manage, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			uid := asUser(t, f)
			return func(a ordi.Actor) error {
				a.UserID = uid
				_, err := f.svc.HoldImport(ctx, a, f.donation.ID, "liste.csv", bytes.NewReader(sheet))
				return err
			}
		}},
		{"HeldImport", manage, held(func(f *fixture, a ordi.Actor, id string) error {
			_, err := f.svc.HeldImport(ctx, a, f.donation.ID, id)
			return err
		})},
		{"ImportHeld", manage, held(func(f *fixture, a ordi.Actor, id string) error {
			_, err := f.svc.ImportHeld(ctx, a, f.donation.ID, id, inventory.ImportOptions{})
			return err
		})},
		{"DropImport", manage, held(func(f *fixture, a ordi.Actor, id string) error {
			return f.svc.DropImport(ctx, a, f.donation.ID, id)
		})},
		{"CreateDonor", manage, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			return func(a ordi.Actor) error {
				_, err := f.svc.CreateDonor(ctx, a, inventory.NewDonor{Name: "Boulangerie Martin", Kind: inventory.DonorCompany})
				return err
			}
		}},
		{"CreateOutlet", manage, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			return func(a ordi.Actor) error {
				in := ecologic
				in.Name = "Ecologic " + string(a.Role)
				_, err := f.svc.CreateOutlet(ctx, a, in)
				return err
			}
		}},
		{"UpdateOutlet", manage, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			in := ecologic
			in.Name = fmt.Sprintf("Exutoire %d", count(t, f.db, "outlets"))
			o := f.outlet(t, in)
			return func(a ordi.Actor) error {
				in.Agreement = "modifié"
				_, err := f.svc.UpdateOutlet(ctx, a, o.ID, in)
				return err
			}
		}},
		{"Outlet", manage, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			in := ecologic
			in.Name = fmt.Sprintf("Exutoire %d", count(t, f.db, "outlets"))
			o := f.outlet(t, in)
			return func(a ordi.Actor) error { _, err := f.svc.Outlet(ctx, a, o.ID); return err }
		}},
		{"Outlets", manage, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			return func(a ordi.Actor) error { _, err := f.svc.Outlets(ctx, a, inventory.OutletFilter{}); return err }
		}},
		{"CreatePickup", manage, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			in := ecologic
			in.Name = fmt.Sprintf("Exutoire %d", count(t, f.db, "outlets"))
			o := f.outlet(t, in)
			return func(a ordi.Actor) error {
				_, err := f.svc.CreatePickup(ctx, a, inventory.NewPickup{PickedOn: "2026-11-02", OutletID: o.ID, Carrier: "Durand",
					Flows: []inventory.NewPickupFlow{{Flow: inventory.FlowBatteries, WeightKG: 2}}})
				return err
			}
		}},
		{"Pickup", manage, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			in := ecologic
			in.Name = fmt.Sprintf("Exutoire %d", count(t, f.db, "outlets"))
			o := f.outlet(t, in)
			p, err := f.svc.CreatePickup(ctx, staff, inventory.NewPickup{PickedOn: "2026-11-02", OutletID: o.ID, Carrier: "Durand",
				Flows: []inventory.NewPickupFlow{{Flow: inventory.FlowBatteries, WeightKG: 2}}})
			if err != nil {
				t.Fatal(err)
			}
			return func(a ordi.Actor) error { _, err := f.svc.Pickup(ctx, a, p.Number); return err }
		}},
		{"Pickups", manage, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			return func(a ordi.Actor) error { _, err := f.svc.Pickups(ctx, a, inventory.PickupFilter{}); return err }
		}},
		{"WasteRegister", manage, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			return func(a ordi.Actor) error {
				d, _ := ordi.ParseDate("2026-11-02")
				_, err := f.svc.WasteRegister(ctx, a, d, d)
				return err
			}
		}},
		{"CreateDonation", manage, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			return func(a ordi.Actor) error {
				_, err := f.svc.CreateDonation(ctx, a, inventory.NewDonation{DonorID: f.donor.ID, ReceivedOn: "2026-10-30"})
				return err
			}
		}},
		{"CreateUnit", intake, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			return func(a ordi.Actor) error {
				_, err := f.svc.CreateUnit(ctx, a, inventory.NewUnit{DonationID: f.donation.ID, UnitSpec: inventory.UnitSpec{Kind: inventory.KindTablet}})
				return err
			}
		}},
		{"ImportUnits", manage, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			return func(a ordi.Actor) error {
				_, err := f.svc.ImportUnits(ctx, a, strings.NewReader(csv(f)))
				return err
			}
		}},
		{"ImportDonationUnits", manage, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			return func(a ordi.Actor) error {
				_, err := f.svc.ImportDonationUnits(ctx, a, f.donation.ID, strings.NewReader(csv(f)))
				return err
			}
		}},
		{"UpdateUnit", manage, onUnit(inventory.StatusReceived, func(f *fixture, a ordi.Actor, u inventory.Unit) error {
			ram := 16
			_, err := f.svc.UpdateUnit(ctx, a, string(u.Code), inventory.UnitUpdate{Version: u.Version, RAMGB: &ram})
			return err
		})},
		{"Transition", manage, onUnit(inventory.StatusReceived, func(f *fixture, a ordi.Actor, u inventory.Unit) error {
			_, err := f.svc.Transition(ctx, a, string(u.Code), inventory.StatusDiagnosed, inventory.TransitionInput{Version: u.Version})
			return err
		})},
		{"CheckTransition", manage, onUnit(inventory.StatusReceived, func(f *fixture, a ordi.Actor, u inventory.Unit) error {
			_, err := f.svc.CheckTransition(ctx, a, string(u.Code), inventory.StatusDiagnosed, inventory.TransitionInput{})
			return err
		})},
		{"RecordErasure", intake, onUnit(inventory.StatusDiagnosed, func(f *fixture, a ordi.Actor, u inventory.Unit) error {
			_, err := f.svc.RecordErasure(ctx, a, string(u.Code), inventory.NewErasure{Category: inventory.ErasurePurge, Technique: "sanitize", Result: inventory.ErasurePassed})
			return err
		})},
		{"MoveForAllocation/reserve", holders(ordi.Allocate), allocation(inventory.StatusReady, inventory.AllocationReserve)},
		{"MoveForAllocation/handover", holders(ordi.HandOver), allocation(inventory.StatusReserved, inventory.AllocationHandover)},
		// A family leaving the programme cancels its reservation: its social
		// worker may withdraw it.
		{"MoveForAllocation/cancel", func(r ordi.Role) bool { return ordi.Allocate.Allows(r) || ordi.ReadHouseholds.Allows(r) },
			allocation(inventory.StatusReserved, inventory.AllocationCancel)},
		{"MarkLabelsPrinted", read, onUnit(inventory.StatusReceived, func(f *fixture, a ordi.Actor, u inventory.Unit) error {
			return f.svc.MarkLabelsPrinted(ctx, a, []inventory.Unit{u}, "L7163")
		})},
		{"Unit", read, onUnit(inventory.StatusReceived, func(f *fixture, a ordi.Actor, u inventory.Unit) error {
			_, err := f.svc.Unit(ctx, a, string(u.Code))
			return err
		})},
		{"Units", read, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			return func(a ordi.Actor) error { _, err := f.svc.Units(ctx, a, inventory.UnitFilter{}); return err }
		}},
		{"UnitsByCodes", read, onUnit(inventory.StatusReceived, func(f *fixture, a ordi.Actor, u inventory.Unit) error {
			_, err := f.svc.UnitsByCodes(ctx, a, []string{string(u.Code)})
			return err
		})},
		{"Events", read, onUnit(inventory.StatusReceived, func(f *fixture, a ordi.Actor, u inventory.Unit) error {
			_, err := f.svc.Events(ctx, a, string(u.Code))
			return err
		})},
		{"Erasures", read, onUnit(inventory.StatusWiped, func(f *fixture, a ordi.Actor, u inventory.Unit) error {
			_, err := f.svc.Erasures(ctx, a, u.ID)
			return err
		})},
		{"UndoMove", manage, onUnit(inventory.StatusDiagnosed, func(f *fixture, a ordi.Actor, u inventory.Unit) error {
			_, err := f.svc.UndoMove(ctx, a, string(u.Code), u.Version)
			return err
		})},
		{"UndoableMove", read, onUnit(inventory.StatusDiagnosed, func(f *fixture, a ordi.Actor, u inventory.Unit) error {
			_, _, err := f.svc.UndoableMove(ctx, a, u)
			return err
		})},
		{"DeleteDonation", manage, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			d, err := f.svc.CreateDonation(ctx, staff, inventory.NewDonation{DonorID: f.donor.ID, ReceivedOn: "2026-10-30"})
			if err != nil {
				t.Fatal(err)
			}
			return func(a ordi.Actor) error { return f.svc.DeleteDonation(ctx, a, d.ID) }
		}},
		{"Facts", read, onUnit(inventory.StatusWiped, func(f *fixture, a ordi.Actor, u inventory.Unit) error {
			_, err := f.svc.Facts(ctx, a, u)
			return err
		})},
		{"Donor", read, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			return func(a ordi.Actor) error { _, err := f.svc.Donor(ctx, a, f.donor.ID); return err }
		}},
		{"Donors", read, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			return func(a ordi.Actor) error { _, err := f.svc.Donors(ctx, a, inventory.DonorFilter{}); return err }
		}},
		{"Donation", read, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			return func(a ordi.Actor) error { _, err := f.svc.Donation(ctx, a, f.donation.ID); return err }
		}},
		{"Donations", read, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			return func(a ordi.Actor) error { _, err := f.svc.Donations(ctx, a, inventory.DonationFilter{}); return err }
		}},
		{"CountByStatus", read, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			return func(a ordi.Actor) error { _, err := f.svc.CountByStatus(ctx, a, 0); return err }
		}},
		{"EachUnit", read, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			return func(a ordi.Actor) error {
				return f.svc.EachUnit(ctx, a, inventory.UnitFilter{}, func([]inventory.Unit) error { return nil })
			}
		}},
		{"EachDonation", read, func(t *testing.T, f *fixture) func(a ordi.Actor) error {
			return func(a ordi.Actor) error {
				return f.svc.EachDonation(ctx, a, inventory.DonationFilter{}, func([]inventory.DonationSummary) error { return nil })
			}
		}},
		{"AttachReport", intake, onUnit(inventory.StatusReceived, func(f *fixture, a ordi.Actor, u inventory.Unit) error {
			_, err := f.svc.AttachReport(ctx, a, string(u.Code), report(nil, "nwipe-0.33-zero-verify-last.log"))
			return err
		})},
		{"Reports", manage, withReport(func(f *fixture, a ordi.Actor, u inventory.Unit, r inventory.Attached) error {
			_, err := f.svc.Reports(ctx, a, string(u.Code))
			return err
		})},
		{"ReportFile", manage, withReport(func(f *fixture, a ordi.Actor, u inventory.Unit, r inventory.Attached) error {
			_, _, err := f.svc.ReportFile(ctx, a, string(u.Code), r.Report.ID)
			return err
		})},
		{"ResolveConflict", manage, withReport(func(f *fixture, a ordi.Actor, u inventory.Unit, r inventory.Attached) error {
			_, err := f.svc.ResolveConflict(ctx, a, string(u.Code), r.Conflicts[0].ID, inventory.TakeReported, r.Unit.Version)
			return err
		})},
		{"OpenConflicts", read, withReport(func(f *fixture, a ordi.Actor, u inventory.Unit, r inventory.Attached) error {
			_, err := f.svc.OpenConflicts(ctx, a, u)
			return err
		})},
		{"Drives", read, withReport(func(f *fixture, a ordi.Actor, u inventory.Unit, r inventory.Attached) error {
			_, err := f.svc.Drives(ctx, a, string(u.Code))
			return err
		})},
		{"DrivesOf", read, withReport(func(f *fixture, a ordi.Actor, u inventory.Unit, r inventory.Attached) error {
			_, err := f.svc.DrivesOf(ctx, a, u.ID)
			return err
		})},
	}
}

// withReport prepares a laptop with an lshw report of another machine
// attached (its serials made the unit's own), hence conflicts.
func withReport(call func(f *fixture, a ordi.Actor, u inventory.Unit, r inventory.Attached) error) func(t *testing.T, f *fixture) func(a ordi.Actor) error {
	return func(t *testing.T, f *fixture) func(a ordi.Actor) error {
		u := f.laptop(t)
		data := strings.NewReplacer("YA059622H", "M"+string(u.Code), "101022PBN40317KS46YE", "D"+string(u.Code)).
			Replace(string(report(t, "lshw-toshiba-portege-r700.json")))
		r, err := f.svc.AttachReport(ctx, staff, string(u.Code), []byte(data))
		if err != nil || len(r.Conflicts) == 0 {
			t.Fatalf("attach: %v, %d conflicts", err, len(r.Conflicts))
		}
		return func(a ordi.Actor) error { return call(f, a, u, r) }
	}
}

// TestEveryOperationAuthorisesItsActor calls every operation of the
// inventory service directly, as every role: the domain, not only the route
// table, refuses a role without the capability (Forbidden, nothing
// written), and lets a role with it through.
func TestEveryOperationAuthorisesItsActor(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		for _, op := range operations() {
			for _, role := range ordi.Roles {
				actor := ordi.Actor{Name: "Test " + string(role), Role: role}
				call := op.prepare(t, f)
				before := state(t, db)
				err := call(actor)
				if op.allowed(role) {
					if err != nil {
						t.Errorf("%s as %s: %v", op.name, role, err)
					}
					continue
				}
				if !errors.Is(err, ordi.Forbidden) {
					t.Errorf("%s as %s: %v, want Forbidden", op.name, role, err)
				}
				if after := state(t, db); after != before {
					t.Errorf("%s as %s was refused but wrote: %s → %s", op.name, role, before, after)
				}
			}
		}
	})
}

// TestRefusalComesFirst: a role without access is refused before any
// lookup, so it cannot learn which codes exist.
func TestRefusalComesFirst(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		trainer := ordi.Actor{Name: "Formateur", Role: ordi.RoleTrainer}
		volunteer := ordi.Actor{Name: "Bénévole", Role: ordi.RoleVolunteer}
		if _, err := f.svc.Unit(ctx, trainer, "ZZZZZZZ"); !errors.Is(err, ordi.Forbidden) {
			t.Fatalf("trainer reading an unknown code: %v", err)
		}
		if _, err := f.svc.Transition(ctx, volunteer, "ZZZZZZZ", inventory.StatusDiagnosed, inventory.TransitionInput{}); !errors.Is(err, ordi.Forbidden) {
			t.Fatalf("volunteer moving an unknown code: %v", err)
		}
	})
}

// TestOperationsCoverTheService keeps the table above complete: a new
// exported method of inventory.Service must be added to it (or to the
// short list of helpers that neither read nor write).
func TestOperationsCoverTheService(t *testing.T) {
	listed := map[string]bool{"WithTx": true} // scopes the service to a transaction
	for _, op := range operations() {
		listed[strings.Split(op.name, "/")[0]] = true
	}
	for _, m := range serviceMethods() {
		if !listed[m] {
			t.Errorf("inventory.Service.%s is missing from operations(): who may call it?", m)
		}
	}
}

// serviceMethods names the exported methods of *inventory.Service.
func serviceMethods() []string {
	typ := reflect.TypeFor[*inventory.Service]()
	names := make([]string, typ.NumMethod())
	for i := range names {
		names[i] = typ.Method(i).Name
	}
	return names
}
