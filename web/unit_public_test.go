package web

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/aftercare"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

// handedOverUnit hands a new unit over to a family named name and returns
// the unit's code and the family's reference.
func (a *testApp) handedOverUnit(t *testing.T, name string) (code, reference string) {
	t.Helper()
	rid, u := a.reserved(t, name, a.newDonation(t))
	res := a.api(ordi.RoleVolunteer, http.MethodPost, fmt.Sprintf("/api/v1/reservations/%d/handover", rid), map[string]any{"signatory_name": name})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("handover: %d %s", res.StatusCode, readBody(res))
	}
	r := decode[struct {
		HouseholdReference string `json:"household_reference"`
	}](t, a.api(ordi.RoleStaff, http.MethodGet, fmt.Sprintf("/api/v1/reservations/%d", rid), nil))
	return u.Code, r.HouseholdReference
}

// freeCode is a well-formed unit code that no unit has.
func (a *testApp) freeCode(t *testing.T) string {
	t.Helper()
	for _, c := range inventory.CodeAlphabet {
		code := "QWERTY" + string(c)
		if _, err := inventory.ParseCode(code); err != nil {
			continue
		}
		if res := a.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units/"+code, nil); res.StatusCode == http.StatusNotFound {
			return code
		}
	}
	t.Fatal("no free code")
	return ""
}

// TestUnitPublicPage: /u/{code} without a session shows a handed-over
// unit's public page, and nothing of its family; any other code, known or
// not, well formed or not, is sent to the login page as before; with a
// session, staff get the unit's page and other roles the refusal as before.
func TestUnitPublicPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		code, ref := app.handedOverUnit(t, canaryName)
		res := app.get(app.client(), "/u/"+strings.ToLower(code))
		body := html.UnescapeString(readBody(res))
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Cet ordinateur vous a été remis par") || !strings.Contains(body, "garanti jusqu'au") ||
			!strings.Contains(body, "Signaler un problème") || !strings.Contains(body, `action="/u/`+code+`/probleme"`) {
			t.Fatalf("public page: %d\n%s", res.StatusCode, body)
		}
		for _, secret := range []string{canaryName, "Canari", ref, "Se déconnecter"} {
			if strings.Contains(body, secret) {
				t.Fatalf("the public page shows %q", secret)
			}
		}
		ready := app.readyUnit(t, app.newDonation(t)).Code
		var locations []string
		for _, c := range []string{ready, app.freeCode(t), "ZZZ"} {
			res := app.get(app.client(), "/u/"+c)
			loc := res.Header.Get("Location")
			if res.StatusCode != http.StatusSeeOther || loc != "/login?next="+url.QueryEscape("/u/"+c) {
				t.Fatalf("anonymous /u/%s: %d to %q, want the login page", c, res.StatusCode, loc)
			}
			locations = append(locations, strings.Replace(loc, url.QueryEscape("/u/"+c), "", 1))
		}
		staff := app.get(app.login(ordi.RoleStaff), "/u/"+code)
		if staffBody := readBody(staff); staff.StatusCode != http.StatusOK || strings.Contains(staffBody, "vous a été remis par") || !strings.Contains(staffBody, "Se déconnecter") {
			t.Fatalf("staff's unit page: %d", staff.StatusCode)
		}
		for _, r := range []ordi.Role{ordi.RoleTrainer, ordi.RoleSocialWorker} {
			if res := app.get(app.login(r), "/u/"+code); res.StatusCode != http.StatusForbidden {
				t.Fatalf("%s's session on a handed-over unit: %d, want 403 as before", r, res.StatusCode)
			}
		}
		// An API call without credentials stays 401.
		if res := app.get(nil, "/api/v1/units/"+code); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("API without a token: %d", res.StatusCode)
		}
	})
}

func problemForm(category, description string) url.Values {
	return url.Values{"category": {category}, "description": {description}}
}

