package aftercare_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/aftercare"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/audit"
	"github.com/ordi-app/ordi/certificates"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

var ctx = context.Background()

// canary is a family's name that must never reach a public answer.
const canary = "Canari Témoin"

type world struct {
	t        testing.TB
	db       *gorm.DB
	inv      *inventory.Service
	alloc    *allocation.Service
	certs    *certificates.Service
	svc      *aftercare.Service
	actors   map[ordi.Role]ordi.Actor
	donation int64
	course   int64
	clock    atomic.Int64
}

// start is the world's first instant: 20 November 2026, 15:00 in Paris.
func start() time.Time { return time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC) }

func (w *world) now() time.Time { return time.Unix(0, w.clock.Load()).UTC() }

func (w *world) advance(d time.Duration) { w.clock.Add(int64(d)) }

func newWorld(t testing.TB, db *gorm.DB) *world {
	t.Helper()
	w := &world{t: t, db: db, actors: map[ordi.Role]ordi.Actor{}}
	w.clock.Store(start().UnixNano())
	acc := account.NewService(db, w.now)
	w.inv = inventory.NewService(db, w.now)
	w.alloc = allocation.NewService(db, w.inv, w.now)
	w.certs = certificates.NewService(db, w.inv, w.alloc, "https://ordi.example", w.now)
	w.svc = aftercare.NewService(db, w.inv, w.alloc, w.now)
	p, err := acc.CreatePartner(ctx, ordi.System, account.NewPartner{Name: "CCAS de Roubaix", Kind: account.PartnerCCAS})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range ordi.Roles {
		n := account.NewUser{Email: string(r) + "@x.org", Name: "Test " + string(r), Role: r, Password: "correct horse battery"}
		if r == ordi.RoleSocialWorker {
			n.PartnerID = p.ID
		}
		u, err := acc.CreateUser(ctx, ordi.System, n)
		if err != nil {
			t.Fatal(err)
		}
		w.actors[r] = u.Actor()
	}
	staff := w.actors[ordi.RoleStaff]
	donor, _ := w.inv.CreateDonor(ctx, staff, inventory.NewDonor{Name: "Entreprise", Kind: inventory.DonorCompany})
	d, err := w.inv.CreateDonation(ctx, staff, inventory.NewDonation{DonorID: donor.ID, ReceivedOn: "2026-10-01"})
	if err != nil {
		t.Fatal(err)
	}
	w.donation = d.ID
	c, err := w.alloc.CreateCourse(ctx, staff, allocation.NewCourse{Title: "Premiers pas", SessionDates: []string{"2026-10-05"}, RequiredSessions: 1})
	if err != nil {
		t.Fatal(err)
	}
	w.course = c.ID
	return w
}

var serial atomic.Int64

// readyUnit is a new unit, ready to be handed over.
func (w *world) readyUnit() inventory.Unit {
	w.t.Helper()
	staff := w.actors[ordi.RoleStaff]
	u, err := w.inv.CreateUnit(ctx, staff, inventory.NewUnit{DonationID: w.donation, UnitSpec: inventory.UnitSpec{
		Kind: inventory.KindLaptop, Brand: "Lenovo", Model: "T480", SerialNumber: fmt.Sprintf("PF%06d", serial.Add(1)), RAMGB: 8, StorageGB: 256, StorageKind: inventory.StorageSSD}})
	if err != nil {
		w.t.Fatal(err)
	}
	for _, st := range []inventory.Status{inventory.StatusDiagnosed, inventory.StatusWiped, inventory.StatusRefurbished, inventory.StatusReady} {
		if st == inventory.StatusWiped {
			if _, err := w.inv.RecordErasure(ctx, staff, string(u.Code), inventory.NewErasure{Category: inventory.ErasurePurge, Technique: "NVMe Sanitize", Tool: "nvme-cli", DriveSerial: "S3Z" + string(u.Code), Result: inventory.ErasurePassed}); err != nil {
				w.t.Fatal(err)
			}
		}
		if u, err = w.inv.Transition(ctx, staff, string(u.Code), st, inventory.TransitionInput{}); err != nil {
			w.t.Fatal(err)
		}
	}
	return u
}

