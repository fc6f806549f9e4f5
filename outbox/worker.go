package outbox

import (
	"context"
	"log/slog"
	"time"

	"gorm.io/gorm"
)

// Worker sends due messages. Several workers (one per Ordi instance) may
// share one PostgreSQL database; on SQLite run one.
type Worker struct {
	DB     *gorm.DB
	Sender Sender // nil: mail is not configured, messages wait
	Name   string // unique per worker: the claim's owner
	Batch  int
	Every  time.Duration
	Now    func() time.Time
	Log    *slog.Logger
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

// RunOnce claims a batch of due messages, sends them one by one and marks
// each. It returns how many were sent. A send failure is recorded on the
// message, never returned: only a database error is.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	if w.Sender == nil {
		return 0, nil
	}
	batch := w.Batch
	if batch <= 0 {
		batch = 20
	}
	msgs, err := Claim(ctx, w.DB, w.Name, batch, w.now())
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, m := range msgs {
		if err := w.Sender.Send(ctx, m); err != nil {
			if w.Log != nil {
				w.Log.Warn("outbox: send failed", "id", m.ID, "attempt", m.Attempts+1, "err", err)
			}
			if err := MarkFailed(ctx, w.DB, m, w.Name, err, w.now()); err != nil {
				return sent, err
			}
			continue
		}
		if err := MarkSent(ctx, w.DB, m.ID, w.Name, w.now()); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

// Run calls RunOnce every Every (default 10 s) until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	every := w.Every
	if every <= 0 {
		every = 10 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil && w.Log != nil {
			w.Log.Error("outbox: worker", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
