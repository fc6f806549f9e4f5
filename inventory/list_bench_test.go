package inventory_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

// BenchmarkUnitList100k measures listing pages of 50 over 100,000 units at
// every depth, with and without filters, on each database of
// dbtest.Dialects, and reports the 99th percentile of single-page latency
// (DESIGN §7: ≤ 50 ms at any depth).
//
//	ORDI_TEST_POSTGRES_DSN=… go test ./inventory -run '^$' -bench UnitList100k -benchtime 1x
func BenchmarkUnitList100k(b *testing.B) {
	b.Cleanup(ordi.ServeGC(os.Getenv)) // as `ordi serve` runs
	for _, d := range dbtest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			db := dbtest.Open(b, d)
			svc := inventory.NewService(db, fixedNow)
			donor, _ := svc.CreateDonor(ctx, staff, inventory.NewDonor{Name: "Charge", Kind: inventory.DonorCompany})
			var ids []int64
			for i := 0; i < 10; i++ {
				donation, err := svc.CreateDonation(ctx, staff, inventory.NewDonation{DonorID: donor.ID, ReceivedOn: "2026-01-05"})
				if err != nil {
					b.Fatal(err)
				}
				ids = append(ids, donation.ID)
				var sb strings.Builder
				sb.WriteString("donation_id,kind,brand,model,serial_number,ram_gb,storage_gb,storage_kind\n")
				kinds := []string{"laptop", "desktop", "all_in_one", "screen"}
				for j := 0; j < 10_000; j++ {
					storage := "256,ssd"
					if kinds[j%4] == "screen" {
						storage = "0,none"
					}
					fmt.Fprintf(&sb, "%d,%s,Lenovo,ThinkPad T%d,SN%02d%06d,8,%s\n", donation.ID, kinds[j%4], 400+j%100, i, j, storage)
				}
				if _, err := svc.ImportUnits(ctx, staff, strings.NewReader(sb.String())); err != nil {
					b.Fatal(err)
				}
			}
			// Some statuses spread over the range.
			db.Exec("UPDATE units SET status = 'ready' WHERE id % 7 = 0")
			db.Exec("UPDATE units SET status = 'diagnosed' WHERE id % 11 = 0")
			db.Exec("ANALYZE")
			var maxID int64
			db.Table("units").Select("MAX(id)").Scan(&maxID)

			cases := []struct {
				name string
				f    func(before int64) inventory.UnitFilter
			}{
				{"all", func(before int64) inventory.UnitFilter { return inventory.UnitFilter{Before: before, Limit: 51} }},
				{"status", func(before int64) inventory.UnitFilter {
					return inventory.UnitFilter{Status: inventory.StatusReady, Before: before, Limit: 51}
				}},
				{"kind+donation", func(before int64) inventory.UnitFilter {
					return inventory.UnitFilter{Kind: inventory.KindDesktop, DonationID: ids[5], Before: before, Limit: 51}
				}},
				{"search", func(before int64) inventory.UnitFilter {
					return inventory.UnitFilter{Q: "t450", Before: before, Limit: 51}
				}},
				// A text that matches nothing reads every row: the worst case.
				{"search-miss", func(before int64) inventory.UnitFilter {
					return inventory.UnitFilter{Q: "macbook", Before: before, Limit: 51}
				}},
				{"unprinted", func(before int64) inventory.UnitFilter {
					return inventory.UnitFilter{Unprinted: true, Before: before, Limit: 51}
				}},
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for _, c := range cases {
					var lat []time.Duration
					// Depths from the first page to the last, 200 pages spread over the range.
					for k := 0; k <= 200; k++ {
						before := maxID + 1 - int64(k)*maxID/200
						if k == 0 {
							before = 0
						}
						t0 := time.Now()
						if _, err := svc.Units(ctx, staff, c.f(before)); err != nil {
							b.Fatal(err)
						}
						lat = append(lat, time.Since(t0))
					}
					slices.Sort(lat)
					b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, c.name+"-p99-ms")
				}
			}
		})
	}
}
