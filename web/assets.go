package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

//go:embed static
var staticFS embed.FS

// assets serves the embedded static files under content-hashed paths
// (/static/<hash>/<name>), so browsers may cache them forever and a new
// release is picked up at once.
type assets struct {
	files  map[string][]byte // by name relative to static/
	hashes map[string]string // name → short content hash
}

func loadAssets() (*assets, error) {
	a := &assets{files: map[string][]byte{}, hashes: map[string]string{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".sh") {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(b)
		a.files[name] = b
		a.hashes[name] = hex.EncodeToString(sum[:6])
		return nil
	})
	return a, err
}

// url is the template function giving a file's hashed URL.
func (a *assets) url(name string) string {
	h, ok := a.hashes[name]
	if !ok {
		panic("web: unknown asset " + name)
	}
	return "/static/" + h + "/" + name
}

func (s *Server) handleStatic(c *gin.Context) error {
	p := strings.TrimPrefix(c.Param("file"), "/")
	hash, name, ok := strings.Cut(p, "/")
	b, found := s.assets.files[name]
	if !ok || !found {
		return notFound()
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	if hash == s.assets.hashes[name] {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Header("Cache-Control", "no-cache")
	}
	c.Header("Content-Type", ctype)
	http.ServeContent(c.Writer, c.Request, name, time.Time{}, bytes.NewReader(b))
	return nil
}
