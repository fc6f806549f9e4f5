package inventory_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

func report(t testing.TB, name string) []byte {
	b, err := os.ReadFile(filepath.Join("hwreport", "testdata", name))
	if err != nil {
		panic(err) // a fixture of the repository: its absence is a broken checkout
	}
	return b
}

func (f *fixture) blank(t *testing.T) inventory.Unit {
	t.Helper()
	u, err := f.svc.CreateUnit(ctx, staff, inventory.NewUnit{DonationID: f.donation.ID, UnitSpec: inventory.UnitSpec{Kind: inventory.KindDesktop}})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestAttachLshwFillsEmptyFields: a unit registered with its kind only gets
// brand, model, serial, CPU, RAM and its drive from lshw; the file is kept
// with its hash, and the upload is in the history.
func TestAttachLshwFillsEmptyFields(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		u := f.blank(t)
		data := report(t, "lshw-dell-optiplex-745.json")
		got, err := f.svc.AttachReport(ctx, staff, string(u.Code), data)
		if err != nil {
			t.Fatal(err)
		}
		nu := got.Unit
		if nu.Brand != "Dell Inc." || nu.Model != "OptiPlex 745" || nu.SerialNumber != "HQ5583J" || nu.RAMGB != 2 ||
			!strings.Contains(nu.CPU, "6400") || nu.Version != u.Version+1 {
			t.Errorf("unit %+v", nu)
		}
		if nu.StorageGB != 0 || nu.StorageKind != inventory.StorageNone {
			t.Errorf("lshw does not tell an SSD from a hard disk: storage must wait for smartctl, got %d %s", nu.StorageGB, nu.StorageKind)
		}
		if len(got.Conflicts) != 0 || len(got.Drives) != 1 || got.Drives[0].Serial != "WD-WMAV2W580992" {
			t.Errorf("conflicts %+v drives %+v", got.Conflicts, got.Drives)
		}
		if got.Report.Kind != "lshw" || len(got.Report.SHA256) != 64 || got.Report.SizeBytes != len(data) {
			t.Errorf("report %+v", got.Report)
		}
		file, _, err := f.svc.ReportFile(ctx, staff, string(u.Code), got.Report.ID)
		if err != nil || string(file.Content) != string(data) {
			t.Fatalf("the file is not kept as sent: %v", err)
		}
		events, _ := f.svc.Events(ctx, staff, string(u.Code))
		if last := events[len(events)-1]; last.Action != inventory.ActionReport {
			t.Errorf("last event %+v", last)
		}
	})
}

// TestAttachReportConflicts: typed values are never overwritten; each
// disagreement is a conflict staff settle, on the version they saw.
func TestAttachReportConflicts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		u := f.laptop(t) // Lenovo ThinkPad T480, 8 GB
		got, err := f.svc.AttachReport(ctx, staff, string(u.Code), report(t, "lshw-toshiba-portege-r700.json"))
		if err != nil {
			t.Fatal(err)
		}
		if got.Unit.Brand != "Lenovo" || got.Unit.RAMGB != 8 || got.Unit.Version != u.Version {
			t.Fatalf("typed fields changed: %+v", got.Unit)
		}
		byField := map[string]inventory.ReportConflict{}
		for _, c := range got.Conflicts {
			byField[c.Field] = c
		}
		for _, f := range []string{"brand", "model", "serial_number", "cpu", "ram_gb"} {
			if _, ok := byField[f]; !ok {
				t.Errorf("no conflict on %s: %+v", f, got.Conflicts)
			}
		}
		if c := byField["brand"]; c.CurrentValue != "Lenovo" || c.ReportedValue != "TOSHIBA" {
			t.Errorf("brand conflict %+v", c)
		}
		// The same report again is refused as one the unit has (409
		// naming it, for the workbench's upload to read as already sent),
		// and adds no second conflict.
		before := count(t, db, "unit_reports")
		_, err = f.svc.AttachReport(ctx, staff, string(u.Code), report(t, "lshw-toshiba-portege-r700.json"))
		var e *ordi.Error
		if !errors.As(err, &e) || e.Kind != ordi.Conflict || e.Extra["report_id"] != got.Report.ID || e.Extra["sha256"] != got.Report.SHA256 {
			t.Fatalf("again: %v", err)
		}
		if count(t, db, "unit_reports") != before {
			t.Fatal("the same report was attached twice")
		}
		if open, _ := f.svc.OpenConflicts(ctx, staff, got.Unit); len(open) != len(got.Conflicts) {
			t.Fatalf("%d open conflicts after the same report again, want %d", len(open), len(got.Conflicts))
		}
		if _, err := f.svc.ResolveConflict(ctx, staff, string(u.Code), byField["ram_gb"].ID, inventory.TakeReported, u.Version+5); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("stale version: %v", err)
		}
		nu, err := f.svc.ResolveConflict(ctx, staff, string(u.Code), byField["ram_gb"].ID, inventory.TakeReported, u.Version)
		if err != nil || nu.RAMGB != 2 || nu.Version != u.Version+1 {
			t.Fatalf("take reported: %v %+v", err, nu)
		}
		nu, err = f.svc.ResolveConflict(ctx, staff, string(u.Code), byField["brand"].ID, inventory.KeepTyped, nu.Version)
		if err != nil || nu.Brand != "Lenovo" {
			t.Fatalf("keep typed: %v %+v", err, nu)
		}
		open, _ := f.svc.OpenConflicts(ctx, staff, nu)
		if len(open) != len(got.Conflicts)-2 {
			t.Errorf("%d open conflicts, want %d", len(open), len(got.Conflicts)-2)
		}
	})
}

// TestAttachReportSerialOfAnotherUnit: a machine or drive serial of another
// unit is a 409 naming it, and nothing is attached.
func TestAttachReportSerialOfAnotherUnit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		a, b := f.blank(t), f.blank(t)
		if _, err := f.svc.AttachReport(ctx, staff, string(a.Code), report(t, "lshw-dell-optiplex-745.json")); err != nil {
			t.Fatal(err)
		}
		before := count(t, db, "unit_reports")
		for _, name := range []string{"lshw-dell-optiplex-745.json", "smartctl-ST3500418AS_11.json"} {
			if name == "smartctl-ST3500418AS_11.json" {
				if _, err := f.svc.AttachReport(ctx, staff, string(a.Code), report(t, name)); err != nil {
					t.Fatal(err)
				}
				before++
			}
			_, err := f.svc.AttachReport(ctx, staff, string(b.Code), report(t, name))
			var oe *ordi.Error
			if !errors.As(err, &oe) || oe.Kind != ordi.Conflict || !strings.Contains(oe.Message, string(a.Code)) {
				t.Fatalf("%s on another unit: %v", name, err)
			}
		}
		if n := count(t, db, "unit_reports"); n != before {
			t.Errorf("%d reports, want %d: a refused report is not kept", n, before)
		}
		bu, _ := f.svc.Unit(ctx, staff, string(b.Code))
		if bu.Brand != "" || bu.Version != b.Version {
			t.Errorf("refused report changed the unit: %+v", bu)
		}
	})
}

// TestAttachReportRefusedOutsideWorkshop: a unit handed over or recycled
// takes no report.
func TestAttachReportRefusedOutsideWorkshop(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		for _, st := range []inventory.Status{inventory.StatusHandedOver, inventory.StatusRecycled} {
			u := f.unitIn(t, st)
			if _, err := f.svc.AttachReport(ctx, staff, string(u.Code), report(t, "smartctl-SAMSUNG_MZ7WD240HAFV-00003_21.json")); !errors.Is(err, ordi.Conflict) {
				t.Errorf("%s: %v, want Conflict", st, err)
			}
		}
		if n := count(t, db, "unit_reports"); n != 0 {
			t.Errorf("%d reports kept", n)
		}
	})
}

// TestNwipeReportOnlyAtTheWorkshop: an erasure that comes in a tool's report
// obeys the rule of a typed one (Status.Erasable). nwipe's log is taken on a
// unit at the workshop and its erasure recorded; on a refurbished, ready or
// reserved unit it is refused with the reason, and on a handed-over or
// recycled one too; a refusal keeps no report, no erasure, no event and
// leaves the unit's version as it was.
func TestNwipeReportOnlyAtTheWorkshop(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		refused := map[inventory.Status]string{
			inventory.StatusRefurbished: "renvoyez-la d'abord en diagnostic",
			inventory.StatusReady:       "renvoyez-la d'abord en diagnostic",
			inventory.StatusReserved:    "pas à l'atelier",
			inventory.StatusHandedOver:  "a quitté l'atelier",
			inventory.StatusRecycled:    "a quitté l'atelier",
		}
		for _, st := range inventory.Statuses() {
			u := f.unitIn(t, st)
			reports, erasures, events := count(t, db, "unit_reports"), count(t, db, "erasures"), count(t, db, "unit_events")
			got, err := f.svc.AttachReport(ctx, staff, string(u.Code), report(t, "nwipe-0.33-zero-verify-last.log"))
			want, isRefused := refused[st]
			if st.Erasable() == isRefused {
				t.Fatalf("%s: Erasable() = %v, the test expects the opposite", st, st.Erasable())
			}
			if !isRefused {
				if err != nil {
					t.Fatalf("%s: nwipe's report refused: %v", st, err)
				}
				if len(got.Erasures) != 1 || count(t, db, "erasures") != erasures+1 {
					t.Fatalf("%s: nwipe's erasure not recorded: %+v", st, got.Erasures)
				}
				continue
			}
			var e *ordi.Error
			if !errors.As(err, &e) || e.Kind != ordi.Conflict || !strings.Contains(e.Message, want) {
				t.Fatalf("%s: nwipe's report outside the workshop: %v, want Conflict saying %q", st, err, want)
			}
			after, _ := f.svc.Unit(ctx, staff, string(u.Code))
			if count(t, db, "unit_reports") != reports || count(t, db, "erasures") != erasures || count(t, db, "unit_events") != events || after.Version != u.Version {
				t.Fatalf("%s: a refused report wrote something", st)
			}
		}
	})
}

