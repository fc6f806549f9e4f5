package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

func TestJSONTextCheck(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		field      string // "-" when the document passes
	}{
		{"OK", `{"name": "Émile \u00e9 \ud83d\ude00 😀", "n": [1, 2.5, true, null]}`, "-"},
		{"OKEscapedBackslash", `{"name": "C:\\u0000\\ud800"}`, "-"},
		{"OKNotJSON", `{"name": "\u0000`, "-"},         // left to the decoder's 400
		{"OKUnknownEscape", `{"name": "\U0000"}`, "-"}, // not JSON: the decoder refuses it
		{"ErrNUL", `{"name": "a\u0000b"}`, "name"},
		{"ErrInvalidUTF8", "{\"kind\": \"x\", \"notes\": \"caf\xe9\"}", "notes"},
		{"ErrLoneHighSurrogate", `{"name": "\ud83d"}`, "name"},
		{"ErrLoneLowSurrogate", `{"name": "\ude00x"}`, "name"},
		{"ErrHighSurrogateThenOther", `{"name": "\ud83d\u0041"}`, "name"},
		{"ErrKey", `{"a\u0000": 1}`, "a\uFFFD"},
		{"ErrArray", `{"codes": ["ABC", "D\u0000"]}`, "codes[1]"},
		{"ErrNested", `{"a": {"b": [1, {"c": "\u0000"}]}, "d": 2}`, "a.b[1].c"},
		{"ErrAfterNested", `{"a": {"b": [true, null]}, "c": ["x"], "d": "\u0000"}`, "d"},
		{"ErrTopLevelString", `"\u0000"`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkJSONText([]byte(tc.body))
			if tc.field == "-" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var e *ordi.Error
			if !errors.As(err, &e) || e.Kind != ordi.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != tc.field {
				t.Fatalf("error %v, want invalid naming %q", err, tc.field)
			}
		})
	}
}

// paramPath fills a route pattern's first parameter with value, the others
// with 1.
func paramPath(pattern, value string) string {
	parts := strings.Split(pattern, "/")
	first := true
	for i, p := range parts {
		if strings.HasPrefix(p, ":") || strings.HasPrefix(p, "*") {
			parts[i] = "1"
			if first {
				parts[i], first = value, false
			}
		}
	}
	return strings.Join(parts, "/")
}

// TestBadTextRefusedOnEveryRoute walks the route table: on every route, a
// NUL or a byte outside UTF-8 in a query parameter, a path parameter, a form
// field or a JSON string answers 422 naming the field, before the handler
// runs. The caller is one the route lets through.
func TestBadTextRefusedOnEveryRoute(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		admin := app.login(ordi.RoleAdmin)
		for _, r := range app.srv.routes {
			t.Run(r.method+" "+r.path, func(t *testing.T) {
				api := strings.HasPrefix(r.path, "/api/")
				send := func(path, contentType, body string) *http.Response {
					var req *http.Request
					if body == "" {
						req = newRequest(t, r.method, app.url(path))
					} else {
						req, _ = http.NewRequest(r.method, app.url(path), strings.NewReader(body))
						req.Header.Set("Content-Type", contentType)
					}
					switch {
					case r.allow.public:
						return app.do(nil, req)
					case api:
						req.Header.Set("Authorization", "Bearer "+app.tokens[ordi.RoleAdmin])
						return app.do(nil, req)
					}
					return app.do(admin, req)
				}
				expect := func(what string, res *http.Response, field string) {
					t.Helper()
					if api {
						t.Run(what, func(t *testing.T) { expectProblem(t, res, http.StatusUnprocessableEntity, field) })
						return
					}
					body := readBody(res)
					if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "« "+field+" »") {
						t.Errorf("%s: status %d, want 422 naming %q", what, res.StatusCode, field)
					}
				}
				expect("query NUL", send(concretePath(r.path)+"?zzz=a%00b", "", ""), "zzz")
				expect("query invalid UTF-8", send(concretePath(r.path)+"?q=caf%E9", "", ""), "q")
				if i := strings.IndexAny(r.path, ":*"); i >= 0 {
					name := r.path[i+1:]
					name, _, _ = strings.Cut(name, "/")
					expect("path NUL", send(paramPath(r.path, "x%00y"), "", ""), name)
					expect("path invalid UTF-8", send(paramPath(r.path, "%C3%28"), "", ""), name)
				}
				if r.method == http.MethodGet {
					return
				}
				if bodyRuleOf(r).raw {
					// A tool's report is a file kept as sent, not JSON input:
					// its text is cleaned where it is read (TestAPIReportOddBytes).
					return
				}
				if api {
					expect("JSON NUL", send(concretePath(r.path), "application/json", `{"zzz": "a\u0000b"}`), "zzz")
					expect("JSON invalid UTF-8", send(concretePath(r.path), "application/json", "{\"zzz\": \"caf\xe9\"}"), "zzz")
					return
				}
				expect("form NUL", send(concretePath(r.path), "application/x-www-form-urlencoded", "zzz=a%00b"), "zzz")
				expect("form invalid UTF-8", send(concretePath(r.path), "application/x-www-form-urlencoded", "zzz=caf%E9"), "zzz")
			})
		}
	})
}

