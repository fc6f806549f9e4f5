//go:build !linux

package database

// diskFree is unknown here: only SQLite's own limit is checked.
func diskFree(string) (int64, bool) { return 0, false }
