package web

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/aftercare"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/inventory"
)

//go:embed templates
var templateFS embed.FS

// basePage is what every page's data embeds: the layout reads it.
type basePage struct {
	Title     string
	User      *account.User
	Flash     string
	FlashKind string // "ok" or "error"
	Nav       []navItem
	Path      string
	Version   string
	// IdleSeconds is the session idle timeout, for the warning before it
	// ends (app.js); Pending a form given back after it ended.
	IdleSeconds int
	Pending     *pendingForm
}

// navItem is one entry of the top navigation.
type navItem struct {
	Label  string
	Href   string
	Active bool
}

// navTable lists the navigation entries and who sees them.
var navTable = []struct {
	label, href string
	allow       access
}{
	{"Accueil", "/", signedIn},
	{"Dons", "/donations", workshop},
	{"Scanner", "/scan", unitsRead},
	{"Unités", "/units", unitsRead},
	{"Étiquettes", "/labels", unitsRead},
	{"Familles", "/families", households},
	{"Formations", "/courses", courses},
	{"Attribution", "/allocation", allocate},
	{"Remises", "/handovers", handover},
	{"Signalements", "/tickets", workshop},
	{"Certificats", "/certificates", handover},
	{"Bilan", "/bilan", reportsRead},
	{"Administration", "/admin", adminOnly},
}

const flashKey, flashKindKey = "flash", "flash_kind"

// base fills the common page data for the current request and takes the
// flash message out of the session.
func (s *Server) base(c *gin.Context, title string) basePage {
	b := basePage{Title: title, Path: c.Request.URL.Path, Version: s.cfg.Version}
	if u, ok := userOf(c); ok {
		b.User = &u
		for _, n := range navTable {
			if n.allow.allows(u.Role) {
				active := n.href == b.Path || n.href != "/" && strings.HasPrefix(b.Path, n.href)
				b.Nav = append(b.Nav, navItem{Label: n.label, Href: n.href, Active: active})
			}
		}
	}
	if b.User != nil && s.sessionLoaded(c) {
		b.IdleSeconds = int(s.cfg.SessionIdleTimeout.Seconds())
		b.Pending = s.takePendingForm(c, b.User.ID)
	}
	if s.sessionLoaded(c) {
		b.Flash = s.sessions.PopString(c.Request.Context(), flashKey)
		b.FlashKind = s.sessions.PopString(c.Request.Context(), flashKindKey)
	}
	return b
}

type sessionMarkKey struct{}

// markSession records in the request context that the session was loaded
// (static files and metrics skip it).
func markSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionMarkKey{}, true)))
	})
}

// sessionLoaded reports whether the session middleware ran for this request.
func (s *Server) sessionLoaded(c *gin.Context) bool {
	loaded, _ := c.Request.Context().Value(sessionMarkKey{}).(bool)
	return loaded
}

// flash stores a confirmation shown on the next page.
func (s *Server) flash(c *gin.Context, msg string) {
	s.sessions.Put(c.Request.Context(), flashKey, msg)
	s.sessions.Put(c.Request.Context(), flashKindKey, "ok")
}

// flashError stores an error shown on the next page.
func (s *Server) flashError(c *gin.Context, msg string) {
	s.sessions.Put(c.Request.Context(), flashKey, msg)
	s.sessions.Put(c.Request.Context(), flashKindKey, "error")
}

