package inventory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/inventory/hwreport"
	"gorm.io/gorm"
)

// RecordErasure records one drive's sanitisation. Its NIST category must be
// one the method achieves on the medium (AllowedCategories); the medium is
// the unit's storage kind unless the input names another (a second drive). A failed record is kept
// (it is part of the history) but does not satisfy the guards. The unit must
// be at the workshop (Status.Erasable). When the input says which version of
// the unit the person saw, a unit that changed since is a Conflict carrying
// it as it now is. A record changes what the unit is (sanitised or not), so
// it bumps the unit's version: a second record made on a stale page, which
// could undo the first, is refused in turn. A workbench may record one
// (ordi.Intake).
func (s *Service) RecordErasure(ctx context.Context, actor ordi.Actor, code string, n NewErasure) (Erasure, error) {
	if err := actor.Require(ordi.Intake, refuseErasure); err != nil {
		return Erasure{}, err
	}
	c, err := ParseCode(code)
	if err != nil {
		return Erasure{}, err
	}
	now := s.now()
	var e Erasure
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := findUnit(tx, c)
		if err != nil {
			return err
		}
		if n.Medium == "" {
			n.Medium = MediumOf(u.StorageKind)
		}
		if err := n.validate(now); err != nil {
			return err
		}
		if err := checkView(u, n.Version, ""); err != nil {
			return err
		}
		if !u.Status.Erasable() {
			return &ordi.Error{Kind: ordi.Conflict, Message: erasureRefusal(u.Status)}
		}
		res := tx.Model(&Unit{}).Where("id = ? AND status = ? AND version = ?", u.ID, u.Status, u.Version).
			Updates(map[string]any{"version": gorm.Expr("version + 1"), "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("erasure on unit %s: %w", c, res.Error)
		}
		if res.RowsAffected == 0 {
			current, err := findUnit(tx, c)
			if err != nil {
				return err
			}
			return changedSince(current)
		}
		e = Erasure{UnitID: u.ID, Category: n.Category, Method: n.Method, Medium: n.Medium, Technique: n.Technique, Tool: n.Tool, DriveSerial: n.DriveSerial,
			DriveModel: n.DriveModel, Result: n.Result, StartedAt: utcPtr(n.StartedAt), FinishedAt: utcPtr(n.FinishedAt),
			OperatorID: actorID(actor), OperatorName: actor.Name, CreatedAt: now}
		// A typed serial that is one of the unit's drives points at it.
		if serial := hwreport.NormalizeSerial(e.DriveSerial); serial != "" {
			var d Drive
			err := tx.Select("id").Where("unit_id = ? AND serial = ?", u.ID, serial).Take(&d).Error
			switch {
			case err == nil:
				e.DriveID = &d.ID
			case !errors.Is(err, gorm.ErrRecordNotFound):
				return fmt.Errorf("find drive: %w", err)
			}
		}
		if err := tx.Create(&e).Error; err != nil {
			return fmt.Errorf("insert erasure: %w", err)
		}
		action := ActionErasurePassed
		if e.Result != ErasurePassed {
			action = ActionErasureFailed
		}
		data, _ := json.Marshal(map[string]any{"erasure_id": e.ID, "category": e.Category, "method": e.Method, "medium": e.Medium, "drive_serial": e.DriveSerial})
		return tx.Create(&Event{UnitID: u.ID, At: now, ActorID: actorID(actor), ActorName: actor.Name, Action: action,
			FromStatus: u.Status, ToStatus: u.Status, Note: e.Technique, Data: string(data)}).Error
	})
	if err != nil {
		return Erasure{}, err
	}
	return e, nil
}

// Erasures returns the erasure records of units, oldest first.
func (s *Service) Erasures(ctx context.Context, actor ordi.Actor, unitIDs ...int64) ([]Erasure, error) {
	if err := actor.Require(ordi.ReadUnits, refuseRead); err != nil {
		return nil, err
	}
	if len(unitIDs) == 0 {
		return nil, nil
	}
	var out []Erasure
	if err := s.db.WithContext(ctx).Where("unit_id IN ?", unitIDs).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list erasures: %w", err)
	}
	return out, nil
}
