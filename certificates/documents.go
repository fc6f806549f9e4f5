package certificates

import (
	"bytes"
	"context"
	"fmt"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/inventory"
)

// Receipt renders a donation's intake receipt as it stands today: not
// numbered, not stored. Staff, who take donations in.
func (s *Service) Receipt(ctx context.Context, a ordi.Actor, donationID int64) ([]byte, error) {
	if err := a.Require(ordi.IssueDonorCertificates, "Les bons de prise en charge sont délivrés par l'équipe."); err != nil {
		return nil, err
	}
	issuer, err := s.Issuer(ctx)
	if err != nil {
		return nil, err
	}
	donation, err := s.inventory.Donation(ctx, a, donationID)
	if err != nil {
		return nil, err
	}
	donor, err := s.inventory.Donor(ctx, a, donation.DonorID)
	if err != nil {
		return nil, err
	}
	var units []inventory.Unit
	if err := s.db.WithContext(ctx).Where("donation_id = ?", donationID).Order("id").Limit(maxCertifiedUnits).Find(&units).Error; err != nil {
		return nil, err
	}
	r := Receipt{PrintedAt: s.now(), Issuer: issuer, Donor: DonorInfo{Name: donor.Name, Kind: donor.Kind.Label(), SIRET: donor.SIRET, Address: donor.Address},
		Donation: DonationInfo{ReceivedOn: donation.ReceivedOn, Site: donation.Site, Reference: donation.Reference}}
	for _, u := range units {
		info := unitInfo(u)
		info.Kind = shortKind(u.Kind)
		r.Units = append(r.Units, info)
	}
	var buf bytes.Buffer
	if err := RenderReceipt(&buf, r); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// AttendanceSheet renders a course's sign-in sheet for those who run
// courses (a trainer: their own courses only, as allocation scopes them).
func (s *Service) AttendanceSheet(ctx context.Context, a ordi.Actor, courseID int64) ([]byte, error) {
	if err := a.Require(ordi.RunCourses, "Les feuilles d'émargement sont réservées à l'équipe et aux formateurs."); err != nil {
		return nil, err
	}
	issuer, err := s.Issuer(ctx)
	if err != nil {
		return nil, err
	}
	d, err := s.allocation.Course(ctx, a, courseID)
	if err != nil {
		return nil, err
	}
	sheet := AttendanceSheet{PrintedAt: s.now(), Issuer: issuer, Title: d.Title, Place: d.Place, Trainer: d.TrainerName, Required: d.RequiredSessions}
	for _, session := range d.Sessions {
		sheet.Sessions = append(sheet.Sessions, session.Date)
		sheet.Times = append(sheet.Times, session.Times())
	}
	// The course page hides the families' references from trainers; the
	// sheet, proof for the funders, names each family by its reference (the
	// pseudonym that identifies it outside its file) beside the name the
	// trainer already sees.
	refs, err := s.householdReferences(ctx, d.Attendees)
	if err != nil {
		return nil, err
	}
	for _, at := range d.Attendees {
		sheet.Rows = append(sheet.Rows, AttendanceRow{Reference: refs[at.HouseholdID], Name: at.ContactName})
	}
	var buf bytes.Buffer
	if err := RenderAttendance(&buf, sheet); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// householdReferences returns the reference of each attendee's household.
func (s *Service) householdReferences(ctx context.Context, attendees []allocation.Attendee) (map[int64]string, error) {
	refs := map[int64]string{}
	ids := make([]int64, 0, len(attendees))
	for _, at := range attendees {
		ids = append(ids, at.HouseholdID)
	}
	for start := 0; start < len(ids); start += 500 {
		var rows []struct {
			ID        int64
			Reference string
		}
		if err := s.db.WithContext(ctx).Table("households").Select("id, reference").Where("id IN ?", ids[start:min(start+500, len(ids))]).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("references of the attendees: %w", err)
		}
		for _, r := range rows {
			refs[r.ID] = r.Reference
		}
	}
	return refs, nil
}
