package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/inventory"
)

type donationsPage struct {
	basePage
	Donations []inventory.DonationSummary
	Next      string
}

func (s *Server) handleDonationsPage(c *gin.Context) error {
	before, err := ordi.CursorID(c.Query("cursor"))
	if err != nil {
		return err
	}
	items, err := s.cfg.Inventory.Donations(c.Request.Context(), actor(c), inventory.DonationFilter{Before: before, Limit: ordi.DefaultLimit + 1})
	if err != nil {
		return err
	}
	page := paginate(items, ordi.DefaultLimit, func(d inventory.DonationSummary) string { return ordi.IDCursor(d.ID) })
	p := donationsPage{basePage: s.base(c, "Dons"), Donations: page.Items, Next: page.NextCursor}
	s.render(c, http.StatusOK, "donations", &p)
	return nil
}

// noDonorChosen is the error of a donation form sent without a donor.
const noDonorChosen = "Choisissez qui donne : un donateur de la liste, ou « Nouveau donateur… »."

type donationFormPage struct {
	basePage
	inventoryOptions
	Donors []inventory.Donor
	Form   url.Values
	Fields []ordi.FieldError
}

func (s *Server) donationForm(c *gin.Context, form url.Values, fields []ordi.FieldError) (*donationFormPage, error) {
	donors, err := s.cfg.Inventory.Donors(c.Request.Context(), actor(c), inventory.DonorFilter{Limit: ordi.MaxLimit})
	if err != nil {
		return nil, err
	}
	if form == nil {
		// No donor is chosen for the person: one tap must not file a
		// donation under somebody else's name. With no donor yet, the only
		// choice is a new one.
		form = url.Values{"received_on": {s.now().In(ordi.Paris).Format(ordi.DateLayout)}, "donor": {""}, "kind": {string(inventory.DonorCompany)}}
		if len(donors) == 0 {
			form.Set("donor", "new")
		}
	}
	return &donationFormPage{basePage: s.base(c, "Nouveau don"), inventoryOptions: newInventoryOptions(), Donors: donors, Form: form, Fields: fields}, nil
}

func (s *Server) handleDonationNewPage(c *gin.Context) error {
	p, err := s.donationForm(c, nil, nil)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "donation_form", p)
	return nil
}

// handleDonationCreate registers a donation, and its donor first when the
// form asks for a new one.
func (s *Server) handleDonationCreate(c *gin.Context) error {
	ctx := c.Request.Context()
	if err := c.Request.ParseForm(); err != nil {
		return ordi.Errorf(ordi.Malformed, "Formulaire illisible.")
	}
	form := c.Request.PostForm
	var fields []ordi.FieldError
	donorID, _ := strconv.ParseInt(form.Get("donor"), 10, 64)
	if form.Get("donor") == "" {
		fields = append(fields, ordi.FieldError{Field: "donor_id", Message: noDonorChosen})
	}
	if form.Get("donor") == "new" {
		d, err := s.cfg.Inventory.CreateDonor(ctx, actor(c), inventory.NewDonor{
			Name: form.Get("name"), Kind: inventory.DonorKind(form.Get("kind")), SIRET: form.Get("siret"),
			Email: form.Get("email"), Phone: form.Get("phone"), Address: form.Get("address"),
		})
		if fields, err = invalidFields(err); err != nil {
			return err
		}
		donorID = d.ID
	}
	if form.Get("donor") == "" || len(fields) > 0 {
		// No donor, or a new one refused: still check the rest of the form,
		// to report every error at once.
		_, err := s.cfg.Inventory.CreateDonation(ctx, actor(c), inventory.NewDonation{
			DonorID: -1, ReceivedOn: form.Get("received_on"), Site: form.Get("site"), Reference: form.Get("reference"), Notes: form.Get("notes"),
		})
		more, err := invalidFields(err)
		if err != nil {
			return err
		}
		for _, f := range more {
			if f.Field != "donor_id" {
				fields = append(fields, f)
			}
		}
	} else if len(fields) == 0 {
		d, err := s.cfg.Inventory.CreateDonation(ctx, actor(c), inventory.NewDonation{
			DonorID: donorID, ReceivedOn: form.Get("received_on"), Site: form.Get("site"), Reference: form.Get("reference"), Notes: form.Get("notes"),
		})
		if fields, err = invalidFields(err); err != nil {
			return err
		}
		if len(fields) == 0 {
			s.flash(c, "Don enregistré. Ajoutez maintenant ses unités.")
			return seeOther(c, "/donations/"+strconv.FormatInt(d.ID, 10))
		}
		if form.Get("donor") == "new" {
			// The donor was created: keep it selected so it is not created twice.
			form.Set("donor", strconv.FormatInt(donorID, 10))
		}
	}
	p, err := s.donationForm(c, form, fields)
	if err != nil {
		return err
	}
	s.render(c, http.StatusUnprocessableEntity, "donation_form", p)
	return nil
}
