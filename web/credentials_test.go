package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/database/dbtest"
)

// renewCredentials signs in again, and issues a new token for, every role
// whose session or token a route just ended.
func (a *testApp) renewCredentials(sessions map[ordi.Role]*http.Client) {
	a.t.Helper()
	for role, c := range sessions {
		if res := a.get(c, "/api/v1/me"); res.StatusCode != http.StatusOK {
			sessions[role] = a.login(role)
		}
	}
	for _, role := range ordi.Roles { // the workbench has a token and no session
		if _, err := a.accounts.UserByToken(context.Background(), a.tokens[role]); errors.Is(err, ordi.Unauthorized) {
			tok, err := a.accounts.CreateToken(context.Background(), ordi.System, a.users[role].Email, "test")
			if err != nil {
				a.t.Fatal(err)
			}
			a.tokens[role] = tok
		}
	}
}

// clientFrom is a browser-like client whose connections come from the given
// loopback address (127.0.0.0/8), so that sign-ins come from distinct
// client addresses.
func (a *testApp) clientFrom(ip string) *http.Client {
	c := a.client()
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c.Transport = &http.Transport{DialContext: dialer.DialContext}
	return c
}

// TestLoginThrottlePage: past the limit, the login page answers 429 with a
// Retry-After and does not check the password, even the right one; the
// account's owner signing in from another address is not held back.
func TestLoginThrottlePage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		guesser := app.clientFrom("127.0.0.2")
		for i := range account.MaxFailuresPerAccount {
			res := app.postForm(guesser, "/login", url.Values{"email": {"admin@example.org"}, "password": {"wrong wrong wrong"}})
			if res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("guess %d: %d", i, res.StatusCode)
			}
		}
		res := app.postForm(guesser, "/login", url.Values{"email": {"admin@example.org"}, "password": {testPassword}})
		body := readBody(res)
		wait, _ := strconv.Atoi(res.Header.Get("Retry-After"))
		if res.StatusCode != http.StatusTooManyRequests || wait != int(account.FirstWait.Seconds()) || !strings.Contains(body, "Réessayez dans 1 minute") {
			t.Fatalf("right password past the limit: %d, Retry-After %q: %s", res.StatusCode, res.Header.Get("Retry-After"), body)
		}
		if app.get(guesser, "/").StatusCode != http.StatusSeeOther {
			t.Fatal("the refused attempt signed in")
		}
		owner := app.clientFrom("127.0.0.3")
		if res := app.postForm(owner, "/login", url.Values{"email": {"admin@example.org"}, "password": {testPassword}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("owner from another address: %d %s", res.StatusCode, readBody(res))
		}
	})
}

// TestSessionStoredHashed: the sessions table never holds a cookie's value.
func TestSessionStoredHashed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		c := app.login(ordi.RoleStaff)
		cookie := sessionCookie(t, app, c)
		sum := sha256.Sum256([]byte(cookie))
		var raw, hashed int64
		db.Table("sessions").Where("token_hash = ?", cookie).Count(&raw)
		db.Table("sessions").Where("token_hash = ?", hex.EncodeToString(sum[:])).Count(&hashed)
		if raw != 0 || hashed != 1 {
			t.Fatalf("sessions rows: %d under the cookie's value, %d under its hash", raw, hashed)
		}
	})
}

// stolenCookie is a client holding a copy of another client's session
// cookie, as a thief would.
func stolenCookie(t *testing.T, app *testApp, victim *http.Client) *http.Client {
	u, _ := url.Parse(app.http.URL)
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(u, victim.Jar.Cookies(u))
	c := app.client()
	c.Jar = jar
	return c
}

