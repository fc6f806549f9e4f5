package web

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/database/dbtest"
)

func TestProbesAndMetrics(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		for _, p := range []string{"/healthz", "/readyz"} {
			res := app.get(nil, p)
			if res.StatusCode != http.StatusOK || !strings.Contains(readBody(res), `"status":"ok"`) {
				t.Fatalf("%s: %d", p, res.StatusCode)
			}
		}
		app.get(nil, "/login")
		body := readBody(app.get(nil, "/metrics"))
		for _, want := range []string{`ordi_http_requests_total{method="GET",route="/login",status="200"}`, `ordi_http_request_duration_seconds_bucket{method="GET",route="/healthz"`} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
	})
}

func TestReadyzFailsWhenDatabaseIsNotReady(t *testing.T) {
	// The readiness check is replaced: the database plays no part.
	app := newTestApp(t, dbtest.OpenSQLite(t), func(c *Config) {
		c.Ready = func(context.Context) error { return ordi.Errorf(ordi.Conflict, "pending") }
	})
	expectProblem(t, app.get(nil, "/readyz"), http.StatusServiceUnavailable)
}

// wantCSP is the Content-Security-Policy, directive by directive: no inline
// script or style, no eval, no third-party origin; WebAssembly compilation
// ('wasm-unsafe-eval') for the barcode decoder only.
var wantCSP = map[string][]string{
	"default-src":     {"'self'"},
	"script-src":      {"'self'", "'wasm-unsafe-eval'"},
	"style-src":       {"'self'"},
	"img-src":         {"'self'", "data:", "blob:"},
	"connect-src":     {"'self'"},
	"font-src":        {"'self'"},
	"object-src":      {"'none'"},
	"base-uri":        {"'none'"},
	"form-action":     {"'self'"},
	"frame-ancestors": {"'none'"},
}

// parseCSP splits a policy into its directives and their source lists, as
// browsers read it (CSP3 §2.2.1): names are case-insensitive, and a
// directive repeated is ignored after its first occurrence, which the test
// refuses outright.
func parseCSP(t *testing.T, policy string) map[string][]string {
	t.Helper()
	directives := map[string][]string{}
	for _, d := range strings.Split(policy, ";") {
		tokens := strings.Fields(d)
		if len(tokens) == 0 {
			continue
		}
		name := strings.ToLower(tokens[0])
		if _, dup := directives[name]; dup {
			t.Fatalf("directive %s given twice in %q", name, policy)
		}
		directives[name] = tokens[1:]
	}
	return directives
}

func TestParseCSP(t *testing.T) {
	got := parseCSP(t, " default-src 'self' ;SCRIPT-SRC  'self'   'wasm-unsafe-eval';;img-src data:")
	want := map[string][]string{"default-src": {"'self'"}, "script-src": {"'self'", "'wasm-unsafe-eval'"}, "img-src": {"data:"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("parsed %v, want %v", got, want)
	}
}

// TestSecurityHeaders checks the policy on public pages, the API, a missing
// page, a static file and pages of a signed-in user (the scanner loads the
// barcode decoder's WebAssembly), on both databases: an error page or a
// page built from the database carries the same policy.
func TestSecurityHeaders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		staff := app.login(ordi.RoleStaff)
		for _, c := range []struct {
			client *http.Client
			path   string
		}{
			{nil, "/login"}, {nil, "/healthz"}, {nil, "/api/v1/me"}, {nil, "/nope"}, {nil, app.srv.assets.url("app.css")},
			{staff, "/"}, {staff, "/scan"}, {staff, "/units"},
		} {
			p := c.path
			res := app.get(c.client, p)
			readBody(res)
			h := res.Header
			got := parseCSP(t, h.Get("Content-Security-Policy"))
			for name, sources := range wantCSP {
				if !slices.Equal(got[name], sources) {
					t.Errorf("%s: %s %q, want %q", p, name, got[name], sources)
				}
			}
			for name, sources := range got {
				if _, ok := wantCSP[name]; !ok {
					t.Errorf("%s: unexpected directive %s %q", p, name, sources)
				}
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" || h.Get("X-Request-ID") == "" {
				t.Errorf("%s: headers %v", p, h)
			}
		}
	})
}

