package account_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/database/dbtest"
)

// TestServiceAuthorizesEveryOperation calls every operation of the account
// service as every role, straight at the domain (no route table in front),
// and checks the answer against an oracle written here by hand from DESIGN
// §3: accounts, partners and tokens are the administrators'; those who plan
// courses list the trainers; partners are read by admins and staff, and a
// social worker reads only their own (TestServiceScopes).
func TestServiceAuthorizesEveryOperation(t *testing.T) {
	const admin, staff, volunteer, trainer, socialWorker = ordi.RoleAdmin, ordi.RoleStaff, ordi.RoleVolunteer, ordi.RoleTrainer, ordi.RoleSocialWorker
	yes := true
	ops := []struct {
		name    string
		allowed []ordi.Role
		call    func(ctx context.Context, s *account.Service, a ordi.Actor, f fixture) error
	}{
		{"CreateUser", []ordi.Role{admin}, func(ctx context.Context, s *account.Service, a ordi.Actor, f fixture) error {
			_, err := s.CreateUser(ctx, a, account.NewUser{Email: fmt.Sprintf("new-%s@example.org", a.Role), Name: "Nouveau", Role: ordi.RoleAdmin, Password: goodPassword})
			return err
		}},
		{"UpdateUser", []ordi.Role{admin}, func(ctx context.Context, s *account.Service, a ordi.Actor, f fixture) error {
			role := ordi.RoleAdmin
			_, err := s.UpdateUser(ctx, a, f.target.ID, account.UserUpdate{Role: &role})
			if err == nil {
				back := ordi.RoleVolunteer
				_, err = s.UpdateUser(ctx, ordi.System, f.target.ID, account.UserUpdate{Role: &back})
			}
			return err
		}},
		{"User", []ordi.Role{admin}, func(ctx context.Context, s *account.Service, a ordi.Actor, f fixture) error {
			_, err := s.User(ctx, a, f.target.ID)
			return err
		}},
		{"UserByEmail", []ordi.Role{admin}, func(ctx context.Context, s *account.Service, a ordi.Actor, f fixture) error {
			_, err := s.UserByEmail(ctx, a, f.target.Email)
			return err
		}},
		{"Users", []ordi.Role{admin}, func(ctx context.Context, s *account.Service, a ordi.Actor, f fixture) error {
			_, err := s.Users(ctx, a, account.UserFilter{})
			return err
		}},
		{"UsersCourseLeaders", []ordi.Role{admin, staff}, func(ctx context.Context, s *account.Service, a ordi.Actor, f fixture) error {
			_, err := s.Users(ctx, a, account.UserFilter{Role: ordi.RoleTrainer, Active: &yes})
			return err
		}},
		{"SignOutEverywhere", []ordi.Role{admin}, func(ctx context.Context, s *account.Service, a ordi.Actor, f fixture) error {
			_, err := s.SignOutEverywhere(ctx, a, f.target.ID)
			return err
		}},
		{"CreatePartner", []ordi.Role{admin}, func(ctx context.Context, s *account.Service, a ordi.Actor, f fixture) error {
			_, err := s.CreatePartner(ctx, a, account.NewPartner{Name: "Structure de " + string(a.Role), Kind: account.PartnerOther})
			return err
		}},
		{"Partner", []ordi.Role{admin, staff, socialWorker}, func(ctx context.Context, s *account.Service, a ordi.Actor, f fixture) error {
			_, err := s.Partner(ctx, a, f.partner.ID)
			return err
		}},
		{"Partners", []ordi.Role{admin, staff, socialWorker}, func(ctx context.Context, s *account.Service, a ordi.Actor, f fixture) error {
			_, err := s.Partners(ctx, a, account.PartnerFilter{})
			return err
		}},
		{"CreateToken", []ordi.Role{admin}, func(ctx context.Context, s *account.Service, a ordi.Actor, f fixture) error {
			_, err := s.CreateToken(ctx, a, f.target.Email, "jeton")
			return err
		}},
		{"IssueToken", []ordi.Role{admin}, func(ctx context.Context, s *account.Service, a ordi.Actor, f fixture) error {
			_, err := s.IssueToken(ctx, a, account.NewToken{UserID: f.target.ID, Name: "jeton"})
			return err
		}},
		{"Tokens", []ordi.Role{admin}, func(ctx context.Context, s *account.Service, a ordi.Actor, f fixture) error {
			_, err := s.Tokens(ctx, a, f.target.ID)
			return err
		}},
		{"RevokeToken", []ordi.Role{admin}, func(ctx context.Context, s *account.Service, a ordi.Actor, f fixture) error {
			_, err := s.RevokeToken(ctx, a, f.tokenID)
			return err
		}},
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		f := newFixture(t, s)
		for _, op := range ops {
			for _, role := range ordi.Roles {
				allowed := false
				for _, r := range op.allowed {
					allowed = allowed || r == role
				}
				name := "ErrForbidden"
				if allowed {
					name = "OK"
				}
				t.Run(op.name+"/"+string(role)+"/"+name, func(t *testing.T) {
					// The actor is someone else than the target account.
					a := f.actors[role]
					before := writes(t, db)
					err := op.call(ctx, s, a, f)
					switch {
					case allowed && err != nil:
						t.Fatalf("%s as %s: %v, want success", op.name, role, err)
					case !allowed && !errors.Is(err, ordi.Forbidden):
						t.Fatalf("%s as %s: %v, want Forbidden", op.name, role, err)
					case !allowed && writes(t, db) != before:
						t.Fatalf("%s as %s was refused but wrote: %s, was %s", op.name, role, writes(t, db), before)
					}
				})
			}
		}
	})
}

