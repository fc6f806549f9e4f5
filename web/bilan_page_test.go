package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/reports"
)

// seedNominated writes n families of the test partner nominated at the
// app's "now", straight into the table.
func seedNominated(t *testing.T, a *testApp, n int, commune string) {
	t.Helper()
	now := a.clock.Now().UTC()
	for i := range n {
		err := a.db.Exec(`INSERT INTO households (reference, contact_name, commune, qpv, adults, children, school_children, has_computer, need,
			consent_at, consent_by_name, partner_id, status, created_at, updated_at)
			VALUES (?, 'Famille', ?, ?, 2, 1, 0, ?, 'any', ?, 'test', ?, 'nominated', ?, ?)`,
			fmt.Sprintf("F-W-%s-%d", commune, i), commune, true, false, now, a.partner.ID, now, now).Error
		if err != nil {
			t.Fatal(err)
		}
	}
}

// summaryCell finds a cell of the API's summary, as raw JSON.
func summaryCell(t *testing.T, body map[string]json.RawMessage, table, row, column string) json.RawMessage {
	t.Helper()
	var tables []struct {
		Key     string
		Columns []struct{ Key string }
		Rows    []struct {
			Key   string
			Cells []json.RawMessage
		}
	}
	if err := json.Unmarshal(body["tables"], &tables); err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		if tb.Key != table {
			continue
		}
		for ci, c := range tb.Columns {
			for _, r := range tb.Rows {
				if c.Key == column && r.Key == row {
					return r.Cells[ci]
				}
			}
		}
	}
	t.Fatalf("no cell %s/%s/%s", table, row, column)
	return nil
}

// checkNoSmallCounts fails when any count of families or people in the
// API's tables is published between 1 and threshold-1, or a hidden one
// carries anything but the rule.
func checkNoSmallCounts(t *testing.T, body map[string]json.RawMessage, threshold int) {
	t.Helper()
	var tables []struct {
		Key     string
		Columns []struct{ Key, Measure string }
		Rows    []struct {
			Key   string
			Cells []json.RawMessage
		}
	}
	if err := json.Unmarshal(body["tables"], &tables); err != nil {
		t.Fatal(err)
	}
	hidden := fmt.Sprintf(`{"suppressed":true,"below":%d}`, threshold)
	checked := 0
	for _, tb := range tables {
		for ci, c := range tb.Columns {
			if c.Measure != "families" && c.Measure != "people" {
				continue
			}
			for _, r := range tb.Rows {
				cell := string(r.Cells[ci])
				checked++
				var x float64
				if cell == hidden || cell == "null" {
					continue
				}
				if err := json.Unmarshal(r.Cells[ci], &x); err != nil || (x >= 1 && x < float64(threshold)) {
					t.Errorf("%s/%s/%s = %s", tb.Key, r.Key, c.Key, cell)
				}
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d cells of families or people checked", checked)
	}
}

// TestReportSummaryAPI checks the JSON of the Bilan: a count below the
// threshold travels as {"suppressed": true, "below": 5} and never as its
// number; a count at the threshold is a number; bad filters answer 422 on
// the field.
func TestReportSummaryAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		today := app.clock.Now().In(ordi.Paris).Format(ordi.DateLayout)
		seedNominated(t, app, 3, "Roubaix")
		seedNominated(t, app, 5, "Wattrelos")
		path := "/api/v1/reports/summary?from=" + today + "&to=" + today
		for _, role := range []ordi.Role{ordi.RoleAdmin, ordi.RoleStaff, ordi.RoleSocialWorker} {
			res := app.api(role, http.MethodGet, path, nil)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d %s", role, res.StatusCode, readBody(res))
			}
			raw := rawBody(res)
			var body map[string]json.RawMessage
			if err := json.Unmarshal([]byte(raw), &body); err != nil {
				t.Fatal(err)
			}
			// Roubaix 3 is hidden, and Wattrelos 5 with it: the total 8
			// would give Roubaix back.
			for _, row := range []string{"Roubaix", "Wattrelos"} {
				if got := string(summaryCell(t, body, reports.TableByCommune, row, "nominated")); got != `{"suppressed":true,"below":5}` {
					t.Errorf("%s: %s nominated = %s", role, row, got)
				}
			}
			if got := string(summaryCell(t, body, reports.TableByCommune, reports.TotalKey, "nominated")); got != "8" {
				t.Errorf("%s: total nominated = %s", role, got)
			}
			if got := string(summaryCell(t, body, reports.TableFunnel, "nominated", "families")); got != "8" {
				t.Errorf("%s: funnel nominated = %s", role, got)
			}
			checkNoSmallCounts(t, body, 5)
			if strings.Contains(raw, `"suppressed":true,"below":5,`) || strings.Contains(raw, `"value":3`) {
				t.Errorf("%s: a hidden cell carries more than the rule: %s", role, raw)
			}
			if role == ordi.RoleSocialWorker && !strings.Contains(string(body["scope"]), "CCAS de Test") {
				t.Errorf("social worker's scope: %s", body["scope"])
			}
		}
		for _, c := range []struct{ query, field string }{
			{"from=2026-03-10&to=2026-03-01", "to"},
			{"from=2026-13-01&to=2026-03-01", "from"},
			{"from=2010-01-01&to=2026-03-01", "to"},
			{"qpv=peut-etre", "qpv"},
			{"partner_id=999999", "partner_id"},
			{"partner_id=abc", "partner_id"},
			{"commune=" + strings.Repeat("x", 101), "commune"},
		} {
			expectProblem(t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/reports/summary?"+c.query, nil), http.StatusUnprocessableEntity, c.field)
		}
		expectProblem(t, app.api(ordi.RoleVolunteer, http.MethodGet, path, nil), http.StatusForbidden)
		expectProblem(t, app.api(ordi.RoleTrainer, http.MethodGet, path, nil), http.StatusForbidden)
	})
}

