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
	"github.com/ordi-app/ordi/database/dbtest"
)

// familyRoute reports whether a route reads or changes anything of a
// family's: its file, its course, its reservation, its handover, the
// attestations and certificates, the access log.
func familyRoute(path string) bool {
	for _, w := range []string{"famil", "household", "course", "allocation", "reservation", "handover", "certificate", "access-log", "export"} {
		if strings.Contains(path, w) {
			return true
		}
	}
	return false
}

// TestWorkbenchAccount: an administrator creates a workbench account on the
// users page (the role offered under its French name) and a token for it;
// the token creates a unit in a donation and records an erasure, and is
// refused everywhere a family shows, with real identifiers of a family, its
// reservation and its attestation; it reads no unit back; once revoked it
// is refused with a French message.
func TestWorkbenchAccount(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers().withIssuerSIRET()
		admin := app.login(ordi.RoleAdmin)
		page := readBody(app.get(admin, "/admin/users/new"))
		if !strings.Contains(page, `<option value="workbench">Poste d&#39;atelier (banc de diagnostic)</option>`) {
			t.Fatalf("the users page does not offer the workbench role:\n%s", page)
		}
		res := app.postForm(admin, "/admin/users", url.Values{"email": {"banc-1@example.org"}, "name": {"Banc 1"},
			"role": {"workbench"}, "partner_id": {"0"}, "password": {"inutilisable-0123456789"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create the workbench account: %d %s", res.StatusCode, readBody(res))
		}
		ctx := context.Background()
		token, err := app.accounts.CreateToken(ctx, ordi.System, "banc-1@example.org", "clé USB")
		if err != nil {
			t.Fatal(err)
		}
		if res := app.postForm(app.client(), "/login", url.Values{"email": {"banc-1@example.org"}, "password": {"inutilisable-0123456789"}}); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("the workbench signs in to the pages: %d", res.StatusCode)
		}

		// A family with a reservation, a handover and its attestation, so
		// that the refusals below are of things that exist.
		donation := app.newDonation(t)
		householdID, unit := app.reserved(t, "Famille Témoin", donation)
		var reservationID int64
		db.Raw("SELECT id FROM reservations WHERE household_id = ?", householdID).Scan(&reservationID)
		handover := decode[map[string]any](t, app.api(ordi.RoleStaff, http.MethodPost, fmt.Sprintf("/api/v1/reservations/%d/handover", reservationID),
			map[string]any{"signatory_name": "Awa Témoin"}))
		number, _ := handover["certificate_number"].(string)
		if number == "" || reservationID == 0 {
			t.Fatalf("fixture: reservation %d, handover %v", reservationID, handover)
		}
		fill := func(pattern string) string {
			parts := strings.Split(pattern, "/")
			for i, p := range parts {
				switch p {
				case ":id":
					parts[i] = fmt.Sprint(householdID)
					if i > 0 && (parts[i-1] == "reservations" || parts[i-1] == "handovers") {
						parts[i] = fmt.Sprint(reservationID)
					}
				case ":number":
					parts[i] = number
				case ":code":
					parts[i] = unit.Code
				}
			}
			return strings.Join(parts, "/")
		}
		checked := 0
		for _, r := range app.srv.routes {
			if r.allow.public || !familyRoute(r.path) {
				continue
			}
			path := fill(r.path)
			req := newRequest(t, r.method, app.url(path))
			req.Header.Set("Authorization", "Bearer "+token)
			res := app.do(app.client(), req)
			body := readBody(res)
			switch {
			case strings.HasPrefix(path, "/api/") && res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound:
				t.Errorf("workbench token on %s %s: %d, want 403 or 404", r.method, path, res.StatusCode)
			case !strings.HasPrefix(path, "/api/") && (res.StatusCode < 300 || res.StatusCode == http.StatusSeeOther && !strings.HasPrefix(res.Header.Get("Location"), "/login")):
				t.Errorf("workbench token on the page %s %s: %d", r.method, path, res.StatusCode)
			}
			if strings.Contains(body, "Témoin") {
				t.Errorf("workbench token on %s %s: the answer names the family", r.method, path)
			}
			checked++
		}
		if checked < 40 {
			t.Fatalf("only %d family routes checked", checked)
		}

		// What it may do.
		res = app.apiToken(token, http.MethodPost, "/api/v1/units", map[string]any{"donation_id": donation, "kind": "desktop"})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("workbench creates a unit: %d %s", res.StatusCode, readBody(res))
		}
		created := decode[unitBody](t, res)
		res = app.apiToken(token, http.MethodPost, "/api/v1/units/"+created.Code+"/erasures", map[string]any{
			"category": "clear", "method": "overwrite", "medium": "hdd", "technique": "1 passe de zéros + vérification", "tool": "nwipe 0.34",
			"drive_serial": "WD-WCC4N0123456", "result": "passed"})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("workbench records an erasure: %d %s", res.StatusCode, readBody(res))
		}
		for _, path := range []string{"/api/v1/units/" + created.Code, "/api/v1/units", "/api/v1/units/" + created.Code + "/events", "/api/v1/donations/" + fmt.Sprint(donation)} {
			if res := app.apiToken(token, http.MethodGet, path, nil); res.StatusCode != http.StatusForbidden {
				t.Errorf("workbench reads %s: %d, want 403", path, res.StatusCode)
			}
		}

		// Revoked: refused, in French.
		var tokenID int64
		db.Raw("SELECT api_tokens.id FROM api_tokens JOIN users ON users.id = api_tokens.user_id WHERE users.email = 'banc-1@example.org'").Scan(&tokenID)
		if _, err := app.accounts.RevokeToken(ctx, ordi.System, tokenID); err != nil {
			t.Fatal(err)
		}
		res = app.apiToken(token, http.MethodPost, "/api/v1/units", map[string]any{"donation_id": donation, "kind": "desktop"})
		if body := readBody(res); res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Jeton d'accès invalide") {
			t.Errorf("revoked workbench token: %d %s", res.StatusCode, body)
		}
	})
}
