package allocation_test

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/inventory"
)

func day(d int) time.Time { return time.Date(2026, 3, d, 10, 0, 0, 0, time.UTC) }

func laptop(code string, ram, storage int, grade inventory.Grade) allocation.Offer {
	return allocation.Offer{Code: inventory.Code(code), Kind: inventory.KindLaptop, Brand: "Lenovo", Model: "T480", RAMGB: ram, StorageGB: storage, Grade: grade}
}

func desktop(code string, ram, storage int) allocation.Offer {
	return allocation.Offer{Code: inventory.Code(code), Kind: inventory.KindDesktop, Brand: "Dell", Model: "OptiPlex", RAMGB: ram, StorageGB: storage, Grade: inventory.GradeB}
}

func family(id int64, need allocation.Need, pupils, waitDay int) allocation.Candidate {
	return allocation.Candidate{HouseholdID: id, Reference: fmt.Sprintf("F-2026-%04d", id), Need: need, SchoolChildren: pupils, WaitingSince: day(waitDay)}
}

// pairs renders proposals as "household→unit" for comparison.
func pairs(r allocation.Result) []string {
	var out []string
	for _, p := range r.Proposals {
		out = append(out, fmt.Sprintf("%d→%s", p.HouseholdID, p.UnitCode))
	}
	return out
}

