package web

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/certificates"
)

type verifyPage struct {
	basePage
	View   certificates.PublicView
	Number string // the number asked for, as typed
	Error  string // why a typed number cannot be a certificate's
	Asked  bool   // a number was asked for (false: the empty form)
}

// certificateNumberRE is how a certificate number is printed.
var certificateNumberRE = regexp.MustCompile(`^(REM|DON)-[0-9]{4}-[0-9]{4,}$`)

// badNumberMessage says how a certificate number is written.
const badNumberMessage = "Ce n'est pas un numéro de certificat : il s'écrit REM-AAAA-NNNN pour une attestation de remise, DON-AAAA-NNNN pour un certificat de don (par exemple REM-2026-0042)."

// maxTypedNumber bounds what the verification box reads back.
const maxTypedNumber = 40

// typedCertificateNumber reads a number typed from paper: case, spaces
// around and inside it, and dashes typed as spaces or as typographic dashes
// do not matter ("rem 2026 0042", "REM–2026–0042"). It returns "" when what
// remains is not a certificate number.
func typedCertificateNumber(s string) string {
	if len(s) > maxTypedNumber {
		return ""
	}
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00A0', '\u202F', '\t', '_', '–', '—', '‐', '‑', '−':
			return '-'
		}
		return r
	}, s)
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "-")
	}
	if !certificateNumberRE.MatchString(s) {
		return ""
	}
	return s
}

// handleVerifyForm is the public box where anybody types the number printed
// on a certificate: a valid number leads to its verification page, anything
// else is shown again with what a number looks like (422).
func (s *Server) handleVerifyForm(c *gin.Context) error {
	typed, asked := c.GetQuery("number")
	p := verifyPage{basePage: s.base(c, "Vérifier un certificat"), Number: typed, Asked: asked}
	if !asked {
		s.render(c, http.StatusOK, "verify", &p)
		return nil
	}
	if len(typed) > maxTypedNumber {
		p.Number = "" // not echoed whole
	}
	number := typedCertificateNumber(typed)
	if number == "" {
		p.Error = badNumberMessage
		if strings.TrimSpace(typed) == "" {
			p.Error = "Tapez le numéro imprimé en haut du certificat (par exemple REM-2026-0042)."
		}
		s.render(c, http.StatusUnprocessableEntity, "verify", &p)
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/verify/"+url.PathEscape(number))
	return nil
}

// handleVerifyPage is the public verification page: no login, nothing
// personal.
func (s *Server) handleVerifyPage(c *gin.Context) error {
	number := c.Param("number")
	v, err := s.cfg.Certificates.Verify(c.Request.Context(), number)
	if errors.Is(err, ordi.NotFound) {
		p := verifyPage{basePage: s.base(c, "Certificat inconnu"), Number: number, Asked: true}
		s.render(c, http.StatusNotFound, "verify", &p)
		return nil
	}
	if err != nil {
		return err
	}
	p := verifyPage{basePage: s.base(c, "Vérification du certificat "+v.Number), View: v, Number: v.Number, Asked: true}
	s.render(c, http.StatusOK, "verify", &p)
	return nil
}
