package account_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/database/dbtest"
)

func TestCheckIdempotencyKey(t *testing.T) {
	for key, ok := range map[string]bool{
		"a": true, "550e8400-e29b-41d4-a716-446655440000": true, "!~": true,
		"": false, "a b": false, "a\tb": false, "a\x7fb": false, "é": false, "a\nb": false,
		string(make([]byte, 101)): false,
	} {
		err := account.CheckIdempotencyKey(key)
		if (err == nil) != ok || err != nil && !errors.Is(err, ordi.Malformed) {
			t.Errorf("CheckIdempotencyKey(%q) = %v", key, err)
		}
	}
	long := make([]byte, 100)
	for i := range long {
		long[i] = 'k'
	}
	if err := account.CheckIdempotencyKey(string(long)); err != nil {
		t.Errorf("100 characters: %v", err)
	}
	if err := account.CheckIdempotencyKey(string(long) + "k"); err == nil {
		t.Errorf("101 characters accepted")
	}
}

func TestIdempotencyClaims(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, clk := newService(t, db)
		u := newFixture(t, s).target
		h1 := account.RequestHash("POST", "/api/v1/units", []byte(`{"a":1}`))
		h2 := account.RequestHash("POST", "/api/v1/units", []byte(`{"a":2}`))

		// Of many claims at once, one wins; the others find it in progress.
		const n = 24
		states := make([]account.ClaimState, n)
		claims := make([]account.IdempotencyClaim, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				c, err := s.ClaimIdempotencyKey(ctx, u.ID, "k", h1)
				if err != nil {
					t.Error(err)
				}
				states[i], claims[i] = c.State, c
			}()
		}
		close(start)
		wg.Wait()
		var won account.IdempotencyClaim
		for i, st := range states {
			switch st {
			case account.Claimed:
				if won.State != 0 {
					t.Fatalf("two claims won")
				}
				won = claims[i]
			case account.InProgress:
			default:
				t.Fatalf("claim %d: state %v", i, st)
			}
		}
		if won.State != account.Claimed {
			t.Fatalf("no claim won: %v", states)
		}
		if _, err := s.ClaimIdempotencyKey(ctx, u.ID, "k", h2); !errors.Is(err, ordi.Invalid) {
			t.Fatalf("another request under the key: %v", err)
		}

		// The winner stores its answer; a claim not won cannot.
		if err := s.StoreIdempotentResponse(ctx, account.IdempotencyClaim{}, account.StoredResponse{Status: 500}); err == nil {
			t.Fatalf("an unclaimed key stored an answer")
		}
		resp := account.StoredResponse{Status: 303, Headers: map[string]string{"Location": "/u/X"}, Body: []byte{}}
		if err := s.StoreIdempotentResponse(ctx, won, resp); err != nil {
			t.Fatal(err)
		}
		c, err := s.ClaimIdempotencyKey(ctx, u.ID, "k", h1)
		if err != nil || c.State != account.Replay || c.Response.Status != 303 || c.Response.Headers["Location"] != "/u/X" {
			t.Fatalf("replay: %+v %v", c, err)
		}
		// A done key is answered after the lease as before; one left in
		// progress (its server stopped) is Interrupted, never run again.
		other, err := s.ClaimIdempotencyKey(ctx, u.ID, "stopped", h1)
		if err != nil || other.State != account.Claimed {
			t.Fatalf("claim: %+v %v", other, err)
		}
		if c, _ := s.ClaimIdempotencyKey(ctx, u.ID, "stopped", h1); c.State != account.InProgress {
			t.Fatalf("within the lease: %+v", c)
		}
		clk.Add(account.IdempotencyLease + time.Second)
		if c, _ := s.ClaimIdempotencyKey(ctx, u.ID, "k", h1); c.State != account.Replay {
			t.Fatalf("done key after the lease: %+v", c)
		}
		if c, _ := s.ClaimIdempotencyKey(ctx, u.ID, "stopped", h1); c.State != account.Interrupted {
			t.Fatalf("key left in progress after the lease: %+v", c)
		}
		if _, err := s.ClaimIdempotencyKey(ctx, u.ID, "stopped", h2); !errors.Is(err, ordi.Invalid) {
			t.Fatalf("another request under the stopped key: %v", err)
		}
		// Expired, a key is free again, for any request.
		clk.Add(account.IdempotencyKept)
		if c, err := s.ClaimIdempotencyKey(ctx, u.ID, "stopped", h2); err != nil || c.State != account.Claimed {
			t.Fatalf("expired key: %+v %v", c, err)
		}
		if err := s.ReleaseIdempotencyKey(ctx, other); err != nil || count(t, db, "idempotency_keys") != 2 {
			t.Fatalf("the first claim released the key taken over: %v", err)
		}
		// The sweep removes the expired key, then the other once expired.
		if n, err := s.SweepIdempotencyKeys(ctx); err != nil || n != 1 || count(t, db, "idempotency_keys") != 1 {
			t.Fatalf("first sweep: %d %v", n, err)
		}
		clk.Add(account.IdempotencyKept)
		if n, err := s.SweepIdempotencyKeys(ctx); err != nil || n != 1 {
			t.Fatalf("sweep after expiry: %d %v", n, err)
		}
	})
}

// TestIdempotencyLightWriteRestores checks that a claim's connection is put
// back to synchronous FULL (SQLite: the pragma is the connection's).
func TestIdempotencyLightWriteRestores(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.SetMaxOpenConns(1)
	s, _ := newService(t, db)
	u := newFixture(t, s).target
	if _, err := s.ClaimIdempotencyKey(context.Background(), u.ID, "k", "h"); err != nil {
		t.Fatal(err)
	}
	var level int
	if err := db.Raw("PRAGMA synchronous").Scan(&level).Error; err != nil {
		t.Fatal(err)
	}
	if level != 2 {
		t.Fatalf("synchronous = %d after a claim, want 2 (FULL)", level)
	}
}
