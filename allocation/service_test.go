package allocation_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

var ctx = context.Background()

func now() time.Time { return time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) }

type world struct {
	t         testing.TB
	db        *gorm.DB
	inv       *inventory.Service
	svc       *allocation.Service
	admin     ordi.Actor
	staff     ordi.Actor
	trainer   ordi.Actor
	volunteer ordi.Actor
	workerA   ordi.Actor // social worker of partner A
	workerB   ordi.Actor // social worker of partner B
	partnerA  int64
	partnerB  int64
	donation  int64
}

func newWorld(t testing.TB, db *gorm.DB) *world {
	acc := account.NewService(db, now)
	w := &world{t: t, db: db, inv: inventory.NewService(db, now)}
	w.svc = allocation.NewService(db, w.inv, now)
	pa, err := acc.CreatePartner(ctx, ordi.System, account.NewPartner{Name: "CCAS A", Kind: account.PartnerCCAS})
	if err != nil {
		t.Fatal(err)
	}
	pb, _ := acc.CreatePartner(ctx, ordi.System, account.NewPartner{Name: "Centre social B", Kind: account.PartnerSocialCentre})
	w.partnerA, w.partnerB = pa.ID, pb.ID
	mk := func(email string, role ordi.Role, partner int64) ordi.Actor {
		u, err := acc.CreateUser(ctx, ordi.System, account.NewUser{Email: email, Name: email, Role: role, PartnerID: partner, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		return u.Actor()
	}
	w.admin = mk("admin@x.org", ordi.RoleAdmin, 0)
	w.staff = mk("staff@x.org", ordi.RoleStaff, 0)
	w.trainer = mk("trainer@x.org", ordi.RoleTrainer, 0)
	w.volunteer = mk("volunteer@x.org", ordi.RoleVolunteer, 0)
	w.workerA = mk("sw-a@x.org", ordi.RoleSocialWorker, pa.ID)
	w.workerB = mk("sw-b@x.org", ordi.RoleSocialWorker, pb.ID)
	donor, _ := w.inv.CreateDonor(ctx, w.staff, inventory.NewDonor{Name: "Entreprise", Kind: inventory.DonorCompany})
	d, err := w.inv.CreateDonation(ctx, w.staff, inventory.NewDonation{DonorID: donor.ID, ReceivedOn: "2026-10-01"})
	if err != nil {
		t.Fatal(err)
	}
	w.donation = d.ID
	return w
}

func nomination(name string) allocation.NewHousehold {
	return allocation.NewHousehold{ContactName: name, Commune: "Roubaix", Postcode: "59100", QPV: true, Adults: 1, Children: 2,
		SchoolChildren: 2, IncomeBracket: "QF2", Need: allocation.NeedLaptop, Consent: true}
}

// trained returns a family that completed a one-session course.
func (w *world) trained(name string) allocation.Household {
	w.t.Helper()
	h, err := w.svc.Nominate(ctx, w.workerA, nomination(name))
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.svc.Decide(ctx, w.staff, h.ID, true, ""); err != nil {
		w.t.Fatal(err)
	}
	c, err := w.svc.CreateCourse(ctx, w.staff, allocation.NewCourse{Title: "Premiers pas", SessionDates: []string{"2026-10-05"}, RequiredSessions: 1})
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.svc.Enroll(ctx, w.staff, c.ID, h.ID); err != nil {
		w.t.Fatal(err)
	}
	at, err := w.svc.RecordAttendance(ctx, w.staff, c.ID, allocation.Mark{HouseholdID: h.ID, Session: 1, Present: true})
	if err != nil || at.Status != allocation.StatusTrained {
		w.t.Fatalf("attendance: %+v, %v", at, err)
	}
	h, _ = w.svc.Household(ctx, w.staff, h.ID)
	return h
}

// ready returns a ready laptop.
func (w *world) ready(ram int) inventory.Unit {
	w.t.Helper()
	u, err := w.inv.CreateUnit(ctx, w.staff, inventory.NewUnit{DonationID: w.donation, UnitSpec: inventory.UnitSpec{
		Kind: inventory.KindLaptop, Brand: "Lenovo", Model: "T480", RAMGB: ram, StorageGB: 256, StorageKind: inventory.StorageSSD}})
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.inv.RecordErasure(ctx, w.staff, string(u.Code), inventory.NewErasure{Category: inventory.ErasurePurge, Technique: "sanitize", Result: inventory.ErasurePassed}); err != nil {
		w.t.Fatal(err)
	}
	for _, s := range []inventory.Status{inventory.StatusDiagnosed, inventory.StatusWiped, inventory.StatusRefurbished, inventory.StatusReady} {
		if u, err = w.inv.Transition(ctx, w.staff, string(u.Code), s, inventory.TransitionInput{}); err != nil {
			w.t.Fatal(err)
		}
	}
	return u
}

func fieldsOf(err error) map[string]bool {
	var e *ordi.Error
	out := map[string]bool{}
	if errors.As(err, &e) {
		for _, f := range e.Fields {
			out[f.Field] = true
		}
	}
	return out
}

func TestNominateRefusesBadInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		for name, tc := range map[string]struct {
			edit  func(*allocation.NewHousehold)
			field string
		}{
			"ErrNoConsent":     {func(n *allocation.NewHousehold) { n.Consent = false }, "consent"},
			"ErrUnknownNeed":   {func(n *allocation.NewHousehold) { n.Need = "tablet" }, "need"},
			"Err40Children":    {func(n *allocation.NewHousehold) { n.Children = 40 }, "children"},
			"ErrExactIncome":   {func(n *allocation.NewHousehold) { n.IncomeBracket = "1234 €" }, "income_bracket"},
			"ErrPupilsGtKids":  {func(n *allocation.NewHousehold) { n.SchoolChildren = 5 }, "school_children"},
			"ErrNoAdult":       {func(n *allocation.NewHousehold) { n.Adults = 0 }, "adults"},
			"ErrPostcode":      {func(n *allocation.NewHousehold) { n.Postcode = "591" }, "postcode"},
			"ErrOtherPartner":  {func(n *allocation.NewHousehold) { n.PartnerID = 999 }, "partner_id"},
			"ErrNoContactName": {func(n *allocation.NewHousehold) { n.ContactName = " " }, "contact_name"},
		} {
			t.Run(name, func(t *testing.T) {
				n := nomination("Mme Canari")
				tc.edit(&n)
				_, err := w.svc.Nominate(ctx, w.workerA, n)
				if !errors.Is(err, ordi.Invalid) || !fieldsOf(err)[tc.field] {
					t.Fatalf("err = %v, want Invalid on %s", err, tc.field)
				}
			})
		}
		var n int64
		db.Table("households").Count(&n)
		if n != 0 {
			t.Fatalf("bad nominations wrote %d households", n)
		}
		if _, err := w.svc.Nominate(ctx, w.staff, nomination("X")); !errors.Is(err, ordi.Forbidden) {
			t.Fatalf("staff nominating: %v", err)
		}
		h, err := w.svc.Nominate(ctx, w.workerA, nomination("Mme Canari"))
		if err != nil {
			t.Fatal(err)
		}
		if h.Reference != "F-2026-0001" || h.PartnerID != w.partnerA || h.Status != allocation.StatusNominated || h.ConsentByName != w.workerA.Name {
			t.Fatalf("nominated %+v", h)
		}
		h2, _ := w.svc.Nominate(ctx, w.admin, func() allocation.NewHousehold { n := nomination("M. Pic"); n.PartnerID = w.partnerB; return n }())
		if h2.Reference != "F-2026-0002" || h2.PartnerID != w.partnerB {
			t.Fatalf("admin nomination %+v", h2)
		}
	})
}

