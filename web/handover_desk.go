package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/certificates"
)

// handoverDeskPage is the desk where volunteers receive the families: the
// active reservations by appointment day. It shows what the appointment
// needs (reference, unit, day), never a family's name.
type handoverDeskPage struct {
	basePage
	allocation.Desk
}

func (s *Server) handleHandoverDesk(c *gin.Context) error {
	d, err := s.cfg.Allocation.HandoverDesk(c.Request.Context(), actor(c))
	if err != nil {
		return err
	}
	p := handoverDeskPage{basePage: s.base(c, "Remises"), Desk: d}
	s.render(c, http.StatusOK, "handovers", &p)
	return nil
}

// handleHandoverAppointment fixes, moves or clears (empty date) the day of
// the handover appointment from the handover page, then goes back to it.
func (s *Server) handleHandoverAppointment(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	page := fmt.Sprintf("/handovers/%d", id)
	r, err := s.cfg.Allocation.SetAppointment(c.Request.Context(), actor(c), id, c.PostForm("appointment_on"))
	switch kind := ordi.KindOf(err); {
	case err == nil:
	case kind == ordi.Invalid || kind == ordi.Conflict:
		s.flashError(c, ordi.MessageOf(err))
		return seeOther(c, page)
	default:
		return err
	}
	if r.AppointmentOn == nil {
		s.flash(c, "Rendez-vous retiré : la réservation attend un rendez-vous.")
	} else {
		s.flash(c, "Rendez-vous fixé au "+r.AppointmentOn.French()+".")
	}
	return seeOther(c, page)
}

type handoverPage struct {
	basePage
	Reservation allocation.ReservationView
	Accessories []string
	Form        map[string]string
	Checked     map[string]bool
	Fields      []ordi.FieldError
	// Terms are the conditions the family signs (certificates.HandoverTerms).
	Terms []string
	// FamilyName is the contact name, for the roles that may read the
	// family's file (the read is logged); empty for volunteers.
	FamilyName string
}

// handoverTerms are the conditions the family signs, shown above the
// signature pad of the handover and of the correction forms.
func (s *Server) handoverTerms(c *gin.Context) ([]string, error) {
	issuer, err := s.cfg.Certificates.Issuer(c.Request.Context())
	if err != nil {
		return nil, err
	}
	return certificates.HandoverTerms(issuer), nil
}

// newHandoverPage fills what every showing of the handover form needs.
func (s *Server) newHandoverPage(c *gin.Context, r allocation.ReservationView) (*handoverPage, error) {
	ctx := c.Request.Context()
	terms, err := s.handoverTerms(c)
	if err != nil {
		return nil, err
	}
	p := &handoverPage{basePage: s.base(c, "Remise "+r.HouseholdReference), Reservation: r, Accessories: accessoryChoices,
		Form: map[string]string{}, Checked: map[string]bool{}, Terms: terms}
	if a := actor(c); a.Can(ordi.ReadHouseholds) {
		h, err := s.cfg.Allocation.Household(ctx, a, r.HouseholdID)
		if err != nil && ordi.KindOf(err) != ordi.NotFound {
			return nil, err
		}
		p.FamilyName = h.ContactName
	}
	return p, nil
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
	if r.Status != allocation.ReservationActive {
		return s.renderHandoverClosed(c, http.StatusOK, r)
	}
	p, err := s.newHandoverPage(c, r)
	if err != nil {
		return err
	}
	p.Checked[accessoryChoices[0]] = true
	p.Form["signatory_name"] = p.FamilyName
	s.render(c, http.StatusOK, "handover", p)
	return nil
}

