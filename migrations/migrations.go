// Package migrations holds Ordi's versioned SQL, one folder per dialect with
// the same version numbers, embedded in the binary. A merged migration is
// never edited: a change is a new version in both folders.
package migrations

import "embed"

// FS holds sqlite/*.sql and postgres/*.sql.
//
//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS
