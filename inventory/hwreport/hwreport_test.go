package hwreport

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ordi-app/ordi"
)

func mustRead(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func mustParse(tb testing.TB, data []byte) Report {
	tb.Helper()
	r, err := Parse(data)
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	return r
}

func TestLshwFixtures(t *testing.T) {
	for _, tc := range []struct {
		file                         string
		vendor, product, serial, cpu string
		ramGB                        int64
		drives                       []Drive
	}{
		{"lshw-acer-aspire-5737z.json", "Acer", "Aspire 5737Z", "LXAZ70X0669112B8DB1601", "Intel(R) Core(TM)2 Duo CPU T6400 @ 2.00GHz", 4,
			[]Drive{{Device: "/dev/sda", Model: "WDC WD5000BEVT-2", Serial: "WD-WXN209S36759", CapacityBytes: 500107862016}}},
		{"lshw-dell-optiplex-745.json", "Dell Inc.", "OptiPlex 745", "HQ5583J", "Intel(R) Core(TM)2 CPU 6400 @ 2.13GHz", 2,
			[]Drive{{Device: "/dev/sda", Model: "WDC WD3200AAKS-7", Serial: "WD-WMAV2W580992", CapacityBytes: 320072933376}}},
		{"lshw-toshiba-portege-r700.json", "TOSHIBA", "PORTEGE R700", "YA059622H", "Intel(R) Core(TM) i5 CPU M 560 @ 2.67GHz", 2,
			[]Drive{{Device: "/dev/sda", Model: "Hitachi HTS54505", Serial: "101022PBN40317KS46YE", CapacityBytes: 500107862016}}},
		// NVMe: the namespace's size, the controller's model and serial; the
		// card reader's empty slots (USB) are left out.
		{"lshw-lenovo-thinkpad-x1-carbon-5-nvme.json", "LENOVO", "20HRCTO1WW", "PF0QMY5N", "Intel(R) Core(TM) i7-7500U CPU @ 2.70GHz", 16,
			[]Drive{{Device: "/dev/nvme0n1", Model: "SAMSUNG MZVLW1T0HMLH-000L7", Serial: "S35ANX0J401001", CapacityBytes: 1024209543168, Kind: DriveNVMe}}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			r := mustParse(t, mustRead(t, tc.file))
			if r.Kind != KindLshw || r.Machine == nil {
				t.Fatalf("kind %q machine %v", r.Kind, r.Machine)
			}
			m := r.Machine
			if m.Vendor != tc.vendor || m.Product != tc.product || m.Serial != tc.serial || m.CPU != tc.cpu || (m.RAMBytes+1<<29)>>30 != tc.ramGB {
				t.Errorf("machine = %+v", *m)
			}
			if len(r.Drives) != len(tc.drives) {
				t.Fatalf("drives = %+v, want %+v (USB sticks and optical drives left out)", r.Drives, tc.drives)
			}
			for i, d := range tc.drives {
				if r.Drives[i] != d {
					t.Errorf("drive %d = %+v, want %+v", i, r.Drives[i], d)
				}
			}
		})
	}
}

// TestLshwArrayForm: some lshw versions print the tree inside an array.
func TestLshwArrayForm(t *testing.T) {
	obj := mustRead(t, "lshw-dell-optiplex-745.json")
	arr := append(append([]byte("[\n"), obj...), []byte("\n]\n")...)
	a, b := mustParse(t, obj), mustParse(t, arr)
	if *a.Machine != *b.Machine || len(a.Drives) != len(b.Drives) {
		t.Errorf("array form %+v differs from object form %+v", b.Machine, a.Machine)
	}
}

// TestLshwHere runs lshw on the test machine itself.
func TestLshwHere(t *testing.T) {
	path, err := exec.LookPath("lshw")
	if err != nil {
		if os.Getenv("ORDI_E2E") == "" {
			t.Skip("lshw is not installed (CI installs it and sets ORDI_E2E)")
		}
		t.Fatal("lshw is not installed: CI must install it (.ci/run)")
	}
	out, err := exec.Command(path, "-json").Output()
	if err != nil {
		t.Fatalf("lshw -json: %v", err)
	}
	r := mustParse(t, out)
	if r.Kind != KindLshw || r.Machine == nil {
		t.Fatalf("kind %q", r.Kind)
	}
	if r.Machine.RAMBytes <= 0 && r.Machine.CPU == "" {
		t.Errorf("lshw on this machine gave neither memory nor processor: %+v", *r.Machine)
	}
	t.Logf("this machine: %+v, %d drive(s)", *r.Machine, len(r.Drives))
}

