package web

import (
	"context"
	"runtime"
	"time"

	"github.com/ordi-app/ordi"
)

// limiter bounds the expensive work of requests — rendering PDFs (labels,
// certificates, course sheets, receipts) and importing CSV files — so that
// a burst or a stalled host cannot pile it up without limit: at most
// `running` pieces of work run at once, at most `waiting` more wait for
// their turn, each at most `wait`. Work that cannot start in time is
// refused at once with Unavailable (503) and a Retry-After, having changed
// nothing, rather than queued until memory, goroutines and the database's
// connections run out while the probes time out.
type limiter struct {
	running  chan struct{} // one token per piece of work running
	admitted chan struct{} // one token per piece of work running or waiting
	wait     time.Duration
}

// The bounds of expensive work. A document is CPU work: it runs on all the
// cores but one, which stays free for everything else (probes, pages, the
// database when it shares the machine) — on two cores, one at a time, which
// also keeps SQLite's writers from polling for each other's lock. A burst of
// 64 handovers at the desk waits its turn (about two seconds on two cores)
// rather than being refused; a host that stalls answers 503 after 10 s
// instead of piling up.
const (
	expensiveWaiting    = 64
	expensiveWait       = 10 * time.Second
	expensiveRetryAfter = 5 * time.Second
)

// newLimiter returns a limiter letting running pieces of work run at once
// and waiting more wait at most wait.
func newLimiter(running, waiting int, wait time.Duration) *limiter {
	return &limiter{running: make(chan struct{}, running), admitted: make(chan struct{}, running+waiting), wait: wait}
}

// newExpensiveLimiter returns the limiter of a server.
func newExpensiveLimiter() *limiter {
	return newLimiter(max(1, runtime.GOMAXPROCS(0)-1), expensiveWaiting, expensiveWait)
}

// overloaded is the answer to work refused by the limiter.
func overloaded() error {
	return &ordi.Error{Kind: ordi.Unavailable, RetryAfter: expensiveRetryAfter,
		Message: "Le serveur est très occupé (impressions et documents en cours) : rien n'a été fait, réessayez dans quelques secondes."}
}

// acquire waits for a turn to run, as long as the limiter allows and ctx
// lives. The caller must call release once its work is done.
func (l *limiter) acquire(ctx context.Context) (release func(), err error) {
	select {
	case l.admitted <- struct{}{}:
	default:
		return nil, overloaded() // too many waiting already
	}
	select {
	case l.running <- struct{}{}:
		return l.release, nil
	default:
	}
	timer := time.NewTimer(l.wait)
	defer timer.Stop()
	select {
	case l.running <- struct{}{}:
		return l.release, nil
	case <-timer.C:
	case <-ctx.Done():
	}
	<-l.admitted
	return nil, overloaded()
}

func (l *limiter) release() {
	<-l.running
	<-l.admitted
}

// limited runs fn when the limiter gives it a turn, or returns
// Unavailable without running it.
func limited[T any](ctx context.Context, l *limiter, fn func() (T, error)) (T, error) {
	release, err := l.acquire(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	defer release()
	return fn()
}
