package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/certificates"
	"github.com/ordi-app/ordi/database/dbtest"
)

const canaryName = "Zéphyrine Canari"

func pngSignature(t *testing.T) string {
	img := image.NewGray(image.Rect(0, 0, 200, 80))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for x := 10; x < 190; x++ {
		img.Pix[40*img.Stride+x] = 0
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return base64.StdEncoding.EncodeToString(b.Bytes())
}

// readyUnit moves a new unit to ready through the API.
func (a *testApp) readyUnit(t *testing.T, donation int64) unitBody {
	t.Helper()
	u := a.newUnit(t, donation)
	a.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+u.Code+"/transitions", map[string]any{"to": "diagnosed"})
	a.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+u.Code+"/erasures", map[string]any{"category": "purge", "technique": "sanitize", "result": "passed"})
	for _, to := range []string{"wiped", "refurbished", "ready"} {
		if res := a.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+u.Code+"/transitions", map[string]any{"to": to}); res.StatusCode != http.StatusOK {
			t.Fatalf("to %s: %d %s", to, res.StatusCode, readBody(res))
		}
	}
	return u
}

// reserved returns a reservation id for a trained family named name.
func (a *testApp) reserved(t *testing.T, name string, donation int64) (int64, unitBody) {
	t.Helper()
	h := decode[householdBody](t, a.api(ordi.RoleSocialWorker, http.MethodPost, "/api/v1/households", nominationBody(name)))
	a.api(ordi.RoleStaff, http.MethodPost, fmt.Sprintf("/api/v1/households/%d/decision", h.ID), map[string]any{"eligible": true})
	course := decode[struct{ ID int64 }](t, a.api(ordi.RoleStaff, http.MethodPost, "/api/v1/courses", map[string]any{"title": "Premiers pas", "session_dates": []string{"2026-11-03"}, "required_sessions": 1}))
	a.api(ordi.RoleStaff, http.MethodPost, fmt.Sprintf("/api/v1/courses/%d/enrollments", course.ID), map[string]any{"household_id": h.ID})
	a.api(ordi.RoleStaff, http.MethodPut, fmt.Sprintf("/api/v1/courses/%d/attendance", course.ID), map[string]any{"household_id": h.ID, "session": 1, "present": true})
	u := a.readyUnit(t, donation)
	res := a.api(ordi.RoleStaff, http.MethodPost, "/api/v1/reservations", map[string]any{"household_id": h.ID, "unit_code": u.Code})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("reserve: %d %s", res.StatusCode, readBody(res))
	}
	return decode[struct{ ID int64 }](t, res).ID, u
}

func TestAPIHandoverAndVerification(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		rid, u := app.reserved(t, canaryName, donation)
		path := fmt.Sprintf("/api/v1/reservations/%d/handover", rid)
		expectProblem(t, app.api(ordi.RoleVolunteer, http.MethodPost, path, map[string]any{"signatory_name": ""}), http.StatusUnprocessableEntity, "signatory_name")
		expectProblem(t, app.api(ordi.RoleVolunteer, http.MethodPost, path, map[string]any{"signatory_name": "A", "signature_png": base64.StdEncoding.EncodeToString([]byte("GIF89a"))}), http.StatusUnprocessableEntity, "signature_png")
		expectProblem(t, app.api(ordi.RoleVolunteer, http.MethodPost, path, map[string]any{"signatory_name": "A", "signature_png": "%%%"}), http.StatusUnprocessableEntity, "signature_png")
		expectProblem(t, app.api(ordi.RoleSocialWorker, http.MethodPost, path, map[string]any{"signatory_name": "A"}), http.StatusForbidden)

		res := app.api(ordi.RoleVolunteer, http.MethodPost, path, map[string]any{"signatory_name": canaryName, "signature_png": "data:image/png;base64," + pngSignature(t), "accessories": []string{"chargeur"}})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("handover: %d %s", res.StatusCode, readBody(res))
		}
		ref := decode[certificateRef](t, res)
		if !strings.HasPrefix(ref.Number, "REM-") || ref.PDFURL != "/api/v1/certificates/"+ref.Number+".pdf" {
			t.Fatalf("ref %+v", ref)
		}
		expectProblem(t, app.api(ordi.RoleVolunteer, http.MethodPost, path, map[string]any{"signatory_name": canaryName}), http.StatusConflict)

		// The PDF is frozen: the same bytes every time.
		first := readBody(app.api(ordi.RoleVolunteer, http.MethodGet, ref.PDFURL, nil))
		second := readBody(app.api(ordi.RoleStaff, http.MethodGet, ref.PDFURL, nil))
		if first != second || !strings.HasPrefix(first, "%PDF-") {
			t.Fatal("certificate bytes change between downloads")
		}
		meta := decode[map[string]any](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/certificates/"+ref.Number, nil))
		if meta["sha256"] == "" || meta["kind"] != "handover" {
			t.Fatalf("meta %v", meta)
		}
		// The public page: no login, the unit, the hash, nobody's name.
		res = app.get(nil, "/verify/"+ref.Number)
		body := readBody(res)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, u.Code) || !strings.Contains(body, meta["sha256"].(string)) {
			t.Fatalf("verify page: %d", res.StatusCode)
		}
		if strings.Contains(body, "Canari") || strings.Contains(body, "F-2026") {
			t.Fatal("the verify page shows the family")
		}
		if res := app.get(nil, "/verify/REM-2026-9999"); res.StatusCode != http.StatusNotFound || !strings.Contains(readBody(res), "Certificat inconnu") {
			t.Fatalf("unknown certificate: %d", res.StatusCode)
		}
	})
}