// TestCredentialsEndOnEveryPath: each way of ending an account's
// credentials, through the administration pages and the API, leaves its old
// sessions (and a stolen copy of their cookie) and its old tokens useless.
func TestCredentialsEndOnEveryPath(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(app *testApp, admin *http.Client, id int64) *http.Response
	}{
		{"PasswordReset", func(app *testApp, admin *http.Client, id int64) *http.Response {
			return app.postForm(admin, "/admin/users/"+itoa(id), url.Values{"name": {"Test staff"}, "role": {"staff"}, "partner_id": {"0"}, "active": {"on"}, "password": {"une nouvelle phrase de passe"}})
		}},
		{"RoleChanged", func(app *testApp, admin *http.Client, id int64) *http.Response {
			return app.postForm(admin, "/admin/users/"+itoa(id), url.Values{"name": {"Test staff"}, "role": {"volunteer"}, "partner_id": {"0"}, "active": {"on"}})
		}},
		{"DeactivatedThenReactivated", func(app *testApp, admin *http.Client, id int64) *http.Response {
			app.postForm(admin, "/admin/users/"+itoa(id), url.Values{"name": {"Test staff"}, "role": {"staff"}, "partner_id": {"0"}})
			return app.postForm(admin, "/admin/users/"+itoa(id), url.Values{"name": {"Test staff"}, "role": {"staff"}, "partner_id": {"0"}, "active": {"on"}})
		}},
		{"SignOutEverywherePage", func(app *testApp, admin *http.Client, id int64) *http.Response {
			return app.postForm(admin, "/admin/users/"+itoa(id)+"/signout", nil)
		}},
		{"SignOutEverywhereAPI", func(app *testApp, admin *http.Client, id int64) *http.Response {
			res := app.api(ordi.RoleAdmin, http.MethodPost, "/api/v1/users/"+itoa(id)+"/signout", nil)
			if res.StatusCode == http.StatusOK {
				if got := decode[map[string]int](app.t.(*testing.T), res); got["revoked_tokens"] != 1 {
					app.t.Errorf("revoked_tokens = %d, want 1", got["revoked_tokens"])
				}
			}
			return res
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
				app := newTestApp(t, db).withUsers()
				admin := app.login(ordi.RoleAdmin)
				staff := app.users[ordi.RoleStaff]
				tablet := app.login(ordi.RoleStaff)
				thief := stolenCookie(t, app, tablet)
				if res := app.get(thief, "/"); res.StatusCode != http.StatusOK {
					t.Fatalf("stolen cookie before: %d", res.StatusCode)
				}
				if res := app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/me", nil); res.StatusCode != http.StatusOK {
					t.Fatalf("token before: %d", res.StatusCode)
				}
				if res := tc.end(app, admin, staff.ID); res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusOK {
					t.Fatalf("ending credentials: %d %s", res.StatusCode, readBody(res))
				}
				for who, c := range map[string]*http.Client{"the tablet": tablet, "the thief": thief} {
					if res := app.get(c, "/"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
						t.Errorf("%s's old session: %d, want a redirect to the login page", who, res.StatusCode)
					}
				}
				expectProblem(t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/me", nil), http.StatusUnauthorized)
				// The administrator who did it is still signed in.
				if res := app.get(admin, "/admin/users"); res.StatusCode != http.StatusOK {
					t.Fatalf("administrator after: %d", res.StatusCode)
				}
			})
		})
	}
}

// TestOwnPasswordChangeKeepsThisSession: an administrator who changes their
// own password stays signed in here, and their other sessions end.
func TestOwnPasswordChangeKeepsThisSession(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		here, elsewhere := app.login(ordi.RoleAdmin), app.login(ordi.RoleAdmin)
		id := app.users[ordi.RoleAdmin].ID
		res := app.postForm(here, "/admin/users/"+itoa(id), url.Values{"name": {"Admin"}, "role": {"admin"}, "partner_id": {"0"}, "active": {"on"}, "password": {"une nouvelle phrase de passe"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("own password change: %d %s", res.StatusCode, readBody(res))
		}
		if res := app.get(here, "/admin/users"); res.StatusCode != http.StatusOK {
			t.Fatalf("this session after: %d", res.StatusCode)
		}
		if res := app.get(elsewhere, "/admin/users"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("the other session after: %d, want a redirect to the login page", res.StatusCode)
		}
	})
}

var tokenOnPage = regexp.MustCompile(`<code id="token-secret">(ordi_[a-z0-9]+)</code>`)

