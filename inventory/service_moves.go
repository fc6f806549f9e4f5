package inventory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ordi-app/ordi"
	"gorm.io/gorm"
)

// facts gathers what the lifecycle guards need. Erasures count only when
// recorded after the unit last came back from a family (what the family
// stored since is not covered by an older one), and each drive's latest
// record must have passed: a unit with one wiped drive and one failed drive
// is not sanitised.
func facts(tx *gorm.DB, u Unit) (UnitFacts, error) {
	lastReturn := tx.Model(&Event{}).Select("COALESCE(MAX(id), 0)").
		Where("unit_id = ? AND to_status = ? AND from_status <> to_status", u.ID, StatusReturned)
	var records []Event
	err := tx.Model(&Event{}).
		Where("unit_id = ? AND action IN ? AND id > (?)", u.ID, []string{ActionErasurePassed, ActionErasureFailed}, lastReturn).
		Order("id").Limit(maxHistory).Find(&records).Error
	if err != nil {
		return UnitFacts{}, fmt.Errorf("erasure facts: %w", err)
	}
	latest := map[string]string{} // drive serial → latest action
	for _, e := range records {
		var d struct {
			DriveSerial string `json:"drive_serial"`
		}
		json.Unmarshal([]byte(e.Data), &d)
		latest[strings.ToUpper(d.DriveSerial)] = e.Action
	}
	passed := len(latest) > 0
	for _, action := range latest {
		passed = passed && action == ActionErasurePassed
	}
	return UnitFacts{Status: u.Status, HasStorage: u.HasStorage(), HasPassedErasure: passed}, nil
}

// Facts returns the unit's lifecycle facts, for pages that show next steps.
func (s *Service) Facts(ctx context.Context, actor ordi.Actor, u Unit) (UnitFacts, error) {
	if err := actor.Require(ordi.ReadUnits, refuseRead); err != nil {
		return UnitFacts{}, err
	}
	return facts(s.db.WithContext(ctx), u)
}

// Transition moves a unit to another status through the generic lifecycle
// (not reservations or handovers). When the input says what the person saw
// (Version, From), a unit that changed since is a Conflict carrying the unit
// as it now is: nobody undoes a move they never saw. The move itself is a
// conditional update on the status and version it was checked against: of
// two people moving the same unit at once, one wins and the other gets a
// Conflict, and the history holds one event.
func (s *Service) Transition(ctx context.Context, actor ordi.Actor, code string, to Status, in TransitionInput) (Unit, error) {
	if err := actor.Require(ordi.ManageInventory, refuseMove); err != nil {
		return Unit{}, err
	}
	c, err := ParseCode(code)
	if err != nil {
		return Unit{}, err
	}
	in = in.Clean()
	if err := checkViewInput(in.Version, in.From); err != nil {
		return Unit{}, err
	}
	var u Unit
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if u, err = findUnit(tx, c); err != nil {
			return err
		}
		if err := checkView(u, in.Version, in.From); err != nil {
			return err
		}
		f, err := facts(tx, u)
		if err != nil {
			return err
		}
		if err := CheckTransition(f, to, in); err != nil {
			return err
		}
		outlet, err := leavingOutlet(tx, to, in)
		if err != nil {
			return err
		}
		changes := map[string]any{}
		if outlet.ID > 0 {
			changes["outlet_id"], u.OutletID = outlet.ID, &outlet.ID
		}
		if to == StatusRecycled {
			name := in.Outlet
			if outlet.ID > 0 {
				name = outlet.Name
			}
			changes["outlet"], changes["outlet_reference"] = name, in.OutletReference
			u.Outlet, u.OutletReference = name, in.OutletReference
		}
		var data string
		if to == StatusRecycled || outlet.ID > 0 {
			d := map[string]any{}
			if outlet.ID > 0 {
				d["outlet_id"] = outlet.ID
			}
			if to == StatusRecycled {
				d["outlet"], d["outlet_reference"] = u.Outlet, in.OutletReference
			}
			b, _ := json.Marshal(d)
			data = string(b)
		}
		return s.move(tx, actor, &u, to, ActionTransition, in.Note, data, changes)
	})
	if err != nil {
		return Unit{}, err
	}
	return u, nil
}

