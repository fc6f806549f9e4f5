package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/certificates"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/labels"
)

type donationPage struct {
	basePage
	inventoryOptions
	Donation inventory.Donation
	Donor    inventory.Donor
	Counts   []statusCount
	Total    int
	Units    []inventory.Unit
	Next     string
	Form     url.Values // the add-unit form, pre-filled with the last unit's description
	// Carried is the kind of the last unit added to this donation when the
	// form carries its description over ("repris du dernier ajout"); "" for
	// a blank form.
	Carried   inventory.Kind
	BlankForm url.Values
	Fields    []ordi.FieldError
	Added     string // the code of the unit just added
	Imported  []ordi.FieldError
	// ImportedCodes are the units an import just created, shown once with
	// their labels to print; PrintCodes is false when they are too many for
	// one form (the whole donation's labels are offered instead).
	ImportedCodes []string
	PrintCodes    bool
	CanEdit       bool
	ImportMax     int
	Templates     []labels.Template
	// The donor certificate: issued ones, or why it cannot be yet.
	Certificates     []certificates.Certificate
	CertificateError string
	Pending          []string
}

// statusCount is one badge of a count-by-status line.
type statusCount struct {
	Status inventory.Status
	Count  int
}

func countsOf(c inventory.Counts) []statusCount {
	var out []statusCount
	for _, st := range inventory.Statuses() {
		if n := c[st]; n > 0 {
			out = append(out, statusCount{st, n})
		}
	}
	return out
}

func (s *Server) donationPage(c *gin.Context, id int64) (*donationPage, error) {
	ctx := c.Request.Context()
	d, err := s.cfg.Inventory.Donation(ctx, actor(c), id)
	if err != nil {
		return nil, err
	}
	donor, err := s.cfg.Inventory.Donor(ctx, actor(c), d.DonorID)
	if err != nil {
		return nil, err
	}
	counts, err := s.cfg.Inventory.CountByStatus(ctx, actor(c), id)
	if err != nil {
		return nil, err
	}
	before, err := ordi.CursorID(c.Query("cursor"))
	if err != nil {
		return nil, err
	}
	units, err := s.cfg.Inventory.Units(ctx, actor(c), inventory.UnitFilter{DonationID: id, Before: before, Limit: ordi.DefaultLimit + 1})
	if err != nil {
		return nil, err
	}
	page := paginate(units, ordi.DefaultLimit, func(u inventory.Unit) string { return ordi.IDCursor(u.ID) })
	p := &donationPage{
		basePage: s.base(c, "Don du "+d.ReceivedOn.French()), inventoryOptions: newInventoryOptions(),
		Donation: d, Donor: donor, Counts: countsOf(counts), Total: counts.Total(), Units: page.Items, Next: page.NextCursor,
		CanEdit: canEdit(c), ImportMax: inventory.MaxImportBytes >> 20, Templates: labels.Templates(), BlankForm: blankUnitForm(),
	}
	p.Form = blankUnitForm()
	// The last unit's description is carried over within its own donation
	// only, and not after "Vider".
	if raw := s.sessions.GetString(ctx, lastUnitKey); raw != "" && c.Query("vider") == "" {
		var last lastUnit
		if json.Unmarshal([]byte(raw), &last) == nil && last.Donation == id && last.Form.Get("kind") != "" {
			p.Form, p.Carried = last.Form, inventory.Kind(last.Form.Get("kind"))
		}
	}
	p.Added = s.sessions.PopString(ctx, "added_unit")
	p.ImportedCodes = s.importedCodes(c)
	p.PrintCodes = len(p.ImportedCodes) <= maxPrintedCodes
	if p.CanEdit {
		if p.Certificates, err = s.cfg.Certificates.Certificates(ctx, actor(c), certificates.CertificateFilter{DonationID: id, Limit: 20}); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// blankUnitForm is the add-unit form with nothing carried over.
func blankUnitForm() url.Values {
	return url.Values{"kind": {string(inventory.KindLaptop)}, "storage_kind": {string(inventory.StorageSSD)}}
}

func (s *Server) handleDonationPage(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	p, err := s.donationPage(c, id)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "donation", p)
	return nil
}

// specFromForm reads a unit description from a form; a number that does
// not parse is a field error.
func specFromForm(form url.Values) (inventory.UnitSpec, []ordi.FieldError) {
	var fields []ordi.FieldError
	num := func(name string) int {
		v := strings.TrimSpace(form.Get(name))
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			fields = append(fields, ordi.FieldError{Field: name, Message: "Nombre entier attendu."})
		}
		return n
	}
	dec := func(name string) *float64 {
		v := strings.TrimSpace(strings.Replace(form.Get(name), ",", ".", 1))
		if v == "" {
			return nil
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			fields = append(fields, ordi.FieldError{Field: name, Message: "Nombre attendu (ex. 15,6)."})
			return nil
		}
		return &f
	}
	spec := inventory.UnitSpec{
		Kind: inventory.Kind(form.Get("kind")), Brand: form.Get("brand"), Model: form.Get("model"),
		SerialNumber: form.Get("serial_number"), CPU: form.Get("cpu"), RAMGB: num("ram_gb"), StorageGB: num("storage_gb"),
		StorageKind: inventory.StorageKind(form.Get("storage_kind")), ScreenInches: dec("screen_inches"),
		WeightKG: dec("weight_kg"), Grade: inventory.Grade(form.Get("grade")), OS: form.Get("os"), Notes: form.Get("notes"),
	}
	return spec, fields
}

func (s *Server) handleDonationUnitCreate(c *gin.Context) error {
	ctx := c.Request.Context()
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := c.Request.ParseForm(); err != nil {
		return ordi.Errorf(ordi.Malformed, "Formulaire illisible.")
	}
	form := c.Request.PostForm
	spec, fields := specFromForm(form)
	var u inventory.Unit
	if len(fields) == 0 {
		u, err = s.cfg.Inventory.CreateUnit(ctx, actor(c), inventory.NewUnit{DonationID: id, UnitSpec: spec})
		if fields, err = invalidFields(err); err != nil {
			return err
		}
	} else {
		// Every error in one round: the domain's too, for the fields read.
		domain, _ := invalidFields(inventory.ValidateSpec(spec))
		fields = mergeFields(fields, domain)
	}
	if len(fields) > 0 {
		p, err := s.donationPage(c, id)
		if err != nil {
			return err
		}
		p.Form, p.Fields, p.Carried = form, fields, "" // what was typed, not carried
		s.render(c, http.StatusUnprocessableEntity, "donation", p)
		return nil
	}
	remembered := url.Values{}
	for _, f := range specFields {
		remembered.Set(f, form.Get(f))
	}
	b, _ := json.Marshal(lastUnit{Donation: id, Form: remembered})
	s.sessions.Put(ctx, lastUnitKey, string(b))
	s.sessions.Put(ctx, "added_unit", string(u.Code))
	return seeOther(c, "/donations/"+strconv.FormatInt(id, 10)+"#ajout")
}
