package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

// setClock puts the test server's clock at t.
func (a *testApp) setClock(t time.Time) {
	a.clock.mu.Lock()
	defer a.clock.mu.Unlock()
	a.clock.t = t
}

// trainedFamily returns the id of a family that completed a course.
func (a *testApp) trainedFamily(t *testing.T, name string) int64 {
	t.Helper()
	h := decode[householdBody](t, a.api(ordi.RoleSocialWorker, http.MethodPost, "/api/v1/households", nominationBody(name)))
	a.api(ordi.RoleStaff, http.MethodPost, fmt.Sprintf("/api/v1/households/%d/decision", h.ID), map[string]any{"eligible": true})
	course := decode[struct{ ID int64 }](t, a.api(ordi.RoleStaff, http.MethodPost, "/api/v1/courses", map[string]any{"title": "Premiers pas", "session_dates": []string{"2026-10-27"}, "required_sessions": 1}))
	a.api(ordi.RoleStaff, http.MethodPost, fmt.Sprintf("/api/v1/courses/%d/enrollments", course.ID), map[string]any{"household_id": h.ID})
	if res := a.api(ordi.RoleStaff, http.MethodPut, fmt.Sprintf("/api/v1/courses/%d/attendance", course.ID), map[string]any{"household_id": h.ID, "session": 1, "present": true}); res.StatusCode != http.StatusOK {
		t.Fatalf("attendance: %d %s", res.StatusCode, readBody(res))
	}
	return h.ID
}

type appointmentBody struct {
	ID            int64   `json:"id"`
	Status        string  `json:"status"`
	AppointmentOn *string `json:"appointment_on"`
}

// reserveOn reserves a new ready unit for a new trained family with an
// appointment ("" for none) and returns the reservation's id.
func (a *testApp) reserveOn(t *testing.T, name string, donation int64, on string) int64 {
	t.Helper()
	body := map[string]any{"household_id": a.trainedFamily(t, name), "unit_code": a.readyUnit(t, donation).Code}
	if on != "" {
		body["appointment_on"] = on
	}
	res := a.api(ordi.RoleStaff, http.MethodPost, "/api/v1/reservations", body)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("reserve on %q: %d %s", on, res.StatusCode, readBody(res))
	}
	r := decode[appointmentBody](t, res)
	if on != "" && (r.AppointmentOn == nil || *r.AppointmentOn != on) || on == "" && r.AppointmentOn != nil {
		t.Fatalf("reserved with appointment %v, want %q", r.AppointmentOn, on)
	}
	return r.ID
}

// paris0030 is 00:30 on 4 November 2026 in Paris, still 3 November in UTC.
var paris0030 = time.Date(2026, 11, 3, 23, 30, 0, 0, time.UTC)

