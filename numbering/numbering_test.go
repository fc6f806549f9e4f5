package numbering_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
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

// take takes one number in its own transaction.
func take(t *testing.T, db *gorm.DB, series string, year int) (int, error) {
	t.Helper()
	var n int
	err := db.Transaction(func(tx *gorm.DB) error {
		var err error
		n, err = numbering.Next(tx, series, year)
		return err
	})
	return n, err
}

func mustTake(t *testing.T, db *gorm.DB, series string, year int) int {
	t.Helper()
	n, err := take(t, db, series, year)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// restoreTo puts a series back where an older backup had it, as restoring
// that backup does.
func restoreTo(t *testing.T, db *gorm.DB, series string, year, value int) {
	t.Helper()
	if err := db.Exec("UPDATE sequences SET value = ? WHERE series = ? AND year = ?", value, series, year).Error; err != nil {
		t.Fatal(err)
	}
}

// TestRestoreNeverReissues restores a backup taken after REM-2026-0003 while
// 0004 and 0005 had been issued since: without Advance the next number would
// be 0004 again; with it, every series of the restore's year and before skips
// the gap once, and later years start at 1.
func TestRestoreNeverReissues(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		for range 5 {
			mustTake(t, db, "REM", 2026)
		}
		mustTake(t, db, "REM", 2025)
		mustTake(t, db, "F", 2026)
		restoreTo(t, db, "REM", 2026, 3)

		if _, err := numbering.Advance(ctx, db, time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC), 100); err != nil {
			t.Fatal(err)
		}
		st, err := numbering.Status(ctx, db)
		if err != nil || st.Held || len(st.Restores) != 1 {
			t.Fatalf("Status after Advance = %+v, %v", st, err)
		}
		if want := []numbering.Counter{{"F", 2026, 102}, {"REM", 2026, 104}, {"REM", 2025, 102}}; !slices.Equal(st.Counters, want) {
			t.Fatalf("counters %+v, want %+v", st.Counters, want)
		}
		for _, tc := range []struct {
			series string
			year   int
			want   []int
		}{
			{"REM", 2026, []int{104, 105}}, // past 0004 and 0005, once
			{"REM", 2025, []int{102}},      // an earlier year too
			{"DON", 2026, []int{101, 102}}, // a series the backup had not started
			{"REM", 2027, []int{1, 2}},     // a later year: no number of it was lost
		} {
			for _, want := range tc.want {
				if got := mustTake(t, db, tc.series, tc.year); got != want {
					t.Errorf("%s after the restore = %d, want %d", numbering.Format(tc.series, tc.year, got), got, want)
				}
			}
		}

		// A second restore adds its own gap to what the first one left.
		restoreTo(t, db, "REM", 2026, 104)
		if _, err := numbering.Advance(ctx, db, time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC), 10); err != nil {
			t.Fatal(err)
		}
		if got := mustTake(t, db, "REM", 2026); got != 115 {
			t.Errorf("after a second restore REM-2026 = %d, want 115", got)
		}
	})
}

// TestRestoreMarkerHoldsNumbering: a marked database (a backup copy) hands
// out no number until Advance completes the marker.
func TestRestoreMarkerHoldsNumbering(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		mustTake(t, db, "F", 2026)
		if err := numbering.Mark(ctx, db, time.Now()); err != nil {
			t.Fatal(err)
		}
		_, err := take(t, db, "F", 2026)
		if !errors.Is(err, numbering.ErrHeld) || ordi.KindOf(err) != ordi.Conflict || !strings.Contains(ordi.MessageOf(err), "ordi numbering advance") {
			t.Fatalf("Next on a marked database = %v, want ErrHeld (Conflict) naming the command", err)
		}
		if st, _ := numbering.Status(ctx, db); !st.Held {
			t.Fatal("Status does not say numbering is held")
		}
		r, err := numbering.Advance(ctx, db, time.Now(), 0)
		if err != nil || r.AdvancedAt == nil || *r.Gap != 0 {
			t.Fatalf("Advance = %+v, %v", r, err)
		}
		if got := mustTake(t, db, "F", 2026); got != 2 {
			t.Fatalf("after Advance with no gap F-2026 = %d, want 2", got)
		}
		var rows int64
		db.Table("numbering_restores").Count(&rows)
		if rows != 1 {
			t.Fatalf("%d restores recorded, want the marker completed", rows)
		}
	})
}
