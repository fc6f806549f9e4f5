package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/app"
)

const testPassword = "correct horse battery"

// testApp is a running server over a test database, with helpers to act as
// users of each role.
type testApp struct {
	t        testing.TB
	db       *gorm.DB
	srv      *Server
	http     *httptest.Server
	accounts *account.Service
	partner  account.Partner
	users    map[ordi.Role]account.User
	tokens   map[ordi.Role]string
	clock    *testClock
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

type appOption func(*Config)

func newTestApp(t testing.TB, db *gorm.DB, opts ...appOption) *testApp {
	t.Helper()
	clk := &testClock{t: time.Now().UTC()}
	a := &testApp{t: t, db: db, clock: clk, users: map[ordi.Role]account.User{}, tokens: map[ordi.Role]string{}}
	a.http = httptest.NewUnstartedServer(nil)
	base, _ := url.Parse("http://" + a.http.Listener.Addr().String())
	svc := app.New(db, base.String(), clk.Now)
	a.accounts = svc.Accounts
	cfg := Config{
		BaseURL:      base,
		Accounts:     svc.Accounts,
		Sessions:     svc.Sessions,
		Inventory:    svc.Inventory,
		Allocation:   svc.Allocation,
		Certificates: svc.Certificates,
		Reports:      svc.Reports,
		Aftercare:    svc.Aftercare,
		Mail:         svc.Mail,
		Ready:        svc.Ready,
		Now:          clk.Now,
		Version:      "test",
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a.srv = srv
	a.http.Config.Handler = srv
	a.http.Start()
	t.Cleanup(a.http.Close)
	return a
}

// withUsers creates one user and one token per role; the social worker
// belongs to a partner.
func (a *testApp) withUsers() *testApp {
	a.t.Helper()
	ctx := context.Background()
	p, err := a.accounts.CreatePartner(ctx, ordi.System, account.NewPartner{Name: "CCAS de Test", Kind: account.PartnerCCAS})
	if err != nil {
		a.t.Fatal(err)
	}
	a.partner = p
	for _, r := range ordi.Roles {
		n := account.NewUser{Email: string(r) + "@example.org", Name: "Test " + string(r), Role: r, Password: testPassword}
		if r == ordi.RoleSocialWorker {
			n.PartnerID = p.ID
		}
		u, err := a.accounts.CreateUser(ctx, ordi.System, n)
		if err != nil {
			a.t.Fatal(err)
		}
		a.users[r] = u
		tok, err := a.accounts.CreateToken(ctx, ordi.System, u.Email, "test")
		if err != nil {
			a.t.Fatal(err)
		}
		a.tokens[r] = tok
	}
	return a
}

func (a *testApp) url(path string) string { return a.http.URL + path }

// client is a browser-like client: a cookie jar, no automatic redirects.
func (a *testApp) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// login returns a client signed in as the user of the given role.
func (a *testApp) login(role ordi.Role) *http.Client {
	a.t.Helper()
	c := a.client()
	res := a.postForm(c, "/login", url.Values{"email": {a.users[role].Email}, "password": {testPassword}})
	if res.StatusCode != http.StatusSeeOther {
		a.t.Fatalf("login as %s: status %d: %s", role, res.StatusCode, readBody(res))
	}
	return c
}

func (a *testApp) postForm(c *http.Client, path string, form url.Values) *http.Response {
	a.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.url(path), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return a.do(c, req)
}

func (a *testApp) get(c *http.Client, path string) *http.Response {
	a.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.url(path), nil)
	return a.do(c, req)
}

func (a *testApp) do(c *http.Client, req *http.Request) *http.Response {
	a.t.Helper()
	if c == nil {
		c = a.client()
	}
	res, err := c.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	a.t.Cleanup(func() { res.Body.Close() })
	return res
}

// api sends a JSON request with the token of role ("" for none).
func (a *testApp) api(role ordi.Role, method, path string, body any) *http.Response {
	a.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		r = strings.NewReader(string(js))
	}
	req, _ := http.NewRequest(method, a.url(path), r)
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+a.tokens[role])
	}
	return a.do(nil, req)
}

// readBody returns a response's body; an HTML page's with the no-break
// spaces of French typography read as plain spaces, so that tests look for
// "Motif :" as written in templates (TestFrenchSpacing and the browser tests
// check the spaces themselves, rawBody gives them). Other bodies (a PDF, JSON)
// are returned as sent.
func readBody(res *http.Response) string {
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		return rawBody(res)
	}
	return plainSpaces.Replace(rawBody(res))
}

var plainSpaces = strings.NewReplacer(noBreakSpace, " ", narrowNoBreakSpace, " ")

// rawBody returns a response's body as sent.
func rawBody(res *http.Response) string {
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

func decode[T any](t *testing.T, res *http.Response) T {
	t.Helper()
	var v T
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
		t.Fatalf("decode %T: %v", v, err)
	}
	return v
}

// problemBody is a decoded problem document.
type problemBody struct {
	Status int               `json:"status"`
	Title  string            `json:"title"`
	Detail string            `json:"detail"`
	Errors []ordi.FieldError `json:"errors"`
}

func expectProblem(t *testing.T, res *http.Response, status int, fields ...string) problemBody {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", res.StatusCode, status, readBody(res))
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json", ct)
	}
	p := decode[problemBody](t, res)
	if p.Status != status || p.Detail == "" || p.Title == "" {
		t.Fatalf("problem %+v", p)
	}
	for _, f := range fields {
		found := false
		for _, e := range p.Errors {
			found = found || e.Field == f
		}
		if !found {
			t.Fatalf("no error for field %q in %+v", f, p.Errors)
		}
	}
	return p
}

func ioNopCloser(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
