package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/database/dbtest"
)

// This file holds the exhaustive access matrix of DESIGN §3 and §6 for the
// families: every household route of the route table (API and pages) is
// called by every role, and by a social worker of the family's partner and
// of another partner. Each cell gets a fresh family in the state the route
// needs, so an allowed call really succeeds and a refused one can be shown
// to change nothing and to log nothing.

// haOutcome is the expected answer of one cell.
type haOutcome int

const (
	haOK        haOutcome = iota + 1 // the route's success status (2xx, or 303 to its success page)
	haForbidden                      // 403: the role never has the capability
	haHidden                         // 404: out of the caller's scope, existence not disclosed
	haInvalid                        // 422: refused as invalid input, nothing written
)

func (o haOutcome) String() string {
	return map[haOutcome]string{haOK: "allowed", haForbidden: "403", haHidden: "404", haInvalid: "422"}[o]
}

// haWant is one row of expectations: what each kind of caller gets. own is a
// social worker of the family's partner, other a social worker of another
// partner; the other roles get the same answer for every family.
type haWant struct{ admin, staff, volunteer, trainer, own, other haOutcome }

// haCaller is one user calling the routes. Social workers belong to
// partner "A" or "B".
type haCaller struct {
	name    string
	role    ordi.Role
	partner string
}

var haCallers = []haCaller{
	{"admin", ordi.RoleAdmin, ""},
	{"staff", ordi.RoleStaff, ""},
	{"volunteer", ordi.RoleVolunteer, ""},
	{"trainer", ordi.RoleTrainer, ""},
	{"social_worker_A", ordi.RoleSocialWorker, "A"},
	{"social_worker_B", ordi.RoleSocialWorker, "B"},
}

// of is the expectation for caller c on a family of partner target.
func (w haWant) of(c haCaller, target string) haOutcome {
	switch c.role {
	case ordi.RoleAdmin:
		return w.admin
	case ordi.RoleStaff:
		return w.staff
	case ordi.RoleVolunteer:
		return w.volunteer
	case ordi.RoleTrainer:
		return w.trainer
	}
	if c.partner == target {
		return w.own
	}
	return w.other
}

// haState is the state a cell's fresh family is brought to before the call.
type haState int

const (
	haNoFamily  haState = iota // the route creates the family
	haNominated                // just nominated
	haEligible                 // eligible (enrolment routes)
	haTrained                  // trained, with a ready unit for it (reservation)
	haReserved                 // a unit reserved for it
)

// haFamily is a cell's family and what hangs off it.
type haFamily struct {
	ID          int64
	Reference   string
	Name        string
	Version     int
	Unit        string // a ready unit for it (trained), or its reserved unit
	Reservation int64
	// Phone and Notes are fields of the file found nowhere else: an answer
	// that carries either shows the file.
	Phone, Notes string
}

// showsFile reports whether an answer carries fields of h's file (beyond
// the name and reference that lists and queues may show).
func (h haFamily) showsFile(text string) bool {
	return h.Phone != "" && strings.Contains(text, h.Phone) || h.Notes != "" && strings.Contains(text, h.Notes)
}

// haCell is what a route needs to build its request.
type haCell struct {
	h       haFamily
	name    string // the contact name of a family to create
	partner int64  // the partner the family belongs (or is nominated) to
	course  int64
}

// haEffect checks the family after an allowed call; "" when it is right.
type haEffect func(x haCell, r haRow) string

func statusBecomes(s allocation.HouseholdStatus) haEffect {
	return func(_ haCell, r haRow) string {
		if r.Status != string(s) {
			return fmt.Sprintf("family is %q, want %q", r.Status, s)
		}
		return ""
	}
}

// erased checks that the family's data is gone and the family withdrawn.
func erased(_ haCell, r haRow) string {
	if r.ContactName != allocation.ErasedName || r.Status != string(allocation.StatusWithdrawn) {
		return fmt.Sprintf("after the erasure: name %q, status %q", r.ContactName, r.Status)
	}
	return ""
}

const haEditedNotes = "Dossier complété lors de l'entretien"

func notesEdited(x haCell, r haRow) string {
	if r.Notes != haEditedNotes || r.Version != x.h.Version+1 {
		return fmt.Sprintf("after the edit: notes %q, version %d (was %d)", r.Notes, r.Version, x.h.Version)
	}
	return ""
}

