package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

// TestFSEQuestions: off by default, the nomination form does not ask them
// and the API refuses answers; switched on by the administrator, the form
// asks them, the family page and both exports show the answers, the API
// checks them, and the erasure removes them.
func TestFSEQuestions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		sw, admin := app.login(ordi.RoleSocialWorker), app.login(ordi.RoleAdmin)
		if body := readBody(app.get(sw, "/families/new")); strings.Contains(body, `name="fse_labour_status"`) {
			t.Fatal("the form asks the FSE+ questions while they are off")
		}
		expectProblem(t, app.api(ordi.RoleSocialWorker, http.MethodPost, "/api/v1/households", map[string]any{
			"contact_name": "Mme Off", "commune": "Roubaix", "adults": 1, "need": "any", "consent": true, "fse_age_band": "18_29"}),
			http.StatusUnprocessableEntity, "fse_age_band")

		res := app.postForm(admin, "/admin/programme", url.Values{"qpv_required": {"on"}, "max_income_band": {"QF3"},
			"required_sessions": {"3"}, "fse_questions": {"on"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("rules: %d %s", res.StatusCode, readBody(res))
		}
		if body := readBody(app.get(admin, "/admin/programme")); !strings.Contains(body, `name="fse_questions" checked`) {
			t.Fatal("the setting is not shown as on")
		}
		body := readBody(app.get(sw, "/families/new"))
		for _, want := range []string{`name="fse_labour_status"`, `name="fse_age_band"`, `name="fse_education"`, "Ne souhaite pas répondre"} {
			if !strings.Contains(body, want) {
				t.Fatalf("form lacks %q", want)
			}
		}
		// Each question says why it is asked, as the others do.
		groups := []string{"notes", "fse_labour_status", "fse_age_band", "fse_education", "consent"}
		for i, name := range groups[:len(groups)-1] {
			start, end := strings.Index(body, `name="`+name+`"`), strings.Index(body, `name="`+groups[i+1]+`"`)
			if start < 0 || end < start || !strings.Contains(body[start:end], "<small>") {
				t.Errorf("field %s is missing, out of order or not explained", name)
			}
		}
		form := nominationForm("Mme Fse")
		form.Set("fse_labour_status", "long_term_unemployed")
		form.Set("fse_age_band", "55_plus")
		form.Set("fse_education", "declined")
		res = app.postForm(sw, "/families", form)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("nomination: %d %s", res.StatusCode, readBody(res))
		}
		page := res.Header.Get("Location")
		body = readBody(app.get(sw, page))
		for _, want := range []string{"chômage de longue durée", "55 ans et plus", "Ne souhaite pas répondre"} {
			if !strings.Contains(body, want) {
				t.Fatalf("family page lacks %q", want)
			}
		}
		if body := readBody(app.get(sw, page+"/export")); !strings.Contains(body, "chômage de longue durée") {
			t.Fatal("the family's copy lacks its FSE+ answers")
		}
		id := strings.TrimPrefix(page, "/families/")
		js := readBody(app.api(ordi.RoleSocialWorker, http.MethodGet, "/api/v1/households/"+id+"/export", nil))
		if !strings.Contains(js, `"fse_labour_status": "long_term_unemployed"`) || !strings.Contains(js, `"fse_age_band": "55_plus"`) {
			t.Fatalf("API export lacks the answers: %s", js)
		}
		// A bad answer is refused on its field, in French, and nothing is recorded.
		bad := nominationForm("Mme Mauvaise")
		bad.Set("fse_education", "bac+5")
		res = app.postForm(sw, "/families", bad)
		if b := readBody(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(b, "Niveau inconnu") {
			t.Fatalf("bad answer: %d %s", res.StatusCode, b)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM households"); n != 1 {
			t.Fatalf("%d files", n)
		}
		// Every read of the file is logged, the answers with it.
		if n := countRows(t, db, "SELECT COUNT(*) FROM audit_events WHERE object_type = 'household' AND object_id = ? AND action = 'household.read'", id); n == 0 {
			t.Fatal("read not logged")
		}
		var ref string
		db.Raw("SELECT reference FROM households WHERE id = ?", id).Scan(&ref)
		res = app.postForm(admin, page+"/erase", url.Values{"confirm": {ref}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("erase: %d %s", res.StatusCode, readBody(res))
		}
		if body := readBody(app.get(admin, page)); strings.Contains(body, "chômage de longue durée") || strings.Contains(body, "55 ans et plus") {
			t.Fatal("the erased file still shows its FSE+ answers")
		}
	})
}
