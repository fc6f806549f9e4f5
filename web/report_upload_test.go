package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

// uploadReport sends the unit page's upload form with a file.
func (a *testApp) uploadReport(t *testing.T, c *http.Client, code, name string, content []byte) *http.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if content != nil {
		part, err := mw.CreateFormFile("report", name)
		if err != nil {
			t.Fatal(err)
		}
		part.Write(content)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, a.url("/u/"+code+"/reports"), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return a.do(c, req)
}

// TestUnitPageReports: staff attach a report from the unit page, see the
// drives, the kept file and each disagreement with both values, and settle
// one; bad files get a French message on the form and change nothing.
func TestUnitPageReports(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		u := app.newUnit(t, app.newDonation(t)) // Dell Latitude 5490, 8 GB
		staff := app.login(ordi.RoleStaff)

		page := readBody(app.get(staff, "/u/"+u.Code))
		if !strings.Contains(page, "Aucun disque connu") || !strings.Contains(page, "Joindre le rapport") {
			t.Fatalf("empty states and upload form missing:\n%s", page)
		}

		res := app.uploadReport(t, staff, u.Code, "bonjour.txt", []byte("Bonjour"))
		if body := readBody(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Format de rapport inconnu") {
			t.Fatalf("unknown file: %d\n%s", res.StatusCode, body)
		}
		res = app.uploadReport(t, staff, u.Code, "", nil)
		if body := readBody(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Choisissez le fichier du rapport") {
			t.Fatalf("no file: %d\n%s", res.StatusCode, body)
		}

		res = app.uploadReport(t, staff, u.Code, "toshiba.json", []byte(toolReport(t, "lshw-toshiba-portege-r700.json")))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %d %s", res.StatusCode, readBody(res))
		}
		page = readBody(app.get(staff, "/u/"+u.Code))
		for _, want := range []string{"101022PBN40317KS46YE", "500 Go", "Rapport lshw joint", "désaccords avec la fiche",
			"Le rapport ne dit pas la même chose que la fiche", "PORTEGE R700", "Latitude 5490", "outil joint", "SHA-256"} {
			if !strings.Contains(page, want) {
				t.Errorf("unit page lacks %q", want)
			}
		}
		// Settle the model: take the report's value.
		m := regexp.MustCompile(`<h3>Modèle</h3>\s*<div class="grid">\s*<form method="post" action="(/u/[^"]+/conflicts/\d+)">\s*<input type="hidden" name="version" value="(\d+)">`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no form for the model's conflict:\n%s", page)
		}
		res = app.postForm(staff, m[1], url.Values{"choice": {"reported"}, "version": {"999"}})
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("stale version: %d", res.StatusCode)
		}
		res = app.postForm(staff, m[1], url.Values{"choice": {"reported"}, "version": {m[2]}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("settle: %d %s", res.StatusCode, readBody(res))
		}
		page = readBody(app.get(staff, "/u/"+u.Code))
		if !strings.Contains(page, "<h1>Dell PORTEGE R700</h1>") || strings.Contains(page, "<h3>Modèle</h3>") {
			t.Errorf("the model was not taken from the report:\n%s", page)
		}

		// A volunteer sees the drives, not the reports nor the forms.
		page = readBody(app.get(app.login(ordi.RoleVolunteer), "/u/"+u.Code))
		if !strings.Contains(page, "101022PBN40317KS46YE") || strings.Contains(page, "Joindre le rapport") || strings.Contains(page, "Rapports des outils") {
			t.Errorf("volunteer's page:\n%s", page)
		}
	})
}