// leavingOutlet is the outlet record a unit leaving for to goes to: the one
// in.OutletID names, which must exist and be active; for a move to recycled
// given the older free text only, the outlet of that name when there is one
// (none: the text alone is kept, as before outlets were records). The zero
// Outlet when none applies.
func leavingOutlet(tx *gorm.DB, to Status, in TransitionInput) (Outlet, error) {
	if to != StatusRecycled && to != StatusDismantled {
		return Outlet{}, nil
	}
	if in.OutletID > 0 {
		o, err := findOutlet(tx, in.OutletID)
		var v ordi.Validation
		switch {
		case errors.Is(err, ordi.NotFound):
			v.Add("outlet_id", "Exutoire inconnu.")
			return Outlet{}, v.Err()
		case err != nil:
			return Outlet{}, err
		case !o.Active:
			v.Addf("outlet_id", "L'exutoire « %s » n'est plus actif : choisissez-en un autre.", o.Name)
			return Outlet{}, v.Err()
		}
		return o, nil
	}
	if to != StatusRecycled || in.Outlet == "" {
		return Outlet{}, nil
	}
	var found []Outlet
	if err := tx.Where("LOWER(name) = LOWER(?) AND active = ?", in.Outlet, true).Limit(1).Find(&found).Error; err != nil {
		return Outlet{}, fmt.Errorf("outlet named %q: %w", in.Outlet, err)
	}
	if len(found) == 0 {
		return Outlet{}, nil
	}
	return found[0], nil
}

// checkViewInput refuses a view that cannot be one: a negative version, an
// unknown status.
func checkViewInput(version int, from Status) error {
	var v ordi.Validation
	if version < 0 {
		v.Add("version", "La version doit être un nombre positif : celle de la fiche que vous avez vue.")
	}
	if from != "" && !from.Valid() {
		v.Add("from", "Statut inconnu.")
	}
	return v.Err()
}

// checkView refuses an action decided on a stale view of the unit: the
// version or status the person saw, when given, must still be the unit's.
func checkView(u Unit, version int, from Status) error {
	if (version != 0 && version != u.Version) || (from != "" && from != u.Status) {
		return changedSince(u)
	}
	return nil
}

// changedSince is the Conflict of an action on a unit that changed since the
// person saw it: it says what the unit now is and carries it in
// Extra["current"].
func changedSince(current Unit) error {
	return &ordi.Error{
		Kind: ordi.Conflict,
		Message: fmt.Sprintf("Cette unité a changé depuis que vous l'avez affichée : elle est maintenant « %s ». Vérifiez, puis recommencez si besoin.",
			current.Status.Label()),
		Extra: map[string]any{"current": current},
	}
}

// move performs a status change decided by the caller: the conditional
// update on the status and version the decision read, and its event.
func (s *Service) move(tx *gorm.DB, actor ordi.Actor, u *Unit, to Status, action, note, data string, changes map[string]any) error {
	now := s.now()
	changes["status"], changes["version"], changes["updated_at"] = to, gorm.Expr("version + 1"), now
	res := tx.Model(&Unit{}).Where("id = ? AND status = ? AND version = ?", u.ID, u.Status, u.Version).Updates(changes)
	if res.Error != nil {
		return fmt.Errorf("move unit %s: %w", u.Code, res.Error)
	}
	if res.RowsAffected == 0 {
		current, err := findUnit(tx, u.Code)
		if err != nil {
			return err
		}
		return changedSince(current)
	}
	from := u.Status
	u.Status, u.Version, u.UpdatedAt = to, u.Version+1, now
	ev := Event{UnitID: u.ID, At: now, ActorID: actorID(actor), ActorName: actor.Name, Action: action, FromStatus: from, ToStatus: to, Note: note, Data: data}
	if err := tx.Create(&ev).Error; err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	return nil
}

