package inventory

import (
	"context"
	"fmt"

	"github.com/ordi-app/ordi"
)

// ExportBatch is how many rows an export reads at a time: the rows of one
// batch are written out before the next is read, so an export of any size
// holds one batch in memory.
const ExportBatch = 1000

// EachUnit passes every unit f selects, newest first, to fn, one batch at a
// time (keyset pagination on the id; f.Before and f.Limit are ignored). It
// stops at fn's first error. It is what the list exports stream.
func (s *Service) EachUnit(ctx context.Context, actor ordi.Actor, f UnitFilter, fn func([]Unit) error) error {
	if err := actor.Require(ordi.ReadUnits, refuseRead); err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return err
	}
	f.Before = 0
	for {
		var batch []Unit
		if err := s.unitQuery(ctx, f).Order("id DESC").Limit(ExportBatch).Find(&batch).Error; err != nil {
			return fmt.Errorf("export units: %w", err)
		}
		if len(batch) == 0 {
			return nil
		}
		if err := fn(batch); err != nil {
			return err
		}
		if len(batch) < ExportBatch {
			return nil
		}
		f.Before = batch[len(batch)-1].ID
	}
}

// EachDonation passes every donation f selects, newest first, with its
// donor's name and number of units, to fn, one batch at a time (f.Before
// and f.Limit are ignored).
func (s *Service) EachDonation(ctx context.Context, actor ordi.Actor, f DonationFilter, fn func([]DonationSummary) error) error {
	if err := actor.Require(ordi.ReadUnits, refuseRead); err != nil {
		return err
	}
	f.Before, f.Limit = 0, ExportBatch
	for {
		var batch []DonationSummary
		if err := s.donationQuery(ctx, f).Order("donations.id DESC").Limit(ExportBatch).Scan(&batch).Error; err != nil {
			return fmt.Errorf("export donations: %w", err)
		}
		if len(batch) == 0 {
			return nil
		}
		if err := fn(batch); err != nil {
			return err
		}
		if len(batch) < ExportBatch {
			return nil
		}
		f.Before = batch[len(batch)-1].ID
	}
}