func TestStaticAssetsAreHashedAndCached(t *testing.T) {
	app := newTestApp(t, dbtest.OpenSQLite(t)) // embedded files: the database plays no part
	page := readBody(app.get(nil, "/login"))
	u := app.srv.assets.url("app.css")
	if !strings.Contains(page, u) {
		t.Fatalf("login page does not link %s", u)
	}
	res := app.get(nil, u)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("%s: %d %v", u, res.StatusCode, res.Header)
	}
	if res := app.get(nil, "/static/0000/app.css"); res.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("stale hash cached: %v", res.Header)
	}
	if res := app.get(nil, "/static/x/missing.css"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("missing asset: %d", res.StatusCode)
	}
	if res := app.get(nil, app.srv.assets.url("vendor/zxing-wasm/zxing_reader.wasm")); res.Header.Get("Content-Type") != "application/wasm" {
		t.Fatalf("wasm served as %q", res.Header.Get("Content-Type"))
	}
}

func TestAPIAuthErrors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		req := newRequest(t, http.MethodGet, app.url("/api/v1/me"))
		req.Header.Set("Authorization", "Bearer ordi_wrongtoken")
		expectProblem(t, app.do(nil, req), http.StatusUnauthorized)
		req = newRequest(t, http.MethodGet, app.url("/api/v1/me"))
		req.Header.Set("Authorization", "Basic Zm9vOmJhcg==")
		expectProblem(t, app.do(nil, req), http.StatusUnauthorized)
		expectProblem(t, app.api("", http.MethodGet, "/api/v1/me", nil), http.StatusUnauthorized)

		res := app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/me", nil)
		if me := decode[account.User](t, res); me.Email != "staff@example.org" {
			t.Fatalf("me = %+v", me)
		}
		p := expectProblem(t, app.api(ordi.RoleSocialWorker, http.MethodPost, "/api/v1/partners", map[string]string{"name": "X", "kind": "ccas"}), http.StatusForbidden)
		if !strings.Contains(p.Detail, "Travailleur social") {
			t.Errorf("403 detail %q does not name the role", p.Detail)
		}
	})
}

func TestAPIPartners(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		res := app.api(ordi.RoleAdmin, http.MethodPost, "/api/v1/partners", map[string]string{"name": "Centre social Alma", "kind": "centre_social"})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", res.StatusCode, readBody(res))
		}
		created := decode[map[string]any](t, res)
		if created["id"] == nil || created["name"] != "Centre social Alma" || created["kind"] != "centre_social" {
			t.Fatalf("created %v", created)
		}
		expectProblem(t, app.api(ordi.RoleAdmin, http.MethodPost, "/api/v1/partners", map[string]string{"name": "", "kind": "bank"}), http.StatusUnprocessableEntity, "name", "kind")
		expectProblem(t, app.api(ordi.RoleAdmin, http.MethodPost, "/api/v1/partners", map[string]string{"name": "Centre social Alma", "kind": "ccas"}), http.StatusUnprocessableEntity, "name")
		expectProblem(t, app.api(ordi.RoleAdmin, http.MethodPost, "/api/v1/partners", `{"name": "x",`), http.StatusBadRequest)
		expectProblem(t, app.api(ordi.RoleAdmin, http.MethodPost, "/api/v1/partners", `{"name": "x", "kind": "ccas", "id": 7}`), http.StatusBadRequest)
		expectProblem(t, app.api(ordi.RoleAdmin, http.MethodPost, "/api/v1/partners", `{"name": "`+strings.Repeat("x", maxJSONBody)+`"}`), http.StatusRequestEntityTooLarge)

		// Staff may list partners (to attach households) but not create them.
		res = app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/partners?limit=1", nil)
		page := decode[list[account.Partner]](t, res)
		if len(page.Items) != 1 || page.NextCursor == "" {
			t.Fatalf("page 1 = %+v", page)
		}
		res = app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/partners?limit=1&cursor="+page.NextCursor, nil)
		page2 := decode[list[account.Partner]](t, res)
		if len(page2.Items) != 1 || page2.Items[0].ID == page.Items[0].ID || page2.NextCursor != "" {
			t.Fatalf("page 2 = %+v", page2)
		}
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/partners?limit=500", nil), http.StatusUnprocessableEntity, "limit")
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/partners?cursor=!!", nil), http.StatusUnprocessableEntity, "cursor")
	})
}

func TestAPIUserCreateRefusesBadInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		var before int64
		db.Table("users").Count(&before)
		for name, body := range map[string]map[string]any{
			"role":       {"email": "n@example.org", "name": "N", "role": "boss", "password": testPassword},
			"email":      {"email": "staff@example.org", "name": "N", "role": "staff", "password": testPassword},
			"password":   {"email": "n@example.org", "name": "N", "role": "staff", "password": "short"},
			"partner_id": {"email": "n@example.org", "name": "N", "role": "social_worker", "partner_id": 9999, "password": testPassword},
		} {
			t.Run(name, func(t *testing.T) {
				expectProblem(t, app.api(ordi.RoleAdmin, http.MethodPost, "/api/v1/users", body), http.StatusUnprocessableEntity, name)
			})
		}
		var after int64
		db.Table("users").Count(&after)
		if after != before {
			t.Fatalf("bad input wrote %d users", after-before)
		}
		res := app.api(ordi.RoleAdmin, http.MethodPost, "/api/v1/users", map[string]any{"email": "new@example.org", "name": "Nouvelle", "role": "volunteer", "password": testPassword})
		if res.StatusCode != http.StatusCreated || strings.Contains(readBody(res), "argon2") {
			t.Fatalf("create: %d", res.StatusCode)
		}
	})
}

