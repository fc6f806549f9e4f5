package allocation

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/audit"
	"github.com/ordi-app/ordi/inventory"
)

// HandoverFacts is what a handover form needs from allocation.
type HandoverFacts struct {
	Reservation ReservationView
	Household   Household
	PartnerName string
	Course      *CompletedCourse // nil when the family followed none
	Unit        inventory.Unit
}

// CompletedCourse is what an attestation says of the course a family
// followed (the latest it was enrolled in): nothing of the other families.
type CompletedCourse struct {
	Title    string
	Dates    []ordi.Date // of every session, in order
	Attended int         // sessions the family attended
}

// errNoTransaction is the programming error of calling a method that must
// share its caller's transaction with a plain database handle.
var errNoTransaction = errors.New("allocation: the handover must run inside the transaction that issues its attestation")

// inTransaction reports whether tx is a transaction (GORM's own test: its
// connection can commit), not the database itself.
func inTransaction(tx *gorm.DB) bool {
	committer, ok := tx.Statement.ConnPool.(gorm.TxCommitter)
	return ok && committer != nil
}

// CompleteHandover closes an active reservation at the handover: the
// reservation becomes handed over, the unit handed_over and the family
// equipped, each by a conditional update, inside tx: the transaction of the
// caller that issues the handover certificate, so that all of it commits or
// none. Passing anything but a transaction is refused (an internal error),
// never run half-way. Staff and volunteers at the handover desk may do it.
func (s *Service) CompleteHandover(ctx context.Context, tx *gorm.DB, a ordi.Actor, reservationID int64) (HandoverFacts, error) {
	if err := a.Require(ordi.HandOver, "La remise se fait par l'équipe ou un bénévole."); err != nil {
		return HandoverFacts{}, err
	}
	if !inTransaction(tx) {
		return HandoverFacts{}, errNoTransaction
	}
	db := tx.WithContext(ctx)
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
	code, err := unitCodeOf(db, r)
	if err != nil {
		return HandoverFacts{}, err
	}
	u, err := s.inventory.WithTx(db).MoveForAllocation(ctx, a, code, inventory.AllocationHandover, "Remise au foyer")
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
	if err := s.tellSocialWorker(db, h, s.notify.HandoverMail(h.Reference, h.ID, ordi.DateOf(now.In(ordi.Paris)))); err != nil {
		return HandoverFacts{}, err
	}
	if err := audit.Record(ctx, db, now, a, "handover", "household", h.ID, string(u.Code)); err != nil {
		return HandoverFacts{}, err
	}
	r.Status, r.ClosedAt = ReservationHandedOver, &now
	return s.handoverFacts(db, r, h, u)
}

// HandedOverFacts returns what the attestation of a completed handover
// says, read again without changing anything, inside tx: the transaction
// that corrects the attestation (certificates re-issue). Staff only.
func (s *Service) HandedOverFacts(ctx context.Context, tx *gorm.DB, a ordi.Actor, reservationID int64) (HandoverFacts, error) {
	if err := a.Require(ordi.Allocate, "Une attestation se corrige par l'équipe."); err != nil {
		return HandoverFacts{}, err
	}
	if !inTransaction(tx) {
		return HandoverFacts{}, errNoTransaction
	}
	db := tx.WithContext(ctx)
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
	code, err := unitCodeOf(db, r)
	if err != nil {
		return HandoverFacts{}, err
	}
	u, err := s.inventory.WithTx(db).Unit(ctx, a, string(code))
	if err != nil {
		return HandoverFacts{}, err
	}
	return s.handoverFacts(db, r, h, u)
}

// unitCodeOf returns the code of a reservation's unit.
func unitCodeOf(db *gorm.DB, r Reservation) (inventory.Code, error) {
	var codes []inventory.Code
	if err := db.Table("units").Where("id = ?", r.UnitID).Pluck("code", &codes).Error; err != nil || len(codes) == 0 {
		return "", fmt.Errorf("unit of reservation %d: %v", r.ID, err)
	}
	return codes[0], nil
}

// handoverFacts gathers what an attestation says of a handed-over
// reservation: the family, its partner, the course it followed with its
// attendance, and the unit.
func (s *Service) handoverFacts(db *gorm.DB, r Reservation, h Household, u inventory.Unit) (HandoverFacts, error) {
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
	c, followed, err := completedCourse(db, h.ID)
	if err != nil {
		return HandoverFacts{}, err
	}
	if followed {
		f.Course = &c
	}
	return f, nil
}

// completedCourse reads the course a family followed last, its session
// dates and the family's own attendance; false when it followed none.
func completedCourse(db *gorm.DB, householdID int64) (CompletedCourse, bool, error) {
	var courseIDs []int64
	if err := db.Model(&enrollment{}).Where("household_id = ?", householdID).Order("enrolled_at DESC").Limit(1).Pluck("course_id", &courseIDs).Error; err != nil {
		return CompletedCourse{}, false, fmt.Errorf("course of household %d: %w", householdID, err)
	}
	if len(courseIDs) == 0 {
		return CompletedCourse{}, false, nil
	}
	id := courseIDs[0]
	var c Course
	if err := db.Where("id = ?", id).Take(&c).Error; err != nil {
		return CompletedCourse{}, false, fmt.Errorf("course %d: %w", id, err)
	}
	var sessions []Session
	if err := db.Where("course_id = ?", id).Order("number").Find(&sessions).Error; err != nil {
		return CompletedCourse{}, false, fmt.Errorf("sessions of course %d: %w", id, err)
	}
	var attended int64
	if err := db.Model(&attendance{}).Where("course_id = ? AND household_id = ? AND present = ? AND session BETWEEN 1 AND ?", id, householdID, true, len(sessions)).
		Count(&attended).Error; err != nil {
		return CompletedCourse{}, false, fmt.Errorf("attendance in course %d: %w", id, err)
	}
	out := CompletedCourse{Title: c.Title, Attended: int(attended)}
	for _, s := range sessions {
		out.Dates = append(out.Dates, s.Date)
	}
	return out, true, nil
}

// HandoverRecord is what decides whether a volunteer may still fetch the
// attestation of a handover: who handed the unit over, and whether the
// family's data has since been erased. It holds nothing personal.
type HandoverRecord struct {
	HandedOverByID int64 // 0 when unknown (done by the system)
	FamilyErased   bool
}

// HandoverRecord returns the record of a handed-over reservation; NotFound
// when there is none.
func (s *Service) HandoverRecord(ctx context.Context, reservationID int64) (HandoverRecord, error) {
	var row struct {
		ClosedByID   *int64
		FamilyErased bool
	}
	err := s.db.WithContext(ctx).Table("reservations").Select("reservations.closed_by_id, households.erased_at IS NOT NULL AS family_erased").
		Joins("JOIN households ON households.id = reservations.household_id").
		Where("reservations.id = ? AND reservations.status = ?", reservationID, ReservationHandedOver).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return HandoverRecord{}, reservationNotFound()
	}
	if err != nil {
		return HandoverRecord{}, fmt.Errorf("handover of reservation %d: %w", reservationID, err)
	}
	rec := HandoverRecord{FamilyErased: row.FamilyErased}
	if row.ClosedByID != nil {
		rec.HandedOverByID = *row.ClosedByID
	}
	return rec, nil
}
