package inventory_test

import (
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

// nistTable is NIST SP 800-88's answer, written out here rather than read
// from the package: for each method and medium ("" = a drive of unknown
// technology), the categories an erasure may claim (C = Clear, P = Purge,
// D = Destroy); "" = the method does not sanitise that medium.
var nistTable = map[inventory.ErasureMethod]map[inventory.Medium]string{
	inventory.MethodOverwrite:   {"hdd": "C", "ssd": "C", "nvme": "C", "emmc": "C", "usb": "C", "": "C"},
	inventory.MethodSanitize:    {"hdd": "CP", "ssd": "CP", "nvme": "CP", "emmc": "CP", "usb": "", "": "CP"},
	inventory.MethodSecureErase: {"hdd": "CP", "ssd": "CP", "nvme": "CP", "emmc": "CP", "usb": "", "": "CP"},
	inventory.MethodCryptoErase: {"hdd": "CP", "ssd": "CP", "nvme": "CP", "emmc": "CP", "usb": "", "": "CP"},
	inventory.MethodDegauss:     {"hdd": "CP", "ssd": "", "nvme": "", "emmc": "", "usb": "", "": ""},
	inventory.MethodDestruction: {"hdd": "D", "ssd": "D", "nvme": "D", "emmc": "D", "usb": "D", "": "D"},
}

func letter(c inventory.ErasureCategory) string { return strings.ToUpper(string(c[:1])) }

// TestEveryCategoryMethodMedium records an erasure for every medium × method
// × category on both databases: what NIST allows is recorded with its method
// and medium, anything else is Invalid on the field to change, with a French
// message naming what is allowed, and writes nothing.
func TestEveryCategoryMethodMedium(t *testing.T) {
	if len(nistTable) != len(inventory.ErasureMethods()) {
		t.Fatalf("the table covers %d methods, the package has %d", len(nistTable), len(inventory.ErasureMethods()))
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		u := f.laptop(t)
		// A unit whose card says no storage: the medium of a drive found in
		// it is unknown unless the record names it.
		unknown, err := f.svc.CreateUnit(ctx, staff, inventory.NewUnit{DonationID: f.donation.ID, UnitSpec: inventory.UnitSpec{Kind: inventory.KindDesktop, StorageKind: inventory.StorageNone}})
		if err != nil {
			t.Fatal(err)
		}
		for _, method := range inventory.ErasureMethods() {
			for _, medium := range append(inventory.Media(), "") {
				allowed, ok := nistTable[method][medium]
				if !ok {
					t.Fatalf("the table lacks %s on %q", method, medium)
				}
				if got := inventory.AllowedCategories(medium, method); joinLetters(got) != allowed {
					t.Errorf("AllowedCategories(%q, %s) = %q, want %q", medium, method, joinLetters(got), allowed)
				}
				target := u
				if medium == "" {
					target = unknown
				}
				for _, category := range inventory.ErasureCategories() {
					n := inventory.NewErasure{Category: category, Method: method, Medium: medium, Technique: "détail", Result: inventory.ErasurePassed}
					before := state(t, db)
					e, err := f.svc.RecordErasure(ctx, staff, string(target.Code), n)
					if strings.Contains(allowed, letter(category)) {
						if err != nil {
							t.Errorf("%s by %s on %q refused: %v", category, method, medium, err)
						} else if e.Method != method || e.Medium != medium || e.Category != category {
							t.Errorf("%s by %s on %q stored as %s by %s on %q", category, method, medium, e.Category, e.Method, e.Medium)
						}
						continue
					}
					field := "category"
					if allowed == "" {
						field = "method"
						if medium == "" {
							field = "medium"
						}
					}
					if !errors.Is(err, ordi.Invalid) || !hasField(err, field) {
						t.Errorf("%s by %s on %q: err = %v, want Invalid on %s", category, method, medium, err, field)
						continue
					}
					msg := fieldMessage(err, field)
					if field == "category" {
						for _, c := range inventory.AllowedCategories(medium, method) {
							if !strings.Contains(msg, "« "+c.Label()+" »") {
								t.Errorf("%s by %s on %q: %q does not name %q", category, method, medium, msg, c.Label())
							}
						}
					}
					if strings.Contains(msg, string(method)) && strings.Contains(string(method), "_") || strings.Contains(msg, "clear,") {
						t.Errorf("message leaks a code: %q", msg)
					}
					if after := state(t, db); after != before {
						t.Errorf("%s by %s on %q was refused but wrote: %s → %s", category, method, medium, before, after)
					}
				}
			}
		}
	})
}

func joinLetters(cs []inventory.ErasureCategory) string {
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(letter(c))
	}
	return b.String()
}

func fieldMessage(err error, field string) string {
	var e *ordi.Error
	if errors.As(err, &e) {
		for _, f := range e.Fields {
			if f.Field == field {
				return f.Message
			}
		}
	}
	return ""
}

