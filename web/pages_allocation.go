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

// allocationOptions are the choices of the family and course forms.
type allocationOptions struct {
	Needs       []allocation.Need
	IncomeBands []allocation.IncomeBand
	Statuses    []allocation.HouseholdStatus
}

func newAllocationOptions() allocationOptions {
	return allocationOptions{Needs: allocation.Needs(), IncomeBands: allocation.IncomeBands(), Statuses: allocation.HouseholdStatuses()}
}

type familiesPage struct {
	basePage
	allocationOptions
	Families    []allocation.HouseholdSummary
	Next        string
	Status      allocation.HouseholdStatus
	Q           string
	Query       string
	CanNominate bool
	PartnerName map[int64]string
}

func (s *Server) handleFamiliesPage(c *gin.Context) error {
	ctx := c.Request.Context()
	before, err := ordi.CursorID(c.Query("cursor"))
	if err != nil {
		return err
	}
	f := allocation.HouseholdFilter{Status: allocation.HouseholdStatus(c.Query("status")), Q: c.Query("q"), Before: before, Limit: ordi.DefaultLimit + 1}
	items, err := s.cfg.Allocation.Households(ctx, actor(c), f)
	if err != nil {
		return err
	}
	names, err := s.partnerNames(c)
	if err != nil {
		return err
	}
	page := paginate(items, ordi.DefaultLimit, func(h allocation.HouseholdSummary) string { return ordi.IDCursor(h.ID) })
	q := url.Values{}
	if f.Status != "" {
		q.Set("status", string(f.Status))
	}
	if f.Q != "" {
		q.Set("q", f.Q)
	}
	u, _ := userOf(c)
	title := "Familles"
	if u.Role == ordi.RoleSocialWorker {
		title = "Mes familles"
	}
	p := familiesPage{basePage: s.base(c, title), allocationOptions: newAllocationOptions(), Families: page.Items, Next: page.NextCursor,
		Status: f.Status, Q: f.Q, Query: q.Encode(), CanNominate: nominate.allows(u.Role), PartnerName: names}
	s.render(c, http.StatusOK, "families", &p)
	return nil
}

type familyFormPage struct {
	basePage
	allocationOptions
	Edit     bool
	ID       int64
	Version  int
	Form     url.Values
	Fields   []ordi.FieldError
	Partners []account.Partner // administrators choose the partner
	IsAdmin  bool
}

func (s *Server) familyForm(c *gin.Context, title string, form url.Values, fields []ordi.FieldError) (*familyFormPage, error) {
	u, _ := userOf(c)
	p := &familyFormPage{basePage: s.base(c, title), allocationOptions: newAllocationOptions(), Form: form, Fields: fields, IsAdmin: u.Role == ordi.RoleAdmin}
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
		Consent: form.Get("consent") == "yes", PartnerID: partner,
	}
	var h allocation.Household
	if len(fields) == 0 {
		var err error
		h, err = s.cfg.Allocation.Nominate(c.Request.Context(), actor(c), in)
		if fields, err = invalidFields(err); err != nil {
			return err
		}
	}
	if len(fields) > 0 {
		p, err := s.familyForm(c, "Orienter une famille", form, fields)
		if err != nil {
			return err
		}
		s.render(c, http.StatusUnprocessableEntity, "family_form", p)
		return nil
	}
	s.flash(c, "Famille orientée sous la référence "+h.Reference+". L'équipe va vérifier son éligibilité.")
	return seeOther(c, "/families/"+strconv.FormatInt(h.ID, 10))
}

type familyPage struct {
	basePage
	allocationOptions
	Family       allocation.Household
	PartnerName  string
	Checklist    *allocation.Checklist
	Reservations []allocation.ReservationView
	Courses      []allocation.CourseSummary // where an eligible family can be enrolled
	CanDecide    bool
	CanEdit      bool
	CanExport    bool
	CanWithdraw  bool
	CanAudit     bool // the access log of this file (administrators)
	CanErase     bool // erase the family's data at its request (administrators)
	Fields       []ordi.FieldError
}

