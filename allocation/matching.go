package allocation

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ordi-app/ordi/inventory"
)

// Candidate is a trained family without a unit, as matching sees it.
type Candidate struct {
	HouseholdID    int64
	Reference      string
	Need           Need
	SchoolChildren int
	WaitingSince   time.Time
}

// Offer is a ready unit, as matching sees it.
type Offer struct {
	Code        inventory.Code
	Kind        inventory.Kind
	Brand       string
	Model       string
	RAMGB       int `gorm:"column:ram_gb"`
	StorageGB   int `gorm:"column:storage_gb"`
	StorageKind inventory.StorageKind
	Grade       inventory.Grade
}

// Proposal pairs a family with a unit and says why in one French sentence.
type Proposal struct {
	HouseholdID int64          `json:"household_id"`
	Reference   string         `json:"household_reference"`
	UnitCode    inventory.Code `json:"unit_code"`
	Reason      string         `json:"reason"`
}

// Unmatched is a family no ready unit fits, and why.
type Unmatched struct {
	HouseholdID int64  `json:"household_id"`
	Reference   string `json:"household_reference"`
	Reason      string `json:"reason"`
}

// Result is the outcome of Match.
type Result struct {
	Proposals []Proposal
	Unmatched []Unmatched
}

// Adequacy: what a family needs at least. More children at school means
// more programs open at once (ENT, video lessons, homework), hence more
// memory; every machine needs room for a current system.
const (
	MinStorageGB      = 64
	baseRAMGB         = 4
	largeFamilyRAMGB  = 8
	largeFamilyPupils = 2
)

// MinRAMGB is the least memory a family with the given number of school
// children needs.
func MinRAMGB(schoolChildren int) int {
	if schoolChildren >= largeFamilyPupils {
		return largeFamilyRAMGB
	}
	return baseRAMGB
}

// tiers are the distinct MinRAMGB values, ascending.
var tiers = []int{baseRAMGB, largeFamilyRAMGB}

func tierOf(schoolChildren int) int {
	if MinRAMGB(schoolChildren) == largeFamilyRAMGB {
		return 1
	}
	return 0
}

// group is a family of unit kinds that answer a need.
type group int

const (
	groupLaptop  group = iota // laptops
	groupDesktop              // desktops and all-in-ones
	groupCount
)

func groupOf(k inventory.Kind) (group, bool) {
	switch k {
	case inventory.KindLaptop:
		return groupLaptop, true
	case inventory.KindDesktop, inventory.KindAllInOne:
		return groupDesktop, true
	}
	// Tablets, screens and other units are not a family's computer.
	return 0, false
}

func groupsFor(n Need) []group {
	switch n {
	case NeedLaptop:
		return []group{groupLaptop}
	case NeedDesktop:
		return []group{groupDesktop}
	}
	return []group{groupLaptop, groupDesktop}
}

// gradeRank orders grades from the plainest: C before B before A, so the
// best-looking machines stay for later.
func gradeRank(g inventory.Grade) int {
	switch g {
	case inventory.GradeC:
		return 1
	case inventory.GradeB:
		return 2
	case inventory.GradeA:
		return 3
	}
	return 0
}

// smaller is the preference order among adequate units: the smallest first
// (memory, then storage, then grade, then code for a stable answer), so the
// best machines remain for the largest needs.
func smaller(a, b *Offer) int {
	return cmp.Or(
		cmp.Compare(a.RAMGB, b.RAMGB),
		cmp.Compare(a.StorageGB, b.StorageGB),
		cmp.Compare(gradeRank(a.Grade), gradeRank(b.Grade)),
		cmp.Compare(a.Code, b.Code),
	)
}