// TestBilanPage checks the page: the figures with "< 5", the partner filter
// for staff and not for social workers, French messages on bad dates (422),
// and the presets.
func TestBilanPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		seedNominated(t, app, 2, "Roubaix")
		staff := app.login(ordi.RoleStaff)
		res := app.get(staff, "/bilan")
		body := readBody(res)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", res.StatusCode, body)
		}
		for _, want := range []string{"Parcours des familles", "&lt; 5", `name="partner_id"`, "Ce trimestre", "L&#39;an dernier", "Période", `href="/bilan"`,
			`<svg`, `class="bilan-chart"`, `href="/bilan.pdf?from=`, `href="/bilan.xlsx?from=`, `href="/bilan.csv?from=`} {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %q: %s", want, body)
			}
		}
		worker := app.login(ordi.RoleSocialWorker)
		res = app.get(worker, "/bilan")
		body = readBody(res)
		if res.StatusCode != http.StatusOK || strings.Contains(body, `name="partner_id"`) || !strings.Contains(body, "CCAS de Test") {
			t.Errorf("social worker's page: %d, partner filter or scope wrong", res.StatusCode)
		}
		res = app.get(staff, "/bilan?from=2026-03-10&to=2026-03-01&commune=Roubaix")
		body = readBody(res)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "La fin de la période précède son début.") ||
			strings.Contains(body, "Parcours des familles") || !strings.Contains(body, `value="Roubaix"`) {
			t.Errorf("bad period: %d %s", res.StatusCode, body)
		}
		res = app.get(app.login(ordi.RoleVolunteer), "/bilan")
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("volunteer: %d", res.StatusCode)
		}
	})
}

// TestTargets checks the targets: the admin sets them (API and page), staff
// read them, and the home page and the Bilan show their progress.
func TestTargets(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		year := app.clock.Now().In(ordi.Paris).Year()
		in := reports.Targets{Year: year, FamiliesEquipped: 40, QPVShare: 60, UnitsReused: 100, KgDiverted: 500, TrainingHours: 120}
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPut, "/api/v1/settings/targets", in), http.StatusForbidden)
		expectProblem(t, app.api(ordi.RoleAdmin, http.MethodPut, "/api/v1/settings/targets", map[string]any{"year": year, "qpv_share": 140}),
			http.StatusUnprocessableEntity, "qpv_share")
		if res := app.api(ordi.RoleAdmin, http.MethodPut, "/api/v1/settings/targets", in); res.StatusCode != http.StatusOK {
			t.Fatalf("PUT: %d %s", res.StatusCode, readBody(res))
		}
		got := decode[struct {
			Threshold int
			Items     []reports.Targets
		}](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/settings/targets", nil))
		if got.Threshold != 5 || len(got.Items) != 1 || got.Items[0] != in {
			t.Errorf("GET: %+v", got)
		}
		expectProblem(t, app.api(ordi.RoleSocialWorker, http.MethodGet, "/api/v1/settings/targets", nil), http.StatusForbidden)
		body := readBody(app.get(app.login(ordi.RoleStaff), "/"))
		if !strings.Contains(body, fmt.Sprintf("Objectifs %d", year)) || !strings.Contains(body, "<progress") || !strings.Contains(body, "Familles équipées") {
			t.Errorf("home page without the targets: %s", body)
		}
		if body := readBody(app.get(app.login(ordi.RoleSocialWorker), "/")); strings.Contains(body, "<progress") {
			t.Error("a social worker's home page shows the programme's targets")
		}

		admin := app.login(ordi.RoleAdmin)
		form := url.Values{"year": {fmt.Sprint(year)}, "families_equipped": {"50"}, "qpv_share": {"55,5"}, "threshold": {"2"}}
		res := app.postForm(admin, "/admin/bilan", form)
		if body := readBody(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Le seuil va de 3 à 50") {
			t.Errorf("threshold 2: %d", res.StatusCode)
		}
		form.Set("threshold", "6")
		if res := app.postForm(admin, "/admin/bilan", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d %s", res.StatusCode, readBody(res))
		}
		got = decode[struct {
			Threshold int
			Items     []reports.Targets
		}](t, app.api(ordi.RoleAdmin, http.MethodGet, "/api/v1/settings/targets", nil))
		if got.Threshold != 6 || len(got.Items) != 1 || got.Items[0].QPVShare != 55.5 || got.Items[0].UnitsReused != 0 {
			t.Errorf("after the form: %+v", got)
		}
		if body := readBody(app.get(admin, "/admin/bilan")); !strings.Contains(body, `value="55.5"`) {
			t.Error("the admin page does not show the saved target")
		}
		today := app.clock.Now().In(ordi.Paris).Format(ordi.DateLayout)
		if body := readBody(app.get(admin, "/bilan?from="+today+"&to="+today)); !strings.Contains(body, "Objectifs de l'année") {
			t.Errorf("the Bilan does not show the targets: %s", body)
		}
	})
}
