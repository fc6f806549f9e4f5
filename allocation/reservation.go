package allocation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/audit"
	"github.com/ordi-app/ordi/inventory"
)

// ReservationStatus is where a reservation stands.
type ReservationStatus string

// The reservation statuses.
const (
	ReservationActive     ReservationStatus = "active"
	ReservationCancelled  ReservationStatus = "cancelled"
	ReservationHandedOver ReservationStatus = "handed_over"
)

// Reservation holds a ready unit for a trained family until the handover.
// One active reservation per unit and per family: the database's unique
// indexes say so, whatever the code does.
type Reservation struct {
	ID          int64             `json:"id"`
	HouseholdID int64             `json:"household_id"`
	UnitID      int64             `json:"-"`
	Status      ReservationStatus `json:"status"`
	CreatedAt   time.Time         `json:"created_at"`
	CreatedByID *int64            `json:"-"`
	ClosedAt    *time.Time        `json:"closed_at,omitempty"`
	ClosedByID  *int64            `json:"-"`
	CloseReason string            `json:"close_reason,omitempty"`
	// AppointmentOn is the day the family is expected at the handover
	// desk, nil until one is fixed.
	AppointmentOn *ordi.Date `json:"appointment_on"`
}

// ReservationView is a reservation with what pages and the API show of its
// family and unit.
type ReservationView struct {
	Reservation
	HouseholdReference string         `json:"household_reference"`
	UnitCode           inventory.Code `json:"unit_code"`
	UnitKind           inventory.Kind `json:"unit_kind"`
	UnitTitle          string         `json:"unit_title"`
}

func reservationNotFound() error { return ordi.Errorf(ordi.NotFound, "Réservation introuvable.") }

// reservationViews selects reservations with what pages and the API show of
// their family and unit (ReservationView).
func reservationViews(db *gorm.DB) *gorm.DB {
	return db.Table("reservations").
		Select("reservations.*, households.reference AS household_reference, units.code AS unit_code, units.kind AS unit_kind, TRIM(units.brand || ' ' || units.model) AS unit_title").
		Joins("JOIN households ON households.id = reservations.household_id").
		Joins("JOIN units ON units.id = reservations.unit_id")
}

// findReservation reads a reservation; NotFound when there is none.
func findReservation(db *gorm.DB, id int64) (Reservation, error) {
	var r Reservation
	if err := db.Where("id = ?", id).Take(&r).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Reservation{}, reservationNotFound()
		}
		return Reservation{}, fmt.Errorf("reservation %d: %w", id, err)
	}
	return r, nil
}

// Reserve reserves a ready unit for a trained family, in one transaction:
// the family moves trained → reserved and the unit ready → reserved by
// conditional updates, and the reservation row is guarded by unique
// indexes. Of many simultaneous reservations of one unit, exactly one
// succeeds; the others get Conflict and change nothing.
func (s *Service) Reserve(ctx context.Context, a ordi.Actor, householdID int64, unitCode string) (ReservationView, error) {
	return s.ReserveOn(ctx, a, householdID, unitCode, "")
}

// ReserveOn is Reserve with the day of the handover appointment
// (YYYY-MM-DD, today or later in Europe/Paris; "" for none yet).
func (s *Service) ReserveOn(ctx context.Context, a ordi.Actor, householdID int64, unitCode, appointmentOn string) (ReservationView, error) {
	if err := a.Require(ordi.Allocate, "Les réservations sont faites par l'équipe."); err != nil {
		return ReservationView{}, err
	}
	var v ordi.Validation
	code, err := inventory.ParseCode(unitCode)
	if err != nil {
		v.Add("unit_code", "Code d'unité inconnu.")
	}
	appointment := s.appointmentDate(&v, appointmentOn)
	if err := v.Err(); err != nil {
		return ReservationView{}, err
	}
	var out ReservationView
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		h, err := s.findHousehold(tx, a, householdID)
		if errors.Is(err, ordi.NotFound) {
			var v ordi.Validation
			v.Add("household_id", "Famille inconnue.")
			return v.Err()
		}
		if err != nil {
			return err
		}
		switch h.Status {
		case StatusTrained:
		case StatusReserved, StatusEquipped:
			return ordi.Errorf(ordi.Conflict, "La famille %s est déjà servie (%s).", h.Reference, strings.ToLower(h.Status.Label()))
		default:
			return ordi.Errorf(ordi.Conflict, "La famille %s n'a pas terminé la formation (« %s ») : pas de réservation possible.", h.Reference, h.Status.Label())
		}
		if err := s.setStatus(tx, &h, []HouseholdStatus{StatusTrained}, StatusReserved, nil); err != nil {
			return err
		}
		u, err := s.inventory.WithTx(tx).MoveForAllocation(ctx, a, code, inventory.AllocationReserve, "Réservée pour la famille "+h.Reference)
		if errors.Is(err, ordi.NotFound) {
			var v ordi.Validation
			v.Add("unit_code", "Code d'unité inconnu.")
			return v.Err()
		}
		if err != nil {
			return err
		}
		r := Reservation{HouseholdID: h.ID, UnitID: u.ID, Status: ReservationActive, CreatedAt: s.now(), CreatedByID: actorID(a), AppointmentOn: appointment}
		if err := tx.Create(&r).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return ordi.Errorf(ordi.Conflict, "Cette unité ou cette famille a déjà une réservation en cours.")
			}
			return fmt.Errorf("insert reservation: %w", err)
		}
		out = ReservationView{Reservation: r, HouseholdReference: h.Reference, UnitCode: u.Code, UnitKind: u.Kind, UnitTitle: u.Title()}
		if err := s.tellSocialWorker(tx, h, s.notify.ReservationMail(h.Reference, h.ID, u.Title(), appointment)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, r.CreatedAt, a, "reservation.create", "household", h.ID, string(u.Code))
	})
	return out, err
}

