package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/certificates"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/labels"
)

// inventoryOptions are the choices every inventory form offers.
type inventoryOptions struct {
	Kinds        []inventory.Kind
	StorageKinds []inventory.StorageKind
	Grades       []inventory.Grade
	DonorKinds   []inventory.DonorKind
	Statuses     []inventory.Status
	Categories   []inventory.ErasureCategory
}

func newInventoryOptions() inventoryOptions {
	return inventoryOptions{
		Kinds: inventory.Kinds(), StorageKinds: inventory.StorageKinds(), Grades: inventory.Grades(),
		DonorKinds: inventory.DonorKinds(), Statuses: inventory.Statuses(), Categories: inventory.ErasureCategories(),
	}
}

// canEdit reports whether the signed-in user may change the inventory.
func canEdit(c *gin.Context) bool {
	u, ok := userOf(c)
	return ok && workshop.allows(u.Role)
}

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
	items, err := s.cfg.Inventory.Donations(c.Request.Context(), inventory.DonationFilter{Before: before, Limit: ordi.DefaultLimit + 1})
	if err != nil {
		return err
	}
	page := paginate(items, ordi.DefaultLimit, func(d inventory.DonationSummary) string { return ordi.IDCursor(d.ID) })
	p := donationsPage{basePage: s.base(c, "Dons"), Donations: page.Items, Next: page.NextCursor}
	s.render(c, http.StatusOK, "donations", &p)
	return nil
}

type donationFormPage struct {
	basePage
	inventoryOptions
	Donors []inventory.Donor
	Form   url.Values
	Fields []ordi.FieldError
}