// Match pairs trained families with ready units. Families are served in
// order of waiting time (longest first), then by number of school children
// (most first), then by ID; each takes the smallest adequate unit of a kind
// its need accepts. It changes nothing: the caller shows the proposals.
//
// Units are sorted once per kind group; for each (group, memory tier) a
// cursor walks that sorted list past units already taken or without enough
// storage, and never moves back, so the whole run is O(U log U + H log H).
func Match(families []Candidate, units []Offer) Result {
	order := make([]*Candidate, len(families))
	for i := range families {
		order[i] = &families[i]
	}
	slices.SortFunc(order, func(a, b *Candidate) int {
		return cmp.Or(
			a.WaitingSince.Compare(b.WaitingSince),
			cmp.Compare(b.SchoolChildren, a.SchoolChildren),
			cmp.Compare(a.HouseholdID, b.HouseholdID),
		)
	})

	var byGroup [groupCount][]*Offer
	for i := range units {
		if g, ok := groupOf(units[i].Kind); ok {
			byGroup[g] = append(byGroup[g], &units[i])
		}
	}
	taken := make(map[*Offer]bool, len(units))
	// cursor[g][t] is the first index of byGroup[g] that may still be the
	// smallest adequate unit for memory tier t.
	var cursor [groupCount][]int
	for g := range byGroup {
		slices.SortFunc(byGroup[g], smaller)
		cursor[g] = make([]int, len(tiers))
		for t, min := range tiers {
			cursor[g][t], _ = slices.BinarySearchFunc(byGroup[g], min, func(o *Offer, min int) int { return cmp.Compare(o.RAMGB, min) })
		}
	}
	head := func(g group, t int) *Offer {
		list := byGroup[g]
		i := cursor[g][t]
		for i < len(list) && (taken[list[i]] || list[i].StorageGB < MinStorageGB) {
			i++
		}
		cursor[g][t] = i
		if i == len(list) {
			return nil
		}
		return list[i]
	}

	res := Result{Proposals: []Proposal{}, Unmatched: []Unmatched{}}
	for _, f := range order {
		t := tierOf(f.SchoolChildren)
		var best *Offer
		for _, g := range groupsFor(f.Need) {
			if o := head(g, t); o != nil && (best == nil || smaller(o, best) < 0) {
				best = o
			}
		}
		if best == nil {
			res.Unmatched = append(res.Unmatched, Unmatched{HouseholdID: f.HouseholdID, Reference: f.Reference, Reason: unmatchedReason(f)})
			continue
		}
		taken[best] = true
		res.Proposals = append(res.Proposals, Proposal{HouseholdID: f.HouseholdID, Reference: f.Reference, UnitCode: best.Code, Reason: reason(f, best)})
	}
	return res
}

var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// FrenchDate writes a date as "3 mars 2026".
func FrenchDate(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), frenchMonths[t.Month()-1], t.Year())
}

func pupils(n int) string {
	switch n {
	case 0:
		return "pas d'enfant scolarisé"
	case 1:
		return "1 enfant scolarisé"
	}
	return fmt.Sprintf("%d enfants scolarisés", n)
}

func kindNoun(k inventory.Kind) string {
	switch k {
	case inventory.KindLaptop:
		return "portable"
	case inventory.KindDesktop:
		return "ordinateur fixe"
	case inventory.KindAllInOne:
		return "tout-en-un"
	}
	return strings.ToLower(k.Label())
}

func reason(f *Candidate, o *Offer) string {
	name := strings.TrimSpace(o.Brand + " " + o.Model)
	if name != "" {
		name = " " + name
	}
	return fmt.Sprintf("Famille %s : en attente depuis le %s, %s ; %s%s (%d Go de mémoire, %d Go de stockage), le plus petit qui couvre un besoin d'au moins %d Go.",
		f.Reference, FrenchDate(f.WaitingSince), pupils(f.SchoolChildren), kindNoun(o.Kind), name, o.RAMGB, o.StorageGB, MinRAMGB(f.SchoolChildren))
}

func unmatchedReason(f *Candidate) string {
	what := "ordinateur"
	switch f.Need {
	case NeedLaptop:
		what = "portable"
	case NeedDesktop:
		what = "ordinateur fixe ou tout-en-un"
	}
	return fmt.Sprintf("Famille %s : aucun %s prêt avec au moins %d Go de mémoire et %d Go de stockage.", f.Reference, what, MinRAMGB(f.SchoolChildren), MinStorageGB)
}
