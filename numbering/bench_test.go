package numbering_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/numbering"
)

// BenchmarkNumberedInsert measures what durability costs a numbered
// document: each operation is one transaction that takes a number and
// stores a 30 kB document under it, as a handover does with its PDF. SQLite
// runs with synchronous=FULL (Ordi's setting: the commit is on disk when
// acknowledged) and NORMAL (the WAL reaches the disk at checkpoints only);
// PostgreSQL, when ORDI_TEST_POSTGRES_DSN is set, with its defaults.
//
//	go test ./numbering -run '^$' -bench NumberedInsert -benchtime 2s -count 3
func BenchmarkNumberedInsert(b *testing.B) {
	for _, sync := range []string{"full", "normal"} {
		b.Run("sqlite-"+sync, func(b *testing.B) {
			target, err := database.ParseURL(filepath.Join(b.TempDir(), "ordi.db"))
			if err != nil {
				b.Fatal(err)
			}
			if !strings.Contains(target.DSN, "synchronous%28full%29") {
				b.Fatalf("DSN %s: synchronous(full) not found", target.DSN)
			}
			target.DSN = strings.Replace(target.DSN, "synchronous%28full%29", "synchronous%28"+sync+"%29", 1)
			db, err := database.OpenTarget(context.Background(), target, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer database.Close(db)
			if err := database.Migrate(context.Background(), db); err != nil {
				b.Fatal(err)
			}
			benchNumberedInsert(b, db)
		})
	}
	if len(dbtest.Dialects()) > 1 {
		b.Run("postgres", func(b *testing.B) { benchNumberedInsert(b, dbtest.Open(b, database.Postgres)) })
	}
}

func benchNumberedInsert(b *testing.B, db *gorm.DB) {
	doc := strings.Repeat("x", 30<<10)
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		err := db.Transaction(func(tx *gorm.DB) error {
			n, err := numbering.Next(tx, "BENCH", 2026)
			if err != nil {
				return err
			}
			return tx.Exec("INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)",
				fmt.Sprintf("bench-%d", n), doc, time.Now()).Error
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "docs/s")
}
