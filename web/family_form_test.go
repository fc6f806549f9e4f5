package web

import (
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

// TestNominationFormLookAlike: a second nomination of the same name and
// phone shows the form again (409) with the warning and a box to confirm;
// confirmed, it is recorded. The list finds both, accents or not.
func TestNominationFormLookAlike(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		sw := app.login(ordi.RoleSocialWorker)
		form := nominationForm("Aïcha Benali")
		form.Set("phone", "06 12 34 56 78")
		res := app.postForm(sw, "/families", form)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("first nomination: %d %s", res.StatusCode, readBody(res))
		}
		again := nominationForm("BENALI Aicha")
		again.Set("phone", "+33 6 12 34 56 78")
		res = app.postForm(sw, "/families", again)
		body := readBody(res)
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "même nom et même téléphone") || !strings.Contains(body, "F-") ||
			!strings.Contains(body, `name="duplicate_ok"`) || !strings.Contains(body, `value="BENALI Aicha"`) {
			t.Fatalf("look-alike: %d\n%s", res.StatusCode, body)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM households"); n != 1 {
			t.Fatalf("%d files after the warning", n)
		}
		again.Set("duplicate_ok", "yes")
		if res := app.postForm(sw, "/families", again); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirmed: %d %s", res.StatusCode, readBody(res))
		}
		list := readBody(app.get(sw, "/families?q=aicha+benali"))
		if strings.Count(list, "Aïcha Benali")+strings.Count(list, "BENALI Aicha") != 2 {
			t.Fatalf("the list's search misses a file:\n%s", list)
		}
	})
}

// TestNominationFormOneRound: a form with an unreadable number, a missing
// commune and no consent reports all three at once.
func TestNominationFormOneRound(t *testing.T) {
	app := newTestApp(t, dbtest.OpenSQLite(t)).withUsers() // the form's handling: the database plays no part
	sw := app.login(ordi.RoleSocialWorker)
	form := nominationForm("Mme Martin")
	form.Set("adults", "deux")
	form.Del("commune")
	form.Del("consent")
	res := app.postForm(sw, "/families", form)
	body := readBody(res)
	for _, want := range []string{"Nombre entier attendu", "Indiquez la commune", "consentement de la famille est obligatoire"} {
		if !strings.Contains(body, want) {
			t.Errorf("%d: no %q in one round", res.StatusCode, want)
		}
	}
}

// TestAPINominationLookAlike: the API answers a look-alike nomination 409,
// naming the file in the problem document, and records it once confirmed.
func TestAPINominationLookAlike(t *testing.T) {
	app := newTestApp(t, dbtest.OpenSQLite(t)).withUsers() // the answer's shape: the database plays no part
	first := decode[householdBody](t, app.api(ordi.RoleSocialWorker, http.MethodPost, "/api/v1/households", nominationBody("Mme Éloïse Duprés")))
	body := nominationBody("ELOISE DUPRES mme")
	res := app.api(ordi.RoleSocialWorker, http.MethodPost, "/api/v1/households", body)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("look-alike: %d %s", res.StatusCode, readBody(res))
	}
	if got := readBody(res); !strings.Contains(got, `"duplicates":["`+first.Reference+`"]`) {
		t.Fatalf("problem document: %s", got)
	}
	body["duplicate_ok"] = true
	if res := app.api(ordi.RoleSocialWorker, http.MethodPost, "/api/v1/households", body); res.StatusCode != http.StatusCreated {
		t.Fatalf("confirmed: %d %s", res.StatusCode, readBody(res))
	}
}