// handedOver hands a new unit over to a new family named name.
func (w *world) handedOver(name string) (inventory.Unit, allocation.Household) {
	w.t.Helper()
	staff := w.actors[ordi.RoleStaff]
	h, err := w.alloc.Nominate(ctx, w.actors[ordi.RoleSocialWorker], allocation.NewHousehold{ContactName: name, Commune: "Roubaix", QPV: true, Adults: 1, Need: allocation.NeedAny, Consent: true, IncomeBracket: "QF1"})
	if err != nil {
		w.t.Fatal(err)
	}
	w.alloc.Decide(ctx, staff, h.ID, true, "")
	if err := w.alloc.Enroll(ctx, staff, w.course, h.ID); err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.alloc.RecordAttendance(ctx, staff, w.course, allocation.Mark{HouseholdID: h.ID, Session: 1, Present: true}); err != nil {
		w.t.Fatal(err)
	}
	u := w.readyUnit()
	r, err := w.alloc.Reserve(ctx, staff, h.ID, string(u.Code))
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.certs.Handover(ctx, w.actors[ordi.RoleVolunteer], r.ID, certificates.HandoverInput{SignatoryName: name}); err != nil {
		w.t.Fatal(err)
	}
	u, _ = w.inv.Unit(ctx, staff, string(u.Code))
	h, _ = w.alloc.Household(ctx, staff, h.ID)
	return u, h
}

func (w *world) tickets() []aftercare.View {
	w.t.Helper()
	ts, err := w.svc.Tickets(ctx, w.actors[ordi.RoleStaff], aftercare.Filter{})
	if err != nil {
		w.t.Fatal(err)
	}
	return ts
}

func TestPublicUnit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		u, _ := w.handedOver(canary)
		t.Run("OK", func(t *testing.T) {
			p, st, err := w.svc.PublicUnit(ctx, strings.ToLower(string(u.Code)))
			if err != nil {
				t.Fatal(err)
			}
			// Handed over on 20 November 2026, 6 months by default.
			if p.Code != u.Code || p.WarrantyEnd.String() != "2027-05-19" || !p.UnderWarranty || st.WarrantyMonths != aftercare.DefaultWarrantyMonths || p.Title != "Lenovo T480" {
				t.Fatalf("public unit %+v, settings %+v", p, st)
			}
			if strings.Contains(fmt.Sprintf("%+v %+v", p, st), "Canari") {
				t.Fatal("the public view names the family")
			}
		})
		t.Run("SettingsAndClock", func(t *testing.T) {
			if _, err := w.svc.SetSettings(ctx, w.actors[ordi.RoleAdmin], aftercare.Settings{WarrantyMonths: 12, Hours: "Mardi 14 h – 18 h",
				Links: []aftercare.Link{{Label: "Aide numérique", URL: "https://www.aidantsconnect.beta.gouv.fr/"}}}); err != nil {
				t.Fatal(err)
			}
			w.advance(366 * 24 * time.Hour)
			defer w.advance(-366 * 24 * time.Hour)
			p, st, err := w.svc.PublicUnit(ctx, string(u.Code))
			if err != nil || p.WarrantyEnd.String() != "2027-11-19" || p.UnderWarranty || st.Hours != "Mardi 14 h – 18 h" || len(st.Links) != 1 {
				t.Fatalf("after a year with 12 months: %+v %+v %v", p, st, err)
			}
		})
		t.Run("ErrNoPublicPage", func(t *testing.T) {
			ready := w.readyUnit()
			var msgs []string
			for _, code := range []string{string(ready.Code), "0000000", "ZZZ", nextValid(t, w, u.Code)} {
				_, _, err := w.svc.PublicUnit(ctx, code)
				if !errors.Is(err, ordi.NotFound) {
					t.Fatalf("code %s: %v, want NotFound", code, err)
				}
				msgs = append(msgs, ordi.MessageOf(err))
			}
			for _, m := range msgs[1:] {
				if m != msgs[0] {
					t.Fatalf("messages differ: %q", msgs)
				}
			}
		})
		t.Run("BadSettings", func(t *testing.T) {
			_, err := w.svc.SetSettings(ctx, w.actors[ordi.RoleAdmin], aftercare.Settings{WarrantyMonths: 61, Links: []aftercare.Link{{Label: "x", URL: "javascript:alert(1)"}}})
			if !hasField(err, "warranty_months") || !hasField(err, "links") {
				t.Fatalf("bad settings: %v", err)
			}
		})
	})
}

