package allocation

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi/audit"
	"github.com/ordi-app/ordi/database/dbtest"
)

// TestAccessLogCommitsEachEntryOnce releases many writers at once, more than
// can write together: each call returns once its entry is committed, and
// every entry is committed exactly once.
func TestAccessLogCommitsEachEntryOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		l := &accessLog{db: db}
		const n = 64
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = l.record(context.Background(), audit.Entry{At: time.Now().UTC(), ActorName: "T", Action: "test", ObjectType: "household", ObjectID: fmt.Sprint(i)})
				if errs[i] == nil {
					var c int64
					// Committed by the time record returns.
					db.Model(&audit.Entry{}).Where("action = ? AND object_id = ?", "test", fmt.Sprint(i)).Count(&c)
					if c != 1 {
						t.Errorf("entry %d: %d rows once record returned, want 1", i, c)
					}
				}
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("record %d: %v", i, err)
			}
		}
		var total int64
		db.Model(&audit.Entry{}).Where("action = ?", "test").Count(&total)
		if total != n {
			t.Fatalf("%d entries, want %d", total, n)
		}
		if l.writers != 0 || len(l.queue) != 0 {
			t.Fatalf("after the burst: %d writers, %d queued; want none", l.writers, len(l.queue))
		}
	})
}

// TestAccessLogFailureReachesEveryCaller makes the insert fail: every caller
// in the batch gets the error (so no family file is shown unlogged) and none
// is left waiting.
func TestAccessLogFailureReachesEveryCaller(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		if err := db.Exec("DROP TABLE audit_events").Error; err != nil {
			t.Fatal(err)
		}
		l := &accessLog{db: db}
		const n = 32
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = l.record(context.Background(), audit.Entry{At: time.Now().UTC(), Action: "test", ObjectType: "household", ObjectID: "1"})
			}()
		}
		close(start)
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("callers still waiting 30 s after a failed insert")
		}
		for i, err := range errs {
			if err == nil {
				t.Errorf("record %d succeeded without its table", i)
			}
		}
	})
}
