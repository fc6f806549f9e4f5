package web

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

// saturate gives the server a limiter of one turn and takes it, as a long
// print would: every expensive request must then be refused. It returns
// the function that gives the turn back.
func (a *testApp) saturate(t *testing.T) func() {
	t.Helper()
	a.srv.expensive = newLimiter(1, 0, time.Hour)
	release, err := a.srv.expensive.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return release
}

func countRows(t *testing.T, db *gorm.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestExpensiveWorkShedsLoad: while the expensive work's turns are all
// taken and nobody may wait, every route that renders a PDF or imports a
// CSV answers 503 with a Retry-After — a problem document on the API, the
// page (the handover form again, with the volunteer's input) otherwise —
// and changes nothing: no handover, no number, no label marked printed, no
// unit imported. Cheap routes are served meanwhile, and once a turn is
// free the same handover goes through.
func TestExpensiveWorkShedsLoad(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		rid, unit := app.reserved(t, "Famille Patiente", donation)
		done, _ := app.reserved(t, "Famille Remise", donation)
		res := app.api(ordi.RoleVolunteer, http.MethodPost, fmt.Sprintf("/api/v1/reservations/%d/handover", done), map[string]any{"signatory_name": "Mme Remise"})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("handover: %d %s", res.StatusCode, readBody(res))
		}
		attestation := decode[certificateRef](t, res).Number
		course := decode[struct{ ID int64 }](t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/courses", map[string]any{"title": "Atelier", "session_dates": []string{"2026-11-24"}, "required_sessions": 1}))
		staff, vol := app.login(ordi.RoleStaff), app.login(ordi.RoleVolunteer)
		units := countRows(t, db, "SELECT COUNT(*) FROM units")

		var upload bytes.Buffer
		mw := multipart.NewWriter(&upload)
		fw, _ := mw.CreateFormFile("file", "unites.csv")
		fmt.Fprintf(fw, "kind,brand\nlaptop,Dell\n")
		mw.Close()
		csv := fmt.Sprintf("donation_id,kind\n%d,laptop\n", donation)
		form := func(v url.Values) (string, string) { return "application/x-www-form-urlencoded", v.Encode() }
		jsonBody := func(v any) (string, string) { b, _ := jsonMarshal(v); return "application/json", string(b) }
		none := func() (string, string) { return "", "" }

		release := app.saturate(t)
		for _, tc := range []struct {
			method, path string
			client       *http.Client
			role         ordi.Role // for the API's bearer token
			body         func() (string, string)
			page         string // what the page must say, for pages
		}{
			{http.MethodPost, fmt.Sprintf("/api/v1/reservations/%d/handover", rid), nil, ordi.RoleVolunteer, func() (string, string) {
				return jsonBody(map[string]any{"signatory_name": "Mme Patiente"})
			}, ""},
			{http.MethodPost, fmt.Sprintf("/handovers/%d", rid), vol, "", func() (string, string) {
				return form(url.Values{"signatory_name": {"Mme Patiente"}, "paper": {"on"}})
			}, "Mme Patiente"},
			{http.MethodPost, "/api/v1/certificates/" + attestation + "/reissue", nil, ordi.RoleStaff, func() (string, string) {
				return jsonBody(map[string]any{"signatory_name": "Mme Remise", "reason": "orthographe"})
			}, ""},
			{http.MethodPost, "/certificates/" + attestation + "/correct", staff, "", func() (string, string) {
				return form(url.Values{"signatory_name": {"Mme Remise"}, "paper": {"on"}, "reason": {"orthographe"}})
			}, "orthographe"},
			{http.MethodPost, fmt.Sprintf("/api/v1/donations/%d/certificate", donation), nil, ordi.RoleStaff, func() (string, string) { return jsonBody(map[string]any{}) }, ""},
			{http.MethodPost, fmt.Sprintf("/donations/%d/certificate", donation), staff, "", func() (string, string) { return form(url.Values{}) }, "très occupé"},
			{http.MethodGet, fmt.Sprintf("/api/v1/donations/%d/receipt.pdf", donation), nil, ordi.RoleStaff, none, ""},
			{http.MethodGet, fmt.Sprintf("/courses/%d/sheet.pdf", course.ID), staff, "", none, "très occupé"},
			{http.MethodPost, "/api/v1/labels", nil, ordi.RoleVolunteer, func() (string, string) {
				return jsonBody(map[string]any{"codes": []string{unit.Code}, "template": "L7163"})
			}, ""},
			{http.MethodPost, "/labels/print", vol, "", func() (string, string) {
				return form(url.Values{"codes": {unit.Code}, "template": {"L7163"}})
			}, "très occupé"},
			{http.MethodGet, "/labels/calibration/L7163", vol, "", none, "très occupé"},
			{http.MethodPost, "/api/v1/units/import", nil, ordi.RoleStaff, func() (string, string) { return "text/csv", csv }, ""},
			{http.MethodPost, fmt.Sprintf("/donations/%d/import", donation), staff, "", func() (string, string) {
				return mw.FormDataContentType(), upload.String()
			}, "très occupé"},
			{http.MethodPost, fmt.Sprintf("/api/v1/donations/%d/import/preview", donation), nil, ordi.RoleStaff, func() (string, string) { return "text/csv", "Type;Marque\nPortable;Dell\n" }, ""},
			{http.MethodPost, fmt.Sprintf("/api/v1/donations/%d/import", donation), nil, ordi.RoleStaff, func() (string, string) { return "text/csv", "Type;Marque\nPortable;Dell\n" }, ""},
			{http.MethodPost, "/api/v1/units/" + unit.Code + "/reports", nil, ordi.RoleStaff, func() (string, string) { return "application/json", `{"id": "ordi", "class": "system"}` }, ""},
			// Workbooks and the Bilan's documents are CPU and memory too.
			{http.MethodGet, "/api/v1/units.xlsx", nil, ordi.RoleStaff, none, ""},
			{http.MethodGet, "/api/v1/donations.xlsx", nil, ordi.RoleStaff, none, ""},
			{http.MethodGet, "/api/v1/households.xlsx", nil, ordi.RoleStaff, none, ""},
			{http.MethodGet, "/api/v1/reports/summary.xlsx", nil, ordi.RoleStaff, none, ""},
			{http.MethodGet, "/api/v1/reports/summary.pdf", nil, ordi.RoleStaff, none, ""},
			{http.MethodGet, "/bilan.pdf", staff, "", none, "très occupé"},
		} {
			t.Run(tc.method+" "+tc.path, func(t *testing.T) {
				contentType, body := tc.body()
				req, _ := http.NewRequest(tc.method, app.url(tc.path), strings.NewReader(body))
				if contentType != "" {
					req.Header.Set("Content-Type", contentType)
				}
				if tc.role != "" {
					req.Header.Set("Authorization", "Bearer "+app.tokens[tc.role])
				}
				res := app.do(tc.client, req)
				if res.StatusCode != http.StatusServiceUnavailable {
					t.Fatalf("status %d, want 503: %s", res.StatusCode, readBody(res))
				}
				if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || s <= 0 {
					t.Fatalf("Retry-After %q", res.Header.Get("Retry-After"))
				}
				if tc.client == nil {
					expectProblem(t, res, http.StatusServiceUnavailable)
				} else if body := readBody(res); !strings.Contains(body, tc.page) || !strings.Contains(body, "réessayez") {
					t.Fatalf("the page does not say what happened (want %q)", tc.page)
				}
			})
		}
		// Nothing happened, and the cheap routes were served all along.
		if n := countRows(t, db, "SELECT COUNT(*) FROM reservations WHERE id = ? AND status = 'active'", rid); n != 1 {
			t.Fatal("a shed handover closed the reservation")
		}
		if n := countRows(t, db, "SELECT COALESCE(SUM(value), 0) FROM sequences WHERE series IN ('REM', 'DON')"); n != 1 {
			t.Fatalf("shed requests took numbers: %d taken, want 1", n)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM units WHERE label_printed_at IS NOT NULL"); n != 0 {
			t.Fatalf("%d labels marked printed by a shed print", n)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM units"); n != units {
			t.Fatalf("%d units after shed imports, want %d", n, units)
		}
		for _, path := range []string{"/readyz", "/api/v1/units/" + unit.Code, "/api/v1/certificates/" + attestation + ".pdf", "/api/v1/units.csv", "/api/v1/reports/summary.csv"} {
			if res := app.api(ordi.RoleStaff, http.MethodGet, path, nil); res.StatusCode != http.StatusOK {
				t.Fatalf("%s while saturated: %d", path, res.StatusCode)
			}
		}
		release()
		res = app.api(ordi.RoleVolunteer, http.MethodPost, fmt.Sprintf("/api/v1/reservations/%d/handover", rid), map[string]any{"signatory_name": "Mme Patiente"})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("handover once free: %d %s", res.StatusCode, readBody(res))
		}
	})
}