// nextValid returns a well-formed code that no unit has.
func nextValid(t *testing.T, w *world, avoid inventory.Code) string {
	t.Helper()
	for _, body := range []string{"ABCDEF", "BCDEFG", "CDEFGH"} {
		for _, c := range inventory.CodeAlphabet {
			code := body + string(c)
			if _, err := inventory.ParseCode(code); err == nil && code != string(avoid) {
				if _, err := w.inv.Unit(ctx, w.actors[ordi.RoleStaff], code); errors.Is(err, ordi.NotFound) {
					return code
				}
			}
		}
	}
	t.Fatal("no free code")
	return ""
}

func hasField(err error, field string) bool {
	var e *ordi.Error
	if !errors.As(err, &e) {
		return false
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

func TestReportCreatesATicket(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		u, h := w.handedOver(canary)
		err := w.svc.Report(ctx, aftercare.NewReport{Code: strings.ToLower(string(u.Code)), Category: aftercare.CategoryInternet,
			Description: "<b>Le wifi</b> ne marche plus", Phone: "06 12 34 56 78", Consent: true, Addr: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
		ts := w.tickets()
		if len(ts) != 1 {
			t.Fatalf("%d tickets", len(ts))
		}
		v := ts[0]
		if v.UnitCode != u.Code || v.Status != aftercare.StatusNew || v.HouseholdReference != h.Reference || v.FamilyID == nil || *v.FamilyID != h.ID ||
			v.PartnerName != "CCAS de Roubaix" || v.SocialWorkerName != "Test social_worker" || v.Phone != "06 12 34 56 78" || v.Description != "<b>Le wifi</b> ne marche plus" {
			t.Fatalf("ticket %+v", v)
		}
		_, events, err := w.svc.Ticket(ctx, w.actors[ordi.RoleAdmin], v.ID)
		if err != nil || len(events) != 1 || events[0].Action != aftercare.ActionReported {
			t.Fatalf("history %+v %v", events, err)
		}
		entries, _ := audit.List(ctx, db, audit.Filter{ObjectType: "ticket"})
		if len(entries) != 1 || entries[0].Action != "ticket.reported" || strings.Contains(entries[0].Detail, "wifi") {
			t.Fatalf("audit %+v", entries)
		}
		// A phone given without consent is refused, not kept.
		err = w.svc.Report(ctx, aftercare.NewReport{Code: string(u.Code), Category: aftercare.CategorySlow, Phone: "0612345678", Addr: "192.0.2.2"})
		if !errors.Is(err, ordi.Invalid) || !hasField(err, "consent") {
			t.Fatalf("phone without consent: %v", err)
		}
	})
}

func TestReportValidation(t *testing.T) {
	w := newWorld(t, dbtest.OpenSQLite(t))
	for name, r := range map[string]struct {
		report aftercare.NewReport
		field  string
	}{
		"ErrDescriptionTooLong":  {aftercare.NewReport{Category: aftercare.CategorySlow, Description: strings.Repeat("é", 20<<10)}, "description"},
		"ErrNoCategory":          {aftercare.NewReport{Description: "rien"}, "category"},
		"ErrOtherWithoutWords":   {aftercare.NewReport{Category: aftercare.CategoryOther}, "description"},
		"ErrPhone":               {aftercare.NewReport{Category: aftercare.CategorySlow, Phone: "appelez-moi", Consent: true}, "phone"},
		"ErrPhoneWithoutConsent": {aftercare.NewReport{Category: aftercare.CategorySlow, Phone: "+33 6 12 34 56 78"}, "consent"},
	} {
		t.Run(name, func(t *testing.T) {
			r.report.Code, r.report.Addr = "0000000", "192.0.2.9"
			if err := w.svc.Report(ctx, r.report); !errors.Is(err, ordi.Invalid) || !hasField(err, r.field) {
				t.Fatalf("%v, want Invalid on %s", err, r.field)
			}
		})
	}
}

// TestReportAnswersAlikeForAnyCode: the form cannot tell a handed-over
// unit's code from another: every answer is the same, only the first makes
// a ticket.
func TestReportAnswersAlikeForAnyCode(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		u, _ := w.handedOver(canary)
		ready := w.readyUnit()
		for i, code := range []string{string(u.Code), string(ready.Code), nextValid(t, w, u.Code), "pas-un-code"} {
			err := w.svc.Report(ctx, aftercare.NewReport{Code: code, Category: aftercare.CategorySlow, Addr: fmt.Sprintf("192.0.2.%d", i+1)})
			if err != nil {
				t.Fatalf("code %s: %v", code, err)
			}
		}
		// The honeypot: answered as accepted, nothing kept.
		if err := w.svc.Report(ctx, aftercare.NewReport{Code: string(u.Code), Category: aftercare.CategorySlow, Trap: "http://spam.example", Addr: "192.0.2.50"}); err != nil {
			t.Fatal(err)
		}
		if ts := w.tickets(); len(ts) != 1 || ts[0].UnitCode != u.Code {
			t.Fatalf("tickets %+v", ts)
		}
	})
}