func (s *Server) donationForm(c *gin.Context, form url.Values, fields []ordi.FieldError) (*donationFormPage, error) {
	donors, err := s.cfg.Inventory.Donors(c.Request.Context(), inventory.DonorFilter{Limit: ordi.MaxLimit})
	if err != nil {
		return nil, err
	}
	if form == nil {
		form = url.Values{"received_on": {s.now().In(paris).Format(ordi.DateLayout)}, "donor": {"new"}, "kind": {string(inventory.DonorCompany)}}
		if len(donors) > 0 {
			form.Set("donor", strconv.FormatInt(donors[0].ID, 10))
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
	if len(fields) == 0 {
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

type donationPage struct {
	basePage
	inventoryOptions
	Donation  inventory.Donation
	Donor     inventory.Donor
	Counts    []statusCount
	Total     int
	Units     []inventory.Unit
	Next      string
	Form      url.Values // the add-unit form, pre-filled with the last unit's description
	Fields    []ordi.FieldError
	Added     string // the code of the unit just added
	Imported  []ordi.FieldError
	CanEdit   bool
	ImportMax int
	Templates []labels.Template
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

// lastUnitKey keeps the last unit's description in the session, so entering
// ten identical laptops means typing their serial numbers only.
const lastUnitKey = "last_unit"

// specFields are the unit description fields the add form remembers.
var specFields = []string{"kind", "brand", "model", "cpu", "ram_gb", "storage_gb", "storage_kind", "screen_inches", "weight_kg", "grade", "os"}

func (s *Server) donationPage(c *gin.Context, id int64) (*donationPage, error) {
	ctx := c.Request.Context()
	d, err := s.cfg.Inventory.Donation(ctx, id)
	if err != nil {
		return nil, err
	}
	donor, err := s.cfg.Inventory.Donor(ctx, d.DonorID)
	if err != nil {
		return nil, err
	}
	counts, err := s.cfg.Inventory.CountByStatus(ctx, id)
	if err != nil {
		return nil, err
	}
	before, err := ordi.CursorID(c.Query("cursor"))
	if err != nil {
		return nil, err
	}
	units, err := s.cfg.Inventory.Units(ctx, inventory.UnitFilter{DonationID: id, Before: before, Limit: ordi.DefaultLimit + 1})
	if err != nil {
		return nil, err
	}
	page := paginate(units, ordi.DefaultLimit, func(u inventory.Unit) string { return ordi.IDCursor(u.ID) })
	p := &donationPage{
		basePage: s.base(c, "Don du "+d.ReceivedOn.French()), inventoryOptions: newInventoryOptions(),
		Donation: d, Donor: donor, Counts: countsOf(counts), Total: counts.Total(), Units: page.Items, Next: page.NextCursor,
		CanEdit: canEdit(c), ImportMax: inventory.MaxImportBytes >> 20, Templates: labels.Templates(),
	}
	p.Form = url.Values{"kind": {string(inventory.KindLaptop)}, "storage_kind": {string(inventory.StorageSSD)}}
	if raw := s.sessions.GetString(ctx, lastUnitKey); raw != "" {
		var last url.Values
		if json.Unmarshal([]byte(raw), &last) == nil {
			p.Form = last
		}
	}
	p.Added = s.sessions.PopString(ctx, "added_unit")
	if p.CanEdit {
		if p.Certificates, err = s.cfg.Certificates.Certificates(ctx, actor(c), certificates.CertificateFilter{DonationID: id, Limit: 20}); err != nil {
			return nil, err
		}
	}
	return p, nil
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
	}
	if len(fields) > 0 {
		p, err := s.donationPage(c, id)
		if err != nil {
			return err
		}
		p.Form, p.Fields = form, fields
		s.render(c, http.StatusUnprocessableEntity, "donation", p)
		return nil
	}
	remembered := url.Values{}
	for _, f := range specFields {
		remembered.Set(f, form.Get(f))
	}
	b, _ := json.Marshal(remembered)
	s.sessions.Put(ctx, lastUnitKey, string(b))
	s.sessions.Put(ctx, "added_unit", string(u.Code))
	return seeOther(c, "/donations/"+strconv.FormatInt(id, 10)+"#ajout")
}

func (s *Server) handleDonationImport(c *gin.Context) error {
	ctx := c.Request.Context()
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if _, err := s.cfg.Inventory.Donation(ctx, id); err != nil {
		return err
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, inventory.MaxImportBytes+64<<10)
	file, _, err := c.Request.FormFile("file")
	var problems []ordi.FieldError
	switch {
	case err != nil:
		var maxBytes *http.MaxBytesError
		if errors.As(err, &maxBytes) {
			return ordi.Errorf(ordi.TooLarge, "Le fichier dépasse %d Mo.", inventory.MaxImportBytes>>20)
		}
		problems = []ordi.FieldError{{Field: "file", Message: "Choisissez le fichier CSV à importer."}}
	default:
		defer file.Close()
		res, err := s.cfg.Inventory.ImportDonationUnits(ctx, actor(c), id, file)
		if problems, err = invalidFields(err); err != nil {
			return err
		}
		if len(problems) == 0 {
			s.flash(c, ordi.Plural(res.Created, "unité importée", "unités importées")+". Leurs étiquettes attendent dans la file d'impression.")
			return seeOther(c, "/donations/"+strconv.FormatInt(id, 10))
		}
	}
	p, err := s.donationPage(c, id)
	if err != nil {
		return err
	}
	p.Imported = problems
	s.render(c, http.StatusUnprocessableEntity, "donation", p)
	return nil
}

type unitsPage struct {
	basePage
	inventoryOptions
	Units   []inventory.Unit
	Next    string
	Status  inventory.Status
	Kind    inventory.Kind
	Q       string
	Counts  []statusCount
	Total   int
	Query   string // the filters, for pagination links
	CanEdit bool
}

func (s *Server) handleUnitsPage(c *gin.Context) error {
	ctx := c.Request.Context()
	q := strings.TrimSpace(c.Query("q"))
	// A typed or scanned code goes straight to its unit.
	if code, err := inventory.ParseCode(q); err == nil {
		if _, err := s.cfg.Inventory.Unit(ctx, string(code)); err == nil {
			return seeOther(c, "/u/"+string(code))
		}
	}
	before, err := ordi.CursorID(c.Query("cursor"))
	if err != nil {
		return err
	}
	f := inventory.UnitFilter{Status: inventory.Status(c.Query("status")), Kind: inventory.Kind(c.Query("kind")), Q: q, Before: before, Limit: ordi.DefaultLimit + 1}
	units, err := s.cfg.Inventory.Units(ctx, f)
	if err != nil {
		return err
	}
	counts, err := s.cfg.Inventory.CountByStatus(ctx, 0)
	if err != nil {
		return err
	}
	page := paginate(units, ordi.DefaultLimit, func(u inventory.Unit) string { return ordi.IDCursor(u.ID) })
	query := url.Values{}
	for k, v := range map[string]string{"status": string(f.Status), "kind": string(f.Kind), "q": q} {
		if v != "" {
			query.Set(k, v)
		}
	}
	p := unitsPage{basePage: s.base(c, "Unités"), inventoryOptions: newInventoryOptions(), Units: page.Items, Next: page.NextCursor,
		Status: f.Status, Kind: f.Kind, Q: q, Counts: countsOf(counts), Total: counts.Total(), Query: query.Encode(), CanEdit: canEdit(c)}
	s.render(c, http.StatusOK, "units", &p)
	return nil
}

type unitPage struct {
	basePage
	inventoryOptions
	Unit       inventory.Unit
	Donation   inventory.Donation
	Donor      inventory.Donor
	Steps      []inventory.Step
	Erasures   []inventory.Erasure
	Events     []inventory.Event
	NeedsErase bool // a step waits for an erasure: show the form open
	// BlockedReasons says once, in French, what blocks the disabled steps.
	BlockedReasons []string
	CanErase       bool
	CanEdit        bool
	Form           url.Values
	Fields         []ordi.FieldError
	FormFor        string // which form the errors belong to: "erasure" or a status
	Templates      []labels.Template
	// Reservation is the unit's active reservation, if any.
	Reservation *allocation.ReservationView
	// CanSeeFamily: the viewer may open the family's file.
	CanSeeFamily bool
}

func (s *Server) unitPage(c *gin.Context, code string) (*unitPage, error) {
	ctx := c.Request.Context()
	u, err := s.cfg.Inventory.Unit(ctx, code)
	if err != nil {
		return nil, err
	}
	f, err := s.cfg.Inventory.Facts(ctx, u)
	if err != nil {
		return nil, err
	}
	d, err := s.cfg.Inventory.Donation(ctx, u.DonationID)
	if err != nil {
		return nil, err
	}
	donor, err := s.cfg.Inventory.Donor(ctx, d.DonorID)
	if err != nil {
		return nil, err
	}
	erasures, err := s.cfg.Inventory.Erasures(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	events, err := s.cfg.Inventory.Events(ctx, string(u.Code))
	if err != nil {
		return nil, err
	}
	slicesReverse(events)
	p := &unitPage{basePage: s.base(c, "Unité "+string(u.Code)), inventoryOptions: newInventoryOptions(), Unit: u, Donation: d, Donor: donor,
		Steps: inventory.NextSteps(f), Erasures: erasures, Events: events, CanEdit: canEdit(c), Form: url.Values{}, Templates: labels.Templates()}
	if u.Status == inventory.StatusReserved {
		rs, err := s.cfg.Allocation.Reservations(ctx, actor(c), allocation.ReservationFilter{UnitID: u.ID, Status: allocation.ReservationActive, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(rs) > 0 {
			p.Reservation = &rs[0]
		}
		p.CanSeeFamily = households.allows(actor(c).Role)
	}
	seen := map[inventory.Guard]bool{}
	for _, st := range p.Steps {
		if st.Possible {
			continue
		}
		if st.Blocked == inventory.GuardErased || st.Blocked == inventory.GuardSanitised {
			p.NeedsErase = true
			// Both erasure guards say the same thing to a person: record an erasure.
			if seen[inventory.GuardErased] || seen[inventory.GuardSanitised] {
				continue
			}
		}
		if !seen[st.Blocked] {
			seen[st.Blocked] = true
			p.BlockedReasons = append(p.BlockedReasons, st.Reason)
		}
	}
	p.CanErase = p.CanEdit && u.HasStorage() && u.Status != inventory.StatusRecycled && u.Status != inventory.StatusHandedOver && u.Status != inventory.StatusReserved
	return p, nil
}

func slicesReverse[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// unknownUnitPage is the friendly answer to a code that does not exist.
type unknownUnitPage struct {
	basePage
	Code string
}

func (s *Server) handleUnitPage(c *gin.Context) error {
	p, err := s.unitPage(c, c.Param("code"))
	if errors.Is(err, ordi.NotFound) {
		up := unknownUnitPage{basePage: s.base(c, "Code inconnu"), Code: c.Param("code")}
		s.render(c, http.StatusNotFound, "unit_unknown", &up)
		return nil
	}
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "unit", p)
	return nil
}

func (s *Server) handleUnitTransition(c *gin.Context) error {
	code := c.Param("code")
	to := inventory.Status(c.PostForm("to"))
	in := inventory.TransitionInput{Note: c.PostForm("note"), Outlet: c.PostForm("outlet"), OutletReference: c.PostForm("outlet_reference")}
	u, err := s.cfg.Inventory.Transition(c.Request.Context(), actor(c), code, to, in)
	if err == nil {
		s.flash(c, "Unité "+string(u.Code)+" : « "+u.Status.Label()+" ».")
		return seeOther(c, "/u/"+string(u.Code))
	}
	kind := ordi.KindOf(err)
	if kind != ordi.Invalid && kind != ordi.Conflict {
		return err
	}
	p, perr := s.unitPage(c, code)
	if perr != nil {
		return perr
	}
	p.Form = c.Request.PostForm
	p.FormFor = string(to)
	p.Fields, _ = invalidFields(err)
	if kind == ordi.Conflict {
		p.Fields = []ordi.FieldError{{Message: ordi.MessageOf(err)}}
	}
	s.render(c, statusOf[kind], "unit", p)
	return nil
}

func (s *Server) handleUnitErasure(c *gin.Context) error {
	code := c.Param("code")
	in := inventory.NewErasure{
		Category: inventory.ErasureCategory(c.PostForm("category")), Technique: c.PostForm("technique"), Tool: c.PostForm("tool"),
		DriveSerial: c.PostForm("drive_serial"), DriveModel: c.PostForm("drive_model"), Result: inventory.ErasureResult(c.PostForm("result")),
	}
	_, err := s.cfg.Inventory.RecordErasure(c.Request.Context(), actor(c), code, in)
	if err == nil {
		msg := "Effacement réussi enregistré."
		if in.Result != inventory.ErasurePassed {
			msg = "Effacement échoué enregistré : recommencez l'effacement ou détruisez le support."
		}
		s.flash(c, msg)
		return seeOther(c, "/u/"+strings.ToUpper(code))
	}
	kind := ordi.KindOf(err)
	if kind != ordi.Invalid && kind != ordi.Conflict {
		return err
	}
	p, perr := s.unitPage(c, code)
	if perr != nil {
		return perr
	}
	p.Form, p.FormFor, p.NeedsErase = c.Request.PostForm, "erasure", true
	if p.Fields, _ = invalidFields(err); kind == ordi.Conflict {
		p.Fields = []ordi.FieldError{{Message: ordi.MessageOf(err)}}
	}
	s.render(c, statusOf[kind], "unit", p)
	return nil
}

type unitEditPage struct {
	basePage
	inventoryOptions
	Unit   inventory.Unit
	Form   url.Values
	Fields []ordi.FieldError
	Stale  bool // the unit changed since the form was opened
}

// formOf writes a unit's description as form values.
func formOf(u inventory.Unit) url.Values {
	f := url.Values{
		"kind": {string(u.Kind)}, "brand": {u.Brand}, "model": {u.Model}, "serial_number": {u.SerialNumber}, "cpu": {u.CPU},
		"ram_gb": {strconv.Itoa(u.RAMGB)}, "storage_gb": {strconv.Itoa(u.StorageGB)}, "storage_kind": {string(u.StorageKind)},
		"grade": {string(u.Grade)}, "os": {u.OS}, "notes": {u.Notes}, "version": {strconv.Itoa(u.Version)},
	}
	if u.ScreenInches != nil {
		f.Set("screen_inches", strconv.FormatFloat(*u.ScreenInches, 'f', -1, 64))
	}
	if u.WeightKG != nil {
		f.Set("weight_kg", strconv.FormatFloat(*u.WeightKG, 'f', -1, 64))
	}
	return f
}

func (s *Server) handleUnitEditPage(c *gin.Context) error {
	u, err := s.cfg.Inventory.Unit(c.Request.Context(), c.Param("code"))
	if err != nil {
		return err
	}
	p := unitEditPage{basePage: s.base(c, "Modifier l'unité "+string(u.Code)), inventoryOptions: newInventoryOptions(), Unit: u, Form: formOf(u)}
	s.render(c, http.StatusOK, "unit_edit", &p)
	return nil
}

func (s *Server) handleUnitEdit(c *gin.Context) error {
	ctx := c.Request.Context()
	code := c.Param("code")
	if err := c.Request.ParseForm(); err != nil {
		return ordi.Errorf(ordi.Malformed, "Formulaire illisible.")
	}
	form := c.Request.PostForm
	spec, fields := specFromForm(form)
	version, _ := strconv.Atoi(form.Get("version"))
	var u inventory.Unit
	var err error
	if len(fields) == 0 {
		up := inventory.UnitUpdate{Version: version, Kind: &spec.Kind, Brand: &spec.Brand, Model: &spec.Model, SerialNumber: &spec.SerialNumber,
			CPU: &spec.CPU, RAMGB: &spec.RAMGB, StorageGB: &spec.StorageGB, StorageKind: &spec.StorageKind, Grade: &spec.Grade, OS: &spec.OS, Notes: &spec.Notes,
			ScreenInches: spec.ScreenInches, WeightKG: spec.WeightKG}
		u, err = s.cfg.Inventory.UpdateUnit(ctx, actor(c), code, up)
		if err == nil {
			s.flash(c, "Fiche de l'unité "+string(u.Code)+" enregistrée.")
			return seeOther(c, "/u/"+string(u.Code))
		}
	}
	p := unitEditPage{basePage: s.base(c, "Modifier l'unité"), inventoryOptions: newInventoryOptions(), Form: form, Fields: fields}
	status := http.StatusUnprocessableEntity
	var e *ordi.Error
	switch {
	case err == nil:
	case errors.As(err, &e) && e.Kind == ordi.Conflict:
		// Someone else saved first: show their values, keep none of ours silently.
		cur, _ := e.Extra["current"].(inventory.Unit)
		p.Stale, p.Form, status = true, formOf(cur), http.StatusConflict
		p.Fields = []ordi.FieldError{{Message: e.Message}}
	case errors.As(err, &e) && e.Kind == ordi.Invalid:
		p.Fields = e.Fields
	default:
		return err
	}
	if p.Unit, err = s.cfg.Inventory.Unit(ctx, code); err != nil {
		return err
	}
	p.Title = "Modifier l'unité " + string(p.Unit.Code)
	s.render(c, status, "unit_edit", &p)
	return nil
}
