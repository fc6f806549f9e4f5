package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/certificates"
	"github.com/ordi-app/ordi/database/dbtest"
)

// TestAttestationScope asks for handover attestations — metadata and PDF
// on the API, the confirmation page — as every role and a second
// volunteer: staff and administrators get every one; a volunteer gets
// those of the handovers they did, and any of the last seven days, and
// nothing of an erased family (404, as an unknown number); the roles that
// do not hand over are refused (403).
func TestAttestationScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		ctx := context.Background()
		// The handovers happen a week ago: sessions, whose expiry the
		// session manager reckons in real time, must live in both checks.
		today := app.clock.Now()
		app.setClock(today.Add(-certificates.VolunteerWindow - time.Hour))
		other, err := app.accounts.CreateUser(ctx, ordi.System, account.NewUser{Email: "benevole2@example.org", Name: "Bénévole 2", Role: ordi.RoleVolunteer, Password: testPassword})
		if err != nil {
			t.Fatal(err)
		}
		otherToken, err := app.accounts.CreateToken(ctx, ordi.System, other.Email, "test")
		if err != nil {
			t.Fatal(err)
		}
		donation := app.newDonation(t)
		handOver := func(token, name string) (string, int64) {
			rid, _ := app.reserved(t, name, donation)
			res := app.apiToken(token, http.MethodPost, fmt.Sprintf("/api/v1/reservations/%d/handover", rid), map[string]any{"signatory_name": name})
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("handover: %d %s", res.StatusCode, readBody(res))
			}
			var h struct{ HouseholdID int64 }
			db.Raw("SELECT household_id FROM reservations WHERE id = ?", rid).Scan(&h)
			return decode[certificateRef](t, res).Number, h.HouseholdID
		}
		mine, _ := handOver(app.tokens[ordi.RoleVolunteer], "Famille Une")
		theirs, _ := handOver(otherToken, "Famille Deux")
		erased, family := handOver(app.tokens[ordi.RoleVolunteer], "Famille Effacée")
		ref := decode[householdBody](t, app.api(ordi.RoleAdmin, http.MethodGet, fmt.Sprintf("/api/v1/households/%d", family), nil)).Reference
		if res := app.api(ordi.RoleAdmin, http.MethodPost, fmt.Sprintf("/api/v1/households/%d/erase", family), map[string]any{"confirm": ref}); res.StatusCode != http.StatusOK {
			t.Fatalf("erase: %d %s", res.StatusCode, readBody(res))
		}

		type caller struct {
			name, token string
			login       func() *http.Client
		}
		login := func(email string) func() *http.Client {
			return func() *http.Client {
				c := app.client()
				res := app.postForm(c, "/login", url.Values{"email": {email}, "password": {testPassword}})
				if res.StatusCode != http.StatusSeeOther {
					t.Fatalf("login %s: %d", email, res.StatusCode)
				}
				return c
			}
		}
		callers := []caller{{"volunteer 2", otherToken, login(other.Email)}}
		for _, r := range ordi.Roles {
			if r.SignsIn() { // the workbench's refusals are TestRouteAccessByRole's
				callers = append(callers, caller{string(r), app.tokens[r], login(app.users[r].Email)})
			}
		}
		check := func(when string, want map[string]map[string]int) {
			t.Helper()
			for _, c := range callers {
				browser := c.login()
				for number, status := range want[c.name] {
					for _, path := range []string{"/api/v1/certificates/" + number, "/api/v1/certificates/" + number + ".pdf"} {
						if res := app.apiToken(c.token, http.MethodGet, path, nil); res.StatusCode != status {
							t.Errorf("%s, %s: GET %s: %d, want %d", when, c.name, path, res.StatusCode, status)
						}
					}
					if res := app.get(browser, "/handovers/done/"+number); res.StatusCode != status {
						t.Errorf("%s, %s: the confirmation page of %s: %d, want %d", when, c.name, number, res.StatusCode, status)
					}
					// The list of attestations to print again holds the
					// same ones.
					if status != http.StatusForbidden {
						listed := strings.Contains(readBody(app.get(browser, "/certificates")), number+".pdf")
						if listed != (status == http.StatusOK) {
							t.Errorf("%s, %s: %s listed on /certificates: %v, want %v", when, c.name, number, listed, status == http.StatusOK)
						}
					}
				}
			}
		}
		all := func(status int) map[string]int { return map[string]int{mine: status, theirs: status, erased: status} }
		check("the day of the handovers", map[string]map[string]int{
			"admin": all(200), "staff": all(200), "trainer": all(403), "social_worker": all(403),
			"volunteer":   {mine: 200, theirs: 200, erased: 404},
			"volunteer 2": {mine: 200, theirs: 200, erased: 404},
		})
		app.setClock(today)
		check("a week later", map[string]map[string]int{
			"admin": all(200), "staff": all(200), "trainer": all(403), "social_worker": all(403),
			"volunteer":   {mine: 200, theirs: 404, erased: 404},
			"volunteer 2": {mine: 404, theirs: 200, erased: 404},
		})
	})
}
