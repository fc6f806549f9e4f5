package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/database/dbtest"
)

func nominationForm(name string) url.Values {
	return url.Values{"contact_name": {name}, "commune": {"Roubaix"}, "postcode": {"59100"}, "qpv": {"yes"}, "adults": {"2"},
		"children": {"2"}, "school_children": {"1"}, "income_bracket": {"QF2"}, "has_computer": {"no"}, "need": {"any"}, "consent": {"yes"}}
}

// TestNominationFormExplainsEveryField checks that each question of the
// nomination form says why it is asked (a <small> before the next question),
// so a social worker can answer the family's "pourquoi ?".
func TestNominationFormExplainsEveryField(t *testing.T) {
	app := newTestApp(t, dbtest.OpenSQLite(t)).withUsers() // a page's markup: the database plays no part
	body := readBody(app.get(app.login(ordi.RoleSocialWorker), "/families/new"))
	groups := []string{"contact_name", "phone", "commune", "qpv", "adults", "income_bracket", "has_computer", "need", "notes", "consent"}
	for i, name := range groups[:len(groups)-1] {
		start := strings.Index(body, `name="`+name+`"`)
		end := strings.Index(body, `name="`+groups[i+1]+`"`)
		if start < 0 || end < start {
			t.Fatalf("field %s or %s missing or out of order", name, groups[i+1])
		}
		if !strings.Contains(body[start:end], "<small>") {
			t.Errorf("field %s is not explained", name)
		}
	}
}

func TestFamilyPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		sw := app.login(ordi.RoleSocialWorker)
		body := readBody(app.get(sw, "/families/new"))
		if !strings.Contains(body, "J'accepte que mes coordonnées") || !strings.Contains(body, "jamais le revenu exact") {
			t.Fatal("the nomination form does not show the consent text or explain its fields")
		}
		form := nominationForm("Mme Été")
		form.Del("consent")
		res := app.postForm(sw, "/families", form)
		if body := readBody(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "consentement") || !strings.Contains(body, `value="Mme Été"`) {
			t.Fatalf("no consent: %d", res.StatusCode)
		}
		res = app.postForm(sw, "/families", nominationForm("Mme Été"))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("nominate: %d %s", res.StatusCode, readBody(res))
		}
		family := res.Header.Get("Location")
		if body := readBody(app.get(sw, family)); !strings.Contains(body, "F-2026-") && !strings.Contains(body, "F-20") {
			t.Fatal("family page lacks the reference")
		}
		if body := readBody(app.get(sw, "/families")); !strings.Contains(body, "Mme Été") || !strings.Contains(body, "vérifie") {
			t.Fatal("social worker's list lacks the family or its next step")
		}
		// Staff see the checklist and decide; a refusal needs a reason.
		staff := app.login(ordi.RoleStaff)
		if body := readBody(app.get(staff, family)); !strings.Contains(body, "Résidence en quartier prioritaire") {
			t.Fatal("staff family page lacks the checklist")
		}
		res = app.postForm(staff, family+"/decision", url.Values{"eligible": {"no"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("refusal without reason: %d", res.StatusCode)
		}
		if res := app.postForm(staff, family+"/decision", url.Values{"eligible": {"no"}, "reason": {"Revenus au-dessus du plafond"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("refusal: %d", res.StatusCode)
		}
		// The social worker sees the decision and its reason.
		if body := readBody(app.get(sw, family)); !strings.Contains(body, "Revenus au-dessus du plafond") || !strings.Contains(body, "Non éligible") {
			t.Fatal("the social worker does not see the refusal reason")
		}
		// Volunteers and trainers never see a family file.
		for _, r := range []ordi.Role{ordi.RoleVolunteer, ordi.RoleTrainer} {
			if res := app.get(app.login(r), family); res.StatusCode != http.StatusForbidden {
				t.Fatalf("%s reading a family: %d", r, res.StatusCode)
			}
		}
	})
}

func TestCourseAttendanceToggle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		h := decode[householdBody](t, app.api(ordi.RoleSocialWorker, http.MethodPost, "/api/v1/households", nominationBody("Famille Présente")))
		app.api(ordi.RoleStaff, http.MethodPost, fmt.Sprintf("/api/v1/households/%d/decision", h.ID), map[string]any{"eligible": true})
		course := decode[struct{ ID int64 }](t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/courses", map[string]any{
			"title": "Premiers pas", "trainer_id": app.users[ordi.RoleTrainer].ID, "session_dates": []string{"2026-11-03"}, "required_sessions": 1}))
		staff := app.login(ordi.RoleStaff)
		path := fmt.Sprintf("/courses/%d", course.ID)
		if res := app.postForm(staff, path+"/enrollments", url.Values{"household_id": {fmt.Sprint(h.ID)}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("enroll: %d %s", res.StatusCode, readBody(res))
		}
		trainer := app.login(ordi.RoleTrainer)
		body := readBody(app.get(trainer, path))
		if !strings.Contains(body, "Famille Présente") || !strings.Contains(body, `hx-post="`+path+`/attendance"`) {
			t.Fatal("the trainer's sheet lacks the family or its toggles")
		}
		if strings.Contains(body, "06 00 00 00 00") {
			t.Fatal("the trainer sees the family's phone")
		}
		// The trainer sees names and their own marks, not the file's
		// reference or status.
		if strings.Contains(body, h.Reference) || strings.Contains(body, "Inscrite") {
			t.Fatal("the trainer sees the family's reference or status")
		}
		// An htmx tap answers the new toggle and the family's progress.
		req, _ := http.NewRequest(http.MethodPost, app.url(path+"/attendance"), strings.NewReader(url.Values{"household_id": {fmt.Sprint(h.ID)}, "session": {"1"}, "present": {"true"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		res := app.do(trainer, req)
		frag := readBody(res)
		if res.StatusCode != http.StatusOK || !strings.Contains(frag, "Présent") || !strings.Contains(frag, `hx-swap-oob="true"`) || !strings.Contains(frag, "1/1") || strings.Contains(frag, "Formée") || strings.Contains(frag, "<html") {
			t.Fatalf("htmx toggle: %d %s", res.StatusCode, frag)
		}
		// Without JavaScript the same form goes back to the sheet.
		res = app.postForm(trainer, path+"/attendance", url.Values{"household_id": {fmt.Sprint(h.ID)}, "session": {"1"}, "present": {"false"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("plain toggle: %d", res.StatusCode)
		}
		if body := readBody(app.get(trainer, path)); !strings.Contains(body, "Absent") {
			t.Fatal("the correction is not shown")
		}
		// Session 9 of 1.
		res = app.postForm(trainer, path+"/attendance", url.Values{"household_id": {fmt.Sprint(h.ID)}, "session": {"9"}, "present": {"true"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("session 9: %d", res.StatusCode)
		}
	})
}

func TestAdminAllocationPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		admin := app.login(ordi.RoleAdmin)
		for _, p := range []string{"/admin", "/admin/programme", "/admin/access-log", "/allocation", "/courses/new", "/families"} {
			if res := app.get(admin, p); res.StatusCode != http.StatusOK {
				t.Errorf("%s: %d", p, res.StatusCode)
			}
		}
		res := app.postForm(admin, "/admin/programme", url.Values{"max_income_band": {"QF4"}, "required_sessions": {"0"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("0 sessions: %d", res.StatusCode)
		}
		res = app.postForm(admin, "/admin/programme", url.Values{"max_income_band": {"QF4"}, "required_sessions": {"4"}, "qpv_required": {"on"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("rules: %d %s", res.StatusCode, readBody(res))
		}
		rules := decode[map[string]any](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/settings/programme", nil))
		if rules["max_income_band"] != "QF4" || rules["required_sessions"].(float64) != 4 || rules["no_computer_required"] != false {
			t.Fatalf("rules saved %v", rules)
		}
		staff := app.login(ordi.RoleStaff)
		if res := app.get(staff, "/admin/programme"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("staff on the rules page: %d", res.StatusCode)
		}
		// A course without a trainer yet says so in the list.
		if res := app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/courses", map[string]any{"title": "Sans formateur", "session_dates": []string{"2026-12-01"}, "required_sessions": 1}); res.StatusCode != http.StatusCreated {
			t.Fatalf("course: %d %s", res.StatusCode, readBody(res))
		}
		if body := readBody(app.get(staff, "/courses")); !strings.Contains(body, "à désigner") {
			t.Fatal("the course list does not say the trainer is still to be named")
		}
	})
}

func TestAccessLogPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		nominate := func(name string) householdBody {
			res := app.api(ordi.RoleSocialWorker, http.MethodPost, "/api/v1/households", nominationBody(name))
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("nominate: %d %s", res.StatusCode, readBody(res))
			}
			return decode[householdBody](t, res)
		}
		a, b := nominate("Famille A"), nominate("Famille B")
		// Enough reads of A for two pages, one of B.
		for range ordi.DefaultLimit + 5 {
			app.api(ordi.RoleStaff, http.MethodGet, fmt.Sprintf("/api/v1/households/%d", a.ID), nil).Body.Close()
		}
		app.api(ordi.RoleStaff, http.MethodGet, fmt.Sprintf("/api/v1/households/%d", b.ID), nil).Body.Close()
		admin := app.login(ordi.RoleAdmin)

		// The whole log names files by their reference.
		body := readBody(app.get(admin, "/admin/access-log"))
		if !strings.Contains(body, ">"+b.Reference+"<") || !strings.Contains(body, ">"+a.Reference+"<") {
			t.Fatalf("the log does not show the references %s and %s", a.Reference, b.Reference)
		}
		// One file, typed in lower case: only its entries, and "Plus anciens" keeps the filter.
		res := app.get(admin, "/admin/access-log?reference="+strings.ToLower(a.Reference))
		body = readBody(res)
		if res.StatusCode != http.StatusOK || strings.Contains(body, ">"+b.Reference+"<") || !strings.Contains(body, ">"+a.Reference+"<") {
			t.Fatalf("filtered by %s: %d", a.Reference, res.StatusCode)
		}
		next := regexp.MustCompile(`href="/admin/access-log\?([^"]*cursor=[^"]+)"`).FindStringSubmatch(body)
		if next == nil || !strings.Contains(next[1], "reference="+a.Reference) {
			t.Fatalf("next page link %v", next)
		}
		older := readBody(app.get(admin, "/admin/access-log?"+strings.ReplaceAll(next[1], "&amp;", "&")))
		if strings.Contains(older, ">"+b.Reference+"<") || !strings.Contains(older, ">"+a.Reference+"<") {
			t.Fatal("the next page lost the filter")
		}
		// From the family page: the link to its log, filtered by id.
		page := readBody(app.get(admin, fmt.Sprintf("/families/%d", b.ID)))
		link := fmt.Sprintf(`href="/admin/access-log?household_id=%d"`, b.ID)
		if !strings.Contains(page, link) {
			t.Fatal("no access-log link on the family page")
		}
		if body := readBody(app.get(admin, fmt.Sprintf("/admin/access-log?household_id=%d", b.ID))); strings.Contains(body, ">"+a.Reference+"<") || !strings.Contains(body, ">"+b.Reference+"<") {
			t.Fatal("filtered by id: wrong entries")
		}
		if strings.Contains(readBody(app.get(app.login(ordi.RoleStaff), fmt.Sprintf("/families/%d", b.ID))), link) {
			t.Fatal("staff are shown a link to the access log")
		}
		// An unknown reference: a message on the field, no entries.
		res = app.get(admin, "/admin/access-log?reference=F-1999-0042")
		body = readBody(res)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "aucune famille F-1999-0042") || strings.Contains(body, "<tbody>") {
			t.Fatalf("unknown reference: %d", res.StatusCode)
		}
	})
}

func TestFamilyErasurePage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		res := app.api(ordi.RoleSocialWorker, http.MethodPost, "/api/v1/households", nominationBody("Mme Oubliée"))
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("nominate: %d", res.StatusCode)
		}
		h := decode[householdBody](t, res)
		page := fmt.Sprintf("/families/%d", h.ID)
		admin, staff := app.login(ordi.RoleAdmin), app.login(ordi.RoleStaff)
		if body := readBody(app.get(staff, page)); strings.Contains(body, page+"/erase") {
			t.Fatal("staff are offered the erasure")
		}
		if body := readBody(app.get(app.login(ordi.RoleSocialWorker), page)); strings.Contains(body, page+"/erase") || !strings.Contains(body, "Transmettez sa demande à un administrateur") {
			t.Fatal("the social worker is not told how to have the data erased")
		}
		if body := readBody(app.get(admin, page)); !strings.Contains(body, `action="`+page+`/erase"`) {
			t.Fatal("no erasure form for the administrator")
		}
		// Without the reference typed back: the form again, with the reason, and nothing erased.
		res = app.postForm(admin, page+"/erase", url.Values{"confirm": {"oui"}})
		body := readBody(res)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Recopiez la référence "+h.Reference) || !strings.Contains(body, "Mme Oubliée") {
			t.Fatalf("unconfirmed erasure: %d", res.StatusCode)
		}
		res = app.postForm(admin, page+"/erase", url.Values{"confirm": {h.Reference}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page {
			t.Fatalf("erasure: %d %s", res.StatusCode, readBody(res))
		}
		body = readBody(app.get(admin, page))
		if strings.Contains(body, "Mme Oubliée") || !strings.Contains(body, "Données effacées à la demande de la famille.") ||
			strings.Contains(body, page+"/edit") || strings.Contains(body, page+"/erase") || strings.Contains(body, page+"/withdraw") {
			t.Fatal("the erased file still shows the name or offers changes")
		}
		if body := readBody(app.get(admin, fmt.Sprintf("/admin/access-log?household_id=%d", h.ID))); !strings.Contains(body, "effacement des données") {
			t.Fatal("the access log does not name the erasure")
		}
		// The API says the same, and refuses a second erasure.
		got := decode[map[string]any](t, app.api(ordi.RoleAdmin, http.MethodGet, "/api/v1/households/"+fmt.Sprint(h.ID), nil))
		if got["contact_name"] != allocation.ErasedName || got["erased_at"] == nil || got["status"] != "withdrawn" {
			t.Fatalf("API after the erasure: %v", got)
		}
		expectProblem(t, app.api(ordi.RoleAdmin, http.MethodPost, "/api/v1/households/"+fmt.Sprint(h.ID)+"/erase", map[string]any{"confirm": h.Reference}), http.StatusConflict)
	})
}

