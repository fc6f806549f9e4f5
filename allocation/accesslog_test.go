package allocation_test

import (
	"fmt"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/database/dbtest"
)

// TestConcurrentReadsAreAllLogged reads family files from many goroutines at
// once: every read returns and has exactly one access-log entry.
func TestConcurrentReadsAreAllLogged(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		h, err := w.svc.Nominate(ctx, w.workerA, nomination("Famille Lue"))
		if err != nil {
			t.Fatal(err)
		}
		const readers, reads = 16, 25
		var wg sync.WaitGroup
		start := make(chan struct{})
		for r := 0; r < readers; r++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for i := 0; i < reads; i++ {
					if _, err := w.svc.Household(ctx, w.staff, h.ID); err != nil {
						t.Errorf("read: %v", err)
						return
					}
				}
			}()
		}
		close(start)
		wg.Wait()
		var logged int64
		db.Table("audit_events").Where("action = ? AND object_id = ?", allocation.AccessRead, fmt.Sprint(h.ID)).Count(&logged)
		if logged != readers*reads {
			t.Fatalf("%d reads logged, want %d", logged, readers*reads)
		}
	})
}
