package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/database/dbtest"
)

// nominationBody is a valid nomination.
func nominationBody(name string) map[string]any {
	return map[string]any{"contact_name": name, "phone": "06 00 00 00 00", "commune": "Roubaix", "postcode": "59100", "qpv": true,
		"adults": 1, "children": 3, "school_children": 2, "income_bracket": "QF2", "has_computer": false, "need": "laptop", "consent": true}
}

type householdBody struct {
	ID        int64  `json:"id"`
	Reference string `json:"reference"`
	Status    string `json:"status"`
	Version   int    `json:"version"`
}

// otherWorker adds a social worker of another partner, with a token.
func (a *testApp) otherWorker(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	p, err := a.accounts.CreatePartner(ctx, ordi.System, account.NewPartner{Name: "Centre social B", Kind: account.PartnerSocialCentre})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.accounts.CreateUser(ctx, ordi.System, account.NewUser{Email: "swb@example.org", Name: "SW B", Role: ordi.RoleSocialWorker, PartnerID: p.ID, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	tok, err := a.accounts.CreateToken(ctx, ordi.System, "swb@example.org", "")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (a *testApp) apiToken(token, method, path string, body any) *http.Response {
	a.t.Helper()
	var r *strings.Reader
	if body != nil {
		switch b := body.(type) {
		case string:
			r = strings.NewReader(b)
		default:
			js, _ := jsonMarshal(b)
			r = strings.NewReader(string(js))
		}
	}
	var req *http.Request
	if r != nil {
		req, _ = http.NewRequest(method, a.url(path), r)
		req.Header.Set("Content-Type", "application/json")
	} else {
		req, _ = http.NewRequest(method, a.url(path), nil)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return a.do(nil, req)
}

func TestAPINominationRefusesBadInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		for name, tc := range map[string]struct {
			key   string
			value any
		}{
			"no consent":   {"consent", false},
			"unknown need": {"need", "tablet"},
			"40 children":  {"children", 40},
			"exact income": {"income_bracket", "1234"},
		} {
			t.Run(name, func(t *testing.T) {
				body := nominationBody("Famille Test")
				body[tc.key] = tc.value
				field := tc.key
				expectProblem(t, app.api(ordi.RoleSocialWorker, http.MethodPost, "/api/v1/households", body), http.StatusUnprocessableEntity, field)
			})
		}
		var n int64
		db.Table("households").Count(&n)
		if n != 0 {
			t.Fatalf("bad nominations wrote %d households", n)
		}
		// Staff read families but do not nominate them.
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/households", nominationBody("X")), http.StatusForbidden)
	})
}

// TestHouseholdListShowsNoFile checks that a list of families carries no
// part of their files (phone, income band, notes, consent), so that every
// sight of a file goes through a read that is logged; the list itself logs
// nothing.
func TestHouseholdListShowsNoFile(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		body := nominationBody("Famille Listée")
		body["notes"] = "note canari"
		if res := app.api(ordi.RoleSocialWorker, http.MethodPost, "/api/v1/households", body); res.StatusCode != http.StatusCreated {
			t.Fatalf("nominate: %d %s", res.StatusCode, readBody(res))
		}
		before := countReads(db)
		raw := readBody(app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/households", nil))
		for _, secret := range []string{"06 00 00 00 00", "QF2", "note canari", "consent", "school_children"} {
			if strings.Contains(raw, secret) {
				t.Errorf("the list shows %q: %s", secret, raw)
			}
		}
		if !strings.Contains(raw, "Famille Listée") || !strings.Contains(raw, `"status":"nominated"`) {
			t.Fatalf("the list lacks the family: %s", raw)
		}
		if after := countReads(db); after != before {
			t.Fatalf("the list wrote %d access-log entries", after-before)
		}
	})
}

func countReads(db *gorm.DB) int64 {
	var n int64
	db.Table("audit_events").Where("action = ?", allocation.AccessRead).Count(&n)
	return n
}

