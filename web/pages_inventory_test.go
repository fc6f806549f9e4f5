package web

import (
	"bytes"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

func TestDonationPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		c := app.login(ordi.RoleStaff)
		if body := readBody(app.get(c, "/donations")); !strings.Contains(body, "Enregistrer le premier don") {
			t.Fatal("empty donations page lacks its call to action")
		}
		// A bad SIRET keeps everything typed, and writes nothing.
		res := app.postForm(c, "/donations", url.Values{"donor": {"new"}, "name": {"Entreprise Été"}, "kind": {"company"}, "siret": {"12345678901234"}, "received_on": {"2026-11-01"}, "site": {"Atelier Nord"}})
		body := readBody(res)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Entreprise Été") || !strings.Contains(body, "Atelier Nord") || !strings.Contains(body, "SIRET") {
			t.Fatalf("bad SIRET: %d", res.StatusCode)
		}
		var n int64
		db.Table("donors").Count(&n)
		if n != 0 {
			t.Fatalf("a refused form wrote %d donors", n)
		}
		res = app.postForm(c, "/donations", url.Values{"donor": {"new"}, "name": {"Entreprise Été"}, "kind": {"company"}, "received_on": {"2026-11-01"}})
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/donations/") {
			t.Fatalf("create donation: %d %s", res.StatusCode, readBody(res))
		}
		page := res.Header.Get("Location")

		// Adding a unit remembers its description for the next one.
		add := url.Values{"kind": {"desktop"}, "brand": {"Dell"}, "model": {"OptiPlex 7060"}, "serial_number": {"SN1"}, "ram_gb": {"16"}, "storage_gb": {"512"}, "storage_kind": {"ssd"}, "weight_kg": {"5,2"}}
		res = app.postForm(c, page+"/units", add)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add unit: %d %s", res.StatusCode, readBody(res))
		}
		body = readBody(app.get(c, page))
		if !strings.Contains(body, `value="OptiPlex 7060"`) || !strings.Contains(body, `<option value="desktop" selected>`) || strings.Contains(body, `value="SN1"`) {
			t.Fatal("the add form does not remember the last description (or remembers the serial number)")
		}
		if !strings.Contains(body, "Unité ajoutée") {
			t.Fatal("no confirmation with the new code")
		}
		// A 300 kg laptop is refused with the input kept.
		res = app.postForm(c, page+"/units", url.Values{"kind": {"laptop"}, "brand": {"HP"}, "weight_kg": {"300"}, "storage_kind": {"none"}})
		if body := readBody(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Poids invraisemblable") || !strings.Contains(body, `value="HP"`) {
			t.Fatalf("300 kg laptop: %d", res.StatusCode)
		}
		db.Table("units").Count(&n)
		if n != 1 {
			t.Fatalf("%d units, want 1", n)
		}
	})
}

func postFile(t *testing.T, app *testApp, c *http.Client, path, content string) *http.Response {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, _ := w.CreateFormFile("file", "liste.csv")
	part.Write([]byte(content))
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, app.url(path), &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return app.do(c, req)
}

