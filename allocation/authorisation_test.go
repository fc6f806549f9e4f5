package allocation_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/database/dbtest"
)

// authOp is one operation of the allocation service, called as one actor on
// objects made fresh for the call, so that an allowed call really succeeds.
type authOp struct {
	name string
	// allowed is written out by hand from DESIGN §3, not derived from
	// ordi.Capability: the test must fail when either is wrong.
	allowed []ordi.Role
	call    func(w *world, a ordi.Actor) error
}

const (
	admin, staff, volunteer = ordi.RoleAdmin, ordi.RoleStaff, ordi.RoleVolunteer
	trainer, socialWorker   = ordi.RoleTrainer, ordi.RoleSocialWorker
)

// nominated returns a new family of partner A (the social worker's own).
func (w *world) nominated(name string) allocation.Household {
	w.t.Helper()
	h, err := w.svc.Nominate(ctx, w.workerA, nomination(name))
	if err != nil {
		w.t.Fatal(err)
	}
	return h
}

// reserved returns an active reservation for a new trained family.
func (w *world) reserved(name string) allocation.ReservationView {
	w.t.Helper()
	h := w.trained(name)
	r, err := w.svc.Reserve(ctx, w.staff, h.ID, string(w.ready(8).Code))
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

// trainersCourse returns a course run by the world's trainer.
func (w *world) trainersCourse() allocation.Course {
	w.t.Helper()
	c, err := w.svc.CreateCourse(ctx, w.staff, allocation.NewCourse{Title: "Premiers pas", TrainerID: w.trainer.UserID,
		SessionDates: []string{"2026-11-05"}, RequiredSessions: 1})
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

func authOps() []authOp {
	return []authOp{
		{"Nominate", []ordi.Role{admin, socialWorker}, func(w *world, a ordi.Actor) error {
			n := nomination("Famille orientée")
			if a.Role != socialWorker {
				n.PartnerID = w.partnerA
			}
			_, err := w.svc.Nominate(ctx, a, n)
			return err
		}},
		{"Household", []ordi.Role{admin, staff, socialWorker}, func(w *world, a ordi.Actor) error {
			_, err := w.svc.Household(ctx, a, w.nominated("Famille lue").ID)
			return err
		}},
		{"Households", []ordi.Role{admin, staff, socialWorker}, func(w *world, a ordi.Actor) error {
			_, err := w.svc.Households(ctx, a, allocation.HouseholdFilter{})
			return err
		}},
		{"ExportHouseholds", []ordi.Role{admin, staff, socialWorker}, func(w *world, a ordi.Actor) error {
			_, err := w.svc.ExportHouseholds(ctx, a, allocation.HouseholdFilter{}, "csv")
			return err
		}},
		{"CountByStatus", []ordi.Role{admin, staff, socialWorker}, func(w *world, a ordi.Actor) error {
			_, err := w.svc.CountByStatus(ctx, a)
			return err
		}},
		{"UpdateHousehold", []ordi.Role{admin, socialWorker}, func(w *world, a ordi.Actor) error {
			h := w.nominated("Famille modifiée")
			notes := "Complété"
			_, err := w.svc.UpdateHousehold(ctx, a, h.ID, allocation.HouseholdUpdate{Version: h.Version, Notes: &notes})
			return err
		}},
		{"Decide", []ordi.Role{admin, staff}, func(w *world, a ordi.Actor) error {
			_, err := w.svc.Decide(ctx, a, w.nominated("Famille décidée").ID, true, "")
			return err
		}},
		{"Withdraw", []ordi.Role{admin, staff, socialWorker}, func(w *world, a ordi.Actor) error {
			_, err := w.svc.Withdraw(ctx, a, w.nominated("Famille sortie").ID, "Déménagement")
			return err
		}},
		{"EraseHousehold", []ordi.Role{admin}, func(w *world, a ordi.Actor) error {
			h := w.nominated("Famille effacée")
			_, err := w.svc.EraseHousehold(ctx, a, h.ID, h.Reference)
			return err
		}},
		{"ExportHousehold", []ordi.Role{admin, socialWorker}, func(w *world, a ordi.Actor) error {
			_, err := w.svc.ExportHousehold(ctx, a, w.nominated("Famille exportée").ID)
			return err
		}},
		{"AccessLog", []ordi.Role{admin}, func(w *world, a ordi.Actor) error {
			_, err := w.svc.AccessLog(ctx, a, allocation.AccessLogFilter{})
			return err
		}},
		{"SetRules", []ordi.Role{admin}, func(w *world, a ordi.Actor) error {
			_, err := w.svc.SetRules(ctx, a, allocation.DefaultRules())
			return err
		}},
		{"CreateCourse", []ordi.Role{admin, staff}, func(w *world, a ordi.Actor) error {
			_, err := w.svc.CreateCourse(ctx, a, allocation.NewCourse{Title: "Démarches en ligne", SessionDates: []string{"2026-11-05"}, RequiredSessions: 1})
			return err
		}},
		{"Courses", []ordi.Role{admin, staff, trainer}, func(w *world, a ordi.Actor) error {
			_, err := w.svc.Courses(ctx, a, allocation.CourseFilter{})
			return err
		}},
		{"Course", []ordi.Role{admin, staff, trainer}, func(w *world, a ordi.Actor) error {
			_, err := w.svc.Course(ctx, a, w.trainersCourse().ID)
			return err
		}},
		{"Enroll", []ordi.Role{admin, staff}, func(w *world, a ordi.Actor) error {
			h := w.nominated("Famille inscrite")
			if _, err := w.svc.Decide(ctx, w.staff, h.ID, true, ""); err != nil {
				return fmt.Errorf("fixture: %w", err)
			}
			return w.svc.Enroll(ctx, a, w.trainersCourse().ID, h.ID)
		}},
		{"RecordAttendance", []ordi.Role{admin, staff, trainer}, func(w *world, a ordi.Actor) error {
			h := w.nominated("Famille présente")
			c := w.trainersCourse()
			if _, err := w.svc.Decide(ctx, w.staff, h.ID, true, ""); err != nil {
				return fmt.Errorf("fixture: %w", err)
			}
			if err := w.svc.Enroll(ctx, w.staff, c.ID, h.ID); err != nil {
				return fmt.Errorf("fixture: %w", err)
			}
			_, err := w.svc.RecordAttendance(ctx, a, c.ID, allocation.Mark{HouseholdID: h.ID, Session: 1, Present: true})
			return err
		}},
		{"Proposals", []ordi.Role{admin, staff}, func(w *world, a ordi.Actor) error {
			_, err := w.svc.Proposals(ctx, a)
			return err
		}},
		{"Reserve", []ordi.Role{admin, staff}, func(w *world, a ordi.Actor) error {
			_, err := w.svc.Reserve(ctx, a, w.trained("Famille servie").ID, string(w.ready(8).Code))
			return err
		}},
		{"Cancel", []ordi.Role{admin, staff}, func(w *world, a ordi.Actor) error {
			_, err := w.svc.Cancel(ctx, a, w.reserved("Famille annulée").ID, "")
			return err
		}},
		{"Reservation", []ordi.Role{admin, staff, volunteer}, func(w *world, a ordi.Actor) error {
			_, err := w.svc.Reservation(ctx, a, w.reserved("Famille attendue").ID)
			return err
		}},
		{"Reservations", []ordi.Role{admin, staff, volunteer}, func(w *world, a ordi.Actor) error {
			_, err := w.svc.Reservations(ctx, a, allocation.ReservationFilter{})
			return err
		}},
		{"SetAppointment", []ordi.Role{admin, staff, volunteer}, func(w *world, a ordi.Actor) error {
			_, err := w.svc.SetAppointment(ctx, a, w.reserved("Famille convoquée").ID, "2026-11-10")
			return err
		}},
		{"HandoverDesk", []ordi.Role{admin, staff, volunteer}, func(w *world, a ordi.Actor) error {
			_, err := w.svc.HandoverDesk(ctx, a)
			return err
		}},
	}
}

// TestDomainAuthorisesEveryRole calls every operation of the allocation
// service as every role, straight to the domain (no route table in front):
// the roles DESIGN §3 allows succeed, every other one gets Forbidden. The
// social worker calls on a family of their own partner; other partners'
// families are TestSocialWorkersSeeOnlyTheirFamilies's business.
func TestDomainAuthorisesEveryRole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		actors := map[ordi.Role]ordi.Actor{admin: w.admin, staff: w.staff, volunteer: w.volunteer, trainer: w.trainer, socialWorker: w.workerA}
		for _, op := range authOps() {
			t.Run(op.name, func(t *testing.T) {
				w.t = t
				for _, role := range ordi.Roles {
					err := op.call(w, actors[role])
					switch allowed := slices.Contains(op.allowed, role); {
					case allowed && err != nil:
						t.Errorf("%s as %s: %v, want success", op.name, role, err)
					case !allowed && !errors.Is(err, ordi.Forbidden):
						t.Errorf("%s as %s: %v, want Forbidden", op.name, role, err)
					}
				}
			})
		}
	})
}
