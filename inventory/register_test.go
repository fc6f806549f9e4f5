package inventory_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

func date(t *testing.T, s string) ordi.Date {
	t.Helper()
	d, err := ordi.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestWasteRegisterExport seeds a period: pickups inside it (recycled and
// dismantled units, one never weighed, weighed flows), one pickup after
// it, a recycled unit not picked up yet and a unit ready for a family. The
// export lists each unit and flow of the period's pickups once, in the
// import layout; tonnes add up to the kilograms; codes are the list's;
// the unweighed unit counts at its kind's default, marked ESTIME; nothing
// else appears.
func TestWasteRegisterExport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		o := f.outlet(t, ecologic)
		a, b := f.leaving(t, o, inventory.StatusRecycled), f.leaving(t, o, inventory.StatusDismantled)
		screen, err := f.svc.CreateUnit(ctx, staff, inventory.NewUnit{DonationID: f.donation.ID, UnitSpec: inventory.UnitSpec{Kind: inventory.KindScreen, Brand: "Dell"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Transition(ctx, staff, string(screen.Code), inventory.StatusRecycled, inventory.TransitionInput{OutletID: o.ID, OutletReference: "BE-3"}); err != nil {
			t.Fatal(err)
		}
		notYet := f.leaving(t, o, inventory.StatusRecycled)
		reused := f.refurbished(t)
		later := f.leaving(t, o, inventory.StatusRecycled)

		pickup := func(on string, units []inventory.Unit, flows ...inventory.NewPickupFlow) {
			t.Helper()
			n := inventory.NewPickup{PickedOn: on, OutletID: o.ID, Carrier: "Transports Durand", CarrierSIRET: "21750001600019", Flows: flows}
			for _, u := range units {
				n.Units = append(n.Units, string(u.Code))
			}
			if _, err := f.svc.CreatePickup(ctx, staff, n); err != nil {
				t.Fatal(err)
			}
		}
		pickup("2026-10-05", []inventory.Unit{a, screen}, inventory.NewPickupFlow{Flow: inventory.FlowBatteries, WeightKG: 12.345})
		pickup("2026-10-20", []inventory.Unit{b}, inventory.NewPickupFlow{Flow: inventory.FlowScreens, WeightKG: 150})
		pickup("2026-11-02", []inventory.Unit{later})

		lines, err := f.svc.WasteRegister(ctx, staff, date(t, "2026-10-01"), date(t, "2026-10-31"))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := inventory.WriteWasteRegister(&buf, inventory.Declarant{SIRET: "35600000000048", Name: "Régie de quartier Alma", Address: "3 place Alma\n59100 Roubaix"}, lines); err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(&buf)
		r.Comma = ';'
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows[0]) != 101 || rows[0][10] != "Code déchet" || rows[0][len(rows[0])-1] != "Numéro de récépissé du transporteur n°5" {
			t.Fatalf("header (%d columns): %q", len(rows[0]), rows[0])
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		get := func(row []string, h string) string {
			i, ok := col[h]
			if !ok {
				t.Fatalf("no column %q", h)
			}
			return row[i]
		}
		seen := map[string]int{}
		totalT := 0.0
		for _, row := range rows[1:] {
			if len(row) != len(rows[0]) {
				t.Fatalf("row of %d columns", len(row))
			}
			id := get(row, "Identifiant unique")
			seen[id]++
			code := inventory.WasteCode(get(row, "Code déchet"))
			if !code.Valid() {
				t.Errorf("%s: code %q", id, code)
			}
			if want := map[bool]string{true: "OUI", false: "NON"}[code.Hazardous()]; get(row, "Dangereux") != want {
				t.Errorf("%s: Dangereux %q for %s", id, get(row, "Dangereux"), code)
			}
			tonnes, err := strconv.ParseFloat(get(row, "Poids en tonnes"), 64)
			if err != nil {
				t.Fatalf("%s: weight %q", id, get(row, "Poids en tonnes"))
			}
			totalT += tonnes
			if get(row, "Numéro d'identification du destinataire") != "73300333900005" || get(row, "Code postal du destinataire") != "75002" ||
				get(row, "Commune du destinataire") != "Paris" || get(row, "SIRET de l'éco-organisme") != "73300333900005" ||
				get(row, "Raison sociale du transporteur n°1") != "Transports Durand" || get(row, "SIRET de l'expéditeur ou du détenteur") != "35600000000048" ||
				get(row, "Code postal du chantier ou du lieu de collecte de l'expéditeur ou du détenteur") != "59100" ||
				get(row, "Code de traitement prévu") != "R 4" {
				t.Errorf("%s: parties or treatment wrong: %q", id, row)
			}
		}
		want := map[string]string{ // id → date
			"ENL-2026-0001-" + string(a.Code): "2026-10-05", "ENL-2026-0001-" + string(screen.Code): "2026-10-05",
			"ENL-2026-0001-batteries": "2026-10-05", "ENL-2026-0002-" + string(b.Code): "2026-10-20", "ENL-2026-0002-screens": "2026-10-20",
		}
		if len(seen) != len(want) || len(rows)-1 != len(want) {
			t.Fatalf("lines %v, want %v", seen, want)
		}
		for _, row := range rows[1:] {
			id := get(row, "Identifiant unique")
			if want[id] == "" || get(row, "Date d'expédition") != want[id] {
				t.Errorf("line %s dated %s", id, get(row, "Date d'expédition"))
			}
			switch id {
			case "ENL-2026-0001-" + string(screen.Code):
				if get(row, "Type de poids") != "ESTIME" || get(row, "Poids en tonnes") != "0.005" || get(row, "Code déchet") != "16 02 13*" {
					t.Errorf("the unweighed screen: %q", row)
				}
			case "ENL-2026-0001-batteries":
				if get(row, "Poids en tonnes") != "0.012" || get(row, "Code déchet") != "16 06 05" || get(row, "Type de poids") != "REEL" {
					t.Errorf("the batteries: %q", row)
				}
			}
		}
		// 1.9 + 5 (estimated) + 12.345 + 1.9 + 150 kg, each rounded to the kg.
		if math.Abs(totalT-(0.002+0.005+0.012+0.002+0.150)) > 1e-9 {
			t.Errorf("total %.3f t", totalT)
		}
		for _, u := range []inventory.Unit{notYet, reused, later} {
			if strings.Contains(buf.String(), string(u.Code)) {
				t.Errorf("unit %s (%s) in the register", u.Code, u.Status)
			}
		}
		if _, err := f.svc.WasteRegister(ctx, staff, date(t, "2026-10-31"), date(t, "2026-10-01")); !errors.Is(err, ordi.Invalid) {
			t.Errorf("reversed period: %v", err)
		}
	})
}