// TestProblemReportForm: the public form answers identically for a
// handed-over unit's code, another unit's and an unknown one; only the
// first makes a ticket, which staff see with the family's reference, the
// description escaped.
func TestProblemReportForm(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		code, ref := app.handedOverUnit(t, canaryName)
		ready := app.readyUnit(t, app.newDonation(t)).Code
		free := app.freeCode(t)
		type answer struct {
			status   int
			location string
			body     string
		}
		send := func(c string, form url.Values) answer {
			res := app.postForm(app.client(), "/u/"+c+"/probleme", form)
			return answer{res.StatusCode, res.Header.Get("Location"), strings.ReplaceAll(readBody(res), c, "CODE")}
		}
		var first answer
		for i, c := range []string{code, ready, free} {
			got := send(c, problemForm("internet", "<script>alert(1)</script> le wifi"))
			if i == 0 {
				first = got
				if got.status != http.StatusSeeOther || got.location != "/signalement-envoye" {
					t.Fatalf("report: %+v", got)
				}
			} else if got != first {
				t.Fatalf("code %s answered %+v, the handed-over unit %+v", c, got, first)
			}
		}
		// A description of 20 kB: 422 on the field, the same for any code.
		long := strings.Repeat("a", 20<<10)
		bad := send(code, problemForm("slow", long))
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "Description trop longue") || !strings.Contains(bad.body, `id="problem-description"`) {
			t.Fatalf("20 kB description: %d\n%s", bad.status, bad.body)
		}
		if other := send(free, problemForm("slow", long)); other != bad {
			t.Fatalf("20 kB description on an unknown code answered differently")
		}
		// Beyond the body bound: 413 before anything is read.
		if huge := send(code, problemForm("slow", strings.Repeat("é", 20<<10))); huge.status != http.StatusRequestEntityTooLarge {
			t.Fatalf("a 120 kB body: %d", huge.status)
		}
		// The honeypot: the same answer, nothing kept.
		trap := problemForm("slow", "spam")
		trap.Set("website", "http://spam.example")
		if got := send(code, trap); got.status != first.status || got.location != first.location {
			t.Fatalf("honeypot: %+v", got)
		}
		sent := app.get(app.client(), "/signalement-envoye")
		if sentBody := readBody(sent); sent.StatusCode != http.StatusOK || !strings.Contains(html.UnescapeString(sentBody), "votre message est envoyé") {
			t.Fatalf("confirmation: %d %s", sent.StatusCode, sentBody)
		}

		staff := app.login(ordi.RoleStaff)
		list := readBody(app.get(staff, "/tickets"))
		if strings.Count(list, `href="/tickets/`) != 1 || !strings.Contains(list, ref) || !strings.Contains(list, code) ||
			strings.Contains(list, "<script>alert") || !strings.Contains(list, "&lt;script&gt;") {
			t.Fatalf("the queue:\n%s", list)
		}
		if res := app.get(app.login(ordi.RoleVolunteer), "/tickets"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("volunteer's queue: %d", res.StatusCode)
		}
		// Past the address's limit: 429 in French, with Retry-After.
		c := app.client()
		var last *http.Response
		for range aftercare.MaxReportsPerAddress {
			last = app.postForm(c, "/u/"+free+"/probleme", problemForm("slow", ""))
		}
		if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" || !strings.Contains(readBody(last), "Trop de signalements") {
			t.Fatalf("past the limit: %d %q", last.StatusCode, last.Header.Get("Retry-After"))
		}
	})
}

