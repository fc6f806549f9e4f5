package aftercare

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/audit"
)

// refuseTickets is the answer to a role that does not handle tickets.
const refuseTickets = "Les signalements sont traités par l'équipe de l'atelier."

// Filter selects tickets, newest first; zero fields match everything but
// Open, which keeps the tickets not closed.
type Filter struct {
	Status Status
	Open   bool
	UnitID int64
	Before int64 // keyset cursor: tickets with a smaller id
	Limit  int
}

// views selects tickets with their unit and family's reference, partner and
// social worker (View): one query per list.
func views(db *gorm.DB) *gorm.DB {
	return db.Table("tickets").Select(`tickets.*, units.code AS unit_code, units.kind AS unit_kind,
		TRIM(COALESCE(units.brand, '') || ' ' || COALESCE(units.model, '')) AS unit_title, COALESCE(households.reference, '') AS household_reference,
		COALESCE(partners.name, '') AS partner_name, COALESCE(users.name, '') AS social_worker_name`).
		Joins("JOIN units ON units.id = tickets.unit_id").
		Joins("LEFT JOIN households ON households.id = tickets.household_id").
		Joins("LEFT JOIN partners ON partners.id = households.partner_id").
		Joins("LEFT JOIN users ON users.id = households.social_worker_id")
}

// forRole keeps of the family what the actor may see: its reference,
// partner and social worker for those who read families' files.
func forRole(a ordi.Actor, v View) View {
	v.FamilyID = v.HouseholdID
	if !a.Can(ordi.ReadHouseholds) {
		v.FamilyID, v.HouseholdReference, v.PartnerName, v.SocialWorkerName = nil, "", "", ""
	}
	return v
}

// Tickets lists tickets (staff).
func (s *Service) Tickets(ctx context.Context, a ordi.Actor, f Filter) ([]View, error) {
	if err := a.Require(ordi.ManageInventory, refuseTickets); err != nil {
		return nil, err
	}
	if f.Status != "" && !f.Status.Valid() {
		return nil, ordi.Errorf(ordi.Invalid, "Statut de signalement inconnu.")
	}
	q := views(s.db.WithContext(ctx))
	if f.Status != "" {
		q = q.Where("tickets.status = ?", f.Status)
	}
	if f.Open {
		q = q.Where("tickets.status <> ?", StatusClosed)
	}
	if f.UnitID > 0 {
		q = q.Where("tickets.unit_id = ?", f.UnitID)
	}
	if f.Before > 0 {
		q = q.Where("tickets.id < ?", f.Before)
	}
	var out []View
	if err := q.Order("tickets.id DESC").Limit(ordi.ListLimit(f.Limit)).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	for i := range out {
		out[i] = forRole(a, out[i])
	}
	return out, nil
}

func ticketNotFound() error { return ordi.Errorf(ordi.NotFound, "Signalement introuvable.") }

// Ticket returns a ticket and its history, oldest first (staff).
func (s *Service) Ticket(ctx context.Context, a ordi.Actor, id int64) (View, []Event, error) {
	if err := a.Require(ordi.ManageInventory, refuseTickets); err != nil {
		return View{}, nil, err
	}
	db := s.db.WithContext(ctx)
	v, err := findView(db, id)
	if err != nil {
		return View{}, nil, err
	}
	var events []Event
	if err := db.Where("ticket_id = ?", id).Order("id").Limit(ordi.MaxLimit).Find(&events).Error; err != nil {
		return View{}, nil, fmt.Errorf("ticket history: %w", err)
	}
	return forRole(a, v), events, nil
}

func findView(db *gorm.DB, id int64) (View, error) {
	var out []View
	if err := views(db).Where("tickets.id = ?", id).Limit(1).Scan(&out).Error; err != nil {
		return View{}, fmt.Errorf("find ticket: %w", err)
	}
	if len(out) == 0 {
		return View{}, ticketNotFound()
	}
	return out[0], nil
}

// MaxNote bounds a staff note on a ticket, in characters.
const MaxNote = 2000

// Change is what staff do to a ticket: move it to another status (a
// closing reason is required to close it), add a note, or both. Version is
// the ticket's version the change was made on.
type Change struct {
	Status        Status
	ClosingReason ClosingReason
	Note          string
	Version       int
}