// haRoute is one household route and its row of the matrix.
type haRoute struct {
	name   string
	page   bool // called with a browser session instead of a bearer token
	method string
	state  haState
	path   func(x haCell) string
	body   func(x haCell) any // a JSON value, or url.Values for a page
	want   haWant
	status int                   // the status of an allowed call
	to     func(x haCell) string // where an allowed page POST redirects
	// logs is the access-log action an allowed call writes exactly once
	// ("" for routes that are no read of the family's file).
	logs string
	// shows: an allowed answer shows the family's file (its contact name);
	// nameless: an allowed answer never shows the contact name or phone.
	shows, nameless bool
	// namesTo are the roles to which the answer names the family (its
	// contact name only): for them it is a read of the file, logged once;
	// the others get it nameless and unlogged.
	namesTo []ordi.Role
	effect  haEffect
	creates bool // the route nominates a new family for x.partner
}

func haID(x haCell) string { return fmt.Sprint(x.h.ID) }

func haRoutes() []haRoute {
	const get, post, patch, del = http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete
	const ok, forbidden, hidden, invalid = haOK, haForbidden, haHidden, haInvalid
	family := func(x haCell) string { return "/families/" + haID(x) }
	api := func(x haCell) string { return "/api/v1/households/" + haID(x) }
	return []haRoute{
		// API v1.
		{name: "POST /api/v1/households", method: post, state: haNoFamily,
			path: func(haCell) string { return "/api/v1/households" },
			body: func(x haCell) any { b := nominationBody(x.name); b["partner_id"] = x.partner; return b },
			want: haWant{ok, forbidden, forbidden, forbidden, ok, invalid}, status: http.StatusCreated, creates: true},
		{name: "GET /api/v1/households/:id", method: get, state: haNominated, path: api,
			want: haWant{ok, ok, forbidden, forbidden, ok, hidden}, status: http.StatusOK, logs: allocation.AccessRead, shows: true},
		{name: "PATCH /api/v1/households/:id", method: patch, state: haNominated, path: api,
			body: func(x haCell) any { return map[string]any{"version": x.h.Version, "notes": haEditedNotes} },
			want: haWant{ok, forbidden, forbidden, forbidden, ok, hidden}, status: http.StatusOK, effect: notesEdited},
		// A stale version changes nothing; its answer is no read of the file.
		{name: "PATCH /api/v1/households/:id (stale version)", method: patch, state: haNominated, path: api,
			body: func(x haCell) any { return map[string]any{"version": 0, "notes": haEditedNotes} },
			want: haWant{ok, forbidden, forbidden, forbidden, ok, hidden}, status: http.StatusConflict},
		{name: "POST /api/v1/households/:id/decision", method: post, state: haNominated,
			path: func(x haCell) string { return api(x) + "/decision" },
			body: func(haCell) any { return map[string]any{"eligible": true} },
			want: haWant{ok, ok, forbidden, forbidden, forbidden, forbidden}, status: http.StatusOK, effect: statusBecomes(allocation.StatusEligible)},
		{name: "POST /api/v1/households/:id/withdraw", method: post, state: haNominated,
			path: func(x haCell) string { return api(x) + "/withdraw" },
			body: func(haCell) any { return map[string]any{"reason": "La famille a déménagé"} },
			want: haWant{ok, ok, forbidden, forbidden, ok, hidden}, status: http.StatusOK, effect: statusBecomes(allocation.StatusWithdrawn)},
		{name: "POST /api/v1/households/:id/erase", method: post, state: haNominated,
			path: func(x haCell) string { return api(x) + "/erase" },
			body: func(x haCell) any { return map[string]any{"confirm": x.h.Reference} },
			want: haWant{ok, forbidden, forbidden, forbidden, forbidden, forbidden}, status: http.StatusOK, effect: erased},
		{name: "GET /api/v1/households/:id/export", method: get, state: haNominated,
			path: func(x haCell) string { return api(x) + "/export" },
			want: haWant{ok, forbidden, forbidden, forbidden, ok, hidden}, status: http.StatusOK, logs: allocation.AccessExport, shows: true},
		{name: "GET /api/v1/households/:id/checklist", method: get, state: haNominated,
			path: func(x haCell) string { return api(x) + "/checklist" },
			want: haWant{ok, ok, forbidden, forbidden, forbidden, forbidden}, status: http.StatusOK, logs: allocation.AccessRead},
		{name: "GET /api/v1/access-log?household_id=", method: get, state: haNominated,
			path: func(x haCell) string { return "/api/v1/access-log?household_id=" + haID(x) },
			want: haWant{ok, forbidden, forbidden, forbidden, forbidden, forbidden}, status: http.StatusOK, nameless: true},
		{name: "POST /api/v1/courses/:id/enrollments", method: post, state: haEligible,
			path: func(x haCell) string { return fmt.Sprintf("/api/v1/courses/%d/enrollments", x.course) },
			body: func(x haCell) any { return map[string]any{"household_id": x.h.ID} },
			want: haWant{ok, ok, forbidden, forbidden, forbidden, forbidden}, status: http.StatusCreated, effect: statusBecomes(allocation.StatusEnrolled)},
		{name: "POST /api/v1/reservations", method: post, state: haTrained,
			path: func(haCell) string { return "/api/v1/reservations" },
			body: func(x haCell) any { return map[string]any{"household_id": x.h.ID, "unit_code": x.h.Unit} },
			want: haWant{ok, ok, forbidden, forbidden, forbidden, forbidden}, status: http.StatusCreated, effect: statusBecomes(allocation.StatusReserved)},
		{name: "GET /api/v1/reservations?household_id=", method: get, state: haReserved,
			path: func(x haCell) string { return "/api/v1/reservations?household_id=" + haID(x) },
			want: haWant{ok, ok, ok, forbidden, forbidden, forbidden}, status: http.StatusOK, nameless: true},
		{name: "GET /api/v1/reservations/:id", method: get, state: haReserved,
			path: func(x haCell) string { return fmt.Sprintf("/api/v1/reservations/%d", x.h.Reservation) },
			want: haWant{ok, ok, ok, forbidden, forbidden, forbidden}, status: http.StatusOK, nameless: true},
		{name: "DELETE /api/v1/reservations/:id", method: del, state: haReserved,
			path: func(x haCell) string { return fmt.Sprintf("/api/v1/reservations/%d?reason=absente", x.h.Reservation) },
			want: haWant{ok, ok, forbidden, forbidden, forbidden, forbidden}, status: http.StatusOK, effect: statusBecomes(allocation.StatusTrained)},
		// The page's export button is a link to the API, followed with the
		// browser session.
		{name: "GET /api/v1/households/:id/export (session)", page: true, method: get, state: haNominated,
			path: func(x haCell) string { return api(x) + "/export" },
			want: haWant{ok, forbidden, forbidden, forbidden, ok, hidden}, status: http.StatusOK, logs: allocation.AccessExport, shows: true},

		// Pages.
		{name: "POST /families", page: true, method: post, state: haNoFamily,
			path: func(haCell) string { return "/families" },
			body: func(x haCell) any {
				f := nominationForm(x.name)
				f.Set("partner_id", fmt.Sprint(x.partner))
				return f
			},
			want: haWant{ok, forbidden, forbidden, forbidden, ok, invalid}, status: http.StatusSeeOther, to: family, creates: true},
		{name: "GET /families/:id", page: true, method: get, state: haNominated, path: family,
			want: haWant{ok, ok, forbidden, forbidden, ok, hidden}, status: http.StatusOK, logs: allocation.AccessRead, shows: true},
		{name: "GET /families/:id/edit", page: true, method: get, state: haNominated,
			path: func(x haCell) string { return family(x) + "/edit" },
			want: haWant{ok, forbidden, forbidden, forbidden, ok, hidden}, status: http.StatusOK, logs: allocation.AccessRead, shows: true},
		{name: "GET /families/:id/export", page: true, method: get, state: haNominated,
			path: func(x haCell) string { return family(x) + "/export" },
			want: haWant{ok, forbidden, forbidden, forbidden, ok, hidden}, status: http.StatusOK, logs: allocation.AccessExport, shows: true},
		{name: "POST /families/:id/edit", page: true, method: post, state: haNominated,
			path: func(x haCell) string { return family(x) + "/edit" },
			body: func(x haCell) any {
				f := nominationForm(x.h.Name)
				f.Set("phone", "06 00 00 00 00")
				f.Set("notes", haEditedNotes)
				f.Set("version", fmt.Sprint(x.h.Version))
				return f
			},
			want: haWant{ok, forbidden, forbidden, forbidden, ok, hidden}, status: http.StatusSeeOther, to: family, effect: notesEdited},
		{name: "POST /families/:id/edit (stale version)", page: true, method: post, state: haNominated,
			path: func(x haCell) string { return family(x) + "/edit" },
			body: func(x haCell) any {
				f := nominationForm(x.h.Name)
				f.Set("notes", haEditedNotes)
				f.Set("version", "0")
				return f
			},
			want: haWant{ok, forbidden, forbidden, forbidden, ok, hidden}, status: http.StatusUnprocessableEntity},
		{name: "POST /families/:id/decision", page: true, method: post, state: haNominated,
			path: func(x haCell) string { return family(x) + "/decision" },
			body: func(haCell) any { return url.Values{"eligible": {"yes"}} },
			want: haWant{ok, ok, forbidden, forbidden, forbidden, forbidden}, status: http.StatusSeeOther, to: family, effect: statusBecomes(allocation.StatusEligible)},
		{name: "POST /families/:id/withdraw", page: true, method: post, state: haNominated,
			path: func(x haCell) string { return family(x) + "/withdraw" },
			body: func(haCell) any { return url.Values{"reason": {"La famille a déménagé"}} },
			want: haWant{ok, ok, forbidden, forbidden, ok, hidden}, status: http.StatusSeeOther, to: family, effect: statusBecomes(allocation.StatusWithdrawn)},
		{name: "POST /families/:id/erase", page: true, method: post, state: haNominated,
			path: func(x haCell) string { return family(x) + "/erase" },
			body: func(x haCell) any { return url.Values{"confirm": {x.h.Reference}} },
			want: haWant{ok, forbidden, forbidden, forbidden, forbidden, forbidden}, status: http.StatusSeeOther, to: family, effect: erased},
		{name: "POST /families/:id/enroll", page: true, method: post, state: haEligible,
			path: func(x haCell) string { return family(x) + "/enroll" },
			body: func(x haCell) any { return url.Values{"course_id": {fmt.Sprint(x.course)}} },
			want: haWant{ok, ok, forbidden, forbidden, forbidden, forbidden}, status: http.StatusSeeOther, to: family, effect: statusBecomes(allocation.StatusEnrolled)},
		{name: "POST /courses/:id/enrollments", page: true, method: post, state: haEligible,
			path: func(x haCell) string { return fmt.Sprintf("/courses/%d/enrollments", x.course) },
			body: func(x haCell) any { return url.Values{"household_id": {haID(x)}} },
			want: haWant{ok, ok, forbidden, forbidden, forbidden, forbidden}, status: http.StatusSeeOther,
			to: func(x haCell) string { return fmt.Sprintf("/courses/%d", x.course) }, effect: statusBecomes(allocation.StatusEnrolled)},
		{name: "POST /reservations", page: true, method: post, state: haTrained,
			path: func(haCell) string { return "/reservations" },
			body: func(x haCell) any { return url.Values{"pair": {haID(x) + ":" + x.h.Unit}} },
			want: haWant{ok, ok, forbidden, forbidden, forbidden, forbidden}, status: http.StatusSeeOther,
			to: func(haCell) string { return "/allocation" }, effect: statusBecomes(allocation.StatusReserved)},
		{name: "POST /reservations/:id/cancel", page: true, method: post, state: haReserved,
			path: func(x haCell) string { return fmt.Sprintf("/reservations/%d/cancel", x.h.Reservation) },
			body: func(x haCell) any { return url.Values{"reason": {"absente"}, "back": {family(x)}} },
			want: haWant{ok, ok, forbidden, forbidden, forbidden, forbidden}, status: http.StatusSeeOther, to: family, effect: statusBecomes(allocation.StatusTrained)},
		{name: "GET /handovers/:id", page: true, method: get, state: haReserved,
			path: func(x haCell) string { return fmt.Sprintf("/handovers/%d", x.h.Reservation) },
			want: haWant{ok, ok, ok, forbidden, forbidden, forbidden}, status: http.StatusOK, nameless: true,
			namesTo: []ordi.Role{ordi.RoleAdmin, ordi.RoleStaff}},
		{name: "GET /admin/access-log?household_id=", page: true, method: get, state: haNominated,
			path: func(x haCell) string { return "/admin/access-log?household_id=" + haID(x) },
			want: haWant{ok, forbidden, forbidden, forbidden, forbidden, forbidden}, status: http.StatusOK, nameless: true},
	}
}

