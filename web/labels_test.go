package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/pdfdoc/pdftest"
)

func printed(t *testing.T, app *testApp, code string) bool {
	t.Helper()
	u := decode[unitBody](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units/"+code, nil))
	return u.LabelPrinted != nil
}

func TestAPILabels(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		a, b := app.newUnit(t, donation), app.newUnit(t, donation)

		res := app.api(ordi.RoleVolunteer, http.MethodGet, "/api/v1/labels/templates", nil)
		tpls := decode[list[templateJSON]](t, res)
		if len(tpls.Items) != 5 || tpls.Items[0].Name != "L7163" || tpls.Items[0].PerPage != 14 {
			t.Fatalf("templates %+v", tpls)
		}

		for name, tc := range map[string]struct {
			body  any
			field string
		}{
			"unknown code":     {map[string]any{"codes": []string{a.Code, "ZZZZZZZ"}, "template": "L7163"}, "codes"},
			"unknown template": {map[string]any{"codes": []string{a.Code}, "template": "L9999"}, "template"},
			"empty list":       {map[string]any{"codes": []string{}, "template": "L7163"}, "codes"},
			"negative skip":    {map[string]any{"codes": []string{a.Code}, "template": "L7163", "skip": -1}, "skip"},
			"too many":         {map[string]any{"codes": make([]string, 5001), "template": "L7163"}, "codes"},
		} {
			t.Run(name, func(t *testing.T) {
				expectProblem(t, app.api(ordi.RoleVolunteer, http.MethodPost, "/api/v1/labels", tc.body), http.StatusUnprocessableEntity, tc.field)
			})
		}
		if printed(t, app, a.Code) || printed(t, app, b.Code) {
			t.Fatal("a refused request marked labels printed")
		}

		res = app.api(ordi.RoleVolunteer, http.MethodPost, "/api/v1/labels", map[string]any{"codes": []string{strings.ToLower(a.Code)}, "template": "L7160", "skip": 2})
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("labels: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		pdf := []byte(readBody(res))
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatal("not a PDF")
		}
		if !printed(t, app, a.Code) || printed(t, app, b.Code) {
			t.Fatal("printing marked the wrong units")
		}
		// The shortcut prints a whole donation.
		res = app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/labels", map[string]any{"donation_id": donation, "template": "DK-11209"})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("donation labels: %d %s", res.StatusCode, readBody(res))
		}
		if !printed(t, app, b.Code) {
			t.Fatal("the donation shortcut did not mark its units")
		}
		events := decode[struct {
			Items []struct{ Action string } `json:"items"`
		}](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units/"+a.Code+"/events", nil))
		if last := events.Items[len(events.Items)-1]; last.Action != "label_printed" {
			t.Fatalf("no label_printed event: %+v", events.Items)
		}
	})
}

// TestLabelQRsHoldTheBaseURL checks a printed label end to end: its QR
// decodes to ORDI_BASE_URL/u/{code}.
func TestLabelQRsHoldTheBaseURL(t *testing.T) {
	pdftest.RequireTools(t)
	app := newTestApp(t, dbtest.OpenSQLite(t), func(c *Config) { c.BaseURL, _ = url.Parse("https://ordi.regie.example") }).withUsers()
	u := app.newUnit(t, app.newDonation(t))
	res := app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/labels", map[string]any{"codes": []string{u.Code}, "template": "DK-22205"})
	pdf := []byte(readBody(res))
	img := pdftest.Rasterize(t, pdf, 300)[0]
	got, err := pdftest.DecodeQR(img, img.Bounds())
	if err != nil || got != "https://ordi.regie.example/u/"+u.Code {
		t.Fatalf("QR holds %q (%v)", got, err)
	}
	if text := pdftest.Text(t, pdf)[0]; !strings.Contains(text, u.Code) || !strings.Contains(text, "Dell Latitude 5490") {
		t.Fatalf("label text %q", text)
	}
}

