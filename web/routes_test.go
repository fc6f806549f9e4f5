package web

import (
	"io"
	"net/http"
	"net/url"
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
	"intake":         {ordi.RoleAdmin, ordi.RoleStaff, ordi.RoleWorkbench},
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
		"donorDocuments": donorDocuments, "intake": intake,
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

// routeOracle is who may call each route, written by hand from DESIGN §3
// and kept apart from the route table and from ordi's capability table, so
// that a wrong rule in either is caught rather than copied: "*" is public,
// otherwise the letters of the roles let through (a admin, s staff,
// v volunteer, t trainer, w social worker, b workbench). Data scope (a social
// worker's own families) is not the route's business: it answers 404, not
// 403. The workbench (b) holds a token and no session: on the API it creates
// units, attaches reports and records erasures, and reads nothing but itself
// (/api/v1/me, which ordi probe calls to check its token); it never reaches
// a page, "GET /" included, since it cannot sign in.
var routeOracle = map[string]string{
	// Probes, metrics, static files, sign-in and first-run setup.
	"GET /healthz":       "*",
	"GET /readyz":        "*",
	"GET /metrics":       "*", // loopback or the metrics token: TestMetricsAccess
	"GET /static/*file":  "*",
	"GET /login":         "*",
	"POST /login":        "*",
	"POST /logout":       "*",
	"GET /setup/:token":  "*",
	"POST /setup/:token": "*",
	// Invitation and password-reset links: public, the link is the secret.
	"GET /password/forgot":  "*",
	"POST /password/forgot": "*",
	"GET /password/:token":  "*",
	"POST /password/:token": "*",
	// Everyone chooses the messages they receive.
	"GET /account/mail":   "asvtwb",
	"POST /account/mail":  "asvtwb",
	"GET /verify":         "*",
	"GET /verify/:number": "*",

	// The installable app (pwa.go).
	"GET /manifest.webmanifest": "*",
	"GET /sw.js":                "*",

	"GET /": "asvtwb",

	// Workshop: donors, donations and units are written by admins and staff;
	// volunteers read units, scan and print labels.
	"GET /donations":                    "as",
	"GET /donations/new":                "as",
	"POST /donations":                   "as",
	"GET /donations/:id":                "as",
	"POST /donations/:id/units":         "as",
	"POST /donations/:id/import":        "as",
	"POST /donations/:id/delete":        "as",
	"GET /units":                        "asv",
	"GET /u/:code":                      "asv", // and anybody without a session for a handed-over unit: TestUnitPublicPage
	"POST /u/:code/probleme":            "*",
	"GET /signalement-envoye":           "*",
	"GET /tickets":                      "as",
	"GET /tickets/:id":                  "as",
	"POST /tickets/:id":                 "as",
	"GET /admin/aftercare":              "a",
	"GET /api/v1/tickets":               "as",
	"GET /api/v1/tickets/:id":           "as",
	"POST /api/v1/tickets/:id/changes":  "as",
	"POST /admin/aftercare":             "a",
	"POST /u/:code/transition":          "as",
	"POST /u/:code/erasures":            "as",
	"POST /u/:code/reports":             "as",
	"POST /u/:code/conflicts/:id":       "as",
	"POST /u/:code/undo":                "as",
	"GET /u/:code/edit":                 "as",
	"POST /u/:code/edit":                "as",
	"GET /scan":                         "asv",
	"GET /labels":                       "asv",
	"POST /labels/print":                "asv",
	"GET /labels/calibration/:template": "asv",

	// A donor's spreadsheet held for its mapping step (issue 16).
	"GET /donations/:id/import/:upload":  "as",
	"POST /donations/:id/import/:upload": "as",

	// Families: social workers nominate and edit, staff read; eligibility,
	// enrolment, matching and reservations are staff's; erasure the admin's.
	"GET /families":                 "asw",
	"GET /families/new":             "aw",
	"POST /families":                "aw",
	"GET /families/:id":             "asw",
	"GET /families/:id/edit":        "aw",
	"GET /families/:id/export":      "aw", // the family's copy of its data, in French
	"POST /families/:id/edit":       "aw",
	"POST /families/:id/decision":   "as",
	"POST /families/:id/withdraw":   "asw",
	"POST /families/:id/erase":      "a",
	"POST /families/:id/enroll":     "as",
	"GET /courses":                  "ast",
	"GET /courses/new":              "as",
	"POST /courses":                 "as",
	"GET /courses/:id":              "ast",
	"POST /courses/:id/enrollments": "as",
	"POST /courses/:id/attendance":  "ast",
	"GET /courses/:id/sheet.pdf":    "ast",
	"GET /allocation":               "as",
	"POST /reservations":            "as",
	"POST /reservations/:id/cancel": "as",

	// Handovers: the desk is staff's and volunteers'; donor certificates
	// and corrections of an attestation are staff's.
	"GET /handovers":                     "asv",
	"GET /handovers/:id":                 "asv",
	"POST /handovers/:id":                "asv",
	"POST /handovers/:id/appointment":    "asv",
	"GET /handovers/done/:number":        "asv",
	"GET /certificates":                  "asv", // volunteers: the handover attestations they may print again
	"GET /certificates/:number/correct":  "as",
	"POST /certificates/:number/correct": "as",
	"POST /donations/:id/certificate":    "as",

	// Administration: admins only.
	"GET /admin":              "a",
	"GET /admin/association":  "a",
	"POST /admin/association": "a",
	"GET /admin/programme":    "a",
	"POST /admin/programme":   "a",
	"GET /admin/bilan":        "a", // yearly targets and the suppression threshold
	"POST /admin/bilan":       "a",
	"GET /admin/mail":         "a", // the outbox and the sender address
	"POST /admin/mail":        "a",

	// The Bilan: admins and staff see the programme, a social worker their
	// partner's families; volunteers and trainers none of it.
	"GET /bilan":                    "asw",
	"GET /api/v1/reports/summary":   "asw",
	"GET /api/v1/settings/targets":  "as",
	"PUT /api/v1/settings/targets":  "a",
	"GET /admin/access-log":         "a",
	"GET /admin/users":              "a",
	"GET /admin/users/new":          "a",
	"POST /admin/users":             "a",
	"GET /admin/users/:id":          "a",
	"POST /admin/users/:id":         "a",
	"POST /admin/users/:id/tokens":  "a",
	"POST /admin/users/:id/signout": "a",
	"POST /admin/tokens/:id/revoke": "a",
	"GET /admin/partners":           "a",
	"POST /admin/partners":          "a",

	// API: the same rules as the pages that do the same.
	"GET /api/v1/me":                 "asvtwb",
	"POST /api/v1/partners":          "a",
	"GET /api/v1/partners":           "as", // staff attach families to partners
	"POST /api/v1/users":             "a",
	"GET /api/v1/users":              "a",
	"GET /api/v1/users/:id/tokens":   "a",
	"POST /api/v1/users/:id/tokens":  "a",
	"POST /api/v1/users/:id/signout": "a",
	"DELETE /api/v1/tokens/:id":      "a",

	"POST /api/v1/donors":    "as",
	"GET /api/v1/donors":     "as",
	"GET /api/v1/donors/:id": "as",
	// Outlets (issue 20): the workshop's.
	"POST /api/v1/outlets":    "as",
	"GET /api/v1/outlets":     "as",
	"GET /api/v1/outlets/:id": "as",
	"PUT /api/v1/outlets/:id": "as",
	"GET /outlets":            "as",
	"POST /outlets":           "as",
	"GET /outlets/:id":        "as",
	"POST /outlets/:id":       "as",
	// Pickups and the outgoing-waste register (issue 20): the workshop's.
	"POST /api/v1/pickups":                   "as",
	"GET /api/v1/pickups":                    "as",
	"GET /api/v1/pickups/:number":            "as",
	"GET /api/v1/waste-register.csv":         "as",
	"GET /pickups":                           "as",
	"POST /pickups":                          "as",
	"GET /pickups/register.csv":              "as",
	"POST /api/v1/donations":                 "as",
	"GET /api/v1/donations":                  "as",
	"GET /api/v1/donations/:id":              "as",
	"DELETE /api/v1/donations/:id":           "as",
	"POST /api/v1/units":                     "asb",
	"GET /api/v1/units":                      "asv",
	"POST /api/v1/units/import":              "as",
	"POST /api/v1/units/batch":               "asv",
	"GET /api/v1/units/:code":                "asv",
	"PATCH /api/v1/units/:code":              "as",
	"POST /api/v1/units/:code/transitions":   "as",
	"POST /api/v1/units/:code/undo":          "as",
	"POST /api/v1/units/:code/erasures":      "asb",
	"GET /api/v1/units/:code/erasures":       "asv",
	"GET /api/v1/units/:code/events":         "asv",
	"POST /api/v1/units/:code/reports":       "asb", // the workbench sends them
	"GET /api/v1/units/:code/reports":        "as",
	"GET /api/v1/units/:code/reports/:id":    "as",
	"GET /api/v1/units/:code/drives":         "asv",
	"POST /api/v1/units/:code/conflicts/:id": "as",
	"GET /api/v1/labels/templates":           "asv",
	"POST /api/v1/labels":                    "asv",

	// A donor's spreadsheet: its mapping previewed, then imported (issue 16).
	"POST /api/v1/donations/:id/import/preview": "as",
	"POST /api/v1/donations/:id/import":         "as",

	// List exports (issue 15).
	"GET /api/v1/donations.csv":  "as",
	"GET /api/v1/donations.xlsx": "as",
	"GET /api/v1/units.csv":      "asv",
	"GET /api/v1/units.xlsx":     "asv",

	"POST /api/v1/households":                "aw",
	"GET /api/v1/households":                 "asw",
	"GET /api/v1/households.csv":             "asw",
	"GET /api/v1/households.xlsx":            "asw",
	"GET /api/v1/households/:id":             "asw",
	"PATCH /api/v1/households/:id":           "aw",
	"POST /api/v1/households/:id/decision":   "as",
	"POST /api/v1/households/:id/withdraw":   "asw",
	"POST /api/v1/households/:id/erase":      "a",
	"GET /api/v1/households/:id/export":      "aw",
	"GET /api/v1/households/:id/checklist":   "as",
	"GET /api/v1/access-log":                 "a",
	"GET /api/v1/settings/programme":         "as",
	"PUT /api/v1/settings/programme":         "a",
	"POST /api/v1/courses":                   "as",
	"GET /api/v1/courses":                    "ast",
	"GET /api/v1/courses/:id":                "ast",
	"POST /api/v1/courses/:id/enrollments":   "as",
	"PUT /api/v1/courses/:id/attendance":     "ast",
	"POST /api/v1/allocation/proposals":      "as",
	"POST /api/v1/reservations":              "as",
	"GET /api/v1/reservations":               "asv",
	"GET /api/v1/reservations/:id":           "asv",
	"DELETE /api/v1/reservations/:id":        "as",
	"PATCH /api/v1/reservations/:id":         "asv", // the handover appointment
	"POST /api/v1/reservations/:id/handover": "asv",

	"POST /api/v1/donations/:id/certificate":    "as",
	"GET /api/v1/donations/:id/receipt.pdf":     "as",
	"GET /api/v1/certificates":                  "as",
	"GET /api/v1/certificates/:number":          "asv",
	"POST /api/v1/certificates/:number/reissue": "as",

	// The Bilan's exports: admin, staff, social workers (their partner's
	// families only, the service's business); never volunteers or trainers.
	"GET /bilan.csv":                   "asw",
	"GET /bilan.xlsx":                  "asw",
	"GET /bilan.pdf":                   "asw",
	"GET /api/v1/reports/summary.csv":  "asw",
	"GET /api/v1/reports/summary.xlsx": "asw",
	"GET /api/v1/reports/summary.pdf":  "asw",
}

// oracleAllows reads routeOracle's letters.
func oracleAllows(letters string, role ordi.Role) bool {
	letter := map[ordi.Role]string{ordi.RoleAdmin: "a", ordi.RoleStaff: "s", ordi.RoleVolunteer: "v",
		ordi.RoleTrainer: "t", ordi.RoleSocialWorker: "w", ordi.RoleWorkbench: "b"}[role]
	return letters == "*" || letter != "" && strings.Contains(letters, letter)
}

// TestRouteAccessByRole checks every route Gin serves against routeOracle,
// through real requests: nobody signed in gets 401 (API) or the login page
// unless the route is public; a role outside the oracle's letters gets 403,
// a role inside never gets 401 or 403. A route missing from the oracle, or an
// oracle line for a route that no longer exists, fails the test. Every answer
// but a static file's carries Cache-Control: no-store. The workbench has no
// session (its sign-in is refused): on a page, its token is refused and the
// browser sent to the login page, whatever the route.
func TestRouteAccessByRole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		sessions := map[ordi.Role]*http.Client{}
		for _, r := range ordi.Roles {
			if r.SignsIn() {
				sessions[r] = app.login(r)
			}
		}
		if res := app.postForm(app.client(), "/login", url.Values{"email": {app.users[ordi.RoleWorkbench].Email}, "password": {testPassword}}); res.StatusCode != http.StatusUnauthorized || !strings.Contains(readBody(res), "poste d&#39;atelier") {
			t.Errorf("sign-in of the workbench account: status %d, want 401 saying it works by token", res.StatusCode)
		}
		served := map[string]bool{}
		for _, ri := range app.srv.engine.Routes() {
			served[ri.Method+" "+ri.Path] = true
		}
		for key := range routeOracle {
			if !served[key] {
				t.Errorf("the oracle lists %s, which is not served", key)
			}
		}
		// The table's own rule, read apart from the answers: the domain
		// refusing a role (403 all the same) must not hide a rule that
		// lets it through the first filter.
		for _, r := range app.srv.routes {
			key := r.method + " " + r.path
			letters, ok := routeOracle[key]
			if !ok {
				continue // reported below
			}
			if r.allow.public != (letters == "*") {
				t.Errorf("%s: public is %v in the route table, the oracle says %q", key, r.allow.public, letters)
				continue
			}
			for _, role := range ordi.Roles {
				if !r.allow.public && r.allow.allows(role) != oracleAllows(letters, role) {
					t.Errorf("%s: the route table lets %s through: %v, the oracle: %v", key, role, r.allow.allows(role), oracleAllows(letters, role))
				}
			}
		}
		for _, ri := range app.srv.engine.Routes() {
			key := ri.Method + " " + ri.Path
			letters, ok := routeOracle[key]
			if !ok {
				t.Errorf("route %s is missing from routeOracle: add who may call it", key)
				continue
			}
			path := concretePath(ri.Path)
			api := strings.HasPrefix(path, "/api/")
			noStore := func(t *testing.T, who string, res *http.Response) {
				t.Helper()
				if ri.Path != "/static/*file" && !strings.Contains(res.Header.Get("Cache-Control"), "no-store") {
					t.Errorf("%s: status %d without Cache-Control: no-store (%q)", who, res.StatusCode, res.Header.Get("Cache-Control"))
				}
			}
			t.Run(key, func(t *testing.T) {
				anon := app.do(app.client(), newRequest(t, ri.Method, app.url(path)))
				noStore(t, "anonymous", anon)
				switch {
				case letters == "*":
					// A failed sign-in answers 401 by design; no other public
					// route asks for credentials or refuses a role.
					if anon.StatusCode == http.StatusForbidden || anon.StatusCode == http.StatusUnauthorized && key != "POST /login" {
						t.Errorf("anonymous caller of a public route: status %d", anon.StatusCode)
					}
					return
				case api && anon.StatusCode != http.StatusUnauthorized:
					t.Errorf("anonymous API call: status %d, want 401", anon.StatusCode)
				case !api && (anon.StatusCode != http.StatusSeeOther || !strings.HasPrefix(anon.Header.Get("Location"), "/login")):
					t.Errorf("anonymous page: status %d to %q, want a redirect to /login", anon.StatusCode, anon.Header.Get("Location"))
				}
				for _, role := range ordi.Roles {
					req := newRequest(t, ri.Method, app.url(path))
					var res *http.Response
					switch {
					case api:
						req.Header.Set("Authorization", "Bearer "+app.tokens[role])
						res = app.do(nil, req)
					case !role.SignsIn():
						req.Header.Set("Authorization", "Bearer "+app.tokens[role])
						res = app.do(app.client(), req)
					default:
						res = app.do(sessions[role], req)
					}
					noStore(t, string(role), res)
					allowed := oracleAllows(letters, role)
					switch {
					case !api && !role.SignsIn():
						if res.StatusCode < 300 || res.StatusCode == http.StatusSeeOther && !strings.HasPrefix(res.Header.Get("Location"), "/login") {
							t.Errorf("%s on a page: status %d (to %q), want it refused", role, res.StatusCode, res.Header.Get("Location"))
						}
					case !allowed && res.StatusCode != http.StatusForbidden:
						t.Errorf("%s: status %d, want 403", role, res.StatusCode)
					case allowed && (res.StatusCode == http.StatusForbidden || res.StatusCode == http.StatusUnauthorized):
						t.Errorf("%s: status %d, but the role may call this route", role, res.StatusCode)
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