var templateFuncs = template.FuncMap{
	"stateLabel": stateLabel,
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(ordi.Paris).Format("02/01/2006")
	},
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(ordi.Paris).Format("02/01/2006 à 15:04")
	},
	"deref": func(t *time.Time) time.Time {
		if t == nil {
			return time.Time{}
		}
		return *t
	},
	"decimal": func(f *float64) string {
		if f == nil {
			return ""
		}
		return strings.Replace(strconv.FormatFloat(*f, 'f', -1, 64), ".", ",", 1)
	},
	"seq": func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	},
	"add":        func(a, b int) int { return a + b },
	"siret":      inventory.FormatSIRET,
	"hasPrefix":  strings.HasPrefix,
	"plural":     ordi.Plural,
	"deref_bool": func(b *bool) bool { return b != nil && *b },
	"cell": func(course, household int64, session int, present *bool, attended, required int, status allocation.HouseholdStatus, canMark bool) attendanceCell {
		return attendanceCell{CourseID: course, HouseholdID: household, Session: session, Present: present, Attended: attended, Required: required, Status: status, CanMark: canMark}
	},
	"accessAction": func(action string) string {
		switch action {
		case allocation.AccessRead:
			return "lecture du dossier"
		case allocation.AccessExport:
			return "export du dossier"
		case "household.nominate":
			return "orientation"
		case "household.update":
			return "modification"
		case "household.decide":
			return "décision d'éligibilité"
		case "household.withdraw":
			return "sortie du dispositif"
		case "household.erase":
			return "effacement des données"
		case allocation.AccessListExport:
			return "export de la liste des familles"
		case "course.enroll":
			return "inscription à une formation"
		case "reservation.create":
			return "réservation"
		case "reservation.cancel":
			return "annulation de réservation"
		case "reservation.appointment":
			return "rendez-vous de remise"
		case "handover":
			return "remise"
		}
		return action
	},
	// nextPage is the link to the next page of a list: its filters (an
	// encoded query) and the cursor. Built whole, so that html/template
	// treats it as a URL to normalise, not a value to escape into a query.
	"exportLinks": func(path, query string) map[string]string { return map[string]string{"Path": path, "Query": query} },
	"withQuery": func(path, query string) string {
		if query == "" {
			return path
		}
		return path + "?" + query
	},
	"nextPage": func(path, query, cursor string) string {
		q := query
		if q != "" {
			q += "&"
		}
		return path + "?" + q + "cursor=" + url.QueryEscape(cursor)
	},
	// tel is a phone number as a tel: link, built from its digits and a
	// leading + only (html/template refuses the tel: scheme as such).
	"tel": func(phone string) template.URL {
		var b strings.Builder
		for i, r := range phone {
			if r >= '0' && r <= '9' || r == '+' && i == 0 {
				b.WriteRune(r)
			}
		}
		return template.URL("tel:" + b.String())
	},
	"actionLabel": aftercare.ActionLabel,
	"fieldError": func(fields []ordi.FieldError, name string) string {
		for _, f := range fields {
			if f.Field == name {
				return f.Message
			}
		}
		return ""
	},
}

// parsePages builds one template set per page: the layout, the partials and
// the page itself, so page templates can reuse block names freely.
func (s *Server) parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{"asset": s.assets.url}
	for k, v := range templateFuncs {
		funcs[k] = v
	}
	shared := []string{"templates/layout.html"}
	partials, err := fs.Glob(templateFS, "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	shared = append(shared, partials...)
	files, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, append(shared, f)...)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// render writes a full page.
func (s *Server) render(c *gin.Context, status int, page string, data any) {
	s.renderTemplate(c, status, page, "layout", data)
}

// renderFragment writes one named block of a page, for htmx swaps.
func (s *Server) renderFragment(c *gin.Context, status int, page, block string, data any) {
	s.renderTemplate(c, status, page, block, data)
}

func (s *Server) renderTemplate(c *gin.Context, status int, page, name string, data any) {
	t, ok := s.pages[page]
	if !ok {
		s.fail(c, fmt.Errorf("web: no page %q", page))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		s.log.ErrorContext(c.Request.Context(), "render", "page", page, "error", err)
		c.Writer.Header().Set("Content-Type", "text/plain; charset=utf-8")
		c.Writer.WriteHeader(http.StatusInternalServerError)
		c.Writer.WriteString("Erreur interne")
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", frenchSpacing(buf.Bytes()))
}

// adapt turns a handler that returns an error into a Gin handler.
func (s *Server) adapt(h func(*gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.fail(c, err)
		}
	}
}

// seeOther ends a successful form post (POST-redirect-GET).
func seeOther(c *gin.Context, to string) error {
	if c.GetHeader("HX-Request") == "true" {
		c.Header("HX-Redirect", to)
		c.Status(http.StatusNoContent)
		return nil
	}
	c.Redirect(http.StatusSeeOther, to)
	return nil
}

func notFound() error { return ordi.Errorf(ordi.NotFound, "") }
