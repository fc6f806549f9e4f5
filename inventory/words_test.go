package inventory_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

// message returns the whole text of an ordi.Error: its message and its
// fields' messages.
func message(t *testing.T, err error) string {
	t.Helper()
	var e *ordi.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want an ordi.Error", err)
	}
	text := e.Message
	for _, f := range e.Fields {
		text += " | " + f.Message
	}
	return text
}

// TestMessagesSpeakFrench: a refused value is answered with the French
// names of the choices, never the codes of the API, and counts agree with
// their nouns rather than hedging with "(s)".
func TestMessagesSpeakFrench(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		u := f.unitIn(t, inventory.StatusDiagnosed)
		check := func(t *testing.T, got string, want []string, never ...string) {
			t.Helper()
			for _, w := range want {
				if !strings.Contains(got, w) {
					t.Errorf("%q lacks %q", got, w)
				}
			}
			for _, n := range append(never, "(s)") {
				if strings.Contains(got, n) {
					t.Errorf("%q says %q", got, n)
				}
			}
		}
		t.Run("ErasureCategory", func(t *testing.T) {
			_, err := f.svc.RecordErasure(ctx, staff, string(u.Code), inventory.NewErasure{Category: "wipe", Technique: "x", Result: inventory.ErasurePassed})
			check(t, message(t, err), []string{"Effacement logique (Clear), Effacement sécurisé (Purge) ou Destruction physique (Destroy)"}, "clear,", "purge ou", "destroy")
		})
		t.Run("ErasureResult", func(t *testing.T) {
			_, err := f.svc.RecordErasure(ctx, staff, string(u.Code), inventory.NewErasure{Category: inventory.ErasureClear, Technique: "x", Result: "ok"})
			check(t, message(t, err), []string{"Réussi ou Échoué"}, "passed", "failed")
		})
		t.Run("UnknownCodes", func(t *testing.T) {
			code := func() string {
				c, err := inventory.NewCode(strings.NewReader(strings.Repeat("unknown unit code ", 4)))
				if err != nil {
					t.Fatal(err)
				}
				return string(c)
			}
			_, err := f.svc.UnitsByCodes(ctx, staff, []string{string(u.Code), code()})
			check(t, message(t, err), []string{"Code inconnu : ", "code inconnu : "})
		})
		t.Run("ImportErrors", func(t *testing.T) {
			for _, tc := range []struct {
				lines []string
				want  string
			}{
				{[]string{"toaster"}, "1 erreur : rien n'a été importé. Corrigez-la"},
				{[]string{"toaster", "fridge"}, "2 erreurs : rien n'a été importé. Corrigez-les"},
			} {
				csv := "donation_id,kind\n"
				for _, k := range tc.lines {
					csv += fmt.Sprintf("%d,%s\n", f.donation.ID, k)
				}
				_, err := f.svc.ImportUnits(ctx, staff, strings.NewReader(csv))
				check(t, message(t, err), []string{tc.want})
			}
		})
	})
}
