package reports

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

// TestServiceAuthorisesEveryOperation calls every operation of the service
// that takes an actor as every role, straight to the domain, with who may
// call it written out by hand from DESIGN §3 (not read from
// ordi.Capability): the Bilan for admins, staff and social workers; targets
// read by admins and staff, set by admins; the threshold set by admins. A
// refused call is Forbidden and writes nothing. The table must name every
// exported method that takes an ordi.Actor.
func TestServiceAuthorisesEveryOperation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s := &seeder{tb: t, db: db, id: 0}
		partner := s.partner("CCAS Nord")
		svc := NewService(db, func() time.Time { return juneAt })
		actor := func(r ordi.Role) ordi.Actor {
			a := ordi.Actor{Name: "Compte " + string(r), Role: r}
			if r == ordi.RoleSocialWorker {
				a.PartnerID = partner
			}
			return a
		}
		admin, staff, worker := ordi.RoleAdmin, ordi.RoleStaff, ordi.RoleSocialWorker
		ops := []struct {
			name    string
			allowed []ordi.Role
			call    func(a ordi.Actor) error
		}{
			{"Summary", []ordi.Role{admin, staff, worker}, func(a ordi.Actor) error { _, err := svc.Summary(ctx, a, march); return err }},
			{"Targets", []ordi.Role{admin, staff}, func(a ordi.Actor) error { _, err := svc.Targets(ctx, a); return err }},
			{"Progress", []ordi.Role{admin, staff}, func(a ordi.Actor) error { _, err := svc.Progress(ctx, a); return err }},
			{"SetTargets", []ordi.Role{admin}, func(a ordi.Actor) error {
				return svc.SetTargets(ctx, a, Targets{Year: 2026, FamiliesEquipped: 20})
			}},
			{"SetThreshold", []ordi.Role{admin}, func(a ordi.Actor) error { return svc.SetThreshold(ctx, a, 6) }},
		}
		// Every exported method taking an actor is in the table.
		listed := map[string]bool{}
		for _, op := range ops {
			listed[op.name] = true
		}
		actorType := reflect.TypeOf(ordi.Actor{})
		st := reflect.TypeOf(svc)
		for i := 0; i < st.NumMethod(); i++ {
			m := st.Method(i)
			takesActor := false
			for j := 1; j < m.Type.NumIn(); j++ {
				takesActor = takesActor || m.Type.In(j) == actorType
			}
			if takesActor && !listed[m.Name] {
				t.Errorf("Service.%s takes an actor and is missing from the table", m.Name)
			}
		}
		settingsRows := func() []string {
			var rows []string
			if err := db.Table("settings").Order("key").Pluck("value", &rows).Error; err != nil {
				t.Fatal(err)
			}
			return rows
		}
		for _, op := range ops {
			for _, r := range ordi.Roles {
				allowed := slices.Contains(op.allowed, r)
				name := "ErrForbidden"
				if allowed {
					name = "OK"
				}
				t.Run(op.name+"/"+string(r)+"/"+name, func(t *testing.T) {
					before := settingsRows()
					err := op.call(actor(r))
					switch {
					case allowed && err != nil:
						t.Fatalf("%s as %s: %v", op.name, r, err)
					case !allowed && ordi.KindOf(err) != ordi.Forbidden:
						t.Fatalf("%s as %s: %v, want Forbidden", op.name, r, err)
					case !allowed && !slices.Equal(settingsRows(), before):
						t.Fatalf("%s as %s was refused but wrote a setting", op.name, r)
					}
				})
			}
		}
	})
}
