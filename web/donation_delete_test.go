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

// TestDonationFormChoosesNoDonor: with donors on file, "Nouveau don" selects
// none of them; sent without a choice, the form says so (with every other
// error) and writes nothing.
func TestDonationFormChoosesNoDonor(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		app.newDonation(t) // a donor on file
		c := app.login(ordi.RoleStaff)
		body := readBody(app.get(c, "/donations/new"))
		if !strings.Contains(body, `<option value="" selected>— Choisissez le donateur —</option>`) || strings.Contains(body, `" selected>Crédit Coopératif`) {
			t.Fatalf("the form preselects a donor:\n%s", body)
		}
		var before int64
		db.Table("donations").Count(&before)
		res := app.postForm(c, "/donations", url.Values{"donor": {""}, "received_on": {"2099-01-01"}})
		body = readBody(res)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Choisissez qui donne") || !strings.Contains(body, "ne peut pas être dans le futur") {
			t.Fatalf("no donor: %d\n%s", res.StatusCode, body)
		}
		var after int64
		db.Table("donations").Count(&after)
		if after != before {
			t.Fatal("a form without a donor created a donation")
		}
	})
}

// TestDonationDelete: a donation without units is deleted from its page
// (button shown, audited) or the API; one with units is refused with 409 and
// its page shows no button; a volunteer may not.
func TestDonationDelete(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		full, empty, other := app.newDonation(t), app.newDonation(t), app.newDonation(t)
		app.newUnit(t, full)
		c := app.login(ordi.RoleStaff)
		if body := readBody(app.get(c, fmt.Sprintf("/donations/%d", full))); strings.Contains(body, "Supprimer ce don") {
			t.Fatal("a donation with units offers deletion")
		}
		if body := readBody(app.get(c, fmt.Sprintf("/donations/%d", empty))); !strings.Contains(body, `action="/donations/`+fmt.Sprint(empty)+`/delete"`) || !strings.Contains(body, "data-confirm=") {
			t.Fatal("an empty donation offers no deletion with a confirmation")
		}
		res := app.postForm(c, fmt.Sprintf("/donations/%d/delete", full), nil)
		if body := readBody(res); res.StatusCode != http.StatusConflict || !strings.Contains(body, "Ce don a 1 unité") {
			t.Fatalf("delete with units: %d\n%s", res.StatusCode, body)
		}
		if res := app.postForm(app.login(ordi.RoleVolunteer), fmt.Sprintf("/donations/%d/delete", empty), nil); res.StatusCode != http.StatusForbidden {
			t.Fatalf("volunteer delete: %d", res.StatusCode)
		}
		res = app.postForm(c, fmt.Sprintf("/donations/%d/delete", empty), nil)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/donations" {
			t.Fatalf("delete: %d %s", res.StatusCode, readBody(res))
		}
		if res := app.get(c, fmt.Sprintf("/donations/%d", empty)); res.StatusCode != http.StatusNotFound {
			t.Fatalf("deleted donation page: %d", res.StatusCode)
		}
		var audited int64
		db.Table("audit_events").Where("action = ? AND object_id = ?", "donation.delete", fmt.Sprint(empty)).Count(&audited)
		if audited != 1 {
			t.Fatalf("%d audit entries", audited)
		}
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodDelete, fmt.Sprintf("/api/v1/donations/%d", full), nil), http.StatusConflict)
		if res := app.api(ordi.RoleStaff, http.MethodDelete, fmt.Sprintf("/api/v1/donations/%d", other), nil); res.StatusCode != http.StatusNoContent {
			t.Fatalf("API delete: %d %s", res.StatusCode, readBody(res))
		}
	})
}

