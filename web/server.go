// Package web is Ordi's HTTP edge: the route table with who may call each
// route, the middleware, the HTML pages for tablets and the JSON API. Gin is
// imported nowhere else; handlers parse, make one domain call and render.
package web

import (
	"context"
	"fmt"
	"github.com/ordi-app/ordi/notify"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/aftercare"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/certificates"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/reports"
)

// Config holds what the web layer needs. cmd/ordi builds it.
type Config struct {
	BaseURL      *url.URL
	Logger       *slog.Logger
	Accounts     *account.Service
	Sessions     *account.SessionStore
	Inventory    *inventory.Service
	Allocation   *allocation.Service
	Certificates *certificates.Service
	// Reports computes the Bilan's figures.
	Reports *reports.Service
	// Aftercare runs the public page of handed-over units and the tickets.
	Aftercare *aftercare.Service
	// Mail keeps the users' choices of messages and shows the outbox.
	Mail *notify.Service
	// MailConfigured says ORDI_SMTP_URL is set: invitations and password
	// resets are offered; without it messages wait in the outbox.
	MailConfigured bool
	// Ready checks the database and migrations for /readyz.
	Ready func(context.Context) error
	// SetupToken is the secret of the one-time first-run link, empty when
	// the installation already has an account.
	SetupToken string
	// TrustedProxies are the addresses whose X-Forwarded-For is believed
	// (a load balancer); empty trusts none.
	TrustedProxies []string
	// MetricsToken lets a Prometheus scraper on another machine read
	// /metrics (Authorization: Bearer); empty, only the machine itself may.
	MetricsToken string
	Version      string
	Now          func() time.Time
	// SessionIdleTimeout ends a browser session left idle that long;
	// zero means sessionIdleTimeout.
	SessionIdleTimeout time.Duration
}

// Session timeouts for shared tablets (DESIGN §6).
const (
	sessionIdleTimeout = 30 * time.Minute
	sessionLifetime    = 12 * time.Hour
)

// Server serves Ordi over HTTP.
type Server struct {
	cfg      Config
	log      *slog.Logger
	now      func() time.Time
	engine   *gin.Engine
	sessions *scs.SessionManager
	pages    map[string]*template.Template
	assets   *assets
	metrics  *metrics
	registry *prometheus.Registry
	routes   []route
	handler  http.Handler
	// expensive bounds PDF rendering and CSV imports (limiter.go).
	expensive *limiter
	// reports gives the Bilan's figures (cfg.Reports; tests may put
	// another source in).
	reports reportSource
	// idemWait bounds the wait for a twin request (idempotency.go).
	idemWait time.Duration
	// manifest and serviceWorker are built once from the assets (pwa.go).
	manifest, serviceWorker []byte

	setupMu    sync.Mutex
	setupToken string
}

// New builds the server and its route table.
func New(cfg Config) (*Server, error) {
	if cfg.BaseURL == nil {
		return nil, fmt.Errorf("web: BaseURL is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SessionIdleTimeout <= 0 {
		cfg.SessionIdleTimeout = sessionIdleTimeout
	}
	s := &Server{
		cfg:        cfg,
		log:        cfg.Logger,
		now:        cfg.Now,
		setupToken: cfg.SetupToken,
		registry:   prometheus.NewRegistry(),
		expensive:  newExpensiveLimiter(),
		idemWait:   idempotencyWait,
	}
	if cfg.Reports != nil {
		s.reports = cfg.Reports
	}
	var err error
	if s.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	s.manifest, s.serviceWorker = s.assets.manifest(), s.assets.serviceWorker()
	if s.pages, err = s.parsePages(); err != nil {
		return nil, err
	}
	s.metrics = newMetrics(s.registry)

	s.sessions = scs.New()
	s.sessions.Store = cfg.Sessions
	s.sessions.IdleTimeout = cfg.SessionIdleTimeout
	s.sessions.Lifetime = sessionLifetime
	s.sessions.Cookie.Name = "ordi_session"
	s.sessions.Cookie.HttpOnly = true
	s.sessions.Cookie.SameSite = http.SameSiteLaxMode
	s.sessions.Cookie.Secure = cfg.BaseURL.Scheme == "https"
	s.sessions.Cookie.Path = "/"
	// The cookie lives until the browser closes; the server alone ends the
	// session (idle timeout, lifetime). A cookie the browser dropped at the
	// idle deadline would leave a form sent after it with no trace of its
	// author, and the form would be lost (session_expiry.go).
	s.sessions.Cookie.Persist = false
	s.sessions.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		s.log.ErrorContext(r.Context(), "session", "error", err)
		writeProblem(w, problemOf(err))
	}

	gin.SetMode(gin.ReleaseMode)
	s.engine = gin.New()
	s.engine.ContextWithFallback = true
	s.engine.HandleMethodNotAllowed = true
	if err := s.engine.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("web: trusted proxies: %w", err)
	}
	s.engine.Use(s.requestIDAndLog, s.recover, s.metrics.middleware, s.metricsGate)
	s.engine.NoRoute(func(c *gin.Context) { s.fail(c, notFound()) })
	s.engine.NoMethod(func(c *gin.Context) {
		s.fail(c, &statusError{status: http.StatusMethodNotAllowed})
	})

	s.routes = s.routeTable()
	for _, r := range s.routes {
		chain := []gin.HandlerFunc{s.authorize(r), s.checkInput(r), s.adapt(r.handle)}
		if idempotentRoute(r) {
			chain = slices.Insert(chain, 1, s.idempotency(r))
		}
		s.engine.Handle(r.method, r.path, chain...)
	}

	// Static files and metrics need no session: they skip the session load.
	mux := http.NewServeMux()
	mux.Handle("/static/", s.engine)
	mux.Handle(metricsPath, s.engine)
	mux.Handle(serviceWorkerPath, s.engine)
	mux.Handle(manifestPath, s.engine)
	mux.Handle("/", s.sessions.LoadAndSave(markSession(s.engine)))

	csrf := http.NewCrossOriginProtection()
	origin := cfg.BaseURL.Scheme + "://" + cfg.BaseURL.Host
	if err := csrf.AddTrustedOrigin(origin); err != nil {
		return nil, fmt.Errorf("web: trusted origin %q: %w", origin, err)
	}
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, problem{Type: "about:blank", Title: title(http.StatusForbidden), Status: http.StatusForbidden,
			Detail: "Requête d'une autre origine refusée."})
	}))
	s.handler = securityHeaders(csrf.Handler(mux))
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Registry is the Prometheus registry served on /metrics; callers may add
// their own collectors.
func (s *Server) Registry() *prometheus.Registry { return s.registry }

// statusError is an error with a bare HTTP status, for the few answers that
// no domain kind describes (405).
type statusError struct {
	status int
	detail string
}

func (e *statusError) Error() string { return http.StatusText(e.status) }

// securityHeaders sets the headers every answer carries. The policy allows
// no inline script or style and no third-party origin; WebAssembly is
// allowed for the barcode scanner. Every answer but a static file's is
// Cache-Control: no-store: pages, API answers and documents may carry a
// family's file, and a shared tablet's cache or a proxy must not keep one.
// One rule for all is simpler to keep true than a list of what is personal.
func securityHeaders(next http.Handler) http.Handler {
	const csp = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; " +
		"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}
