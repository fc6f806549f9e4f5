package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

// TestFamilyExportPage: the family's copy of its data reads in French —
// labels, not JSON keys or codes — with its course, and who read its file;
// the JSON stays a click away, and the family page leads there.
func TestFamilyExportPage(t *testing.T) {
	app := newTestApp(t, dbtest.OpenSQLite(t)).withUsers() // a page's wording: the database plays no part
	sw := app.login(ordi.RoleSocialWorker)
	form := nominationForm("Mme Aïcha Benali")
	form.Set("phone", "06 12 34 56 78")
	res := app.postForm(sw, "/families", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("nominate: %d", res.StatusCode)
	}
	family := res.Header.Get("Location")
	if body := readBody(app.get(sw, family)); !strings.Contains(body, `href="`+family+`/export"`) {
		t.Fatal("the family page does not lead to the readable copy")
	}
	res = app.get(sw, family+"/export")
	body := readBody(res)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("export page: %d", res.StatusCode)
	}
	for _, want := range []string{"Vos données dans le programme", "Mme Aïcha Benali", "06 12 34 56 78", "Quartier prioritaire", "QF 2",
		"Portable ou fixe", "Orientée", "CCAS de Test", "Qui a consulté ou modifié votre dossier", "lecture du dossier", "orientation",
		fmt.Sprintf("/api/v1/households/%s/export", strings.TrimPrefix(family, "/families/"))} {
		if !strings.Contains(body, want) {
			t.Errorf("the copy lacks %q", want)
		}
	}
	for _, code := range []string{"contact_name", "income_bracket", "household.read", "nominated", ">any<", "QF2<"} {
		if strings.Contains(body, code) {
			t.Errorf("the copy shows the code %q", code)
		}
	}
}