// TestServiceScopes: an account's owner reads their own account; a social
// worker reads only their own partner (another one is "not found", and
// their list of partners holds theirs alone).
func TestServiceScopes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		f := newFixture(t, s)
		if _, err := s.User(ctx, f.target.Actor(), f.target.ID); err != nil {
			t.Fatalf("own account: %v", err)
		}
		other, err := s.CreatePartner(ctx, ordi.System, account.NewPartner{Name: "Autre CCAS", Kind: account.PartnerCCAS})
		if err != nil {
			t.Fatal(err)
		}
		sw := ordi.Actor{UserID: 77, Role: ordi.RoleSocialWorker, PartnerID: f.partner.ID}
		if _, err := s.Partner(ctx, sw, other.ID); !errors.Is(err, ordi.NotFound) {
			t.Fatalf("another partner as a social worker: %v, want NotFound", err)
		}
		if list, err := s.Partners(ctx, sw, account.PartnerFilter{}); err != nil || len(list) != 1 || list[0].ID != f.partner.ID {
			t.Fatalf("partners as a social worker: %+v, %v; want their own only", list, err)
		}
		if _, err := s.Users(ctx, ordi.Actor{Role: ordi.RoleStaff}, account.UserFilter{Role: ordi.RoleAdmin}); !errors.Is(err, ordi.Forbidden) {
			t.Fatalf("staff listing administrators: %v, want Forbidden", err)
		}
	})
}

type fixture struct {
	actors  map[ordi.Role]ordi.Actor
	target  account.User
	partner account.Partner
	tokenID int64
}

func newFixture(t *testing.T, s *account.Service) fixture {
	t.Helper()
	ctx := context.Background()
	p, err := s.CreatePartner(ctx, ordi.System, account.NewPartner{Name: "CCAS de Roubaix", Kind: account.PartnerCCAS})
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUser(ctx, ordi.System, account.NewUser{Email: "cible@example.org", Name: "Cible", Role: ordi.RoleVolunteer, Password: goodPassword})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.IssueToken(ctx, ordi.System, account.NewToken{UserID: u.ID, Name: "à révoquer"})
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{actors: map[ordi.Role]ordi.Actor{}, target: u, partner: p, tokenID: tok.ID}
	for _, r := range ordi.Roles {
		n := account.NewUser{Email: string(r) + "@example.org", Name: "Acteur " + string(r), Role: r, Password: goodPassword}
		if r == ordi.RoleSocialWorker {
			n.PartnerID = p.ID
		}
		a, err := s.CreateUser(ctx, ordi.System, n)
		if err != nil {
			t.Fatal(err)
		}
		f.actors[r] = a.Actor()
	}
	return f
}

// writes sums up what the account tables hold, to prove a refusal wrote nothing.
func writes(t *testing.T, db *gorm.DB) string {
	t.Helper()
	var revoked, epochs int64
	db.Table("api_tokens").Where("revoked_at IS NOT NULL").Count(&revoked)
	db.Table("users").Select("COALESCE(SUM(session_epoch), 0)").Scan(&epochs)
	return fmt.Sprintf("users=%d partners=%d tokens=%d revoked=%d epochs=%d audit=%d",
		count(t, db, "users"), count(t, db, "partners"), count(t, db, "api_tokens"), revoked, epochs, count(t, db, "audit_events"))
}
