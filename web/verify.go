package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/certificates"
)

type verifyPage struct {
	basePage
	View   certificates.PublicView
	Number string
}

// handleVerifyPage is the public verification page: no login, nothing
// personal.
func (s *Server) handleVerifyPage(c *gin.Context) error {
	number := c.Param("number")
	v, err := s.cfg.Certificates.Verify(c.Request.Context(), number)
	if errors.Is(err, ordi.NotFound) {
		p := verifyPage{basePage: s.base(c, "Certificat inconnu"), Number: number}
		s.render(c, http.StatusNotFound, "verify", &p)
		return nil
	}
	if err != nil {
		return err
	}
	p := verifyPage{basePage: s.base(c, "Vérification du certificat "+v.Number), View: v, Number: v.Number}
	s.render(c, http.StatusOK, "verify", &p)
	return nil
}
