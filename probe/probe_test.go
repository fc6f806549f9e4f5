package probe

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// loopDevice attaches a loop device over a file of random bytes and
// detaches it at cleanup. A machine that refuses loop devices (no root, a
// container without /dev/loop-control) skips locally and fails in CI,
// whose machines accept them.
func loopDevice(t *testing.T, size int) (dev, file string) {
	t.Helper()
	file = filepath.Join(t.TempDir(), "disk.img")
	data := make([]byte, size)
	rand.Read(data)
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("losetup", "--find", "--show", file).CombinedOutput()
	if err != nil {
		msg := "this machine refuses loop devices (losetup: " + strings.TrimSpace(string(out)) + ")"
		if os.Getenv("CI") != "" {
			t.Fatal(msg + ": CI machines must accept them")
		}
		t.Skip(msg)
	}
	dev = strings.TrimSpace(string(out))
	t.Cleanup(func() {
		if out, err := exec.Command("losetup", "-d", dev).CombinedOutput(); err != nil {
			t.Errorf("losetup -d %s: %v %s", dev, err, out)
		}
	})
	return dev, file
}

func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is missing: .ci/run installs it", tool)
			}
			t.Skipf("%s is not installed here", tool)
		}
	}
}

// allZero reports whether a file holds only zero bytes.
func allZero(t *testing.T, file string) bool {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return len(bytes.Trim(data, "\x00")) == 0
}

// TestCollectWithRealTools runs lshw, lsblk, smartctl and nwipe of this
// machine on a loop device. The operator first types a wrong answer: the
// drive keeps its bytes and no nwipe runs; then its path (a loop device has
// no serial): nwipe zeroes it and verifies, and its log is the report.
func TestCollectWithRealTools(t *testing.T) {
	needTools(t, "lshw", "lsblk", "smartctl", "nwipe", "losetup")
	dev, file := loopDevice(t, 8<<20)
	ctx := context.Background()
	collect := func(answer string) ([]Part, []Drive, string) {
		var log bytes.Buffer
		parts, drives, err := Collect(ctx, Options{Runner: ExecRunner{}, Devices: []string{dev}, Wipe: true,
			Confirm: ConfirmBySerial(bufio.NewReader(strings.NewReader(answer)), &log), Log: &log})
		if err != nil {
			t.Fatalf("collect: %v\n%s", err, log.String())
		}
		return parts, drives, log.String()
	}

	parts, drives, log := collect("WRONG-SERIAL\n")
	if len(drives) != 1 || drives[0].Path != dev || drives[0].Type != "loop" || drives[0].SizeBytes != 8<<20 || drives[0].InUse() {
		t.Fatalf("drives: %+v", drives)
	}
	kinds := map[string]Part{}
	for _, p := range parts {
		if err := p.Check(); err != nil {
			t.Errorf("%s: %v", p.Kind, err)
		}
		kinds[p.Kind] = p
	}
	hw := kinds[KindLshw]
	var lshw any
	if !hw.Report || json.Unmarshal([]byte(hw.Content), &lshw) != nil || !strings.Contains(hw.Content, `"class"`) {
		t.Errorf("lshw part: report %v, %d bytes", hw.Report, hw.Size)
	}
	smart := kinds[KindSmartctl]
	if smart.Device != dev || smart.Report || smart.ExitStatus&1 == 0 || !strings.Contains(smart.Note, "pas de données SMART") || !json.Valid([]byte(smart.Content)) {
		t.Errorf("smartctl on a loop device: %+v", smart)
	}
	if _, ok := kinds[KindNwipe]; ok || !strings.Contains(log, "ne sera PAS effacé") {
		t.Fatalf("a wrong answer wiped the drive:\n%s", log)
	}
	if allZero(t, file) {
		t.Fatal("the drive was zeroed without confirmation")
	}

	parts, _, log = collect(dev + "\n")
	var wiped *Part
	for i := range parts {
		if parts[i].Kind == KindNwipe {
			wiped = &parts[i]
		}
	}
	if wiped == nil {
		t.Fatalf("no nwipe part after confirming:\n%s", log)
	}
	if !wiped.Report || wiped.ExitStatus != 0 || !strings.Contains(wiped.Content, "Verified that "+dev+" is empty") || !strings.Contains(wiped.Content, "Erased") {
		t.Errorf("nwipe log: exit %d\n%s", wiped.ExitStatus, wiped.Content)
	}
	if !allZero(t, file) {
		t.Error("nwipe ran but the drive is not zeroed")
	}
}

