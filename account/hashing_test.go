package account_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/database/dbtest"
)

// TestHashingIsBounded: with every hashing slot taken, a sign-in waits its
// bounded time, then is refused with a wait to come back after, and does not
// count as a failure.
func TestHashingIsBounded(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		if _, err := s.CreateUser(ctx, ordi.System, account.NewUser{Email: "staff@example.org", Name: "S", Role: ordi.RoleStaff, Password: goodPassword}); err != nil {
			t.Fatal(err)
		}
		slots := account.HashSlots(s)
		if cap(slots) != runtime.GOMAXPROCS(0) {
			t.Fatalf("%d hashing slots, want one per core (%d)", cap(slots), runtime.GOMAXPROCS(0))
		}
		for range cap(slots) {
			slots <- struct{}{}
		}
		account.SetHashQueueWait(s, 20*time.Millisecond)
		_, err := s.Authenticate(ctx, "staff@example.org", goodPassword, "192.0.2.1")
		if !errors.Is(err, ordi.RateLimited) || ordi.RetryAfterOf(err) <= 0 {
			t.Fatalf("sign-in with no free slot: %v (wait %v), want RateLimited with a wait", err, ordi.RetryAfterOf(err))
		}
		if _, err := s.CreateUser(ctx, ordi.System, account.NewUser{Email: "b@example.org", Name: "B", Role: ordi.RoleStaff, Password: goodPassword}); !errors.Is(err, ordi.RateLimited) {
			t.Fatalf("account creation with no free slot: %v, want RateLimited", err)
		}
		if n := count(t, db, "login_attempts"); n != 0 {
			t.Fatalf("%d attempts counted for sign-ins whose password was never checked", n)
		}
		for range cap(slots) {
			<-slots
		}
		if _, err := s.Authenticate(ctx, "staff@example.org", goodPassword, "192.0.2.1"); err != nil {
			t.Fatalf("sign-in with free slots: %v", err)
		}
	})
}

// TestLoginBurstMemory sends 60 sign-ins at once, each for an unknown
// account from its own address, so that each one hashes (argon2id, 19 MiB
// per hash), and measures the memory the process holds meanwhile, with the
// garbage collector set as `ordi serve` sets it. Unbounded, such a burst took
// the heap to 3.2 GB. The memory is the hashing's, whatever the database:
// SQLite only.
func TestLoginBurstMemory(t *testing.T) {
	const limit = 300 << 20
	db := dbtest.OpenSQLite(t)
	defer debug.SetGCPercent(debug.SetGCPercent(ordi.GCPercent))
	ctx := context.Background()
	s, _ := newService(t, db)
	account.SetHashQueueWait(s, time.Hour) // every sign-in hashes, however slow the machine
	// The dummy hash of unknown accounts is made once, before the burst.
	s.Authenticate(ctx, "warm-up@example.org", "wrong password!", "192.0.2.250")

	debug.FreeOSMemory()
	base := heldMemory()
	peak := base
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				peak = max(peak, heldMemory())
			}
		}
	}()
	const n = 60
	var wg sync.WaitGroup
	start := make(chan struct{})
	began := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := s.Authenticate(ctx, fmt.Sprintf("nobody%d@example.org", i), "wrong password!", fmt.Sprintf("198.51.100.%d", i))
			if !errors.Is(err, ordi.Unauthorized) {
				t.Errorf("sign-in %d: %v, want Unauthorized", i, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	elapsed := time.Since(began)
	close(done)
	<-sampled
	peak = max(peak, heldMemory())
	t.Logf("60 sign-ins in %v: memory held from the OS %d MB before, %d MB at peak", elapsed.Round(time.Millisecond), base>>20, peak>>20)
	if peak > limit {
		t.Fatalf("a burst of %d sign-ins held %d MB, want under %d MB", n, peak>>20, limit>>20)
	}
}

// heldMemory is what the Go runtime holds from the operating system (all
// its memory classes, less what it released): the process's footprint
// outside its binary.
func heldMemory() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() - s[1].Value.Uint64()
}

// BenchmarkPasswordHash is one argon2id hash with Ordi's parameters: the
// cost of a sign-in, and what the hashing slots ration.
func BenchmarkPasswordHash(b *testing.B) {
	for b.Loop() {
		if _, err := account.HashPassword(goodPassword); err != nil {
			b.Fatal(err)
		}
	}
}