// TestBadTextChangesNothing sends bad text where it used to reach the
// database (PostgreSQL refused the NUL with a 500) or was silently replaced
// (encoding/json turns invalid UTF-8 into U+FFFD): 422, nothing written;
// clean text with emoji and escaped backslashes still passes.
func TestBadTextChangesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		count := func(table string) int64 {
			var n int64
			if err := db.Table(table).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		donors, households := count("donors"), count("households")

		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/donors", `{"name": "Don\u0000neur", "kind": "company"}`), http.StatusUnprocessableEntity, "name")
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/donors", "{\"name\": \"Caf\xe9 SARL\", \"kind\": \"company\"}"), http.StatusUnprocessableEntity, "name")
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/donors", `{"name": "Demi \ud83d", "kind": "company"}`), http.StatusUnprocessableEntity, "name")
		body := nominationBody("Famille Nul")
		body["notes"] = "a\x00b"
		expectProblem(t, app.api(ordi.RoleSocialWorker, http.MethodPost, "/api/v1/households", body), http.StatusUnprocessableEntity, "notes")
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units", map[string]any{"donation_id": donation, "kind": "laptop", "brand": "De\x00ll"}), http.StatusUnprocessableEntity, "brand")
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/labels", `{"codes": ["AAAAAAA", "B\u0000"], "template": "L7163"}`), http.StatusUnprocessableEntity, "codes[1]")
		for _, path := range []string{"/api/v1/units?q=%00", "/api/v1/donors?q=a%00", "/api/v1/households?q=%00", "/api/v1/households?status=%00"} {
			expectProblem(t, app.api(ordi.RoleAdmin, http.MethodGet, path, nil), http.StatusUnprocessableEntity)
		}
		admin := app.login(ordi.RoleAdmin)
		for _, path := range []string{"/units?q=%00", "/families?q=%00", "/verify/REM-2026-%00", "/u/AB%00"} {
			if res := app.get(admin, path); res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("GET %s: %d, want 422", path, res.StatusCode)
			}
		}
		form := nominationForm("Famille\x00Nul")
		form.Set("partner_id", itoa(app.partner.ID))
		if res := app.postForm(admin, "/families", form); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("family form with a NUL: %d", res.StatusCode)
		}
		if res := app.postForm(admin, "/donations", url.Values{"donor": {"new"}, "name": {"Caf\xe9"}, "kind": {"company"}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("donation form with Latin-1: %d", res.StatusCode)
		}
		if d, h := count("donors"), count("households"); d != donors || h != households {
			t.Fatalf("bad text wrote %d donors, %d households", d-donors, h-households)
		}

		// Clean text passes, whatever its escapes.
		for _, name := range []string{`Émile \ud83d\ude00 SARL`, `C:\\u0000 SARL`} {
			res := app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/donors", `{"name": "`+name+`", "kind": "company"}`)
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("donor %s: %d %s", name, res.StatusCode, readBody(res))
			}
			var got struct{ Name string }
			json.NewDecoder(res.Body).Decode(&got)
			var want string
			json.Unmarshal([]byte(`"`+name+`"`), &want)
			if got.Name != want {
				t.Fatalf("donor name %q, want %q", got.Name, want)
			}
		}
	})
}