func TestAPIAllocationFlow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		res := app.api(ordi.RoleSocialWorker, http.MethodPost, "/api/v1/households", nominationBody("Mme Canari"))
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("nominate: %d %s", res.StatusCode, readBody(res))
		}
		h := decode[householdBody](t, res)
		if !strings.HasPrefix(h.Reference, "F-") || h.Status != "nominated" {
			t.Fatalf("household %+v", h)
		}
		path := fmt.Sprintf("/api/v1/households/%d", h.ID)
		cl := decode[map[string]any](t, app.api(ordi.RoleStaff, http.MethodGet, path+"/checklist", nil))
		if cl["all_passed"] != true {
			t.Fatalf("checklist %v", cl)
		}
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, path+"/decision", map[string]any{"eligible": false}), http.StatusUnprocessableEntity, "reason")
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, path+"/decision", map[string]any{}), http.StatusUnprocessableEntity, "eligible")

		res = app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/courses", map[string]any{"title": "Premiers pas", "place": "Médiathèque",
			"trainer_id": app.users[ordi.RoleTrainer].ID, "session_dates": []string{"2026-11-03", "2026-11-10", "2026-11-17"}, "required_sessions": 2})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("course: %d %s", res.StatusCode, readBody(res))
		}
		course := decode[struct{ ID int64 }](t, res)
		cpath := fmt.Sprintf("/api/v1/courses/%d", course.ID)
		// Enrolment of a family not yet eligible.
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, cpath+"/enrollments", map[string]any{"household_id": h.ID}), http.StatusConflict)
		if res := app.api(ordi.RoleStaff, http.MethodPost, path+"/decision", map[string]any{"eligible": true}); res.StatusCode != http.StatusOK {
			t.Fatalf("decision: %d", res.StatusCode)
		}
		if res := app.api(ordi.RoleStaff, http.MethodPost, cpath+"/enrollments", map[string]any{"household_id": h.ID}); res.StatusCode != http.StatusCreated {
			t.Fatalf("enroll: %d %s", res.StatusCode, readBody(res))
		}
		expectProblem(t, app.api(ordi.RoleTrainer, http.MethodPut, cpath+"/attendance", map[string]any{"household_id": h.ID, "session": 9, "present": true}), http.StatusUnprocessableEntity, "session")
		for _, session := range []int{1, 2} {
			if res := app.api(ordi.RoleTrainer, http.MethodPut, cpath+"/attendance", map[string]any{"household_id": h.ID, "session": session, "present": true}); res.StatusCode != http.StatusOK {
				t.Fatalf("attendance: %d %s", res.StatusCode, readBody(res))
			}
		}
		// The trainer sees names, not files.
		detail := decode[map[string]any](t, app.api(ordi.RoleTrainer, http.MethodGet, cpath, nil))
		att := detail["attendees"].([]any)[0].(map[string]any)
		if att["contact_name"] != "Mme Canari" || att["attended"] != 2.0 || att["status"] != nil || att["household_reference"] != nil || att["phone"] != nil {
			t.Fatalf("trainer's view %v", att)
		}
		staffView := decode[map[string]any](t, app.api(ordi.RoleStaff, http.MethodGet, cpath, nil))
		if att := staffView["attendees"].([]any)[0].(map[string]any); att["status"] != "trained" || att["household_reference"] == nil {
			t.Fatalf("staff's view %v", att)
		}
		expectProblem(t, app.api(ordi.RoleTrainer, http.MethodGet, path, nil), http.StatusForbidden)

		// A ready unit, then proposals and a reservation.
		u := app.newUnit(t, app.newDonation(t))
		for _, to := range []string{"diagnosed"} {
			app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+u.Code+"/transitions", map[string]any{"to": to})
		}
		app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+u.Code+"/erasures", map[string]any{"category": "purge", "technique": "sanitize", "result": "passed"})
		for _, to := range []string{"wiped", "refurbished", "ready"} {
			app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+u.Code+"/transitions", map[string]any{"to": to})
		}
		props := decode[struct {
			Proposals []struct {
				HouseholdID int64  `json:"household_id"`
				Reference   string `json:"household_reference"`
				UnitCode    string `json:"unit_code"`
				Reason      string `json:"reason"`
			} `json:"proposals"`
			Unmatched []int64 `json:"unmatched"`
		}](t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/allocation/proposals", map[string]any{}))
		if len(props.Proposals) != 1 || props.Proposals[0].UnitCode != u.Code || props.Proposals[0].Reference != h.Reference || props.Proposals[0].Reason == "" {
			t.Fatalf("proposals %+v", props)
		}
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/reservations", map[string]any{"household_id": h.ID, "unit_code": "ZZZZZZZ"}), http.StatusUnprocessableEntity, "unit_code")
		res = app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/reservations", map[string]any{"household_id": h.ID, "unit_code": u.Code})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("reserve: %d %s", res.StatusCode, readBody(res))
		}
		r := decode[struct {
			ID       int64  `json:"id"`
			UnitCode string `json:"unit_code"`
		}](t, res)
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/reservations", map[string]any{"household_id": h.ID, "unit_code": u.Code}), http.StatusConflict)
		// Volunteers see the reservation for the handover desk.
		if res := app.api(ordi.RoleVolunteer, http.MethodGet, fmt.Sprintf("/api/v1/reservations/%d", r.ID), nil); res.StatusCode != http.StatusOK {
			t.Fatalf("volunteer reading a reservation: %d", res.StatusCode)
		}
		expectProblem(t, app.api(ordi.RoleVolunteer, http.MethodDelete, fmt.Sprintf("/api/v1/reservations/%d", r.ID), nil), http.StatusForbidden)
		if res := app.api(ordi.RoleStaff, http.MethodDelete, fmt.Sprintf("/api/v1/reservations/%d?reason=absent", r.ID), nil); res.StatusCode != http.StatusOK {
			t.Fatalf("cancel: %d %s", res.StatusCode, readBody(res))
		}
		if got := decode[householdBody](t, app.api(ordi.RoleStaff, http.MethodGet, path, nil)); got.Status != "trained" {
			t.Fatalf("after cancel the family is %s", got.Status)
		}
		// The social worker exports the file; the access log shows every read.
		res = app.api(ordi.RoleSocialWorker, http.MethodGet, path+"/export", nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), h.Reference) {
			t.Fatalf("export: %d", res.StatusCode)
		}
		logPage := decode[struct {
			Items []struct {
				Action string `json:"action"`
				Actor  string `json:"actor"`
			} `json:"items"`
		}](t, app.api(ordi.RoleAdmin, http.MethodGet, fmt.Sprintf("/api/v1/access-log?household_id=%d", h.ID), nil))
		reads := 0
		for _, e := range logPage.Items {
			if e.Action == "household.read" || e.Action == "household.export" {
				reads++
			}
		}
		if reads != 3 { // the checklist, the read after the cancellation, the export
			t.Fatalf("%d reads logged: %+v", reads, logPage.Items)
		}
	})
}