// TestMountedDriveIsNeverOffered: the drive holding a mounted file system
// (here, the machine's root) is listed, read, and never offered for wiping.
func TestMountedDriveIsNeverOffered(t *testing.T) {
	needTools(t, "lsblk", "lshw", "smartctl")
	ctx := context.Background()
	drives, _, err := ListDrives(ctx, ExecRunner{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var root *Drive
	for i, d := range drives {
		for _, m := range d.Mounted {
			if m == "/" {
				root = &drives[i]
			}
		}
	}
	if root == nil {
		t.Skipf("the root file system is on no disk lsblk lists (%+v)", drives)
	}
	asked := 0
	var log bytes.Buffer
	_, _, err = Collect(ctx, Options{Runner: ExecRunner{}, Devices: []string{root.Path}, Wipe: true, Log: &log,
		Confirm: func(d Drive) (bool, error) { asked++; return true, nil }})
	if err != nil {
		t.Fatal(err)
	}
	if asked != 0 || !strings.Contains(log.String(), "utilisé par le système en marche") {
		t.Fatalf("the mounted drive %s was offered (%d questions):\n%s", root.Path, asked, log.String())
	}
}

func TestConfirmBySerial(t *testing.T) {
	d := Drive{Path: "/dev/sdb", Serial: "WD-WCC4N0123456", Model: "WDC WD5000AAKX", SizeBytes: 500107862016}
	for _, tc := range []struct {
		typed string
		want  bool
	}{
		{"WD-WCC4N0123456\n", true},
		{" wd-wcc4n 0123456 \n", true}, // read off a label, in lower case, with a space
		{"\n", false},
		{"WD-WCC4N012345\n", false},
		{"/dev/sdb\n", false}, // a drive with a serial is confirmed by its serial
		{"oui\n", false},
		{"", false}, // end of input
	} {
		var out bytes.Buffer
		got, err := ConfirmBySerial(bufio.NewReader(strings.NewReader(tc.typed)), &out)(d)
		if err != nil || got != tc.want {
			t.Errorf("typed %q: %v %v, want %v", tc.typed, got, err, tc.want)
		}
		if !strings.Contains(out.String(), "n° de série WD-WCC4N0123456") {
			t.Errorf("the question does not show the serial: %s", out.String())
		}
	}
}

func TestSmartStatus(t *testing.T) {
	okJSON := []byte(`{"smart_status":{"passed":false}}`)
	for _, tc := range []struct {
		code   int
		out    []byte
		usable bool
		note   string
	}{
		{0, okJSON, true, ""},
		{1, []byte(`{"smartctl":{"messages":[{"string":"/dev/loop0: Unable to detect device type"}]}}`), false, "Unable to detect device type"},
		{2, okJSON, false, "ouvert"},
		{4, okJSON, true, "commande SMART"},
		{8 | 64, okJSON, true, "DÉFAILLANT"},
		{0, []byte("garbage"), false, "pas du JSON"},
	} {
		usable, note := SmartStatus(tc.code, tc.out)
		if usable != tc.usable || !strings.Contains(note, tc.note) {
			t.Errorf("exit %d: usable %v note %q", tc.code, usable, note)
		}
	}
}

func TestBundleRoundTrip(t *testing.T) {
	dir := t.TempDir()
	text := NewPart(KindLshw, []string{"lshw", "-json"}, []byte(`{"id":"é"}`))
	binary := NewPart(KindNwipe, []string{"nwipe"}, []byte{0xff, 0xfe, 'x'})
	if binary.ContentBase64 == "" || text.Content == "" {
		t.Fatalf("content forms: %+v %+v", text, binary)
	}
	b := &Bundle{Format: Format, CreatedAt: time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC), Unit: "7K3QX2M", Parts: []Part{text, binary}}
	path := filepath.Join(dir, "b.json")
	if err := WriteBundle(path, b); err != nil {
		t.Fatal(err)
	}
	got, err := ReadBundle(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range got.Parts {
		data, _ := p.Data()
		want, _ := b.Parts[i].Data()
		if !bytes.Equal(data, want) {
			t.Errorf("part %d: %q, want %q", i, data, want)
		}
	}
	// A part changed after the fact is refused.
	raw, _ := os.ReadFile(path)
	os.WriteFile(path, bytes.Replace(raw, []byte(`\"id\":\"é\"`), []byte(`\"id\":\"e\"`), 1), 0o600)
	if _, err := ReadBundle(path); err == nil || !strings.Contains(err.Error(), "SHA-256") {
		t.Errorf("a modified bundle: %v", err)
	}
	os.WriteFile(path, []byte(`{"format":"autre"}`), 0o600)
	if _, err := ReadBundle(path); err == nil || !strings.Contains(err.Error(), "pas un rapport d'ordi probe") {
		t.Errorf("another format: %v", err)
	}
	os.WriteFile(path, []byte(`{"format":"ordi-probe-bundle/1","parts":[]}`), 0o600)
	if _, err := ReadBundle(path); err == nil || !strings.Contains(err.Error(), "ni l'unité") {
		t.Errorf("no target: %v", err)
	}
}

// TestMissingTool: a tool absent from PATH is named with its Debian package.
func TestMissingTool(t *testing.T) {
	found := map[string]string{}
	for _, tool := range []string{"lshw", "lsblk", "smartctl"} {
		if path, err := exec.LookPath(tool); err == nil {
			found[tool] = path
		}
	}
	t.Setenv("PATH", t.TempDir())
	_, _, err := Collect(context.Background(), Options{Runner: ExecRunner{}})
	var missing *MissingToolError
	if !errors.As(err, &missing) || missing.Tool != "lshw" || !strings.Contains(err.Error(), "apt-get install lshw") {
		t.Fatalf("lshw missing: %v", err)
	}
	if err := CheckTools(true); !errors.As(err, &missing) || missing.Tool != "lshw" {
		t.Fatalf("CheckTools with nothing installed: %v", err)
	}
	// nwipe alone missing is said before anything runs.
	bin := t.TempDir()
	for _, tool := range []string{"lshw", "lsblk", "smartctl"} {
		if found[tool] == "" {
			t.Skipf("%s is not installed here", tool)
		}
		os.Symlink(found[tool], filepath.Join(bin, tool))
	}
	t.Setenv("PATH", bin)
	if err := CheckTools(false); err != nil {
		t.Fatalf("without --wipe, nwipe is not needed: %v", err)
	}
	if err := CheckTools(true); !errors.As(err, &missing) || missing.Tool != "nwipe" || !strings.Contains(err.Error(), "apt-get install nwipe") {
		t.Fatalf("nwipe missing: %v", err)
	}
}

func TestBanner(t *testing.T) {
	b := Banner("7K3")
	lines := strings.Split(strings.TrimRight(b, "\n"), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "█████  █   █  ████") {
		t.Fatalf("banner:\n%s", b)
	}
	for _, r := range "0123456789ABCDEFGHJKMNPQRSTVWXYZ" {
		if _, ok := glyphs[r]; !ok {
			t.Errorf("no glyph for %c, a symbol of unit codes", r)
		}
	}
}
