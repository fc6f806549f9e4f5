// Package numbering hands out gap-free yearly numbers: family references
// (F-2026-0042) and certificate numbers (REM-2026-0001, DON-2026-0007).
//
// A number is taken inside the caller's transaction by an upsert on the
// (series, year) row: the row lock serialises concurrent takers, and a
// rolled-back transaction gives its number back, so numbers are never
// skipped, never reused, and never taken twice.
//
// Restoring a backup would hand out again the numbers issued after it was
// made, already printed on paper. So a restore is declared (Advance, `ordi
// numbering advance`): every series of that year and before then skips a
// gap, once, the only gaps there are. A copy made by `ordi backup` carries a
// marker (Mark) that holds numbering until then.
package numbering

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
)

// ErrHeld is the kind-Conflict error of Next while a restore marker is
// there: the database is a restored backup whose numbering has not been
// advanced yet.
var ErrHeld = &ordi.Error{Kind: ordi.Conflict, Message: "La numérotation des documents est suspendue : " +
	"cette base de données a été restaurée d'une sauvegarde. Un administrateur doit lancer « ordi numbering advance » (voir le README)."}

// DefaultGap is how many numbers each series skips after a restore when
// Advance is not told otherwise: more than an association issues of any
// kind in a year.
const DefaultGap = 1000

// pendingGap is the gap a sequences row has yet to skip: the restores
// advanced since it last took a number, for its year or a later one.
const pendingGap = `(SELECT COALESCE(SUM(r.gap), 0) FROM numbering_restores r
	WHERE r.advanced_at IS NOT NULL AND r.id > sequences.restore_id AND r.year >= sequences.year)`

// Next takes the next number of series for year in tx, starting at 1, or
// past the gaps of the restores that followed its last number.
func Next(tx *gorm.DB, series string, year int) (int, error) {
	var held int64
	if err := tx.Table("numbering_restores").Where("advanced_at IS NULL").Count(&held).Error; err != nil {
		return 0, fmt.Errorf("next %s-%d number: %w", series, year, err)
	}
	if held > 0 {
		return 0, ErrHeld
	}
	var n int
	err := tx.Raw(`INSERT INTO sequences (series, year, value, restore_id) VALUES (?, ?,
			1 + (SELECT COALESCE(SUM(gap), 0) FROM numbering_restores WHERE advanced_at IS NOT NULL AND year >= ?),
			(SELECT COALESCE(MAX(id), 0) FROM numbering_restores WHERE advanced_at IS NOT NULL))
		ON CONFLICT (series, year) DO UPDATE SET value = sequences.value + 1 + `+pendingGap+`, restore_id = excluded.restore_id
		RETURNING value`, series, year, year).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("next %s-%d number: %w", series, year, err)
	}
	if n == 0 {
		return 0, fmt.Errorf("next %s-%d number: no value returned", series, year)
	}
	return n, nil
}

// Format writes a number as SERIES-YYYY-NNNN (at least four digits).
func Format(series string, year, n int) string {
	return fmt.Sprintf("%s-%d-%04d", series, year, n)
}

// Restore is a declared restore of a backup.
type Restore struct {
	ID int64
	// MarkedAt is when the marker was written (the backup was made), or when
	// the restore was declared without one.
	MarkedAt time.Time
	// AdvancedAt is when `ordi numbering advance` ran; nil while numbering
	// is held.
	AdvancedAt *time.Time
	Year       *int // series of this year and before skip Gap
	Gap        *int
}

func (Restore) TableName() string { return "numbering_restores" }

// Mark writes a restore marker into db: no number is handed out until
// Advance. `ordi backup` marks every copy it makes.
func Mark(ctx context.Context, db *gorm.DB, at time.Time) error {
	if err := db.WithContext(ctx).Create(&Restore{MarkedAt: at}).Error; err != nil {
		return fmt.Errorf("restore marker: %w", err)
	}
	return nil
}

// Advance declares that db was restored from a backup, at now: every series
// of now's year and before skips gap numbers with its next number, once.
// It completes the markers there are, or adds a restore.
func Advance(ctx context.Context, db *gorm.DB, now time.Time, gap int) (Restore, error) {
	if gap < 0 {
		return Restore{}, ordi.Errorf(ordi.Invalid, "L'écart doit être positif ou nul.")
	}
	// The year of the restore in the easternmost time zone: a series a
	// caller numbers by its local year is covered whatever its zone.
	year := now.Add(14 * time.Hour).Year()
	at := now.UTC()
	var r Restore
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Restore{}).Where("advanced_at IS NULL").
			Updates(map[string]any{"advanced_at": at, "year": year, "gap": gap})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			r = Restore{MarkedAt: at, AdvancedAt: &at, Year: &year, Gap: &gap}
			return tx.Create(&r).Error
		}
		return tx.Order("id DESC").Take(&r).Error
	})
	if err != nil {
		return Restore{}, fmt.Errorf("advance numbering: %w", err)
	}
	return r, nil
}

// Counter is where one series of one year stands.
type Counter struct {
	Series string
	Year   int
	// Next is the number Next would give now, gaps included.
	Next int
}

// State is the numbering of a database: whether it is held, its restores
// and its counters, latest years first.
type State struct {
	Held     bool
	Restores []Restore
	Counters []Counter
}

// Status reads the numbering of db.
func Status(ctx context.Context, db *gorm.DB) (State, error) {
	var s State
	db = db.WithContext(ctx)
	if err := db.Order("id").Find(&s.Restores).Error; err != nil {
		return State{}, fmt.Errorf("numbering restores: %w", err)
	}
	for _, r := range s.Restores {
		s.Held = s.Held || r.AdvancedAt == nil
	}
	if err := db.Raw(`SELECT series, year, value + 1 + ` + pendingGap + ` AS next FROM sequences
		ORDER BY year DESC, series`).Scan(&s.Counters).Error; err != nil {
		return State{}, fmt.Errorf("numbering counters: %w", err)
	}
	return s, nil
}
