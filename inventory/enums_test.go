package inventory_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/ordi-app/ordi/inventory"
)

// enum is what every enumeration of the package offers.
type enum interface {
	~string
	Valid() bool
	Label() string
}

// checkEnum checks an enumeration against the API values of DESIGN.md §2.1,
// written out here: the list is complete and in display order, every value is
// valid with its own non-empty label, unknown values are invalid and labelled
// with their raw text, and the list is a copy the caller may modify.
func checkEnum[T enum](t *testing.T, list func() []T, want []string, labels map[string]string) {
	t.Helper()
	got := list()
	var gotStrings []string
	for _, v := range got {
		gotStrings = append(gotStrings, string(v))
	}
	if !slices.Equal(gotStrings, want) {
		t.Fatalf("values = %q, want %q", gotStrings, want)
	}
	seen := map[string]T{}
	for _, v := range got {
		if !v.Valid() {
			t.Errorf("%q.Valid() = false", v)
		}
		label := v.Label()
		if strings.TrimSpace(label) == "" || label == string(v) {
			t.Errorf("%q has no French label (%q)", v, label)
		}
		if other, dup := seen[label]; dup {
			t.Errorf("%q and %q share the label %q", v, other, label)
		}
		seen[label] = v
		if want, ok := labels[string(v)]; ok && label != want {
			t.Errorf("%q.Label() = %q, want %q", v, label, want)
		}
	}
	for _, bad := range []string{"", " ", strings.ToUpper(want[0]), want[0] + " ", "unknown"} {
		if bad == want[0] {
			continue // the upper-cased value of an upper-case enum
		}
		v := T(bad)
		if v.Valid() {
			t.Errorf("%q.Valid() = true", bad)
		}
		if v.Label() != bad {
			t.Errorf("unknown %q.Label() = %q, want the raw value", bad, v.Label())
		}
	}
	got[0] = T("changed")
	if string(list()[0]) != want[0] {
		t.Error("modifying a returned list changed the package's list")
	}
}

func TestEnums(t *testing.T) {
	t.Run("Kind", func(t *testing.T) {
		checkEnum(t, inventory.Kinds,
			[]string{"laptop", "desktop", "all_in_one", "tablet", "screen", "other"},
			map[string]string{"laptop": "Ordinateur portable", "all_in_one": "Tout-en-un", "screen": "Écran"})
	})
	t.Run("StorageKind", func(t *testing.T) {
		checkEnum(t, inventory.StorageKinds,
			[]string{"hdd", "ssd", "nvme", "emmc", "none"},
			map[string]string{"none": "Sans stockage"})
	})
	t.Run("Grade", func(t *testing.T) {
		checkEnum(t, inventory.Grades, []string{"A", "B", "C"}, nil)
		for _, g := range inventory.Grades() {
			if !strings.HasPrefix(g.Label(), string(g)+" ") {
				t.Errorf("grade label %q does not start with the grade", g.Label())
			}
		}
		if inventory.Grade("a").Valid() {
			t.Error(`Grade("a") is valid: grades are upper case`)
		}
	})
	t.Run("DonorKind", func(t *testing.T) {
		checkEnum(t, inventory.DonorKinds,
			[]string{"company", "public_body", "association", "individual"},
			map[string]string{"company": "Entreprise", "individual": "Particulier"})
	})
	t.Run("ErasureCategory", func(t *testing.T) {
		checkEnum(t, inventory.ErasureCategories, []string{"clear", "purge", "destroy"}, nil)
		descriptions := map[string]bool{}
		for _, c := range inventory.ErasureCategories() {
			d := c.Description()
			if d == "" || strings.Contains(d, "\n") || descriptions[d] {
				t.Errorf("%q: description %q is not one distinct line", c, d)
			}
			descriptions[d] = true
			// The label names NIST's category so that it matches tool reports.
			nist := strings.ToUpper(string(c[:1])) + string(c[1:])
			if !strings.Contains(c.Label(), "("+nist+")") {
				t.Errorf("%q: label %q does not name NIST's %q", c, c.Label(), nist)
			}
		}
		if d := inventory.ErasureCategory("shred").Description(); d != "" {
			t.Errorf("unknown category has description %q", d)
		}
	})
	t.Run("ErasureResult", func(t *testing.T) {
		checkEnum(t, inventory.ErasureResults, []string{"passed", "failed"},
			map[string]string{"passed": "Réussi", "failed": "Échoué"})
	})
}

func TestHasStorage(t *testing.T) {
	for _, tc := range []struct {
		name string
		gb   int
		kind inventory.StorageKind
		want bool
	}{
		{"SSD", 256, inventory.StorageSSD, true},
		{"KindWithoutCapacity", 0, inventory.StorageHDD, true},
		{"CapacityWithoutKind", 500, "", true},
		{"CapacityDespiteNone", 32, inventory.StorageNone, true},
		{"None", 0, inventory.StorageNone, false},
		{"NothingEntered", 0, "", false},
		{"NegativeCapacity", -1, inventory.StorageNone, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := inventory.HasStorage(tc.gb, tc.kind); got != tc.want {
				t.Fatalf("HasStorage(%d, %q) = %t, want %t", tc.gb, tc.kind, got, tc.want)
			}
		})
	}
}
