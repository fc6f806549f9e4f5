package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
)

// access is who may call a route: everybody, or signed-in users with one of
// the listed roles. Data scope (a social worker's own families) is the domain
// packages' business; this only says which roles reach the handler.
type access struct {
	public bool
	roles  []ordi.Role
	// setup marks the first-run routes, reachable without an account.
	setup bool
	// anonymous lets a caller without credentials reach the handler, which
	// decides per request whether it has something public to show (a
	// handed-over unit's page) or answers as to anybody not signed in
	// (refuseAnonymous). A signed-in caller still needs one of roles.
	anonymous bool
}

// allows reports whether a user of the given role passes the rule.
func (a access) allows(role ordi.Role) bool {
	if a.public {
		return true
	}
	for _, r := range a.roles {
		if r == role {
			return true
		}
	}
	return false
}

func allow(roles ...ordi.Role) access { return access{roles: roles} }

// may is the rule of a capability: the roles of ordi's one table.
func may(c ordi.Capability) access { return access{roles: c.Roles()} }

// The rules of the route table: DESIGN §3's capabilities (ordi.Capability),
// which the domain services check again with the actor they receive.
var (
	public         = access{public: true}
	signedIn       = allow(ordi.Roles...)
	adminOnly      = may(ordi.Administer)
	workshop       = may(ordi.ManageInventory) // donors, donations, units: write
	unitsRead      = may(ordi.ReadUnits)       // units: read, scan, print labels
	households     = may(ordi.ReadHouseholds)
	nominate       = may(ordi.NominateHouseholds)
	allocate       = may(ordi.Allocate)
	courses        = may(ordi.RunCourses)
	handover       = may(ordi.HandOver)
	donorDocuments = may(ordi.IssueDonorCertificates)
	reportsRead    = may(ordi.ReadReports) // the Bilan and its exports
	intake         = may(ordi.Intake)      // workshop, and the workbench's token: create units, attach reports, record erasures
	// unitOrPublic is the unit page's rule: those who read units, and
	// anybody without a session when the unit is handed over.
	unitOrPublic = access{roles: ordi.ReadUnits.Roles(), anonymous: true}
)

const userKey = "ordi.user"

func userOf(c *gin.Context) (account.User, bool) {
	v, ok := c.Get(userKey)
	if !ok {
		return account.User{}, false
	}
	u, ok := v.(account.User)
	return u, ok
}

// actor is the signed-in user of a request that passed authorize.
func actor(c *gin.Context) ordi.Actor {
	u, _ := userOf(c)
	return u.Actor()
}

const sessionUserID = "user_id"

// authenticate finds the caller: a bearer token for the API, otherwise the
// session cookie. It returns false when there is none or it is no longer
// valid (revoked token, deactivated account).
func (s *Server) authenticate(c *gin.Context) (account.User, error) {
	if u, ok := userOf(c); ok {
		return u, nil
	}
	ctx := c.Request.Context()
	if h := c.GetHeader("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || !isAPI(c.Request) {
			return account.User{}, ordi.Errorf(ordi.Unauthorized, "En-tête Authorization invalide : utilisez « Bearer <jeton> ».")
		}
		u, err := s.cfg.Accounts.UserByToken(ctx, strings.TrimSpace(token))
		if err != nil {
			return account.User{}, err
		}
		c.Set(userKey, u)
		return u, nil
	}
	id := s.sessions.GetInt64(ctx, sessionUserID)
	if id == 0 {
		return account.User{}, ordi.Errorf(ordi.Unauthorized, "Connectez-vous pour continuer.")
	}
	// Checked against the database on every request: a deactivated account,
	// or one whose credentials were ended since (new password, new role,
	// "log out everywhere"), loses this session here, on every instance.
	u, err := s.cfg.Accounts.SessionUser(ctx, id, s.sessions.GetInt64(ctx, sessionEpoch))
	if errors.Is(err, ordi.Unauthorized) {
		s.sessions.Destroy(ctx)
		return account.User{}, err
	}
	if err != nil {
		return account.User{}, err
	}
	c.Set(userKey, u)
	return u, nil
}

// authorize enforces a route's access rule before its handler runs.
func (s *Server) authorize(r route) gin.HandlerFunc {
	return func(c *gin.Context) {
		if r.allow.public {
			c.Next()
			return
		}
		u, err := s.authenticate(c)
		if err != nil && r.allow.anonymous && errors.Is(err, ordi.Unauthorized) && !isAPI(c.Request) {
			c.Set(anonymousKey, err)
			c.Next()
			return
		}
		if err != nil {
			if errors.Is(err, ordi.Unauthorized) && !isAPI(c.Request) {
				s.noteEndedSession(c)
			}
			s.fail(c, err)
			return
		}
		if !r.allow.allows(u.Role) {
			s.fail(c, ordi.Errorf(ordi.Forbidden, "Votre rôle (%s) ne permet pas cette action.", u.Role.Label()))
			return
		}
		c.Next()
	}
}

const anonymousKey = "ordi.anonymous"

// refuseAnonymous answers a caller without credentials whom an anonymous
// route has nothing to show: exactly as a route for signed-in users would
// (the login page), so that the answer discloses nothing more.
func (s *Server) refuseAnonymous(c *gin.Context) error {
	err, _ := c.Get(anonymousKey)
	s.noteEndedSession(c)
	if e, ok := err.(error); ok {
		return e
	}
	return ordi.Errorf(ordi.Unauthorized, "Connectez-vous pour continuer.")
}

// redirectToLogin sends a browser to the login page, to come back here after.
func redirectToLogin(c *gin.Context) {
	next := c.Request.URL.RequestURI()
	target := "/login"
	if c.Request.Method == http.MethodGet && next != "/" {
		target += "?next=" + url.QueryEscape(next)
	}
	if c.GetHeader("HX-Request") == "true" {
		c.Header("HX-Redirect", target)
		c.Status(http.StatusUnauthorized)
	} else {
		c.Redirect(http.StatusSeeOther, target)
	}
	c.Abort()
}

// safeNext keeps a post-login destination only when it is a path on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}
