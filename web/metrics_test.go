package web

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

// seriesCount is the number of series of Ordi's HTTP metrics.
func seriesCount(t *testing.T, app *testApp) int {
	t.Helper()
	families, err := app.srv.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range families {
		if strings.HasPrefix(f.GetName(), "ordi_http_") {
			n += len(f.GetMetric())
		}
	}
	return n
}

// TestMetricsSeriesAreBounded sends 100 invented method names, to a route
// and to no route: the number of series does not move, where each name used
// to add its own forever.
func TestMetricsSeriesAreBounded(t *testing.T) {
	app := newTestApp(t, dbtest.OpenSQLite(t)) // the routes called touch no table
	send := func(method, path string) {
		req, err := http.NewRequest(method, app.url(path), nil)
		if err != nil {
			t.Fatal(err)
		}
		app.do(nil, req)
	}
	for _, path := range []string{"/login", "/nowhere", "/healthz"} {
		send("BREW", path)
		send(http.MethodGet, path)
	}
	before := seriesCount(t, app)
	for i := range 100 {
		send("X"+strconv.Itoa(i), "/login")
		send("Y"+strconv.Itoa(i), "/nowhere")
		send("Z"+strconv.Itoa(i), "/healthz")
	}
	if after := seriesCount(t, app); after != before {
		t.Fatalf("300 requests with invented methods: %d series, was %d", after, before)
	}
	body := readBody(app.get(nil, "/metrics"))
	if !strings.Contains(body, `method="other"`) || strings.Contains(body, `method="X1"`) {
		t.Fatal("invented methods are not folded into method=\"other\"")
	}
}

// TestMetricsAccess checks who may read /metrics: a request from the
// machine itself, not relayed by a proxy; anybody else only with the
// metrics token, and gets 404 without it.
func TestMetricsAccess(t *testing.T) {
	const token = "metrics-token-0123456789"
	app := newTestApp(t, dbtest.OpenSQLite(t), func(c *Config) { c.MetricsToken = token }) // no table involved
	bare := newTestApp(t, dbtest.OpenSQLite(t))
	get := func(t *testing.T, app *testApp, header ...string) int {
		req, _ := http.NewRequest(http.MethodGet, app.url("/metrics"), nil)
		for i := 0; i < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res := app.do(nil, req)
		if res.StatusCode == http.StatusOK && !strings.Contains(readBody(res), "go_goroutines") {
			t.Fatal("200 without the metrics")
		}
		return res.StatusCode
	}
	for _, tc := range []struct {
		name   string
		app    *testApp
		header []string
		want   int
	}{
		{"OKLoopback", app, nil, http.StatusOK},
		{"OKLoopbackNoTokenConfigured", bare, nil, http.StatusOK},
		{"ErrForwardedFor", app, []string{"X-Forwarded-For", "203.0.113.9"}, http.StatusNotFound},
		{"ErrForwarded", app, []string{"Forwarded", "for=203.0.113.9"}, http.StatusNotFound},
		{"ErrRealIP", app, []string{"X-Real-IP", "203.0.113.9"}, http.StatusNotFound},
		{"OKProxiedWithToken", app, []string{"X-Forwarded-For", "203.0.113.9", "Authorization", "Bearer " + token}, http.StatusOK},
		{"ErrProxiedWrongToken", app, []string{"X-Forwarded-For", "203.0.113.9", "Authorization", "Bearer " + token + "x"}, http.StatusNotFound},
		{"ErrProxiedTokenPrefix", app, []string{"X-Forwarded-For", "203.0.113.9", "Authorization", "Bearer " + token[:10]}, http.StatusNotFound},
		{"ErrProxiedTokenNotBearer", app, []string{"X-Forwarded-For", "203.0.113.9", "Authorization", token}, http.StatusNotFound},
		{"ErrProxiedEmptyTokenConfigured", bare, []string{"X-Forwarded-For", "203.0.113.9", "Authorization", "Bearer "}, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := get(t, tc.app, tc.header...); got != tc.want {
				t.Fatalf("status %d, want %d", got, tc.want)
			}
		})
	}

	// From another machine, without any proxy header.
	remote := func(auth string) int {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		req.RemoteAddr = "203.0.113.9:40000"
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		app.srv.ServeHTTP(rec, req)
		return rec.Code
	}
	if got := remote(""); got != http.StatusNotFound {
		t.Errorf("remote without token: %d, want 404", got)
	}
	if got := remote("Bearer " + token); got != http.StatusOK {
		t.Errorf("remote with token: %d, want 200", got)
	}
}

// TestLoginPageHidesVersion: the version helps an attacker choose an
// exploit, so only signed-in users see it in the footer.
func TestLoginPageHidesVersion(t *testing.T) {
	const version = "9.8.7-edge"
	app := newTestApp(t, dbtest.OpenSQLite(t), func(c *Config) { c.Version = version }).withUsers() // the footer does not depend on the database
	for _, path := range []string{"/login", "/verify/REM-2026-0001", "/nowhere"} {
		if body := readBody(app.get(nil, path)); strings.Contains(body, version) {
			t.Errorf("%s shows the version to anonymous visitors", path)
		}
	}
	if body := readBody(app.get(app.login(ordi.RoleStaff), "/")); !strings.Contains(body, version) {
		t.Error("the home page does not show the version to a signed-in user")
	}
}