// MoveForAllocation performs an allocation operation's move (reserve,
// cancel, handover) on a unit, inside the caller's transaction (use WithTx).
// The table decides the statuses; the database settles races.
func (s *Service) MoveForAllocation(ctx context.Context, actor ordi.Actor, code Code, op Allocation, note string) (Unit, error) {
	if err := requireAllocation(actor, op); err != nil {
		return Unit{}, err
	}
	db := s.db.WithContext(ctx)
	u, err := findUnit(db, code)
	if err != nil {
		return Unit{}, err
	}
	f, err := facts(db, u)
	if err != nil {
		return Unit{}, err
	}
	if err := CheckAllocation(f, op); err != nil {
		return Unit{}, err
	}
	t, _ := AllocationTransition(op)
	data, _ := json.Marshal(map[string]string{"operation": string(op)})
	if err := s.move(db, actor, &u, t.To, ActionAllocationMove, note, string(data), map[string]any{}); err != nil {
		return Unit{}, err
	}
	return u, nil
}

// CheckTransition tells, without changing anything, whether the generic
// transition would be accepted now: the scan page's "allowed?" answer. Like
// Transition, it refuses a move decided on a stale view (in.Version,
// in.From), and returns the unit it judged.
func (s *Service) CheckTransition(ctx context.Context, actor ordi.Actor, code string, to Status, in TransitionInput) (Unit, error) {
	if err := actor.Require(ordi.ManageInventory, refuseMove); err != nil {
		return Unit{}, err
	}
	in = in.Clean()
	if err := checkViewInput(in.Version, in.From); err != nil {
		return Unit{}, err
	}
	u, err := s.Unit(ctx, actor, code)
	if err != nil {
		return Unit{}, err
	}
	if err := checkView(u, in.Version, in.From); err != nil {
		return u, err
	}
	f, err := facts(s.db.WithContext(ctx), u)
	if err != nil {
		return Unit{}, err
	}
	return u, CheckTransition(f, to, in)
}

// lastEvent is the unit's latest event, label prints aside (printing a
// label changes nothing an undo depends on).
func lastEvent(tx *gorm.DB, u Unit) (Event, error) {
	var e Event
	err := tx.Where("unit_id = ? AND action <> ?", u.ID, ActionLabelPrinted).Order("id DESC").Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Event{}, nil // no history: nothing to undo
	}
	if err != nil {
		return Event{}, fmt.Errorf("last event of %s: %w", u.Code, err)
	}
	return e, nil
}

// UndoableMove returns the unit's last move when it may be undone (see
// CheckUndo), for the unit page's "annuler" button; ok is false otherwise,
// and for a reader who may not move units.
func (s *Service) UndoableMove(ctx context.Context, actor ordi.Actor, u Unit) (last Event, ok bool, err error) {
	if err := actor.Require(ordi.ReadUnits, refuseRead); err != nil {
		return Event{}, false, err
	}
	if !actor.Can(ordi.ManageInventory) {
		return Event{}, false, nil // a reader is offered no undo
	}
	if last, err = lastEvent(s.db.WithContext(ctx), u); err != nil {
		return Event{}, false, err
	}
	return last, CheckUndo(last) == nil, nil
}

// UndoMove undoes the unit's last move when CheckUndo allows it: the unit
// goes back to the status it left, and an ActionUndo event records it (the
// undone event stays in the history). version is the unit's version the
// person saw (0: not checked): an undo decided on a stale page is refused.
// The move back is the same conditional update as any move.
func (s *Service) UndoMove(ctx context.Context, actor ordi.Actor, code string, version int) (Unit, error) {
	if err := actor.Require(ordi.ManageInventory, refuseMove); err != nil {
		return Unit{}, err
	}
	c, err := ParseCode(code)
	if err != nil {
		return Unit{}, err
	}
	if err := checkViewInput(version, ""); err != nil {
		return Unit{}, err
	}
	var u Unit
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if u, err = findUnit(tx, c); err != nil {
			return err
		}
		if err := checkView(u, version, ""); err != nil {
			return err
		}
		last, err := lastEvent(tx, u)
		if err != nil {
			return err
		}
		if err := CheckUndo(last); err != nil {
			return err
		}
		if last.ToStatus != u.Status {
			return fmt.Errorf("inventory: unit %s is %s but its last move went to %s", u.Code, u.Status, last.ToStatus)
		}
		b, _ := json.Marshal(map[string]int64{"undone_event": last.ID})
		return s.move(tx, actor, &u, last.FromStatus, ActionUndo, "", string(b), map[string]any{})
	})
	if err != nil {
		return Unit{}, err
	}
	return u, nil
}
