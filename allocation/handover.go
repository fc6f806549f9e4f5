package allocation

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/audit"
	"github.com/ordi-app/ordi/inventory"
)

// HandedOverFacts returns what the attestation of a completed handover
// says, read again without changing anything: for a corrected attestation
// (certificates re-issue). Staff only.
func (s *Service) HandedOverFacts(ctx context.Context, a ordi.Actor, reservationID int64) (HandoverFacts, error) {
	if !a.Is(ordi.RoleAdmin, ordi.RoleStaff) {
		return HandoverFacts{}, ordi.Errorf(ordi.Forbidden, "Une attestation se corrige par l'équipe.")
	}
	db := s.db.WithContext(ctx)
	r, err := findReservation(db, reservationID)
	if err != nil {
		return HandoverFacts{}, err
	}
	if r.Status != ReservationHandedOver {
		return HandoverFacts{}, ordi.Errorf(ordi.Conflict, "Cette réservation n'a pas été remise : il n'y a pas d'attestation à corriger.")
	}
	var h Household
	if err := db.Where("id = ?", r.HouseholdID).Take(&h).Error; err != nil {
		return HandoverFacts{}, fmt.Errorf("household of reservation %d: %w", r.ID, err)
	}
	if h.ErasedAt != nil {
		return HandoverFacts{}, ordi.Errorf(ordi.Conflict, "Les données de cette famille ont été effacées : son attestation ne peut plus être corrigée.")
	}
	var codes []string
	if err := db.Table("units").Where("id = ?", r.UnitID).Pluck("code", &codes).Error; err != nil || len(codes) == 0 {
		return HandoverFacts{}, fmt.Errorf("unit of reservation %d: %v", r.ID, err)
	}
	u, err := s.inventory.Unit(ctx, a, codes[0])
	if err != nil {
		return HandoverFacts{}, err
	}
	return s.handoverFacts(ctx, db, r, h, u)
}

// handoverFacts gathers what an attestation says of a handed-over
// reservation: the family, its partner, the course it completed (the latest
// it was enrolled in) with its attendance, and the unit.
func (s *Service) handoverFacts(ctx context.Context, db *gorm.DB, r Reservation, h Household, u inventory.Unit) (HandoverFacts, error) {
	f := HandoverFacts{Household: h, Unit: u}
	var err error
	if f.Reservation, err = s.view(db, r); err != nil {
		return HandoverFacts{}, err
	}
	var names []string
	if err := db.Table("partners").Where("id = ?", h.PartnerID).Pluck("name", &names).Error; err != nil {
		return HandoverFacts{}, err
	}
	if len(names) > 0 {
		f.PartnerName = names[0]
	}
	var courseIDs []int64
	if err := db.Table("enrollments").Where("household_id = ?", h.ID).Order("enrolled_at DESC").Limit(1).Pluck("course_id", &courseIDs).Error; err != nil {
		return HandoverFacts{}, err
	}
	if len(courseIDs) > 0 {
		d, err := s.Course(ctx, ordi.Actor{Role: ordi.RoleStaff}, courseIDs[0])
		if err != nil {
			return HandoverFacts{}, err
		}
		for _, at := range d.Attendees {
			if at.HouseholdID == h.ID {
				f.Attended = at.Attended
			}
		}
		f.Course = &d
	}
	return f, nil
}

// WithTx returns the service working inside tx, for the certificates
// package's handover transaction.
func (s *Service) WithTx(tx *gorm.DB) *Service {
	c := *s
	c.db = tx
	c.inventory = s.inventory.WithTx(tx)
	return &c
}

// HandoverFacts is what a handover form needs from allocation.
type HandoverFacts struct {
	Reservation ReservationView
	Household   Household
	PartnerName string
	Course      *CourseDetail // the course the family completed
	Attended    int
	Unit        inventory.Unit
}

// CompleteHandover closes an active reservation at the handover: the
// reservation becomes handed over, the unit handed_over and the family
// equipped, each by a conditional update. Run it inside the transaction
// that issues the handover certificate (use WithTx), so that all of it
// commits or none. Staff and volunteers at the handover desk may do it.
func (s *Service) CompleteHandover(ctx context.Context, a ordi.Actor, reservationID int64) (HandoverFacts, error) {
	if !a.Is(ordi.RoleAdmin, ordi.RoleStaff, ordi.RoleVolunteer) {
		return HandoverFacts{}, ordi.Errorf(ordi.Forbidden, "La remise se fait par l'équipe ou un bénévole.")
	}
	db := s.db.WithContext(ctx)
	r, err := findReservation(db, reservationID)
	if err != nil {
		return HandoverFacts{}, err
	}
	if r.Status != ReservationActive {
		what := "annulée"
		if r.Status == ReservationHandedOver {
			what = "déjà remise"
		}
		return HandoverFacts{}, ordi.Errorf(ordi.Conflict, "Cette réservation est %s : pas de remise possible.", what)
	}
	now := s.now()
	res := db.Model(&Reservation{}).Where("id = ? AND status = ?", r.ID, ReservationActive).
		Updates(map[string]any{"status": ReservationHandedOver, "closed_at": now, "closed_by_id": actorID(a)})
	if res.Error != nil {
		return HandoverFacts{}, fmt.Errorf("close reservation: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return HandoverFacts{}, ordi.Errorf(ordi.Conflict, "Cette réservation vient d'être close par quelqu'un d'autre.")
	}
	var codes []inventory.Code
	if err := db.Table("units").Where("id = ?", r.UnitID).Pluck("code", &codes).Error; err != nil || len(codes) == 0 {
		return HandoverFacts{}, fmt.Errorf("unit of reservation %d: %v", r.ID, err)
	}
	u, err := s.inventory.MoveForAllocation(ctx, a, codes[0], inventory.AllocationHandover, "Remise au foyer")
	if err != nil {
		return HandoverFacts{}, err
	}
	var h Household
	if err := db.Where("id = ?", r.HouseholdID).Take(&h).Error; err != nil {
		return HandoverFacts{}, err
	}
	if err := s.setStatus(db, &h, []HouseholdStatus{StatusReserved}, StatusEquipped, nil); err != nil {
		return HandoverFacts{}, err
	}
	if err := audit.Record(ctx, db, now, a, "handover", "household", h.ID, string(u.Code)); err != nil {
		return HandoverFacts{}, err
	}
	r.Status, r.ClosedAt = ReservationHandedOver, &now
	return s.handoverFacts(ctx, db, r, h, u)
}
