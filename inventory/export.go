package inventory

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ordi-app/ordi"
)

// ExportBatch is how many rows an export reads at a time: the rows of one
// batch are written out before the next is read, so an export of any size
// holds one batch in memory.
const ExportBatch = 1000

// exportedUnitColumns are the columns EachUnit reads: what a list shows,
// not the notes, the outlet or the search text.
var exportedUnitColumns = []string{"id", "code", "donation_id", "kind", "brand", "model", "serial_number", "cpu", "ram_gb",
	"storage_gb", "storage_kind", "screen_inches", "weight_kg", "grade", "os", "status", "label_printed_at", "created_at"}

// EachUnit passes every unit f selects, newest first, to fn, one batch at a
// time (keyset pagination on the id; f.Before and f.Limit are ignored); the
// batch is reused, so fn must not keep it. It stops at fn's first error. It is what the list exports stream; the units
// it passes carry exportedUnitColumns only (Notes, Outlet, OutletReference,
// Version and UpdatedAt are left zero).
func (s *Service) EachUnit(ctx context.Context, actor ordi.Actor, f UnitFilter, fn func([]Unit) error) error {
	if err := actor.Require(ordi.ReadUnits, refuseRead); err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return err
	}
	f.Before = 0
	batch := make([]Unit, 0, ExportBatch)
	for {
		batch = batch[:0]
		// Scanned by hand, not by GORM's reflection: half the cost per row.
		rows, err := s.unitQuery(ctx, f).Select(exportedUnitColumns).Order("id DESC").Limit(ExportBatch).Rows()
		if err != nil {
			return fmt.Errorf("export units: %w", err)
		}
		for rows.Next() {
			var u Unit
			var screen, weight sql.NullFloat64
			var printed sql.NullTime
			if err := rows.Scan(&u.ID, &u.Code, &u.DonationID, &u.Kind, &u.Brand, &u.Model, &u.SerialNumber, &u.CPU, &u.RAMGB,
				&u.StorageGB, &u.StorageKind, &screen, &weight, &u.Grade, &u.OS, &u.Status, &printed, &u.CreatedAt); err != nil {
				rows.Close()
				return fmt.Errorf("export units: %w", err)
			}
			if screen.Valid {
				u.ScreenInches = &screen.Float64
			}
			if weight.Valid {
				u.WeightKG = &weight.Float64
			}
			if printed.Valid {
				u.LabelPrintedAt = &printed.Time
			}
			batch = append(batch, u)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
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
