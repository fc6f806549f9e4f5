package account_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/database/dbtest"
)

// smallPool keeps a race test to a few connections: the attempts still run
// concurrently, and a PostgreSQL server shared by many test processes is
// not run out of connections.
func smallPool(t *testing.T, db *gorm.DB) {
	t.Helper()
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.SetMaxOpenConns(8)
}

// race releases n calls of attempt at once and counts the answers by kind:
// Unauthorized answers are the passwords that were checked.
func race(t *testing.T, n int, attempt func(i int) error) (checked, refused int) {
	t.Helper()
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = attempt(i)
		}()
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		switch {
		case errors.Is(err, ordi.Unauthorized):
			checked++
		case errors.Is(err, ordi.RateLimited):
			refused++
			if ordi.RetryAfterOf(err) <= 0 {
				t.Errorf("refused without a wait: %v", err)
			}
		default:
			t.Errorf("unexpected answer %v", err)
		}
	}
	return checked, refused
}

// TestThrottleRaceOneAccount: 60 simultaneous wrong passwords for one
// account from one address; exactly the limit of them are checked.
func TestThrottleRaceOneAccount(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		account.SetHashQueueWait(s, time.Hour) // counting is tested here, not the hashing bound
		smallPool(t, db)
		if _, err := s.CreateUser(ctx, ordi.System, account.NewUser{Email: "admin@example.org", Name: "A", Role: ordi.RoleAdmin, Password: goodPassword}); err != nil {
			t.Fatal(err)
		}
		checked, refused := race(t, 60, func(int) error {
			_, err := s.Authenticate(ctx, "admin@example.org", "wrong password!", "203.0.113.7")
			return err
		})
		if checked != account.MaxFailuresPerAccount || refused != 60-account.MaxFailuresPerAccount {
			t.Fatalf("%d passwords checked, %d refused; want %d checked", checked, refused, account.MaxFailuresPerAccount)
		}
	})
}

// TestThrottleRaceOneAddress: 60 simultaneous guesses from one address, each
// at another account; exactly the address's limit of them are checked.
func TestThrottleRaceOneAddress(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		account.SetHashQueueWait(s, time.Hour) // counting is tested here, not the hashing bound
		smallPool(t, db)
		checked, _ := race(t, 60, func(i int) error {
			_, err := s.Authenticate(ctx, fmt.Sprintf("guess%d@example.org", i), "wrong password!", "203.0.113.8")
			return err
		})
		if checked != account.MaxFailuresPerAddress {
			t.Fatalf("%d passwords checked, want %d", checked, account.MaxFailuresPerAddress)
		}
	})
}

// TestThrottleSparesTheOwner: someone guessing an administrator's password
// from one address does not lock the administrator out elsewhere; the
// guesser waits longer and longer; the owner's success forgives only the
// owner's own typos.
func TestThrottleSparesTheOwner(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, clk := newService(t, db)
		if _, err := s.CreateUser(ctx, ordi.System, account.NewUser{Email: "admin@example.org", Name: "A", Role: ordi.RoleAdmin, Password: goodPassword}); err != nil {
			t.Fatal(err)
		}
		const attacker, office = "198.51.100.66", "192.0.2.10"
		guess := func() error {
			_, err := s.Authenticate(ctx, "admin@example.org", "wrong password!", attacker)
			return err
		}
		for i := range account.MaxFailuresPerAccount {
			if err := guess(); !errors.Is(err, ordi.Unauthorized) {
				t.Fatalf("guess %d: %v, want Unauthorized", i, err)
			}
		}
		err := guess()
		if !errors.Is(err, ordi.RateLimited) || ordi.RetryAfterOf(err) != account.FirstWait {
			t.Fatalf("guess past the limit: %v (wait %v), want RateLimited for %v", err, ordi.RetryAfterOf(err), account.FirstWait)
		}
		// The owner signs in from the office all the same.
		if _, err := s.Authenticate(ctx, "admin@example.org", goodPassword, office); err != nil {
			t.Fatalf("owner from elsewhere: %v", err)
		}
		// The guesser's wait doubles with each further failure.
		for _, want := range []time.Duration{2 * account.FirstWait, 4 * account.FirstWait, 8 * account.FirstWait} {
			clk.Add(ordi.RetryAfterOf(err))
			if err := guess(); !errors.Is(err, ordi.Unauthorized) {
				t.Fatalf("guess after the wait: %v, want Unauthorized", err)
			}
			if err = guess(); ordi.RetryAfterOf(err) != want {
				t.Fatalf("next wait %v (%v), want %v", ordi.RetryAfterOf(err), err, want)
			}
		}
		// The owner's own typos at the office are forgiven by a success.
		for range account.MaxFailuresPerAccount - 1 {
			s.Authenticate(ctx, "admin@example.org", "typo typo typo", office)
		}
		if _, err := s.Authenticate(ctx, "admin@example.org", goodPassword, office); err != nil {
			t.Fatalf("owner after typos: %v", err)
		}
		if _, err := s.Authenticate(ctx, "admin@example.org", "typo typo typo", office); !errors.Is(err, ordi.Unauthorized) {
			t.Fatalf("a typo after signing in: %v, want Unauthorized (the count starts again)", err)
		}
		// An IPv6 client is counted by its /64: changing the interface
		// identifier does not buy new guesses.
		for i := range account.MaxFailuresPerAccount {
			s.Authenticate(ctx, "admin@example.org", "wrong password!", fmt.Sprintf("2001:db8:1:2::%x", i+1))
		}
		if _, err := s.Authenticate(ctx, "admin@example.org", "wrong password!", "2001:db8:1:2:ffff::1"); !errors.Is(err, ordi.RateLimited) {
			t.Fatalf("another address of the same /64: %v, want RateLimited", err)
		}
	})
}
