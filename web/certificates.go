package web

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/certificates"
)

// maxHandoverBody allows a 1 MB signature in base64 and the rest.
const maxHandoverBody = 2 << 20

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
	cert, err := s.cfg.Certificates.Handover(c.Request.Context(), actor(c), id, certificates.HandoverInput{
		SignatoryName: in.SignatoryName, Signature: sig, Accessories: in.Accessories, Place: in.Place})
	if err != nil {
		return err
	}
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
	cert, err := s.cfg.Certificates.IssueDonorCertificate(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
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

func (s *Server) handleDonationReceipt(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	pdf, err := s.cfg.Certificates.Receipt(c.Request.Context(), id)
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
	pdf, err := s.cfg.Certificates.AttendanceSheet(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	sendPDF(c, "emargement-"+strconv.FormatInt(id, 10)+".pdf", pdf)
	return nil
}

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

// accessoryChoices are the accessories the desk offers as checkboxes.
var accessoryChoices = []string{"Chargeur / câble secteur", "Souris", "Clavier", "Sacoche", "Câble réseau", "Casque ou écouteurs"}

type handoverPage struct {
	basePage
	Reservation allocation.ReservationView
	Accessories []string
	Form        map[string]string
	Checked     map[string]bool
	Fields      []ordi.FieldError
}

func (s *Server) handleHandoverPage(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	r, err := s.cfg.Allocation.Reservation(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	p := handoverPage{basePage: s.base(c, "Remise "+r.HouseholdReference), Reservation: r, Accessories: accessoryChoices,
		Form: map[string]string{}, Checked: map[string]bool{accessoryChoices[0]: true}}
	s.render(c, http.StatusOK, "handover", &p)
	return nil
}

func (s *Server) handleHandover(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxHandoverBody)
	if err := c.Request.ParseForm(); err != nil {
		return ordi.Errorf(ordi.TooLarge, "La signature est trop lourde.")
	}
	form := c.Request.PostForm
	var sig []byte
	if form.Get("paper") != "on" {
		if sig, err = signatureBytes(form.Get("signature_png")); err != nil {
			return s.handoverError(c, id, err)
		}
		if sig == nil {
			return s.handoverError(c, id, &ordi.Error{Kind: ordi.Invalid, Message: "Faites signer la famille dans le cadre, ou cochez « signer sur papier ».",
				Fields: []ordi.FieldError{{Field: "signature_png", Message: "Signature manquante."}}})
		}
	}
	accessories := append([]string(nil), form["accessories"]...)
	if other := strings.TrimSpace(form.Get("other")); other != "" {
		accessories = append(accessories, other)
	}
	cert, err := s.cfg.Certificates.Handover(c.Request.Context(), actor(c), id, certificates.HandoverInput{
		SignatoryName: form.Get("signatory_name"), Signature: sig, Accessories: accessories})
	if err != nil {
		return s.handoverError(c, id, err)
	}
	s.flash(c, "Remise enregistrée : attestation "+cert.Number+". Imprimez-la en deux exemplaires, un pour la famille, un pour l'association.")
	return seeOther(c, "/handovers/done/"+cert.Number)
}

func (s *Server) handoverError(c *gin.Context, id int64, err error) error {
	kind := ordi.KindOf(err)
	if kind != ordi.Invalid && kind != ordi.Conflict {
		return err
	}
	r, rerr := s.cfg.Allocation.Reservation(c.Request.Context(), actor(c), id)
	if rerr != nil {
		return rerr
	}
	p := handoverPage{basePage: s.base(c, "Remise "+r.HouseholdReference), Reservation: r, Accessories: accessoryChoices,
		Form: map[string]string{"signatory_name": c.PostForm("signatory_name"), "other": c.PostForm("other")}, Checked: map[string]bool{}}
	for _, a := range c.PostFormArray("accessories") {
		p.Checked[a] = true
	}
	p.Fields, _ = invalidFields(err)
	if kind == ordi.Conflict {
		p.Fields = []ordi.FieldError{{Message: ordi.MessageOf(err)}}
	}
	s.render(c, statusOf[kind], "handover", &p)
	return nil
}

type handoverDonePage struct {
	basePage
	Number string
	PDFURL string
}

func (s *Server) handleHandoverDone(c *gin.Context) error {
	cert, err := s.cfg.Certificates.Certificate(c.Request.Context(), actor(c), c.Param("number"))
	if err != nil {
		return err
	}
	p := handoverDonePage{basePage: s.base(c, "Remise enregistrée"), Number: cert.Number, PDFURL: pdfURL(cert.Number)}
	s.render(c, http.StatusOK, "handover_done", &p)
	return nil
}

type certificatesPage struct {
	basePage
	Certificates []certificates.Certificate
	Next         string
}

func (s *Server) handleCertificatesPage(c *gin.Context) error {
	before, err := ordi.CursorID(c.Query("cursor"))
	if err != nil {
		return err
	}
	items, err := s.cfg.Certificates.Certificates(c.Request.Context(), actor(c), certificates.CertificateFilter{Before: before, Limit: ordi.DefaultLimit + 1})
	if err != nil {
		return err
	}
	page := paginate(items, ordi.DefaultLimit, func(x certificates.Certificate) string { return ordi.IDCursor(x.ID) })
	p := certificatesPage{basePage: s.base(c, "Certificats"), Certificates: page.Items, Next: page.NextCursor}
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
	cert, err := s.cfg.Certificates.IssueDonorCertificate(c.Request.Context(), actor(c), id)
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
	s.flash(c, "Certificat "+cert.Number+" émis : téléchargez-le et envoyez-le au donateur.")
	return seeOther(c, "/donations/"+strconv.FormatInt(id, 10)+"#certificat")
}

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
		i.Logo = b
	}
	if len(fields) == 0 {
		_, err = s.cfg.Certificates.SetIssuer(ctx, actor(c), i)
		if fields, err = invalidFields(err); err != nil {
			return err
		}
	}
	if len(fields) > 0 {
		p := associationPage{basePage: s.base(c, "Identité de l'association"), Issuer: i, Fields: fields}
		s.render(c, http.StatusUnprocessableEntity, "association", &p)
		return nil
	}
	s.flash(c, "Identité de l'association enregistrée : elle figure désormais sur les étiquettes et les certificats.")
	return seeOther(c, "/admin/association")
}
