package inventory_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/inventory/hwreport"
)

// needTool finds a tool; it skips only when the tool is absent and the run
// is not CI (ORDI_E2E unset): CI installs the tools and fails without them.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/sbin"} {
		if p := filepath.Join(dir, name); fileExists(p) {
			return p
		}
	}
	if os.Getenv("ORDI_E2E") == "" {
		t.Skipf("%s is not installed (CI installs it: .ci/run)", name)
	}
	t.Fatalf("%s is not installed: CI must install it (.ci/run)", name)
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// TestNwipeOnLoopDevice wipes an 8 MB file through a loop device with the
// real nwipe, attaches its log to a unit and checks the record: passed,
// Clear by overwrite with zeros, verified, the device named. A machine that
// refuses loop devices (no root, no /dev/loop-control) fails the test in CI
// and says so elsewhere.
func TestNwipeOnLoopDevice(t *testing.T) {
	nwipe, losetup := needTool(t, "nwipe"), needTool(t, "losetup")
	dir := t.TempDir()
	img := filepath.Join(dir, "disk.img")
	if err := os.WriteFile(img, []byte(strings.Repeat("donnée du donateur ", 8<<20/19+1))[:8<<20], 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(losetup, "--find", "--show", img).CombinedOutput()
	if err != nil {
		msg := "this machine refuses loop devices (losetup: " + strings.TrimSpace(string(out)) + ", " + err.Error() + ")"
		if os.Getenv("ORDI_E2E") == "" {
			t.Skip(msg + ": run as root, or in CI")
		}
		t.Fatal(msg + ": CI machines must accept them")
	}
	dev := strings.TrimSpace(string(out))
	t.Cleanup(func() {
		if out, err := exec.Command(losetup, "--detach", dev).CombinedOutput(); err != nil {
			t.Errorf("losetup --detach %s: %v %s", dev, err, out)
		}
	})
	logfile := filepath.Join(dir, "nwipe.log")
	cmd := exec.Command(nwipe, "--autonuke", "--nogui", "--method=zero", "--verify=last", "--nowait", "--logfile="+logfile, dev)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nwipe: %v\n%s", err, out)
	}
	wiped, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Trim(string(wiped), "\x00") != "" {
		t.Fatal("nwipe left data on the device")
	}
	log, err := os.ReadFile(logfile)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := hwreport.Parse(log)
	if err != nil || len(parsed.Erasures) != 1 || parsed.Erasures[0].Device != dev || !parsed.Erasures[0].Passed {
		t.Fatalf("the log does not say %s was erased: %v %+v", dev, err, parsed.Erasures)
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		u := f.laptop(t)
		got, err := f.svc.AttachReport(ctx, staff, string(u.Code), log)
		if err != nil {
			t.Fatalf("attach the log: %v\n%s", err, log)
		}
		if len(got.Erasures) != 1 {
			t.Fatalf("erasures %+v", got.Erasures)
		}
		e := got.Erasures[0]
		if e.Result != inventory.ErasurePassed || e.Category != inventory.ErasureClear || e.Method != inventory.MethodOverwrite ||
			!strings.Contains(e.Technique, "Fill With Zeros") || !strings.Contains(e.Technique, "verify last pass") ||
			!strings.HasPrefix(e.Tool, "nwipe ") || e.StartedAt == nil || e.FinishedAt == nil || e.DriveID == nil {
			t.Errorf("erasure %+v", e)
		}
		if len(got.Drives) != 1 || got.Drives[0].Model != "Loopback device" {
			t.Errorf("drives %+v (the loop device %s)", got.Drives, dev)
		}
	})
}
