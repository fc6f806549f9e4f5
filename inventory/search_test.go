package inventory_test

import (
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

// TestUnitSearch: the units' search ignores case and accents and wants every
// word, in any order, on both databases.
func TestUnitSearch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		f.laptop(t) // Lenovo ThinkPad T480
		if _, err := f.svc.CreateUnit(ctx, staff, inventory.NewUnit{DonationID: f.donation.ID, UnitSpec: inventory.UnitSpec{
			Kind: inventory.KindScreen, Brand: "Écran Générique", Model: "Sérié Ü"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CreateUnit(ctx, staff, inventory.NewUnit{DonationID: f.donation.ID, UnitSpec: inventory.UnitSpec{
			Kind: inventory.KindLaptop, Brand: "Lenovo", Model: "ThinkPad X220"}}); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]int{
			"lenovo t480":     1,
			"T480 LENOVO":     1,
			"lenovo":          2,
			"ecran generique": 1,
			"ÉCRAN serie u":   1,
			"lenovo serie":    0,
		} {
			units, err := f.svc.Units(ctx, staff, inventory.UnitFilter{Q: q})
			if err != nil || len(units) != want {
				t.Errorf("search %q: %d units, %v; want %d", q, len(units), err, want)
			}
		}
	})
}

// TestFoldSQL: the SQL fold gives what ordi.Fold gives, on both databases,
// so that a search folded in Go meets text folded by the database.
func TestFoldSQL(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		for _, s := range []string{"Aïcha BENALI", "ÉLOÏSE Œuvray", "ÀÂÄÇÈÉÊËÎÏÔÖÙÛÜŸ àâäçèéêëîïôöùûüÿ ñÑ æÆ", "T480 ThinkPad"} {
			var got string
			if err := db.Raw("SELECT "+ordi.FoldSQL("CAST(? AS TEXT)"), s).Scan(&got).Error; err != nil {
				t.Fatal(err)
			}
			if want := ordi.Fold(s); got != want {
				t.Errorf("FoldSQL(%q) = %q, Fold = %q", s, got, want)
			}
		}
	})
}
