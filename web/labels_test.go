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
	"github.com/ordi-app/ordi/labels"
	"github.com/ordi-app/ordi/pdfdoc/pdftest"
)

// checkLabelPDF rasterises a labels PDF and decodes the QR of every cell of
// template: after skip blank cells they must hold the units' URLs, in the
// order of codes, and nothing else.
func checkLabelPDF(t *testing.T, app *testApp, pdf []byte, template string, skip int, codes ...string) {
	t.Helper()
	tpl, ok := labels.FindTemplate(template)
	if !ok {
		t.Fatalf("unknown template %s", template)
	}
	want := make([]string, len(codes))
	for i, c := range codes {
		want[i] = app.srv.unitURL(inventory.Code(c))
	}
	pdftest.CheckLabelQRs(t, pdf, tpl, skip, want)
}

func printed(t *testing.T, app *testApp, code string) bool {
	t.Helper()
	u := decode[unitBody](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units/"+code, nil))
	return u.LabelPrinted != nil
}

func TestAPILabels(t *testing.T) {
	pdftest.RequireTools(t)
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
		checkLabelPDF(t, app, pdf, "L7160", 2, a.Code)
		if !printed(t, app, a.Code) || printed(t, app, b.Code) {
			t.Fatal("printing marked the wrong units")
		}
		// The shortcut prints a whole donation.
		res = app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/labels", map[string]any{"donation_id": donation, "template": "DK-11209"})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("donation labels: %d %s", res.StatusCode, readBody(res))
		}
		// One label per page of the roll, oldest unit first.
		checkLabelPDF(t, app, []byte(readBody(res)), "DK-11209", 0, a.Code, b.Code)
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
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		pdftest.RequireTools(t)
		app := newTestApp(t, db, func(c *Config) { c.BaseURL, _ = url.Parse("https://ordi.regie.example") }).withUsers()
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
	})
}

