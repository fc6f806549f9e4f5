package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

// burstReservations prepares n active reservations, each of a new trained
// family and a new ready unit, through the services (the API would take
// minutes), and returns their ids.
func burstReservations(tb testing.TB, app *testApp, n int) []int64 {
	tb.Helper()
	ctx := context.Background()
	cfg := app.srv.cfg
	staff, worker := app.users[ordi.RoleStaff].Actor(), app.users[ordi.RoleSocialWorker].Actor()
	donor, err := cfg.Inventory.CreateDonor(ctx, staff, inventory.NewDonor{Name: "Rafale", Kind: inventory.DonorCompany})
	if err != nil {
		tb.Fatal(err)
	}
	donation, err := cfg.Inventory.CreateDonation(ctx, staff, inventory.NewDonation{DonorID: donor.ID, ReceivedOn: "2026-01-05"})
	if err != nil {
		tb.Fatal(err)
	}
	course, err := cfg.Allocation.CreateCourse(ctx, staff, allocation.NewCourse{Title: "Premiers pas", SessionDates: []string{"2026-01-12"}, RequiredSessions: 1})
	if err != nil {
		tb.Fatal(err)
	}
	ids := make([]int64, n)
	for i := range ids {
		u, err := cfg.Inventory.CreateUnit(ctx, staff, inventory.NewUnit{DonationID: donation.ID, UnitSpec: inventory.UnitSpec{Kind: inventory.KindLaptop,
			Brand: "Lenovo", Model: "ThinkPad T480", SerialNumber: fmt.Sprintf("PF%06d", i), RAMGB: 8, StorageGB: 256, StorageKind: inventory.StorageSSD}})
		if err != nil {
			tb.Fatal(err)
		}
		code := string(u.Code)
		if _, err := cfg.Inventory.Transition(ctx, staff, code, inventory.StatusDiagnosed, inventory.TransitionInput{}); err != nil {
			tb.Fatal(err)
		}
		if _, err := cfg.Inventory.RecordErasure(ctx, staff, code, inventory.NewErasure{Category: inventory.ErasurePurge, Technique: "NVMe Sanitize",
			Tool: "nvme-cli 2.4", DriveSerial: "S3Z" + code, Result: inventory.ErasurePassed}); err != nil {
			tb.Fatal(err)
		}
		for _, st := range []inventory.Status{inventory.StatusWiped, inventory.StatusRefurbished, inventory.StatusReady} {
			if _, err := cfg.Inventory.Transition(ctx, staff, code, st, inventory.TransitionInput{}); err != nil {
				tb.Fatal(err)
			}
		}
		h, err := cfg.Allocation.Nominate(ctx, worker, allocation.NewHousehold{ContactName: fmt.Sprintf("Famille Rafale %d", i), Commune: "Roubaix",
			QPV: true, Adults: 1, Need: allocation.NeedAny, Consent: true})
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := cfg.Allocation.Decide(ctx, staff, h.ID, true, ""); err != nil {
			tb.Fatal(err)
		}
		if err := cfg.Allocation.Enroll(ctx, staff, course.ID, h.ID); err != nil {
			tb.Fatal(err)
		}
		if _, err := cfg.Allocation.RecordAttendance(ctx, staff, course.ID, allocation.Mark{HouseholdID: h.ID, Session: 1, Present: true}); err != nil {
			tb.Fatal(err)
		}
		r, err := cfg.Allocation.Reserve(ctx, staff, h.ID, code)
		if err != nil {
			tb.Fatal(err)
		}
		ids[i] = r.ID
	}
	return ids
}

// burstResult is what one burst of simultaneous handovers measured.
type burstResult struct {
	total              time.Duration // from the release of the burst to its last answer
	created, shed, bad int
	readyzMax          time.Duration // the slowest /readyz answer during the burst
	readyzP50          time.Duration
	readyzCount        int
	idleGoroutines     int // before the burst
	peakGoroutines     int
	peakHeapMB         float64 // Go heap in use, sampled
	peakRSSMB          float64 // the process's resident memory, sampled
}

// rssMB reads the process's resident set size (Linux), 0 elsewhere.
func rssMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			var kb float64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb)
			return kb / 1024
		}
	}
	return 0
}

