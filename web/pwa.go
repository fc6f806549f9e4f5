package web

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
)

// The tablet's app is installable (issue 17): a web app manifest, and a
// service worker of our own that keeps the static files and the scanner
// page for when the network drops (docs/offline.md says why not Workbox).

// Their paths, at the root: a worker's scope is its own folder and below.
const (
	manifestPath      = "/manifest.webmanifest"
	serviceWorkerPath = "/sw.js"
)

//go:embed serviceworker/sw.js
var serviceWorkerSource string

// precached reports whether a static file is one the worker keeps: what a
// page loads (scripts, styles, images, the scanner's WebAssembly), not the
// licences and version notes beside the vendored files.
func precached(name string) bool {
	switch path.Ext(name) {
	case ".js", ".css", ".wasm", ".svg", ".png":
		return true
	}
	return false
}

// serviceWorker returns the worker's script, with the hashed URLs of the
// static files it keeps and a version that changes with any of them.
func (a *assets) serviceWorker() []byte {
	var urls []string
	for name := range a.files {
		if precached(name) {
			urls = append(urls, a.url(name))
		}
	}
	slices.Sort(urls)
	list, _ := json.Marshal(urls)
	sum := sha256.Sum256([]byte(serviceWorkerSource + string(list)))
	js := strings.Replace(serviceWorkerSource, "{{ASSETS}}", string(list), 1)
	js = strings.Replace(js, "{{VERSION}}", hex.EncodeToString(sum[:6]), 1)
	return []byte(js)
}

// handleServiceWorker serves the worker from the root, so that its scope is
// the whole site. Like every answer but a static file's it is no-store: the
// browser checks for a new release at each visit.
func (s *Server) handleServiceWorker(c *gin.Context) error {
	c.Data(http.StatusOK, "text/javascript; charset=utf-8", s.serviceWorker)
	return nil
}

// manifest is the web app manifest.
type manifest struct {
	Name            string         `json:"name"`
	ShortName       string         `json:"short_name"`
	Description     string         `json:"description"`
	Lang            string         `json:"lang"`
	StartURL        string         `json:"start_url"`
	Scope           string         `json:"scope"`
	Display         string         `json:"display"`
	BackgroundColor string         `json:"background_color"`
	ThemeColor      string         `json:"theme_color"`
	Icons           []manifestIcon `json:"icons"`
}

type manifestIcon struct {
	Src   string `json:"src"`
	Sizes string `json:"sizes"`
	Type  string `json:"type"`
}

// themeColor is the favicon's green.
const themeColor = "#1f7a3d"

func (a *assets) manifest() []byte {
	m := manifest{
		Name:            "Ordi – reconditionnement et remise d'ordinateurs",
		ShortName:       "Ordi",
		Description:     "Scanner les étiquettes, suivre les ordinateurs de l'atelier jusqu'aux familles.",
		Lang:            "fr",
		StartURL:        "/scan",
		Scope:           "/",
		Display:         "standalone",
		BackgroundColor: "#ffffff",
		ThemeColor:      themeColor,
		Icons: []manifestIcon{
			{Src: a.url("icons/icon-192.png"), Sizes: "192x192", Type: "image/png"},
			{Src: a.url("icons/icon-512.png"), Sizes: "512x512", Type: "image/png"},
		},
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	return b
}

func (s *Server) handleManifest(c *gin.Context) error {
	c.Data(http.StatusOK, "application/manifest+json", s.manifest)
	return nil
}
