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

type outletBody struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	SIRET  string `json:"siret"`
	Active bool   `json:"active"`
}

// newOutlet registers an outlet through the API.
func (a *testApp) newOutlet(t *testing.T, name string) outletBody {
	t.Helper()
	res := a.api(ordi.RoleStaff, http.MethodPost, "/api/v1/outlets", map[string]any{
		"name": name, "kind": "eco_organisme", "siret": "733 003 339 00005", "address": "15 rue de la Paix, 75002 Paris"})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("outlet: %d %s", res.StatusCode, readBody(res))
	}
	return decode[outletBody](t, res)
}

// TestAPIOutlets: outlets are created, listed, read and replaced through the
// API; a bad SIRET key, a missing address and an unknown kind are 422 on
// their fields; a volunteer is refused.
func TestAPIOutlets(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		o := app.newOutlet(t, "Ecologic")
		if o.SIRET != "73300333900005" || !o.Active || o.Kind != "eco_organisme" {
			t.Fatalf("created %+v", o)
		}
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/outlets", map[string]any{
			"name": "Autre", "kind": "broker", "siret": "73300333900006"}), http.StatusUnprocessableEntity, "siret", "kind", "address")
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/outlets", map[string]any{
			"name": "ecologic", "kind": "recycler", "siret": "73300333900005", "address": "Paris"}), http.StatusUnprocessableEntity, "name")
		expectProblem(t, app.api(ordi.RoleVolunteer, http.MethodGet, "/api/v1/outlets", nil), http.StatusForbidden)

		res := app.api(ordi.RoleStaff, http.MethodPut, fmt.Sprintf("/api/v1/outlets/%d", o.ID), map[string]any{
			"name": "Ecologic", "kind": "eco_organisme", "siret": "73300333900005", "address": "Paris", "active": false})
		if got := decode[outletBody](t, res); res.StatusCode != http.StatusOK || got.Active {
			t.Fatalf("update: %d %+v", res.StatusCode, got)
		}
		app.newOutlet(t, "ecosystem")
		res = app.api(ordi.RoleAdmin, http.MethodGet, "/api/v1/outlets?active=true", nil)
		list := decode[struct{ Items []outletBody }](t, res)
		if len(list.Items) != 1 || list.Items[0].Name != "ecosystem" {
			t.Fatalf("active outlets: %+v", list)
		}
		res = app.api(ordi.RoleAdmin, http.MethodGet, "/api/v1/outlets?limit=1", nil)
		page := decode[struct {
			Items      []outletBody
			NextCursor string `json:"next_cursor"`
		}](t, res)
		if len(page.Items) != 1 || page.Items[0].Name != "Ecologic" || page.NextCursor == "" {
			t.Fatalf("first page: %+v", page)
		}
		res = app.api(ordi.RoleAdmin, http.MethodGet, "/api/v1/outlets?limit=1&cursor="+page.NextCursor, nil)
		if next := decode[struct{ Items []outletBody }](t, res); len(next.Items) != 1 || next.Items[0].Name != "ecosystem" {
			t.Fatalf("second page: %+v", next)
		}
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/outlets/999", nil), http.StatusNotFound)
	})
}

// TestUnitRecycledToAnOutlet: the unit page offers the active outlets in a
// list; the form sends the chosen one; the unit then names it. Through the
// API, an unknown outlet_id is 422 on the field.
func TestUnitRecycledToAnOutlet(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		eco := app.newOutlet(t, "Ecologic")
		u := app.newUnit(t, app.newDonation(t))
		res := app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+u.Code+"/erasures", map[string]any{
			"category": "purge", "technique": "NVMe sanitize", "result": "passed", "drive_serial": "S1"})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("erasure: %d %s", res.StatusCode, readBody(res))
		}
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+u.Code+"/transitions", map[string]any{
			"to": "recycled", "outlet_id": 999, "outlet_reference": "BE-1"}), http.StatusUnprocessableEntity, "outlet_id")

		staff := app.login(ordi.RoleStaff)
		page := readBody(app.get(staff, "/u/"+u.Code))
		if !strings.Contains(page, `<select name="outlet_id"`) || !strings.Contains(page, fmt.Sprintf(`<option value="%d">Ecologic (Éco-organisme)</option>`, eco.ID)) {
			t.Fatalf("no outlet list on the unit page:\n%s", page)
		}
		res = app.postForm(staff, "/u/"+u.Code+"/transition", url.Values{"to": {"recycled"}, "outlet_reference": {"BE-2"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(readBody(res), "Choisissez l&#39;exutoire") {
			t.Fatalf("no outlet chosen: %d", res.StatusCode)
		}
		res = app.postForm(staff, "/u/"+u.Code+"/transition", url.Values{"to": {"recycled"}, "outlet_id": {fmt.Sprint(eco.ID)}, "outlet_reference": {"BE-2"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("recycle: %d %s", res.StatusCode, readBody(res))
		}
		got := decode[map[string]any](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units/"+u.Code, nil))
		if got["status"] != "recycled" || got["outlet"] != "Ecologic" || got["outlet_id"] != float64(eco.ID) {
			t.Fatalf("unit after recycling: %+v", got)
		}
	})
}

// TestOutletPages: staff add an outlet through the page (a bad SIRET shows
// the form again with the input and the error), complete it later, and
// see the list.
func TestOutletPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		staff := app.login(ordi.RoleStaff)
		res := app.postForm(staff, "/outlets", url.Values{"name": {"Recyclerie du Bocage"}, "kind": {"recycler"}, "siret": {"73300333900006"}, "address": {"Bressuire"}})
		body := readBody(res)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "clé de contrôle incorrecte") || !strings.Contains(body, `value="Recyclerie du Bocage"`) {
			t.Fatalf("bad SIRET: %d\n%s", res.StatusCode, body)
		}
		res = app.postForm(staff, "/outlets", url.Values{"name": {"Recyclerie du Bocage"}, "kind": {"recycler"}, "siret": {"73300333900005"}, "address": {"Bressuire"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d %s", res.StatusCode, readBody(res))
		}
		list := decode[struct{ Items []outletBody }](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/outlets", nil))
		if len(list.Items) != 1 {
			t.Fatalf("outlets: %+v", list)
		}
		id := list.Items[0].ID
		if body := readBody(app.get(staff, fmt.Sprintf("/outlets/%d", id))); !strings.Contains(body, "Modifier « Recyclerie du Bocage »") || !strings.Contains(body, `name="active"`) {
			t.Fatalf("edit page:\n%s", body)
		}
		res = app.postForm(staff, fmt.Sprintf("/outlets/%d", id), url.Values{"name": {"Recyclerie du Bocage"}, "kind": {"recycler"}, "siret": {"73300333900005"}, "address": {"Bressuire"}, "agreement": {"Convention 2026"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("update: %d %s", res.StatusCode, readBody(res))
		}
		body = readBody(app.get(staff, "/outlets"))
		if !strings.Contains(body, "733 003 339 00005") || !strings.Contains(body, "Convention 2026") || !strings.Contains(body, "Inactif") {
			t.Fatalf("list page (the unchecked box made it inactive):\n%s", body)
		}
		if res := app.get(app.login(ordi.RoleVolunteer), "/outlets"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("volunteer: %d", res.StatusCode)
		}
	})
}
