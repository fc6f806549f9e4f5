package numbering_test

import (
	"errors"
	"slices"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/numbering"
)

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		series string
		year   int
		n      int
		want   string
	}{{"REM", 2026, 1, "REM-2026-0001"}, {"F", 2026, 42, "F-2026-0042"}, {"DON", 2027, 12345, "DON-2027-12345"}} {
		if got := numbering.Format(tc.series, tc.year, tc.n); got != tc.want {
			t.Errorf("Format = %q, want %q", got, tc.want)
		}
	}
}

// TestNextIsGapFreeUnderConcurrency takes numbers from many transactions at
// once, some of which roll back: the committed numbers are exactly 1..n.
func TestNextIsGapFreeUnderConcurrency(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		const n = 32
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			kept  []int
			start = make(chan struct{})
		)
		errRollback := errors.New("rollback")
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				var got int
				err := db.Transaction(func(tx *gorm.DB) error {
					var err error
					if got, err = numbering.Next(tx, "REM", 2026); err != nil {
						return err
					}
					if i%4 == 0 {
						return errRollback
					}
					return nil
				})
				switch {
				case err == nil:
					mu.Lock()
					kept = append(kept, got)
					mu.Unlock()
				case !errors.Is(err, errRollback):
					t.Errorf("Next: %v", err)
				}
			}()
		}
		close(start)
		wg.Wait()
		slices.Sort(kept)
		for i, v := range kept {
			if v != i+1 {
				t.Fatalf("committed numbers %v: want 1..%d without gaps or repeats", kept, len(kept))
			}
		}
		if len(kept) != n-n/4 {
			t.Fatalf("%d numbers kept, want %d", len(kept), n-n/4)
		}
		// Series and years are independent.
		db.Transaction(func(tx *gorm.DB) error {
			if v, _ := numbering.Next(tx, "REM", 2027); v != 1 {
				t.Errorf("first REM-2027 = %d", v)
			}
			if v, _ := numbering.Next(tx, "DON", 2026); v != 1 {
				t.Errorf("first DON-2026 = %d", v)
			}
			return nil
		})
	})
}