func TestPrintQueuePage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		a, b := app.newUnit(t, donation), app.newUnit(t, donation)
		c := app.login(ordi.RoleVolunteer)
		body := readBody(app.get(c, "/labels"))
		if !strings.Contains(body, a.Code) || !strings.Contains(body, b.Code) {
			t.Fatal("the queue lacks unprinted units")
		}
		// A preview marks nothing.
		res := app.postForm(c, "/labels/print", url.Values{"codes": {a.Code}, "template": {"L7163"}, "preview": {"1"}})
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("preview: %d", res.StatusCode)
		}
		if printed(t, app, a.Code) {
			t.Fatal("a preview marked the label printed")
		}
		res = app.postForm(c, "/labels/print", url.Values{"codes": {a.Code}, "template": {"L7163"}, "skip": {"3"}, "print": {"1"}})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("print: %d %s", res.StatusCode, readBody(res))
		}
		body = readBody(app.get(c, "/labels"))
		if strings.Contains(body, a.Code) || !strings.Contains(body, b.Code) {
			t.Fatal("the printed unit is still queued, or the other left")
		}
		res = app.postForm(c, "/labels/print", url.Values{"codes": {b.Code}, "template": {"L7163"}, "skip": {"14"}})
		if body := readBody(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "entre 0 et 13") {
			t.Fatalf("skip past the sheet: %d", res.StatusCode)
		}
		if printed(t, app, b.Code) {
			t.Fatal("a refused print marked the label")
		}
		res = app.get(c, "/labels/calibration/L7160")
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("calibration: %d", res.StatusCode)
		}
		if res := app.get(c, "/labels/calibration/nope"); res.StatusCode != http.StatusNotFound {
			t.Fatalf("unknown calibration: %d", res.StatusCode)
		}
	})
}

func TestAPIUnitBatch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		a, b := app.newUnit(t, donation), app.newUnit(t, donation)
		// b goes to diagnosed: moving it to diagnosed again is refused.
		app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+b.Code+"/transitions", map[string]any{"to": "diagnosed"})
		req := map[string]any{"action": "transition", "to": "diagnosed", "codes": []string{strings.ToLower(a.Code), b.Code, "ZZZZZZZ"}, "dry_run": true}
		r := decode[batchResult](t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/batch", req))
		if r.Items[0].Result != "ok" || r.Items[0].Code != inventoryCode(a.Code) || r.Items[1].Result != "refused" || r.Items[2].Result != "unknown" || r.Applied != 0 {
			t.Fatalf("dry run %+v", r)
		}
		if u := decode[unitBody](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units/"+a.Code, nil)); u.Status != "received" {
			t.Fatalf("a dry run moved the unit to %s", u.Status)
		}
		req["dry_run"] = false
		r = decode[batchResult](t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/batch", req))
		if r.Applied != 1 || r.Total != 3 || r.Items[1].Message == "" {
			t.Fatalf("apply %+v", r)
		}
		if u := decode[unitBody](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units/"+a.Code, nil)); u.Status != "diagnosed" {
			t.Fatalf("applied unit is %s", u.Status)
		}
		// Volunteers may look units up but not move them.
		expectProblem(t, app.api(ordi.RoleVolunteer, http.MethodPost, "/api/v1/units/batch", req), http.StatusForbidden)
		open := decode[batchResult](t, app.api(ordi.RoleVolunteer, http.MethodPost, "/api/v1/units/batch", map[string]any{"action": "open", "codes": []string{a.Code}, "dry_run": true}))
		if open.Items[0].Result != "ok" {
			t.Fatalf("volunteer lookup %+v", open)
		}
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/batch", map[string]any{"action": "explode", "codes": []string{a.Code}}), http.StatusUnprocessableEntity, "action")
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/batch", map[string]any{"action": "open", "codes": []string{}}), http.StatusUnprocessableEntity, "codes")
	})
}

func inventoryCode(s string) inventory.Code { return inventory.Code(s) }