// renderHandoverClosed shows a reservation that is no longer to sign: a done
// handover with its attestation (print again, download) when the viewer may
// read it, or a cancelled reservation. Never a blank signing form.
func (s *Server) renderHandoverClosed(c *gin.Context, status int, r allocation.ReservationView) error {
	p := handoverDonePage{basePage: s.base(c, "Remise "+r.HouseholdReference), Reservation: &r}
	if r.Status == allocation.ReservationHandedOver {
		cert, err := s.cfg.Certificates.HandoverAttestation(c.Request.Context(), actor(c), certificates.HandoverOf{ReservationID: r.ID})
		switch {
		case err == nil:
			p.Number, p.PDFURL = cert.Number, pdfURL(cert.Number)
		case ordi.KindOf(err) != ordi.NotFound:
			return err
		}
	}
	s.render(c, status, "handover_done", &p)
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
	accessories := append([]string(nil), form["accessories"]...)
	if other := strings.TrimSpace(form.Get("other")); other != "" {
		accessories = append(accessories, other)
	}
	var sig []byte
	if form.Get("paper") != "on" {
		sig, err = signatureBytes(form.Get("signature_png"))
		if err != nil || sig == nil {
			fields, ferr := invalidFields(err)
			if ferr != nil {
				return ferr
			}
			if err == nil {
				fields = []ordi.FieldError{{Field: "signature_png", Message: "Signature manquante : faites signer la famille dans le cadre, ou cochez « signer sur papier »."}}
			}
			// Every error in one round: the other fields' too.
			rest, _ := invalidFields(certificates.ValidateHandover(certificates.HandoverInput{SignatoryName: form.Get("signatory_name"), Accessories: accessories}))
			return s.handoverError(c, id, &ordi.Error{Kind: ordi.Invalid, Message: "Faites signer la famille dans le cadre, ou cochez « signer sur papier ».",
				Fields: mergeFields(fields, rest)})
		}
	}
	ctx := c.Request.Context()
	cert, err := limited(ctx, s.expensive, func() (certificates.Certificate, error) {
		return s.cfg.Certificates.Handover(ctx, actor(c), id, certificates.HandoverInput{
			SignatoryName: form.Get("signatory_name"), Signature: sig, Accessories: accessories})
	})
	if err != nil {
		return s.handoverError(c, id, err)
	}
	s.warnPending(c, cert)
	s.flash(c, "Remise enregistrée : attestation "+cert.Number+". Imprimez-la en deux exemplaires, un pour la famille, un pour l'association.")
	return seeOther(c, "/handovers/done/"+cert.Number)
}

// handoverError shows the handover form again with what was typed and
// what went wrong: bad input, a reservation closed meanwhile, or a server
// too busy to take it now (nothing was done: the volunteer sends it again).
func (s *Server) handoverError(c *gin.Context, id int64, err error) error {
	kind := ordi.KindOf(err)
	if kind != ordi.Invalid && kind != ordi.Conflict && kind != ordi.Unavailable {
		return err
	}
	r, rerr := s.cfg.Allocation.Reservation(c.Request.Context(), actor(c), id)
	if rerr != nil {
		return rerr
	}
	if r.Status != allocation.ReservationActive {
		// Signed twice (a second tablet, the back button): say it is done,
		// and lead to the attestation.
		return s.renderHandoverClosed(c, http.StatusConflict, r)
	}
	p, perr := s.newHandoverPage(c, r)
	if perr != nil {
		return perr
	}
	p.Form = map[string]string{"signatory_name": c.PostForm("signatory_name"), "other": c.PostForm("other")}
	for _, a := range c.PostFormArray("accessories") {
		p.Checked[a] = true
	}
	p.Fields, _ = invalidFields(err)
	if kind != ordi.Invalid {
		p.Fields = []ordi.FieldError{{Message: ordi.MessageOf(err)}}
	}
	setRetryAfter(c.Writer.Header(), problemOf(err))
	s.render(c, statusOf[kind], "handover", p)
	return nil
}

// handoverDonePage is a handover once signed (just now, or reopened later),
// or a reservation cancelled. Number is empty when the viewer may not read
// the attestation (a volunteer's scope, certificates.Service.Certificate).
type handoverDonePage struct {
	basePage
	Number      string
	PDFURL      string
	Reservation *allocation.ReservationView
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
