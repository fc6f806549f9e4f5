package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/aftercare"
	"github.com/ordi-app/ordi/certificates"
)

// publicUnitPage is the page a handed-over unit's label leads to at the
// family's home: the association, its help and the warranty, and the
// problem form. Nothing of the family is on it.
type publicUnitPage struct {
	basePage
	Code       string
	Unit       aftercare.PublicUnit
	Settings   aftercare.Settings
	Issuer     certificates.Issuer
	Categories []aftercare.Option[aftercare.Category]
	Form       url.Values
	Fields     []ordi.FieldError
	// FormOnly: the form alone, shown again with its errors (the same
	// page for any code: it says nothing of the unit).
	FormOnly bool
}

// handleUnitPublic answers /u/{code} without a session: the public page of
// a handed-over unit; for any other code, known or not, the login page as
// before.
func (s *Server) handleUnitPublic(c *gin.Context) error {
	ctx := c.Request.Context()
	u, st, err := s.cfg.Aftercare.PublicUnit(ctx, c.Param("code"))
	if errors.Is(err, ordi.NotFound) {
		return s.refuseAnonymous(c)
	}
	if err != nil {
		return err
	}
	issuer, err := s.cfg.Certificates.Issuer(ctx)
	if err != nil {
		return err
	}
	p := publicUnitPage{basePage: s.base(c, "Votre ordinateur"), Code: string(u.Code), Unit: u, Settings: st, Issuer: issuer,
		Categories: aftercare.Categories(), Form: url.Values{}}
	s.render(c, http.StatusOK, "unit_public", &p)
	return nil
}

// handleProblemReport receives the public problem form. Its answers are the
// same for any code (aftercare.Service.Report): the form again with its
// errors (422), the limits' refusal (429), or the same confirmation page.
func (s *Server) handleProblemReport(c *gin.Context) error {
	code := c.Param("code")
	err := s.cfg.Aftercare.Report(c.Request.Context(), aftercare.NewReport{
		Code: code, Category: aftercare.Category(c.PostForm("category")), Description: c.PostForm("description"),
		Phone: c.PostForm("phone"), Consent: c.PostForm("consent") != "", Trap: c.PostForm("website"), Addr: c.ClientIP(),
	})
	if err == nil {
		return seeOther(c, "/signalement-envoye")
	}
	if ordi.KindOf(err) != ordi.Invalid {
		return err
	}
	p := publicUnitPage{basePage: s.base(c, "Signaler un problème"), Code: code, Categories: aftercare.Categories(),
		Form: c.Request.PostForm, FormOnly: true}
	p.Fields, _ = invalidFields(err)
	s.render(c, http.StatusUnprocessableEntity, "unit_public", &p)
	return nil
}

// problemSentPage confirms a report, the same for every code.
type problemSentPage struct {
	basePage
	Issuer certificates.Issuer
}

func (s *Server) handleProblemSent(c *gin.Context) error {
	issuer, err := s.cfg.Certificates.Issuer(c.Request.Context())
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "problem_sent", &problemSentPage{basePage: s.base(c, "Signalement envoyé"), Issuer: issuer})
	return nil
}
