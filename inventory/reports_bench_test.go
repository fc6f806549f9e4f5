package inventory_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/inventory/hwreport"
)

// bigLshw is a real lshw tree (the Toshiba laptop's) grown to just under
// 2 MB with copies of its own bus subtree without the disks, as a large
// machine with many devices prints it.
func bigLshw(tb testing.TB) []byte {
	tb.Helper()
	var root map[string]any
	if err := json.Unmarshal(report(tb, "lshw-toshiba-portege-r700.json"), &root); err != nil {
		tb.Fatal(err)
	}
	children := root["children"].([]any)
	var strip func(n map[string]any) map[string]any
	strip = func(n map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range n {
			out[k] = v
		}
		var kept []any
		cs, _ := n["children"].([]any)
		for _, c := range cs {
			if cm, ok := c.(map[string]any); ok && cm["class"] != "disk" {
				kept = append(kept, strip(cm))
			}
		}
		out["children"] = kept
		return out
	}
	core := strip(children[0].(map[string]any))
	one, _ := json.MarshalIndent(core, "  ", "  ")
	for i := 0; ; i++ {
		c := strip(core)
		c["id"] = fmt.Sprintf("core:%d", i+1)
		root["children"] = append(root["children"].([]any), c)
		out, err := json.MarshalIndent(root, "", "  ")
		if err != nil {
			tb.Fatal(err)
		}
		if len(out)+len(one)+64 > hwreport.MaxSize {
			return out
		}
	}
}

// BenchmarkAttachLshw2MB parses and attaches a 2 MB lshw report to a unit,
// on each database (issue 16: ≤ 50 ms).
//
//	ORDI_TEST_POSTGRES_DSN=… go test ./inventory -run '^$' -bench AttachLshw2MB -benchtime 20x
func BenchmarkAttachLshw2MB(b *testing.B) {
	data := bigLshw(b)
	if r, err := hwreport.Parse(data); err != nil || len(r.Drives) != 1 {
		b.Fatalf("the grown report: %v, %d drives", err, len(r.Drives))
	}
	b.Logf("report: %d bytes", len(data))
	for _, d := range dbtest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			db := dbtest.Open(b, d)
			svc := inventory.NewService(db, fixedNow)
			donor, _ := svc.CreateDonor(ctx, staff, inventory.NewDonor{Name: "Charge", Kind: inventory.DonorCompany})
			donation, err := svc.CreateDonation(ctx, staff, inventory.NewDonation{DonorID: donor.ID, ReceivedOn: "2026-01-05"})
			if err != nil {
				b.Fatal(err)
			}
			u, err := svc.CreateUnit(ctx, staff, inventory.NewUnit{DonationID: donation.ID, UnitSpec: inventory.UnitSpec{Kind: inventory.KindLaptop}})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			cpu0 := cpuTime()
			n := 0
			for b.Loop() {
				// The same file twice is refused (409): each attach gets
				// a copy made distinct by trailing spaces, outside the
				// timing.
				b.StopTimer()
				copied := append(append(make([]byte, 0, len(data)+n+1), data...), bytes.Repeat([]byte(" "), n+1)...)
				b.StartTimer()
				if _, err := svc.AttachReport(ctx, staff, string(u.Code), copied); err != nil {
					b.Fatal(err)
				}
				n++
			}
			// On a shared machine the wall time also counts the waits for
			// a core; the process's CPU time per attach says what it costs.
			b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(n), "cpu-ms/op")
		})
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
