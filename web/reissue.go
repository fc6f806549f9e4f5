package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/certificates"
)

// reissueInput is the body of POST /api/v1/certificates/{number}/reissue:
// the corrected handover, signed again, and what the correction is.
type reissueInput struct {
	handoverInput
	Reason string `json:"reason"`
}

func (s *Server) handleAPICertificateReissue(c *gin.Context) error {
	var in reissueInput
	if err := decodeJSON(c, &in, maxHandoverBody); err != nil {
		return err
	}
	sig, err := signatureBytes(in.SignaturePNG)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	cert, err := limited(ctx, s.expensive, func() (certificates.Certificate, error) {
		return s.cfg.Certificates.ReissueHandover(ctx, actor(c), c.Param("number"), certificates.HandoverInput{
			SignatoryName: in.SignatoryName, Signature: sig, Accessories: in.Accessories, Place: in.Place}, in.Reason)
	})
	if err != nil {
		return err
	}
	s.warnPending(c, cert)
	c.JSON(http.StatusCreated, certificateRef{Number: cert.Number, PDFURL: pdfURL(cert.Number)})
	return nil
}

// correctPage is the form that corrects a handover attestation: the
// handover page's form, filled with what the attestation says, plus the
// reason; the family signs again.
type correctPage struct {
	handoverPage
	Number string
}

// correctionTarget loads the attestation to correct and its reservation.
func (s *Server) correctionTarget(c *gin.Context) (certificates.Certificate, allocation.ReservationView, error) {
	cert, err := s.cfg.Certificates.Certificate(c.Request.Context(), actor(c), c.Param("number"))
	if err != nil {
		return certificates.Certificate{}, allocation.ReservationView{}, err
	}
	if cert.Kind != certificates.KindHandover || cert.ReservationID == nil {
		return certificates.Certificate{}, allocation.ReservationView{}, ordi.Errorf(ordi.NotFound, "Seule une attestation de remise se corrige ici.")
	}
	if cert.SupersededBy != nil {
		return certificates.Certificate{}, allocation.ReservationView{}, ordi.Errorf(ordi.Conflict, "L'attestation %s a déjà été remplacée par %s.", cert.Number, *cert.SupersededBy)
	}
	r, err := s.cfg.Allocation.Reservation(c.Request.Context(), actor(c), *cert.ReservationID)
	return cert, r, err
}

func (s *Server) handleCertificateCorrectPage(c *gin.Context) error {
	cert, r, err := s.correctionTarget(c)
	if err != nil {
		return err
	}
	var was struct {
		Signatory   string   `json:"signatory"`
		Accessories []string `json:"accessories"`
	}
	_ = json.Unmarshal([]byte(cert.Details), &was) // older rows may hold less
	p := correctPage{Number: cert.Number, handoverPage: handoverPage{basePage: s.base(c, "Corriger "+cert.Number), Reservation: r,
		Accessories: accessoryChoices, Form: map[string]string{"signatory_name": was.Signatory}, Checked: map[string]bool{}}}
	if p.Terms, err = s.handoverTerms(c); err != nil {
		return err
	}
	var others []string
	for _, a := range was.Accessories {
		p.Checked[a] = true
		if !slices.Contains(accessoryChoices, a) {
			others = append(others, a)
		}
	}
	p.Form["other"] = strings.Join(others, ", ")
	s.render(c, http.StatusOK, "certificate_correct", &p)
	return nil
}

func (s *Server) handleCertificateCorrect(c *gin.Context) error {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxHandoverBody)
	if err := c.Request.ParseForm(); err != nil {
		return ordi.Errorf(ordi.TooLarge, "La signature est trop lourde.")
	}
	form := c.Request.PostForm
	in := certificates.HandoverInput{SignatoryName: form.Get("signatory_name"), Accessories: append([]string(nil), form["accessories"]...)}
	if other := strings.TrimSpace(form.Get("other")); other != "" {
		in.Accessories = append(in.Accessories, other)
	}
	var err error
	if form.Get("paper") != "on" {
		if in.Signature, err = signatureBytes(form.Get("signature_png")); err == nil && in.Signature == nil {
			err = &ordi.Error{Kind: ordi.Invalid, Message: "Faites signer la famille dans le cadre, ou cochez « signer sur papier ».",
				Fields: []ordi.FieldError{{Field: "signature_png", Message: "Signature manquante."}}}
		}
	}
	var cert certificates.Certificate
	if err == nil {
		ctx := c.Request.Context()
		cert, err = limited(ctx, s.expensive, func() (certificates.Certificate, error) {
			return s.cfg.Certificates.ReissueHandover(ctx, actor(c), c.Param("number"), in, form.Get("reason"))
		})
	}
	if err != nil {
		kind := ordi.KindOf(err)
		if kind != ordi.Invalid && kind != ordi.Conflict && kind != ordi.Unavailable {
			return err
		}
		old, r, terr := s.correctionTarget(c)
		if terr != nil {
			return terr
		}
		p := correctPage{Number: old.Number, handoverPage: handoverPage{basePage: s.base(c, "Corriger "+old.Number), Reservation: r,
			Accessories: accessoryChoices, Form: map[string]string{"signatory_name": form.Get("signatory_name"), "other": form.Get("other"), "reason": form.Get("reason")},
			Checked: map[string]bool{}}}
		if p.Terms, terr = s.handoverTerms(c); terr != nil {
			return terr
		}
		for _, a := range form["accessories"] {
			p.Checked[a] = true
		}
		p.Fields, _ = invalidFields(err)
		if kind != ordi.Invalid {
			p.Fields = []ordi.FieldError{{Message: ordi.MessageOf(err)}}
		}
		setRetryAfter(c.Writer.Header(), problemOf(err))
		s.render(c, statusOf[kind], "certificate_correct", &p)
		return nil
	}
	s.warnPending(c, cert)
	s.flash(c, "Attestation corrigée : "+cert.Number+" remplace "+c.Param("number")+". Imprimez-la en deux exemplaires.")
	return seeOther(c, "/handovers/done/"+cert.Number)
}