func TestPrintQueuePage(t *testing.T) {
	pdftest.RequireTools(t)
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		a, b := app.newUnit(t, donation), app.newUnit(t, donation)
		c := app.login(ordi.RoleVolunteer)
		body := readBody(app.get(c, "/labels"))
		if !strings.Contains(body, a.Code) || !strings.Contains(body, b.Code) {
			t.Fatal("the queue lacks unprinted units")
		}
		// Nothing printed yet: L7163 is offered, and the skip input stops at
		// its 13 (not a fixed 23); every option carries its own bound.
		for _, want := range []string{`value="L7163" data-skip-max="13" selected`, `name="skip" min="0" max="13"`,
			`value="3474" data-skip-max="23"`, `value="L7160" data-skip-max="20"`, `value="DK-11209" data-skip-max="0"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the print queue lacks %s", want)
			}
		}
		// A preview marks nothing.
		res := app.postForm(c, "/labels/print", url.Values{"codes": {a.Code}, "template": {"L7163"}, "preview": {"1"}})
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("preview: %d", res.StatusCode)
		}
		checkLabelPDF(t, app, []byte(readBody(res)), "L7163", 0, a.Code)
		if printed(t, app, a.Code) {
			t.Fatal("a preview marked the label printed")
		}
		res = app.postForm(c, "/labels/print", url.Values{"codes": {a.Code}, "template": {"L7160"}, "skip": {"3"}, "print": {"1"}})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("print: %d %s", res.StatusCode, readBody(res))
		}
		checkLabelPDF(t, app, []byte(readBody(res)), "L7160", 3, a.Code)
		body = readBody(app.get(c, "/labels"))
		if strings.Contains(body, a.Code) || !strings.Contains(body, b.Code) {
			t.Fatal("the printed unit is still queued, or the other left")
		}
		// The paper is remembered for the next print, here and on the scan
		// page; the skip is not (it depends on the sheet in the tray).
		if !strings.Contains(body, `value="L7160" data-skip-max="20" selected`) || !strings.Contains(body, `name="skip" min="0" max="20" value="0"`) {
			t.Error("the print queue does not offer the paper last printed on")
		}
		if scan := readBody(app.get(c, "/scan")); !strings.Contains(scan, `value="L7160" data-skip-max="20" selected`) || !strings.Contains(scan, `id="scan-skip" form="scan-print" value="0" min="0" max="20"`) {
			t.Error("the scan page does not offer the paper last printed on")
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

// TestUnitPageReprintLabelSkip: the unit page's reprint form has a skip input
// (0 by default, bounded by the first template, L7163), and a reprint
// starting after used labels leaves those cells blank.
func TestUnitPageReprintLabelSkip(t *testing.T) {
	pdftest.RequireTools(t)
	app := newTestApp(t, dbtest.OpenSQLite(t)).withUsers()
	u := app.newUnit(t, app.newDonation(t))
	c := app.login(ordi.RoleVolunteer)
	body := readBody(app.get(c, "/u/"+u.Code))
	form := body[strings.Index(body, `class="reprint"`):]
	form = form[:strings.Index(form, "</form>")]
	for _, want := range []string{`name="skip" value="0" min="0" max="13"`, `value="DK-22205" data-skip-max="0"`} {
		if !strings.Contains(form, want) {
			t.Errorf("the reprint form lacks %s:\n%s", want, form)
		}
	}
	res := app.postForm(c, "/labels/print", url.Values{"codes": {u.Code}, "template": {"L7163"}, "skip": {"5"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("reprint: %d %s", res.StatusCode, readBody(res))
	}
	checkLabelPDF(t, app, []byte(readBody(res)), "L7163", 5, u.Code)
}

func TestAPIUnitBatch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		a, b := app.newUnit(t, donation), app.newUnit(t, donation)
		// b goes to diagnosed: moving it to diagnosed again says it already is.
		app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+b.Code+"/transitions", map[string]any{"to": "diagnosed"})
		req := map[string]any{"action": "transition", "to": "diagnosed", "codes": []string{strings.ToLower(a.Code), b.Code, "ZZZZZZZ"}, "dry_run": true}
		r := decode[batchResult](t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/batch", req))
		if r.Items[0].Result != "ok" || r.Items[0].Code != inventoryCode(a.Code) || r.Items[1].Result != "already" || r.Items[2].Result != "unknown" || r.Applied != 0 {
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

// TestAPIUnitBatchCountsACodeOnce: the same label scanned twice, however
// typed, is one unit in the total and is moved once.
func TestAPIUnitBatchCountsACodeOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		a, b := app.newUnit(t, donation), app.newUnit(t, donation)
		spaced := a.Code[:3] + "-" + strings.ToLower(a.Code[3:]) + " "
		codes := []string{a.Code, strings.ToLower(a.Code), b.Code, spaced, "NOTACODE", " notacode", b.Code}
		req := map[string]any{"action": "transition", "to": "diagnosed", "codes": codes, "dry_run": true}
		r := decode[batchResult](t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/batch", req))
		if r.Total != 3 || len(r.Items) != 3 || r.Items[0].Result != "ok" || r.Items[1].Result != "ok" || r.Items[2].Result != "unknown" {
			t.Fatalf("dry run %+v", r)
		}
		req["dry_run"] = false
		r = decode[batchResult](t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/batch", req))
		if r.Total != 3 || r.Applied != 2 || len(r.Items) != 3 {
			t.Fatalf("apply %+v", r)
		}
		for _, i := range r.Items[:2] {
			if i.Result != "ok" {
				t.Fatalf("a repeated code was refused: %+v", r)
			}
		}
		events := decode[struct {
			Items []struct{ Action string } `json:"items"`
		}](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units/"+a.Code+"/events", nil))
		moves := 0
		for _, e := range events.Items {
			if e.Action != "created" && e.Action != "label_printed" {
				moves++
			}
		}
		if moves != 1 {
			t.Fatalf("%d moves recorded for a unit scanned three times: %+v", moves, events.Items)
		}
		// The same for a print batch.
		p := decode[batchResult](t, app.api(ordi.RoleVolunteer, http.MethodPost, "/api/v1/units/batch", map[string]any{
			"action": "print", "template": "L7160", "skip": 20, "codes": []string{a.Code, strings.ToLower(a.Code)}, "dry_run": true}))
		if p.Total != 1 || len(p.Items) != 1 {
			t.Fatalf("print %+v", p)
		}
	})
}

// TestAPIUnitBatchPrintPaper: a print batch names its paper; a wrong
// template or a skip past the sheet (or any on a roll) is refused before
// the scan page opens a PDF.
func TestAPIUnitBatchPrintPaper(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		a := app.newUnit(t, app.newDonation(t))
		batch := func(tpl string, skip int) *http.Response {
			return app.api(ordi.RoleVolunteer, http.MethodPost, "/api/v1/units/batch", map[string]any{
				"action": "print", "template": tpl, "skip": skip, "codes": []string{a.Code, "ZZZZZZZ"}, "dry_run": true})
		}
		for name, tc := range map[string]struct {
			tpl   string
			skip  int
			field string
		}{
			"unknown template":  {"L9999", 0, "template"},
			"skip past L7160":   {"L7160", 21, "skip"},
			"negative skip":     {"L7163", -1, "skip"},
			"skip on a roll":    {"DK-11209", 1, "skip"},
			"skip and no paper": {"", 2, "template"},
		} {
			t.Run(name, func(t *testing.T) {
				expectProblem(t, batch(tc.tpl, tc.skip), http.StatusUnprocessableEntity, tc.field)
			})
		}
		for _, ok := range []struct {
			tpl  string
			skip int
		}{{"L7160", 20}, {"3474", 23}, {"DK-22205", 0}, {"", 0}} {
			r := decode[batchResult](t, batch(ok.tpl, ok.skip))
			if r.Total != 2 || r.Items[0].Result != "ok" || r.Items[1].Result != "unknown" || r.Items[1].Message != "Code inconnu" {
				t.Fatalf("%s skip %d: %+v", ok.tpl, ok.skip, r)
			}
		}
		if printed(t, app, a.Code) {
			t.Fatal("checking a print batch marked the label printed")
		}
	})
}

func inventoryCode(s string) inventory.Code { return inventory.Code(s) }
