package web

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

// postAfterIdle posts form from referer once the session has been idle past
// its timeout. The clock goes back after: scs dates the new session with the
// real time, which the store would otherwise find expired at once.
func (a *testApp) postAfterIdle(c *http.Client, referer, path string, form url.Values) *http.Response {
	a.t.Helper()
	a.clock.Advance(sessionIdleTimeout + time.Minute)
	defer a.clock.Advance(-sessionIdleTimeout - time.Minute)
	return a.postFrom(c, referer, path, form)
}

// postFrom posts form as a browser would from the page at referer.
func (a *testApp) postFrom(c *http.Client, referer, path string, form url.Values) *http.Response {
	a.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.url(path), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", a.url(referer))
	return a.do(c, req)
}

// TestFormSentAfterSessionEnded: a nomination sent after the idle timeout
// changes nothing, the login page says why it is asked, and the same social
// worker, signed in again, finds the form filled in on the page it came
// from, once; anybody else signing in on the tablet gets nothing of it.
func TestFormSentAfterSessionEnded(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		sw := app.login(ordi.RoleSocialWorker)
		// The form page tells app.js the timeout, whose "Rester connecté"
		// renews the session with a request the session answers.
		if page := readBody(app.get(sw, "/families/new")); !strings.Contains(page, `data-idle-seconds="1800"`) || !strings.Contains(page, `id="session-warning"`) {
			t.Fatal("the form page does not carry the expiry warning")
		}
		if res := app.get(sw, "/api/v1/me"); res.StatusCode != http.StatusOK {
			t.Fatalf("keep-alive with the session: %d", res.StatusCode)
		}

		form := nominationForm("Mme Aïcha Benali")
		form.Set("phone", "06 12 34 56 78")
		res := app.postAfterIdle(sw, "/families/new", "/families", form)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
			t.Fatalf("expired post: %d → %q", res.StatusCode, res.Header.Get("Location"))
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM households"); n != 0 {
			t.Fatalf("%d households recorded by an expired session", n)
		}
		login := readBody(app.get(sw, "/login"))
		if !strings.Contains(login, "Votre session a pris fin après 30 minutes sans activité") || !strings.Contains(login, "est conservé") {
			t.Fatalf("the login page does not say why it is asked:\n%s", login)
		}
		if !strings.Contains(login, `name="next" value="/families/new"`) {
			t.Fatal("the login page does not lead back to the form")
		}
		res = app.postForm(sw, "/login", url.Values{"email": {app.users[ordi.RoleSocialWorker].Email}, "password": {testPassword}, "next": {"/families/new"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/families/new" {
			t.Fatalf("login: %d → %q", res.StatusCode, res.Header.Get("Location"))
		}
		page := html.UnescapeString(readBody(app.get(sw, "/families/new")))
		if !strings.Contains(page, `id="pending-form"`) || !strings.Contains(page, `data-action="/families"`) ||
			!strings.Contains(page, "contact_name=Mme+A%C3%AFcha+Benali") || !strings.Contains(page, "remis dans le formulaire") {
			t.Fatalf("the form is not given back:\n%s", page)
		}
		if again := readBody(app.get(sw, "/families/new")); strings.Contains(again, `id="pending-form"`) {
			t.Fatal("the kept form is given back twice")
		}

		t.Run("AnotherUser", func(t *testing.T) {
			sw := app.login(ordi.RoleSocialWorker)
			app.postAfterIdle(sw, "/families/new", "/families", form)
			res := app.postForm(sw, "/login", url.Values{"email": {app.users[ordi.RoleAdmin].Email}, "password": {testPassword}, "next": {"/families/new"}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("login: %d", res.StatusCode)
			}
			if page := readBody(app.get(sw, "/families/new")); strings.Contains(page, "pending-form") || strings.Contains(page, "Aïcha") {
				t.Fatal("another user got the ended session's form")
			}
		})

		t.Run("NeverSignedIn", func(t *testing.T) {
			c := app.client()
			res := app.postFrom(c, "/families/new", "/families", form)
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("anonymous post: %d", res.StatusCode)
			}
			if login := readBody(app.get(c, "/login")); strings.Contains(login, "session a pris fin") {
				t.Fatal("a visitor who never signed in is told a session ended")
			}
		})

		t.Run("PasswordsNotKept", func(t *testing.T) {
			admin := app.login(ordi.RoleAdmin)
			app.postAfterIdle(admin, "/admin/users/new", "/admin/users", url.Values{"name": {"Zoé"}, "password": {"secret-secret-1"}})
			app.postForm(admin, "/login", url.Values{"email": {app.users[ordi.RoleAdmin].Email}, "password": {testPassword}})
			page := readBody(app.get(admin, "/admin/users/new"))
			if !strings.Contains(page, "name=Zo") || strings.Contains(page, "secret-secret-1") {
				t.Fatalf("kept fields: want the name, never the password:\n%s", page)
			}
		})
	})
}