// TestHomeCountsFamilies: the home page counts the families each role may
// see, by status, without logging a read of any file.
func TestHomeCountsFamilies(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		other := app.otherWorker(t)
		var own []householdBody
		for _, name := range []string{"Famille Un", "Famille Deux"} {
			own = append(own, decode[householdBody](t, app.api(ordi.RoleSocialWorker, http.MethodPost, "/api/v1/households", nominationBody(name))))
		}
		if res := app.apiToken(other, http.MethodPost, "/api/v1/households", nominationBody("Famille Ailleurs")); res.StatusCode != http.StatusCreated {
			t.Fatalf("other partner's nomination: %d", res.StatusCode)
		}
		if res := app.api(ordi.RoleStaff, http.MethodPost, fmt.Sprintf("/api/v1/households/%d/decision", own[0].ID), map[string]any{"eligible": true}); res.StatusCode != http.StatusOK {
			t.Fatalf("decision: %d", res.StatusCode)
		}
		var logged, after int64
		db.Table("audit_events").Where("action = ?", allocation.AccessRead).Count(&logged)
		tile := regexp.MustCompile(`href="/families\?status=(\w+)"><span class="badge[^"]*">[^<]*</span><span class="count">(\d+)</span>`)
		counts := func(role ordi.Role) (string, map[string]string) {
			body := readBody(app.get(app.login(role), "/"))
			m := map[string]string{}
			for _, t := range tile.FindAllStringSubmatch(body, -1) {
				m[t[1]] = t[2]
			}
			return body, m
		}
		body, sw := counts(ordi.RoleSocialWorker)
		if !strings.Contains(body, "Mes familles <small>(2 familles)</small>") || sw["nominated"] != "1" || sw["eligible"] != "1" || sw["trained"] != "0" {
			t.Fatalf("social worker's counts %v", sw)
		}
		body, staff := counts(ordi.RoleStaff)
		if !strings.Contains(body, "(3 familles)") || staff["nominated"] != "2" || staff["eligible"] != "1" {
			t.Fatalf("staff's counts %v", staff)
		}
		for _, role := range []ordi.Role{ordi.RoleVolunteer, ordi.RoleTrainer} {
			if body, m := counts(role); len(m) != 0 || strings.Contains(body, "familles)") {
				t.Fatalf("%s is shown family counts", role)
			}
		}
		if db.Table("audit_events").Where("action = ?", allocation.AccessRead).Count(&after); after != logged {
			t.Fatalf("the home page logged %d reads", after-logged)
		}
	})
}
