package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/ordi-app/ordi/database/dbtest"
)

// TestInstallable: the manifest and the service worker are served from the
// root, with their types, to anybody; the manifest's icons and every file
// the worker keeps exist under their hashed paths.
func TestInstallable(t *testing.T) {
	app := newTestApp(t, dbtest.OpenSQLite(t))

	res := app.get(nil, "/manifest.webmanifest")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/manifest+json" {
		t.Fatalf("manifest: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var m manifest
	if err := json.Unmarshal([]byte(rawBody(res)), &m); err != nil {
		t.Fatal(err)
	}
	if m.StartURL != "/scan" || m.Display != "standalone" || m.Lang != "fr" || m.ShortName != "Ordi" || !strings.Contains(m.Name, "ordinateurs") {
		t.Fatalf("manifest %+v", m)
	}
	sizes := map[string]bool{}
	for _, icon := range m.Icons {
		res := app.get(nil, icon.Src)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" || icon.Type != "image/png" {
			t.Fatalf("icon %s: %d %q", icon.Src, res.StatusCode, res.Header.Get("Content-Type"))
		}
		img, err := png.Decode(bytes.NewReader([]byte(rawBody(res))))
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%dx%d", img.Bounds().Dx(), img.Bounds().Dy()); got != icon.Sizes {
			t.Fatalf("icon %s is %s, the manifest says %s", icon.Src, got, icon.Sizes)
		}
		sizes[icon.Sizes] = true
	}
	if !sizes["192x192"] || !sizes["512x512"] {
		t.Fatalf("icons %v", sizes)
	}

	res = app.get(nil, "/sw.js")
	js := rawBody(res)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/javascript; charset=utf-8" ||
		!strings.Contains(res.Header.Get("Cache-Control"), "no-store") {
		t.Fatalf("worker: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
	}
	if strings.Contains(js, "{{") || !regexp.MustCompile(`const VERSION = "[0-9a-f]{12}";`).MatchString(js) {
		t.Fatalf("worker not filled in:\n%.400s", js)
	}
	kept := regexp.MustCompile(`const ASSETS = (\[.*\]);`).FindStringSubmatch(js)
	var urls []string
	if kept == nil || json.Unmarshal([]byte(kept[1]), &urls) != nil {
		t.Fatalf("no asset list in the worker")
	}
	want := []string{app.srv.assets.url("app.js"), app.srv.assets.url("vendor/htmx/htmx.min.js"),
		app.srv.assets.url("vendor/pico/pico.min.css"), app.srv.assets.url("scan.js"), app.srv.assets.url("vendor/zxing-wasm/zxing_reader.wasm"),
		app.srv.assets.url("queue.js"), app.srv.assets.url("vendor/idb/umd.js")}
	for _, w := range want {
		if !strings.Contains(kept[1], `"`+w+`"`) {
			t.Errorf("the worker does not keep %s", w)
		}
	}
	for _, u := range urls {
		if strings.Contains(u, "LICENSE") || strings.Contains(u, "VERSIONS") {
			t.Errorf("the worker keeps %s", u)
		}
		if res := app.get(nil, u); res.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", u, res.StatusCode)
		}
	}

	// Every page links the manifest.
	if body := readBody(app.get(nil, "/login")); !strings.Contains(body, `<link rel="manifest" href="/manifest.webmanifest">`) {
		t.Fatalf("the login page does not link the manifest")
	}
}
