package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/notify"
	"github.com/ordi-app/ordi/outbox"
)

// passwordForgotPage asks for the address of a password reset.
type passwordForgotPage struct {
	basePage
	Sent  bool // the request was made: the same answer for any address
	Email string
}

func (s *Server) mailOff() error {
	return ordi.Errorf(ordi.NotFound, "L'envoi d'e-mails n'est pas configuré : demandez à un administrateur de votre association de changer votre mot de passe.")
}

func (s *Server) handlePasswordForgotPage(c *gin.Context) error {
	if !s.cfg.MailConfigured {
		return s.mailOff()
	}
	p := passwordForgotPage{basePage: s.base(c, "Mot de passe oublié")}
	s.render(c, http.StatusOK, "password_forgot", &p)
	return nil
}

// handlePasswordForgot answers the same whether or not the address is an
// account's, and whether or not it asked too often (account.RequestReset).
func (s *Server) handlePasswordForgot(c *gin.Context) error {
	if !s.cfg.MailConfigured {
		return s.mailOff()
	}
	email := strings.TrimSpace(c.PostForm("email"))
	if err := s.cfg.Accounts.RequestReset(c.Request.Context(), email); err != nil {
		return err
	}
	p := passwordForgotPage{basePage: s.base(c, "Mot de passe oublié"), Sent: true, Email: email}
	s.render(c, http.StatusOK, "password_forgot", &p)
	return nil
}

// passwordLinkPage sets a password from an invitation or reset link.
type passwordLinkPage struct {
	basePage
	Token      string
	Invitation bool
	Name       string
	Fields     []ordi.FieldError
}

func (s *Server) handlePasswordLinkPage(c *gin.Context) error {
	token := c.Param("token")
	purpose, u, err := s.cfg.Accounts.LinkPurpose(c.Request.Context(), token)
	if err != nil {
		return err
	}
	title := "Nouveau mot de passe"
	if purpose == "invitation" {
		title = "Bienvenue dans Ordi"
	}
	p := passwordLinkPage{basePage: s.base(c, title), Token: token, Invitation: purpose == "invitation", Name: u.Name}
	c.Header("Referrer-Policy", "no-referrer")
	s.render(c, http.StatusOK, "password_link", &p)
	return nil
}

func (s *Server) handlePasswordLink(c *gin.Context) error {
	token := c.Param("token")
	ctx := c.Request.Context()
	purpose, u, err := s.cfg.Accounts.LinkPurpose(ctx, token)
	if err != nil {
		return err
	}
	password := c.PostForm("password")
	var fields []ordi.FieldError
	if password != c.PostForm("password_confirm") {
		fields = append(fields, ordi.FieldError{Field: "password_confirm", Message: "Les deux mots de passe ne sont pas identiques."})
	} else if _, err := s.cfg.Accounts.UseLink(ctx, token, password); err != nil {
		var e *ordi.Error
		if !errors.As(err, &e) || e.Kind != ordi.Invalid {
			return err
		}
		fields = e.Fields
	}
	if len(fields) > 0 {
		p := passwordLinkPage{basePage: s.base(c, "Nouveau mot de passe"), Token: token, Invitation: purpose == "invitation", Name: u.Name, Fields: fields}
		s.render(c, http.StatusUnprocessableEntity, "password_link", &p)
		return nil
	}
	s.flash(c, "Votre mot de passe est enregistré : connectez-vous avec lui.")
	return seeOther(c, "/login")
}

// mailPreferencesPage lets a user choose the messages they receive.
type mailPreferencesPage struct {
	basePage
	Preferences []notify.Preference
	Configured  bool
}

func (s *Server) handleMailPreferencesPage(c *gin.Context) error {
	prefs, err := s.cfg.Mail.Preferences(c.Request.Context(), actor(c))
	if err != nil {
		return err
	}
	p := mailPreferencesPage{basePage: s.base(c, "Mes messages"), Preferences: prefs, Configured: s.cfg.MailConfigured}
	s.render(c, http.StatusOK, "mail_preferences", &p)
	return nil
}

func (s *Server) handleMailPreferences(c *gin.Context) error {
	if err := c.Request.ParseForm(); err != nil {
		return ordi.Errorf(ordi.Invalid, "Formulaire illisible.")
	}
	if _, err := s.cfg.Mail.SetPreferences(c.Request.Context(), actor(c), c.Request.PostForm["receive"]); err != nil {
		return err
	}
	s.flash(c, "Vos choix de messages sont enregistrés.")
	return seeOther(c, "/account/mail")
}

// outboxPage is the administrators' view of the outbox.
type outboxPage struct {
	basePage
	notify.Outbox
	Configured bool
	State      string
	States     []outboxState
	From       string
	DigestHour string
	Fields     []ordi.FieldError
}

type outboxState struct {
	Key, Label string
	Count      int64
}

// stateLabel is a message state's French name.
func stateLabel(st string) string {
	switch st {
	case outbox.Pending:
		return "En attente"
	case outbox.Sent:
		return "Envoyé"
	case outbox.Failed:
		return "Échec"
	}
	return st
}

func (s *Server) outboxPage(c *gin.Context) (outboxPage, error) {
	state := c.Query("state")
	o, err := s.cfg.Mail.Outbox(c.Request.Context(), actor(c), state)
	if err != nil {
		return outboxPage{}, err
	}
	p := outboxPage{basePage: s.base(c, "Messages envoyés"), Outbox: o, Configured: s.cfg.MailConfigured, State: state, From: o.Settings.From}
	for _, st := range []string{outbox.Pending, outbox.Sent, outbox.Failed} {
		p.States = append(p.States, outboxState{Key: st, Label: stateLabel(st), Count: o.Counts[st]})
	}
	if o.Settings.DigestHour != nil {
		p.DigestHour = strconv.Itoa(*o.Settings.DigestHour)
	}
	return p, nil
}

func (s *Server) handleOutboxPage(c *gin.Context) error {
	p, err := s.outboxPage(c)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "outbox", &p)
	return nil
}

func (s *Server) handleMailSettings(c *gin.Context) error {
	in := notify.Settings{From: c.PostForm("from")}
	var fields []ordi.FieldError
	if h := strings.TrimSpace(c.PostForm("digest_hour")); h != "" {
		n, err := strconv.Atoi(h)
		if err != nil {
			fields = append(fields, ordi.FieldError{Field: "digest_hour", Message: "L'heure du récapitulatif est un nombre de 0 à 23."})
		}
		in.DigestHour = &n
	}
	if len(fields) == 0 {
		if _, err := s.cfg.Mail.SaveSettings(c.Request.Context(), actor(c), in); err != nil {
			var e *ordi.Error
			if !errors.As(err, &e) || e.Kind != ordi.Invalid {
				return err
			}
			fields = e.Fields
		}
	}
	if len(fields) > 0 {
		p, err := s.outboxPage(c)
		if err != nil {
			return err
		}
		p.From, p.DigestHour, p.Fields = in.From, c.PostForm("digest_hour"), fields
		s.render(c, http.StatusUnprocessableEntity, "outbox", &p)
		return nil
	}
	s.flash(c, "Réglages des messages enregistrés.")
	return seeOther(c, "/admin/mail")
}