// TestAttachSmartctlThenNwipe: smartctl gives the drive and fills the empty
// storage; nwipe's erasure points at the drive it erased.
func TestAttachSmartctlThenNwipe(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		u := f.blank(t)
		got, err := f.svc.AttachReport(ctx, staff, string(u.Code), report(t, "smartctl-nvme-null-Samsung_SSD_970_EVO_Plus_250GB-nvme0.json"))
		if err != nil {
			t.Fatal(err)
		}
		if got.Unit.StorageGB != 250 || got.Unit.StorageKind != inventory.StorageNVMe {
			t.Errorf("storage %d %s", got.Unit.StorageGB, got.Unit.StorageKind)
		}
		d := got.Drives[0]
		if d.Kind != "nvme" || d.PowerOnHours == nil || *d.PowerOnHours != 3149 || d.SmartPassed == nil || !*d.SmartPassed {
			t.Errorf("drive %+v", d)
		}
		er, err := f.svc.AttachReport(ctx, staff, string(u.Code), report(t, "nwipe-0.33-zero-verify-last.log"))
		if err != nil {
			t.Fatal(err)
		}
		if len(er.Erasures) != 1 {
			t.Fatalf("erasures %+v", er.Erasures)
		}
		e := er.Erasures[0]
		if e.Result != inventory.ErasurePassed || e.Category != inventory.ErasureClear || e.Method != inventory.MethodOverwrite ||
			e.DriveID == nil || e.ReportID == nil || e.Tool != "nwipe 0.33" || e.DriveModel != "Loopback device" {
			t.Errorf("erasure %+v", e)
		}
		fails, err := f.svc.AttachReport(ctx, staff, string(u.Code), report(t, "nwipe-0.33-prng-no-verify.log"))
		if err != nil || fails.Erasures[0].Result != inventory.ErasureFailed {
			t.Fatalf("an unverified wipe is failed: %v %+v", err, fails.Erasures)
		}
		drives, _ := f.svc.Drives(ctx, staff, string(u.Code))
		if len(drives) != 2 {
			t.Errorf("drives %+v (the NVMe drive and the loop device, once)", drives)
		}
	})
}

func TestAttachReportBadInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		u := f.blank(t)
		for _, data := range [][]byte{[]byte("bonjour"), []byte(`{"id": "x", "class": "system", "children": [`)} {
			if _, err := f.svc.AttachReport(ctx, staff, string(u.Code), data); !errors.Is(err, ordi.Invalid) {
				t.Errorf("%q: %v", data, err)
			}
		}
		if n := count(t, db, "unit_reports"); n != 0 {
			t.Errorf("%d reports kept", n)
		}
	})
}

// TestTypedErasurePointsAtItsDrive: an erasure typed with the serial of one
// of the unit's drives (any case, spaces) points at that drive.
func TestTypedErasurePointsAtItsDrive(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		u := f.blank(t)
		got, err := f.svc.AttachReport(ctx, staff, string(u.Code), report(t, "lshw-dell-optiplex-745.json"))
		if err != nil {
			t.Fatal(err)
		}
		e, err := f.svc.RecordErasure(ctx, staff, string(u.Code), inventory.NewErasure{Category: inventory.ErasureClear,
			Method: inventory.MethodOverwrite, Medium: inventory.MediumHDD, DriveSerial: " wd-wmav2w580992", Result: inventory.ErasurePassed})
		if err != nil {
			t.Fatal(err)
		}
		if e.DriveID == nil || *e.DriveID != got.Drives[0].ID {
			t.Errorf("erasure drive %v, want %d", e.DriveID, got.Drives[0].ID)
		}
	})
}