func (s *Server) familyPage(c *gin.Context, id int64) (*familyPage, error) {
	ctx := c.Request.Context()
	a := actor(c)
	h, err := s.cfg.Allocation.Household(ctx, a, id)
	if err != nil {
		return nil, err
	}
	open := h.ErasedAt == nil // an erased file is closed
	p := &familyPage{basePage: s.base(c, "Famille "+h.Reference), allocationOptions: newAllocationOptions(), Family: h,
		CanDecide: allocate.allows(a.Role), CanEdit: open && nominate.allows(a.Role), CanExport: nominate.allows(a.Role), CanWithdraw: open,
		CanAudit: adminOnly.allows(a.Role), CanErase: open && adminOnly.allows(a.Role)}
	if partner, err := s.cfg.Accounts.Partner(ctx, h.PartnerID); err == nil {
		p.PartnerName = partner.Name
	}
	if p.CanDecide {
		if open {
			cl, err := s.cfg.Allocation.Checklist(ctx, h)
			if err != nil {
				return nil, err
			}
			p.Checklist = &cl
		}
		if p.Reservations, err = s.cfg.Allocation.Reservations(ctx, a, allocation.ReservationFilter{HouseholdID: h.ID, Limit: 20}); err != nil {
			return nil, err
		}
		if h.Status == allocation.StatusEligible {
			if p.Courses, err = s.cfg.Allocation.Courses(ctx, a, allocation.CourseFilter{Limit: 20}); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}

func (s *Server) handleFamilyPage(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	p, err := s.familyPage(c, id)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "family", p)
	return nil
}

func (s *Server) handleFamilyDecision(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	eligible := c.PostForm("eligible") == "yes"
	h, err := s.cfg.Allocation.Decide(c.Request.Context(), actor(c), id, eligible, c.PostForm("reason"))
	if err != nil {
		return s.familyFormError(c, id, err)
	}
	s.flash(c, "Décision enregistrée : famille « "+h.Status.Label()+" ».")
	return seeOther(c, "/families/"+strconv.FormatInt(id, 10))
}

// familyFormError re-renders the family page with the error of one of its
// forms, or returns the error when it is not the user's to fix.
func (s *Server) familyFormError(c *gin.Context, id int64, err error) error {
	kind := ordi.KindOf(err)
	if kind != ordi.Invalid && kind != ordi.Conflict {
		return err
	}
	p, perr := s.familyPage(c, id)
	if perr != nil {
		return perr
	}
	p.Fields, _ = invalidFields(err)
	if kind == ordi.Conflict {
		p.Fields = []ordi.FieldError{{Message: ordi.MessageOf(err)}}
	}
	s.render(c, statusOf[kind], "family", p)
	return nil
}

func (s *Server) handleFamilyWithdraw(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if _, err := s.cfg.Allocation.Withdraw(c.Request.Context(), actor(c), id, c.PostForm("reason")); err != nil {
		return s.familyFormError(c, id, err)
	}
	s.flash(c, "La famille est sortie du dispositif.")
	return seeOther(c, "/families/"+strconv.FormatInt(id, 10))
}

func (s *Server) handleFamilyErase(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if _, err := s.cfg.Allocation.EraseHousehold(c.Request.Context(), actor(c), id, c.PostForm("confirm")); err != nil {
		return s.familyFormError(c, id, err)
	}
	s.flash(c, "Les données de la famille ont été effacées.")
	return seeOther(c, "/families/"+strconv.FormatInt(id, 10))
}

func (s *Server) handleFamilyEnroll(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	course, _ := strconv.ParseInt(c.PostForm("course_id"), 10, 64)
	if err := s.cfg.Allocation.Enroll(c.Request.Context(), actor(c), course, id); err != nil {
		if ordi.KindOf(err) == ordi.NotFound {
			err = &ordi.Error{Kind: ordi.Invalid, Message: "Choisissez une formation.", Fields: []ordi.FieldError{{Field: "course_id", Message: "Choisissez une formation."}}}
		}
		return s.familyFormError(c, id, err)
	}
	s.flash(c, "Famille inscrite à la formation.")
	return seeOther(c, "/families/"+strconv.FormatInt(id, 10))
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
	return url.Values{
		"contact_name": {h.ContactName}, "phone": {h.Phone}, "commune": {h.Commune}, "postcode": {h.Postcode},
		"qpv": {yesNo(h.QPV)}, "adults": {strconv.Itoa(h.Adults)}, "children": {strconv.Itoa(h.Children)},
		"school_children": {strconv.Itoa(h.SchoolChildren)}, "income_bracket": {string(h.IncomeBracket)},
		"has_computer": {yesNo(h.HasComputer)}, "need": {string(h.Need)}, "notes": {h.Notes}, "consent": {"yes"},
	}
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
	var h allocation.Household
	if len(fields) == 0 {
		h, err = s.cfg.Allocation.UpdateHousehold(c.Request.Context(), actor(c), id, up)
		if err != nil && ordi.KindOf(err) == ordi.Conflict {
			fields = []ordi.FieldError{{Message: ordi.MessageOf(err)}}
		} else if fields, err = invalidFields(err); err != nil {
			return err
		}
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

type coursesPage struct {
	basePage
	Courses   []allocation.CourseSummary
	Next      string
	CanCreate bool
}

func (s *Server) handleCoursesPage(c *gin.Context) error {
	before, err := ordi.CursorID(c.Query("cursor"))
	if err != nil {
		return err
	}
	items, err := s.cfg.Allocation.Courses(c.Request.Context(), actor(c), allocation.CourseFilter{Before: before, Limit: ordi.DefaultLimit + 1})
	if err != nil {
		return err
	}
	page := paginate(items, ordi.DefaultLimit, func(cs allocation.CourseSummary) string { return ordi.IDCursor(cs.ID) })
	u, _ := userOf(c)
	title := "Formations"
	if u.Role == ordi.RoleTrainer {
		title = "Mes formations"
	}
	p := coursesPage{basePage: s.base(c, title), Courses: page.Items, Next: page.NextCursor, CanCreate: allocate.allows(u.Role)}
	s.render(c, http.StatusOK, "courses", &p)
	return nil
}

type courseFormPage struct {
	basePage
	Form     url.Values
	Fields   []ordi.FieldError
	Trainers []account.User
}

func (s *Server) courseForm(c *gin.Context, form url.Values, fields []ordi.FieldError) (*courseFormPage, error) {
	var trainers []account.User
	for _, role := range []ordi.Role{ordi.RoleTrainer, ordi.RoleStaff} {
		active := true
		us, err := s.cfg.Accounts.Users(c.Request.Context(), account.UserFilter{Role: role, Active: &active, Limit: ordi.MaxLimit})
		if err != nil {
			return nil, err
		}
		trainers = append(trainers, us...)
	}
	return &courseFormPage{basePage: s.base(c, "Nouvelle formation"), Form: form, Fields: fields, Trainers: trainers}, nil
}

func (s *Server) handleCourseNewPage(c *gin.Context) error {
	rules, err := s.cfg.Allocation.Rules(c.Request.Context())
	if err != nil {
		return err
	}
	p, err := s.courseForm(c, url.Values{"required_sessions": {strconv.Itoa(rules.RequiredSessions)}}, nil)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "course_form", p)
	return nil
}

func (s *Server) handleCourseCreate(c *gin.Context) error {
	if err := c.Request.ParseForm(); err != nil {
		return ordi.Errorf(ordi.Malformed, "Formulaire illisible.")
	}
	form := c.Request.PostForm
	var fields []ordi.FieldError
	trainer, _ := strconv.ParseInt(form.Get("trainer_id"), 10, 64)
	var dates []string
	for _, d := range form["session_dates"] {
		if d = strings.TrimSpace(d); d != "" {
			dates = append(dates, d)
		}
	}
	in := allocation.NewCourse{Title: form.Get("title"), Place: form.Get("place"), TrainerID: trainer, SessionDates: dates,
		RequiredSessions: atoiForm(form, "required_sessions", &fields)}
	var course allocation.Course
	if len(fields) == 0 {
		var err error
		course, err = s.cfg.Allocation.CreateCourse(c.Request.Context(), actor(c), in)
		if fields, err = invalidFields(err); err != nil {
			return err
		}
	}
	if len(fields) > 0 {
		p, err := s.courseForm(c, form, fields)
		if err != nil {
			return err
		}
		s.render(c, http.StatusUnprocessableEntity, "course_form", p)
		return nil
	}
	s.flash(c, "Formation créée. Inscrivez-y maintenant les familles éligibles.")
	return seeOther(c, "/courses/"+strconv.FormatInt(course.ID, 10))
}

type coursePage struct {
	basePage
	Course      allocation.CourseDetail
	Eligible    []allocation.HouseholdSummary // families that can be enrolled
	CanEnroll   bool
	CanMark     bool
	Fields      []ordi.FieldError
	MarkedCount int
}

func (s *Server) coursePage(c *gin.Context, id int64) (*coursePage, error) {
	ctx := c.Request.Context()
	a := actor(c)
	d, err := s.cfg.Allocation.Course(ctx, a, id)
	if err != nil {
		return nil, err
	}
	p := &coursePage{basePage: s.base(c, d.Title), Course: d, CanEnroll: allocate.allows(a.Role), CanMark: courses.allows(a.Role)}
	if p.CanEnroll {
		if p.Eligible, err = s.cfg.Allocation.Households(ctx, a, allocation.HouseholdFilter{Status: allocation.StatusEligible, Limit: ordi.MaxLimit}); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (s *Server) handleCoursePage(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	p, err := s.coursePage(c, id)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "course", p)
	return nil
}

func (s *Server) handleCourseEnroll(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	household, _ := strconv.ParseInt(c.PostForm("household_id"), 10, 64)
	if err := s.cfg.Allocation.Enroll(c.Request.Context(), actor(c), id, household); err != nil {
		kind := ordi.KindOf(err)
		if kind != ordi.Invalid && kind != ordi.Conflict {
			return err
		}
		p, perr := s.coursePage(c, id)
		if perr != nil {
			return perr
		}
		p.Fields = []ordi.FieldError{{Field: "household_id", Message: ordi.MessageOf(err)}}
		s.render(c, statusOf[kind], "course", p)
		return nil
	}
	s.flash(c, "Famille inscrite.")
	return seeOther(c, "/courses/"+strconv.FormatInt(id, 10))
}

// attendanceCell is one toggle of the attendance sheet.
type attendanceCell struct {
	CourseID    int64
	HouseholdID int64
	Session     int
	Present     *bool
	Attended    int
	Required    int                        // sessions the course requires
	Status      allocation.HouseholdStatus // empty for a trainer
	CanMark     bool
	// OOB also sends the family's progress to its cell (htmx out-of-band).
	OOB bool
}

// handleCourseAttendance records one tap on the attendance sheet. With htmx
// it answers the new toggle only; without, it goes back to the sheet.
func (s *Server) handleCourseAttendance(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	household, _ := strconv.ParseInt(c.PostForm("household_id"), 10, 64)
	session, _ := strconv.Atoi(c.PostForm("session"))
	present := c.PostForm("present") == "true"
	at, err := s.cfg.Allocation.RecordAttendance(c.Request.Context(), actor(c), id, allocation.Mark{HouseholdID: household, Session: session, Present: present})
	if err != nil {
		return err
	}
	if c.GetHeader("HX-Request") == "true" {
		course, err := s.cfg.Allocation.Course(c.Request.Context(), actor(c), id)
		if err != nil {
			return err
		}
		cell := attendanceCell{CourseID: id, HouseholdID: household, Session: session, Present: &present, Attended: at.Attended, Required: course.RequiredSessions, Status: at.Status, CanMark: true, OOB: true}
		s.renderFragment(c, http.StatusOK, "course", "attendance-cell", &cell)
		return nil
	}
	return seeOther(c, "/courses/"+strconv.FormatInt(id, 10)+"#presence")
}

type proposalsPage struct {
	basePage
	Set ProposalsView
}

// ProposalsView is the proposal set with what the page shows of each unit.
type ProposalsView struct {
	Proposals []allocation.Proposal
	Unmatched []allocation.Unmatched
}

func (s *Server) handleProposalsPage(c *gin.Context) error {
	set, err := s.cfg.Allocation.Proposals(c.Request.Context(), actor(c))
	if err != nil {
		return err
	}
	p := proposalsPage{basePage: s.base(c, "Attribution"), Set: ProposalsView{Proposals: set.Proposals, Unmatched: set.Unmatched}}
	s.render(c, http.StatusOK, "proposals", &p)
	return nil
}

// handleReservationsCreate reserves one proposal, or all of them: each pair
// is its own reservation, so one conflict does not undo the others.
func (s *Server) handleReservationsCreate(c *gin.Context) error {
	if err := c.Request.ParseForm(); err != nil {
		return ordi.Errorf(ordi.Malformed, "Formulaire illisible.")
	}
	pairs := c.Request.PostForm["pair"] // "householdID:unitCode"
	// One proposal's form may carry the handover appointment.
	appointment := strings.TrimSpace(c.PostForm("appointment_on"))
	done, failed := 0, []string{}
	for _, pair := range pairs {
		hid, code, ok := strings.Cut(pair, ":")
		id, err := strconv.ParseInt(hid, 10, 64)
		if !ok || err != nil {
			return ordi.Errorf(ordi.Malformed, "Proposition illisible.")
		}
		if _, err := s.cfg.Allocation.ReserveOn(c.Request.Context(), actor(c), id, code, appointment); err != nil {
			if k := ordi.KindOf(err); k != ordi.Conflict && k != ordi.Invalid {
				return err
			}
			failed = append(failed, code+" : "+ordi.MessageOf(err))
			continue
		}
		done++
	}
	switch {
	case len(failed) > 0:
		s.flashError(c, ordi.Plural(done, "réservation faite", "réservations faites")+" ; refusées : "+strings.Join(failed, " ; "))
	case done == 0:
		s.flashError(c, "Aucune proposition choisie.")
	default:
		s.flash(c, ordi.Plural(done, "réservation confirmée", "réservations confirmées")+". Fixez le rendez-vous de remise avec chaque famille.")
	}
	return seeOther(c, "/allocation")
}

func (s *Server) handleReservationCancel(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	r, err := s.cfg.Allocation.Cancel(c.Request.Context(), actor(c), id, c.PostForm("reason"))
	if err != nil {
		if k := ordi.KindOf(err); k == ordi.Conflict || k == ordi.Invalid {
			s.flashError(c, ordi.MessageOf(err))
			return seeOther(c, c.PostForm("back"))
		}
		return err
	}
	s.flash(c, "Réservation annulée : l'unité "+string(r.UnitCode)+" est de nouveau prête.")
	return seeOther(c, "/families/"+strconv.FormatInt(r.HouseholdID, 10))
}

type rulesPage struct {
	basePage
	Rules       allocation.Rules
	IncomeBands []allocation.IncomeBand
	Fields      []ordi.FieldError
}

func (s *Server) handleRulesPage(c *gin.Context) error {
	r, err := s.cfg.Allocation.Rules(c.Request.Context())
	if err != nil {
		return err
	}
	p := rulesPage{basePage: s.base(c, "Règles du programme"), Rules: r, IncomeBands: allocation.IncomeBands()}
	s.render(c, http.StatusOK, "rules", &p)
	return nil
}

func (s *Server) handleRulesUpdate(c *gin.Context) error {
	var fields []ordi.FieldError
	form := url.Values{"required_sessions": {c.PostForm("required_sessions")}}
	r := allocation.Rules{
		QPVRequired: c.PostForm("qpv_required") == "on", MaxIncomeBand: allocation.IncomeBand(c.PostForm("max_income_band")),
		NoComputerRequired: c.PostForm("no_computer_required") == "on", OneUnitPerHousehold: c.PostForm("one_unit_per_household") == "on",
		RequiredSessions: atoiForm(form, "required_sessions", &fields),
	}
	if len(fields) == 0 {
		_, err := s.cfg.Allocation.SetRules(c.Request.Context(), actor(c), r)
		if fields, err = invalidFields(err); err != nil {
			return err
		}
	}
	if len(fields) > 0 {
		p := rulesPage{basePage: s.base(c, "Règles du programme"), Rules: r, IncomeBands: allocation.IncomeBands(), Fields: fields}
		s.render(c, http.StatusUnprocessableEntity, "rules", &p)
		return nil
	}
	s.flash(c, "Règles du programme enregistrées.")
	return seeOther(c, "/admin/programme")
}

type adminPage struct {
	basePage
}

func (s *Server) handleAdminPage(c *gin.Context) error {
	p := adminPage{basePage: s.base(c, "Administration")}
	s.render(c, http.StatusOK, "admin", &p)
	return nil
}

type accessLogPage struct {
	basePage
	Entries   []allocation.AccessEntry
	Next      string
	Reference string // the family asked for, as typed or as found
	Query     string // the filter, kept by "Plus anciens"
	Fields    []ordi.FieldError
}

// handleAccessLogPage lists the access log, every family's or one family's
// (?reference= typed by the administrator, ?household_id= from a family page).
func (s *Server) handleAccessLogPage(c *gin.Context) error {
	before, err := ordi.CursorID(c.Query("cursor"))
	if err != nil {
		return err
	}
	household, err := queryID(c, "household_id")
	if err != nil {
		return err
	}
	f := allocation.AccessLogFilter{HouseholdID: household, Reference: c.Query("reference"), Before: before, Limit: ordi.DefaultLimit + 1}
	p := accessLogPage{basePage: s.base(c, "Journal des accès aux dossiers"), Reference: strings.ToUpper(strings.TrimSpace(f.Reference))}
	items, err := s.cfg.Allocation.AccessLog(c.Request.Context(), actor(c), f)
	var invalid *ordi.Error
	switch {
	case errors.As(err, &invalid) && invalid.Kind == ordi.Invalid:
		p.Fields = invalid.Fields
		s.render(c, http.StatusUnprocessableEntity, "access_log", &p)
		return nil
	case err != nil:
		return err
	}
	page := paginate(items, ordi.DefaultLimit, func(e allocation.AccessEntry) string { return ordi.IDCursor(e.ID) })
	p.Entries, p.Next = page.Items, page.NextCursor
	q := url.Values{}
	if household > 0 {
		q.Set("household_id", strconv.FormatInt(household, 10))
		if len(items) > 0 {
			p.Reference = items[0].Reference
		}
	} else if p.Reference != "" {
		q.Set("reference", p.Reference)
	}
	p.Query = q.Encode()
	s.render(c, http.StatusOK, "access_log", &p)
	return nil
}
