package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/certificates"
)

// maxHandoverBody allows a 1 MB signature in base64 and the rest.
const maxHandoverBody = 2 << 20

func (s *Server) handleDonationReceipt(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	pdf, err := limited(ctx, s.expensive, func() ([]byte, error) { return s.cfg.Certificates.Receipt(ctx, actor(c), id) })
	if err != nil {
		return err
	}
	sendPDF(c, "bon-de-prise-en-charge-"+strconv.FormatInt(id, 10)+".pdf", pdf)
	return nil
}

func (s *Server) handleCourseSheet(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	pdf, err := limited(ctx, s.expensive, func() ([]byte, error) { return s.cfg.Certificates.AttendanceSheet(ctx, actor(c), id) })
	if err != nil {
		return err
	}
	sendPDF(c, "emargement-"+strconv.FormatInt(id, 10)+".pdf", pdf)
	return nil
}

// accessoryChoices are the accessories the desk offers as checkboxes.
var accessoryChoices = []string{"Chargeur / câble secteur", "Souris", "Clavier", "Sacoche", "Câble réseau", "Casque ou écouteurs"}

type certificatesPage struct {
	basePage
	Certificates []certificates.Certificate
	Next         string
	// CanCorrect: the viewer may correct an attestation (staff).
	CanCorrect bool
	// OnlyHandovers: the desk's list, the handover attestations it may
	// print again (volunteers).
	OnlyHandovers bool
}

func (s *Server) handleCertificatesPage(c *gin.Context) error {
	before, err := ordi.CursorID(c.Query("cursor"))
	if err != nil {
		return err
	}
	// The desk (volunteers) gets the handover attestations it may print
	// again; staff every certificate.
	list := s.cfg.Certificates.Certificates
	if !actor(c).Can(ordi.IssueDonorCertificates) {
		list = s.cfg.Certificates.HandoverAttestations
	}
	items, err := list(c.Request.Context(), actor(c), certificates.CertificateFilter{Before: before, Limit: ordi.DefaultLimit + 1})
	if err != nil {
		return err
	}
	page := paginate(items, ordi.DefaultLimit, func(x certificates.Certificate) string { return ordi.IDCursor(x.ID) })
	p := certificatesPage{basePage: s.base(c, "Certificats"), Certificates: page.Items, Next: page.NextCursor,
		CanCorrect: actor(c).Can(ordi.Allocate), OnlyHandovers: !actor(c).Can(ordi.IssueDonorCertificates)}
	s.render(c, http.StatusOK, "certificates", &p)
	return nil
}

// handleDonationCertificate issues a donor certificate from the donation
// page; while units are pending it lists them there.
func (s *Server) handleDonationCertificate(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	cert, err := limited(ctx, s.expensive, func() (certificates.Certificate, error) {
		return s.cfg.Certificates.IssueDonorCertificate(ctx, actor(c), id)
	})
	if err != nil {
		var e *ordi.Error
		if !errors.As(err, &e) || e.Kind != ordi.Conflict {
			return err
		}
		p, perr := s.donationPage(c, id)
		if perr != nil {
			return perr
		}
		p.CertificateError = e.Message
		p.Pending, _ = e.Extra["pending"].([]string)
		s.render(c, http.StatusConflict, "donation", p)
		return nil
	}
	s.warnPending(c, cert)
	s.flash(c, "Certificat "+cert.Number+" émis : téléchargez-le et envoyez-le au donateur.")
	return seeOther(c, "/donations/"+strconv.FormatInt(id, 10)+"#certificat")
}
