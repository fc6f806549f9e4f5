package account_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/notify"
	"github.com/ordi-app/ordi/outbox/outboxtest"
)

var linkRE = regexp.MustCompile(`https://ordi\.example/password/([0-9a-f]{64})`)

func mailingService(t *testing.T, db *gorm.DB) (*account.Service, *clock) {
	s, c := newService(t, db)
	s.NotifyBy(notify.New("https://ordi.example"))
	return s, c
}

// tokenIn reads the link's secret from a delivered message.
func tokenIn(t *testing.T, m outboxtest.Received) string {
	t.Helper()
	got := linkRE.FindStringSubmatch(m.Text)
	if got == nil {
		t.Fatalf("no link in:\n%s", m.Text)
	}
	return got[1]
}

// TestInvitation: the invited user receives a link, chooses a password
// with it and signs in; the link serves once; only its hash is stored.
func TestInvitation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		srv := outboxtest.MustServer(t)
		s, _ := mailingService(t, db)
		ctx := t.Context()
		u, err := s.InviteUser(ctx, ordi.System, account.NewUser{Email: " Nadia@Example.org", Name: "Nadia", Role: ordi.RoleStaff})
		if err != nil {
			t.Fatal(err)
		}
		got := srv.Deliver(db)
		if len(got) != 1 || got[0].To != "nadia@example.org" || got[0].Subject != "Votre compte Ordi" {
			t.Fatalf("messages %+v", got)
		}
		token := tokenIn(t, got[0])
		var stored int64
		db.Table("account_links").Where("token_hash = ?", token).Count(&stored)
		if stored != 0 || count(t, db, "account_links") != 1 {
			t.Fatal("the link's secret is stored as it is")
		}
		purpose, who, err := s.LinkPurpose(ctx, token)
		if err != nil || purpose != account.LinkInvitation || who.ID != u.ID {
			t.Fatalf("LinkPurpose = %q %d %v", purpose, who.ID, err)
		}
		if _, err := s.UseLink(ctx, token, "court"); !errors.Is(err, ordi.Invalid) {
			t.Fatalf("a short password: %v", err)
		}
		if _, err := s.UseLink(ctx, token, goodPassword); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "nadia@example.org", goodPassword, "192.0.2.1"); err != nil {
			t.Fatalf("sign-in with the chosen password: %v", err)
		}
		if _, err := s.UseLink(ctx, token, "another good password"); !errors.Is(err, ordi.NotFound) {
			t.Fatalf("a spent link: %v", err)
		}
		if _, err := s.InviteUser(ctx, ordi.Actor{Role: ordi.RoleStaff, UserID: u.ID}, account.NewUser{Email: "x@example.org", Name: "X", Role: ordi.RoleStaff}); !errors.Is(err, ordi.Forbidden) {
			t.Fatalf("staff inviting: %v", err)
		}
		// Without mail there is no invitation.
		plain, _ := newService(t, db)
		if _, err := plain.InviteUser(ctx, ordi.System, account.NewUser{Email: "y@example.org", Name: "Y", Role: ordi.RoleStaff}); err == nil {
			t.Fatal("an invitation without mail")
		}
	})
}

// TestPasswordReset: same answer for a known and an unknown address; the
// link serves once, expires after an hour, ends the account's sessions;
// asking more than MaxResetsPerHour times sends no more mail.
func TestPasswordReset(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		srv := outboxtest.MustServer(t)
		s, clk := mailingService(t, db)
		ctx := t.Context()
		u, err := s.CreateUser(ctx, ordi.System, account.NewUser{Email: "sw@example.org", Name: "Sam", Role: ordi.RoleSocialWorker, PartnerID: mustPartner(t, s), Password: goodPassword})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RequestReset(ctx, "nobody@example.org"); err != nil {
			t.Fatalf("unknown address: %v", err)
		}
		if err := s.RequestReset(ctx, "SW@example.org "); err != nil {
			t.Fatal(err)
		}
		got := srv.Deliver(db)
		if len(got) != 1 || got[0].To != "sw@example.org" || !strings.Contains(got[0].Text, "une heure") {
			t.Fatalf("messages %+v", got)
		}
		first := tokenIn(t, got[0])
		// An expired link is refused.
		clk.Add(61 * time.Minute)
		if _, err := s.UseLink(ctx, first, "a brand new password"); !errors.Is(err, ordi.NotFound) {
			t.Fatalf("an expired link: %v", err)
		}
		for range account.MaxResetsPerHour + 2 {
			if err := s.RequestReset(ctx, "sw@example.org"); err != nil {
				t.Fatal(err)
			}
		}
		got = srv.Deliver(db)
		if len(got) != 1+account.MaxResetsPerHour {
			t.Fatalf("%d messages after asking %d times", len(got)-1, account.MaxResetsPerHour+2)
		}
		before, _ := s.User(ctx, ordi.System, u.ID)
		latest := tokenIn(t, got[len(got)-1])
		earlier := tokenIn(t, got[1])
		after, err := s.UseLink(ctx, latest, "a brand new password")
		if err != nil {
			t.Fatal(err)
		}
		if after.SessionEpoch <= before.SessionEpoch {
			t.Fatal("the reset did not end the account's sessions")
		}
		if _, err := s.SessionUser(ctx, u.ID, before.SessionEpoch); err == nil {
			t.Fatal("a session from before the reset still works")
		}
		if _, err := s.UseLink(ctx, earlier, "yet another password"); !errors.Is(err, ordi.NotFound) {
			t.Fatalf("another link of the account after a reset: %v", err)
		}
		if _, err := s.Authenticate(ctx, "sw@example.org", "a brand new password", "192.0.2.2"); err != nil {
			t.Fatal(err)
		}
	})
}

func mustPartner(t *testing.T, s *account.Service) int64 {
	t.Helper()
	p, err := s.CreatePartner(t.Context(), ordi.System, account.NewPartner{Name: "CCAS", Kind: account.PartnerCCAS})
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}
