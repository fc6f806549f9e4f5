package allocation

import (
	"context"
	"fmt"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/inventory"
)

// ProposalSet is the outcome of Proposals: matching's pairs and the
// families no unit fits.
type ProposalSet struct {
	Proposals []Proposal  `json:"proposals"`
	Unmatched []Unmatched `json:"unmatched"`
}

// Proposals pairs every trained family without a unit with the ready units
// (staff). It changes nothing.
func (s *Service) Proposals(ctx context.Context, a ordi.Actor) (ProposalSet, error) {
	if err := a.Require(ordi.Allocate, "Les propositions sont réservées à l'équipe."); err != nil {
		return ProposalSet{}, err
	}
	db := s.db.WithContext(ctx)
	var families []Household
	if err := db.Select("id", "reference", "need", "school_children", "trained_at", "created_at").
		Where("status = ?", StatusTrained).Find(&families).Error; err != nil {
		return ProposalSet{}, fmt.Errorf("trained households: %w", err)
	}
	var units []Offer
	if err := db.Table("units").Select("code, kind, brand, model, ram_gb, storage_gb, storage_kind, grade").
		Where("status = ?", inventory.StatusReady).Scan(&units).Error; err != nil {
		return ProposalSet{}, fmt.Errorf("ready units: %w", err)
	}
	candidates := make([]Candidate, len(families))
	for i, h := range families {
		candidates[i] = Candidate{HouseholdID: h.ID, Reference: h.Reference, Need: h.Need, SchoolChildren: h.SchoolChildren, WaitingSince: h.WaitingSince()}
	}
	r := Match(candidates, units)
	return ProposalSet{Proposals: r.Proposals, Unmatched: r.Unmatched}, nil
}