// TestTokensOnTheUserPage: an administrator issues a named, expiring token
// on a user's page, sees it once, finds it listed, and revokes it.
func TestTokensOnTheUserPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		admin := app.login(ordi.RoleAdmin)
		page := "/admin/users/" + itoa(app.users[ordi.RoleStaff].ID)
		res := app.postForm(admin, page+"/tokens", url.Values{"name": {"Script d'inventaire"}, "expires_on": {"2001-01-01"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(readBody(res), "dans le futur") {
			t.Fatalf("past expiry: %d", res.StatusCode)
		}
		res = app.postForm(admin, page+"/tokens", url.Values{"name": {"Script d'inventaire"}, "expires_on": {app.clock.Now().AddDate(1, 0, 0).Format("2006-01-02")}})
		body := readBody(res)
		m := tokenOnPage.FindStringSubmatch(body)
		if res.StatusCode != http.StatusCreated || m == nil || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("token creation: %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
		}
		secret := m[1]
		req, _ := http.NewRequest(http.MethodGet, app.url("/api/v1/me"), nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		if res := app.do(nil, req); res.StatusCode != http.StatusOK {
			t.Fatalf("new token: %d", res.StatusCode)
		}
		body = readBody(app.get(admin, page))
		if !strings.Contains(body, "Script d&#39;inventaire") || strings.Contains(body, secret) || !strings.Contains(body, "Révoquer") {
			t.Fatal("user page: the token is not listed, or its secret is shown again")
		}
		var id int64
		db.Table("api_tokens").Where("name = ?", "Script d'inventaire").Pluck("id", &id)
		res = app.postForm(admin, "/admin/tokens/"+itoa(id)+"/revoke", nil)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page {
			t.Fatalf("revoke: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		req, _ = http.NewRequest(http.MethodGet, app.url("/api/v1/me"), nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		expectProblem(t, app.do(nil, req), http.StatusUnauthorized)
		if body := readBody(app.get(admin, page)); !strings.Contains(body, "Révoqué") {
			t.Fatal("user page does not show the token revoked")
		}
	})
}

// TestAPITokens: list, issue and revoke tokens through the API.
func TestAPITokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		path := "/api/v1/users/" + itoa(app.users[ordi.RoleVolunteer].ID) + "/tokens"
		expires := app.clock.Now().AddDate(0, 1, 0).UTC().Format("2006-01-02T15:04:05Z")
		res := app.api(ordi.RoleAdmin, http.MethodPost, path, map[string]any{"name": "borne", "expires_at": expires})
		if res.StatusCode != http.StatusCreated || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("issue: %d %s", res.StatusCode, readBody(res))
		}
		issued := decode[struct {
			ID        int64  `json:"id"`
			Token     string `json:"token"`
			Status    string `json:"status"`
			ExpiresAt string `json:"expires_at"`
		}](t, res)
		if !strings.HasPrefix(issued.Token, "ordi_") || issued.Status != "active" || issued.ExpiresAt != expires {
			t.Fatalf("issued %+v", issued)
		}
		expectProblem(t, app.api(ordi.RoleAdmin, http.MethodPost, path, map[string]any{"expires_at": "2001-01-01T00:00:00Z"}), http.StatusUnprocessableEntity, "expires_at")
		list := decode[struct {
			Items []map[string]any `json:"items"`
		}](t, app.api(ordi.RoleAdmin, http.MethodGet, path, nil))
		if len(list.Items) != 2 || list.Items[0]["name"] != "borne" || list.Items[0]["token"] != nil || list.Items[0]["token_hash"] != nil {
			t.Fatalf("list %+v", list.Items)
		}
		res = app.api(ordi.RoleAdmin, http.MethodDelete, "/api/v1/tokens/"+itoa(issued.ID), nil)
		if got := decode[map[string]any](t, res); res.StatusCode != http.StatusOK || got["status"] != "revoked" {
			t.Fatalf("revoke: %d %+v", res.StatusCode, got)
		}
		expectProblem(t, app.api(ordi.RoleAdmin, http.MethodDelete, "/api/v1/tokens/999999", nil), http.StatusNotFound)
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodGet, path, nil), http.StatusForbidden)
	})
}