// haList is a route that is not about one family: a list, a form, a queue.
// When canaries is set an allowed answer must show the families of the
// caller's scope and no other (both partners' canaries for staff and
// administrators, their own partner's only for a social worker).
type haList struct {
	name     string
	page     bool
	method   string
	path     string
	want     haWant // other is unused: these routes have no target family
	canaries bool
}

func haLists() []haList {
	const get, post = http.MethodGet, http.MethodPost
	const ok, forbidden = haOK, haForbidden
	return []haList{
		{"GET /api/v1/households", false, get, "/api/v1/households", haWant{ok, ok, forbidden, forbidden, ok, 0}, true},
		{"GET /api/v1/households?q=canari", false, get, "/api/v1/households?q=canari", haWant{ok, ok, forbidden, forbidden, ok, 0}, true},
		{"GET /api/v1/households?status=nominated", false, get, "/api/v1/households?status=nominated", haWant{ok, ok, forbidden, forbidden, ok, 0}, true},
		// The list exports: the CSV's text is read for the canaries; the
		// XLSX is compressed, so only its answer is checked here (its
		// content: TestFamilyListExport).
		{"GET /api/v1/households.csv", false, get, "/api/v1/households.csv", haWant{ok, ok, forbidden, forbidden, ok, 0}, true},
		{"GET /api/v1/households.csv?status=nominated", false, get, "/api/v1/households.csv?status=nominated", haWant{ok, ok, forbidden, forbidden, ok, 0}, true},
		{"GET /api/v1/households.xlsx", false, get, "/api/v1/households.xlsx", haWant{ok, ok, forbidden, forbidden, ok, 0}, false},
		{"GET /families", true, get, "/families", haWant{ok, ok, forbidden, forbidden, ok, 0}, true},
		{"GET /families?q=canari", true, get, "/families?q=canari", haWant{ok, ok, forbidden, forbidden, ok, 0}, true},
		{"GET /families?status=nominated", true, get, "/families?status=nominated", haWant{ok, ok, forbidden, forbidden, ok, 0}, true},
		{"GET /families/new", true, get, "/families/new", haWant{ok, forbidden, forbidden, forbidden, ok, 0}, false},
		{"GET /api/v1/access-log", false, get, "/api/v1/access-log", haWant{ok, forbidden, forbidden, forbidden, forbidden, 0}, false},
		{"GET /admin/access-log", true, get, "/admin/access-log", haWant{ok, forbidden, forbidden, forbidden, forbidden, 0}, false},
		{"POST /api/v1/allocation/proposals", false, post, "/api/v1/allocation/proposals", haWant{ok, ok, forbidden, forbidden, forbidden, 0}, false},
		{"GET /allocation", true, get, "/allocation", haWant{ok, ok, forbidden, forbidden, forbidden, 0}, false},
		{"GET /handovers", true, get, "/handovers", haWant{ok, ok, ok, forbidden, forbidden, 0}, false},
	}
}