// TestHouseholdAccessMatrix calls every household route as every role, and
// as a social worker of the family's partner and of another: the other
// partner's worker gets 404 (the family's existence is not disclosed),
// roles without the capability 403.
func TestHouseholdAccessMatrix(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		other := app.otherWorker(t)
		h := decode[householdBody](t, app.api(ordi.RoleSocialWorker, http.MethodPost, "/api/v1/households", nominationBody("Famille Matrice")))
		id := fmt.Sprint(h.ID)
		type call struct {
			method, path string
			body         any
		}
		routes := map[string]call{
			"read":      {http.MethodGet, "/api/v1/households/" + id, nil},
			"edit":      {http.MethodPatch, "/api/v1/households/" + id, map[string]any{"version": 99}},
			"decide":    {http.MethodPost, "/api/v1/households/" + id + "/decision", map[string]any{"eligible": true}},
			"withdraw":  {http.MethodPost, "/api/v1/households/" + id + "/withdraw", map[string]any{"reason": "test"}},
			"export":    {http.MethodGet, "/api/v1/households/" + id + "/export", nil},
			"checklist": {http.MethodGet, "/api/v1/households/" + id + "/checklist", nil},
		}
		// want[route][caller]: the status class expected. "ok" means neither
		// 401, 403 nor 404 (the handler ran: 200, 409 or 422).
		const ok, forbidden, hidden = "ok", "403", "404"
		want := map[string]map[string]string{
			"read":      {"admin": ok, "staff": ok, "volunteer": forbidden, "trainer": forbidden, "own": ok, "other": hidden},
			"edit":      {"admin": ok, "staff": forbidden, "volunteer": forbidden, "trainer": forbidden, "own": ok, "other": hidden},
			"decide":    {"admin": ok, "staff": ok, "volunteer": forbidden, "trainer": forbidden, "own": forbidden, "other": forbidden},
			"withdraw":  {"admin": ok, "staff": ok, "volunteer": forbidden, "trainer": forbidden, "own": ok, "other": hidden},
			"export":    {"admin": ok, "staff": forbidden, "volunteer": forbidden, "trainer": forbidden, "own": ok, "other": hidden},
			"checklist": {"admin": ok, "staff": ok, "volunteer": forbidden, "trainer": forbidden, "own": forbidden, "other": forbidden},
		}
		tokens := map[string]string{
			"admin": app.tokens[ordi.RoleAdmin], "staff": app.tokens[ordi.RoleStaff], "volunteer": app.tokens[ordi.RoleVolunteer],
			"trainer": app.tokens[ordi.RoleTrainer], "own": app.tokens[ordi.RoleSocialWorker], "other": other,
		}
		for name, r := range routes {
			for caller, expected := range want[name] {
				res := app.apiToken(tokens[caller], r.method, r.path, r.body)
				got := ok
				switch res.StatusCode {
				case http.StatusForbidden:
					got = forbidden
				case http.StatusNotFound:
					got = hidden
				case http.StatusUnauthorized:
					got = "401"
				}
				if got != expected {
					t.Errorf("%s as %s: status %d, want %s", name, caller, res.StatusCode, expected)
				}
			}
		}
		// Lists never show another partner's families.
		list := decode[list[householdBody]](t, app.apiToken(other, http.MethodGet, "/api/v1/households", nil))
		if len(list.Items) != 0 {
			t.Fatalf("another partner's worker lists %d families", len(list.Items))
		}
		expectProblem(t, app.api(ordi.RoleVolunteer, http.MethodGet, "/api/v1/households", nil), http.StatusForbidden)
		expectProblem(t, app.api(ordi.RoleTrainer, http.MethodGet, "/api/v1/households", nil), http.StatusForbidden)
	})
}

