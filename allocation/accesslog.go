package allocation

import (
	"context"
	"fmt"
	"sync"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi/audit"
)

// accessLog writes the access-log entries of concurrent reads of family
// files together: one multi-row insert, so one commit, for all the reads
// that arrived while the previous insert was committing (group commit). A
// read gets its answer only once its own entry is committed, so no read goes
// unrecorded; under load the database syncs once per batch instead of once
// per read.
//
// There is no background goroutine: the first caller to find no insert in
// progress leads, writes everything queued, then hands the lead to the first
// caller queued meanwhile, so no caller waits for more than two inserts.
type accessLog struct {
	db *gorm.DB

	mu      sync.Mutex
	queue   []*logRequest
	writing bool
}

type logRequest struct {
	entry audit.Entry
	done  chan logResult
}

type logResult struct {
	err  error
	lead bool // the receiver now writes the queue
}

// maxLogBatch bounds one insert (bind variables stay far below the limits).
const maxLogBatch = 500

// record commits e, with others if any are waiting.
func (l *accessLog) record(ctx context.Context, e audit.Entry) error {
	r := &logRequest{entry: e, done: make(chan logResult, 1)}
	l.mu.Lock()
	l.queue = append(l.queue, r)
	if l.writing {
		l.mu.Unlock()
		res := <-r.done
		if !res.lead {
			return res.err
		}
	} else {
		l.writing = true
		l.mu.Unlock()
	}
	// This caller leads: write until its own entry is committed.
	for {
		l.mu.Lock()
		batch := l.queue
		if len(batch) > maxLogBatch {
			batch = batch[:maxLogBatch]
		}
		l.queue = l.queue[len(batch):]
		l.mu.Unlock()
		err := l.insert(ctx, batch)
		mine := false
		for _, b := range batch {
			if b == r {
				mine = true
				continue
			}
			b.done <- logResult{err: err}
		}
		if mine {
			l.handOver()
			return err
		}
	}
}

// handOver passes the lead to the first queued caller, or ends the writing.
func (l *accessLog) handOver() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.queue) == 0 {
		l.writing = false
		return
	}
	l.queue[0].done <- logResult{lead: true}
}

func (l *accessLog) insert(ctx context.Context, batch []*logRequest) error {
	entries := make([]audit.Entry, len(batch))
	for i, b := range batch {
		entries[i] = b.entry
	}
	// The leader's context may end while it writes others' entries: they do
	// not depend on it.
	if err := l.db.WithContext(context.WithoutCancel(ctx)).Create(&entries).Error; err != nil {
		return fmt.Errorf("access log: %w", err)
	}
	return nil
}
