package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
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

// TestReportSentTwice: the same file sent again to the same unit is
// refused with 409 carrying its sha256 and report id (what ordi probe
// upload reads as "already sent"), and nothing is attached twice, even when
// the copies arrive at once: the database settles it.
func TestReportSentTwice(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		lshw, err := os.ReadFile("../inventory/hwreport/testdata/lshw-dell-optiplex-745.json")
		if err != nil {
			t.Fatal(err)
		}
		send := func(code string) *http.Response {
			req, _ := http.NewRequest(http.MethodPost, app.url("/api/v1/units/"+code+"/reports"), bytes.NewReader(lshw))
			req.Header.Set("Authorization", "Bearer "+app.tokens[ordi.RoleWorkbench])
			req.Header.Set("Content-Type", "application/json")
			return app.do(nil, req)
		}
		unit := decode[unitBody](t, app.apiToken(app.tokens[ordi.RoleWorkbench], http.MethodPost, "/api/v1/units", map[string]any{"donation_id": donation, "kind": "desktop"}))
		first := send(unit.Code)
		if first.StatusCode != http.StatusCreated {
			t.Fatalf("first send: %d %s", first.StatusCode, readBody(first))
		}
		created := decode[map[string]any](t, first)
		again := send(unit.Code)
		problem := decode[map[string]any](t, again)
		if again.StatusCode != http.StatusConflict || problem["sha256"] != created["sha256"] || problem["report_id"] != created["id"] {
			t.Fatalf("second send: %d %v (first: %v)", again.StatusCode, problem, created["id"])
		}

		// At once, on another unit: one report.
		smart, err := os.ReadFile("../inventory/hwreport/testdata/smartctl-ST3500418AS_11.json")
		if err != nil {
			t.Fatal(err)
		}
		other := decode[unitBody](t, app.apiToken(app.tokens[ordi.RoleWorkbench], http.MethodPost, "/api/v1/units", map[string]any{"donation_id": donation, "kind": "desktop"}))
		const n = 8
		statuses := make(chan int, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				req, _ := http.NewRequest(http.MethodPost, app.url("/api/v1/units/"+other.Code+"/reports"), bytes.NewReader(smart))
				req.Header.Set("Authorization", "Bearer "+app.tokens[ordi.RoleWorkbench])
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					statuses <- 0
					return
				}
				res.Body.Close()
				statuses <- res.StatusCode
			}()
		}
		close(start)
		wg.Wait()
		close(statuses)
		count := map[int]int{}
		for s := range statuses {
			count[s]++
		}
		var kept int64
		db.Raw("SELECT COUNT(*) FROM unit_reports WHERE unit_id = (SELECT id FROM units WHERE code = ?)", other.Code).Scan(&kept)
		if kept != 1 || count[http.StatusCreated] != 1 || count[http.StatusConflict] != n-1 {
			t.Fatalf("the same report sent %d times at once: %v, %d kept", n, count, kept)
		}
	})
}
