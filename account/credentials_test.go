package account_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/database/dbtest"
)

// TestCredentialsEnd: each change that must end an account's sessions and
// tokens does so at once, on this instance and, through the database, on
// any other; a change that need not (a new name) ends nothing.
func TestCredentialsEnd(t *testing.T) {
	newPassword := "une toute nouvelle phrase"
	staff, admin := ordi.RoleStaff, ordi.RoleAdmin
	off, on := false, true
	name := "Nouveau nom"
	for _, tc := range []struct {
		name   string
		change func(ctx context.Context, s *account.Service, id int64) error
		ends   bool
	}{
		{"PasswordChanged", func(ctx context.Context, s *account.Service, id int64) error {
			_, err := s.UpdateUser(ctx, ordi.System, id, account.UserUpdate{Password: &newPassword})
			return err
		}, true},
		{"RoleChanged", func(ctx context.Context, s *account.Service, id int64) error {
			_, err := s.UpdateUser(ctx, ordi.System, id, account.UserUpdate{Role: &admin})
			return err
		}, true},
		{"DeactivatedThenReactivated", func(ctx context.Context, s *account.Service, id int64) error {
			if _, err := s.UpdateUser(ctx, ordi.System, id, account.UserUpdate{Active: &off}); err != nil {
				return err
			}
			_, err := s.UpdateUser(ctx, ordi.System, id, account.UserUpdate{Active: &on})
			return err
		}, true},
		{"SignedOutEverywhere", func(ctx context.Context, s *account.Service, id int64) error {
			n, err := s.SignOutEverywhere(ctx, ordi.System, id)
			if err == nil && n != 1 {
				t.Errorf("SignOutEverywhere revoked %d tokens, want 1", n)
			}
			return err
		}, true},
		{"Renamed", func(ctx context.Context, s *account.Service, id int64) error {
			_, err := s.UpdateUser(ctx, ordi.System, id, account.UserUpdate{Name: &name})
			return err
		}, false},
		{"SameRoleSubmittedAgain", func(ctx context.Context, s *account.Service, id int64) error {
			_, err := s.UpdateUser(ctx, ordi.System, id, account.UserUpdate{Role: &staff, Active: &on})
			return err
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
				ctx := context.Background()
				s, clk := newService(t, db)
				other := account.NewService(db, clk.Now) // another instance on the same database
				u, err := s.CreateUser(ctx, ordi.System, account.NewUser{Email: "sam@example.org", Name: "Sam", Role: staff, Password: goodPassword})
				if err != nil {
					t.Fatal(err)
				}
				tok, err := s.CreateToken(ctx, ordi.System, u.Email, "script")
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.SessionUser(ctx, u.ID, u.SessionEpoch); err != nil {
					t.Fatalf("session before: %v", err)
				}
				for _, inst := range []*account.Service{s, other} { // both cache the token
					if _, err := inst.UserByToken(ctx, tok); err != nil {
						t.Fatalf("token before: %v", err)
					}
				}
				if err := tc.change(ctx, s, u.ID); err != nil {
					t.Fatal(err)
				}
				_, sessionErr := s.SessionUser(ctx, u.ID, u.SessionEpoch)
				_, tokenErr := s.UserByToken(ctx, tok)
				clk.Add(time.Second) // the other instance's cache lives a second at most
				_, otherErr := other.UserByToken(ctx, tok)
				for what, err := range map[string]error{"old session": sessionErr, "old token": tokenErr, "old token on another instance": otherErr} {
					if tc.ends && !errors.Is(err, ordi.Unauthorized) {
						t.Errorf("%s: %v, want Unauthorized", what, err)
					}
					if !tc.ends && err != nil {
						t.Errorf("%s: %v, want it still valid", what, err)
					}
				}
				if !tc.ends {
					return
				}
				// What is opened afterwards works: a new sign-in, a new token.
				now, err := s.User(ctx, ordi.System, u.ID)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.SessionUser(ctx, u.ID, now.SessionEpoch); err != nil {
					t.Fatalf("a session opened after: %v", err)
				}
				fresh, err := s.CreateToken(ctx, ordi.System, u.Email, "nouveau")
				if err != nil {
					t.Fatal(err)
				}
				if _, err := other.UserByToken(ctx, fresh); err != nil {
					t.Fatalf("a token made after: %v", err)
				}
			})
		})
	}
}

