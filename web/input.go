package web

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/certificates"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/inventory/hwreport"
)

// bodyRule is how much of a request body a route reads, and whether it takes
// files (multipart/form-data).
type bodyRule struct {
	limit int64
	files bool
	// raw bodies (a tool's report, sent as the tool wrote it) are bounded
	// only: their content is the handler's to read and judge.
	raw bool
}

const (
	// formBodyLimit bounds a page's form: its longest fields are notes and
	// addresses of 2,000 characters, at most 24 kB once percent-encoded.
	formBodyLimit = 128 << 10
	// authBodyLimit bounds the sign-in, sign-out and first-run forms: an
	// email, a name, passwords of 256 characters at most, a return path.
	authBodyLimit = 8 << 10
	// problemBodyLimit bounds the public problem form, sent without an
	// account: its description of 2,000 characters is at most 18 kB once
	// percent-encoded; a longer one within the bound is refused on its
	// field (422), beyond it as a whole (413).
	problemBodyLimit = 64 << 10
)

// bodyRules lists the routes whose body is not the default one: a form of
// formBodyLimit for a page, a JSON document of maxJSONBody for the API. A
// route that takes a file must be listed here, or multipart bodies are
// refused with 415 before a byte of them is read.
var bodyRules = map[string]bodyRule{
	"POST /login":         {limit: authBodyLimit},
	"POST /logout":        {limit: authBodyLimit},
	"POST /setup/:token":  {limit: authBodyLimit},
	"POST /handovers/:id": {limit: maxHandoverBody},
	// The public problem form: a description of 2,000 characters, a phone.
	"POST /u/:code/probleme":             {limit: problemBodyLimit},
	"POST /certificates/:number/correct": {limit: maxHandoverBody},
	"POST /donations/:id/import":         {limit: inventory.MaxImportBytes + 64<<10, files: true},
	"POST /admin/association":            {limit: certificates.MaxLogoBytes + 64<<10, files: true},
	"POST /api/v1/units/import":          {limit: inventory.MaxImportBytes},
	"POST /api/v1/units/:code/reports":   {limit: hwreport.MaxSize, raw: true},
	"POST /u/:code/reports":              {limit: hwreport.MaxSize + 64<<10, files: true},
	// A donor's file alone (any type) or in a multipart form with its mapping.
	"POST /api/v1/donations/:id/import/preview": {limit: inventory.MaxImportBytes + 64<<10, files: true},
	"POST /api/v1/donations/:id/import":         {limit: inventory.MaxImportBytes + 64<<10, files: true},
}

func bodyRuleOf(r route) bodyRule {
	if rule, ok := bodyRules[r.method+" "+r.path]; ok {
		return rule
	}
	if isAPIPath(r.path) {
		return bodyRule{limit: maxJSONBody}
	}
	return bodyRule{limit: formBodyLimit}
}

// checkInput is the edge every request's input crosses before its handler:
// the body is bounded by the route's rule, a form is parsed there (so that no
// handler parses one unbounded) and a parsed multipart form is removed once
// the handler is done (net/http removes it only from the request it created,
// and the session middleware's r.WithContext made a copy: golang/go#58809).
// Path parameters, query parameters, form fields and JSON strings holding a
// NUL or bytes outside UTF-8 are refused with 422 naming the field.
func (s *Server) checkInput(r route) gin.HandlerFunc {
	rule, api := bodyRuleOf(r), isAPIPath(r.path)
	return func(c *gin.Context) {
		err := checkRequestText(c)
		if err == nil {
			var cleanup func()
			cleanup, err = readRequestBody(c, rule, api)
			if cleanup != nil {
				defer cleanup()
			}
		}
		if err != nil {
			s.fail(c, err)
			c.Abort()
			return
		}
		c.Next()
	}
}

// checkRequestText refuses bad text in the path and query parameters.
func checkRequestText(c *gin.Context) error {
	for _, p := range c.Params {
		if problem := textProblem(p.Value); problem != "" {
			return badText(p.Key, problem)
		}
	}
	return checkValues(c.Request.URL.Query())
}

// readRequestBody bounds the body and reads what the edge checks: a form (pages) or
// a JSON document (API). Other bodies are left to the handler, bounded.
func readRequestBody(c *gin.Context, rule bodyRule, api bool) (cleanup func(), err error) {
	req := c.Request
	ct := req.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	if mt == "multipart/form-data" && !rule.files {
		return nil, &statusError{status: http.StatusUnsupportedMediaType,
			detail: "Ce formulaire ne prend pas de fichier : envoi multipart/form-data refusé."}
	}
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	req.Body = http.MaxBytesReader(c.Writer, req.Body, rule.limit)
	if rule.raw {
		return nil, nil
	}
	switch {
	case mt == "multipart/form-data":
		// Files up to the bound are kept in memory: nothing reaches the
		// disk, and the form is removed anyway.
		err = req.ParseMultipartForm(rule.limit)
		if form := req.MultipartForm; form != nil {
			cleanup = func() { form.RemoveAll() }
		}
		if err != nil {
			return cleanup, bodyError(err, rule)
		}
		return cleanup, checkValues(req.PostForm)
	case !api && mt == "application/x-www-form-urlencoded":
		if err := req.ParseForm(); err != nil {
			return nil, bodyError(err, rule)
		}
		return nil, checkValues(req.PostForm)
	case api && (ct == "" || mt == "application/json"):
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, bodyError(err, rule)
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		return nil, checkJSONText(body)
	}
	return nil, nil
}

// bodyError explains why a body could not be read.
func bodyError(err error, rule bodyRule) error {
	var maxBytes *http.MaxBytesError
	if errors.As(err, &maxBytes) || errors.Is(err, multipart.ErrMessageTooLarge) {
		return ordi.Errorf(ordi.TooLarge, "Le contenu envoyé est trop volumineux : %d Ko au plus.", rule.limit>>10)
	}
	return &ordi.Error{Kind: ordi.Malformed, Message: "Le formulaire envoyé n'a pas pu être lu.", Err: err}
}

// isAPIPath reports whether a route pattern belongs to the JSON API.
func isAPIPath(path string) bool { return strings.HasPrefix(path, "/api/") }