func TestPageRedirectsToLoginAndBack(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		c := app.client()
		res := app.get(c, "/admin/users?cursor=")
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || loc != "/login?next="+url.QueryEscape("/admin/users?cursor=") {
			t.Fatalf("anonymous page: %d to %q", res.StatusCode, loc)
		}
		res = app.postForm(c, "/login", url.Values{"email": {"admin@example.org"}, "password": {testPassword}, "next": {"/admin/users?cursor="}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/users?cursor=" {
			t.Fatalf("login: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		if res := app.get(c, "/admin/users"); res.StatusCode != http.StatusOK {
			t.Fatalf("after login: %d", res.StatusCode)
		}
		// An open redirect is refused.
		c2 := app.client()
		res = app.postForm(c2, "/login", url.Values{"email": {"admin@example.org"}, "password": {testPassword}, "next": {"//evil.example/x"}})
		if res.Header.Get("Location") != "/" {
			t.Fatalf("next=//evil: redirected to %q", res.Header.Get("Location"))
		}
		// Logging out ends the session.
		app.postForm(c, "/logout", nil)
		if res := app.get(c, "/admin/users"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("after logout: %d", res.StatusCode)
		}
	})
}

func TestSessionCookieAndRotation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		c := app.client()
		// A failed login writes nothing to the session, then a flash does: an
		// anonymous session id exists before signing in.
		app.postForm(c, "/logout", nil)
		before := sessionCookie(t, app, c)
		res := app.postForm(c, "/login", url.Values{"email": {"staff@example.org"}, "password": {testPassword}})
		var cookie *http.Cookie
		for _, ck := range res.Cookies() {
			if ck.Name == "ordi_session" {
				cookie = ck
			}
		}
		if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Secure {
			t.Fatalf("session cookie %+v", cookie)
		}
		if len(cookie.Value) < 22 {
			t.Fatalf("session id %q too short for 128 bits", cookie.Value)
		}
		if before == "" || cookie.Value == before {
			t.Fatalf("session id not rotated at login: before %q, after %q", before, cookie.Value)
		}
		if app.srv.sessions.IdleTimeout != 30*time.Minute || app.srv.sessions.Lifetime != 12*time.Hour {
			t.Fatalf("timeouts idle %v, absolute %v", app.srv.sessions.IdleTimeout, app.srv.sessions.Lifetime)
		}
	})
}

func sessionCookie(t *testing.T, app *testApp, c *http.Client) string {
	u, _ := url.Parse(app.http.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "ordi_session" {
			return ck.Value
		}
	}
	return ""
}

func TestSecureCookieBehindHTTPS(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db, func(c *Config) { c.BaseURL, _ = url.Parse("https://ordi.example.org") }).withUsers()
		res := app.postForm(app.client(), "/login", url.Values{"email": {"staff@example.org"}, "password": {testPassword}})
		found := false
		for _, ck := range res.Cookies() {
			if ck.Name == "ordi_session" {
				found = true
				if !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode && ck.SameSite != http.SameSiteStrictMode {
					t.Fatalf("session cookie behind an https base URL: %+v", ck)
				}
			}
		}
		if !found {
			t.Fatalf("no session cookie after signing in: %d", res.StatusCode)
		}
	})
}

func TestCrossOriginPostRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		c := app.login(ordi.RoleAdmin)
		req, _ := http.NewRequest(http.MethodPost, app.url("/admin/partners"), strings.NewReader("name=Evil&kind=ccas"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Origin", "https://evil.example")
		res := app.do(c, req)
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-site POST: %d", res.StatusCode)
		}
		var n int64
		app.db.Table("partners").Where("name = ?", "Evil").Count(&n)
		if n != 0 {
			t.Fatal("cross-site POST wrote a partner")
		}
		// The same request from the site itself passes.
		req, _ = http.NewRequest(http.MethodPost, app.url("/admin/partners"), strings.NewReader("name=Good&kind=ccas"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if res := app.do(c, req); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("same-origin POST: %d %s", res.StatusCode, readBody(res))
		}
	})
}

func TestLoginThrottledPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		c := app.client()
		for i := 0; i < account.MaxFailuresPerAccount; i++ {
			res := app.postForm(c, "/login", url.Values{"email": {"staff@example.org"}, "password": {"wrong wrong wrong"}})
			if res.StatusCode != http.StatusUnauthorized || !strings.Contains(readBody(res), "incorrect") {
				t.Fatalf("attempt %d: %d", i, res.StatusCode)
			}
		}
		res := app.postForm(c, "/login", url.Values{"email": {"staff@example.org"}, "password": {testPassword}})
		if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(readBody(res), "Trop de tentatives") {
			t.Fatalf("throttled login: %d", res.StatusCode)
		}
	})
}

func TestDeactivatedUserLosesSession(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		c := app.login(ordi.RoleVolunteer)
		if res := app.get(c, "/"); res.StatusCode != http.StatusOK {
			t.Fatalf("home: %d", res.StatusCode)
		}
		off := false
		if _, err := app.accounts.UpdateUser(context.Background(), ordi.System, app.users[ordi.RoleVolunteer].ID, account.UserUpdate{Active: &off}); err != nil {
			t.Fatal(err)
		}
		if res := app.get(c, "/"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("deactivated user still served: %d", res.StatusCode)
		}
	})
}

func TestFirstRunSetup(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db, func(c *Config) { c.SetupToken = "s3cr3t" })
		if res := app.get(nil, "/setup/wrong"); res.StatusCode != http.StatusNotFound {
			t.Fatalf("wrong token: %d", res.StatusCode)
		}
		if res := app.get(nil, "/setup/s3cr3t"); res.StatusCode != http.StatusOK {
			t.Fatalf("setup page: %d", res.StatusCode)
		}
		c := app.client()
		res := app.postForm(c, "/setup/s3cr3t", url.Values{"name": {"Aïcha"}, "email": {"aicha@example.org"}, "password": {testPassword}, "password_confirm": {"different password"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(readBody(res), "pas identiques") {
			t.Fatalf("mismatched confirmation: %d", res.StatusCode)
		}
		res = app.postForm(c, "/setup/s3cr3t", url.Values{"name": {"Aïcha"}, "email": {"aicha@example.org"}, "password": {testPassword}, "password_confirm": {testPassword}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("setup: %d %s", res.StatusCode, readBody(res))
		}
		// Signed in straight away, as an administrator.
		if res := app.get(c, "/admin/users"); res.StatusCode != http.StatusOK {
			t.Fatalf("after setup: %d", res.StatusCode)
		}
		// The link is dead.
		if res := app.get(nil, "/setup/s3cr3t"); res.StatusCode != http.StatusNotFound {
			t.Fatalf("used link: %d", res.StatusCode)
		}
		res = app.postForm(app.client(), "/setup/s3cr3t", url.Values{"name": {"Eve"}, "email": {"eve@example.org"}, "password": {testPassword}, "password_confirm": {testPassword}})
		if res.StatusCode != http.StatusNotFound {
			t.Fatalf("second setup: %d", res.StatusCode)
		}
	})
}

func TestAdminPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		c := app.login(ordi.RoleAdmin)
		res := app.postForm(c, "/admin/users", url.Values{"email": {"bad"}, "name": {"Zoé"}, "role": {"social_worker"}, "partner_id": {"0"}, "password": {"short"}})
		body := readBody(res)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Zoé") || !strings.Contains(body, "structure partenaire") {
			t.Fatalf("invalid user form: %d", res.StatusCode)
		}
		res = app.postForm(c, "/admin/users", url.Values{"email": {"zoe@example.org"}, "name": {"Zoé"}, "role": {"social_worker"}, "partner_id": {itoa(app.partner.ID)}, "password": {testPassword}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create user: %d %s", res.StatusCode, readBody(res))
		}
		body = readBody(app.get(c, "/admin/users"))
		if !strings.Contains(body, "Le compte de Zoé est créé.") || !strings.Contains(body, "zoe@example.org") || !strings.Contains(body, "CCAS de Test") {
			t.Fatal("users page lacks the flash or the new account")
		}
		res = app.postForm(c, "/admin/partners", url.Values{"name": {""}, "kind": {"ccas"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("empty partner: %d", res.StatusCode)
		}
		// An admin cannot lock themself out.
		res = app.postForm(c, "/admin/users/"+itoa(app.users[ordi.RoleAdmin].ID), url.Values{"name": {"Admin"}, "role": {"staff"}, "partner_id": {"0"}, "active": {"on"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("self-demotion: %d", res.StatusCode)
		}
		if res := app.get(c, "/admin/users/999999"); res.StatusCode != http.StatusNotFound {
			t.Fatalf("unknown user page: %d", res.StatusCode)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