// TestUnitUndo: the unit page offers to undo a mistaken move, with a
// confirmation; undoing puts the unit back and the history says so; once
// something else happened, the button is gone and a late post is refused.
func TestUnitUndo(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		u := app.readyUnit(t, app.newDonation(t))
		c := app.login(ordi.RoleStaff)
		res := app.postForm(c, "/u/"+u.Code+"/transition", url.Values{"to": {"diagnosed"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("move: %d", res.StatusCode)
		}
		body := readBody(app.get(c, "/u/"+u.Code))
		if !strings.Contains(body, `action="/u/`+u.Code+`/undo"`) || !strings.Contains(body, "Annuler le dernier changement (Prêt → Diagnostiqué)") {
			t.Fatalf("no undo button:\n%s", body)
		}
		if body := readBody(app.get(app.login(ordi.RoleVolunteer), "/u/"+u.Code)); strings.Contains(body, "/undo") {
			t.Fatal("a volunteer is offered the undo")
		}
		res = app.postForm(c, "/u/"+u.Code+"/undo", nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("undo: %d %s", res.StatusCode, readBody(res))
		}
		body = readBody(app.get(c, "/u/"+u.Code))
		if got := decode[unitBody](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units/"+u.Code, nil)); got.Status != "ready" {
			t.Fatalf("after undo: %s", got.Status)
		}
		if !strings.Contains(body, "Changement annulé : Diagnostiqué → Prêt") || strings.Contains(body, `/undo"`) {
			t.Fatal("the history does not show the undo, or offers to undo it")
		}
		res = app.postForm(c, "/u/"+u.Code+"/undo", nil)
		if body := readBody(res); res.StatusCode != http.StatusConflict || !strings.Contains(body, "Rien à annuler") {
			t.Fatalf("second undo: %d", res.StatusCode)
		}
		// The API does the same, and says why when it cannot.
		p := expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+u.Code+"/undo", map[string]any{}), http.StatusConflict)
		if !strings.Contains(p.Detail, "Rien à annuler") {
			t.Fatalf("API undo of an undo: %q", p.Detail)
		}
		app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+u.Code+"/transitions", map[string]any{"to": "diagnosed"})
		expectProblem(t, app.api(ordi.RoleVolunteer, http.MethodPost, "/api/v1/units/"+u.Code+"/undo", map[string]any{}), http.StatusForbidden)
		if got := decode[unitBody](t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+u.Code+"/undo", map[string]any{})); got.Status != "ready" {
			t.Fatalf("API undo: %s", got.Status)
		}
	})
}

// TestAddUnitCarryOver: the add-unit form carries the last unit's
// description over within its donation only, says so, and "Vider" gives a
// blank form; the storage hint and its error agree with "Sans stockage".
func TestAddUnitCarryOver(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		a, b := app.newDonation(t), app.newDonation(t)
		c := app.login(ordi.RoleStaff)
		pageA, pageB := fmt.Sprintf("/donations/%d", a), fmt.Sprintf("/donations/%d", b)
		if body := readBody(app.get(c, pageA)); strings.Contains(body, "reprise du dernier ajout") || strings.Contains(body, "0 = aucun") ||
			!strings.Contains(body, "laissez vide et choisissez « Sans stockage »") {
			t.Fatal("a fresh form claims a carried description, or keeps the contradicting hint")
		}
		add := url.Values{"kind": {"laptop"}, "brand": {"Lenovo"}, "model": {"T480"}, "serial_number": {"SN1"}, "ram_gb": {"8"}, "storage_gb": {"256"}, "storage_kind": {"ssd"}, "weight_kg": {"1,6"}, "grade": {"B"}}
		if res := app.postForm(c, pageA+"/units", add); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add: %d %s", res.StatusCode, readBody(res))
		}
		body := readBody(app.get(c, pageA))
		if !strings.Contains(body, "reprise du dernier ajout") || !strings.Contains(body, `value="1,6"`) || !strings.Contains(body, `data-carried-kind="laptop"`) ||
			!strings.Contains(body, `href="`+pageA+`?vider=1#ajout"`) {
			t.Fatal("the same donation does not carry the description over, visibly, with « Vider »")
		}
		for name, page := range map[string]string{"another donation": pageB, "after « Vider »": pageA + "?vider=1"} {
			body := readBody(app.get(c, page))
			if strings.Contains(body, `value="1,6"`) || strings.Contains(body, `value="Lenovo"`) || strings.Contains(body, "reprise du dernier ajout") {
				t.Errorf("%s: the form carries the last description", name)
			}
		}
		// Capacity 0 with an SSD: the error names the option the form shows.
		res := app.postForm(c, pageA+"/units", url.Values{"kind": {"screen"}, "storage_gb": {"0"}, "storage_kind": {"ssd"}})
		if body := readBody(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "choisissez le type « Sans stockage »") ||
			strings.Contains(body, "reprise du dernier ajout") {
			t.Fatalf("storage error: %d", res.StatusCode)
		}
	})
}
