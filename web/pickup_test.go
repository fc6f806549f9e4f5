package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

// recycledUnit is a unit erased and recycled to outlet through the API.
func (a *testApp) recycledUnit(t *testing.T, donation, outlet int64) unitBody {
	t.Helper()
	u := a.newUnit(t, donation)
	res := a.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+u.Code+"/erasures", map[string]any{
		"category": "purge", "technique": "NVMe sanitize", "result": "passed", "drive_serial": "S-" + u.Code})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("erasure: %d %s", res.StatusCode, readBody(res))
	}
	res = a.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+u.Code+"/transitions", map[string]any{"to": "recycled", "outlet_id": outlet, "outlet_reference": "BE-1"})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("recycle: %d %s", res.StatusCode, readBody(res))
	}
	return u
}

// TestAPIPickupsAndRegister: a pickup through the API answers its number
// and both totals; a second one claiming the same unit is 409; bad input is
// 422 on its fields; the register of the period is the CSV the national
// register imports, with one line per unit and flow.
func TestAPIPickupsAndRegister(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		o := app.newOutlet(t, "Ecologic")
		donation := app.newDonation(t)
		u := app.recycledUnit(t, donation, o.ID)
		today := app.clock.Now().In(ordi.Paris).Format(ordi.DateLayout)

		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/pickups", map[string]any{
			"picked_on": today, "outlet_id": o.ID, "carrier": "Durand"}), http.StatusUnprocessableEntity, "units")
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/pickups", map[string]any{
			"picked_on": today, "outlet_id": o.ID, "carrier": "Durand", "flows": []map[string]any{{"flow": "screens", "weight_kg": -1}}}),
			http.StatusUnprocessableEntity, "flows[0].weight_kg")
		expectProblem(t, app.api(ordi.RoleVolunteer, http.MethodGet, "/api/v1/pickups", nil), http.StatusForbidden)

		res := app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/pickups", map[string]any{
			"picked_on": today, "outlet_id": o.ID, "carrier": "Transports Durand", "units": []string{u.Code},
			"flows": []map[string]any{{"flow": "batteries", "weight_kg": 4.5}}})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("pickup: %d %s", res.StatusCode, readBody(res))
		}
		p := decode[struct {
			Number    string  `json:"number"`
			UnitsKG   float64 `json:"units_kg"`
			FlowsKG   float64 `json:"flows_kg"`
			Unweighed int     `json:"units_unweighed"`
			Units     []struct{ Code string }
		}](t, res)
		year := today[:4]
		if p.Number != "ENL-"+year+"-0001" || p.UnitsKG != 1.6 || p.FlowsKG != 4.5 || p.Unweighed != 0 || len(p.Units) != 1 || p.Units[0].Code != u.Code {
			t.Fatalf("pickup: %+v", p)
		}
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/pickups", map[string]any{
			"picked_on": today, "outlet_id": o.ID, "carrier": "Durand", "units": []string{u.Code}}), http.StatusConflict)
		if res := app.api(ordi.RoleAdmin, http.MethodGet, "/api/v1/pickups/"+p.Number, nil); res.StatusCode != http.StatusOK {
			t.Fatalf("read pickup: %d", res.StatusCode)
		}

		expectProblem(t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/waste-register.csv?from="+year+"-01-01", nil), http.StatusUnprocessableEntity, "to")
		res = app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/waste-register.csv?from="+year+"-01-01&to="+today, nil)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("register: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		r := csv.NewReader(strings.NewReader(readBody(res)))
		r.Comma = ';'
		rows, err := r.ReadAll()
		if err != nil || len(rows) != 3 || rows[1][1] != p.Number+"-"+u.Code || rows[2][1] != p.Number+"-batteries" || rows[1][10] != "16 02 14" {
			t.Fatalf("register rows: %q, %v", rows[1:], err)
		}
	})
}

// TestPickupPage: the page records a pickup from pasted codes and a flow's
// weight, flashes both totals, and keeps the input with the error on a
// refusal.
func TestPickupPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		o := app.newOutlet(t, "Ecologic")
		u := app.recycledUnit(t, app.newDonation(t), o.ID)
		staff := app.login(ordi.RoleStaff)
		today := app.clock.Now().In(ordi.Paris).Format(ordi.DateLayout)
		form := url.Values{"picked_on": {today}, "outlet_id": {fmt.Sprint(o.ID)}, "carrier": {"Transports Durand"}, "kg_screens": {"-2"}}
		res := app.postForm(staff, "/pickups", form)
		if body := readBody(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Poids invalide") || !strings.Contains(body, `value="Transports Durand"`) {
			t.Fatalf("bad weight: %d\n%s", res.StatusCode, body)
		}
		form.Set("kg_screens", "12,5")
		form.Set("units", strings.ToLower(u.Code)+"\n")
		if res := app.postForm(staff, "/pickups", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d %s", res.StatusCode, readBody(res))
		}
		body := readBody(app.get(staff, "/pickups"))
		if !strings.Contains(body, "ENL-"+today[:4]+"-0001 enregistré : 1 unité (1,6 kg selon leurs fiches, 0 sans poids), 12,5 kg de flux pesés.") {
			t.Fatalf("no flash with the totals:\n%s", body)
		}
		res = app.postForm(staff, "/pickups", form)
		if body := readBody(res); res.StatusCode != http.StatusConflict || !strings.Contains(body, "fait déjà partie d") {
			t.Fatalf("unit twice: %d\n%s", res.StatusCode, body)
		}
	})
}
