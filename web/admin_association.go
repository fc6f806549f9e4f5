package web

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/certificates"
)

type associationPage struct {
	basePage
	Issuer certificates.Issuer
	Fields []ordi.FieldError
}

func (s *Server) handleAssociationPage(c *gin.Context) error {
	i, err := s.cfg.Certificates.Issuer(c.Request.Context())
	if err != nil {
		return err
	}
	p := associationPage{basePage: s.base(c, "Identité de l'association"), Issuer: i}
	s.render(c, http.StatusOK, "association", &p)
	return nil
}

func (s *Server) handleAssociationUpdate(c *gin.Context) error {
	ctx := c.Request.Context()
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, certificates.MaxLogoBytes+64<<10)
	current, err := s.cfg.Certificates.Issuer(ctx)
	if err != nil {
		return err
	}
	var fields []ordi.FieldError
	months, convErr := strconv.Atoi(strings.TrimSpace(c.PostForm("warranty_months")))
	if convErr != nil {
		fields = append(fields, ordi.FieldError{Field: "warranty_months", Message: "Nombre de mois attendu."})
	}
	i := certificates.Issuer{Name: c.PostForm("name"), SIRET: c.PostForm("siret"), Address: c.PostForm("address"), Phone: c.PostForm("phone"),
		Email: c.PostForm("email"), Website: c.PostForm("website"), WarrantyMonths: months, Logo: current.Logo}
	if c.PostForm("remove_logo") == "on" {
		i.Logo = nil
	}
	if file, _, ferr := c.Request.FormFile("logo"); ferr == nil {
		b, rerr := io.ReadAll(io.LimitReader(file, certificates.MaxLogoBytes+1))
		file.Close()
		if rerr != nil {
			return ordi.Errorf(ordi.TooLarge, "Le logo dépasse %d Ko.", certificates.MaxLogoBytes>>10)
		}
		if len(b) > 0 { // an empty file is no file: the logo stays
			i.Logo = b
		}
	}
	if len(fields) == 0 {
		_, err = s.cfg.Certificates.SetIssuer(ctx, actor(c), i)
		if fields, err = invalidFields(err); err != nil {
			return err
		}
	} else {
		// Every error in one round: the domain's too, for the fields read.
		check := i
		domain, _ := invalidFields(check.Validate())
		fields = mergeFields(fields, domain)
	}
	if len(fields) > 0 {
		i.Logo = current.Logo // the page shows the logo the association still has, not the refused one
		p := associationPage{basePage: s.base(c, "Identité de l'association"), Issuer: i, Fields: fields}
		s.render(c, http.StatusUnprocessableEntity, "association", &p)
		return nil
	}
	s.flash(c, "Identité de l'association enregistrée : elle figure désormais sur les étiquettes et les certificats.")
	return seeOther(c, "/admin/association")
}
