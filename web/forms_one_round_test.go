package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

// TestFormsReportEveryErrorInOneRound: on every form that reads numbers
// itself, a number it cannot read does not hide what is wrong with the
// other fields: the page lists both at once (issue 14, item 8), and nothing
// is recorded.
func TestFormsReportEveryErrorInOneRound(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		unit := app.newUnit(t, donation)
		staff, admin := app.login(ordi.RoleStaff), app.login(ordi.RoleAdmin)
		// A unit with unreadable RAM, an unknown grade and an SSD without
		// its capacity.
		badUnit := url.Values{"kind": {"laptop"}, "brand": {"Lenovo"}, "ram_gb": {"huit"}, "grade": {"Z"}, "storage_kind": {"ssd"}}
		editUnit := url.Values{"version": {fmt.Sprint(unit.Version)}}
		for k, v := range badUnit {
			editUnit[k] = v
		}
		for _, tc := range []struct {
			name   string
			client *http.Client
			path   string
			form   url.Values
			want   []string
		}{
			{"NewDonorAndDonation", staff, "/donations", url.Values{"donor": {"new"}, "name": {"Garage Martin"}, "kind": {"company"}, "siret": {"123"}, "received_on": {"hier"}},
				[]string{"Ce numéro SIRET n", "Date invalide : attendu AAAA-MM-JJ"}},
			{"AddUnit", staff, fmt.Sprintf("/donations/%d/units", donation), badUnit,
				[]string{"Nombre entier attendu", "Grade inconnu", "Indiquez la capacité du stockage"}},
			{"EditUnit", staff, "/u/" + unit.Code + "/edit", editUnit,
				[]string{"Nombre entier attendu", "Grade inconnu", "Indiquez la capacité du stockage"}},
			{"Course", staff, "/courses", url.Values{"title": {""}, "session_dates": {"2026-12-01"}, "required_sessions": {"trois"}},
				[]string{"Nombre entier attendu", "Donnez un titre à la formation"}},
			{"Association", admin, "/admin/association", url.Values{"name": {""}, "siret": {"123"}, "warranty_months": {"douze"}},
				[]string{"Nombre de mois attendu", "est obligatoire (200 caractères au plus)", "Ce numéro SIRET n"}},
			{"Rules", admin, "/admin/programme", url.Values{"max_income_band": {"QF9"}, "required_sessions": {"x"}},
				[]string{"Nombre entier attendu", "Choisissez la tranche de quotient familial maximale"}},
			{"Targets", admin, "/admin/bilan", url.Values{"year": {"2026"}, "families_equipped": {"cinquante"}, "qpv_share": {"150"}, "threshold": {"2"}},
				[]string{"Écrivez un nombre", "La part en QPV est un pourcentage", "Le seuil va de 3 à 50"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := app.postForm(tc.client, tc.path, tc.form)
				body := readBody(res)
				if res.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("%d, want 422", res.StatusCode)
				}
				for _, want := range tc.want {
					if !strings.Contains(body, want) {
						t.Errorf("no %q in one round", want)
					}
				}
			})
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM units"); n != 1 {
			t.Errorf("%d units after the refused forms, want 1", n)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM donations"); n != 1 {
			t.Errorf("%d donations after the refused forms, want 1", n)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM courses"); n != 0 {
			t.Errorf("%d courses after the refused form", n)
		}
	})
}
