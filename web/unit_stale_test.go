package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

// staleMessage is the start of the French answer to an action decided on a
// page or a scan that no longer shows the unit as it is.
const staleMessage = "Cette unité a changé depuis que vous l"

// refurbishedUnit returns a unit moved to refurbished through the API.
func (a *testApp) refurbishedUnit(t *testing.T) unitBody {
	t.Helper()
	u := a.newUnit(t, a.newDonation(t))
	a.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+u.Code+"/erasures", map[string]any{"category": "purge", "technique": "sanitize", "result": "passed"})
	for _, to := range []string{"diagnosed", "wiped", "refurbished"} {
		if res := a.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+u.Code+"/transitions", map[string]any{"to": to}); res.StatusCode != http.StatusOK {
			t.Fatalf("move to %s: %d %s", to, res.StatusCode, readBody(res))
		}
	}
	return decode[unitBody](t, a.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units/"+u.Code, nil))
}

// TestAPITransitionVersion: A moves a unit to ready; B, who still saw it
// refurbished, sends "diagnosed" with the version B saw and gets 409 with
// the unit as it now is, instead of silently undoing A. Without a version
// (a script), a move is accepted as before; a version that is no number is
// refused.
func TestAPITransitionVersion(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		seen := app.refurbishedUnit(t)
		path := "/api/v1/units/" + seen.Code + "/transitions"
		res := app.api(ordi.RoleStaff, http.MethodPost, path, map[string]any{"to": "ready", "version": seen.Version})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("A: %d %s", res.StatusCode, readBody(res))
		}
		res = app.api(ordi.RoleStaff, http.MethodPost, path, map[string]any{"to": "diagnosed", "version": seen.Version})
		body := decode[map[string]any](t, res)
		current, _ := body["current"].(map[string]any)
		if res.StatusCode != http.StatusConflict || current["status"] != "ready" || current["qr_url"] == nil ||
			!strings.HasPrefix(body["detail"].(string), staleMessage) || !strings.Contains(body["detail"].(string), "« Prêt »") {
			t.Fatalf("B on a stale version: %d %v", res.StatusCode, body)
		}
		if got := decode[unitBody](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units/"+seen.Code, nil)); got.Status != "ready" {
			t.Fatalf("B undid A: the unit is %s", got.Status)
		}
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, path, map[string]any{"to": "diagnosed", "version": -3}), http.StatusUnprocessableEntity, "version")
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, path, `{"to": "diagnosed", "version": "deux"}`), http.StatusBadRequest)
		res = app.api(ordi.RoleStaff, http.MethodPost, path, map[string]any{"to": "diagnosed", "version": float64(current["version"].(float64))})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("move on the current version: %d %s", res.StatusCode, readBody(res))
		}
		if res := app.api(ordi.RoleStaff, http.MethodPost, path, map[string]any{"to": "ready"}); res.StatusCode != http.StatusConflict {
			t.Fatalf("diagnosed to ready is illegal: %d", res.StatusCode)
		}
		// A script that sends no version still moves units.
		u := app.newUnit(t, app.newDonation(t))
		if res := app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+u.Code+"/transitions", map[string]any{"to": "diagnosed"}); res.StatusCode != http.StatusOK {
			t.Fatalf("move without a version: %d %s", res.StatusCode, readBody(res))
		}
	})
}

// TestAPIErasureVersion: an erasure sent with the version of a page shown
// before another erasure is 409 with the current unit and records nothing.
func TestAPIErasureVersion(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		u := app.newUnit(t, app.newDonation(t))
		path := "/api/v1/units/" + u.Code + "/erasures"
		erasure := map[string]any{"category": "purge", "technique": "sanitize", "drive_serial": "S1", "result": "passed", "version": u.Version}
		if res := app.api(ordi.RoleStaff, http.MethodPost, path, erasure); res.StatusCode != http.StatusCreated {
			t.Fatalf("erasure: %d %s", res.StatusCode, readBody(res))
		}
		erasure["result"] = "failed"
		res := app.api(ordi.RoleStaff, http.MethodPost, path, erasure)
		body := decode[map[string]any](t, res)
		if current, _ := body["current"].(map[string]any); res.StatusCode != http.StatusConflict || current["version"] != float64(u.Version+1) {
			t.Fatalf("stale erasure: %d %v", res.StatusCode, body)
		}
		list := decode[struct{ Items []map[string]any }](t, app.api(ordi.RoleStaff, http.MethodGet, path, nil))
		if len(list.Items) != 1 || list.Items[0]["result"] != "passed" {
			t.Fatalf("erasures %v", list.Items)
		}
	})
}

