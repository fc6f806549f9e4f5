package web

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

// unitCacheOf reads the payload a unit page gives the tablet to keep.
func unitCacheOf(t *testing.T, page string) (unitCache, string) {
	t.Helper()
	m := regexp.MustCompile(`<div id="unit-cache" hidden data-unit="([^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no unit-cache element on the unit page")
	}
	raw := html.UnescapeString(m[1])
	var c unitCache
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		t.Fatalf("unit cache %q: %v", raw, err)
	}
	return c, raw
}

// TestUnitPageOfflineCache: a unit's page carries what the tablet keeps for
// reading offline (code, status, description, last events), never a
// family's reference or name, nor an event's note; its actions are marked
// for the offline queue, and every signed-in page has the queue's banner
// and scripts.
func TestUnitPageOfflineCache(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		rid, reserved := app.reserved(t, canaryName, donation)
		ref := decode[struct {
			Reference string `json:"household_reference"`
		}](t, app.api(ordi.RoleStaff, http.MethodGet, fmt.Sprintf("/api/v1/reservations/%d", rid), nil)).Reference
		if ref == "" {
			t.Fatal("no household reference to look for")
		}
		staff := app.login(ordi.RoleStaff)

		page := readBody(app.get(staff, "/u/"+reserved.Code))
		c, raw := unitCacheOf(t, page)
		if string(c.Code) != reserved.Code || c.Status != "reserved" || c.StatusLabel != "Réservé" || len(c.Events) == 0 || len(c.Spec) == 0 {
			t.Fatalf("cache of the reserved unit: %+v", c)
		}
		if strings.Contains(raw, ref) || strings.Contains(raw, canaryName) {
			t.Fatalf("the cache names the family: %s", raw)
		}
		if !strings.Contains(page, ref) {
			t.Fatalf("the page itself should show the reservation's reference %s (the test would prove nothing)", ref)
		}

		// A note is free text: it stays on the server.
		u := app.newUnit(t, donation)
		res := app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+u.Code+"/transitions", map[string]any{"to": "diagnosed", "note": "Pour " + canaryName})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("transition: %d %s", res.StatusCode, readBody(res))
		}
		page = readBody(app.get(staff, "/u/"+u.Code))
		c, raw = unitCacheOf(t, page)
		if strings.Contains(raw, canaryName) || !strings.Contains(page, canaryName) {
			t.Fatalf("the note in the cache: %s", raw)
		}
		if c.Version != 2 || c.Status != "diagnosed" || c.Events[0].Label != "Réceptionné → Diagnostiqué" || len(c.Events) > cachedEvents {
			t.Fatalf("cache of the diagnosed unit: %+v", c)
		}
		for _, want := range []string{
			`action="/u/` + u.Code + `/erasures" data-queue="Unité ` + u.Code + ` : effacement des données"`,
			fmt.Sprintf(`id="queue" class="container-fluid queue hidden" data-user="%d"`, app.users[ordi.RoleStaff].ID),
			app.srv.assets.url("vendor/idb/umd.js"),
			app.srv.assets.url("queue.js"),
		} {
			if !strings.Contains(page, want) {
				t.Errorf("the unit page lacks %s", want)
			}
		}
		fresh := app.newUnit(t, donation)
		if page := readBody(app.get(staff, "/u/"+fresh.Code)); !strings.Contains(page, `action="/u/`+fresh.Code+`/transition" class="step" data-queue="Unité `+fresh.Code+` : Marquer comme diagnostiqué"`) {
			t.Error("the unit page's step is not marked for the queue")
		}
		// Signed out, no banner.
		if login := readBody(app.get(app.client(), "/login")); strings.Contains(login, `id="queue"`) {
			t.Error("the login page has the queue's banner")
		}
	})
}
