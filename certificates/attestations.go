package certificates

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
)

// listColumns are a certificate's columns but its PDF and inputs.
const listColumns = "certificates.id, certificates.number, certificates.kind, certificates.issued_at, certificates.issued_by_id, " +
	"certificates.issued_by_name, certificates.donation_id, certificates.reservation_id, certificates.sha256, certificates.public, " +
	"certificates.superseded_by, certificates.superseded_at"

// HandoverOf names the handover whose attestation is asked for: by its
// reservation, its unit or its family (the latest handover).
type HandoverOf struct {
	ReservationID int64
	UnitID        int64
	HouseholdID   int64
}

// HandoverAttestation returns the attestation in force (not replaced by a
// correction) of a handover, without its PDF, so that a page can link to it:
// the handover page once done, the unit's and the family's pages. The rules
// are Certificate's: a volunteer gets those of their own handovers and the
// recent ones, nobody one of an erased family; anything else is NotFound.
func (s *Service) HandoverAttestation(ctx context.Context, a ordi.Actor, of HandoverOf) (Certificate, error) {
	if err := a.Require(ordi.HandOver, "Les attestations sont réservées à l'équipe et aux bénévoles de la remise."); err != nil {
		return Certificate{}, err
	}
	q := s.db.WithContext(ctx).Model(&Certificate{}).Select(listColumns).
		Joins("JOIN reservations ON reservations.id = certificates.reservation_id").
		Joins("JOIN households ON households.id = reservations.household_id").
		Where("certificates.kind = ? AND certificates.superseded_by IS NULL AND households.erased_at IS NULL", KindHandover)
	switch {
	case of.ReservationID != 0:
		q = q.Where("reservations.id = ?", of.ReservationID)
	case of.UnitID != 0:
		q = q.Where("reservations.unit_id = ?", of.UnitID)
	case of.HouseholdID != 0:
		q = q.Where("reservations.household_id = ?", of.HouseholdID)
	default:
		return Certificate{}, certNotFound()
	}
	var c Certificate
	err := q.Order("certificates.id DESC").Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Certificate{}, certNotFound()
	}
	if err != nil {
		return Certificate{}, fmt.Errorf("handover attestation: %w", err)
	}
	if !a.Can(ordi.Allocate) {
		if err := s.volunteerMayRead(ctx, a, c); err != nil {
			return Certificate{}, err
		}
	}
	return c, nil
}

// HandoverAttestations lists, newest first, the handover attestations in
// force that a (the desk) may print again: every one for staff and
// administrators; for a volunteer, those of the handovers they did and those
// issued in the last VolunteerWindow; never one of an erased family.
func (s *Service) HandoverAttestations(ctx context.Context, a ordi.Actor, f CertificateFilter) ([]Certificate, error) {
	if err := a.Require(ordi.HandOver, "Les attestations sont réservées à l'équipe et aux bénévoles de la remise."); err != nil {
		return nil, err
	}
	q := s.db.WithContext(ctx).Model(&Certificate{}).Select(listColumns).
		Joins("JOIN reservations ON reservations.id = certificates.reservation_id").
		Joins("JOIN households ON households.id = reservations.household_id").
		Where("certificates.kind = ? AND certificates.superseded_by IS NULL AND households.erased_at IS NULL", KindHandover)
	if !a.Can(ordi.Allocate) {
		q = q.Where("(reservations.closed_by_id = ? OR certificates.issued_at >= ?)", a.UserID, s.now().Add(-VolunteerWindow).UTC())
	}
	if f.Before > 0 {
		q = q.Where("certificates.id < ?", f.Before)
	}
	var out []Certificate
	if err := q.Order("certificates.id DESC").Limit(ordi.ListLimit(f.Limit)).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list handover attestations: %w", err)
	}
	return out, nil
}
