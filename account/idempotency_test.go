package account_test

import (
	"context"
	"errors"
	"sync"
	"testing"

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

		// A claim left in progress (its server died) is taken over by the
		// same request after the lease; the old claim can no longer store.
		clk.Add(account.IdempotencyLease + 1)
		if _, err := s.ClaimIdempotencyKey(ctx, u.ID, "k", h2); !errors.Is(err, ordi.Invalid) {
			t.Fatalf("another request after the lease: %v", err)
		}
		again, err := s.ClaimIdempotencyKey(ctx, u.ID, "k", h1)
		if err != nil || again.State != account.Claimed {
			t.Fatalf("after the lease: %+v %v", again, err)
		}
		if err := s.StoreIdempotentResponse(ctx, won, account.StoredResponse{Status: 201, Body: []byte("old")}); err != nil {
			t.Fatal(err)
		}
		if c, _ := s.ClaimIdempotencyKey(ctx, u.ID, "k", h1); c.State != account.InProgress {
			t.Fatalf("the old claim stored its answer: %+v", c)
		}
		if err := s.ReleaseIdempotencyKey(ctx, won); err != nil || count(t, db, "idempotency_keys") != 1 {
			t.Fatalf("the old claim released the key: %v", err)
		}
		resp := account.StoredResponse{Status: 303, Headers: map[string]string{"Location": "/u/X"}, Body: []byte{}}
		if err := s.StoreIdempotentResponse(ctx, again, resp); err != nil {
			t.Fatal(err)
		}
		c, err := s.ClaimIdempotencyKey(ctx, u.ID, "k", h1)
		if err != nil || c.State != account.Replay || c.Response.Status != 303 || c.Response.Headers["Location"] != "/u/X" {
			t.Fatalf("replay: %+v %v", c, err)
		}
		// A done key is never taken over by the lease, only freed by expiry.
		clk.Add(account.IdempotencyLease * 2)
		if c, _ := s.ClaimIdempotencyKey(ctx, u.ID, "k", h1); c.State != account.Replay {
			t.Fatalf("done key after the lease: %+v", c)
		}
		if n, err := s.SweepIdempotencyKeys(ctx); err != nil || n != 0 {
			t.Fatalf("sweep before expiry: %d %v", n, err)
		}
		clk.Add(account.IdempotencyKept)
		if n, err := s.SweepIdempotencyKeys(ctx); err != nil || n != 1 {
			t.Fatalf("sweep after expiry: %d %v", n, err)
		}
	})
}