// haFixture is one database's users, partners and shared objects.
type haFixture struct {
	app      *testApp
	db       *gorm.DB
	partners map[string]int64 // "A", "B"
	tokens   map[string]string
	sessions map[string]*http.Client
	userIDs  map[string]int64
	course   int64
	donation int64
	canaries map[string]haFamily // one family per partner, for the lists
	seq      int
	files    int // families nominated, numbering their phone and notes
}

func newHAFixture(t *testing.T, db *gorm.DB) *haFixture {
	t.Helper()
	app := newTestApp(t, db).withUsers()
	f := &haFixture{app: app, db: db, partners: map[string]int64{"A": app.partner.ID}, tokens: map[string]string{},
		sessions: map[string]*http.Client{}, userIDs: map[string]int64{}, canaries: map[string]haFamily{}}
	for _, c := range haCallers[:5] {
		f.tokens[c.name], f.userIDs[c.name], f.sessions[c.name] = app.tokens[c.role], app.users[c.role].ID, app.login(c.role)
	}
	ctx := context.Background()
	p, err := app.accounts.CreatePartner(ctx, ordi.System, account.NewPartner{Name: "Centre social Bravo", Kind: account.PartnerSocialCentre})
	if err != nil {
		t.Fatal(err)
	}
	f.partners["B"] = p.ID
	const email = "sw-bravo@example.org"
	u, err := app.accounts.CreateUser(ctx, ordi.System, account.NewUser{Email: email, Name: "Travailleur social Bravo", Role: ordi.RoleSocialWorker, PartnerID: p.ID, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	if f.tokens["social_worker_B"], err = app.accounts.CreateToken(ctx, ordi.System, email, "test"); err != nil {
		t.Fatal(err)
	}
	f.userIDs["social_worker_B"] = u.ID
	c := app.client()
	if res := app.postForm(c, "/login", url.Values{"email": {email}, "password": {testPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login as the second social worker: %d", res.StatusCode)
	}
	f.sessions["social_worker_B"] = c

	res := app.apiToken(f.tokens["staff"], http.MethodPost, "/api/v1/courses", map[string]any{"title": "Premiers pas", "place": "Médiathèque",
		"trainer_id": app.users[ordi.RoleTrainer].ID, "session_dates": []string{"2026-11-03"}, "required_sessions": 1})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("course: %d %s", res.StatusCode, readBody(res))
	}
	f.course = decode[struct{ ID int64 }](t, res).ID
	f.donation = app.newDonation(t)
	f.canaries["A"] = f.nominate(t, app, "A", "Canari Alphonse")
	f.canaries["B"] = f.nominate(t, app, "B", "Canari Bertille")
	return f
}

// nominate creates a family for a partner, as that partner's social worker.
func (f *haFixture) nominate(t *testing.T, app *testApp, partner, name string) haFamily {
	t.Helper()
	f.files++
	phone, notes := fmt.Sprintf("07 77 %06d", f.files), fmt.Sprintf("Note de dossier n°%06d", f.files)
	body := nominationBody(name)
	body["phone"], body["notes"] = phone, notes
	res := app.apiToken(f.tokens["social_worker_"+partner], http.MethodPost, "/api/v1/households", body)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("nominate %s: %d %s", name, res.StatusCode, readBody(res))
	}
	h := decode[householdBody](t, res)
	return haFamily{ID: h.ID, Reference: h.Reference, Name: name, Version: h.Version, Phone: phone, Notes: notes}
}

// family builds a fresh family of partner in the given state.
func (f *haFixture) family(t *testing.T, app *testApp, partner string, state haState) haFamily {
	t.Helper()
	f.seq++
	h := f.nominate(t, app, partner, fmt.Sprintf("Famille Essai %04d", f.seq))
	staff := f.tokens["staff"]
	step := func(method, path string, body any, status int) *http.Response {
		t.Helper()
		res := app.apiToken(staff, method, path, body)
		if res.StatusCode != status {
			t.Fatalf("fixture %s %s: %d %s", method, path, res.StatusCode, readBody(res))
		}
		return res
	}
	if state >= haEligible {
		step(http.MethodPost, fmt.Sprintf("/api/v1/households/%d/decision", h.ID), map[string]any{"eligible": true}, http.StatusOK)
	}
	if state >= haTrained {
		step(http.MethodPost, fmt.Sprintf("/api/v1/courses/%d/enrollments", f.course), map[string]any{"household_id": h.ID}, http.StatusCreated)
		step(http.MethodPut, fmt.Sprintf("/api/v1/courses/%d/attendance", f.course), map[string]any{"household_id": h.ID, "session": 1, "present": true}, http.StatusOK)
		h.Unit = app.readyUnit(t, f.donation).Code
	}
	if state >= haReserved {
		res := step(http.MethodPost, "/api/v1/reservations", map[string]any{"household_id": h.ID, "unit_code": h.Unit}, http.StatusCreated)
		h.Reservation = decode[struct{ ID int64 }](t, res).ID
	}
	h.Version = f.row(t, h.ID).Version
	return h
}

// haRow is what a cell checks of a family in the database.
type haRow struct {
	Status      string
	Version     int
	Notes       string
	ContactName string
	PartnerID   int64
}

func (f *haFixture) row(t *testing.T, id int64) haRow {
	t.Helper()
	var r haRow
	if err := f.db.Table("households").Select("status, version, notes, contact_name, partner_id").Where("id = ?", id).Take(&r).Error; err != nil {
		t.Fatalf("household %d: %v", id, err)
	}
	return r
}

// logOf returns the audit entries about a family, oldest first: the
// access-log reads and every change.
func (f *haFixture) logOf(t *testing.T, id int64) []auditEntry {
	t.Helper()
	var es []auditEntry
	if err := f.db.Where("object_type = ? AND object_id = ?", "household", fmt.Sprint(id)).Order("id").Find(&es).Error; err != nil {
		t.Fatal(err)
	}
	return es
}

// created returns the ids and rows of the families nominated under a
// contact name.
func (f *haFixture) created(t *testing.T, name string) ([]int64, []haRow) {
	t.Helper()
	var ids []int64
	if err := f.db.Table("households").Where("contact_name = ?", name).Order("id").Pluck("id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	rows := make([]haRow, len(ids))
	for i, id := range ids {
		rows[i] = f.row(t, id)
	}
	return ids, rows
}

// send makes a call as caller: a bearer token for the API, the caller's
// browser session for pages.
func (f *haFixture) send(app *testApp, c haCaller, page bool, method, path string, body any) *http.Response {
	app.t.Helper()
	if !page {
		return app.apiToken(f.tokens[c.name], method, path, body)
	}
	session := f.sessions[c.name]
	if method == http.MethodGet {
		return app.get(session, path)
	}
	form, _ := body.(url.Values)
	return app.postForm(session, path, form)
}

func (o haOutcome) status(allowed int) int {
	switch o {
	case haForbidden:
		return http.StatusForbidden
	case haHidden:
		return http.StatusNotFound
	case haInvalid:
		return http.StatusUnprocessableEntity
	}
	return allowed
}

// cell runs one call of route r by caller c on a fresh family of partner
// target, and checks its answer, its effect and the access log.
func (f *haFixture) cell(t *testing.T, r haRoute, c haCaller, target string) {
	app := *f.app
	app.t = t
	x := haCell{partner: f.partners[target], course: f.course}
	if r.state == haNoFamily {
		f.seq++
		x.name = fmt.Sprintf("Famille Nouvelle %04d", f.seq)
	} else {
		x.h = f.family(t, &app, target, r.state)
	}
	want := r.want.of(c, target)
	var before haRow
	var logBefore []auditEntry
	if x.h.ID != 0 {
		before, logBefore = f.row(t, x.h.ID), f.logOf(t, x.h.ID)
	}
	var body any
	if r.body != nil {
		body = r.body(x)
	}
	res := f.send(&app, c, r.page, r.method, r.path(x), body)
	text := readBody(res)
	if res.StatusCode != want.status(r.status) {
		t.Fatalf("%s as %s on partner %s's family: status %d, want %s (%d): %.300s", r.name, c.name, target, res.StatusCode, want, want.status(r.status), text)
	}

	if r.creates {
		ids, rows := f.created(t, x.name)
		if want != haOK {
			if len(rows) != 0 {
				t.Fatalf("refused nomination wrote %d families", len(rows))
			}
			return
		}
		if len(rows) != 1 || rows[0].PartnerID != x.partner || rows[0].Status != string(allocation.StatusNominated) {
			t.Fatalf("nomination for partner %d wrote %+v", x.partner, rows)
		}
		x.h.ID = ids[0]
		if r.to != nil {
			if loc := res.Header.Get("Location"); loc != r.to(x) {
				t.Fatalf("redirect to %q, want %q", loc, r.to(x))
			}
		}
		return
	}

	after, logAfter := f.row(t, x.h.ID), f.logOf(t, x.h.ID)
	added := logAfter[len(logBefore):]
	if want != haOK {
		// A refused call changes nothing, logs nothing and tells nothing.
		if after != before {
			t.Fatalf("refused call changed the family: %+v → %+v", before, after)
		}
		if len(added) != 0 {
			t.Fatalf("refused call wrote %d access-log entries: %+v", len(added), added)
		}
		if strings.Contains(text, x.h.Name) || strings.Contains(text, x.h.Reference) || x.h.showsFile(text) {
			t.Fatalf("refused answer discloses the family: %.300s", text)
		}
		if want == haHidden {
			f.sameAsUnknown(t, &app, r, c, x, text)
		}
		return
	}

	if r.to != nil {
		if loc := res.Header.Get("Location"); loc != r.to(x) {
			t.Fatalf("redirect to %q, want %q", loc, r.to(x))
		}
	}
	if r.effect != nil {
		if msg := r.effect(x, after); msg != "" {
			t.Fatal(msg)
		}
	} else if after != before {
		t.Fatalf("a read changed the family: %+v → %+v", before, after)
	}
	logs, nameless := r.logs, r.nameless
	if slices.Contains(r.namesTo, c.role) {
		logs, nameless = allocation.AccessRead, false
		if !strings.Contains(text, x.h.Name) {
			t.Fatalf("%s does not name the family to %s: %.300s", r.name, c.name, text)
		}
	}
	if logs != "" {
		if len(added) != 1 || added[0].Action != logs || added[0].ActorID == nil || *added[0].ActorID != f.userIDs[c.name] {
			t.Fatalf("a read of the file must write exactly one %s entry for user %d; got %+v", logs, f.userIDs[c.name], added)
		}
	} else {
		for _, e := range added {
			if e.Action == allocation.AccessRead || e.Action == allocation.AccessExport {
				t.Fatalf("%s logged a read of the file: %+v", r.name, added)
			}
		}
	}
	if r.shows && !(strings.Contains(text, x.h.Name) && x.h.showsFile(text)) {
		t.Fatalf("allowed read does not show the family's file: %.300s", text)
	}
	if nameless && (strings.Contains(text, x.h.Name) || x.h.showsFile(text)) {
		t.Fatalf("%s shows the family's contact name or file to %s: %.300s", r.name, c.name, text)
	}
	// Whatever the status, an answer that carries the file's fields is in
	// the file's access log: a read entry, or the entry of the change the
	// caller made (the access log lists both, with who and when).
	if x.h.showsFile(text) && !slices.ContainsFunc(added, func(e auditEntry) bool { return e.ActorID != nil && *e.ActorID == f.userIDs[c.name] }) {
		t.Fatalf("%s as %s answers %d with the family's file but logs no access: %.300s", r.name, c.name, res.StatusCode, text)
	}
}

// sameAsUnknown checks that a 404 for a family out of scope is the same as
// for a family that does not exist, and that the unknown one logs nothing.
func (f *haFixture) sameAsUnknown(t *testing.T, app *testApp, r haRoute, c haCaller, x haCell, text string) {
	t.Helper()
	unknown := x
	unknown.h.ID = 987654321
	var body any
	if r.body != nil {
		body = r.body(unknown)
	}
	res := f.send(app, c, r.page, r.method, r.path(unknown), body)
	other := readBody(res)
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown family: %d", res.StatusCode)
	}
	if r.page {
		return
	}
	var p1, p2 problemBody
	if json.Unmarshal([]byte(text), &p1) != nil || json.Unmarshal([]byte(other), &p2) != nil || p1.Title != p2.Title || p1.Detail != p2.Detail {
		t.Fatalf("out-of-scope and unknown families answer differently: %s / %s", text, other)
	}
}

// listCell calls a route without a target family as caller c.
func (f *haFixture) listCell(t *testing.T, l haList, c haCaller) {
	app := *f.app
	app.t = t
	want := l.want.of(c, c.partner) // a social worker's own scope
	var body any
	if l.method == http.MethodPost && !l.page {
		body = map[string]any{}
	}
	res := f.send(&app, c, l.page, l.method, l.path, body)
	text := readBody(res)
	if res.StatusCode != want.status(http.StatusOK) {
		t.Fatalf("%s as %s: status %d, want %s: %.300s", l.name, c.name, res.StatusCode, want, text)
	}
	// Presence or absence of a canary: its contact name or its reference
	// (a list may show either).
	shown := func(h haFamily) bool { return strings.Contains(text, h.Name) || strings.Contains(text, h.Reference) }
	for _, p := range []string{"A", "B"} {
		h := f.canaries[p]
		// Lists and queues never log a read: they never carry a file.
		if h.showsFile(text) {
			t.Fatalf("%s as %s carries the file of partner %s's family: %.300s", l.name, c.name, p, text)
		}
		switch {
		case want != haOK:
			if shown(h) {
				t.Fatalf("refused %s as %s discloses partner %s's family %s: %.300s", l.name, c.name, p, h.Name, text)
			}
		case !l.canaries:
			// Queues and logs may name a family by its pseudonymous
			// reference, never by its contact name.
			if strings.Contains(text, h.Name) {
				t.Fatalf("%s as %s shows the contact name of partner %s's family: %.300s", l.name, c.name, p, text)
			}
		case c.role == ordi.RoleSocialWorker && c.partner != p:
			if shown(h) {
				t.Fatalf("%s as %s lists partner %s's family %s", l.name, c.name, p, h.Name)
			}
		default:
			if !shown(h) {
				t.Fatalf("%s as %s does not list partner %s's family %s: %.300s", l.name, c.name, p, h.Name, text)
			}
		}
	}
}

// TestHouseholdMatrixCoversEveryRoute fails when a family route of the route
// table has no row in the access matrix.
func TestHouseholdMatrixCoversEveryRoute(t *testing.T) {
	app := newTestApp(t, dbtest.Open(t, database.SQLite))
	var names []string
	for _, r := range haRoutes() {
		names = append(names, r.name)
	}
	for _, l := range haLists() {
		names = append(names, l.name)
	}
	for _, r := range app.srv.routeTable() {
		if !strings.HasPrefix(r.path, "/api/v1/households") && !strings.HasPrefix(r.path, "/families") {
			continue
		}
		key := r.method + " " + r.path
		if !slices.ContainsFunc(names, func(n string) bool {
			return n == key || strings.HasPrefix(n, key+"?") || strings.HasPrefix(n, key+" ")
		}) {
			t.Errorf("%s is not in the access matrix", key)
		}
	}
}

// TestHouseholdAccessEveryRoute is the access matrix of every household
// route × every role × own and other partner's family, on every database.
func TestHouseholdAccessEveryRoute(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newHAFixture(t, db)
		cells := 0
		// Lists first: the canaries are then the only families.
		for _, l := range haLists() {
			t.Run(l.name, func(t *testing.T) {
				for _, c := range haCallers {
					cells++
					t.Run(c.name, func(t *testing.T) { f.listCell(t, l, c) })
				}
			})
		}
		for _, r := range haRoutes() {
			t.Run(r.name, func(t *testing.T) {
				for _, c := range haCallers {
					for _, target := range []string{"A", "B"} {
						cells++
						t.Run(c.name+"→family_"+target, func(t *testing.T) { f.cell(t, r, c, target) })
					}
				}
			})
		}
		t.Logf("%d cells", cells)
	})
}