func unmatched(r allocation.Result) []int64 {
	var out []int64
	for _, u := range r.Unmatched {
		out = append(out, u.HouseholdID)
	}
	return out
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		name      string
		families  []allocation.Candidate
		units     []allocation.Offer
		pairs     []string
		unmatched []int64
	}{
		{name: "Empty"},
		{name: "NoUnits", families: []allocation.Candidate{family(1, allocation.NeedAny, 0, 1)}, unmatched: []int64{1}},
		{name: "NoFamilies", units: []allocation.Offer{laptop("L1", 8, 256, "B")}},
		{
			name:     "NeedRespected",
			families: []allocation.Candidate{family(1, allocation.NeedDesktop, 0, 1), family(2, allocation.NeedLaptop, 0, 2)},
			units:    []allocation.Offer{laptop("L1", 8, 256, "B"), desktop("D1", 8, 256)},
			pairs:    []string{"1→D1", "2→L1"},
		},
		{
			name:     "AllInOneAnswersDesktopNeed",
			families: []allocation.Candidate{family(1, allocation.NeedDesktop, 0, 1)},
			units:    []allocation.Offer{laptop("L1", 4, 128, "B"), {Code: "A1", Kind: inventory.KindAllInOne, RAMGB: 8, StorageGB: 256}},
			pairs:    []string{"1→A1"},
		},
		{
			name:      "TabletsAndScreensAreNotComputers",
			families:  []allocation.Candidate{family(1, allocation.NeedAny, 0, 1)},
			units:     []allocation.Offer{{Code: "T1", Kind: inventory.KindTablet, RAMGB: 8, StorageGB: 64}, {Code: "S1", Kind: inventory.KindScreen}},
			unmatched: []int64{1},
		},
		{
			name:     "SmallestAdequateKeepsTheBestForLargerNeeds",
			families: []allocation.Candidate{family(1, allocation.NeedLaptop, 0, 1), family(2, allocation.NeedLaptop, 3, 2)},
			units:    []allocation.Offer{laptop("BIG", 16, 512, "A"), laptop("MID", 8, 256, "B"), laptop("SMALL", 4, 128, "C")},
			pairs:    []string{"1→SMALL", "2→MID"},
		},
		{
			name:      "MoreSchoolChildrenNeedMoreMemory",
			families:  []allocation.Candidate{family(1, allocation.NeedLaptop, 2, 1)},
			units:     []allocation.Offer{laptop("SMALL", 4, 256, "A")},
			unmatched: []int64{1},
		},
		{
			name:      "TooLittleStorage",
			families:  []allocation.Candidate{family(1, allocation.NeedAny, 0, 1)},
			units:     []allocation.Offer{laptop("TINY", 4, 32, "A")},
			unmatched: []int64{1},
		},
		{
			name:      "LongestWaitingFirst",
			families:  []allocation.Candidate{family(1, allocation.NeedLaptop, 0, 9), family(2, allocation.NeedLaptop, 0, 3)},
			units:     []allocation.Offer{laptop("L1", 8, 256, "B")},
			pairs:     []string{"2→L1"},
			unmatched: []int64{1},
		},
		{
			name:      "SameWaitMoreSchoolChildrenFirst",
			families:  []allocation.Candidate{family(1, allocation.NeedLaptop, 1, 5), family(2, allocation.NeedLaptop, 4, 5)},
			units:     []allocation.Offer{laptop("L1", 8, 256, "B")},
			pairs:     []string{"2→L1"},
			unmatched: []int64{1},
		},
		{
			name:      "FullTieByID",
			families:  []allocation.Candidate{family(7, allocation.NeedLaptop, 1, 5), family(3, allocation.NeedLaptop, 1, 5)},
			units:     []allocation.Offer{laptop("L1", 8, 256, "B")},
			pairs:     []string{"3→L1"},
			unmatched: []int64{7},
		},
		{
			name:     "PlainerGradeFirstAtEqualSpecs",
			families: []allocation.Candidate{family(1, allocation.NeedLaptop, 0, 1)},
			units:    []allocation.Offer{laptop("A", 8, 256, "A"), laptop("C", 8, 256, "C"), laptop("B", 8, 256, "B")},
			pairs:    []string{"1→C"},
		},
		{
			name:     "AnyTakesTheSmallestAcrossKinds",
			families: []allocation.Candidate{family(1, allocation.NeedAny, 0, 1)},
			units:    []allocation.Offer{laptop("L1", 8, 256, "B"), desktop("D1", 4, 500)},
			pairs:    []string{"1→D1"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := allocation.Match(tc.families, tc.units)
			if diff := gocmp.Diff(tc.pairs, pairs(r)); diff != "" {
				t.Errorf("pairs (-want +got):\n%s", diff)
			}
			if diff := gocmp.Diff(tc.unmatched, unmatched(r)); diff != "" {
				t.Errorf("unmatched (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMatchExplains(t *testing.T) {
	r := allocation.Match([]allocation.Candidate{family(42, allocation.NeedLaptop, 3, 3), family(43, allocation.NeedDesktop, 0, 4)},
		[]allocation.Offer{laptop("K7M2Q9X", 8, 256, "B")})
	if len(r.Proposals) != 1 || len(r.Unmatched) != 1 {
		t.Fatalf("result %+v", r)
	}
	want := "Famille F-2026-0042 : en attente depuis le 3 mars 2026, 3 enfants scolarisés ; portable Lenovo T480 (8 Go de mémoire, 256 Go de stockage), le plus petit qui couvre un besoin d'au moins 8 Go."
	if r.Proposals[0].Reason != want {
		t.Errorf("reason\n got %q\nwant %q", r.Proposals[0].Reason, want)
	}
	if got := r.Unmatched[0].Reason; !strings.Contains(got, "F-2026-0043") || !strings.Contains(got, "ordinateur fixe") {
		t.Errorf("unmatched reason %q", got)
	}
	if strings.Count(r.Proposals[0].Reason, ".") != 1 {
		t.Errorf("not one sentence: %q", r.Proposals[0].Reason)
	}
}

// reference is the obvious quadratic matching the fast one must equal.
func reference(families []allocation.Candidate, units []allocation.Offer) []string {
	fs := slices.Clone(families)
	slices.SortFunc(fs, func(a, b allocation.Candidate) int {
		return cmp.Or(a.WaitingSince.Compare(b.WaitingSince), cmp.Compare(b.SchoolChildren, a.SchoolChildren), cmp.Compare(a.HouseholdID, b.HouseholdID))
	})
	grade := map[inventory.Grade]int{"C": 1, "B": 2, "A": 3}
	used := make([]bool, len(units))
	var out []string
	for _, f := range fs {
		best := -1
		for i, u := range units {
			okKind := false
			switch f.Need {
			case allocation.NeedLaptop:
				okKind = u.Kind == inventory.KindLaptop
			case allocation.NeedDesktop:
				okKind = u.Kind == inventory.KindDesktop || u.Kind == inventory.KindAllInOne
			default:
				okKind = u.Kind == inventory.KindLaptop || u.Kind == inventory.KindDesktop || u.Kind == inventory.KindAllInOne
			}
			if used[i] || !okKind || u.RAMGB < allocation.MinRAMGB(f.SchoolChildren) || u.StorageGB < allocation.MinStorageGB {
				continue
			}
			if best < 0 {
				best = i
				continue
			}
			b := units[best]
			if c := cmp.Or(cmp.Compare(u.RAMGB, b.RAMGB), cmp.Compare(u.StorageGB, b.StorageGB), cmp.Compare(grade[u.Grade], grade[b.Grade]), cmp.Compare(u.Code, b.Code)); c < 0 {
				best = i
			}
		}
		if best >= 0 {
			used[best] = true
			out = append(out, fmt.Sprintf("%d→%s", f.HouseholdID, units[best].Code))
		}
	}
	return out
}

func randomInput(r *rand.Rand, nf, nu int) ([]allocation.Candidate, []allocation.Offer) {
	needs := allocation.Needs()
	kinds := inventory.Kinds()
	rams := []int{2, 4, 4, 8, 8, 8, 16, 32}
	storages := []int{32, 64, 128, 256, 256, 500, 1000}
	grades := []inventory.Grade{"A", "B", "C", ""}
	fs := make([]allocation.Candidate, nf)
	for i := range fs {
		fs[i] = allocation.Candidate{HouseholdID: int64(i + 1), Reference: fmt.Sprintf("F-2026-%04d", i+1), Need: needs[r.IntN(len(needs))],
			SchoolChildren: r.IntN(5), WaitingSince: day(1).Add(time.Duration(r.IntN(2000)) * time.Hour)}
	}
	us := make([]allocation.Offer, nu)
	for i := range us {
		us[i] = allocation.Offer{Code: inventory.Code(fmt.Sprintf("U%06d", i)), Kind: kinds[r.IntN(len(kinds))], RAMGB: rams[r.IntN(len(rams))],
			StorageGB: storages[r.IntN(len(storages))], Grade: grades[r.IntN(len(grades))]}
	}
	return fs, us
}

// TestMatchEqualsReference checks, on random inputs, that the fast
// algorithm gives exactly the reference's pairs, never uses a unit twice and
// always respects the need.
func TestMatchEqualsReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 300; round++ {
		fs, us := randomInput(r, r.IntN(60), r.IntN(60))
		got := allocation.Match(fs, us)
		if diff := gocmp.Diff(reference(fs, us), pairs(got)); diff != "" {
			t.Fatalf("round %d: fast and reference differ (-ref +fast):\n%s", round, diff)
		}
		seen := map[inventory.Code]bool{}
		for _, p := range got.Proposals {
			if seen[p.UnitCode] {
				t.Fatalf("unit %s proposed twice", p.UnitCode)
			}
			seen[p.UnitCode] = true
		}
		if len(got.Proposals)+len(got.Unmatched) != len(fs) {
			t.Fatalf("%d proposals + %d unmatched for %d families", len(got.Proposals), len(got.Unmatched), len(fs))
		}
	}
}

// BenchmarkMatch10kx10k is DESIGN §7's matching bar: 10,000 families ×
// 10,000 units in ≤ 100 ms and ≤ 50 MB allocated.
func BenchmarkMatch10kx10k(b *testing.B) {
	fs, us := randomInput(rand.New(rand.NewPCG(3, 4)), 10_000, 10_000)
	b.Cleanup(ordi.ServeGC(os.Getenv)) // as `ordi serve` runs
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		allocation.Match(fs, us)
	}
}
