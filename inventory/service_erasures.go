package inventory

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ordi-app/ordi"
	"gorm.io/gorm"
)

// erasableStatuses are the statuses in which a unit is in the workshop and
// its drives can be erased.
func erasable(s Status) bool {
	switch s {
	case StatusHandedOver, StatusReserved, StatusRecycled:
		return false
	}
	return true
}

// RecordErasure records one drive's sanitisation. A failed record is kept
// (it is part of the history) but does not satisfy the guards.
func (s *Service) RecordErasure(ctx context.Context, actor ordi.Actor, code string, n NewErasure) (Erasure, error) {
	c, err := ParseCode(code)
	if err != nil {
		return Erasure{}, err
	}
	now := s.now()
	if err := n.validate(now); err != nil {
		return Erasure{}, err
	}
	var e Erasure
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := findUnit(tx, c)
		if err != nil {
			return err
		}
		if !erasable(u.Status) {
			return ordi.Errorf(ordi.Conflict, "L'unité est « %s » : elle n'est pas à l'atelier, aucun effacement ne peut y être enregistré.", u.Status.Label())
		}
		e = Erasure{UnitID: u.ID, Category: n.Category, Technique: n.Technique, Tool: n.Tool, DriveSerial: n.DriveSerial,
			DriveModel: n.DriveModel, Result: n.Result, StartedAt: utcPtr(n.StartedAt), FinishedAt: utcPtr(n.FinishedAt),
			OperatorID: actorID(actor), OperatorName: actor.Name, CreatedAt: now}
		if err := tx.Create(&e).Error; err != nil {
			return fmt.Errorf("insert erasure: %w", err)
		}
		action := ActionErasurePassed
		if e.Result != ErasurePassed {
			action = ActionErasureFailed
		}
		data, _ := json.Marshal(map[string]any{"erasure_id": e.ID, "category": e.Category, "drive_serial": e.DriveSerial})
		return tx.Create(&Event{UnitID: u.ID, At: now, ActorID: actorID(actor), ActorName: actor.Name, Action: action,
			FromStatus: u.Status, ToStatus: u.Status, Note: e.Technique, Data: string(data)}).Error
	})
	if err != nil {
		return Erasure{}, err
	}
	return e, nil
}

// Erasures returns the erasure records of units, oldest first.
func (s *Service) Erasures(ctx context.Context, unitIDs ...int64) ([]Erasure, error) {
	if len(unitIDs) == 0 {
		return nil, nil
	}
	var out []Erasure
	if err := s.db.WithContext(ctx).Where("unit_id IN ?", unitIDs).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list erasures: %w", err)
	}
	return out, nil
}