// Cancel cancels an active reservation: the unit is ready again and the
// family back to trained.
func (s *Service) Cancel(ctx context.Context, a ordi.Actor, id int64, reason string) (ReservationView, error) {
	if err := a.Require(ordi.Allocate, "Les réservations sont gérées par l'équipe."); err != nil {
		return ReservationView{}, err
	}
	reason = strings.TrimSpace(reason)
	var v ordi.Validation
	text(&v, "reason", reason, maxNotes, "")
	if err := v.Err(); err != nil {
		return ReservationView{}, err
	}
	var out ReservationView
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, err := findReservation(tx, id)
		if err != nil {
			return err
		}
		if r.Status != ReservationActive {
			return ordi.Errorf(ordi.Conflict, "Cette réservation n'est plus en cours (%s).", r.Status)
		}
		if err := s.cancel(ctx, tx, a, &r, reason); err != nil {
			return err
		}
		var h Household
		if err := tx.Where("id = ?", r.HouseholdID).Take(&h).Error; err != nil {
			return err
		}
		if err := s.setStatus(tx, &h, []HouseholdStatus{StatusReserved}, StatusTrained, nil); err != nil {
			return err
		}
		view, err := s.view(tx, r)
		out = view
		return err
	})
	return out, err
}

// cancel closes an active reservation and puts its unit back to ready;
// the caller moves the family.
func (s *Service) cancel(ctx context.Context, tx *gorm.DB, a ordi.Actor, r *Reservation, reason string) error {
	now := s.now()
	res := tx.Model(&Reservation{}).Where("id = ? AND status = ?", r.ID, ReservationActive).
		Updates(map[string]any{"status": ReservationCancelled, "closed_at": now, "closed_by_id": actorID(a), "close_reason": reason})
	if res.Error != nil {
		return fmt.Errorf("cancel reservation: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return ordi.Errorf(ordi.Conflict, "Cette réservation vient d'être close par quelqu'un d'autre.")
	}
	r.Status, r.ClosedAt, r.CloseReason = ReservationCancelled, &now, reason
	var codes []inventory.Code
	if err := tx.Table("units").Where("id = ?", r.UnitID).Pluck("code", &codes).Error; err != nil || len(codes) == 0 {
		return fmt.Errorf("unit of reservation %d: %v", r.ID, err)
	}
	code := codes[0]
	// The unit's history, read by every workshop role, says only that the
	// reservation ended; the reason stays with the reservation.
	if _, err := s.inventory.WithTx(tx).MoveForAllocation(ctx, a, code, inventory.AllocationCancel, "Réservation annulée."); err != nil {
		return err
	}
	return audit.Record(ctx, tx, now, a, "reservation.cancel", "household", r.HouseholdID, string(code))
}

func (s *Service) view(tx *gorm.DB, r Reservation) (ReservationView, error) {
	var v ReservationView
	err := reservationViews(tx).
		Where("reservations.id = ?", r.ID).Take(&v).Error
	return v, err
}

// Reservation returns one reservation (staff, volunteers at the handover desk).
func (s *Service) Reservation(ctx context.Context, a ordi.Actor, id int64) (ReservationView, error) {
	if err := a.Require(ordi.HandOver, "Les réservations sont consultées par l'équipe et les bénévoles."); err != nil {
		return ReservationView{}, err
	}
	v, err := s.view(s.db.WithContext(ctx), Reservation{ID: id})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ReservationView{}, reservationNotFound()
	}
	return forRole(a, v), err
}

// forRole hides from volunteers the staff's note on why a reservation was
// cancelled: it may speak of the family.
func forRole(a ordi.Actor, v ReservationView) ReservationView {
	if !a.Is(ordi.RoleAdmin, ordi.RoleStaff) {
		v.CloseReason = ""
	}
	return v
}

// ReservationFilter selects reservations, newest first.
type ReservationFilter struct {
	Status      ReservationStatus
	HouseholdID int64
	UnitID      int64
	Before      int64
	Limit       int
}

