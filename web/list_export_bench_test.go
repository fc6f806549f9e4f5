package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

// BenchmarkUnitExport100k measures the export of 100,000 units, through
// HTTP with a token as a client would ask for it, as CSV and as XLSX, on
// each database of dbtest.Dialects (issue 15: ≤ 3 s, constant memory). It
// reports the time per export, the bytes allocated per export (B/op, the
// whole process: server and client), and the largest live heap sampled
// during the exports (max-heap-MB), which stays flat however many rows:
// rows are read in batches of inventory.ExportBatch and written as they
// come; and the CPU time of the process per export (cpu-s/op), which a
// busy machine does not inflate as it does the wall-clock time.
//
//	ORDI_TEST_POSTGRES_DSN=… go test ./web -run '^$' -bench UnitExport100k -benchtime 1x
func BenchmarkUnitExport100k(b *testing.B) {
	const units = 100_000
	for _, d := range dbtest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			db := dbtest.Open(b, d)
			app := newTestApp(b, db).withUsers()
			res := app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/donors", map[string]any{"name": "Charge", "kind": "company"})
			donor := decodeTB[map[string]any](b, res)
			res = app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/donations", map[string]any{"donor_id": donor["id"], "received_on": "2026-01-05"})
			donation := decodeTB[map[string]any](b, res)
			now := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
			err := db.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
				INSERT INTO units (code, donation_id, kind, brand, model, serial_number, cpu, ram_gb, storage_gb, storage_kind,
					weight_kg, grade, os, search, status, version, created_at, updated_at)
				SELECT 'B' || CAST(i AS TEXT), ?, 'laptop', 'Lenovo', 'ThinkPad T480', 'PF1ABC' || CAST(i AS TEXT), 'Intel Core i5-8350U',
					8, 256, 'ssd', 1.58, 'B', 'Debian 13', '', 'ready', 1, ?, ? FROM n`, units, int64(donation["id"].(float64)), now, now).Error
			if err != nil {
				b.Fatal(err)
			}
			db.Exec("ANALYZE")
			for _, format := range []string{"csv", "xlsx"} {
				b.Run(format, func(b *testing.B) {
					var peak atomic.Uint64
					stop := make(chan struct{})
					var wg sync.WaitGroup
					wg.Add(1)
					go func() {
						defer wg.Done()
						var m runtime.MemStats
						for {
							select {
							case <-stop:
								return
							case <-time.After(20 * time.Millisecond):
							}
							runtime.ReadMemStats(&m)
							if m.HeapAlloc > peak.Load() {
								peak.Store(m.HeapAlloc)
							}
						}
					}()
					b.ReportAllocs()
					cpu0 := processCPU()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						res := app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units."+format, nil)
						if res.StatusCode != http.StatusOK {
							b.Fatalf("%d %s", res.StatusCode, readBody(res))
						}
						var lines countingWriter
						if _, err := io.Copy(&lines, res.Body); err != nil {
							b.Fatal(err)
						}
						res.Body.Close()
						if format == "csv" && lines.lines != units+1 {
							b.Fatalf("%d lines, want %d", lines.lines, units+1)
						}
						b.ReportMetric(float64(lines.bytes)/1e6, "file-MB")
					}
					b.StopTimer()
					b.ReportMetric((processCPU()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
					close(stop)
					wg.Wait()
					b.ReportMetric(float64(peak.Load())/1e6, "max-heap-MB")
				})
			}
		})
	}
}

// processCPU is the CPU time this process used so far (user and system):
// unlike the wall-clock time, it does not grow when other processes share the
// machine. With SQLite it covers the database's work too; with PostgreSQL,
// not the server's.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// countingWriter counts the bytes and lines written to it.
type countingWriter struct{ bytes, lines int }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.bytes += len(p)
	w.lines += bytes.Count(p, []byte("\n"))
	return len(p), nil
}

func decodeTB[T any](tb testing.TB, res *http.Response) T {
	tb.Helper()
	if res.StatusCode != http.StatusCreated {
		tb.Fatalf("%d %s", res.StatusCode, readBody(res))
	}
	var v T
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
		tb.Fatal(err)
	}
	res.Body.Close()
	return v
}