// TestUnitPageSendsItsVersion: every action form of the unit page carries
// the version it was shown with; a step or an erasure posted from a page
// shown before someone else moved the unit is answered 409 with the French
// message and the page as it now is, and changes nothing.
func TestUnitPageSendsItsVersion(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		seen := app.refurbishedUnit(t)
		staff := app.login(ordi.RoleStaff)
		body := readBody(app.get(staff, "/u/"+seen.Code))
		forms := strings.Count(body, `action="/u/`+seen.Code+`/transition"`) + strings.Count(body, `action="/u/`+seen.Code+`/undo"`)
		versions := strings.Count(body, `name="version" value="`+strconv.Itoa(seen.Version)+`"`)
		if forms == 0 || versions != forms {
			t.Fatalf("%d step forms, %d carry the version %d", forms, versions, seen.Version)
		}
		// Someone else makes the unit ready.
		if res := app.postForm(staff, "/u/"+seen.Code+"/transition", url.Values{"to": {"ready"}, "version": {strconv.Itoa(seen.Version)}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("A: %d %s", res.StatusCode, readBody(res))
		}
		res := app.postForm(staff, "/u/"+seen.Code+"/transition", url.Values{"to": {"diagnosed"}, "version": {strconv.Itoa(seen.Version)}})
		body = readBody(res)
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, staleMessage) || !strings.Contains(body, "maintenant « Prêt »") ||
			!strings.Contains(body, `name="version" value="`+strconv.Itoa(seen.Version+1)+`"`) {
			t.Fatalf("stale step: %d", res.StatusCode)
		}
		if got := decode[unitBody](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units/"+seen.Code, nil)); got.Status != "ready" {
			t.Fatalf("a stale page moved the unit to %s", got.Status)
		}

		// The erasure form, on a unit at the workshop.
		u := app.newUnit(t, app.newDonation(t))
		body = readBody(app.get(staff, "/u/"+u.Code))
		if !regexp.MustCompile(`action="/u/` + u.Code + `/erasures"[^>]*>\s*<input type="hidden" name="version" value="1">`).MatchString(body) {
			t.Fatal("the erasure form lacks the version")
		}
		erasure := url.Values{"category": {"purge"}, "technique": {"sanitize"}, "drive_serial": {"S1"}, "result": {"passed"}, "version": {"1"}}
		if res := app.postForm(staff, "/u/"+u.Code+"/erasures", erasure); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("erasure: %d %s", res.StatusCode, readBody(res))
		}
		erasure.Set("result", "failed")
		res = app.postForm(staff, "/u/"+u.Code+"/erasures", erasure)
		if body := readBody(res); res.StatusCode != http.StatusConflict || !strings.Contains(body, staleMessage) {
			t.Fatalf("stale erasure: %d", res.StatusCode)
		}
		list := decode[struct{ Items []map[string]any }](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units/"+u.Code+"/erasures", nil))
		if len(list.Items) != 1 {
			t.Fatalf("%d erasures recorded, want 1", len(list.Items))
		}
	})
}

// TestAPIUnitBatchSeen: a batch transition carries the status each unit had
// when scanned; a unit moved by someone else since is refused with the
// French message and its current status, the others are moved; a status
// that does not exist is refused before anything moves.
func TestAPIUnitBatchSeen(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		a, b := app.newUnit(t, donation), app.newUnit(t, donation)
		req := map[string]any{"action": "transition", "to": "diagnosed", "codes": []string{a.Code, b.Code},
			"seen": map[string]string{strings.ToLower(a.Code): "received", b.Code: "received"}}
		// b is scanned, then diagnosed and dismantled by someone else.
		app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+b.Code+"/transitions", map[string]any{"to": "diagnosed"})
		app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+b.Code+"/erasures", map[string]any{"category": "destroy", "technique": "broyage", "result": "passed"})
		app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+b.Code+"/transitions", map[string]any{"to": "dismantled"})
		bad := map[string]any{"action": "transition", "to": "diagnosed", "codes": []string{a.Code}, "seen": map[string]string{a.Code: "lost"}}
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/batch", bad), http.StatusUnprocessableEntity, "seen")

		r := decode[batchResult](t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/batch", req))
		if r.Applied != 1 || r.Items[0].Result != "ok" || r.Items[1].Result != "refused" || r.Items[1].Status != "dismantled" ||
			!strings.HasPrefix(r.Items[1].Message, staleMessage) {
			t.Fatalf("batch %+v", r)
		}
		for code, want := range map[string]string{a.Code: "diagnosed", b.Code: "dismantled"} {
			if got := decode[unitBody](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units/"+code, nil)); got.Status != want {
				t.Fatalf("%s is %s, want %s", code, got.Status, want)
			}
		}
	})
}
