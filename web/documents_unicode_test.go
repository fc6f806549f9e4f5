package web

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/pdfdoc/pdftest"
)

// emojiName is a name as a phone keyboard types it: an emoji, outside the
// BMP, between letters the font draws.
const emojiName = "Zoé 😀 Martin"

// expectPDF checks that res is a valid PDF whose text shows want.
func expectPDF(t *testing.T, what string, res *http.Response, want string) {
	t.Helper()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("%s: status %d, %s: %.300s", what, res.StatusCode, res.Header.Get("Content-Type"), body)
		return
	}
	pdftest.RequireTools(t)
	pdftest.Validate(t, body)
	if text := strings.Join(pdftest.Text(t, body), "\n"); !strings.Contains(text, want) {
		t.Errorf("%s does not show %q:\n%s", what, want, text)
	}
}

// TestDocumentsDrawAnyTextOverHTTP enters an emoji and 𝐀 where people type
// them (a donor's name, a unit's model, a family's name, the signatory, a
// course title) and fetches every document that prints them: the labels,
// the donor's receipt and certificate, the course sheet, the handover
// attestation. Each is a valid PDF showing the replacement mark.
func TestDocumentsDrawAnyTextOverHTTP(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers().withIssuerSIRET()
		mark := "Zoé " + pdftest.Mark + " Martin"
		// A donation from a donor with an emoji in the name, one unit with 𝐀 in its model.
		res := app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/donors", map[string]any{"name": emojiName, "kind": "individual"})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("donor: %d %s", res.StatusCode, readBody(res))
		}
		donor := decode[map[string]any](t, res)
		res = app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/donations", map[string]any{"donor_id": donor["id"], "received_on": "2026-10-20", "site": "Siège 🏢"})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("donation: %d %s", res.StatusCode, readBody(res))
		}
		donation := int64(decode[map[string]any](t, res)["id"].(float64))
		res = app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units", map[string]any{
			"donation_id": donation, "kind": "laptop", "brand": "𝐃𝐞𝐥𝐥", "model": emojiName, "ram_gb": 8, "storage_gb": 256, "storage_kind": "ssd", "weight_kg": 1.6})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("unit: %d %s", res.StatusCode, readBody(res))
		}
		u := decode[unitBody](t, res)

		expectPDF(t, "labels", app.api(ordi.RoleVolunteer, http.MethodPost, "/api/v1/labels", map[string]any{"codes": []string{u.Code}, "template": "L7163"}), mark)
		expectPDF(t, "receipt", app.api(ordi.RoleStaff, http.MethodGet, fmt.Sprintf("/api/v1/donations/%d/receipt.pdf", donation), nil), mark)

		// The unit goes to a family named with an emoji, trained on a course whose title has one.
		app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+u.Code+"/transitions", map[string]any{"to": "diagnosed"})
		app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+u.Code+"/erasures", map[string]any{"category": "purge", "technique": "sanitize 🔒", "result": "passed"})
		for _, to := range []string{"wiped", "refurbished", "ready"} {
			if res := app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+u.Code+"/transitions", map[string]any{"to": to}); res.StatusCode != http.StatusOK {
				t.Fatalf("to %s: %d %s", to, res.StatusCode, readBody(res))
			}
		}
		// A unit ready for reuse is settled: the donor may have the certificate.
		res = app.api(ordi.RoleStaff, http.MethodPost, fmt.Sprintf("/api/v1/donations/%d/certificate", donation), nil)
		if res.StatusCode != http.StatusCreated {
			t.Errorf("donor certificate (renders it): %d %s", res.StatusCode, readBody(res))
		} else {
			expectPDF(t, "donor certificate", app.api(ordi.RoleStaff, http.MethodGet, decode[certificateRef](t, res).PDFURL, nil), mark)
		}
		h := decode[householdBody](t, app.api(ordi.RoleSocialWorker, http.MethodPost, "/api/v1/households", nominationBody(emojiName)))
		app.api(ordi.RoleStaff, http.MethodPost, fmt.Sprintf("/api/v1/households/%d/decision", h.ID), map[string]any{"eligible": true})
		course := decode[struct{ ID int64 }](t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/courses",
			map[string]any{"title": "Premiers pas 𝐀", "place": "Médiathèque 📚", "trainer_id": app.users[ordi.RoleTrainer].ID, "session_dates": []string{"2026-11-03"}, "required_sessions": 1}))
		app.api(ordi.RoleStaff, http.MethodPost, fmt.Sprintf("/api/v1/courses/%d/enrollments", course.ID), map[string]any{"household_id": h.ID})
		if res := app.api(ordi.RoleTrainer, http.MethodPut, fmt.Sprintf("/api/v1/courses/%d/attendance", course.ID), map[string]any{"household_id": h.ID, "session": 1, "present": true}); res.StatusCode != http.StatusOK {
			t.Fatalf("attendance: %d %s", res.StatusCode, readBody(res))
		}
		expectPDF(t, "course sheet", app.get(app.login(ordi.RoleTrainer), fmt.Sprintf("/courses/%d/sheet.pdf", course.ID)), mark)

		res = app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/reservations", map[string]any{"household_id": h.ID, "unit_code": u.Code})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("reserve: %d %s", res.StatusCode, readBody(res))
		}
		rid := decode[struct{ ID int64 }](t, res).ID
		res = app.api(ordi.RoleVolunteer, http.MethodPost, fmt.Sprintf("/api/v1/reservations/%d/handover", rid),
			map[string]any{"signatory_name": emojiName, "accessories": []string{"chargeur 🔌"}, "place": "Roubaix ☀️"})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("handover (renders the attestation): %d %s", res.StatusCode, readBody(res))
		}
		expectPDF(t, "attestation", app.api(ordi.RoleVolunteer, http.MethodGet, decode[certificateRef](t, res).PDFURL, nil), mark)
	})
}
