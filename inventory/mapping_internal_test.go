package inventory

import "testing"

// TestParseSize reads memory and storage cells as donors write them.
func TestParseSize(t *testing.T) {
	cases := []struct {
		value  string
		scale  float64
		memory bool
		gb     int
		kind   StorageKind
		bad    bool
	}{
		{"8", 1, true, 8, "", false},
		{"8 Go", 1, true, 8, "", false},
		{"8Go", 1, true, 8, "", false},
		{"8 GB", 1, true, 8, "", false},
		{"8,0 Go", 1, true, 8, "", false},
		{"8192 MB", 1, true, 8, "", false},
		{"8192 Mo", 1, true, 8, "", false},
		{"8192", 1.0 / 1024, true, 8, "", false}, // a "Mémoire (Mio)" column
		{"16 GiB", 1, true, 16, "", false},
		{"256 Go SSD", 1, false, 256, StorageSSD, false},
		{"SSD 512GB", 1, false, 512, StorageSSD, false},
		{"500 Go (HDD)", 1, false, 500, StorageHDD, false},
		{"1 To", 1, false, 1000, "", false},
		{"1 TB NVMe", 1, false, 1000, StorageNVMe, false},
		{"M.2 256 Go", 1, false, 256, StorageNVMe, false},
		{"64 Go eMMC", 1, false, 64, StorageEMMC, false},
		{"SSD", 1, false, 0, StorageSSD, false},
		{"huit", 1, true, 0, "", true},
		{"4,5 Go", 1, true, 0, "", true},
		{"8 Go + 8 Go", 1, true, 0, "", true},
		{"8 pommes", 1, true, 0, "", true},
		{"SSD", 1, true, 0, "", true}, // memory has no kind
	}
	for _, tc := range cases {
		gb, kind, msg := parseSize(tc.value, tc.scale, tc.memory)
		if tc.bad {
			if msg == "" {
				t.Errorf("parseSize(%q) = %d %q, want a message", tc.value, gb, kind)
			}
			continue
		}
		if msg != "" || gb != tc.gb || kind != tc.kind {
			t.Errorf("parseSize(%q) = %d %q %q, want %d %q", tc.value, gb, kind, msg, tc.gb, tc.kind)
		}
	}
}