// Reservations lists reservations (staff, volunteers).
func (s *Service) Reservations(ctx context.Context, a ordi.Actor, f ReservationFilter) ([]ReservationView, error) {
	if err := a.Require(ordi.HandOver, "Réservé à l'équipe et aux bénévoles."); err != nil {
		return nil, err
	}
	out, err := listReservations(s.db.WithContext(ctx), f)
	for i := range out {
		out[i] = forRole(a, out[i])
	}
	return out, err
}

// listReservations reads the reservations f selects, whole: callers shape
// them for their reader.
func listReservations(db *gorm.DB, f ReservationFilter) ([]ReservationView, error) {
	q := reservationViews(db)
	if f.Status != "" {
		q = q.Where("reservations.status = ?", f.Status)
	}
	if f.HouseholdID > 0 {
		q = q.Where("reservations.household_id = ?", f.HouseholdID)
	}
	if f.UnitID > 0 {
		q = q.Where("reservations.unit_id = ?", f.UnitID)
	}
	if f.Before > 0 {
		q = q.Where("reservations.id < ?", f.Before)
	}
	limit := ordi.ListLimit(f.Limit)
	var out []ReservationView
	if err := q.Order("reservations.id DESC").Limit(limit).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("list reservations: %w", err)
	}
	return out, nil
}

// maxAppointmentAhead bounds how far ahead an appointment is fixed: further
// is a typing slip (2062 for 2026).
const maxAppointmentAhead = 1 // year

// today is the current calendar day in Europe/Paris.
func (s *Service) today() ordi.Date { return ordi.DateOf(s.now().In(ordi.Paris)) }

// appointmentDate reads an appointment day: "" is none; otherwise
// YYYY-MM-DD, not in the past, at most a year ahead.
func (s *Service) appointmentDate(v *ordi.Validation, in string) *ordi.Date {
	in = strings.TrimSpace(in)
	if in == "" {
		return nil
	}
	d, err := ordi.ParseDate(in)
	today := s.today()
	switch {
	case err != nil:
		v.Add("appointment_on", "Date de rendez-vous invalide : attendu AAAA-MM-JJ.")
	case d.Before(today):
		v.Add("appointment_on", "La date du rendez-vous est passée : choisissez aujourd'hui ou un jour à venir.")
	case d.After(ordi.Date{Time: today.AddDate(maxAppointmentAhead, 0, 0)}):
		v.Add("appointment_on", "Date de rendez-vous trop lointaine : un an au plus.")
	default:
		return &d
	}
	return nil
}

// SetAppointment fixes, moves or clears ("") the day of an active
// reservation's handover appointment. Staff and the volunteers at the desk
// may; a reservation no longer active is a Conflict.
func (s *Service) SetAppointment(ctx context.Context, a ordi.Actor, id int64, appointmentOn string) (ReservationView, error) {
	if err := a.Require(ordi.HandOver, "Les rendez-vous de remise sont fixés par l'équipe ou un bénévole."); err != nil {
		return ReservationView{}, err
	}
	var v ordi.Validation
	appointment := s.appointmentDate(&v, appointmentOn)
	if err := v.Err(); err != nil {
		return ReservationView{}, err
	}
	var out ReservationView
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, err := findReservation(tx, id)
		if err != nil {
			return err
		}
		if r.Status != ReservationActive {
			return ordi.Errorf(ordi.Conflict, "Cette réservation n'est plus en cours : pas de rendez-vous à fixer.")
		}
		var value any // NULL clears the appointment
		if appointment != nil {
			value = *appointment
		}
		res := tx.Model(&Reservation{}).Where("id = ? AND status = ?", r.ID, ReservationActive).
			Updates(map[string]any{"appointment_on": value})
		if res.Error != nil {
			return fmt.Errorf("set appointment: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return ordi.Errorf(ordi.Conflict, "Cette réservation vient d'être close par quelqu'un d'autre.")
		}
		unchanged := appointment != nil && r.AppointmentOn != nil && *appointment == *r.AppointmentOn
		r.AppointmentOn = appointment
		view, err := s.view(tx, r)
		if err != nil {
			return err
		}
		out = forRole(a, view)
		if appointment != nil && !unchanged { // the same day saved again tells nobody anything new
			var h Household
			if err := tx.Where("id = ?", r.HouseholdID).Take(&h).Error; err != nil {
				return fmt.Errorf("household of reservation %d: %w", r.ID, err)
			}
			if err := s.tellSocialWorker(tx, h, s.notify.AppointmentMail(h.Reference, h.ID, *appointment)); err != nil {
				return err
			}
		}
		detail := string(view.UnitCode) + " : rendez-vous "
		if appointment == nil {
			detail += "retiré"
		} else {
			detail += "le " + appointment.String()
		}
		return audit.Record(ctx, tx, s.now(), a, "reservation.appointment", "household", r.HouseholdID, detail)
	})
	return out, err
}
