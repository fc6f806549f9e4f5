package ordi

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// zoneChildEnv marks the process TestParisWithoutZoneDatabase starts.
const zoneChildEnv = "ORDI_ZONE_TEST_CHILD"

// zoneChildOK is what the child prints once every check passed.
const zoneChildOK = "zone child: Paris is right"

// systemZoneDirs are where Go looks for the zone database on Linux
// (time.platformZoneSources).
var systemZoneDirs = []string{"/usr/share/zoneinfo", "/usr/share/lib/zoneinfo", "/usr/lib/locale/TZ", "/etc/zoneinfo"}

// TestParisWithoutZoneDatabase runs this test again in a process that can
// find no zone database: ZONEINFO points nowhere, GOROOT too (its
// lib/time/zoneinfo.zip is Go's last resort), and the system directories are
// covered by empty mounts in a private mount namespace, as in an image that
// ships no tzdata. Paris must still keep French time, summer and winter.
func TestParisWithoutZoneDatabase(t *testing.T) {
	if os.Getenv(zoneChildEnv) == "1" {
		checkParisAlone(t)
		return
	}
	// The shell covers the directories, then becomes this test binary.
	script := `for d in ` + strings.Join(systemZoneDirs, " ") + `; do
		if [ -d "$d" ]; then mount -t tmpfs -o size=1k tmpfs "$d" || exit 97; fi
	done
	exec "$@"`
	cmd := exec.Command("/bin/sh", "-c", script, "sh", os.Args[0], "-test.run=^TestParisWithoutZoneDatabase$", "-test.v")
	cmd.Env = append(os.Environ(), zoneChildEnv+"=1", "ZONEINFO=/nonexistent/zoneinfo.zip", "GOROOT=/nonexistent/go")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
	}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err != nil && !errors.As(err, &exit), exit != nil && exit.ExitCode() == 97:
		// No namespaces here (a locked-down container): say so; CI's
		// report fails on this skip.
		t.Skipf("cannot hide the zone database from a child process: %v\n%s", err, out)
	case err != nil:
		t.Fatalf("the child process failed: %v\n%s", err, out)
	case !strings.Contains(string(out), zoneChildOK):
		t.Fatalf("the child process ran no check:\n%s", out)
	}
}

// checkParisAlone is the child's side: no zone database is reachable, yet
// Paris has its offsets on both sides of the clock changes.
func checkParisAlone(t *testing.T) {
	for _, d := range systemZoneDirs {
		if _, err := os.Stat(d + "/Europe/Paris"); err == nil {
			t.Fatalf("%s/Europe/Paris is still visible: the test would prove nothing", d)
		}
	}
	if got := Paris.String(); got != "Europe/Paris" {
		t.Errorf("Paris is %q", got)
	}
	for _, c := range []struct {
		utc    time.Time
		name   string
		offset int
	}{
		{time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), "CET", 3600},
		{time.Date(2026, 3, 29, 0, 59, 59, 0, time.UTC), "CET", 3600}, // a second before the spring change
		{time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC), "CEST", 7200},  // 02:00 became 03:00
		{time.Date(2026, 7, 14, 12, 0, 0, 0, time.UTC), "CEST", 7200},
		{time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC), "CET", 3600}, // 03:00 became 02:00
	} {
		name, offset := c.utc.In(Paris).Zone()
		if name != c.name || offset != c.offset {
			t.Errorf("%s in Paris: %s %+d s, want %s %+d s", c.utc.Format(time.RFC3339), name, offset, c.name, c.offset)
		}
	}
	if !t.Failed() {
		os.Stdout.WriteString(zoneChildOK + "\n")
	}
}