// TestEquippedFamilyCannotReserveAgain: a family that received its computer
// at the handover desk cannot have a second one reserved, by the API or the
// proposals page; the refusal changes nothing.
func TestEquippedFamilyCannotReserveAgain(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		rid, _ := app.reserved(t, "Famille déjà équipée", donation)
		res := app.api(ordi.RoleVolunteer, http.MethodPost, fmt.Sprintf("/api/v1/reservations/%d/handover", rid), map[string]any{"signatory_name": "Mme Équipée"})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("handover: %d %s", res.StatusCode, readBody(res))
		}
		r := decode[struct {
			HouseholdID int64 `json:"household_id"`
		}](t, app.api(ordi.RoleStaff, http.MethodGet, fmt.Sprintf("/api/v1/reservations/%d", rid), nil))
		second := app.readyUnit(t, donation)
		type seen struct {
			Family, Unit string
			Active       int
		}
		look := func() seen {
			t.Helper()
			h := decode[householdBody](t, app.api(ordi.RoleStaff, http.MethodGet, fmt.Sprintf("/api/v1/households/%d", r.HouseholdID), nil))
			u := decode[unitBody](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units/"+second.Code, nil))
			var active int64
			db.Table("reservations").Where("status = 'active' AND (household_id = ? OR unit_id IN (SELECT id FROM units WHERE code = ?))", r.HouseholdID, second.Code).Count(&active)
			return seen{h.Status, u.Status, int(active)}
		}
		before := look()
		if before != (seen{"equipped", "ready", 0}) {
			t.Fatalf("before the second reservation: %+v", before)
		}
		for _, role := range []ordi.Role{ordi.RoleStaff, ordi.RoleAdmin} {
			res := app.api(role, http.MethodPost, "/api/v1/reservations", map[string]any{"household_id": r.HouseholdID, "unit_code": second.Code})
			if p := expectProblem(t, res, http.StatusConflict); !strings.Contains(p.Detail, "déjà servie") {
				t.Fatalf("second unit for an equipped family, as %s: %+v", role, p)
			}
		}
		// The page confirms a batch of pairs and reports the refused ones.
		staff := app.login(ordi.RoleStaff)
		res = app.postForm(staff, "/reservations", url.Values{"pair": {fmt.Sprintf("%d:%s", r.HouseholdID, second.Code)}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("proposals page: %d", res.StatusCode)
		}
		if body := readBody(app.get(staff, res.Header.Get("Location"))); !strings.Contains(body, "0 réservation faite ; refusées") || !strings.Contains(body, "déjà servie") {
			t.Fatalf("the proposals page does not report the refusal:\n%s", body)
		}
		if after := look(); after != before {
			t.Fatalf("a refused reservation changed %+v into %+v", before, after)
		}
	})
}
