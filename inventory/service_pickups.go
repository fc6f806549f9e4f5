package inventory

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/numbering"
	"gorm.io/gorm"
)

const refusePickups = "Seule l'équipe de l'atelier enregistre et consulte les enlèvements."

// PickupSeries is the numbering series of pickups: ENL-YYYY-NNNN.
const PickupSeries = "ENL"

// CreatePickup records a pickup: its units (dismantled or recycled, each in
// no other pickup) and weighed flows, numbered ENL-YYYY-NNNN in the same
// transaction. Of two pickups claiming one unit at once, the unique index on
// pickup_units.unit_id lets one through and the other is a Conflict naming
// the unit; nothing of the refused one remains, its number included.
func (s *Service) CreatePickup(ctx context.Context, actor ordi.Actor, n NewPickup) (Pickup, error) {
	if err := actor.Require(ordi.ManageInventory, refusePickups); err != nil {
		return Pickup{}, err
	}
	today := s.today()
	pickedOn, codes, err := n.validate(today)
	if err != nil {
		return Pickup{}, err
	}
	now := s.now()
	p := Pickup{PickedOn: pickedOn, OutletID: n.OutletID, Carrier: n.Carrier, CarrierSIRET: n.CarrierSIRET, Note: n.Note,
		CreatedByID: actorID(actor), CreatedByName: actor.Name, CreatedAt: now}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		o, err := findOutlet(tx, n.OutletID)
		var v ordi.Validation
		switch {
		case errors.Is(err, ordi.NotFound):
			v.Add("outlet_id", "Exutoire inconnu.")
			return v.Err()
		case err != nil:
			return err
		case !o.Active:
			v.Addf("outlet_id", "L'exutoire « %s » n'est plus actif : choisissez-en un autre.", o.Name)
			return v.Err()
		}
		var units []Unit
		if len(codes) > 0 {
			if err := tx.Where("code IN ?", codes).Find(&units).Error; err != nil {
				return fmt.Errorf("pickup units: %w", err)
			}
		}
		byCode := map[Code]Unit{}
		for _, u := range units {
			byCode[u.Code] = u
		}
		for _, c := range codes {
			u, ok := byCode[c]
			switch {
			case !ok:
				v.Addf("units", "Unité %s inconnue.", c)
			case u.Status != StatusDismantled && u.Status != StatusRecycled:
				v.Addf("units", "L'unité %s est « %s » : seule une unité démantelée ou recyclée part dans un enlèvement.", c, u.Status.Label())
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		seq, err := numbering.Next(tx, PickupSeries, pickedOn.Year())
		if err != nil {
			return err
		}
		p.Number = numbering.Format(PickupSeries, pickedOn.Year(), seq)
		if err := tx.Create(&p).Error; err != nil {
			return fmt.Errorf("insert pickup: %w", err)
		}
		for _, c := range codes {
			u := byCode[c]
			pu := PickupUnit{PickupID: p.ID, UnitID: u.ID, Code: u.Code, Kind: u.Kind, Status: u.Status, WeightKG: u.WeightKG}
			if err := tx.Create(&pu).Error; err != nil {
				if errors.Is(err, gorm.ErrDuplicatedKey) {
					return s.alreadyPickedUp(u)
				}
				return fmt.Errorf("pickup unit %s: %w", c, err)
			}
			p.Units = append(p.Units, pu)
			ev := Event{UnitID: u.ID, At: now, ActorID: actorID(actor), ActorName: actor.Name, Action: ActionPickedUp,
				FromStatus: u.Status, ToStatus: u.Status, Note: p.Number, Data: `{"pickup":"` + p.Number + `"}`}
			if err := tx.Create(&ev).Error; err != nil {
				return fmt.Errorf("insert event: %w", err)
			}
		}
		for _, f := range n.Flows {
			pf := PickupFlow{PickupID: p.ID, Flow: f.Flow, WeightKG: f.WeightKG}
			if err := tx.Create(&pf).Error; err != nil {
				return fmt.Errorf("pickup flow %s: %w", f.Flow, err)
			}
			p.Flows = append(p.Flows, pf)
		}
		return nil
	})
	if err != nil {
		return Pickup{}, err
	}
	return p, nil
}

// alreadyPickedUp is the Conflict of a unit another pickup took.
func (s *Service) alreadyPickedUp(u Unit) error {
	return &ordi.Error{Kind: ordi.Conflict,
		Message: fmt.Sprintf("L'unité %s fait déjà partie d'un autre enlèvement : une unité ne part qu'une fois.", u.Code),
		Extra:   map[string]any{"unit": string(u.Code)}}
}

// Pickup returns a pickup by its number, with its units and flows.
func (s *Service) Pickup(ctx context.Context, actor ordi.Actor, number string) (Pickup, error) {
	if err := actor.Require(ordi.ManageInventory, refusePickups); err != nil {
		return Pickup{}, err
	}
	db := s.db.WithContext(ctx)
	var p Pickup
	err := db.Where("number = ?", strings.ToUpper(strings.TrimSpace(number))).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Pickup{}, ordi.Errorf(ordi.NotFound, "Enlèvement introuvable.")
	}
	if err != nil {
		return Pickup{}, fmt.Errorf("find pickup %s: %w", number, err)
	}
	var rows []struct {
		UnitID   int64
		WeightKG *float64 `gorm:"column:weight_kg"`
		Code     Code
		Kind     Kind
		Status   Status
	}
	err = db.Table("pickup_units").Select("pickup_units.unit_id, pickup_units.weight_kg, units.code, units.kind, units.status").
		Joins("JOIN units ON units.id = pickup_units.unit_id").Where("pickup_units.pickup_id = ?", p.ID).Order("units.code").Scan(&rows).Error
	if err != nil {
		return Pickup{}, fmt.Errorf("units of pickup %s: %w", p.Number, err)
	}
	p.Units = make([]PickupUnit, len(rows))
	for i, r := range rows {
		p.Units[i] = PickupUnit{PickupID: p.ID, UnitID: r.UnitID, Code: r.Code, Kind: r.Kind, Status: r.Status, WeightKG: r.WeightKG}
	}
	p.Flows = []PickupFlow{}
	if err := db.Where("pickup_id = ?", p.ID).Order("flow").Find(&p.Flows).Error; err != nil {
		return Pickup{}, fmt.Errorf("flows of pickup %s: %w", p.Number, err)
	}
	return p, nil
}

// PickupFilter selects pickups, newest first.
type PickupFilter struct {
	Before int64 // keyset cursor: pickups with a smaller id
	Limit  int
}

// Pickups lists pickups newest first, without their units and flows.
func (s *Service) Pickups(ctx context.Context, actor ordi.Actor, f PickupFilter) ([]Pickup, error) {
	if err := actor.Require(ordi.ManageInventory, refusePickups); err != nil {
		return nil, err
	}
	q := s.db.WithContext(ctx).Model(&Pickup{})
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	var out []Pickup
	if err := q.Order("id DESC").Limit(ordi.ListLimit(f.Limit)).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list pickups: %w", err)
	}
	return out, nil
}
