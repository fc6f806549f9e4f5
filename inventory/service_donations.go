package inventory

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/audit"
	"gorm.io/gorm"
)

// CreateDonor registers a donor.
func (s *Service) CreateDonor(ctx context.Context, actor ordi.Actor, n NewDonor) (Donor, error) {
	if err := actor.Require(ordi.ManageInventory, refuseManage); err != nil {
		return Donor{}, err
	}
	n.Normalize()
	if err := n.Validate(); err != nil {
		return Donor{}, err
	}
	now := s.now()
	d := Donor{Name: n.Name, Kind: n.Kind, SIRET: n.SIRET, Email: n.Email, Phone: n.Phone, Address: n.Address, CreatedAt: now, UpdatedAt: now}
	if err := s.db.WithContext(ctx).Create(&d).Error; err != nil {
		return Donor{}, fmt.Errorf("insert donor: %w", err)
	}
	return d, nil
}

// Donor returns a donor.
func (s *Service) Donor(ctx context.Context, actor ordi.Actor, id int64) (Donor, error) {
	if err := actor.Require(ordi.ReadUnits, refuseRead); err != nil {
		return Donor{}, err
	}
	var d Donor
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Donor{}, ordi.Errorf(ordi.NotFound, "Donateur introuvable.")
	}
	if err != nil {
		return Donor{}, fmt.Errorf("find donor %d: %w", id, err)
	}
	return d, nil
}

// DonorFilter selects donors, newest first.
type DonorFilter struct {
	Q      string
	Before int64 // keyset cursor: donors with a smaller id
	Limit  int
}

// Donors lists donors.
func (s *Service) Donors(ctx context.Context, actor ordi.Actor, f DonorFilter) ([]Donor, error) {
	if err := actor.Require(ordi.ReadUnits, refuseRead); err != nil {
		return nil, err
	}
	q := s.db.WithContext(ctx).Model(&Donor{})
	if t := strings.TrimSpace(f.Q); t != "" {
		q = q.Where("LOWER(name) LIKE ? ESCAPE '\\'", "%"+escapeLike(strings.ToLower(t))+"%")
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	var out []Donor
	if err := q.Order("id DESC").Limit(ordi.ListLimit(f.Limit)).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list donors: %w", err)
	}
	return out, nil
}

// CreateDonation registers a donation of a known donor.
func (s *Service) CreateDonation(ctx context.Context, actor ordi.Actor, n NewDonation) (Donation, error) {
	if err := actor.Require(ordi.ManageInventory, refuseManage); err != nil {
		return Donation{}, err
	}
	received, err := n.validate(s.today())
	var v ordi.Validation
	if err := v.Merge(err); err != nil {
		return Donation{}, err
	}
	db := s.db.WithContext(ctx)
	if n.DonorID > 0 {
		var found int64
		if err := db.Model(&Donor{}).Where("id = ?", n.DonorID).Count(&found).Error; err != nil {
			return Donation{}, fmt.Errorf("check donor: %w", err)
		}
		if found == 0 {
			v.Add("donor_id", "Donateur inconnu.")
		}
	}
	if err := v.Err(); err != nil {
		return Donation{}, err
	}
	now := s.now()
	d := Donation{DonorID: n.DonorID, ReceivedOn: received, Site: n.Site, Reference: n.Reference, Notes: n.Notes, CreatedAt: now, UpdatedAt: now}
	if err := db.Create(&d).Error; err != nil {
		return Donation{}, fmt.Errorf("insert donation: %w", err)
	}
	return d, nil
}

// Donation returns a donation.
func (s *Service) Donation(ctx context.Context, actor ordi.Actor, id int64) (Donation, error) {
	if err := actor.Require(ordi.ReadUnits, refuseRead); err != nil {
		return Donation{}, err
	}
	var d Donation
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Donation{}, ordi.Errorf(ordi.NotFound, "Don introuvable.")
	}
	if err != nil {
		return Donation{}, fmt.Errorf("find donation %d: %w", id, err)
	}
	return d, nil
}

