package certificates_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/certificates"
	"github.com/ordi-app/ordi/database/dbtest"
)

// actorOf returns the world's actor of a role.
func (w *world) actorOf(r ordi.Role) ordi.Actor {
	return map[ordi.Role]ordi.Actor{ordi.RoleAdmin: w.admin, ordi.RoleStaff: w.staff, ordi.RoleVolunteer: w.vol,
		ordi.RoleTrainer: w.trainer, ordi.RoleSocialWorker: w.sw}[r]
}

// TestServiceRoles checks the certificates service's own role checks with
// every role, against expectations written here by hand (DESIGN §3), not
// taken from the capability table: an allowed role gets its answer, any
// other gets Forbidden and changes nothing.
func TestServiceRoles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		admin, staff, volunteer, trainer := ordi.RoleAdmin, ordi.RoleStaff, ordi.RoleVolunteer, ordi.RoleTrainer
		// The trainer's own course, for the attendance sheet.
		course, err := w.alloc.CreateCourse(ctx, w.staff, allocation.NewCourse{Title: "Atelier", SessionDates: []string{"2026-11-24"}, RequiredSessions: 1, TrainerID: w.trainer.UserID})
		if err != nil {
			t.Fatal(err)
		}
		attestation, err := w.svc.Handover(ctx, w.staff, w.reservation("Famille Lue").ID, certificates.HandoverInput{SignatoryName: "Signataire"})
		if err != nil {
			t.Fatal(err)
		}
		w.unit(toReady...)
		donorCert, err := w.svc.IssueDonorCertificate(ctx, w.staff, w.donation)
		if err != nil {
			t.Fatal(err)
		}
		// Each role gets its own reservation and attestation to act on.
		reservations, attestations := map[ordi.Role]int64{}, map[ordi.Role]string{}
		for _, r := range ordi.Roles {
			reservations[r] = w.reservation("Famille de " + string(r)).ID
			c, err := w.svc.Handover(ctx, w.staff, w.reservation("Famille corrigée par "+string(r)).ID, certificates.HandoverInput{SignatoryName: "Signataire"})
			if err != nil {
				t.Fatal(err)
			}
			attestations[r] = c.Number
		}
		for _, op := range []struct {
			name    string
			allowed []ordi.Role
			run     func(r ordi.Role, a ordi.Actor) error
		}{
			{"Handover", []ordi.Role{admin, staff, volunteer}, func(r ordi.Role, a ordi.Actor) error {
				_, err := w.svc.Handover(ctx, a, reservations[r], certificates.HandoverInput{SignatoryName: "Signataire"})
				return err
			}},
			{"ReissueHandover", []ordi.Role{admin, staff}, func(r ordi.Role, a ordi.Actor) error {
				_, err := w.svc.ReissueHandover(ctx, a, attestations[r], certificates.HandoverInput{SignatoryName: "Signataire corrigé"}, "nom")
				return err
			}},
			{"IssueDonorCertificate", []ordi.Role{admin, staff}, func(_ ordi.Role, a ordi.Actor) error {
				_, err := w.svc.IssueDonorCertificate(ctx, a, w.donation)
				return err
			}},
			{"Certificates", []ordi.Role{admin, staff}, func(_ ordi.Role, a ordi.Actor) error {
				_, err := w.svc.Certificates(ctx, a, certificates.CertificateFilter{})
				return err
			}},
			{"Certificate of a handover", []ordi.Role{admin, staff, volunteer}, func(_ ordi.Role, a ordi.Actor) error {
				_, err := w.svc.Certificate(ctx, a, attestation.Number)
				return err
			}},
			{"Receipt", []ordi.Role{admin, staff}, func(_ ordi.Role, a ordi.Actor) error {
				_, err := w.svc.Receipt(ctx, a, w.donation)
				return err
			}},
			{"AttendanceSheet", []ordi.Role{admin, staff, trainer}, func(_ ordi.Role, a ordi.Actor) error {
				_, err := w.svc.AttendanceSheet(ctx, a, course.ID)
				return err
			}},
			{"SetIssuer", []ordi.Role{admin}, func(_ ordi.Role, a ordi.Actor) error {
				_, err := w.svc.SetIssuer(ctx, a, certificates.Issuer{Name: "Régie Roubaix-Est", Address: "1 rue Haute\n59100 Roubaix", WarrantyMonths: 3})
				return err
			}},
		} {
			for _, r := range ordi.Roles {
				t.Run(op.name+"/"+string(r), func(t *testing.T) {
					before := sequenceValue(t, db, "REM") + sequenceValue(t, db, "DON")
					err := op.run(r, w.actorOf(r))
					switch {
					case slices.Contains(op.allowed, r) && err != nil:
						t.Fatalf("allowed, got %v", err)
					case !slices.Contains(op.allowed, r) && !errors.Is(err, ordi.Forbidden):
						t.Fatalf("got %v, want Forbidden", err)
					case !slices.Contains(op.allowed, r) && sequenceValue(t, db, "REM")+sequenceValue(t, db, "DON") != before:
						t.Fatal("a refused call took a number")
					}
				})
			}
		}
		// A donor certificate is not for those who only hand over: unknown
		// to a volunteer, refused to the roles that never see attestations.
		for _, r := range ordi.Roles {
			_, err := w.svc.Certificate(ctx, w.actorOf(r), donorCert.Number)
			want := map[ordi.Role]ordi.Kind{volunteer: ordi.NotFound, trainer: ordi.Forbidden, ordi.RoleSocialWorker: ordi.Forbidden, ordi.RoleWorkbench: ordi.Forbidden}[r]
			if want == "" && err != nil || want != "" && !errors.Is(err, want) {
				t.Errorf("%s reading a donor certificate: %v, want %q", r, err, want)
			}
		}
	})
}

