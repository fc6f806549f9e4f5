package web

import (
	"crypto/subtle"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
)

func (s *Server) handleHealth(c *gin.Context) error {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
	return nil
}

func (s *Server) handleMetrics(c *gin.Context) error {
	promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}).ServeHTTP(c.Writer, c.Request)
	return nil
}

type loginPage struct {
	basePage
	// Notice says why login is asked (a session that ended).
	Notice string
	Email  string
	Next   string
	Error  string
	Setup  bool // the installation has no account yet
	Forgot bool // mail is configured: "mot de passe oublié" sends a link
}

func (s *Server) handleLoginPage(c *gin.Context) error {
	if _, err := s.authenticate(c); err == nil {
		return seeOther(c, safeNext(c.Query("next")))
	}
	p := loginPage{basePage: s.base(c, "Connexion"), Next: safeNext(c.Query("next"))}
	notice, next := s.loginNotice(c)
	p.Notice = notice
	if next != "" && c.Query("next") == "" {
		p.Next = next
	}
	need, err := s.cfg.Accounts.NeedsSetup(c.Request.Context())
	if err != nil {
		return err
	}
	p.Setup, p.Forgot = need, s.cfg.MailConfigured
	s.render(c, http.StatusOK, "login", &p)
	return nil
}

func (s *Server) handleLogin(c *gin.Context) error {
	ctx := c.Request.Context()
	email, next := c.PostForm("email"), safeNext(c.PostForm("next"))
	u, err := s.cfg.Accounts.Authenticate(ctx, email, c.PostForm("password"), c.ClientIP())
	if err != nil {
		kind := ordi.KindOf(err)
		if kind != ordi.Unauthorized && kind != ordi.RateLimited {
			return err
		}
		// Past the limits (429) the answer says when to come back.
		setRetryAfter(c.Writer.Header(), problemOf(err))
		p := loginPage{basePage: s.base(c, "Connexion"), Email: email, Next: next, Error: ordi.MessageOf(err), Forgot: s.cfg.MailConfigured}
		p.Notice, _ = s.loginNotice(c)
		s.render(c, statusOf[kind], "login", &p)
		return nil
	}
	if err := s.signIn(c, u); err != nil {
		return err
	}
	if s.keepPendingFor(c, u.ID) {
		s.flash(c, "Ce que vous aviez saisi avant la fin de votre session est remis dans le formulaire : vérifiez-le, puis envoyez-le de nouveau.")
	}
	return seeOther(c, next)
}

// sessionEpoch keeps the account's epoch at sign-in in the session; a
// session whose epoch is no longer the account's is over
// (account.Service.SessionUser).
const sessionEpoch = "epoch"

// signIn starts a fresh session for u: a new session id (no fixation).
func (s *Server) signIn(c *gin.Context, u account.User) error {
	ctx := c.Request.Context()
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, sessionUserID, u.ID)
	s.sessions.Put(ctx, sessionEpoch, u.SessionEpoch)
	c.Set(userKey, u)
	return nil
}

func (s *Server) handleLogout(c *gin.Context) error {
	ctx := c.Request.Context()
	if err := s.sessions.Destroy(ctx); err != nil {
		return err
	}
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.flash(c, "Vous êtes déconnecté. À bientôt !")
	return seeOther(c, "/login")
}

type setupPage struct {
	basePage
	Token  string
	Name   string
	Email  string
	Fields []ordi.FieldError
}

// setupOpen reports whether token opens the first-run setup: it must match
// the one-time secret printed at start-up, and no account may exist yet.
func (s *Server) setupOpen(c *gin.Context, token string) (bool, error) {
	s.setupMu.Lock()
	secret := s.setupToken
	s.setupMu.Unlock()
	if secret == "" || subtle.ConstantTimeCompare([]byte(secret), []byte(token)) != 1 {
		return false, nil
	}
	need, err := s.cfg.Accounts.NeedsSetup(c.Request.Context())
	if err != nil || !need {
		return false, err
	}
	return true, nil
}

func (s *Server) handleSetupPage(c *gin.Context) error {
	token := c.Param("token")
	open, err := s.setupOpen(c, token)
	if err != nil {
		return err
	}
	if !open {
		return ordi.Errorf(ordi.NotFound, "Ce lien d'installation n'est plus valable. Connectez-vous avec votre compte.")
	}
	p := setupPage{basePage: s.base(c, "Installation d'Ordi"), Token: token}
	s.render(c, http.StatusOK, "setup", &p)
	return nil
}

func (s *Server) handleSetup(c *gin.Context) error {
	token := c.Param("token")
	open, err := s.setupOpen(c, token)
	if err != nil {
		return err
	}
	if !open {
		return ordi.Errorf(ordi.NotFound, "Ce lien d'installation n'est plus valable. Connectez-vous avec votre compte.")
	}
	in := account.NewUser{Email: c.PostForm("email"), Name: c.PostForm("name"), Password: c.PostForm("password")}
	var fields []ordi.FieldError
	if in.Password != c.PostForm("password_confirm") {
		fields = append(fields, ordi.FieldError{Field: "password_confirm", Message: "Les deux mots de passe ne sont pas identiques."})
	}
	var u account.User
	if len(fields) == 0 {
		u, err = s.cfg.Accounts.CreateFirstAdmin(c.Request.Context(), in)
		var e *ordi.Error
		if errors.As(err, &e) && e.Kind == ordi.Invalid {
			fields, err = e.Fields, nil
		}
		if err != nil {
			return err
		}
	}
	if len(fields) > 0 {
		p := setupPage{basePage: s.base(c, "Installation d'Ordi"), Token: token, Name: in.Name, Email: in.Email, Fields: fields}
		s.render(c, http.StatusUnprocessableEntity, "setup", &p)
		return nil
	}
	s.setupMu.Lock()
	s.setupToken = ""
	s.setupMu.Unlock()
	if err := s.signIn(c, u); err != nil {
		return err
	}
	s.flash(c, "Bienvenue ! Votre compte administrateur est créé. Ajoutez maintenant les comptes de votre équipe.")
	return seeOther(c, "/")
}