// DeleteDonation deletes a donation registered by mistake, while it has no
// units: a unit's history is never deleted, so a donation with units stays
// (Conflict). The check and the delete are one conditional statement: a
// unit added at the same moment either lands first (the delete is refused)
// or is refused by its foreign key. The deletion is audited.
func (s *Service) DeleteDonation(ctx context.Context, actor ordi.Actor, id int64) error {
	if err := actor.Require(ordi.ManageInventory, refuseManage); err != nil {
		return err
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var d Donation
		err := tx.Where("id = ?", id).Take(&d).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ordi.Errorf(ordi.NotFound, "Don introuvable.")
		}
		if err != nil {
			return fmt.Errorf("find donation %d: %w", id, err)
		}
		res := tx.Where("id = ? AND NOT EXISTS (SELECT 1 FROM units WHERE units.donation_id = ?)", id, id).Delete(&Donation{})
		if errors.Is(res.Error, gorm.ErrForeignKeyViolated) {
			return ordi.Errorf(ordi.Conflict, "Ce don est cité par un document émis : il ne peut pas être supprimé.")
		}
		if res.Error != nil {
			return fmt.Errorf("delete donation %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			var n int64
			if err := tx.Model(&Unit{}).Where("donation_id = ?", id).Count(&n).Error; err != nil {
				return fmt.Errorf("count units of donation %d: %w", id, err)
			}
			return ordi.Errorf(ordi.Conflict, "Ce don a %s : il ne peut pas être supprimé, car l'historique d'une unité n'est jamais effacé.",
				ordi.Plural(int(n), "unité", "unités"))
		}
		return audit.Record(ctx, tx, s.now(), actor, "donation.delete", "donation", id,
			fmt.Sprintf("donor %d, received %s", d.DonorID, d.ReceivedOn))
	})
}

// DonationSummary is a donation with its donor's name and unit counts, for lists.
type DonationSummary struct {
	Donation
	DonorName string `json:"donor_name"`
	Units     int    `json:"units"`
}

// DonationFilter selects donations, newest first.
type DonationFilter struct {
	DonorID int64
	Before  int64
	Limit   int
}

// Donations lists donations with their donor's name and number of units.
func (s *Service) Donations(ctx context.Context, actor ordi.Actor, f DonationFilter) ([]DonationSummary, error) {
	if err := actor.Require(ordi.ReadUnits, refuseRead); err != nil {
		return nil, err
	}
	q := s.donationQuery(ctx, f)
	var out []DonationSummary
	if err := q.Order("donations.id DESC").Limit(ordi.ListLimit(f.Limit)).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("list donations: %w", err)
	}
	return out, nil
}

// donationQuery selects the donations f asks for, with their donor's name
// and number of units, before ordering and limits.
func (s *Service) donationQuery(ctx context.Context, f DonationFilter) *gorm.DB {
	q := s.db.WithContext(ctx).Table("donations").
		Select("donations.*, donors.name AS donor_name, (SELECT COUNT(*) FROM units WHERE units.donation_id = donations.id) AS units").
		Joins("JOIN donors ON donors.id = donations.donor_id")
	if f.DonorID > 0 {
		q = q.Where("donations.donor_id = ?", f.DonorID)
	}
	if f.Before > 0 {
		q = q.Where("donations.id < ?", f.Before)
	}
	return q
}

// Counts is a number of units per status.
type Counts map[Status]int

// Total is the number of units counted.
func (c Counts) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// CountByStatus counts units per status, of one donation when donationID > 0.
func (s *Service) CountByStatus(ctx context.Context, actor ordi.Actor, donationID int64) (Counts, error) {
	if err := actor.Require(ordi.ReadUnits, refuseRead); err != nil {
		return nil, err
	}
	q := s.db.WithContext(ctx).Model(&Unit{}).Select("status, COUNT(*) AS n").Group("status")
	if donationID > 0 {
		q = q.Where("donation_id = ?", donationID)
	}
	var rows []struct {
		Status Status
		N      int
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("count units: %w", err)
	}
	c := Counts{}
	for _, r := range rows {
		c[r.Status] = r.N
	}
	return c, nil
}