// TestTicketPages: staff open a ticket, move it on, close it with a reason;
// the history shows each step; a bad change is shown again with 422.
func TestTicketPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		code, ref := app.handedOverUnit(t, canaryName)
		form := problemForm("battery", "La batterie ne tient plus")
		form.Set("phone", "06 12 34 56 78")
		form.Set("consent", "on")
		if res := app.postForm(app.client(), "/u/"+code+"/probleme", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("report: %d", res.StatusCode)
		}
		staff := app.login(ordi.RoleStaff)
		list := readBody(app.get(staff, "/tickets"))
		i := strings.Index(list, `href="/tickets/`)
		if i < 0 {
			t.Fatal("no ticket in the queue")
		}
		path := list[i+len(`href="`):]
		path = path[:strings.IndexByte(path, '"')]
		page := readBody(app.get(staff, path))
		if !strings.Contains(page, ref) || !strings.Contains(page, "tel:0612345678") || !strings.Contains(page, "Test social_worker") {
			t.Fatalf("ticket page:\n%s", page)
		}
		if res := app.postForm(staff, path, url.Values{"status": {"closed"}, "version": {"1"}}); res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(html.UnescapeString(readBody(res)), "Choisissez comment le signalement s'est terminé") {
			t.Fatalf("closing without a reason: %d", res.StatusCode)
		}
		if res := app.postForm(staff, path, url.Values{"status": {"in_progress"}, "note": {"Rappelé"}, "version": {"1"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("in progress: %d %s", res.StatusCode, readBody(res))
		}
		if res := app.postForm(staff, path, url.Values{"status": {"closed"}, "closing_reason": {"repaired"}, "version": {"1"}}); res.StatusCode != http.StatusConflict {
			t.Fatalf("a stale page: %d", res.StatusCode)
		}
		if res := app.postForm(staff, path, url.Values{"status": {"closed"}, "closing_reason": {"repaired"}, "version": {"2"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("closing: %d %s", res.StatusCode, readBody(res))
		}
		page = html.UnescapeString(readBody(app.get(staff, path)))
		for _, want := range []string{"Clos", "Réparé", "Rappelé", "Nouveau → En cours", "En cours → Clos", "non donné"} {
			if !strings.Contains(page, want) {
				t.Fatalf("closed ticket page lacks %q:\n%s", want, page)
			}
		}
		if strings.Contains(readBody(app.get(staff, "/tickets")), path) {
			t.Fatal("a closed ticket is still in the open queue")
		}
	})
}

// TestAftercareSettingsPage: the administrator sets the warranty and links;
// the public page follows.
func TestAftercareSettingsPage(t *testing.T) {
	app := newTestApp(t, dbtest.OpenSQLite(t)).withUsers()
	code, _ := app.handedOverUnit(t, canaryName)
	admin := app.login(ordi.RoleAdmin)
	if res := app.postForm(admin, "/admin/aftercare", url.Values{"warranty_months": {"61"}, "links": {"Aide | ftp://x"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad settings: %d", res.StatusCode)
	}
	res := app.postForm(admin, "/admin/aftercare", url.Values{"warranty_months": {"0"}, "help_text": {"Appelez Nadia"}, "hours": {"Mardi 14 h – 18 h"},
		"links": {"Aidants Connect | https://aidantsconnect.beta.gouv.fr/\n"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("settings: %d %s", res.StatusCode, readBody(res))
	}
	body := html.UnescapeString(readBody(app.get(app.client(), "/u/"+code)))
	for _, want := range []string{"Appelez Nadia", "Mardi 14 h – 18 h", `href="https://aidantsconnect.beta.gouv.fr/"`, "La garantie de cet ordinateur a pris fin"} {
		if !strings.Contains(body, want) {
			t.Fatalf("public page lacks %q:\n%s", want, body)
		}
	}
}

// TestAPITickets: the queue and a ticket's changes through the API, with
// the pages' access rules.
func TestAPITickets(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		code, ref := app.handedOverUnit(t, canaryName)
		if res := app.postForm(app.client(), "/u/"+code+"/probleme", problemForm("slow", "Très lent")); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("report: %d", res.StatusCode)
		}
		type ticket struct {
			ID                 int64  `json:"id"`
			Status             string `json:"status"`
			UnitCode           string `json:"unit_code"`
			HouseholdReference string `json:"household_reference"`
			Version            int    `json:"version"`
			History            []struct {
				Action string `json:"action"`
				To     string `json:"to"`
				Note   string `json:"note"`
			} `json:"history"`
		}
		list := decode[struct{ Items []ticket }](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/tickets", nil))
		if len(list.Items) != 1 || list.Items[0].UnitCode != code || list.Items[0].HouseholdReference != ref || list.Items[0].Status != "new" {
			t.Fatalf("list %+v", list)
		}
		id := list.Items[0].ID
		path := fmt.Sprintf("/api/v1/tickets/%d", id)
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/tickets?status=lost", nil), http.StatusUnprocessableEntity)
		expectProblem(t, app.api(ordi.RoleVolunteer, http.MethodGet, path, nil), http.StatusForbidden)
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/tickets/999999", nil), http.StatusNotFound)
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, path+"/changes", map[string]any{"status": "closed"}), http.StatusUnprocessableEntity, "closing_reason")
		res := app.api(ordi.RoleStaff, http.MethodPost, path+"/changes", map[string]any{"status": "waiting_family", "note": "Message laissé", "version": 1})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("change: %d %s", res.StatusCode, readBody(res))
		}
		got := decode[ticket](t, res)
		if got.Status != "waiting_family" || got.Version != 2 || len(got.History) != 2 || got.History[1].To != "waiting_family" || got.History[1].Note != "Message laissé" {
			t.Fatalf("after the change: %+v", got)
		}
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, path+"/changes", map[string]any{"note": "x", "version": 1}), http.StatusConflict)
		if all := decode[struct{ Items []ticket }](t, app.api(ordi.RoleAdmin, http.MethodGet, "/api/v1/tickets?status=all", nil)); len(all.Items) != 1 {
			t.Fatalf("all: %+v", all)
		}
	})
}

// TestFamilyErasureClearsTickets: erasing a family's data erases what its
// tickets kept of it (its words, its phone), in the same erasure.
func TestFamilyErasureClearsTickets(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		code, ref := app.handedOverUnit(t, canaryName)
		form := problemForm("other", "Ici "+canaryName+", rappelez-moi")
		form.Set("phone", "06 12 34 56 78")
		form.Set("consent", "on")
		if res := app.postForm(app.client(), "/u/"+code+"/probleme", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("report: %d", res.StatusCode)
		}
		type ticket struct {
			ID          int64  `json:"id"`
			Description string `json:"description"`
			Phone       string `json:"phone"`
			HouseholdID int64  `json:"household_id"`
		}
		before := decode[struct{ Items []ticket }](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/tickets", nil)).Items
		if len(before) != 1 || before[0].Phone == "" || before[0].HouseholdID == 0 {
			t.Fatalf("before the erasure: %+v", before)
		}
		res := app.api(ordi.RoleAdmin, http.MethodPost, fmt.Sprintf("/api/v1/households/%d/erase", before[0].HouseholdID), map[string]any{"confirm": ref})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("erase: %d %s", res.StatusCode, readBody(res))
		}
		body := readBody(app.api(ordi.RoleStaff, http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", before[0].ID), nil))
		if strings.Contains(body, "Canari") || strings.Contains(body, "06 12 34 56 78") || !strings.Contains(body, `"category":"other"`) {
			t.Fatalf("after the erasure: %s", body)
		}
	})
}