// TestConcurrentAttachOfOneDrive: the same drive's report sent for several
// units at once is attached to exactly one; the others are refused naming
// it, and keep nothing. The unique index decides, on both databases.
func TestConcurrentAttachOfOneDrive(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		const n = 8
		units := make([]inventory.Unit, n)
		for i := range units {
			units[i] = f.blank(t)
		}
		data := report(t, "smartctl-ST3500418AS_11.json")
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range units {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = f.svc.AttachReport(ctx, staff, string(units[i].Code), data)
			}()
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			if err == nil {
				if winner >= 0 {
					t.Fatalf("units %s and %s both took the drive", units[winner].Code, units[i].Code)
				}
				winner = i
			}
		}
		if winner < 0 {
			t.Fatalf("no unit took the drive: %v", errs)
		}
		for i, err := range errs {
			if i == winner {
				continue
			}
			var oe *ordi.Error
			if !errors.As(err, &oe) || oe.Kind != ordi.Conflict {
				t.Errorf("unit %s: %v, want Conflict", units[i].Code, err)
			} else if !strings.Contains(oe.Message, string(units[winner].Code)) {
				t.Errorf("unit %s: %q does not name %s", units[i].Code, oe.Message, units[winner].Code)
			}
		}
		if r := count(t, db, "unit_reports"); r != 1 {
			t.Errorf("%d reports kept, want 1", r)
		}
	})
}

// TestConcurrentAttachOfOneMachine: reports of one machine (its drives made
// distinct, so only the machine serial is shared) sent at once for several
// blank units: one unit takes the serial, the others are refused naming it.
func TestConcurrentAttachOfOneMachine(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		const n = 8
		units := make([]inventory.Unit, n)
		data := make([][]byte, n)
		for i := range units {
			units[i] = f.blank(t)
			data[i] = []byte(strings.ReplaceAll(string(report(t, "lshw-toshiba-portege-r700.json")), "101022PBN40317KS46YE", "D"+string(units[i].Code)))
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range units {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = f.svc.AttachReport(ctx, staff, string(units[i].Code), data[i])
			}()
		}
		close(start)
		wg.Wait()
		var winners []string
		for i, err := range errs {
			if err == nil {
				winners = append(winners, string(units[i].Code))
			}
		}
		if len(winners) != 1 {
			t.Fatalf("units that took machine YA059622H: %v, want exactly one (errors %v)", winners, errs)
		}
		for i, err := range errs {
			if err == nil {
				continue
			}
			var oe *ordi.Error
			if !errors.As(err, &oe) || oe.Kind != ordi.Conflict || !strings.Contains(oe.Message, winners[0]) {
				t.Errorf("unit %s: %v, want a Conflict naming %s", units[i].Code, err, winners[0])
			}
		}
		var holders int64
		db.Table("units").Where("UPPER(TRIM(serial_number)) = ?", "YA059622H").Count(&holders)
		if holders != 1 {
			t.Errorf("%d units hold the machine serial, want 1", holders)
		}
	})
}

// TestAttachNVMeLaptop: lshw and smartctl of the same real laptop name one
// NVMe drive; lshw already knows its kind, so the storage is filled.
func TestAttachNVMeLaptop(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		u := f.blank(t)
		got, err := f.svc.AttachReport(ctx, staff, string(u.Code), report(t, "lshw-lenovo-thinkpad-x1-carbon-5-nvme.json"))
		if err != nil {
			t.Fatal(err)
		}
		if got.Unit.RAMGB != 16 || got.Unit.StorageGB != 1024 || got.Unit.StorageKind != inventory.StorageNVMe || got.Unit.SerialNumber != "PF0QMY5N" {
			t.Errorf("unit %+v", got.Unit)
		}
		if _, err := f.svc.AttachReport(ctx, staff, string(u.Code), report(t, "smartctl-SAMSUNG_MZVLW1T0HMLH-000L7.json")); err != nil {
			t.Fatal(err)
		}
		drives, _ := f.svc.Drives(ctx, staff, string(u.Code))
		if len(drives) != 1 || drives[0].PowerOnHours == nil || *drives[0].PowerOnHours != 6032 || drives[0].Health() != "passed" {
			t.Errorf("drives %+v", drives)
		}
	})
}

// TestAttachReportLongStrings: a report's texts are cut to what a typed
// field may hold, and the unit stays valid.
func TestAttachReportLongStrings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		u := f.blank(t)
		long := strings.Repeat("É", 5000)
		data := strings.NewReplacer(`"OptiPlex 745"`, `"`+long+`"`, `"WD-WMAV2W580992"`, `"`+long+`"`).Replace(string(report(t, "lshw-dell-optiplex-745.json")))
		got, err := f.svc.AttachReport(ctx, staff, string(u.Code), []byte(data))
		if err != nil {
			t.Fatal(err)
		}
		if n := len([]rune(got.Unit.Model)); n != 200 {
			t.Errorf("model of %d characters", n)
		}
		if n := len([]rune(got.Drives[0].Serial)); n != 200 {
			t.Errorf("drive serial of %d characters", n)
		}
	})
}
