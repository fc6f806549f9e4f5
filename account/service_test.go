package account_test

import (
	"context"
	"errors"
	"github.com/google/go-cmp/cmp"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/database/dbtest"
)

const goodPassword = "correct horse battery"

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newService(t *testing.T, db *gorm.DB) (*account.Service, *clock) {
	c := &clock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	return account.NewService(db, c.Now), c
}

func fieldsOf(err error) []string {
	var e *ordi.Error
	if !errors.As(err, &e) {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func count(t *testing.T, db *gorm.DB, table string) int64 {
	t.Helper()
	var n int64
	if err := db.Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCreateUser(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		p, err := s.CreatePartner(ctx, ordi.System, account.NewPartner{Name: "CCAS de Roubaix", Kind: account.PartnerCCAS})
		if err != nil {
			t.Fatal(err)
		}
		u, err := s.CreateUser(ctx, ordi.System, account.NewUser{Email: " Ana@Example.ORG ", Name: "Ana", Role: ordi.RoleSocialWorker, PartnerID: p.ID, Password: goodPassword})
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "ana@example.org" || !u.Active || u.PartnerID == nil || *u.PartnerID != p.ID {
			t.Fatalf("created %+v", u)
		}
		if u.PasswordHash == goodPassword || u.PasswordHash == "" {
			t.Fatal("password stored in clear")
		}
		got, err := s.User(ctx, ordi.System, u.ID)
		if err != nil || got.Email != u.Email || !got.CreatedAt.Equal(u.CreatedAt) {
			t.Fatalf("User(%d) = %+v, %v", u.ID, got, err)
		}

		users := count(t, db, "users")
		for _, tc := range []struct {
			name  string
			in    account.NewUser
			field string
		}{
			{"ErrUnknownRole", account.NewUser{Email: "b@example.org", Name: "B", Role: "boss", Password: goodPassword}, "role"},
			{"ErrBadEmail", account.NewUser{Email: "not-an-email", Name: "B", Role: ordi.RoleStaff, Password: goodPassword}, "email"},
			{"ErrShortPassword", account.NewUser{Email: "b@example.org", Name: "B", Role: ordi.RoleStaff, Password: "short"}, "password"},
			{"ErrDuplicateEmail", account.NewUser{Email: "ANA@example.org", Name: "B", Role: ordi.RoleStaff, Password: goodPassword}, "email"},
			{"ErrUnknownPartner", account.NewUser{Email: "b@example.org", Name: "B", Role: ordi.RoleSocialWorker, PartnerID: 999, Password: goodPassword}, "partner_id"},
			{"ErrSocialWorkerWithoutPartner", account.NewUser{Email: "b@example.org", Name: "B", Role: ordi.RoleSocialWorker, Password: goodPassword}, "partner_id"},
			{"ErrNoName", account.NewUser{Email: "b@example.org", Role: ordi.RoleStaff, Password: goodPassword}, "name"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.CreateUser(ctx, ordi.System, tc.in)
				if !errors.Is(err, ordi.Invalid) {
					t.Fatalf("err = %v, want Invalid", err)
				}
				if f := fieldsOf(err); len(f) != 1 || f[0] != tc.field {
					t.Fatalf("fields = %v, want [%s]", f, tc.field)
				}
			})
		}
		// What only the database knows comes in the same round as the rest
		// (issue 14, item 8): a form shows every error at once.
		_, err = s.CreateUser(ctx, ordi.System, account.NewUser{Email: "ANA@example.org", Role: ordi.RoleSocialWorker, PartnerID: 999, Password: "short"})
		if f := fieldsOf(err); !cmp.Equal(f, []string{"name", "password", "partner_id", "email"}) {
			t.Fatalf("one round: fields = %v, want name, password, partner_id, email", f)
		}
		if n := count(t, db, "users"); n != users {
			t.Fatalf("bad input wrote users: %d, want %d", n, users)
		}
	})
}

