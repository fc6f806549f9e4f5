package database

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"time"

	"github.com/ordi-app/ordi"
)

// MinFreeBytes is the room SQLite must have left for /readyz to answer 200:
// below it, writes are about to fail (or already do) while reads still work,
// and a load balancer should know.
const MinFreeBytes = 1 << 20

// SpaceError says that a SQLite database has no room left for writes.
type SpaceError struct {
	Free int64 // bytes left
}

func (e *SpaceError) Error() string {
	return fmt.Sprintf("plus de place pour écrire dans la base de données (%d octets libres)", e.Free)
}

// checkSpace fails when the SQLite database cannot grow by MinFreeBytes:
// either its file system is full, or the database has reached its
// max_page_count (the limit SQLite itself enforces).
func checkSpace(ctx context.Context, sqlDB *sql.DB) error {
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return Translate(err)
	}
	defer conn.Close()
	var pageSize, pageCount, maxPages, freePages int64
	for pragma, dest := range map[string]*int64{"page_size": &pageSize, "page_count": &pageCount,
		"max_page_count": &maxPages, "freelist_count": &freePages} {
		if err := conn.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(dest); err != nil {
			return Translate(fmt.Errorf("PRAGMA %s: %w", pragma, err))
		}
	}
	free := (maxPages - pageCount + freePages) * pageSize
	var file string
	var seq int
	var name string
	if err := conn.QueryRowContext(ctx, "PRAGMA database_list").Scan(&seq, &name, &file); err != nil {
		return Translate(fmt.Errorf("PRAGMA database_list: %w", err))
	}
	if file != "" {
		if avail, ok := diskFree(filepath.Dir(file)); ok {
			free = min(free, avail)
		}
	}
	if free < MinFreeBytes {
		return &ordi.Error{Kind: ordi.Unavailable, RetryAfter: time.Minute,
			Message: "Le disque de la base de données est plein : plus rien ne peut y être enregistré.", Err: &SpaceError{Free: free}}
	}
	return nil
}
