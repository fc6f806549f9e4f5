package web

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ordi-app/ordi"
)

// pollUntil waits until cond holds, failing after a few seconds.
func pollUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited in vain for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func isOverloaded(err error) bool {
	return errors.Is(err, ordi.Unavailable) && ordi.RetryAfterOf(err) > 0
}

// TestLimiterBounds: work runs up to the limit, more waits its turn up to
// the queue's bound, and beyond it is refused at once with Unavailable and
// a Retry-After; a waiter runs as soon as a turn is free.
func TestLimiterBounds(t *testing.T) {
	l := newLimiter(1, 1, time.Hour)
	release, err := l.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	var releaseWaiter func()
	go func() {
		var err error
		releaseWaiter, err = l.acquire(context.Background())
		waited <- err
	}()
	pollUntil(t, "the second piece of work to wait", func() bool { return len(l.admitted) == 2 })
	start := time.Now()
	if _, err := l.acquire(context.Background()); !isOverloaded(err) {
		t.Fatalf("beyond the queue: %v, want Unavailable with a Retry-After", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("refusal beyond the queue took %v: it must not wait", d)
	}
	select {
	case err := <-waited:
		t.Fatalf("the waiter ran while the turn was taken: %v", err)
	default:
	}
	release()
	if err := <-waited; err != nil {
		t.Fatalf("waiter: %v", err)
	}
	releaseWaiter()
	if len(l.admitted) != 0 || len(l.running) != 0 {
		t.Fatalf("tokens left: %d admitted, %d running", len(l.admitted), len(l.running))
	}
}

// TestLimiterWaitIsBounded: work that cannot start within the wait is
// refused, and its place in the queue is given back.
func TestLimiterWaitIsBounded(t *testing.T) {
	l := newLimiter(1, 4, 30*time.Millisecond)
	release, err := l.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	start := time.Now()
	if _, err := l.acquire(context.Background()); !isOverloaded(err) {
		t.Fatalf("after the wait: %v, want Unavailable", err)
	}
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Fatalf("refused after %v, before the wait was over", d)
	}
	if len(l.admitted) != 1 {
		t.Fatalf("%d admitted after a refusal, want 1", len(l.admitted))
	}
}

// TestLimiterLeavesWithTheClient: a waiter whose request is cancelled
// leaves the queue at once.
func TestLimiterLeavesWithTheClient(t *testing.T) {
	l := newLimiter(1, 4, time.Hour)
	release, err := l.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := l.acquire(ctx)
		done <- err
	}()
	pollUntil(t, "the waiter to queue", func() bool { return len(l.admitted) == 2 })
	cancel()
	if err := <-done; !isOverloaded(err) {
		t.Fatalf("cancelled waiter: %v", err)
	}
	if len(l.admitted) != 1 {
		t.Fatalf("%d admitted after the waiter left, want 1", len(l.admitted))
	}
}