// withIssuerSIRET gives the association the SIRET a donor certificate
// needs.
func (a *testApp) withIssuerSIRET() *testApp {
	a.t.Helper()
	i := certificates.Issuer{Name: "Régie de test", SIRET: "21750001600019", WarrantyMonths: 3}
	if _, err := a.srv.cfg.Certificates.SetIssuer(context.Background(), ordi.Actor{Role: ordi.RoleAdmin, Name: "Test"}, i); err != nil {
		a.t.Fatal(err)
	}
	return a
}

func TestAPIDonorCertificate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation0 := app.newDonation(t)
		app.readyUnit(t, donation0)
		res0 := app.api(ordi.RoleStaff, http.MethodPost, fmt.Sprintf("/api/v1/donations/%d/certificate", donation0), map[string]any{})
		if body := readBody(res0); res0.StatusCode != http.StatusConflict || !strings.Contains(body, "SIRET") {
			t.Fatalf("without the association's SIRET: %d %s", res0.StatusCode, body)
		}
		app.withIssuerSIRET()
		donation := app.newDonation(t)
		app.readyUnit(t, donation)
		pending := app.newUnit(t, donation)
		path := fmt.Sprintf("/api/v1/donations/%d/certificate", donation)
		res := app.api(ordi.RoleStaff, http.MethodPost, path, map[string]any{})
		body := decode[map[string]any](t, res)
		codes, _ := body["pending"].([]any)
		if res.StatusCode != http.StatusConflict || len(codes) != 1 || codes[0] != pending.Code {
			t.Fatalf("pending: %d %v", res.StatusCode, body)
		}
		expectProblem(t, app.api(ordi.RoleVolunteer, http.MethodPost, path, map[string]any{}), http.StatusForbidden)
		// Recycle the pending unit after destroying its drive.
		app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+pending.Code+"/erasures", map[string]any{"category": "destroy", "technique": "broyage", "result": "passed"})
		app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+pending.Code+"/transitions", map[string]any{"to": "recycled", "outlet": "Ecologic", "outlet_reference": "BE-9"})
		res = app.api(ordi.RoleStaff, http.MethodPost, path, nil)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("issue: %d %s", res.StatusCode, readBody(res))
		}
		ref := decode[certificateRef](t, res)
		if !strings.HasPrefix(ref.Number, "DON-") {
			t.Fatalf("number %s", ref.Number)
		}
		if body := readBody(app.get(nil, "/verify/"+ref.Number)); strings.Contains(body, "Crédit Coopératif") || !strings.Contains(body, pending.Code) {
			t.Fatal("the verify page names the donor, or lacks a unit")
		}
		expectProblem(t, app.api(ordi.RoleVolunteer, http.MethodGet, ref.PDFURL, nil), http.StatusNotFound)
		list := decode[list[map[string]any]](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/certificates?kind=donor", nil))
		if len(list.Items) != 1 {
			t.Fatalf("list %+v", list)
		}
		res = app.api(ordi.RoleStaff, http.MethodGet, fmt.Sprintf("/api/v1/donations/%d/receipt.pdf", donation), nil)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("receipt: %d", res.StatusCode)
		}
	})
}

func TestHandoverDeskPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		rid, unit := app.reserved(t, canaryName, donation)
		vol := app.login(ordi.RoleVolunteer)
		body := readBody(app.get(vol, "/handovers"))
		if !strings.Contains(body, fmt.Sprintf("/handovers/%d", rid)) || strings.Contains(body, "Canari") {
			t.Fatal("the desk lacks the reservation, or shows the family's name")
		}
		page := fmt.Sprintf("/handovers/%d", rid)
		if body := readBody(app.get(vol, page)); !strings.Contains(body, "signature-pad") || strings.Contains(body, "Canari") || strings.Contains(body, "06 00") {
			t.Fatal("the handover page lacks the pad, or shows more than the appointment needs")
		}
		// No signature and not on paper: refused, nothing issued.
		res := app.postForm(vol, page, url.Values{"signatory_name": {"Mme Canari"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("no signature: %d", res.StatusCode)
		}
		res = app.postForm(vol, page, url.Values{"signatory_name": {"Mme Canari"}, "paper": {"on"}, "accessories": {"Souris"}})
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/handovers/done/REM-") {
			t.Fatalf("handover: %d %s", res.StatusCode, readBody(res))
		}
		number := strings.TrimPrefix(res.Header.Get("Location"), "/handovers/done/")
		if body := readBody(app.get(vol, res.Header.Get("Location"))); !strings.Contains(body, "Remise enregistrée") {
			t.Fatal("no confirmation page")
		}
		// Reopened, the handover shows it is done and its attestation, not a
		// blank signing form; signed again, it says so and leads there too.
		link := pdfURL(number)
		body = readBody(app.get(vol, page))
		if strings.Contains(body, "signature-pad") || !strings.Contains(body, "déjà remis") || !strings.Contains(body, link) || !strings.Contains(body, "Télécharger") {
			t.Fatalf("a done handover reopened:\n%s", body)
		}
		res = app.postForm(vol, page, url.Values{"signatory_name": {"Mme Canari"}, "paper": {"on"}})
		if body := readBody(res); res.StatusCode != http.StatusConflict || !strings.Contains(body, "déjà remis") || !strings.Contains(body, link) {
			t.Fatalf("signed twice: %d\n%s", res.StatusCode, body)
		}
		staff := app.login(ordi.RoleStaff)
		if body := readBody(app.get(staff, "/certificates")); !strings.Contains(body, "REM-") || !strings.Contains(body, "/correct") {
			t.Fatal("the certificate list lacks the handover")
		}
		// The unit's page and the family's link to it, for those who may
		// read it; the social worker may not.
		if body := readBody(app.get(vol, "/u/"+unit.Code)); !strings.Contains(body, link) {
			t.Fatal("the unit page does not link to its attestation")
		}
		var family int64
		db.Raw("SELECT household_id FROM reservations WHERE id = ?", rid).Scan(&family)
		if body := readBody(app.get(staff, fmt.Sprintf("/families/%d", family))); !strings.Contains(body, link) {
			t.Fatal("the family page does not link to its attestation")
		}
		if body := readBody(app.get(app.login(ordi.RoleSocialWorker), fmt.Sprintf("/families/%d", family))); strings.Contains(body, link) {
			t.Fatal("the social worker is led to an attestation they may not read")
		}
		// The desk may print again what it handed over: its own list, of
		// handover attestations only, without the staff's corrections.
		res = app.get(vol, "/certificates")
		if body := readBody(res); res.StatusCode != http.StatusOK || !strings.Contains(body, link) || strings.Contains(body, "/correct") {
			t.Fatalf("volunteer on the certificate list: %d\n%s", res.StatusCode, body)
		}
	})
}

func TestAssociationIdentityPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		admin := app.login(ordi.RoleAdmin)
		res := app.postForm(admin, "/admin/association", url.Values{"name": {"Régie Nord"}, "siret": {"123"}, "warranty_months": {"3"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(readBody(res), "SIRET") {
			t.Fatalf("bad SIRET: %d", res.StatusCode)
		}
		res = app.postForm(admin, "/admin/association", url.Values{"name": {"Régie Nord"}, "siret": {"21750001600019"}, "address": {"1 rue A\n59000 Lille"}, "warranty_months": {"6"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d %s", res.StatusCode, readBody(res))
		}
		if body := readBody(app.get(admin, "/admin/association")); !strings.Contains(body, "Nécessaire pour délivrer les certificats des donateurs") || !strings.Contains(body, "Régie Nord") || !strings.Contains(body, `value="6"`) {
			t.Fatal("identity not saved")
		}
	})
}

// TestCorrectingAnAttestation corrects a handover attestation through the
// API and through the page: staff only, a reason required, the new number
// replaces the old on the certificate list and the verify page.
func TestCorrectingAnAttestation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		rid, _ := app.reserved(t, canaryName, app.newDonation(t))
		res := app.api(ordi.RoleVolunteer, http.MethodPost, fmt.Sprintf("/api/v1/reservations/%d/handover", rid), map[string]any{"signatory_name": "Z. Canarie", "accessories": []string{"Souris", "sacoche rouge"}})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("handover: %d %s", res.StatusCode, readBody(res))
		}
		first := decode[certificateRef](t, res)
		path := "/api/v1/certificates/" + first.Number + "/reissue"
		good := map[string]any{"signatory_name": canaryName, "signature_png": pngSignature(t), "accessories": []string{"Souris"}, "reason": "nom mal orthographié"}
		expectProblem(t, app.api(ordi.RoleVolunteer, http.MethodPost, path, good), http.StatusForbidden)
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, path, map[string]any{"signatory_name": canaryName}), http.StatusUnprocessableEntity, "reason")
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/certificates/REM-2026-0999/reissue", good), http.StatusNotFound)
		res = app.api(ordi.RoleStaff, http.MethodPost, path, good)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("reissue: %d %s", res.StatusCode, readBody(res))
		}
		second := decode[certificateRef](t, res)
		if second.Number == first.Number || !strings.HasPrefix(second.Number, "REM-") {
			t.Fatalf("correction numbered %s after %s", second.Number, first.Number)
		}
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, path, good), http.StatusConflict)
		if body := readBody(app.get(nil, "/verify/"+first.Number)); !strings.Contains(body, second.Number) {
			t.Fatal("the old attestation's verify page does not name its replacement")
		}

		// The page: the form is filled with what the attestation says.
		staff := app.login(ordi.RoleStaff)
		list := readBody(app.get(staff, "/certificates"))
		if !strings.Contains(list, "/certificates/"+second.Number+"/correct") || strings.Contains(list, "/certificates/"+first.Number+"/correct") {
			t.Fatal("the certificate list does not offer to correct the current attestation only")
		}
		form := readBody(app.get(staff, "/certificates/"+second.Number+"/correct"))
		if !strings.Contains(form, `value="`+canaryName+`"`) || !strings.Contains(form, `value="Souris" checked`) {
			t.Fatalf("the correction form is not filled in:\n%s", form)
		}
		if terms, pad := strings.Index(form, "ne peut être ni vendu"), strings.Index(form, "signature-pad"); terms < 0 || terms > pad {
			t.Fatal("the correction form does not show the conditions above the signature pad")
		}
		if res := app.get(app.login(ordi.RoleVolunteer), "/certificates/"+second.Number+"/correct"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("volunteer on the correction page: %d", res.StatusCode)
		}
		res = app.postForm(staff, "/certificates/"+second.Number+"/correct", url.Values{"signatory_name": {canaryName}, "paper": {"on"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(readBody(res), "corrige") {
			t.Fatalf("a correction without a reason: %d", res.StatusCode)
		}
		res = app.postForm(staff, "/certificates/"+second.Number+"/correct", url.Values{"signatory_name": {canaryName}, "paper": {"on"}, "reason": {"lieu de remise"}, "accessories": {"Souris", "Sacoche"}})
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/handovers/done/REM-") {
			t.Fatalf("correction by the page: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		third := strings.TrimPrefix(res.Header.Get("Location"), "/handovers/done/")

		// Once the family's data is erased, its attestation can no longer be
		// corrected (it would lose the name); the issued one stays verifiable.
		r := decode[struct {
			HouseholdID        int64  `json:"household_id"`
			HouseholdReference string `json:"household_reference"`
		}](t, app.api(ordi.RoleStaff, http.MethodGet, fmt.Sprintf("/api/v1/reservations/%d", rid), nil))
		res = app.api(ordi.RoleAdmin, http.MethodPost, fmt.Sprintf("/api/v1/households/%d/erase", r.HouseholdID), map[string]any{"confirm": r.HouseholdReference})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("erasure: %d %s", res.StatusCode, readBody(res))
		}
		if got := decode[map[string]any](t, res); got["status"] != "equipped" {
			t.Fatalf("an equipped family became %v", got["status"])
		}
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/certificates/"+third+"/reissue", good), http.StatusConflict)
		if res := app.get(nil, "/verify/"+third); res.StatusCode != http.StatusOK {
			t.Fatalf("verify after the erasure: %d", res.StatusCode)
		}
	})
}