// TestDonationImportPage walks the page flow: upload, the mapping step with
// the first rows' problems, a corrected mapping, the import, the codes to
// print; a file that does not read, another user's upload, a second
// confirmation and a cancellation change nothing.
func TestDonationImportPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		c := app.login(ordi.RoleStaff)
		path := fmt.Sprintf("/donations/%d/import", donation)
		units := func() int64 {
			var n int64
			db.Table("units").Count(&n)
			return n
		}
		res := postFile(t, app, c, path, "Marque;Modèle\n")
		body := readBody(res)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Rien n'a été importé") || !strings.Contains(body, "aucune unité sous sa ligne") {
			t.Fatalf("unreadable file: %d", res.StatusCode)
		}
		// A donor's own columns, Windows-1252 as French Excel writes it.
		file := "Marque;Modèle;N° de série;Genre;Mémoire\nHP;EliteBook 840;SN1;Portable;8 Go\nDell;OptiPlex;SN2;Tour PC;huit\n"
		win, _ := charmap.Windows1252.NewEncoder().String(file)
		res = postFile(t, app, c, path, win)
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), path+"/") {
			t.Fatalf("upload: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		step := res.Header.Get("Location")
		body = readBody(app.get(c, step))
		for _, want := range []string{"CSV Windows-1252 (Excel)", "N° de série", `name="col_2"`, `<option value="serial_number" selected>`,
			"— ignorée —", "Type des lignes sans type", "Aucune colonne n'est associée au type", "huit"} {
			if !strings.Contains(body, want) {
				t.Errorf("mapping page lacks %q", want)
			}
		}
		// Another user cannot see or import the file.
		admin := app.login(ordi.RoleAdmin)
		if res := app.get(admin, step); res.StatusCode != http.StatusNotFound {
			t.Fatalf("another user's upload: %d", res.StatusCode)
		}
		if res := app.postForm(admin, step, url.Values{"action": {"import"}, "default_kind": {"laptop"}}); res.StatusCode != http.StatusNotFound {
			t.Fatalf("another user's import: %d", res.StatusCode)
		}
		// Staff map the kind column and its values and check.
		form := url.Values{"col_0": {"brand"}, "col_1": {"model"}, "col_2": {"serial_number"}, "col_3": {"kind"}, "col_4": {"ram_gb"},
			"action": {"preview"}}
		res = app.postForm(c, step, form)
		body = readBody(res)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "« Tour PC »") || !strings.Contains(body, `class="cell-error"`) || !strings.Contains(body, "type sans correspondance") ||
			!strings.Contains(body, "2 lignes du fichier sont refusées") {
			t.Fatalf("preview: %d", res.StatusCode)
		}
		// Importing with a bad row: nothing, with the line and the column.
		form.Set("value_0", "Portable")
		form.Set("kind_0", "laptop")
		form.Set("value_1", "Tour PC")
		form.Set("kind_1", "desktop")
		form.Set("action", "import")
		res = app.postForm(c, step, form)
		body = readBody(res)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Ligne 3 · <strong>Mémoire</strong>") || units() != 0 {
			t.Fatalf("bad row: %d, %d units", res.StatusCode, units())
		}
		// The column is left out: the import goes through.
		form.Set("col_4", "")
		res = app.postForm(c, step, form)
		if res.StatusCode != http.StatusSeeOther || units() != 2 {
			t.Fatalf("import: %d %s, %d units", res.StatusCode, readBody(res), units())
		}
		body = readBody(app.get(c, fmt.Sprintf("/donations/%d", donation)))
		if !strings.Contains(body, "2 unités importées") || !strings.Contains(body, `name="codes"`) {
			t.Fatal("no confirmation of the import with its codes to print")
		}
		// Confirmed again (a second tab): the file is gone, nothing doubles.
		if res := app.postForm(c, step, form); res.StatusCode != http.StatusNotFound || units() != 2 {
			t.Fatalf("second confirmation: %d, %d units", res.StatusCode, units())
		}
		// The mapping is remembered for the donor: the next file is mapped.
		res = postFile(t, app, c, path, file)
		body = readBody(app.get(c, res.Header.Get("Location")))
		if !strings.Contains(body, "celle du dernier import de ce donateur") || !strings.Contains(body, `<option value="kind" selected>`) {
			t.Fatal("the donor's mapping is not suggested again")
		}
		// Cancelled: forgotten.
		next := res.Header.Get("Location")
		if res := app.postForm(c, next, url.Values{"action": {"cancel"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("cancel: %d", res.StatusCode)
		}
		if res := app.get(c, next); res.StatusCode != http.StatusNotFound {
			t.Fatalf("cancelled upload: %d", res.StatusCode)
		}
	})
}

func TestUnitPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		u := app.newUnit(t, app.newDonation(t))
		staff := app.login(ordi.RoleStaff)
		body := readBody(app.get(staff, "/u/"+strings.ToLower(u.Code)))
		for _, want := range []string{"Marquer comme diagnostiqué", "Dell Latitude 5490", "Réceptionné", "Unité enregistrée", `action="/u/` + u.Code + `/erasures"`} {
			if !strings.Contains(body, want) {
				t.Errorf("unit page lacks %q", want)
			}
		}
		// Volunteers read the page but are offered no action.
		vol := app.login(ordi.RoleVolunteer)
		body = readBody(app.get(vol, "/u/"+u.Code))
		if !strings.Contains(body, "Dell Latitude 5490") || strings.Contains(body, "<form method=\"post\" action=\"/u/") {
			t.Fatal("volunteer's unit page offers actions")
		}
		if res := app.postForm(vol, "/u/"+u.Code+"/transition", url.Values{"to": {"diagnosed"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("volunteer moving a unit: %d", res.StatusCode)
		}
		// One tap moves it, with a confirmation.
		res := app.postForm(staff, "/u/"+u.Code+"/transition", url.Values{"to": {"diagnosed"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("move: %d %s", res.StatusCode, readBody(res))
		}
		if body := readBody(app.get(staff, "/u/"+u.Code)); !strings.Contains(body, "« Diagnostiqué »") || !strings.Contains(body, "Enregistrez d&#39;abord un effacement") {
			t.Fatal("no confirmation, or the erasure hint is missing")
		}
		// An illegal move is refused with the reason, not a 500.
		res = app.postForm(staff, "/u/"+u.Code+"/transition", url.Values{"to": {"ready"}})
		if body := readBody(res); res.StatusCode != http.StatusConflict || !strings.Contains(body, "Impossible de passer") {
			t.Fatalf("illegal move: %d", res.StatusCode)
		}
		res = app.postForm(staff, "/u/"+u.Code+"/erasures", url.Values{"category": {"purge"}, "technique": {""}, "result": {"passed"}})
		if body := readBody(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "technique") {
			t.Fatalf("erasure without technique: %d", res.StatusCode)
		}
		// An unknown code is a friendly 404 with a way to type another.
		res = app.get(vol, "/u/ZZZZZZZ")
		if body := readBody(res); res.StatusCode != http.StatusNotFound || !strings.Contains(body, "Code inconnu") || !strings.Contains(body, `name="q"`) {
			t.Fatalf("unknown code: %d", res.StatusCode)
		}
	})
}

func TestUnitEditStaleVersion(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		u := app.newUnit(t, app.newDonation(t))
		c := app.login(ordi.RoleStaff)
		if body := readBody(app.get(c, "/u/"+u.Code+"/edit")); !strings.Contains(body, `name="version" value="1"`) {
			t.Fatal("edit form lacks the version")
		}
		form := url.Values{"version": {"1"}, "kind": {"laptop"}, "brand": {"Dell"}, "model": {"Latitude 7490"}, "ram_gb": {"16"}, "storage_gb": {"256"}, "storage_kind": {"ssd"}}
		if res := app.postForm(c, "/u/"+u.Code+"/edit", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit: %d %s", res.StatusCode, readBody(res))
		}
		// A second person still holding version 1.
		form.Set("model", "Latitude 5590")
		res := app.postForm(c, "/u/"+u.Code+"/edit", form)
		body := readBody(res)
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Quelqu'un a modifié cette fiche") || !strings.Contains(body, `value="Latitude 7490"`) || !strings.Contains(body, `name="version" value="2"`) {
			t.Fatalf("stale edit: %d", res.StatusCode)
		}
		got := decode[unitBody](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units/"+u.Code, nil))
		if got.Model != "Latitude 7490" || got.Version != 2 {
			t.Fatalf("stored %+v", got)
		}
	})
}

func TestUnitsPageAndHome(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		u := app.newUnit(t, app.newDonation(t))
		c := app.login(ordi.RoleVolunteer)
		res := app.get(c, "/units?q="+strings.ToLower(u.Code))
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/u/"+u.Code {
			t.Fatalf("a typed code: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		if body := readBody(app.get(c, "/units?q=latitude")); !strings.Contains(body, u.Code) {
			t.Fatal("search by model misses the unit")
		}
		if body := readBody(app.get(c, "/units?q=macbook")); !strings.Contains(body, "Aucune unité ne correspond") {
			t.Fatal("no empty state for a search without results")
		}
		if res := app.get(c, "/units?status=lost"); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("unknown status filter: %d", res.StatusCode)
		}
		staff := app.login(ordi.RoleStaff)
		if body := readBody(app.get(staff, "/")); !strings.Contains(body, "Stock de l'atelier") || !strings.Contains(body, `/units?status=received`) {
			t.Fatal("staff home lacks the stock dashboard")
		}
		if body := readBody(app.get(c, "/")); strings.Contains(body, "Stock de l'atelier") {
			t.Fatal("volunteer home shows the stock dashboard")
		}
	})
}

func TestUnitPageShowsItsReservation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		rid, u := app.reserved(t, "Famille Réservée", app.newDonation(t))
		body := readBody(app.get(app.login(ordi.RoleStaff), "/u/"+u.Code))
		if !strings.Contains(body, fmt.Sprintf("/handovers/%d", rid)) || !strings.Contains(body, "/families/") {
			t.Fatal("the reserved unit's page does not link its reservation and family")
		}
		body = readBody(app.get(app.login(ordi.RoleVolunteer), "/u/"+u.Code))
		if !strings.Contains(body, fmt.Sprintf("/handovers/%d", rid)) || strings.Contains(body, "/families/") {
			t.Fatal("a volunteer sees a link to the family's file, or no link to the handover")
		}
	})
}

