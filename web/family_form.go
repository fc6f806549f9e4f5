package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/allocation"
)

type familyFormPage struct {
	basePage
	allocationOptions
	fseOptions
	Edit     bool
	ID       int64
	Version  int
	Form     url.Values
	Fields   []ordi.FieldError
	Partners []account.Partner // administrators choose the partner
	IsAdmin  bool
	// Duplicate warns that a file with the same name and phone exists
	// (allocation.Duplicates): the form asks to confirm.
	Duplicate string
}

func (s *Server) familyForm(c *gin.Context, title string, form url.Values, fields []ordi.FieldError) (*familyFormPage, error) {
	u, _ := userOf(c)
	p := &familyFormPage{basePage: s.base(c, title), allocationOptions: newAllocationOptions(), Form: form, Fields: fields, IsAdmin: u.Role == ordi.RoleAdmin}
	var err error
	if p.fseOptions, err = s.fseOptions(c); err != nil {
		return nil, err
	}
	if p.IsAdmin {
		partners, err := s.allPartners(c)
		if err != nil {
			return nil, err
		}
		p.Partners = partners
	}
	return p, nil
}

func (s *Server) handleFamilyNewPage(c *gin.Context) error {
	p, err := s.familyForm(c, "Orienter une famille", url.Values{"adults": {"1"}, "children": {"0"}, "school_children": {"0"}, "need": {"any"}}, nil)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "family_form", p)
	return nil
}

func atoiForm(form url.Values, name string, fields *[]ordi.FieldError) int {
	v := strings.TrimSpace(form.Get(name))
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		*fields = append(*fields, ordi.FieldError{Field: name, Message: "Nombre entier attendu."})
	}
	return n
}

func (s *Server) handleFamilyCreate(c *gin.Context) error {
	if err := c.Request.ParseForm(); err != nil {
		return ordi.Errorf(ordi.Malformed, "Formulaire illisible.")
	}
	form := c.Request.PostForm
	var fields []ordi.FieldError
	partner, _ := strconv.ParseInt(form.Get("partner_id"), 10, 64)
	in := allocation.NewHousehold{
		ContactName: form.Get("contact_name"), Phone: form.Get("phone"), Commune: form.Get("commune"), Postcode: form.Get("postcode"),
		QPV: form.Get("qpv") == "yes", Adults: atoiForm(form, "adults", &fields), Children: atoiForm(form, "children", &fields),
		SchoolChildren: atoiForm(form, "school_children", &fields), IncomeBracket: form.Get("income_bracket"),
		HasComputer: form.Get("has_computer") == "yes", Need: allocation.Need(form.Get("need")), Notes: form.Get("notes"),
		Consent: form.Get("consent") == "yes", PartnerID: partner, DuplicateOK: form.Get("duplicate_ok") == "yes",
		FSEAnswers: fseFromForm(form),
	}
	var h allocation.Household
	var duplicate string
	if len(fields) == 0 {
		var err error
		h, err = s.cfg.Allocation.Nominate(c.Request.Context(), actor(c), in)
		var e *ordi.Error
		if errors.As(err, &e) && e.Kind == ordi.Conflict && e.Extra["duplicates"] != nil {
			duplicate, err = e.Message, nil
		}
		if fields, err = invalidFields(err); err != nil {
			return err
		}
	} else {
		// Every error in one round: the domain's too, for the fields read.
		domain, _ := invalidFields(allocation.ValidateNomination(in))
		fields = mergeFields(fields, domain)
	}
	if len(fields) > 0 || duplicate != "" {
		p, err := s.familyForm(c, "Orienter une famille", form, fields)
		if err != nil {
			return err
		}
		p.Duplicate = duplicate
		status := http.StatusUnprocessableEntity
		if len(fields) == 0 {
			status = http.StatusConflict
		}
		s.render(c, status, "family_form", p)
		return nil
	}
	s.flash(c, "Famille orientée sous la référence "+h.Reference+". L'équipe va vérifier son éligibilité.")
	return seeOther(c, "/families/"+strconv.FormatInt(h.ID, 10))
}

