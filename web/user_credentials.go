package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
)

// An account's credentials on its administration page and in the API: its
// API tokens (issue, list, revoke) and "log out everywhere".

// tokenRow is a token as the user page lists it.
type tokenRow struct {
	account.Token
	Status account.TokenStatus
}

func (s *Server) tokenRows(c *gin.Context, userID int64) ([]tokenRow, error) {
	tokens, err := s.cfg.Accounts.Tokens(c.Request.Context(), actor(c), userID)
	if err != nil {
		return nil, err
	}
	rows := make([]tokenRow, len(tokens))
	now := s.now()
	for i, t := range tokens {
		rows[i] = tokenRow{Token: t, Status: t.Status(now)}
	}
	return rows, nil
}

type tokenCreatedPage struct {
	basePage
	UserID int64
	Owner  string
	Token  account.IssuedToken
}

// handleUserTokenCreate issues a token and shows it, once: the page is not a
// redirect, since the secret must never be stored, not even in a flash.
func (s *Server) handleUserTokenCreate(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	in := account.NewToken{UserID: id, Name: c.PostForm("name")}
	var fields []ordi.FieldError
	if v := strings.TrimSpace(c.PostForm("expires_on")); v != "" {
		day, err := ordi.ParseDate(v)
		if err != nil {
			fields = append(fields, ordi.FieldError{Field: "expires_on", Message: "Date invalide (jj/mm/aaaa)."})
		} else {
			// Valid through the chosen day, in Paris.
			end := time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, ordi.Paris)
			in.ExpiresAt = &end
		}
	}
	var t account.IssuedToken
	if len(fields) == 0 {
		t, err = s.cfg.Accounts.IssueToken(c.Request.Context(), actor(c), in)
		if fields, err = invalidFields(err); err != nil {
			return err
		}
	}
	if len(fields) > 0 {
		for i, f := range fields {
			if f.Field == "expires_at" {
				fields[i].Field = "expires_on"
			}
		}
		p, err := s.userEditPage(c, id)
		if err != nil {
			return err
		}
		p.Fields, p.TokenName, p.TokenExpiresOn = fields, in.Name, c.PostForm("expires_on")
		s.render(c, http.StatusUnprocessableEntity, "user_form", p)
		return nil
	}
	owner, err := s.cfg.Accounts.User(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	p := tokenCreatedPage{basePage: s.base(c, "Nouveau jeton d'API"), UserID: id, Owner: owner.Name, Token: t}
	s.render(c, http.StatusCreated, "token_created", &p)
	return nil
}

func (s *Server) handleTokenRevoke(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	t, err := s.cfg.Accounts.RevokeToken(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	s.flash(c, "Le jeton « "+t.Name+" » est révoqué : il n'ouvre plus l'API.")
	return seeOther(c, "/admin/users/"+strconv.FormatInt(t.UserID, 10))
}

func (s *Server) handleUserSignOut(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	revoked, err := s.cfg.Accounts.SignOutEverywhere(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	if id == actor(c).UserID {
		// Signing oneself out everywhere includes here.
		return seeOther(c, "/login")
	}
	msg := "Toutes les sessions de ce compte sont fermées"
	switch revoked {
	case 0:
		msg += "."
	case 1:
		msg += " et son jeton d'API est révoqué."
	default:
		msg += " et ses " + strconv.FormatInt(revoked, 10) + " jetons d'API sont révoqués."
	}
	s.flash(c, msg)
	return seeOther(c, "/admin/users/"+strconv.FormatInt(id, 10))
}

// apiToken is a token in the API: its record and status; the secret only
// when just issued.
type apiToken struct {
	account.Token
	Status account.TokenStatus `json:"status"`
	Secret string              `json:"token,omitempty"`
}

func (s *Server) handleAPIUserTokens(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	rows, err := s.tokenRows(c, id)
	if err != nil {
		return err
	}
	items := make([]apiToken, len(rows))
	for i, r := range rows {
		items[i] = apiToken{Token: r.Token, Status: r.Status}
	}
	c.JSON(http.StatusOK, list[apiToken]{Items: items})
	return nil
}

func (s *Server) handleAPIUserTokenCreate(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in struct {
		Name      string     `json:"name"`
		ExpiresAt *time.Time `json:"expires_at"`
	}
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	t, err := s.cfg.Accounts.IssueToken(c.Request.Context(), actor(c), account.NewToken{UserID: id, Name: in.Name, ExpiresAt: in.ExpiresAt})
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, apiToken{Token: t.Token, Status: t.Status(s.now()), Secret: t.Secret})
	return nil
}

func (s *Server) handleAPITokenRevoke(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	t, err := s.cfg.Accounts.RevokeToken(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, apiToken{Token: t, Status: t.Status(s.now())})
	return nil
}

func (s *Server) handleAPIUserSignOut(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	revoked, err := s.cfg.Accounts.SignOutEverywhere(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"revoked_tokens": revoked})
	return nil
}
