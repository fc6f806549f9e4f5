// Package numbering hands out gap-free yearly numbers: family references
// (F-2026-0042) and certificate numbers (REM-2026-0001, DON-2026-0007).
//
// A number is taken inside the caller's transaction by an upsert on the
// (series, year) row: the row lock serialises concurrent takers, and a
// rolled-back transaction gives its number back, so numbers are never
// skipped, never reused, and never taken twice.
package numbering

import (
	"fmt"

	"gorm.io/gorm"
)

// Next takes the next number of series for year in tx, starting at 1.
func Next(tx *gorm.DB, series string, year int) (int, error) {
	var n int
	err := tx.Raw(`INSERT INTO sequences (series, year, value) VALUES (?, ?, 1)
		ON CONFLICT (series, year) DO UPDATE SET value = sequences.value + 1
		RETURNING value`, series, year).Scan(&n).Error
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
