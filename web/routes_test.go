package web

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

// TestEveryRouteHasARule walks the routes Gin registered and checks each
// comes from the route table with a rule: public, or at least one role.
func TestEveryRouteHasARule(t *testing.T) {
	app := newTestApp(t, dbtest.OpenSQLite(t))
	table := map[string]route{}
	for _, r := range app.srv.routes {
		key := r.method + " " + r.path
		if _, dup := table[key]; dup {
			t.Errorf("route %s declared twice", key)
		}
		table[key] = r
	}
	registered := app.srv.engine.Routes()
	if len(registered) != len(table) {
		t.Errorf("%d routes registered, %d in the table", len(registered), len(table))
	}
	for _, ri := range registered {
		r, ok := table[ri.Method+" "+ri.Path]
		if !ok {
			t.Errorf("route %s %s is registered outside the route table", ri.Method, ri.Path)
			continue
		}
		if !r.allow.public && len(r.allow.roles) == 0 {
			t.Errorf("route %s %s has no access rule", ri.Method, ri.Path)
		}
	}
}

// capabilities is DESIGN §3 written out independently of access.go: which
// roles hold each capability the route table uses.
var capabilities = map[string][]ordi.Role{
	"public":         ordi.Roles,
	"signedIn":       ordi.Roles,
	"adminOnly":      {ordi.RoleAdmin},
	"workshop":       {ordi.RoleAdmin, ordi.RoleStaff},
	"unitsRead":      {ordi.RoleAdmin, ordi.RoleStaff, ordi.RoleVolunteer},
	"households":     {ordi.RoleAdmin, ordi.RoleStaff, ordi.RoleSocialWorker},
	"nominate":       {ordi.RoleAdmin, ordi.RoleSocialWorker},
	"allocate":       {ordi.RoleAdmin, ordi.RoleStaff},
	"courses":        {ordi.RoleAdmin, ordi.RoleStaff, ordi.RoleTrainer},
	"handover":       {ordi.RoleAdmin, ordi.RoleStaff, ordi.RoleVolunteer},
	"donorDocuments": {ordi.RoleAdmin, ordi.RoleStaff},
}

func TestCapabilitiesMatchDesign(t *testing.T) {
	rules := map[string]access{
		"public": public, "signedIn": signedIn, "adminOnly": adminOnly, "workshop": workshop, "unitsRead": unitsRead,
		"households": households, "nominate": nominate, "allocate": allocate, "courses": courses, "handover": handover,
		"donorDocuments": donorDocuments,
	}
	for name, want := range capabilities {
		rule, ok := rules[name]
		if !ok {
			t.Fatalf("no rule %s", name)
		}
		for _, role := range ordi.Roles {
			expected := false
			for _, w := range want {
				expected = expected || w == role
			}
			if got := rule.allows(role); got != expected {
				t.Errorf("%s allows %s = %v, want %v", name, role, got, expected)
			}
		}
	}
}

// concretePath fills a route pattern's parameters with plausible values.
func concretePath(pattern string) string {
	parts := strings.Split(pattern, "/")
	for i, p := range parts {
		switch {
		case strings.HasPrefix(p, ":"):
			parts[i] = "1"
		case strings.HasPrefix(p, "*"):
			parts[i] = "x"
		}
	}
	return strings.Join(parts, "/")
}

// TestRouteAccessByRole calls every route as every role and checks that the
// rule, and nothing else, decides who gets past: a role outside the rule gets
// 403, a role inside never does; nobody signed in gets 401 (API) or the login
// page (pages) unless the route is public.
func TestRouteAccessByRole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		sessions := map[ordi.Role]*http.Client{}
		for _, r := range ordi.Roles {
			sessions[r] = app.login(r)
		}
		for _, r := range app.srv.routes {
			path := concretePath(r.path)
			api := strings.HasPrefix(path, "/api/")
			t.Run(r.method+" "+r.path, func(t *testing.T) {
				anon := app.do(app.client(), newRequest(t, r.method, app.url(path)))
				switch {
				case r.allow.public:
					// A failed sign-in answers 401 by design; other public
					// routes never ask for credentials.
					if r.method == http.MethodGet && anon.StatusCode == http.StatusUnauthorized || anon.StatusCode == http.StatusForbidden {
						t.Errorf("public route answered %d to an anonymous caller", anon.StatusCode)
					}
				case api && anon.StatusCode != http.StatusUnauthorized:
					t.Errorf("anonymous API call: status %d, want 401", anon.StatusCode)
				case !api && (anon.StatusCode != http.StatusSeeOther || !strings.HasPrefix(anon.Header.Get("Location"), "/login")):
					t.Errorf("anonymous page: status %d to %q, want a redirect to /login", anon.StatusCode, anon.Header.Get("Location"))
				}
				if r.allow.public {
					return
				}
				for _, role := range ordi.Roles {
					var res *http.Response
					if api {
						req := newRequest(t, r.method, app.url(path))
						req.Header.Set("Authorization", "Bearer "+app.tokens[role])
						res = app.do(nil, req)
					} else {
						res = app.do(sessions[role], newRequest(t, r.method, app.url(path)))
					}
					denied := res.StatusCode == http.StatusForbidden
					if r.allow.allows(role) == denied || res.StatusCode == http.StatusUnauthorized {
						t.Errorf("%s: status %d, rule allows=%v", role, res.StatusCode, r.allow.allows(role))
					}
				}
			})
			// Some routes end the credentials of account 1 (sign out
			// everywhere, token revocation): sign in again for the next.
			app.renewCredentials(sessions)
		}
	})
}

func newRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	var body io.Reader
	if method != http.MethodGet {
		body = strings.NewReader("{}")
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}