func TestReportLimits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		u, _ := w.handedOver(canary)
		report := func(code, addr string) error {
			return w.svc.Report(ctx, aftercare.NewReport{Code: code, Category: aftercare.CategorySlow, Addr: addr})
		}
		t.Run("PerAddress", func(t *testing.T) {
			for i := range aftercare.MaxReportsPerAddress {
				if err := report(fmt.Sprintf("AAAA%03d", i), "198.51.100.7"); err != nil {
					t.Fatal(err)
				}
			}
			err := report(string(u.Code), "198.51.100.7")
			if !errors.Is(err, ordi.RateLimited) || ordi.RetryAfterOf(err) <= 0 || ordi.RetryAfterOf(err) > aftercare.AddressMemory {
				t.Fatalf("past the address limit: %v (retry after %s)", err, ordi.RetryAfterOf(err))
			}
			// The same /64 of IPv6 is one address.
			for i := range aftercare.MaxReportsPerAddress {
				if err := report(fmt.Sprintf("BBBB%03d", i), fmt.Sprintf("2001:db8::%x", i+1)); err != nil {
					t.Fatal(err)
				}
			}
			if err := report("CCCC000", "2001:db8::ffff"); !errors.Is(err, ordi.RateLimited) {
				t.Fatalf("another address of the same /64: %v", err)
			}
			w.advance(aftercare.AddressMemory + time.Second)
			if err := report("DDDD000", "198.51.100.7"); err != nil {
				t.Fatalf("an hour later: %v", err)
			}
		})
		t.Run("PerCode", func(t *testing.T) {
			// A known code and an unknown one meet the same limit.
			for _, code := range []string{string(u.Code), nextValid(t, w, u.Code)} {
				for i := range aftercare.MaxReportsPerCode {
					if err := report(code, fmt.Sprintf("203.0.113.%d", i+1)); err != nil {
						t.Fatal(err)
					}
				}
				if err := report(code, "203.0.113.200"); !errors.Is(err, ordi.RateLimited) {
					t.Fatalf("code %s past its limit: %v", code, err)
				}
			}
			if n := len(w.tickets()); n != aftercare.MaxReportsPerCode {
				t.Fatalf("%d tickets, want %d", n, aftercare.MaxReportsPerCode)
			}
		})
	})
}

func TestTicketLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		u, _ := w.handedOver(canary)
		if err := w.svc.Report(ctx, aftercare.NewReport{Code: string(u.Code), Category: aftercare.CategoryBattery, Phone: "0612345678", Consent: true, Addr: "192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
		staff := w.actors[ordi.RoleStaff]
		id := w.tickets()[0].ID
		v, err := w.svc.Change(ctx, staff, id, aftercare.Change{Status: aftercare.StatusInProgress, Note: "Appelé, rendez-vous mardi", Version: 1})
		if err != nil || v.Status != aftercare.StatusInProgress || v.Version != 2 {
			t.Fatalf("in progress: %+v %v", v, err)
		}
		if _, err := w.svc.Change(ctx, staff, id, aftercare.Change{Note: "vieille version", Version: 1}); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("stale version: %v", err)
		}
		if _, err := w.svc.Change(ctx, staff, id, aftercare.Change{Status: aftercare.StatusClosed}); !hasField(err, "closing_reason") {
			t.Fatalf("closing without a reason: %v", err)
		}
		if _, err := w.svc.Change(ctx, staff, id, aftercare.Change{Status: aftercare.StatusNew}); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("back to new: %v", err)
		}
		v, err = w.svc.Change(ctx, staff, id, aftercare.Change{Status: aftercare.StatusClosed, ClosingReason: aftercare.ClosedRepaired})
		if err != nil || v.Status != aftercare.StatusClosed || v.ClosingReason != aftercare.ClosedRepaired || v.Phone != "" {
			t.Fatalf("closed: %+v %v", v, err)
		}
		if open, _ := w.svc.Tickets(ctx, staff, aftercare.Filter{Open: true}); len(open) != 0 {
			t.Fatalf("open tickets after closing: %d", len(open))
		}
		_, events, _ := w.svc.Ticket(ctx, staff, id)
		var actions []string
		for _, e := range events {
			actions = append(actions, e.Action+":"+string(e.ToStatus))
		}
		if strings.Join(actions, " ") != "reported:new status:in_progress status:closed" || events[1].Note != "Appelé, rendez-vous mardi" || events[2].ActorName != "Test staff" {
			t.Fatalf("history %q %+v", actions, events)
		}
		entries, _ := audit.List(ctx, db, audit.Filter{ObjectType: "ticket", Action: "ticket.status"})
		if len(entries) != 2 || strings.Contains(entries[0].Detail+entries[1].Detail, "rendez-vous") {
			t.Fatalf("audit %+v", entries)
		}
		if _, _, err := w.svc.Ticket(ctx, staff, id+100); !errors.Is(err, ordi.NotFound) {
			t.Fatalf("unknown ticket: %v", err)
		}
	})
}