func TestAuthenticateAndThrottle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, clk := newService(t, db)
		u, err := s.CreateUser(ctx, ordi.System, account.NewUser{Email: "staff@example.org", Name: "Sam", Role: ordi.RoleStaff, Password: goodPassword})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Authenticate(ctx, "STAFF@example.org", goodPassword, "10.0.0.1")
		if err != nil || got.ID != u.ID || got.LastLoginAt == nil {
			t.Fatalf("Authenticate = %+v, %v", got, err)
		}
		if _, err := s.Authenticate(ctx, "nobody@example.org", goodPassword, "10.0.0.1"); !errors.Is(err, ordi.Unauthorized) {
			t.Fatalf("unknown email: %v, want Unauthorized", err)
		}
		for i := 0; i < account.MaxFailuresPerAccount; i++ {
			if _, err := s.Authenticate(ctx, "staff@example.org", "wrong password!", "10.0.0.2"); !errors.Is(err, ordi.Unauthorized) {
				t.Fatalf("attempt %d: %v, want Unauthorized", i, err)
			}
		}
		// Now even the right password is refused from this address…
		if _, err := s.Authenticate(ctx, "staff@example.org", goodPassword, "10.0.0.2"); !errors.Is(err, ordi.RateLimited) {
			t.Fatalf("after %d failures: %v, want RateLimited", account.MaxFailuresPerAccount, err)
		}
		// …until the wait has passed.
		clk.Add(account.FirstWait)
		if _, err := s.Authenticate(ctx, "staff@example.org", goodPassword, "10.0.0.2"); err != nil {
			t.Fatalf("after the wait: %v", err)
		}

		off := false
		if _, err := s.UpdateUser(ctx, ordi.System, u.ID, account.UserUpdate{Active: &off}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "staff@example.org", goodPassword, "10.0.0.4"); !errors.Is(err, ordi.Unauthorized) {
			t.Fatalf("inactive account: %v, want Unauthorized", err)
		}
	})
}

func TestThrottlePerAddress(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		for i := 0; i < account.MaxFailuresPerAddress; i++ {
			s.Authenticate(ctx, "guess"+string(rune('a'+i))+"@example.org", "nope nope nope", "192.0.2.9")
		}
		if _, err := s.Authenticate(ctx, "other@example.org", "nope nope nope", "192.0.2.9"); !errors.Is(err, ordi.RateLimited) {
			t.Fatalf("err = %v, want RateLimited", err)
		}
		if _, err := s.Authenticate(ctx, "other@example.org", "nope nope nope", "192.0.2.10"); !errors.Is(err, ordi.Unauthorized) {
			t.Fatalf("another address: %v, want Unauthorized", err)
		}
	})
}

func TestTokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, clk := newService(t, db)
		u, err := s.CreateUser(ctx, ordi.System, account.NewUser{Email: "api@example.org", Name: "API", Role: ordi.RoleStaff, Password: goodPassword})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := s.CreateToken(ctx, ordi.System, "api@example.org", "")
		if err != nil {
			t.Fatal(err)
		}
		var stored int64
		db.Table("api_tokens").Where("token_hash = ?", tok).Count(&stored)
		if stored != 0 {
			t.Fatal("token stored in clear")
		}
		got, err := s.UserByToken(ctx, tok)
		if err != nil || got.ID != u.ID {
			t.Fatalf("UserByToken = %+v, %v", got, err)
		}
		for _, bad := range []string{"", "ordi_nope", tok + "x", "Bearer " + tok} {
			if _, err := s.UserByToken(ctx, bad); !errors.Is(err, ordi.Unauthorized) {
				t.Errorf("UserByToken(%q) = %v, want Unauthorized", bad, err)
			}
		}
		if _, err := s.CreateToken(ctx, ordi.System, "nobody@example.org", ""); !errors.Is(err, ordi.Invalid) {
			t.Fatalf("token for unknown email: %v", err)
		}
		// Deactivation revokes at once on this instance, and in the database.
		off := false
		if _, err := s.UpdateUser(ctx, ordi.System, u.ID, account.UserUpdate{Active: &off}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UserByToken(ctx, tok); !errors.Is(err, ordi.Unauthorized) {
			t.Fatalf("token of a deactivated account: %v", err)
		}
		other, _ := newService(t, db)
		clk.Add(time.Minute)
		if _, err := other.UserByToken(ctx, tok); !errors.Is(err, ordi.Unauthorized) {
			t.Fatalf("token of a deactivated account on another instance: %v", err)
		}
	})
}

func TestCreateFirstAdminOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		account.SetHashQueueWait(s, time.Hour) // the setups race, however slowly they hash
		if need, err := s.NeedsSetup(ctx); err != nil || !need {
			t.Fatalf("NeedsSetup on empty db = %v, %v", need, err)
		}
		const n = 8
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = s.CreateFirstAdmin(ctx, account.NewUser{Email: "admin" + string(rune('a'+i)) + "@example.org", Name: "Admin", Password: goodPassword})
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, ordi.Conflict):
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 || count(t, db, "users") != 1 {
			t.Fatalf("%d setups succeeded, %d users; want exactly one", ok, count(t, db, "users"))
		}
		if need, _ := s.NeedsSetup(ctx); need {
			t.Fatal("NeedsSetup after setup")
		}
	})
}

func TestUpdateUserGuards(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		admin, err := s.CreateUser(ctx, ordi.System, account.NewUser{Email: "a@example.org", Name: "A", Role: ordi.RoleAdmin, Password: goodPassword})
		if err != nil {
			t.Fatal(err)
		}
		staff := ordi.RoleStaff
		if _, err := s.UpdateUser(ctx, admin.Actor(), admin.ID, account.UserUpdate{Role: &staff}); !errors.Is(err, ordi.Invalid) {
			t.Fatalf("self-demotion: %v, want Invalid", err)
		}
		sw := ordi.RoleSocialWorker
		if _, err := s.UpdateUser(ctx, ordi.System, admin.ID, account.UserUpdate{Role: &sw}); !errors.Is(err, ordi.Invalid) {
			t.Fatalf("social worker without partner: %v, want Invalid", err)
		}
		name := "Alice"
		got, err := s.UpdateUser(ctx, admin.Actor(), admin.ID, account.UserUpdate{Name: &name})
		if err != nil || got.Name != "Alice" {
			t.Fatalf("rename: %+v, %v", got, err)
		}
		if _, err := s.UpdateUser(ctx, ordi.System, 9999, account.UserUpdate{Name: &name}); !errors.Is(err, ordi.NotFound) {
			t.Fatalf("unknown user: %v", err)
		}
	})
}

func TestSessionStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
		st := account.NewSessionStore(db, clk.Now)
		if err := st.CommitCtx(ctx, "tok", []byte("one"), clk.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := st.CommitCtx(ctx, "tok", []byte("two"), clk.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		b, ok, err := st.FindCtx(ctx, "tok")
		if err != nil || !ok || string(b) != "two" {
			t.Fatalf("Find = %q, %v, %v", b, ok, err)
		}
		clk.Add(2 * time.Hour)
		if _, ok, _ := st.FindCtx(ctx, "tok"); ok {
			t.Fatal("expired session found")
		}
		// Ended, it still says whose it was until purged.
		s := account.NewService(db, clk.Now)
		if err := s.Purge(ctx); err != nil {
			t.Fatal(err)
		}
		if b, ok, err := st.FindEndedCtx(ctx, "tok"); err != nil || !ok || string(b) != "two" {
			t.Fatalf("FindEnded before the purge = %q, %v, %v", b, ok, err)
		}
		clk.Add(account.EndedSessionKept)
		if err := s.Purge(ctx); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := st.FindEndedCtx(ctx, "tok"); ok {
			t.Fatal("purged session found")
		}
		if n := count(t, db, "sessions"); n != 0 {
			t.Fatalf("%d sessions after purge", n)
		}
	})
}

// TestPartnerKindMessage: an unknown kind of partner is answered with the
// kinds' French names, not their codes.
func TestPartnerKindMessage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s, _ := newService(t, db)
		_, err := s.CreatePartner(context.Background(), ordi.System, account.NewPartner{Name: "Structure", Kind: "club"})
		var e *ordi.Error
		if !errors.As(err, &e) || len(e.Fields) != 1 {
			t.Fatalf("err = %v, want Invalid on kind", err)
		}
		msg := e.Fields[0].Message
		if !strings.Contains(msg, "CCAS, Centre social") || strings.Contains(msg, "centre_social") || strings.Contains(msg, "other") {
			t.Fatalf("message %q", msg)
		}
	})
}