func TestTokenNamesExpiryListAndRevocation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, clk := newService(t, db)
		u, err := s.CreateUser(ctx, ordi.System, account.NewUser{Email: "api@example.org", Name: "API", Role: ordi.RoleStaff, Password: goodPassword})
		if err != nil {
			t.Fatal(err)
		}
		in := clk.Now().Add(time.Hour)
		expiring, err := s.IssueToken(ctx, ordi.System, account.NewToken{UserID: u.ID, Name: "  tablette atelier ", ExpiresAt: &in})
		if err != nil {
			t.Fatal(err)
		}
		if expiring.Name != "tablette atelier" || !strings.HasPrefix(expiring.Secret, "ordi_") {
			t.Fatalf("issued %+v", expiring.Token)
		}
		forever, err := s.IssueToken(ctx, ordi.System, account.NewToken{Email: "API@example.org"})
		if err != nil || forever.Name != "API" || forever.ExpiresAt != nil {
			t.Fatalf("token without name or expiry: %+v, %v", forever.Token, err)
		}
		for _, tc := range []struct {
			name  string
			in    account.NewToken
			field string
		}{
			{"ErrExpiryPast", account.NewToken{UserID: u.ID, ExpiresAt: &[]time.Time{clk.Now()}[0]}, "expires_at"},
			{"ErrNameTooLong", account.NewToken{UserID: u.ID, Name: strings.Repeat("n", 81)}, "name"},
			{"ErrUnknownEmail", account.NewToken{Email: "nobody@example.org"}, "email"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := s.IssueToken(ctx, ordi.System, tc.in); !errors.Is(err, ordi.Invalid) || fieldsOf(err)[0] != tc.field {
					t.Fatalf("err = %v, want Invalid on %s", err, tc.field)
				}
			})
		}
		if _, err := s.UserByToken(ctx, expiring.Secret); err != nil {
			t.Fatalf("expiring token before expiry: %v", err)
		}
		clk.Add(time.Hour)
		if _, err := s.UserByToken(ctx, expiring.Secret); !errors.Is(err, ordi.Unauthorized) {
			t.Fatalf("expired token (was cached): %v, want Unauthorized", err)
		}
		if _, err := s.UserByToken(ctx, forever.Secret); err != nil {
			t.Fatalf("token without expiry: %v", err)
		}
		// Revocation is at once on this instance.
		revoked, err := s.RevokeToken(ctx, ordi.System, forever.ID)
		if err != nil || revoked.RevokedAt == nil || revoked.UserID != u.ID {
			t.Fatalf("RevokeToken = %+v, %v", revoked, err)
		}
		if _, err := s.UserByToken(ctx, forever.Secret); !errors.Is(err, ordi.Unauthorized) {
			t.Fatalf("revoked token: %v, want Unauthorized", err)
		}
		if _, err := s.RevokeToken(ctx, ordi.System, forever.ID); err != nil {
			t.Fatalf("revoking twice: %v", err)
		}
		if _, err := s.RevokeToken(ctx, ordi.System, 999999); !errors.Is(err, ordi.NotFound) {
			t.Fatalf("unknown token: %v, want NotFound", err)
		}
		list, err := s.Tokens(ctx, ordi.System, u.ID)
		if err != nil || len(list) != 2 {
			t.Fatalf("Tokens = %+v, %v", list, err)
		}
		now := clk.Now()
		if list[0].ID != forever.ID || list[0].Status(now) != account.TokenRevoked || list[1].Status(now) != account.TokenExpired {
			t.Fatalf("list (newest first) %+v: statuses %s, %s", list, list[0].Status(now), list[1].Status(now))
		}
	})
}

func TestSessionTokensAreStoredHashed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
		st := account.NewSessionStore(db, clk.Now)
		const token = "Zm9vYmFyYmF6cXV4cXV1eA"
		if err := st.CommitCtx(ctx, token, []byte("data"), clk.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		var keys []string
		if err := db.Table("sessions").Pluck("token_hash", &keys).Error; err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(token))
		if len(keys) != 1 || keys[0] != hex.EncodeToString(sum[:]) {
			t.Fatalf("sessions keyed by %q, want the SHA-256 of the token", keys)
		}
		if b, ok, err := st.FindCtx(ctx, token); err != nil || !ok || string(b) != "data" {
			t.Fatalf("FindCtx = %q, %v, %v", b, ok, err)
		}
		if _, ok, _ := st.FindCtx(ctx, keys[0]); ok {
			t.Fatal("the stored key opens the session")
		}
		if err := st.DeleteCtx(ctx, token); err != nil || count(t, db, "sessions") != 0 {
			t.Fatalf("DeleteCtx: %v, %d rows left", err, count(t, db, "sessions"))
		}
	})
}