// TestVolunteerScope: a volunteer gets the attestations of the handovers
// they did, and any of the last seven days; older ones of other
// volunteers, any of a family whose data was erased, and donor
// certificates are unknown to them. Staff and administrators get all.
func TestVolunteerScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		acc := account.NewService(db, w.now)
		u, err := acc.CreateUser(ctx, ordi.System, account.NewUser{Email: "vol2@x.org", Name: "Bénévole 2", Role: ordi.RoleVolunteer, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		vol2 := u.Actor()
		hand := func(a ordi.Actor, name string) (certificates.Certificate, allocation.ReservationView) {
			r := w.reservation(name)
			c, err := w.svc.Handover(ctx, a, r.ID, certificates.HandoverInput{SignatoryName: name})
			if err != nil {
				t.Fatal(err)
			}
			return c, r
		}
		mine, _ := hand(w.vol, "Famille du bénévole 1")
		theirs, _ := hand(vol2, "Famille du bénévole 2")
		byStaff, _ := hand(w.staff, "Famille de l'équipe")
		erased, er := hand(w.vol, "Famille effacée")
		h, err := w.alloc.Household(ctx, w.admin, er.HouseholdID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.alloc.EraseHousehold(ctx, w.admin, h.ID, h.Reference); err != nil {
			t.Fatal(err)
		}
		// A correction by staff of the first volunteer's handover is still
		// an attestation of a handover that volunteer did.
		corrected, err := w.svc.ReissueHandover(ctx, w.staff, mine.Number, certificates.HandoverInput{SignatoryName: "Famille du bénévole 1"}, "orthographe")
		if err != nil {
			t.Fatal(err)
		}
		check := func(when string, a ordi.Actor, who string, want map[string]bool) {
			t.Helper()
			for number, ok := range want {
				c, err := w.svc.Certificate(ctx, a, number)
				switch {
				case ok && (err != nil || c.Number != number || len(c.PDF) == 0):
					t.Errorf("%s, %s reading %s: %v", when, who, number, err)
				case !ok && !errors.Is(err, ordi.NotFound):
					t.Errorf("%s, %s reading %s: %v, want NotFound", when, who, number, err)
				}
			}
		}
		all := func(v bool, erasedToo bool) map[string]bool {
			return map[string]bool{mine.Number: v, corrected.Number: v, theirs.Number: v, byStaff.Number: v, erased.Number: erasedToo}
		}
		check("today", w.vol, "volunteer 1", all(true, false))
		check("today", vol2, "volunteer 2", all(true, false))
		check("today", w.staff, "staff", all(true, true))

		w.advance(certificates.VolunteerWindow + time.Minute)
		check("a week later", w.vol, "volunteer 1", map[string]bool{mine.Number: true, corrected.Number: true, theirs.Number: false, byStaff.Number: false, erased.Number: false})
		check("a week later", vol2, "volunteer 2", map[string]bool{mine.Number: false, corrected.Number: false, theirs.Number: true, byStaff.Number: false, erased.Number: false})
		check("a week later", w.admin, "an administrator", all(true, true))
		check("a week later", w.staff, "staff", all(true, true))
		if _, err := w.svc.Certificate(ctx, w.vol, "REM-2026-9999"); !errors.Is(err, ordi.NotFound) {
			t.Errorf("unknown number: %v", err)
		}
	})
}