// TestListsKeepTheirFiltersOnTheNextPage follows "Page suivante" on the
// filtered unit and family lists: the second page is still filtered.
func TestListsKeepTheirFiltersOnTheNextPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		// The oldest unit and family, which an unfiltered second page would show.
		res := app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units", map[string]any{
			"donation_id": donation, "kind": "desktop", "brand": "Dell", "model": "OptiPlex 7060", "ram_gb": 8,
			"storage_gb": 256, "storage_kind": "ssd", "weight_kg": 6})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("desktop: %d %s", res.StatusCode, readBody(res))
		}
		if res := app.api(ordi.RoleSocialWorker, http.MethodPost, "/api/v1/households", nominationBody("Famille Dupont")); res.StatusCode != http.StatusCreated {
			t.Fatalf("nominate: %d", res.StatusCode)
		}
		for i := range ordi.DefaultLimit + 3 {
			app.newUnit(t, donation)
			if res := app.api(ordi.RoleSocialWorker, http.MethodPost, "/api/v1/households", nominationBody(fmt.Sprintf("Famille Martin %d", i))); res.StatusCode != http.StatusCreated {
				t.Fatalf("nominate: %d", res.StatusCode)
			}
		}
		staff := app.login(ordi.RoleStaff)
		next := regexp.MustCompile(`<a href="([^"]*cursor=[^"]+)"`)
		for _, tc := range []struct{ first, want, other string }{
			{"/units?kind=laptop", "Latitude 5490", "OptiPlex 7060"},
			{"/families?q=martin", "Famille Martin 0", "Famille Dupont"},
		} {
			m := next.FindStringSubmatch(readBody(app.get(staff, tc.first)))
			if m == nil {
				t.Fatalf("%s: no link to the next page", tc.first)
			}
			second := readBody(app.get(staff, html.UnescapeString(m[1])))
			if !strings.Contains(second, tc.want) || strings.Contains(second, tc.other) {
				t.Errorf("%s: the next page (%s) lost the filter", tc.first, m[1])
			}
		}
	})
}

// TestDonationImportSheetsAndBadMapping: a workbook opens on its list's
// sheet, another sheet can be chosen, and a mapping naming a field twice is
// shown back as staff left it, with the problem, nothing imported.
func TestDonationImportSheetsAndBadMapping(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		c := app.login(ordi.RoleStaff)
		f := excelize.NewFile()
		f.SetSheetName("Sheet1", "Lisez-moi")
		f.SetCellValue("Lisez-moi", "A1", "Parc informatique 2026")
		f.NewSheet("Parc")
		for i, row := range [][]any{{"Marque", "Modèle", "Type"}, {"HP", "EliteBook", "Portable"}, {"Dell", "OptiPlex", "Tour"}} {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			f.SetSheetRow("Parc", cell, &row)
		}
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		res := postFile(t, app, c, fmt.Sprintf("/donations/%d/import", donation), buf.String())
		step := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %d %s", res.StatusCode, readBody(res))
		}
		body := readBody(app.get(c, step))
		if !strings.Contains(body, `<option value="Parc" selected>`) || !strings.Contains(body, "classeur Excel (.xlsx), feuille « Parc »") {
			t.Fatal("the workbook does not open on its list's sheet")
		}
		// The read-me sheet chosen: it has no list, said on the page.
		res = app.postForm(c, step, url.Values{"sheet": {"Lisez-moi"}, "shown_sheet": {"Parc"}, "action": {"preview"}})
		if body := readBody(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "aucune unité sous sa ligne") {
			t.Fatalf("empty sheet chosen: %d", res.StatusCode)
		}
		// Two columns to one field: shown back, nothing imported.
		res = app.postForm(c, step, url.Values{"sheet": {"Parc"}, "shown_sheet": {"Parc"}, "col_0": {"brand"}, "col_1": {"brand"}, "col_2": {"kind"}, "action": {"import"}})
		body = readBody(res)
		if res.StatusCode != http.StatusUnprocessableEntity || strings.Count(body, `<option value="brand" selected>`) != 2 || !strings.Contains(body, "gardez-en une") {
			t.Fatalf("bad mapping: %d", res.StatusCode)
		}
		var n int64
		if db.Table("units").Count(&n); n != 0 {
			t.Fatalf("%d units", n)
		}
		res = app.postForm(c, step, url.Values{"sheet": {"Parc"}, "shown_sheet": {"Parc"}, "col_0": {"brand"}, "col_1": {"model"}, "col_2": {"kind"},
			"value_0": {"Portable"}, "kind_0": {"laptop"}, "value_1": {"Tour"}, "kind_1": {"desktop"}, "action": {"import"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("import: %d %s", res.StatusCode, readBody(res))
		}
		if db.Table("units").Count(&n); n != 2 {
			t.Fatalf("%d units", n)
		}
	})
}
