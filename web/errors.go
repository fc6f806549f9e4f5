package web

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
)

// statusOf is the one table from error kinds to HTTP statuses. An error of no
// kind is internal: 500, logged, and shown as "Erreur interne".
var statusOf = map[ordi.Kind]int{
	ordi.Malformed:    http.StatusBadRequest,
	ordi.Invalid:      http.StatusUnprocessableEntity,
	ordi.NotFound:     http.StatusNotFound,
	ordi.Conflict:     http.StatusConflict,
	ordi.Forbidden:    http.StatusForbidden,
	ordi.Unauthorized: http.StatusUnauthorized,
	ordi.TooLarge:     http.StatusRequestEntityTooLarge,
	ordi.RateLimited:  http.StatusTooManyRequests,
	ordi.Unavailable:  http.StatusServiceUnavailable,
}

// titles are the French titles of problem documents and error pages.
var titles = map[int]string{
	http.StatusBadRequest:            "Requête mal formée",
	http.StatusUnauthorized:          "Authentification requise",
	http.StatusForbidden:             "Accès refusé",
	http.StatusNotFound:              "Introuvable",
	http.StatusMethodNotAllowed:      "Méthode non autorisée",
	http.StatusConflict:              "Conflit",
	http.StatusRequestEntityTooLarge: "Contenu trop volumineux",
	http.StatusUnsupportedMediaType:  "Type de contenu non pris en charge",
	http.StatusUnprocessableEntity:   "Données invalides",
	http.StatusTooManyRequests:       "Trop de tentatives",
	http.StatusInternalServerError:   "Erreur interne",
	http.StatusServiceUnavailable:    "Service indisponible",
}

// defaultDetails are shown when an error carries no message of its own.
var defaultDetails = map[int]string{
	http.StatusBadRequest:            "La requête n'a pas pu être lue.",
	http.StatusUnauthorized:          "Connectez-vous pour continuer.",
	http.StatusForbidden:             "Votre rôle ne permet pas cette action.",
	http.StatusNotFound:              "Cette page ou cet objet n'existe pas, ou vous n'y avez pas accès.",
	http.StatusMethodNotAllowed:      "Cette action n'est pas possible ici.",
	http.StatusConflict:              "L'état actuel ne permet pas cette action.",
	http.StatusRequestEntityTooLarge: "Le contenu envoyé est trop volumineux.",
	http.StatusUnsupportedMediaType:  "Ce type de contenu n'est pas accepté ici.",
	http.StatusUnprocessableEntity:   "Certaines valeurs sont invalides.",
	http.StatusTooManyRequests:       "Trop de tentatives. Réessayez plus tard.",
	http.StatusInternalServerError:   "Une erreur interne est survenue. Elle a été enregistrée ; réessayez dans un instant.",
	http.StatusServiceUnavailable:    "Le service est momentanément indisponible. Réessayez dans quelques instants.",
}

func title(status int) string {
	if t, ok := titles[status]; ok {
		return t
	}
	return http.StatusText(status)
}

// problem is an RFC 9457 problem document.
type problem struct {
	Type   string            `json:"type"`
	Title  string            `json:"title"`
	Status int               `json:"status"`
	Detail string            `json:"detail"`
	Errors []ordi.FieldError `json:"errors,omitempty"`
	extra  map[string]any
	// retryAfter is sent as the Retry-After header (429, 503).
	retryAfter time.Duration
}

// MarshalJSON adds the kind-specific members (allowed, pending…) at the top
// level, as RFC 9457 extension members.
func (p problem) MarshalJSON() ([]byte, error) {
	type plain problem
	b, err := json.Marshal(plain(p))
	if err != nil || len(p.extra) == 0 {
		return b, err
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for k, v := range p.extra {
		if _, taken := m[k]; !taken {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

// problemOf turns an error into its status and problem document. Internal
// errors keep their text out of the answer.
func problemOf(err error) problem {
	var maxBytes *http.MaxBytesError
	if errors.As(err, &maxBytes) {
		err = ordi.Errorf(ordi.TooLarge, "Le contenu envoyé dépasse la taille maximale autorisée.")
	}
	var se *statusError
	if errors.As(err, &se) {
		p := problem{Type: "about:blank", Title: title(se.status), Status: se.status, Detail: se.detail}
		if p.Detail == "" {
			p.Detail = defaultDetails[se.status]
		}
		return p
	}
	status, ok := statusOf[ordi.KindOf(err)]
	if !ok {
		status = http.StatusInternalServerError
	}
	p := problem{Type: "about:blank", Title: title(status), Status: status, Detail: defaultDetails[status]}
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		p.retryAfter = ordi.RetryAfterOf(err)
		if p.retryAfter <= 0 {
			p.retryAfter = defaultRetryAfter
		}
	}
	if status == http.StatusInternalServerError {
		return p
	}
	var e *ordi.Error
	if errors.As(err, &e) {
		if e.Message != "" {
			p.Detail = e.Message
		}
		p.Errors = e.Fields
		p.extra = e.Extra
	}
	return p
}

// isAPI reports whether a request is for the JSON API rather than a page.
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// defaultRetryAfter is the wait a 429 or 503 answer asks for when the error
// does not say.
const defaultRetryAfter = 5 * time.Second

// setRetryAfter sends p's wait, in whole seconds rounded up.
func setRetryAfter(h http.Header, p problem) {
	if p.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int((p.retryAfter+time.Second-1)/time.Second)))
	}
}

// writeProblem answers with an application/problem+json document.
func writeProblem(w http.ResponseWriter, p problem) {
	setRetryAfter(w.Header(), p)
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}

// fail answers a request that ended in err: a problem document for the API,
// an error page for browsers. Only internal errors are logged in full.
func (s *Server) fail(c *gin.Context, err error) {
	p := problemOf(err)
	if p.Status >= 500 {
		s.log.ErrorContext(c.Request.Context(), "request failed", "route", c.FullPath(), "request_id", requestID(c), "error", err)
	}
	c.Error(err)
	if c.Writer.Written() {
		return
	}
	if isAPI(c.Request) {
		writeProblem(c.Writer, p)
		c.Abort()
		return
	}
	if p.Status == http.StatusUnauthorized {
		redirectToLogin(c)
		return
	}
	s.renderError(c, p)
}

func (s *Server) renderError(c *gin.Context, p problem) {
	setRetryAfter(c.Writer.Header(), p)
	page := errorPage{basePage: s.base(c, p.Title), Status: p.Status, Detail: p.Detail, Fields: p.Errors}
	s.render(c, p.Status, "error", &page)
	c.Abort()
}

type errorPage struct {
	basePage
	Status int
	Detail string
	Fields []ordi.FieldError
}

// logAttrs are the attributes every log line of a request carries.
func logAttrs(c *gin.Context) []any {
	return []any{slog.String("request_id", requestID(c)), slog.String("route", c.FullPath())}
}