func TestSmartctlFixtures(t *testing.T) {
	i := func(v int64) *int64 { return &v }
	for _, tc := range []struct {
		file                string
		model, serial, kind string
		capacity            int64
		hours               int64
		reallocated         *int64
		pending             *int64
	}{
		{"smartctl-nvme-null-Samsung_SSD_970_EVO_Plus_250GB-nvme0.json", "Samsung SSD 970 EVO Plus 250GB", "REDACTED", DriveNVMe, 250059350016, 3149, nil, nil},
		{"smartctl-ST3500418AS_11.json", "ST3500418AS", "REDACTED", DriveHDD, 500107862016, 44670, i(1), i(0)},
		{"smartctl-SAMSUNG_MZ7WD240HAFV-00003_21.json", "SAMSUNG MZ7WD240HAFV-00003", "REDACTED", DriveSSD, 240057409536, 84619, i(0), nil},
		{"smartctl-SAMSUNG_MZVLW1T0HMLH-000L7.json", "SAMSUNG MZVLW1T0HMLH-000L7", "S35ANX0J401001", DriveNVMe, 1024209543168, 6032, nil, nil},
	} {
		t.Run(tc.file, func(t *testing.T) {
			r := mustParse(t, mustRead(t, tc.file))
			if r.Kind != KindSmartctl || len(r.Drives) != 1 || !strings.HasPrefix(r.Tool, "smartctl 7.") {
				t.Fatalf("report %+v", r)
			}
			d := r.Drives[0]
			if d.Model != tc.model || d.Serial != tc.serial || d.Kind != tc.kind || d.CapacityBytes != tc.capacity {
				t.Errorf("drive %+v", d)
			}
			if d.PowerOnHours == nil || *d.PowerOnHours != tc.hours || d.SmartPassed == nil || !*d.SmartPassed {
				t.Errorf("health: hours %v passed %v", d.PowerOnHours, d.SmartPassed)
			}
			eq := func(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
			if !eq(d.Reallocated, tc.reallocated) || !eq(d.Pending, tc.pending) {
				t.Errorf("reallocated %v pending %v", d.Reallocated, d.Pending)
			}
		})
	}
}

func TestNwipeFixtures(t *testing.T) {
	t.Run("ZeroVerified", func(t *testing.T) {
		r := mustParse(t, mustRead(t, "nwipe-0.33-zero-verify-last.log"))
		if r.Kind != KindNwipe || r.Tool != "nwipe 0.33" || len(r.Erasures) != 1 {
			t.Fatalf("report %+v", r)
		}
		e := r.Erasures[0]
		if !e.Passed || !e.Verified || e.Category != "clear" || e.Method != "overwrite" || e.Device != "/dev/loop0" || e.Label != "Fill With Zeros" {
			t.Errorf("erasure %+v", e)
		}
		if !strings.Contains(e.Technique, "Fill With Zeros") || !strings.Contains(e.Technique, "verify last pass") {
			t.Errorf("technique %q", e.Technique)
		}
		if e.StartedAt == nil || e.FinishedAt == nil || e.StartedAt.Format("2006-01-02 15:04:05") != "2026-11-30 23:25:30" {
			t.Errorf("times %v %v", e.StartedAt, e.FinishedAt)
		}
	})
	t.Run("NotVerifiedIsFailed", func(t *testing.T) {
		r := mustParse(t, mustRead(t, "nwipe-0.33-prng-no-verify.log"))
		e := r.Erasures[0]
		if e.Passed || e.Verified || e.Status != "Erased" || e.Label != "PRNG Stream" || e.Category != "clear" {
			t.Errorf("an unverified erasure must be failed: %+v", e)
		}
	})
}

// TestNwipeStatuses covers the statuses of nwipe's summary table that a
// test machine cannot provoke on demand; the rows follow logging.c's format
// ("%s %s |%s| %s/s | %02i:%02i:%02i | %s/%s"), on the real log's frame.
func TestNwipeStatuses(t *testing.T) {
	log := string(mustRead(t, "nwipe-0.33-zero-verify-last.log"))
	row := "     loop0 | Erased |   0 B/s | 00:00:00 | Loopback device/"
	for _, tc := range []struct{ name, row, status string }{
		{"Failed", "!    loop0 |-FAILED-|   0 B/s | 00:00:00 | Loopback device/", "FAILED"},
		{"Aborted", "!    loop0 |UABORTED|   0 B/s | 00:00:00 | Loopback device/", "UABORTED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := mustParse(t, []byte(strings.Replace(log, row, tc.row, 1)))
			if e := r.Erasures[0]; e.Passed || e.Status != tc.status {
				t.Errorf("erasure %+v", e)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	lshw := mustRead(t, "lshw-dell-optiplex-745.json")
	nwipe := string(mustRead(t, "nwipe-0.33-zero-verify-last.log"))
	noSummary := nwipe[:strings.Index(nwipe, "********************************* Drive Status")]
	for _, tc := range []struct {
		name string
		data []byte
		kind ordi.Kind
		want string
	}{
		{"Empty", nil, ordi.Invalid, "vide"},
		{"UnknownText", []byte("Bonjour, ceci est une lettre."), ordi.Invalid, "lshw -json"},
		{"TextAboutNwipe", mustRead(t, "README.md"), ordi.Invalid, "Format de rapport inconnu"},
		{"TruncatedJSON", lshw[:len(lshw)/2], ordi.Invalid, "tronqué"},
		{"OtherJSON", []byte(`{"hello": "world"}`), ordi.Invalid, "ni une sortie de lshw"},
		{"NwipeNoSummary", []byte(noSummary), ordi.Invalid, "Drive Status"},
		{"VerifyOnly", []byte(strings.Replace(nwipe, "Fill With Zeros, 1R", "Verify Zeros (0x00), 1R", 1)), ordi.Invalid, "vérification seule"},
		{"TooLarge", make([]byte, MaxSize+1), ordi.TooLarge, "2 Mo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.data)
			var oe *ordi.Error
			if !errors.Is(err, tc.kind) || !errors.As(err, &oe) || !strings.Contains(oe.Message, tc.want) {
				t.Fatalf("err = %v, want %s mentioning %q", err, tc.kind, tc.want)
			}
		})
	}
}

func TestNormalizeSerial(t *testing.T) {
	for in, want := range map[string]string{
		" wd-wcc2e7nv4c7u ": "WD-WCC2E7NV4C7U", "To Be Filled By O.E.M.": "", "Default string": "",
		"0123456789": "", "System Serial Number": "", "": "", "   ": "", "0000000000": "", "HQ5583J": "HQ5583J",
		"..CN137407AJ02SW.": "CN137407AJ02SW",
	} {
		if got := NormalizeSerial(in); got != want {
			t.Errorf("NormalizeSerial(%q) = %q, want %q", in, got, want)
		}
	}
}

// BenchmarkParseLshw2MB parses a real lshw tree (the desktop's) repeated
// inside its root to 2 MB: the parsing part of the 50 ms bar of
// inventory's BenchmarkAttachLshw2MB.
func BenchmarkParseLshw2MB(b *testing.B) {
	one := mustRead(b, "lshw-dell-optiplex-745.json")
	body := strings.TrimSpace(string(one))
	inner := body[1 : len(body)-1]
	var sb strings.Builder
	sb.WriteString(`{"id": "big", "class": "system", "product": "Big", "children": [`)
	for i := 0; sb.Len()+len(body)+4 < MaxSize; i++ {
		if i > 0 {
			sb.WriteString(",")
		}
		sb.WriteString("{" + strings.Replace(inner, `"class" : "system"`, `"class" : "bus"`, 1) + "}")
	}
	sb.WriteString("]}")
	data := []byte(sb.String())
	if _, err := Parse(data); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}