// TestErasureMethodFromTechnique: a client that sends only the free-text
// technique (API v1) gets its method recognised, the medium from the unit
// (an SSD here), and the category checked against both; a technique that
// names no method is refused on "method".
func TestErasureMethodFromTechnique(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		u := f.laptop(t) // 256 GB SSD
		for _, tc := range []struct {
			technique string
			category  inventory.ErasureCategory
			method    inventory.ErasureMethod
			field     string // refused on this field; "" = recorded
		}{
			{"Écrasement 1 passe aléatoire + vérification", inventory.ErasurePurge, "", "category"},
			{"overwrite 1 pass PRNG + verify", inventory.ErasurePurge, "", "category"},
			{"Écrasement 1 passe aléatoire + vérification", inventory.ErasureClear, inventory.MethodOverwrite, ""},
			{"NVMe sanitize", inventory.ErasurePurge, inventory.MethodSanitize, ""},
			{"ATA secure erase (enhanced)", inventory.ErasurePurge, inventory.MethodSecureErase, ""},
			{"Crypto-effacement (OPAL)", inventory.ErasurePurge, inventory.MethodCryptoErase, ""},
			{"Démagnétisation", inventory.ErasurePurge, "", "method"},
			{"Broyage du support", inventory.ErasureDestroy, inventory.MethodDestruction, ""},
			{"shredded", inventory.ErasureDestroy, inventory.MethodDestruction, ""},
			{"Broyage du support", inventory.ErasurePurge, "", "category"},
			{"NVMe sanitize", inventory.ErasureDestroy, "", "category"},
			{"Perçage du support", inventory.ErasureDestroy, "", "method"},
		} {
			before := state(t, db)
			e, err := f.svc.RecordErasure(ctx, staff, string(u.Code), inventory.NewErasure{Category: tc.category, Technique: tc.technique, Result: inventory.ErasurePassed})
			if tc.field != "" {
				if !errors.Is(err, ordi.Invalid) || !hasField(err, tc.field) {
					t.Errorf("%q as %s: err = %v, want Invalid on %s", tc.technique, tc.category, err, tc.field)
				}
				if after := state(t, db); after != before {
					t.Errorf("%q as %s was refused but wrote", tc.technique, tc.category)
				}
				continue
			}
			if err != nil {
				t.Errorf("%q as %s: %v", tc.technique, tc.category, err)
				continue
			}
			if e.Method != tc.method || e.Medium != inventory.MediumSSD || e.Technique != tc.technique {
				t.Errorf("%q stored as method %q on %q, technique %q", tc.technique, e.Method, e.Medium, e.Technique)
			}
		}
		// A method without a technique is described by its label.
		e, err := f.svc.RecordErasure(ctx, staff, string(u.Code), inventory.NewErasure{Category: inventory.ErasurePurge, Method: inventory.MethodSanitize, Result: inventory.ErasurePassed})
		if err != nil || e.Technique != inventory.MethodSanitize.Label() {
			t.Fatalf("method alone: %+v, %v", e, err)
		}
		if _, err := f.svc.RecordErasure(ctx, staff, string(u.Code), inventory.NewErasure{Category: inventory.ErasureClear, Method: "wipe", Medium: "floppy", Technique: "x", Result: inventory.ErasurePassed}); !hasField(err, "method") || !hasField(err, "medium") {
			t.Fatalf("unknown method and medium: %v", err)
		}
	})
}

// TestErasureRecordedBeforeTheCheck: records stored before methods and media
// existed (migration 00070 adds the columns with an empty default) stay
// readable as they were, with both empty, and do not stop new records.
func TestErasureRecordedBeforeTheCheck(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		u := f.move(t, f.laptop(t), inventory.StatusDiagnosed)
		// The demo's old record: a one-pass overwrite of an SSD called Purge.
		if err := db.Exec(`INSERT INTO erasures (unit_id, category, technique, result, operator_name, created_at)
			VALUES (?, 'purge', 'Écrasement 1 passe', 'passed', 'Ancien', ?)`, u.ID, fixedNow()).Error; err != nil {
			t.Fatal(err)
		}
		list, err := f.svc.Erasures(ctx, staff, u.ID)
		if err != nil || len(list) != 1 || list[0].Method != "" || list[0].Medium != "" || list[0].Category != inventory.ErasurePurge {
			t.Fatalf("old record: %+v, %v", list, err)
		}
		if _, err := f.svc.RecordErasure(ctx, staff, string(u.Code), inventory.NewErasure{Category: inventory.ErasureClear, Technique: "Écrasement 1 passe", Result: inventory.ErasurePassed}); err != nil {
			t.Fatalf("a unit with an old record: %v", err)
		}
	})
}
