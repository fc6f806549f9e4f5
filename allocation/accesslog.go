package allocation

import (
	"context"
	"fmt"
	"sync"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi/audit"
)

// accessLog writes the access-log entries of concurrent reads of family
// files together: one multi-row insert, so one commit, for the reads that
// arrived while earlier inserts were committing (group commit). A read gets
// its answer only once its own entry is committed, so no read goes
// unrecorded; under load the database syncs once per batch instead of once
// per read.
//
// There is no background goroutine. A caller that finds fewer than
// maxLogWriters inserts in progress writes at once: its own entry and
// whatever is queued. Otherwise it queues; when a writer is done, it hands
// the lead to the first queued caller, which writes the next batch. So a read
// waits for at most one insert before its own, and while one batch commits
// the next one is already on its way.
type accessLog struct {
	db *gorm.DB

	mu      sync.Mutex
	queue   []*logRequest
	writers int
}

type logRequest struct {
	entry audit.Entry
	done  chan logResult
}

type logResult struct {
	err  error
	lead bool // the receiver now writes the next batch
}

const (
	// maxLogWriters is how many inserts may be in flight at once.
	maxLogWriters = 1
	// maxLogBatch bounds one insert (bind variables stay far below the limits).
	maxLogBatch = 500
)

// record commits e, with others if any are waiting.
func (l *accessLog) record(ctx context.Context, e audit.Entry) error {
	r := &logRequest{entry: e, done: make(chan logResult, 1)}
	l.mu.Lock()
	if l.writers == maxLogWriters {
		l.queue = append(l.queue, r)
		l.mu.Unlock()
		res := <-r.done
		if !res.lead {
			return res.err
		}
		// Handed the lead: out of the queue, counted among the writers.
		l.mu.Lock()
	} else {
		l.writers++
	}
	n := min(len(l.queue), maxLogBatch-1)
	batch := append([]*logRequest{r}, l.queue[:n]...)
	clear(l.queue[:n])
	l.queue = l.queue[n:]
	l.mu.Unlock()

	err := l.insert(ctx, batch)
	for _, b := range batch[1:] {
		b.done <- logResult{err: err}
	}

	l.mu.Lock()
	if len(l.queue) > 0 {
		next := l.queue[0]
		l.queue[0] = nil
		l.queue = l.queue[1:]
		next.done <- logResult{lead: true}
	} else {
		l.writers--
	}
	l.mu.Unlock()
	return err
}

func (l *accessLog) insert(ctx context.Context, batch []*logRequest) error {
	entries := make([]audit.Entry, len(batch))
	for i, b := range batch {
		entries[i] = b.entry
	}
	// The writer's context may end while it writes others' entries: they do
	// not depend on it.
	if err := l.db.WithContext(context.WithoutCancel(ctx)).Create(&entries).Error; err != nil {
		return fmt.Errorf("access log: %w", err)
	}
	return nil
}
