package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

func toolReport(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "inventory", "hwreport", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// postReport sends a tool's report as the body, with the given Content-Type.
func (a *testApp) postReport(t *testing.T, role ordi.Role, code, body, ctype string) *http.Response {
	t.Helper()
	req := newRequest(t, http.MethodPost, a.url("/api/v1/units/"+code+"/reports"))
	req.Body = ioNopCloser(body)
	req.ContentLength = int64(len(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Authorization", "Bearer "+a.tokens[role])
	return a.do(nil, req)
}

type reportBody struct {
	ID        int64  `json:"id"`
	Kind      string `json:"kind"`
	SHA256    string `json:"sha256"`
	Unit      unitBody
	Drives    []map[string]any `json:"drives"`
	Erasures  []map[string]any `json:"erasures"`
	Conflicts []struct {
		ID       int64  `json:"id"`
		Field    string `json:"field"`
		Current  string `json:"current"`
		Reported string `json:"reported"`
	} `json:"conflicts"`
}

func TestAPIReports(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		u := app.newUnit(t, donation) // Dell Latitude 5490, 8 GB
		lshw := toolReport(t, "lshw-dell-optiplex-745.json")

		res := app.postReport(t, ordi.RoleStaff, u.Code, lshw, "application/octet-stream")
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("lshw: %d %s", res.StatusCode, readBody(res))
		}
		got := decode[reportBody](t, res)
		sum := sha256.Sum256([]byte(lshw))
		if got.Kind != "lshw" || got.SHA256 != hex.EncodeToString(sum[:]) || got.Unit.Code != u.Code || len(got.Drives) != 1 {
			t.Fatalf("answer %+v", got)
		}
		fields := map[string]string{}
		for _, c := range got.Conflicts {
			fields[c.Field] = c.Current + " | " + c.Reported
		}
		if fields["model"] != "Latitude 5490 | OptiPlex 745" || fields["ram_gb"] != "8 | 2" || got.Unit.Model != "Latitude 5490" {
			t.Errorf("conflicts %v, unit %+v", fields, got.Unit)
		}

		// smartctl, sent as JSON.
		res = app.postReport(t, ordi.RoleStaff, u.Code, toolReport(t, "smartctl-SAMSUNG_MZ7WD240HAFV-00003_21.json"), "application/json")
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("smartctl: %d %s", res.StatusCode, readBody(res))
		}

		// The file comes back as sent, and the list has both.
		res = app.api(ordi.RoleStaff, http.MethodGet, fmt.Sprintf("/api/v1/units/%s/reports/%d", u.Code, got.ID), nil)
		if body := rawBody(res); res.StatusCode != http.StatusOK || body != lshw || res.Header.Get("X-Content-SHA256") != got.SHA256 {
			t.Fatalf("download: %d, %d bytes", res.StatusCode, len(body))
		}
		list := decode[struct{ Items []map[string]any }](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units/"+u.Code+"/reports", nil))
		if len(list.Items) != 2 || list.Items[0]["kind"] != "lshw" || list.Items[1]["kind"] != "smartctl" {
			t.Fatalf("reports %v", list.Items)
		}
		drives := decode[struct{ Items []map[string]any }](t, app.api(ordi.RoleVolunteer, http.MethodGet, "/api/v1/units/"+u.Code+"/drives", nil))
		if len(drives.Items) != 2 {
			t.Fatalf("drives %v", drives.Items)
		}

		// A conflict settled on the version seen.
		var ram int64
		for _, c := range got.Conflicts {
			if c.Field == "ram_gb" {
				ram = c.ID
			}
		}
		path := fmt.Sprintf("/api/v1/units/%s/conflicts/%d", u.Code, ram)
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, path, map[string]any{"choice": "reported", "version": got.Unit.Version + 3}), http.StatusConflict)
		res = app.api(ordi.RoleStaff, http.MethodPost, path, map[string]any{"choice": "reported", "version": got.Unit.Version})
		if nu := decode[unitBody](t, res); res.StatusCode != http.StatusOK || nu.RAMGB != 2 {
			t.Fatalf("resolve: %d %+v", res.StatusCode, nu)
		}

		// Bad input: 422 naming what was expected, 413 over 2 MB, 409 for
		// another unit's machine; nothing attached.
		p := expectProblem(t, app.postReport(t, ordi.RoleStaff, u.Code, "Bonjour", "text/plain"), http.StatusUnprocessableEntity, "report")
		if !strings.Contains(p.Detail, "lshw -json") {
			t.Errorf("422 detail %q", p.Detail)
		}
		expectProblem(t, app.postReport(t, ordi.RoleStaff, u.Code, lshw[:len(lshw)/3], "application/json"), http.StatusUnprocessableEntity, "report")
		expectProblem(t, app.postReport(t, ordi.RoleStaff, u.Code, strings.Repeat(" ", 2<<20+1), ""), http.StatusRequestEntityTooLarge)
		other := app.newUnit(t, donation)
		p = expectProblem(t, app.postReport(t, ordi.RoleStaff, other.Code, lshw, "application/octet-stream"), http.StatusConflict)
		if !strings.Contains(p.Detail, u.Code) {
			t.Errorf("409 does not name %s: %q", u.Code, p.Detail)
		}
		expectProblem(t, app.postReport(t, ordi.RoleVolunteer, u.Code, lshw, ""), http.StatusForbidden)
		var n int64
		db.Table("unit_reports").Count(&n)
		if n != 2 {
			t.Errorf("%d reports kept, want 2", n)
		}
	})
}

// TestAPIReportOddBytes: a report is a file kept byte for byte; a NUL or a
// byte outside UTF-8 in a firmware string (DMI strings in Latin-1 exist)
// does not refuse it, and never reaches the unit's fields.
func TestAPIReportOddBytes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		res := app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units", map[string]any{"donation_id": donation, "kind": "desktop"})
		u := decode[unitBody](t, res)
		lshw := strings.Replace(toolReport(t, "lshw-dell-optiplex-745.json"), `"OptiPlex 745"`, "\"Opti\\u0000Plex 745 caf\xe9\"", 1)
		res = app.postReport(t, ordi.RoleStaff, u.Code, lshw, "application/json")
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("%d %s", res.StatusCode, readBody(res))
		}
		got := decode[reportBody](t, res)
		if got.Unit.Model != "OptiPlex 745 caf" {
			t.Errorf("model %q", got.Unit.Model)
		}
		res = app.api(ordi.RoleStaff, http.MethodGet, fmt.Sprintf("/api/v1/units/%s/reports/%d", u.Code, got.ID), nil)
		if rawBody(res) != lshw {
			t.Error("the file is not kept byte for byte")
		}
	})
}