// handoverBurst posts the handover of every reservation at once, with a
// signature drawn on the tablet, while one client asks /readyz again and
// again and a sampler watches goroutines and memory. Answers other than
// 201 (and 503, counted as shed) are errors.
func handoverBurst(tb testing.TB, app *testApp, ids []int64, signature string) burstResult {
	tb.Helper()
	transport := &http.Transport{MaxIdleConns: len(ids) + 1, MaxIdleConnsPerHost: len(ids) + 1}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 2 * time.Minute}
	runtime.GC()
	res := burstResult{idleGoroutines: runtime.NumGoroutine()}
	var (
		done    atomic.Bool
		sampled sync.WaitGroup
		readyz  []time.Duration
	)
	sampled.Add(2)
	go func() { // sampler
		defer sampled.Done()
		var ms runtime.MemStats
		for !done.Load() {
			res.peakGoroutines = max(res.peakGoroutines, runtime.NumGoroutine())
			runtime.ReadMemStats(&ms)
			res.peakHeapMB = max(res.peakHeapMB, float64(ms.HeapInuse)/(1<<20))
			res.peakRSSMB = max(res.peakRSSMB, rssMB())
			time.Sleep(2 * time.Millisecond) // sampling period, not synchronisation
		}
	}()
	start := make(chan struct{})
	go func() { // the load balancer's probe
		defer sampled.Done()
		<-start
		for !done.Load() {
			t0 := time.Now()
			r, err := client.Get(app.url("/readyz"))
			if err != nil {
				tb.Error(err)
				return
			}
			io.Copy(io.Discard, r.Body)
			r.Body.Close()
			readyz = append(readyz, time.Since(t0))
		}
	}()
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		status = map[int]int{}
	)
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"signatory_name":"Signataire %d","signature_png":%q,"accessories":["Chargeur","Souris"]}`, id, signature)
			req, _ := http.NewRequest(http.MethodPost, app.url(fmt.Sprintf("/api/v1/reservations/%d/handover", id)), strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+app.tokens[ordi.RoleVolunteer])
			<-start
			r, err := client.Do(req)
			if err != nil {
				tb.Error(err)
				return
			}
			io.Copy(io.Discard, r.Body)
			r.Body.Close()
			mu.Lock()
			status[r.StatusCode]++
			mu.Unlock()
		}()
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	res.total = time.Since(t0)
	done.Store(true)
	sampled.Wait()
	res.created, res.shed = status[http.StatusCreated], status[http.StatusServiceUnavailable]
	res.bad = len(ids) - res.created - res.shed
	if res.bad > 0 {
		tb.Errorf("handover answers: %v", status)
	}
	slices.Sort(readyz)
	if n := len(readyz); n > 0 {
		res.readyzCount, res.readyzP50, res.readyzMax = n, readyz[n/2], readyz[n-1]
	}
	return res
}

// BenchmarkHandoverBurst is the overload harness of issue 12 item 15: 64
// handovers posted at once through the API (each closes a reservation,
// takes a REM number and renders and freezes its attestation), while a
// client polls /readyz as a load balancer would. It reports the burst's
// total time, /readyz's slowest and median answer meanwhile, how many
// handovers were shed (503), and the peak goroutines and memory of the
// process (server and clients share it). ORDI_TEST_POSTGRES_DSN selects
// PostgreSQL; ORDI_BURST changes the number of handovers (default 64).
//
//	go test ./web -run '^$' -bench HandoverBurst -benchtime 1x -count 5
func BenchmarkHandoverBurst(b *testing.B) {
	dialect := database.SQLite
	if os.Getenv(dbtest.PostgresEnv) != "" {
		dialect = database.Postgres
	}
	b.Cleanup(ordi.ServeGC(os.Getenv))
	burst := 64
	if v := os.Getenv("ORDI_BURST"); v != "" {
		fmt.Sscan(v, &burst)
	}
	var (
		mu   sync.Mutex
		runs []burstResult
	)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := dbtest.Open(b, dialect)
		app := newTestApp(b, db, func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil)) }).withUsers()
		ids := burstReservations(b, app, burst)
		settle(b, db)
		sig := tabletSignature()
		b.StartTimer()
		r := handoverBurst(b, app, ids, sig)
		mu.Lock()
		runs = append(runs, r)
		mu.Unlock()
	}
	last := runs[len(runs)-1]
	b.ReportMetric(float64(last.total.Milliseconds()), "burst-ms")
	b.ReportMetric(float64(last.readyzMax.Microseconds())/1000, "readyz-max-ms")
	b.ReportMetric(float64(last.readyzP50.Microseconds())/1000, "readyz-p50-ms")
	b.ReportMetric(float64(last.readyzCount), "readyz-probes")
	b.ReportMetric(float64(last.created), "created")
	b.ReportMetric(float64(last.shed), "shed")
	b.ReportMetric(float64(last.idleGoroutines), "idle-goroutines")
	b.ReportMetric(float64(last.peakGoroutines), "peak-goroutines")
	b.ReportMetric(last.peakHeapMB, "peak-heap-MB")
	b.ReportMetric(last.peakRSSMB, "peak-RSS-MB")
}

// tabletSignature is a signature as the handover page's canvas sends it: a
// 600×200 PNG with a stroke, in base64.
func tabletSignature() string {
	img := image.NewGray(image.Rect(0, 0, 600, 200))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for x := 20; x < 580; x++ {
		img.Pix[(100+(x%60)-30)*img.Stride+x] = 0
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return base64.StdEncoding.EncodeToString(b.Bytes())
}