// Change applies a change to a ticket (staff), in one transaction with its
// history and audit entries. Closing a ticket forgets the family's phone
// number: it was given to be called back about this problem only.
func (s *Service) Change(ctx context.Context, a ordi.Actor, id int64, c Change) (View, error) {
	if err := a.Require(ordi.ManageInventory, refuseTickets); err != nil {
		return View{}, err
	}
	c.Note = strings.TrimSpace(c.Note)
	var v ordi.Validation
	if c.Status != "" && !c.Status.Valid() {
		v.Add("status", "Statut inconnu.")
	}
	if c.Status == StatusClosed && !c.ClosingReason.Valid() {
		v.Add("closing_reason", "Choisissez comment le signalement s'est terminé.")
	}
	if c.Status != StatusClosed && c.ClosingReason != "" {
		v.Add("closing_reason", "Une raison de clôture ne s'indique qu'en clôturant.")
	}
	if utf8.RuneCountInString(c.Note) > MaxNote {
		v.Addf("note", "Note trop longue : %d caractères au plus.", MaxNote)
	}
	if c.Status == "" && c.Note == "" {
		v.Add("note", "Écrivez une note ou choisissez un nouveau statut.")
	}
	if err := v.Err(); err != nil {
		return View{}, err
	}
	now := s.now().UTC()
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var t Ticket
		if err := tx.Where("id = ?", id).Limit(1).Find(&t).Error; err != nil {
			return fmt.Errorf("find ticket: %w", err)
		}
		if t.ID == 0 {
			return ticketNotFound()
		}
		if c.Version != 0 && c.Version != t.Version {
			return ordi.Errorf(ordi.Conflict, "Ce signalement a été modifié entre-temps : rechargez la page.")
		}
		updates := map[string]any{"updated_at": now, "version": t.Version + 1}
		if c.Status != "" && c.Status != t.Status {
			if !t.Status.CanMoveTo(c.Status) {
				return &ordi.Error{Kind: ordi.Conflict, Message: fmt.Sprintf("Un signalement « %s » ne peut pas passer à « %s ».", t.Status.Label(), c.Status.Label()),
					Extra: map[string]any{"allowed": t.Status.Next()}}
			}
			updates["status"] = c.Status
			updates["closing_reason"] = string(c.ClosingReason)
			if c.Status == StatusClosed {
				updates["phone"] = ""
			}
		}
		res := tx.Model(&Ticket{}).Where("id = ? AND version = ?", id, t.Version).Updates(updates)
		if res.Error != nil {
			return fmt.Errorf("update ticket: %w", res.Error)
		}
		if res.RowsAffected != 1 {
			return ordi.Errorf(ordi.Conflict, "Ce signalement a été modifié entre-temps : rechargez la page.")
		}
		e := Event{TicketID: id, At: now, ActorName: a.Name, Note: c.Note, Action: ActionNote}
		if a.UserID != 0 {
			uid := a.UserID
			e.ActorID = &uid
		}
		if to, ok := updates["status"].(Status); ok {
			e.Action, e.FromStatus, e.ToStatus = ActionStatus, t.Status, to
			if c.ClosingReason != "" {
				e.Note = strings.TrimSpace(c.ClosingReason.Label() + ". " + c.Note)
			}
		}
		if err := tx.Create(&e).Error; err != nil {
			return fmt.Errorf("ticket event: %w", err)
		}
		detail := string(e.FromStatus) + "→" + string(e.ToStatus)
		if e.Action == ActionNote {
			detail = ""
		}
		return audit.Record(ctx, tx, now, a, "ticket."+e.Action, "ticket", id, detail)
	})
	if err != nil {
		return View{}, err
	}
	view, err := findView(s.db.WithContext(ctx), id)
	return forRole(a, view), err
}

// EraseFamily erases, in a family's erasure (an allocation.Eraser, run in
// its transaction), what the tickets of its units keep of it: the
// description it wrote and its phone number. The tickets stay, with their
// category, statuses and history, for the workshop's records.
func (s *Service) EraseFamily(ctx context.Context, tx *gorm.DB, h allocation.Household, _ []int64) error {
	err := tx.WithContext(ctx).Model(&Ticket{}).Where("household_id = ?", h.ID).
		Updates(map[string]any{"description": "", "phone": ""}).Error
	if err != nil {
		return fmt.Errorf("erase tickets: %w", err)
	}
	return nil
}