func TestSocialWorkersSeeOnlyTheirFamilies(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		a, _ := w.svc.Nominate(ctx, w.workerA, nomination("Famille A"))
		b, _ := w.svc.Nominate(ctx, w.workerB, nomination("Famille B"))
		if _, err := w.svc.Household(ctx, w.workerA, b.ID); !errors.Is(err, ordi.NotFound) {
			t.Fatalf("worker A reading B's family: %v, want NotFound", err)
		}
		if _, err := w.svc.Household(ctx, w.trainer, a.ID); !errors.Is(err, ordi.Forbidden) {
			t.Fatalf("trainer reading a family file: %v", err)
		}
		list, _ := w.svc.Households(ctx, w.workerA, allocation.HouseholdFilter{})
		if len(list) != 1 || list[0].ID != a.ID {
			t.Fatalf("worker A's list: %+v", list)
		}
		all, _ := w.svc.Households(ctx, w.staff, allocation.HouseholdFilter{})
		if len(all) != 2 {
			t.Fatalf("staff list: %d", len(all))
		}
		if _, err := w.svc.UpdateHousehold(ctx, w.workerA, b.ID, allocation.HouseholdUpdate{Version: 1}); !errors.Is(err, ordi.NotFound) {
			t.Fatalf("worker A editing B's family: %v", err)
		}
		// Every read is logged: who, which family, which action.
		w.svc.Household(ctx, w.workerA, a.ID)
		w.svc.Household(ctx, w.staff, a.ID)
		log, err := w.svc.AccessLog(ctx, w.admin, allocation.AccessLogFilter{HouseholdID: a.ID, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		reads := 0
		for _, e := range log {
			if e.Action == allocation.AccessRead {
				reads++
			}
		}
		if reads != 2 {
			t.Fatalf("%d reads logged, want 2: %+v", reads, log)
		}
		if _, err := w.svc.AccessLog(ctx, w.staff, allocation.AccessLogFilter{HouseholdID: a.ID, Limit: 50}); !errors.Is(err, ordi.Forbidden) {
			t.Fatalf("staff reading the access log: %v", err)
		}
		// Entries carry their family's reference; a reference, in any case,
		// selects the same entries as the id; an unknown one is refused.
		for _, e := range log {
			if e.Reference != a.Reference {
				t.Fatalf("entry %+v: reference %q, want %q", e.Entry, e.Reference, a.Reference)
			}
		}
		byRef, err := w.svc.AccessLog(ctx, w.admin, allocation.AccessLogFilter{Reference: " " + strings.ToLower(a.Reference) + " ", Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(log, byRef); diff != "" {
			t.Fatalf("by reference (-by id +by reference):\n%s", diff)
		}
		whole, err := w.svc.AccessLog(ctx, w.admin, allocation.AccessLogFilter{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		refs := map[string]bool{}
		for _, e := range whole {
			refs[e.Reference] = true
		}
		if !refs[a.Reference] || !refs[b.Reference] || len(refs) != 2 {
			t.Fatalf("references in the whole log: %v", refs)
		}
		var invalid *ordi.Error
		if _, err := w.svc.AccessLog(ctx, w.admin, allocation.AccessLogFilter{Reference: "F-1999-0001"}); !errors.As(err, &invalid) || invalid.Kind != ordi.Invalid || invalid.Fields[0].Field != "reference" {
			t.Fatalf("unknown reference: %v", err)
		}
	})
}

func TestDecisionAndCourse(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		h, _ := w.svc.Nominate(ctx, w.workerA, nomination("Famille C"))
		if _, err := w.svc.Decide(ctx, w.staff, h.ID, false, ""); !errors.Is(err, ordi.Invalid) {
			t.Fatalf("refusal without reason: %v", err)
		}
		if _, err := w.svc.Decide(ctx, w.workerA, h.ID, true, ""); !errors.Is(err, ordi.Forbidden) {
			t.Fatalf("social worker deciding: %v", err)
		}
		c, err := w.svc.CreateCourse(ctx, w.staff, allocation.NewCourse{Title: "Le numérique en famille", Place: "Médiathèque", TrainerID: w.trainer.UserID,
			SessionDates: []string{"2026-11-03", "2026-11-10", "2026-11-17"}, RequiredSessions: 2})
		if err != nil {
			t.Fatal(err)
		}
		// Not yet eligible: cannot enroll.
		if err := w.svc.Enroll(ctx, w.staff, c.ID, h.ID); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("enrolling a nominated family: %v", err)
		}
		got, err := w.svc.Decide(ctx, w.staff, h.ID, false, "Hors QPV")
		if err != nil || got.Status != allocation.StatusIneligible || got.StatusReason != "Hors QPV" {
			t.Fatalf("refusal: %+v %v", got, err)
		}
		seen, _ := w.svc.Household(ctx, w.workerA, h.ID)
		if seen.StatusReason != "Hors QPV" {
			t.Fatalf("social worker does not see the reason: %+v", seen)
		}
		if _, err := w.svc.Decide(ctx, w.staff, h.ID, true, "Recours accepté"); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.Enroll(ctx, w.staff, c.ID, h.ID); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.Enroll(ctx, w.staff, c.ID, h.ID); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("second enrolment: %v", err)
		}
		// Session 9 of 3.
		if _, err := w.svc.RecordAttendance(ctx, w.trainer, c.ID, allocation.Mark{HouseholdID: h.ID, Session: 9, Present: true}); !errors.Is(err, ordi.Invalid) || !fieldsOf(err)["session"] {
			t.Fatalf("session 9 of 3: %v", err)
		}
		// Another trainer's course is not found for this trainer.
		other, _ := w.svc.CreateCourse(ctx, w.staff, allocation.NewCourse{Title: "Autre", SessionDates: []string{"2026-12-01"}, RequiredSessions: 1})
		if _, err := w.svc.RecordAttendance(ctx, w.trainer, other.ID, allocation.Mark{HouseholdID: h.ID, Session: 1, Present: true}); !errors.Is(err, ordi.NotFound) {
			t.Fatalf("trainer on a course not theirs: %v", err)
		}
		status := func() allocation.HouseholdStatus {
			got, _ := w.svc.Household(ctx, w.staff, h.ID)
			return got.Status
		}
		at, err := w.svc.RecordAttendance(ctx, w.trainer, c.ID, allocation.Mark{HouseholdID: h.ID, Session: 1, Present: true})
		if err != nil || status() != allocation.StatusEnrolled || at.Attended != 1 {
			t.Fatalf("first session: %+v %v", at, err)
		}
		// The trainer learns the attendance, not the file's status.
		if at.Status != "" || at.Reference != "" || at.ContactName != "Famille C" {
			t.Fatalf("trainer's answer %+v", at)
		}
		at, _ = w.svc.RecordAttendance(ctx, w.trainer, c.ID, allocation.Mark{HouseholdID: h.ID, Session: 2, Present: true})
		if status() != allocation.StatusTrained || at.Attended != 2 {
			t.Fatalf("after the required sessions: %+v, family %s", at, status())
		}
		// A correction below the requirement undoes it.
		at, _ = w.svc.RecordAttendance(ctx, w.staff, c.ID, allocation.Mark{HouseholdID: h.ID, Session: 2, Present: false})
		if at.Status != allocation.StatusEnrolled || at.Attended != 1 {
			t.Fatalf("after a correction: %+v", at)
		}
		d, err := w.svc.Course(ctx, w.trainer, c.ID)
		if err != nil || len(d.Sessions) != 3 || len(d.Attendees) != 1 || d.Attendees[0].ContactName != "Famille C" || d.TrainerName != "trainer@x.org" {
			t.Fatalf("course detail %+v %v", d, err)
		}
		if p := d.Attendees[0].Present; p[0] == nil || !*p[0] || p[1] == nil || *p[1] || p[2] != nil {
			t.Fatalf("marks %v", p)
		}
		list, _ := w.svc.Courses(ctx, w.trainer, allocation.CourseFilter{})
		if len(list) != 1 || list[0].Sessions != 3 || list[0].Enrolled != 1 || list[0].FirstDate.String() != "2026-11-03" {
			t.Fatalf("trainer's courses %+v", list)
		}
		if _, err := w.svc.CreateCourse(ctx, w.staff, allocation.NewCourse{Title: "X", SessionDates: []string{"2026-11-10", "2026-11-03"}, RequiredSessions: 3}); !errors.Is(err, ordi.Invalid) {
			t.Fatalf("bad course: %v", err)
		}
	})
}

func TestReservationLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		h := w.trained("Famille D")
		u := w.ready(8)
		nominated, _ := w.svc.Nominate(ctx, w.workerA, nomination("Pas formée"))
		if _, err := w.svc.Reserve(ctx, w.staff, nominated.ID, string(u.Code)); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("reserving for an untrained family: %v", err)
		}
		notReady, _ := w.inv.CreateUnit(ctx, w.staff, inventory.NewUnit{DonationID: w.donation, UnitSpec: inventory.UnitSpec{Kind: inventory.KindLaptop}})
		if _, err := w.svc.Reserve(ctx, w.staff, h.ID, string(notReady.Code)); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("reserving a unit not ready: %v", err)
		}
		if got, _ := w.svc.Household(ctx, w.staff, h.ID); got.Status != allocation.StatusTrained {
			t.Fatalf("a refused reservation changed the family: %s", got.Status)
		}
		r, err := w.svc.Reserve(ctx, w.staff, h.ID, strings.ToLower(string(u.Code)))
		if err != nil || r.UnitCode != u.Code || r.HouseholdReference != h.Reference {
			t.Fatalf("reserve: %+v %v", r, err)
		}
		unit, _ := w.inv.Unit(ctx, w.staff, string(u.Code))
		fam, _ := w.svc.Household(ctx, w.staff, h.ID)
		if unit.Status != inventory.StatusReserved || fam.Status != allocation.StatusReserved {
			t.Fatalf("after reserve: unit %s, family %s", unit.Status, fam.Status)
		}
		if _, err := w.svc.Reserve(ctx, w.staff, h.ID, string(w.ready(8).Code)); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("second reservation for the family: %v", err)
		}
		if _, err := w.svc.Cancel(ctx, w.staff, r.ID, "rendez-vous manqué"); err != nil {
			t.Fatal(err)
		}
		unit, _ = w.inv.Unit(ctx, w.staff, string(u.Code))
		fam, _ = w.svc.Household(ctx, w.staff, h.ID)
		if unit.Status != inventory.StatusReady || fam.Status != allocation.StatusTrained {
			t.Fatalf("after cancel: unit %s, family %s", unit.Status, fam.Status)
		}
		if _, err := w.svc.Cancel(ctx, w.staff, r.ID, ""); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("cancelling twice: %v", err)
		}
		// Withdrawing a reserved family frees its unit.
		r2, err := w.svc.Reserve(ctx, w.staff, h.ID, string(u.Code))
		if err != nil {
			t.Fatal(err)
		}
		const canary = "Déménagement chez Mme Canari"
		if _, err := w.svc.Withdraw(ctx, w.workerA, h.ID, canary); err != nil {
			t.Fatal(err)
		}
		unit, _ = w.inv.Unit(ctx, w.staff, string(u.Code))
		closed, _ := w.svc.Reservation(ctx, w.staff, r2.ID)
		if unit.Status != inventory.StatusReady || closed.Status != allocation.ReservationCancelled {
			t.Fatalf("after withdrawal: unit %s, reservation %s", unit.Status, closed.Status)
		}
		// The withdrawal reason belongs to the family's file: neither the
		// reservation nor the unit's history, which volunteers read, carry it.
		if fam, _ := w.svc.Household(ctx, w.staff, h.ID); fam.StatusReason != canary {
			t.Fatalf("family's reason %q", fam.StatusReason)
		}
		events, _ := w.inv.Events(ctx, w.staff, string(u.Code))
		for _, e := range events {
			if strings.Contains(e.Note, "Canari") || strings.Contains(e.Note, "rendez-vous manqué") {
				t.Fatalf("unit history carries a reason: %+v", e)
			}
		}
		if strings.Contains(closed.CloseReason, "Canari") {
			t.Fatalf("reservation carries the withdrawal reason: %q", closed.CloseReason)
		}
		// A volunteer at the desk does not see the staff's cancellation note.
		all, err := w.svc.Reservations(ctx, w.volunteer, allocation.ReservationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range all {
			if v.CloseReason != "" {
				t.Fatalf("volunteer sees a close reason: %+v", v)
			}
		}
		if v, _ := w.svc.Reservation(ctx, w.volunteer, r.ID); v.CloseReason != "" {
			t.Fatalf("volunteer sees the close reason %q", v.CloseReason)
		}
		if v, _ := w.svc.Reservation(ctx, w.staff, r.ID); v.CloseReason != "rendez-vous manqué" {
			t.Fatalf("staff sees the close reason %q", v.CloseReason)
		}
	})
}