func TestAPIReservationAppointment(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.setClock(paris0030)
		app.withUsers()
		donation := app.newDonation(t)

		// Reserving with a bad appointment changes nothing.
		family := app.trainedFamily(t, canaryName)
		unit := app.readyUnit(t, donation)
		for _, on := range []string{"2026-11-03", "04/11/2026"} {
			res := app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/reservations", map[string]any{"household_id": family, "unit_code": unit.Code, "appointment_on": on})
			expectProblem(t, res, http.StatusUnprocessableEntity, "appointment_on")
		}
		res := app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/reservations", map[string]any{"household_id": family, "unit_code": unit.Code, "appointment_on": "2026-11-04"})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("reserve for today: %d %s", res.StatusCode, readBody(res))
		}
		r := decode[appointmentBody](t, res)
		if r.AppointmentOn == nil || *r.AppointmentOn != "2026-11-04" {
			t.Fatalf("created with appointment %v", r.AppointmentOn)
		}
		path := fmt.Sprintf("/api/v1/reservations/%d", r.ID)

		// The volunteer at the desk moves it; trainers and social workers may not.
		res = app.api(ordi.RoleVolunteer, http.MethodPatch, path, map[string]any{"appointment_on": "2026-11-09"})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("volunteer moves the appointment: %d %s", res.StatusCode, readBody(res))
		}
		if got := decode[appointmentBody](t, res); got.AppointmentOn == nil || *got.AppointmentOn != "2026-11-09" {
			t.Fatalf("moved to %v", got.AppointmentOn)
		}
		for _, role := range []ordi.Role{ordi.RoleTrainer, ordi.RoleSocialWorker} {
			expectProblem(t, app.api(role, http.MethodPatch, path, map[string]any{"appointment_on": "2026-11-10"}), http.StatusForbidden)
		}
		expectProblem(t, app.api("", http.MethodPatch, path, map[string]any{"appointment_on": "2026-11-10"}), http.StatusUnauthorized)
		// Bad days: 422; a wrong type or an unknown field: 400.
		for _, body := range []string{`{"appointment_on":"2026-11-03"}`, `{"appointment_on":"09/11/2026"}`, `{"appointment_on":"2026-02-30"}`,
			`{"appointment_on":""}`, `{"appointment_on":"2030-01-01"}`, `{}`} {
			expectProblem(t, app.api(ordi.RoleStaff, http.MethodPatch, path, body), http.StatusUnprocessableEntity, "appointment_on")
		}
		for _, body := range []string{`{"appointment_on":20261109}`, `{"appointment_on":"2026-11-09","note":"x"}`, `not json`} {
			expectProblem(t, app.api(ordi.RoleStaff, http.MethodPatch, path, body), http.StatusBadRequest)
		}
		if got := decode[appointmentBody](t, app.api(ordi.RoleVolunteer, http.MethodGet, path, nil)); got.AppointmentOn == nil || *got.AppointmentOn != "2026-11-09" {
			t.Fatalf("a refused change moved the appointment to %v", got.AppointmentOn)
		}
		// null clears it.
		res = app.api(ordi.RoleAdmin, http.MethodPatch, path, `{"appointment_on":null}`)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("clear: %d %s", res.StatusCode, readBody(res))
		}
		if got := decode[appointmentBody](t, res); got.AppointmentOn != nil {
			t.Fatalf("cleared appointment reads %v", *got.AppointmentOn)
		}
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPatch, "/api/v1/reservations/999999", map[string]any{"appointment_on": "2026-11-10"}), http.StatusNotFound)
		// A cancelled reservation: 409.
		if res := app.api(ordi.RoleStaff, http.MethodDelete, path+"?reason=test", nil); res.StatusCode != http.StatusOK {
			t.Fatalf("cancel: %d %s", res.StatusCode, readBody(res))
		}
		expectProblem(t, app.api(ordi.RoleVolunteer, http.MethodPatch, path, map[string]any{"appointment_on": "2026-11-10"}), http.StatusConflict)
	})
}

