package web

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

// TestErasureCategoryChecked: the API and the unit page refuse a NIST
// category the method does not achieve on the medium (a one-pass overwrite
// of an SSD called Purge, as the demo used to record), with a French message
// naming what is allowed, and record a consistent one with its method and
// medium. The page offers the methods and preselects the unit's medium.
func TestErasureCategoryChecked(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		u := app.newUnit(t, app.newDonation(t)) // 256 GB SSD
		path := "/api/v1/units/" + u.Code + "/erasures"
		p := expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, path, map[string]any{
			"category": "purge", "technique": "Écrasement 1 passe aléatoire + vérification", "result": "passed"}), http.StatusUnprocessableEntity, "category")
		if msg := p.Errors[0].Message; !strings.Contains(msg, "« Effacement logique (Clear) »") || !strings.Contains(msg, "SSD SATA") {
			t.Fatalf("message %q does not say what is allowed", msg)
		}
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, path, map[string]any{
			"category": "purge", "method": "degauss", "technique": "Démagnétiseur", "result": "passed"}), http.StatusUnprocessableEntity, "method")
		res := app.api(ordi.RoleStaff, http.MethodPost, path, map[string]any{"category": "clear", "method": "overwrite", "technique": "nwipe PRNG", "result": "passed"})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("consistent erasure: %d %s", res.StatusCode, readBody(res))
		}
		if e := decode[map[string]any](t, res); e["method"] != "overwrite" || e["medium"] != "ssd" || e["category"] != "clear" {
			t.Fatalf("recorded %v", e)
		}

		staff := app.login(ordi.RoleStaff)
		body := readBody(app.get(staff, "/u/"+u.Code))
		for _, want := range []string{`<select name="method" required>`, `<option value="sanitize">`, `<option value="ssd" selected>`} {
			if !strings.Contains(body, want) {
				t.Errorf("unit page lacks %s", want)
			}
		}
		form := url.Values{"medium": {"ssd"}, "method": {"overwrite"}, "category": {"purge"}, "technique": {"1 passe"}, "result": {"passed"}}
		res = app.postForm(staff, "/u/"+u.Code+"/erasures", form)
		body = html.UnescapeString(readBody(res))
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "catégorie possible : « Effacement logique (Clear) »") || !strings.Contains(body, `<option value="overwrite" selected>`) {
			t.Fatalf("form with purge by overwrite: %d", res.StatusCode)
		}
		list := decode[struct{ Items []map[string]any }](t, app.api(ordi.RoleStaff, http.MethodGet, path, nil))
		if len(list.Items) != 1 {
			t.Fatalf("%d erasures after a refused form, want 1", len(list.Items))
		}
		form.Set("method", "sanitize")
		form.Set("technique", "")
		if res := app.postForm(staff, "/u/"+u.Code+"/erasures", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("form with purge by sanitize: %d %s", res.StatusCode, readBody(res))
		}
	})
}