// TestEveryOperationAuthorisesItsActor calls every operation as every role;
// the expectations are written by hand: tickets are the workshop's (admin,
// staff), the settings the administrators'.
func TestEveryOperationAuthorisesItsActor(t *testing.T) {
	w := newWorld(t, dbtest.OpenSQLite(t))
	u, _ := w.handedOver(canary)
	if err := w.svc.Report(ctx, aftercare.NewReport{Code: string(u.Code), Category: aftercare.CategorySlow, Addr: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	id := w.tickets()[0].ID
	ops := map[string]struct {
		allowed string
		call    func(a ordi.Actor) error
	}{
		"Tickets": {"as", func(a ordi.Actor) error { _, err := w.svc.Tickets(ctx, a, aftercare.Filter{}); return err }},
		"Ticket":  {"as", func(a ordi.Actor) error { _, _, err := w.svc.Ticket(ctx, a, id); return err }},
		"Change": {"as", func(a ordi.Actor) error {
			_, err := w.svc.Change(ctx, a, id, aftercare.Change{Note: "vu"})
			return err
		}},
		"SetSettings": {"a", func(a ordi.Actor) error { _, err := w.svc.SetSettings(ctx, a, aftercare.DefaultSettings()); return err }},
	}
	letters := map[ordi.Role]string{ordi.RoleAdmin: "a", ordi.RoleStaff: "s", ordi.RoleVolunteer: "v", ordi.RoleTrainer: "t", ordi.RoleSocialWorker: "w", ordi.RoleWorkbench: "b"}
	for name, op := range ops {
		for _, r := range ordi.Roles {
			err := op.call(w.actors[r])
			if want := strings.Contains(op.allowed, letters[r]); want != (err == nil) || !want && !errors.Is(err, ordi.Forbidden) {
				t.Errorf("%s as %s: %v", name, r, err)
			}
		}
	}
}

// TestConcurrentReportsMeetTheLimit: 16 reports on one code from 16
// addresses, released at once: exactly MaxReportsPerCode get through.
func TestConcurrentReportsMeetTheLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		u, _ := w.handedOver(canary)
		const n = 16
		start := make(chan struct{})
		errs := make(chan error, n)
		for i := range n {
			go func() {
				<-start
				errs <- w.svc.Report(ctx, aftercare.NewReport{Code: string(u.Code), Category: aftercare.CategorySlow, Addr: fmt.Sprintf("192.0.2.%d", i+1)})
			}()
		}
		close(start)
		limited := 0
		for range n {
			switch err := <-errs; {
			case errors.Is(err, ordi.RateLimited):
				limited++
			case err != nil:
				t.Fatal(err)
			}
		}
		if got := len(w.tickets()); got != aftercare.MaxReportsPerCode || limited != n-aftercare.MaxReportsPerCode {
			t.Fatalf("%d tickets and %d refused, want %d and %d", got, limited, aftercare.MaxReportsPerCode, n-aftercare.MaxReportsPerCode)
		}
	})
}