// TestConcurrentReservationsOfOneUnit releases 64 reservations of one unit
// by 64 families at once, several times: exactly one succeeds every time.
func TestConcurrentReservationsOfOneUnit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		const n = 64
		families := make([]allocation.Household, n)
		for i := range families {
			families[i] = w.trained(fmt.Sprintf("Famille %d", i))
		}
		for round := 0; round < raceRounds(); round++ {
			u := w.ready(8)
			wins := race(t, n, func(i int) error {
				_, err := w.svc.Reserve(ctx, w.staff, families[i].ID, string(u.Code))
				return err
			})
			if wins != 1 {
				t.Fatalf("round %d: %d reservations of one unit succeeded, want 1", round, wins)
			}
			var active int64
			db.Table("reservations").Where("status = 'active'").Count(&active)
			if active != 1 {
				t.Fatalf("round %d: %d active reservations", round, active)
			}
			var reserved int64
			db.Table("households").Where("status = 'reserved'").Count(&reserved)
			if reserved != 1 {
				t.Fatalf("round %d: %d families reserved", round, reserved)
			}
			// Free everything for the next round.
			var rs []allocation.ReservationView
			rs, _ = w.svc.Reservations(ctx, w.staff, allocation.ReservationFilter{Status: allocation.ReservationActive})
			for _, r := range rs {
				if _, err := w.svc.Cancel(ctx, w.staff, r.ID, "test"); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}

// TestConcurrentReservationsByOneFamily releases one family's reservations
// of 64 units at once: exactly one succeeds.
func TestConcurrentReservationsByOneFamily(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		h := w.trained("Famille pressée")
		const n = 64
		units := make([]inventory.Unit, n)
		for i := range units {
			units[i] = w.ready(8)
		}
		for round := 0; round < raceRounds(); round++ {
			wins := race(t, n, func(i int) error {
				_, err := w.svc.Reserve(ctx, w.staff, h.ID, string(units[i].Code))
				return err
			})
			if wins != 1 {
				t.Fatalf("round %d: %d reservations by one family succeeded, want 1", round, wins)
			}
			var reserved int64
			db.Table("units").Where("status = 'reserved'").Count(&reserved)
			if reserved != 1 {
				t.Fatalf("round %d: %d units reserved", round, reserved)
			}
			// Free the family for the next round.
			rs, _ := w.svc.Reservations(ctx, w.staff, allocation.ReservationFilter{Status: allocation.ReservationActive})
			for _, r := range rs {
				if _, err := w.svc.Cancel(ctx, w.staff, r.ID, "test"); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}

// raceRounds is how many times each reservation race is run: 10 (CI
// runs them all on both databases, under -race), 2 with -short.
func raceRounds() int {
	if testing.Short() {
		return 2
	}
	return 10
}

// race runs fn(0..n-1) in n goroutines released together and counts the
// successes; every failure must be a Conflict.
func race(t *testing.T, n int, fn func(i int) error) int {
	t.Helper()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		wins  int
		start = make(chan struct{})
	)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := fn(i)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, ordi.Conflict):
				t.Errorf("unexpected error: %v", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	return wins
}

func TestProposalsAndExport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		h := w.trained("Famille E")
		small, big := w.ready(4), w.ready(16)
		set, err := w.svc.Proposals(ctx, w.staff)
		if err != nil {
			t.Fatal(err)
		}
		// Two school children need 8 GB: the 16 GB unit, not the 4 GB one.
		if len(set.Proposals) != 1 || set.Proposals[0].UnitCode != big.Code || set.Proposals[0].HouseholdID != h.ID {
			t.Fatalf("proposals %+v (small %s, big %s)", set, small.Code, big.Code)
		}
		// Proposals change nothing.
		if u, _ := w.inv.Unit(ctx, w.staff, string(big.Code)); u.Status != inventory.StatusReady {
			t.Fatalf("proposal moved the unit to %s", u.Status)
		}
		if _, err := w.svc.Reserve(ctx, w.staff, h.ID, string(big.Code)); err != nil {
			t.Fatal(err)
		}
		e, err := w.svc.ExportHousehold(ctx, w.workerA, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if e.Household.ContactName != "Famille E" || e.PartnerName != "CCAS A" || len(e.Courses) != 1 || len(e.Reservations) != 1 || len(e.AccessLog) == 0 {
			t.Fatalf("export %+v", e)
		}
		last := e.AccessLog[len(e.AccessLog)-1]
		if last.Action != allocation.AccessExport || last.ActorName != w.workerA.Name {
			t.Fatalf("export not logged: %+v", last)
		}
		if _, err := w.svc.ExportHousehold(ctx, w.workerB, h.ID); !errors.Is(err, ordi.NotFound) {
			t.Fatalf("another partner's export: %v", err)
		}
	})
}

