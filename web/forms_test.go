package web

import (
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

// bigUpload is larger than Gin's in-memory multipart allowance (32 MiB): a
// form parser that accepts it writes the file to the temporary directory.
const bigUpload = 40 << 20

// multipartRequest streams a multipart form with the given fields and a file
// part of size bytes, without holding the file in memory.
func multipartRequest(t *testing.T, url string, fields map[string]string, file string, size int64) *http.Request {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		for k, v := range fields {
			if err := mw.WriteField(k, v); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		part, err := mw.CreateFormFile(file, "x.bin")
		if err == nil {
			_, err = io.CopyN(part, zeros{}, size)
		}
		if err == nil {
			err = mw.Close()
		}
		// The server may answer before reading the whole body; the
		// transport then closes the pipe and the write fails: expected.
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequest(http.MethodPost, url, pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// tempFiles lists what the temporary directory holds.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestMultipartFloodLeavesNoTempFile posts a form carrying a 40 MB file to
// every route that takes a body, anonymously (20 times to /login) and as an
// administrator, and checks the temporary directory stays empty: a route
// that expects no file refuses multipart before reading it (415), a file
// route refuses a body over its bound (413).
func TestMultipartFloodLeavesNoTempFile(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // before the server parses anything: os.TempDir reads it on each call
	// The body is refused before any query: the database plays no part.
	app := newTestApp(t, dbtest.OpenSQLite(t)).withUsers()
	admin := app.login(ordi.RoleAdmin)
	post := func(client *http.Client, token, method, path string, want int) {
		t.Helper()
		req := multipartRequest(t, app.url(path), map[string]string{"email": "a@b.fr", "password": "x"}, "f", bigUpload)
		req.Method = method
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if res := app.do(client, req); res.StatusCode != want {
			t.Errorf("%s %s: status %d, want %d", method, path, res.StatusCode, want)
		}
		if files := tempFiles(t, tmp); len(files) > 0 {
			t.Fatalf("after %s %s: the temporary directory holds %v", method, path, files)
		}
	}
	for range 20 {
		post(nil, "", http.MethodPost, "/login", http.StatusUnsupportedMediaType)
	}
	for _, r := range app.srv.routes {
		if r.method == http.MethodGet {
			continue
		}
		want := http.StatusUnsupportedMediaType
		if bodyRuleOf(r).files {
			want = http.StatusRequestEntityTooLarge
		}
		path := concretePath(r.path)
		switch {
		case r.allow.public:
			post(nil, "", r.method, path, want)
		case strings.HasPrefix(path, "/api/"):
			post(nil, app.tokens[ordi.RoleAdmin], r.method, path, want)
		default:
			post(admin, "", r.method, path, want)
		}
	}
}

// TestFormBodiesAreBounded checks each form route reads at most its bound:
// a few kilobytes for the sign-in forms, more for the other forms.
func TestFormBodiesAreBounded(t *testing.T) {
	app := newTestApp(t, dbtest.OpenSQLite(t)).withUsers() // refused before any query
	admin := app.login(ordi.RoleAdmin)
	for _, tc := range []struct {
		client *http.Client
		path   string
		size   int
	}{
		{nil, "/login", 16 << 10},
		{nil, "/setup/whatever", 16 << 10},
		{admin, "/admin/partners", 1 << 20},
	} {
		form := url.Values{"email": {"a@b.fr"}, "password": {strings.Repeat("x", tc.size)}}
		res := app.postForm(tc.client, tc.path, form)
		if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(readBody(res), "trop volumineux") {
			t.Errorf("POST %s with %d bytes: status %d, want 413", tc.path, tc.size, res.StatusCode)
		}
	}
	// Within the bound, the form is read as before.
	res := app.postForm(nil, "/login", url.Values{"email": {"admin@example.org"}, "password": {testPassword}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", res.StatusCode)
	}
	var n int64
	app.db.Table("partners").Count(&n)
	if n != 1 {
		t.Fatalf("%d partners: a refused form wrote one", n)
	}
}

// TestBodyRulesNameRoutes: a rule for a route that no longer exists (renamed,
// say) would leave the new route with the default bound, files refused.
func TestBodyRulesNameRoutes(t *testing.T) {
	app := newTestApp(t, dbtest.OpenSQLite(t)) // the route table only
	served := map[string]bool{}
	for _, r := range app.srv.routes {
		served[r.method+" "+r.path] = true
	}
	for key := range bodyRules {
		if !served[key] {
			t.Errorf("bodyRules lists %s, which is not a route", key)
		}
	}
}