func (s *Server) handleFamilyEditPage(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	h, err := s.cfg.Allocation.Household(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	p, err := s.familyForm(c, "Dossier "+h.Reference, familyValues(h), nil)
	if err != nil {
		return err
	}
	p.Edit, p.ID, p.Version = true, h.ID, h.Version
	s.render(c, http.StatusOK, "family_form", p)
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func familyValues(h allocation.Household) url.Values {
	v := url.Values{
		"contact_name": {h.ContactName}, "phone": {h.Phone}, "commune": {h.Commune}, "postcode": {h.Postcode},
		"qpv": {yesNo(h.QPV)}, "adults": {strconv.Itoa(h.Adults)}, "children": {strconv.Itoa(h.Children)},
		"school_children": {strconv.Itoa(h.SchoolChildren)}, "income_bracket": {string(h.IncomeBracket)},
		"has_computer": {yesNo(h.HasComputer)}, "need": {string(h.Need)}, "notes": {h.Notes}, "consent": {"yes"},
	}
	fseValues(h, v)
	return v
}

func (s *Server) handleFamilyEdit(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := c.Request.ParseForm(); err != nil {
		return ordi.Errorf(ordi.Malformed, "Formulaire illisible.")
	}
	form := c.Request.PostForm
	var fields []ordi.FieldError
	version := atoiForm(form, "version", &fields)
	str := func(k string) *string { v := form.Get(k); return &v }
	qpv, computer := form.Get("qpv") == "yes", form.Get("has_computer") == "yes"
	adults, children, pupils := atoiForm(form, "adults", &fields), atoiForm(form, "children", &fields), atoiForm(form, "school_children", &fields)
	need := allocation.Need(form.Get("need"))
	up := allocation.HouseholdUpdate{Version: version, ContactName: str("contact_name"), Phone: str("phone"), Commune: str("commune"),
		Postcode: str("postcode"), QPV: &qpv, Adults: &adults, Children: &children, SchoolChildren: &pupils,
		IncomeBracket: str("income_bracket"), HasComputer: &computer, Need: &need, Notes: str("notes")}
	fseUpdateFromForm(form, &up)
	var h allocation.Household
	if len(fields) == 0 {
		h, err = s.cfg.Allocation.UpdateHousehold(c.Request.Context(), actor(c), id, up)
		if err != nil && ordi.KindOf(err) == ordi.Conflict {
			fields = []ordi.FieldError{{Message: ordi.MessageOf(err)}}
		} else if fields, err = invalidFields(err); err != nil {
			return err
		}
	} else {
		// Every error in one round: the domain's too, for the fields read.
		domain, _ := invalidFields(allocation.ValidateNomination(allocation.NewHousehold{
			ContactName: *up.ContactName, Phone: *up.Phone, Commune: *up.Commune, Postcode: *up.Postcode, Adults: adults,
			Children: children, SchoolChildren: pupils, IncomeBracket: *up.IncomeBracket, Need: need, Notes: *up.Notes, Consent: true,
			FSEAnswers: fseFromForm(form)}))
		fields = mergeFields(fields, domain)
	}
	if len(fields) > 0 {
		p, err := s.familyForm(c, "Dossier", form, fields)
		if err != nil {
			return err
		}
		p.Edit, p.ID, p.Version = true, id, version
		s.render(c, http.StatusUnprocessableEntity, "family_form", p)
		return nil
	}
	s.flash(c, "Dossier "+h.Reference+" enregistré.")
	return seeOther(c, "/families/"+strconv.FormatInt(id, 10))
}

// mergeFields adds to the errors of the fields a form could not read those
// the domain found in the others, one per field.
func mergeFields(read, domain []ordi.FieldError) []ordi.FieldError {
	seen := map[string]bool{}
	for _, f := range read {
		seen[f.Field] = true
	}
	for _, f := range domain {
		if !seen[f.Field] {
			read = append(read, f)
			seen[f.Field] = true
		}
	}
	return read
}
