package web

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/database/dbtest"
)

// BenchmarkIdempotency measures what an Idempotency-Key adds to a write:
// each iteration creates one unit through POST /api/v1/units without the
// header and one with a fresh key (claim, run, store), in alternating order
// so that drift weighs on both alike, on each database. It reports each
// kind's median latency, their difference, and the median of the
// differences within each pair; the bar is 1 ms (issue 17).
func BenchmarkIdempotency(b *testing.B) {
	b.Cleanup(ordi.ServeGC(os.Getenv))
	for _, d := range dbtest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			db := dbtest.Open(b, d)
			app := newTestApp(b, db, func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil)) }).withUsers()
			donation := benchDonation(b, app)
			body, _ := json.Marshal(unitBodyFor(donation, "Latitude"))
			client := &http.Client{}
			send := func(key string) time.Duration {
				req, _ := http.NewRequest(http.MethodPost, app.url("/api/v1/units"), strings.NewReader(string(body)))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+app.tokens[ordi.RoleStaff])
				if key != "" {
					req.Header.Set(account.IdempotencyHeader, key)
				}
				start := time.Now()
				res, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				took := time.Since(start)
				if res.StatusCode != http.StatusCreated {
					b.Fatalf("status %d", res.StatusCode)
				}
				return took
			}
			// Warm up: connections, statements, caches.
			for i := range 20 {
				send("")
				send(fmt.Sprintf("warm-%d", i))
			}
			var plain, keyed []time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				key := fmt.Sprintf("bench-%d", i)
				if i%2 == 0 {
					plain = append(plain, send(""))
					keyed = append(keyed, send(key))
				} else {
					keyed = append(keyed, send(key))
					plain = append(plain, send(""))
				}
			}
			b.StopTimer()
			mp, mk := median(plain), median(keyed)
			diffs := make([]time.Duration, len(plain))
			for i := range plain {
				diffs[i] = keyed[i] - plain[i]
			}
			b.ReportMetric(float64(mp.Microseconds()), "µs-plain-median")
			b.ReportMetric(float64(mk.Microseconds()), "µs-keyed-median")
			b.ReportMetric(float64((mk - mp).Microseconds()), "µs-added-median")
			// The median of the differences within each pair, less
			// swayed by the load of the machine drifting between pairs.
			b.ReportMetric(float64(median(diffs).Microseconds()), "µs-added-paired-median")
		})
	}
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// benchDonation creates a donor and a donation through the API.
func benchDonation(b *testing.B, a *testApp) int64 {
	b.Helper()
	res := a.api(ordi.RoleStaff, http.MethodPost, "/api/v1/donors", map[string]any{"name": "Banc d'essai", "kind": "company"})
	var donor struct{ ID int64 }
	if err := json.NewDecoder(res.Body).Decode(&donor); err != nil || res.StatusCode != http.StatusCreated {
		b.Fatalf("donor: %d %v", res.StatusCode, err)
	}
	res = a.api(ordi.RoleStaff, http.MethodPost, "/api/v1/donations", map[string]any{"donor_id": donor.ID, "received_on": "2026-10-20"})
	var donation struct{ ID int64 }
	if err := json.NewDecoder(res.Body).Decode(&donation); err != nil || res.StatusCode != http.StatusCreated {
		b.Fatalf("donation: %d %v", res.StatusCode, err)
	}
	return donation.ID
}
