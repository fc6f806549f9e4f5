package web

import (
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/certificates"
)

type handoverInput struct {
	SignatoryName string   `json:"signatory_name"`
	SignaturePNG  string   `json:"signature_png"` // base64, or a data: URL
	Accessories   []string `json:"accessories"`
	Place         string   `json:"place"`
}

// signatureBytes decodes a base64 signature; "" means none (sign on paper).
func signatureBytes(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if rest, ok := strings.CutPrefix(s, "data:"); ok {
		mediaType, data, ok := strings.Cut(rest, ",")
		if !ok || !strings.HasPrefix(mediaType, "image/png") {
			return nil, &ordi.Error{Kind: ordi.Invalid, Message: "La signature doit être une image PNG.", Fields: []ordi.FieldError{{Field: "signature_png", Message: "image PNG attendue"}}}
		}
		s = data
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, &ordi.Error{Kind: ordi.Invalid, Message: "Signature illisible (base64 attendu).", Fields: []ordi.FieldError{{Field: "signature_png", Message: "base64 attendu"}}}
	}
	return b, nil
}

type certificateRef struct {
	Number string `json:"certificate_number"`
	PDFURL string `json:"pdf_url"`
}

func pdfURL(number string) string { return "/api/v1/certificates/" + number + ".pdf" }

func (s *Server) handleAPIHandover(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in handoverInput
	if err := decodeJSON(c, &in, maxHandoverBody); err != nil {
		return err
	}
	sig, err := signatureBytes(in.SignaturePNG)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	cert, err := limited(ctx, s.expensive, func() (certificates.Certificate, error) {
		return s.cfg.Certificates.Handover(ctx, actor(c), id, certificates.HandoverInput{
			SignatoryName: in.SignatoryName, Signature: sig, Accessories: in.Accessories, Place: in.Place})
	})
	if err != nil {
		return err
	}
	s.warnPending(c, cert)
	c.JSON(http.StatusCreated, certificateRef{Number: cert.Number, PDFURL: pdfURL(cert.Number)})
	return nil
}

func (s *Server) handleAPIDonorCertificate(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if c.Request.ContentLength != 0 {
		var in struct{}
		if err := decodeJSON(c, &in, maxJSONBody); err != nil {
			return err
		}
	}
	ctx := c.Request.Context()
	cert, err := limited(ctx, s.expensive, func() (certificates.Certificate, error) {
		return s.cfg.Certificates.IssueDonorCertificate(ctx, actor(c), id)
	})
	if err != nil {
		return err
	}
	s.warnPending(c, cert)
	c.JSON(http.StatusCreated, certificateRef{Number: cert.Number, PDFURL: pdfURL(cert.Number)})
	return nil
}

// handleAPICertificate answers a certificate's metadata, or with a ".pdf"
// suffix its frozen bytes.
func (s *Server) handleAPICertificate(c *gin.Context) error {
	number, wantPDF := strings.CutSuffix(c.Param("number"), ".pdf")
	cert, err := s.cfg.Certificates.Certificate(c.Request.Context(), actor(c), number)
	if err != nil {
		return err
	}
	if wantPDF {
		c.Header("ETag", `"`+cert.SHA256+`"`)
		sendPDF(c, cert.Number+".pdf", cert.PDF)
		return nil
	}
	c.JSON(http.StatusOK, gin.H{
		"number": cert.Number, "kind": cert.Kind, "issued_at": cert.IssuedAt, "issued_by": cert.IssuedByName, "sha256": cert.SHA256,
		"superseded_by": cert.SupersededBy, "pdf_url": pdfURL(cert.Number), "verify_url": s.cfg.Certificates.VerifyURL(cert.Number),
	})
	return nil
}

// warnPending logs a certificate whose PDF could not be rendered after its
// commit: the change stands, and its first download renders it again.
func (s *Server) warnPending(c *gin.Context, cert certificates.Certificate) {
	if cert.Pending() {
		s.log.WarnContext(c.Request.Context(), "certificate issued, its PDF will be rendered at its first download", append(logAttrs(c), "number", cert.Number)...)
	}
}

func (s *Server) handleAPICertificateList(c *gin.Context) error {
	limit, before, err := listParams(c)
	if err != nil {
		return err
	}
	donation, err := queryID(c, "donation_id")
	if err != nil {
		return err
	}
	kind := certificates.Kind(c.Query("kind"))
	if kind != "" && kind != certificates.KindDonor && kind != certificates.KindHandover {
		var v ordi.Validation
		v.Add("kind", "Type inconnu : handover ou donor.")
		return v.Err()
	}
	items, err := s.cfg.Certificates.Certificates(c.Request.Context(), actor(c), certificates.CertificateFilter{Kind: kind, DonationID: donation, Before: before, Limit: limit + 1})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, paginate(items, limit, func(x certificates.Certificate) string { return ordi.IDCursor(x.ID) }))
	return nil
}