func TestHandoverDeskGroupsByAppointment(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.setClock(paris0030)
		app.withUsers()
		vol := app.login(ordi.RoleVolunteer)
		body := readBody(app.get(vol, "/handovers"))
		for _, empty := range []string{"Aucun rendez-vous aujourd'hui.", "Aucun rendez-vous à venir.", "Toutes les réservations ont un rendez-vous.", "Aucun rendez-vous manqué."} {
			if !strings.Contains(body, empty) {
				t.Fatalf("the empty desk lacks %q:\n%s", empty, body)
			}
		}

		donation := app.newDonation(t)
		overdue := app.reserveOn(t, canaryName, donation, "2026-11-05")
		app.clock.Advance(48 * time.Hour) // 6 November in Paris
		later := app.reserveOn(t, "Famille Plus tard", donation, "2026-11-20")
		unscheduled := app.reserveOn(t, "Famille Sans date", donation, "")
		today := app.reserveOn(t, "Famille Du jour", donation, "2026-11-06")
		soon := app.reserveOn(t, "Famille Bientôt", donation, "2026-11-09")

		vol = app.login(ordi.RoleVolunteer)
		res := app.get(vol, "/handovers")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("desk: %d", res.StatusCode)
		}
		body = readBody(res)
		if strings.Contains(body, "Canari") || strings.Contains(body, "Famille Du jour") || strings.Contains(body, "Plus tard") {
			t.Fatal("the desk shows a family's name")
		}
		link := func(id int64) string { return fmt.Sprintf(`href="/handovers/%d"`, id) }
		order := []string{`id="desk-today"`, link(today), "rendez-vous le 06/11/2026", `id="desk-upcoming"`, link(soon), link(later),
			`id="desk-unscheduled"`, link(unscheduled), "sans rendez-vous", `id="desk-overdue"`, link(overdue), "rendez-vous le 05/11/2026"}
		at := -1
		for _, want := range order {
			i := strings.Index(body[at+1:], want)
			if i < 0 {
				t.Fatalf("the desk lacks %q after position %d, or has it out of order:\n%s", want, at, body)
			}
			at += 1 + i
		}

		// The handover page fixes, refuses and clears the appointment.
		page := fmt.Sprintf("/handovers/%d", unscheduled)
		if body := readBody(app.get(vol, page)); !strings.Contains(body, "pas encore fixé") || !strings.Contains(body, `action="`+page+`/appointment"`) {
			t.Fatalf("the handover page has no appointment form:\n%s", body)
		}
		res = app.postForm(vol, page+"/appointment", url.Values{"appointment_on": {"2026-11-07"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page {
			t.Fatalf("set from the page: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if body := readBody(app.get(vol, page)); !strings.Contains(body, "Rendez-vous fixé au 07/11/2026") || !strings.Contains(body, `value="2026-11-07"`) {
			t.Fatalf("after setting:\n%s", body)
		}
		res = app.postForm(vol, page+"/appointment", url.Values{"appointment_on": {"2026-11-05"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("a past day from the page: %d", res.StatusCode)
		}
		if body := readBody(app.get(vol, page)); !strings.Contains(body, "flash-error") || !strings.Contains(body, "passée") || !strings.Contains(body, `value="2026-11-07"`) {
			t.Fatalf("after a past day:\n%s", body)
		}
		app.postForm(vol, page+"/appointment", url.Values{"appointment_on": {""}})
		if body := readBody(app.get(vol, page)); !strings.Contains(body, "Rendez-vous retiré") || !strings.Contains(body, "pas encore fixé") {
			t.Fatalf("after clearing:\n%s", body)
		}
		trainer := app.login(ordi.RoleTrainer)
		if res := app.postForm(trainer, page+"/appointment", url.Values{"appointment_on": {"2026-11-07"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("trainer on the appointment form: %d", res.StatusCode)
		}
	})
}

// TestReserveFromProposalsWithAppointment reserves one proposal from the
// allocation page with its handover date: the reservation carries it.
func TestReserveFromProposalsWithAppointment(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		app.setClock(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
		family := app.trainedFamily(t, "Famille Rendez-vous")
		unit := app.readyUnit(t, app.newDonation(t))
		staff := app.login(ordi.RoleStaff)
		if page := readBody(app.get(staff, "/allocation")); !strings.Contains(page, `name="appointment_on"`) {
			t.Fatal("the proposals page does not ask for the handover date")
		}
		res := app.postForm(staff, "/reservations", url.Values{"pair": {fmt.Sprintf("%d:%s", family, unit.Code)}, "appointment_on": {"2026-11-24"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("reserve: %d %s", res.StatusCode, readBody(res))
		}
		list := decode[struct{ Items []appointmentBody }](t, app.api(ordi.RoleStaff, http.MethodGet, fmt.Sprintf("/api/v1/reservations?household_id=%d", family), nil))
		if len(list.Items) != 1 || list.Items[0].AppointmentOn == nil || *list.Items[0].AppointmentOn != "2026-11-24" {
			t.Fatalf("reservations %+v", list.Items)
		}
	})
}