func TestRulesSettings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		r, _ := w.svc.Rules(ctx)
		if r != allocation.DefaultRules() {
			t.Fatalf("default rules %+v", r)
		}
		r.QPVRequired, r.MaxIncomeBand = false, allocation.QF4
		if _, err := w.svc.SetRules(ctx, w.staff, r); !errors.Is(err, ordi.Forbidden) {
			t.Fatalf("staff changing rules: %v", err)
		}
		if _, err := w.svc.SetRules(ctx, w.admin, r); err != nil {
			t.Fatal(err)
		}
		got, _ := w.svc.Rules(ctx)
		if got != r {
			t.Fatalf("saved %+v, read %+v", r, got)
		}
		h, _ := w.svc.Nominate(ctx, w.workerA, func() allocation.NewHousehold { n := nomination("F"); n.QPV = false; n.IncomeBracket = "QF4"; return n }())
		c, _ := w.svc.Checklist(ctx, h)
		if !c.AllPassed {
			t.Fatalf("relaxed rules checklist %+v", c)
		}
	})
}

// TestOneUnitPerHouseholdAcrossFiles equips a family, then has it nominated
// again by the other partner, with its phone written differently, and under
// its name with other accents: the checklist's "one unit per household" rule
// fails and names the earlier file. A different family passes.
func TestOneUnitPerHouseholdAcrossFiles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		first := nomination("Mme Hélène Durand")
		first.Phone = "06 12 34 56 78"
		h, err := w.svc.Nominate(ctx, w.workerA, first)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Decide(ctx, w.staff, h.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		course, err := w.svc.CreateCourse(ctx, w.staff, allocation.NewCourse{Title: "Premiers pas", SessionDates: []string{"2026-10-05"}, RequiredSessions: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.svc.Enroll(ctx, w.staff, course.ID, h.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.RecordAttendance(ctx, w.staff, course.ID, allocation.Mark{HouseholdID: h.ID, Session: 1, Present: true}); err != nil {
			t.Fatal(err)
		}
		r, err := w.svc.Reserve(ctx, w.staff, h.ID, string(w.ready(8).Code))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.db.Transaction(func(tx *gorm.DB) error {
			_, err := w.svc.CompleteHandover(ctx, tx, w.staff, r.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		check := func(n allocation.NewHousehold) allocation.Check {
			t.Helper()
			again, err := w.svc.Nominate(ctx, w.workerB, n)
			if err != nil {
				t.Fatal(err)
			}
			c, err := w.svc.Checklist(ctx, again)
			if err != nil {
				t.Fatal(err)
			}
			for _, ch := range c.Checks {
				if ch.Rule == "one_unit" {
					return ch
				}
			}
			t.Fatalf("no one_unit check in %+v", c)
			return allocation.Check{}
		}
		samePhone := nomination("H. Durand")
		samePhone.Phone = "+33 6 12 34 56 78"
		sameName := nomination("MME HELENE  DURAND")
		for name, n := range map[string]allocation.NewHousehold{"same phone": samePhone, "same name and commune": sameName} {
			if ch := check(n); ch.Passed || !strings.Contains(ch.Detail, h.Reference) {
				t.Errorf("%s: %+v, want a failed check naming %s", name, ch, h.Reference)
			}
		}
		other := nomination("Mme Hélène Durand")
		other.Commune = "Tourcoing"
		if ch := check(other); !ch.Passed {
			t.Errorf("a namesake in another commune: %+v", ch)
		}
	})
}

// TestReservationAppointment fixes, moves and clears the day of a handover
// appointment, refuses bad days and closed reservations, and groups the
// handover desk by day in Europe/Paris.
func TestReservationAppointment(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db) // today is 2026-11-02 in Paris
		h := w.trained("Famille RDV")
		u := w.ready(8)
		for in, field := range map[string]string{"2026-11-01": "appointment_on", "05/11/2026": "appointment_on", "2026-02-30": "appointment_on", "2027-12-01": "appointment_on"} {
			if _, err := w.svc.ReserveOn(ctx, w.staff, h.ID, string(u.Code), in); !errors.Is(err, ordi.Invalid) || !fieldsOf(err)[field] {
				t.Fatalf("reserving with appointment %q: %v", in, err)
			}
		}
		if fam, _ := w.svc.Household(ctx, w.staff, h.ID); fam.Status != allocation.StatusTrained {
			t.Fatalf("a refused reservation changed the family: %s", fam.Status)
		}
		r, err := w.svc.ReserveOn(ctx, w.staff, h.ID, string(u.Code), "2026-11-05")
		if err != nil || r.AppointmentOn == nil || r.AppointmentOn.String() != "2026-11-05" {
			t.Fatalf("reserve on 2026-11-05: %+v %v", r, err)
		}
		if got, _ := w.svc.Reservation(ctx, w.staff, r.ID); got.AppointmentOn == nil || got.AppointmentOn.String() != "2026-11-05" {
			t.Fatalf("stored appointment %v", got.AppointmentOn)
		}
		// A volunteer at the desk moves it to today, then clears it.
		got, err := w.svc.SetAppointment(ctx, w.volunteer, r.ID, "2026-11-02")
		if err != nil || got.AppointmentOn == nil || got.AppointmentOn.String() != "2026-11-02" {
			t.Fatalf("move to today: %+v %v", got, err)
		}
		if got, err = w.svc.SetAppointment(ctx, w.staff, r.ID, ""); err != nil || got.AppointmentOn != nil {
			t.Fatalf("clear: %+v %v", got, err)
		}
		if got, _ := w.svc.Reservation(ctx, w.admin, r.ID); got.AppointmentOn != nil {
			t.Fatalf("cleared appointment reads %v", got.AppointmentOn)
		}
		for _, in := range []string{"2026-11-01", "demain", "2026-11-31", "2027-11-03"} {
			if _, err := w.svc.SetAppointment(ctx, w.volunteer, r.ID, in); !errors.Is(err, ordi.Invalid) || !fieldsOf(err)["appointment_on"] {
				t.Fatalf("appointment %q: %v", in, err)
			}
		}
		for _, a := range []ordi.Actor{w.trainer, w.workerA} {
			if _, err := w.svc.SetAppointment(ctx, a, r.ID, "2026-11-03"); !errors.Is(err, ordi.Forbidden) {
				t.Fatalf("%s sets an appointment: %v", a.Role, err)
			}
		}
		if _, err := w.svc.SetAppointment(ctx, w.staff, r.ID+1000, "2026-11-03"); !errors.Is(err, ordi.NotFound) {
			t.Fatalf("unknown reservation: %v", err)
		}
		var entries int64
		db.Table("audit_events").Where("action = ? AND object_id = ?", "reservation.appointment", fmt.Sprint(h.ID)).Count(&entries)
		if entries != 2 {
			t.Fatalf("%d audit entries for 2 changes", entries)
		}
		// A cancelled reservation has no appointment to fix.
		if _, err := w.svc.Cancel(ctx, w.staff, r.ID, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.SetAppointment(ctx, w.volunteer, r.ID, "2026-11-03"); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("appointment on a cancelled reservation: %v", err)
		}

		// The desk: four reservations, seen on 2026-11-04 in Paris, which
		// is still 2026-11-03 in UTC at 23:30.
		reserve := func(name, on string) int64 {
			t.Helper()
			r, err := w.svc.ReserveOn(ctx, w.staff, w.trained(name).ID, string(w.ready(8).Code), on)
			if err != nil {
				t.Fatal(err)
			}
			return r.ID
		}
		later := reserve("Famille Plus tard", "2026-11-20")
		soon := reserve("Famille Bientôt", "2026-11-10")
		none := reserve("Famille Sans date", "")
		due := reserve("Famille Du jour", "2026-11-04")
		late := reserve("Famille En retard", "2026-11-03")
		desk := allocation.NewService(db, w.inv, func() time.Time { return time.Date(2026, 11, 3, 23, 30, 0, 0, time.UTC) })
		d, err := desk.HandoverDesk(ctx, w.volunteer)
		if err != nil {
			t.Fatal(err)
		}
		ids := func(rs []allocation.ReservationView) []int64 {
			var out []int64
			for _, r := range rs {
				out = append(out, r.ID)
			}
			return out
		}
		if d.Today.String() != "2026-11-04" || fmt.Sprint(ids(d.Due)) != fmt.Sprint([]int64{due}) || fmt.Sprint(ids(d.Upcoming)) != fmt.Sprint([]int64{soon, later}) ||
			fmt.Sprint(ids(d.Unscheduled)) != fmt.Sprint([]int64{none}) || fmt.Sprint(ids(d.Overdue)) != fmt.Sprint([]int64{late}) {
			t.Fatalf("desk on %s: due %v, upcoming %v, unscheduled %v, overdue %v", d.Today, ids(d.Due), ids(d.Upcoming), ids(d.Unscheduled), ids(d.Overdue))
		}
		if _, err := desk.SetAppointment(ctx, w.volunteer, late, "2026-11-03"); !errors.Is(err, ordi.Invalid) {
			t.Fatalf("yesterday in Paris accepted: %v", err)
		}
		if _, err := desk.HandoverDesk(ctx, w.workerA); !errors.Is(err, ordi.Forbidden) {
			t.Fatalf("a social worker reads the desk: %v", err)
		}
	})
}
