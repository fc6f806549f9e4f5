package inventory

import (
	"context"
	"errors"
	"fmt"

	"github.com/ordi-app/ordi"
	"gorm.io/gorm"
)

const refuseOutlets = "Seule l'équipe de l'atelier gère les exutoires (éco-organismes, recycleurs, partenaires de réemploi)."

// duplicateOutlet is the answer to a name another outlet has (the unique
// index ignores case): two records of one recycler would split its lines in
// the register.
func duplicateOutlet() error {
	var v ordi.Validation
	v.Add("name", "Un exutoire porte déjà ce nom.")
	return v.Err()
}

// CreateOutlet registers an outlet.
func (s *Service) CreateOutlet(ctx context.Context, actor ordi.Actor, in OutletInput) (Outlet, error) {
	if err := actor.Require(ordi.ManageInventory, refuseOutlets); err != nil {
		return Outlet{}, err
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return Outlet{}, err
	}
	now := s.now()
	o := Outlet{Name: in.Name, Kind: in.Kind, SIRET: in.SIRET, Address: in.Address, Agreement: in.Agreement, Active: true, CreatedAt: now, UpdatedAt: now}
	if err := s.db.WithContext(ctx).Create(&o).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return Outlet{}, duplicateOutlet()
		}
		return Outlet{}, fmt.Errorf("insert outlet: %w", err)
	}
	return o, nil
}

// UpdateOutlet replaces an outlet's fields (and, when in.Active is set,
// whether units may still be sent to it). Units and documents that named it
// keep pointing at it.
func (s *Service) UpdateOutlet(ctx context.Context, actor ordi.Actor, id int64, in OutletInput) (Outlet, error) {
	if err := actor.Require(ordi.ManageInventory, refuseOutlets); err != nil {
		return Outlet{}, err
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return Outlet{}, err
	}
	var o Outlet
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if o, err = findOutlet(tx, id); err != nil {
			return err
		}
		o.Name, o.Kind, o.SIRET, o.Address, o.Agreement, o.UpdatedAt = in.Name, in.Kind, in.SIRET, in.Address, in.Agreement, s.now()
		if in.Active != nil {
			o.Active = *in.Active
		}
		err = tx.Model(&Outlet{}).Where("id = ?", id).Updates(map[string]any{
			"name": o.Name, "kind": o.Kind, "siret": o.SIRET, "address": o.Address, "agreement": o.Agreement,
			"active": o.Active, "updated_at": o.UpdatedAt}).Error
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return duplicateOutlet()
		}
		if err != nil {
			return fmt.Errorf("update outlet %d: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return Outlet{}, err
	}
	return o, nil
}

// Outlet returns an outlet.
func (s *Service) Outlet(ctx context.Context, actor ordi.Actor, id int64) (Outlet, error) {
	if err := actor.Require(ordi.ManageInventory, refuseOutlets); err != nil {
		return Outlet{}, err
	}
	return findOutlet(s.db.WithContext(ctx), id)
}

func findOutlet(tx *gorm.DB, id int64) (Outlet, error) {
	var o Outlet
	err := tx.Where("id = ?", id).Take(&o).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Outlet{}, ordi.Errorf(ordi.NotFound, "Exutoire introuvable.")
	}
	if err != nil {
		return Outlet{}, fmt.Errorf("find outlet %d: %w", id, err)
	}
	return o, nil
}

// OutletFilter selects outlets, by name.
type OutletFilter struct {
	ActiveOnly bool
	After      int64 // keyset cursor: outlets after this one in name order
	Limit      int
}

// Outlets lists outlets by name, for the outlets page, the
// API and the choice offered when a unit leaves.
func (s *Service) Outlets(ctx context.Context, actor ordi.Actor, f OutletFilter) ([]Outlet, error) {
	if err := actor.Require(ordi.ManageInventory, refuseOutlets); err != nil {
		return nil, err
	}
	q := s.db.WithContext(ctx).Model(&Outlet{})
	if f.ActiveOnly {
		q = q.Where("active = ?", true)
	}
	if f.After > 0 {
		last := s.db.WithContext(ctx).Model(&Outlet{}).Select("name").Where("id = ?", f.After)
		q = q.Where("name > (?) OR (name = (?) AND id > ?)", last, last, f.After)
	}
	var out []Outlet
	if err := q.Order("name, id").Limit(ordi.ListLimit(f.Limit)).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list outlets: %w", err)
	}
	return out, nil
}
