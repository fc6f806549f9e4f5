package web

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

// TestPrintQueueChecksUnitsStillToLabel: the queue lists every unit never
// printed but pre-checks only those still to be labelled, not dismantled,
// recycled or handed-over ones; after a refused print it shows what the
// person had checked, not everything.
func TestPrintQueueChecksUnitsStillToLabel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		fresh, gone, scrap := app.newUnit(t, donation), app.newUnit(t, donation), app.newUnit(t, donation)
		_, handed := app.reserved(t, "Famille Remise", donation)
		for _, u := range []unitBody{gone, scrap} {
			app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+u.Code+"/erasures", map[string]any{"category": "destroy", "technique": "broyage", "result": "passed"})
		}
		if res := app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+scrap.Code+"/transitions", map[string]any{"to": "dismantled"}); res.StatusCode != http.StatusOK {
			t.Fatalf("dismantle: %d", res.StatusCode)
		}
		if res := app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+gone.Code+"/transitions", map[string]any{"to": "recycled", "outlet": "Ecologic", "outlet_reference": "BE-1"}); res.StatusCode != http.StatusOK {
			t.Fatalf("recycle: %d", res.StatusCode)
		}
		db.Exec("UPDATE units SET status = 'handed_over' WHERE code = ?", handed.Code) // as a handover leaves it
		c := app.login(ordi.RoleVolunteer)
		checked := func(body, code string) bool {
			m := regexp.MustCompile(`value="` + code + `" aria-label="Imprimer ` + code + `"( checked)?>`).FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("%s is not in the queue", code)
			}
			return m[1] != ""
		}
		body := readBody(app.get(c, "/labels"))
		want := map[string]bool{fresh.Code: true, gone.Code: false, scrap.Code: false, handed.Code: false}
		for code, w := range want {
			if got := checked(body, code); got != w {
				t.Errorf("%s checked = %v, want %v", code, got, w)
			}
		}
		// A refused print (bad skip) keeps the person's selection.
		res := app.postForm(c, "/labels/print", url.Values{"template": {"L7163"}, "skip": {"99"}, "codes": {scrap.Code}, "print": {"1"}})
		body = readBody(res)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("bad skip: %d", res.StatusCode)
		}
		if !checked(body, scrap.Code) || checked(body, fresh.Code) {
			t.Error("the refused print does not show the person's own selection")
		}
	})
}
