package notify

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/outbox"
)

// DigestFigures are what the staff's daily digest counts.
type DigestFigures struct {
	Ready         int64 // units ready to be reserved
	NoAppointment int64 // active reservations without a handover day
	Overdue       int64 // active reservations whose handover day has passed
}

// DigestMail is the staff's daily digest of day.
func (n *Notifier) DigestMail(day ordi.Date, f DigestFigures) outbox.Mail {
	return compose(Digest, "Ordi : le point du "+day.French(),
		"Bonjour,",
		"Le point de l'atelier ce "+day.French()+" :\n"+
			"– "+ordi.Plural(int(f.Ready), "ordinateur prêt", "ordinateurs prêts")+" à réserver ;\n"+
			"– "+ordi.Plural(int(f.NoAppointment), "réservation", "réservations")+" sans rendez-vous de remise ;\n"+
			"– "+ordi.Plural(int(f.Overdue), "remise", "remises")+" en retard (rendez-vous passé, ordinateur toujours réservé).",
		"Les remises :\n"+n.Link("/handovers"),
		"L'attribution :\n"+n.Link("/allocation"))
}

type digestDay struct {
	Day       string `gorm:"primaryKey"`
	WrittenAt time.Time
}

func (digestDay) TableName() string { return "mail_digests" }

// RunDigest writes the day's digest to every active staff member and
// administrator who did not turn it off, once a day, at or after the hour
// of the settings (Europe/Paris); without an hour set, never. It reports
// whether it wrote the day's digest now. Several instances may call it:
// the day's row, inserted in the same transaction, lets one of them write.
func (s *Service) RunDigest(ctx context.Context, n *Notifier) (bool, error) {
	st, err := LoadSettings(ctx, s.db)
	if err != nil {
		return false, err
	}
	now := s.now()
	local := now.In(ordi.Paris)
	if st.DigestHour == nil || local.Hour() < *st.DigestHour {
		return false, nil
	}
	today := ordi.DateOf(local)
	wrote := false
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&digestDay{Day: today.String(), WrittenAt: now.UTC()})
		if res.Error != nil {
			return fmt.Errorf("digest of %s: %w", today, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil // written already, here or by another instance
		}
		var f DigestFigures
		if err := tx.Table("units").Where("status = ?", "ready").Count(&f.Ready).Error; err != nil {
			return fmt.Errorf("digest: ready units: %w", err)
		}
		if err := tx.Table("reservations").Where("status = ? AND appointment_on IS NULL", "active").Count(&f.NoAppointment).Error; err != nil {
			return fmt.Errorf("digest: reservations: %w", err)
		}
		if err := tx.Table("reservations").Where("status = ? AND appointment_on < ?", "active", today).Count(&f.Overdue).Error; err != nil {
			return fmt.Errorf("digest: overdue: %w", err)
		}
		var ids []int64
		if err := tx.Table("users").Where("active = ? AND role IN ?", true, []ordi.Role{ordi.RoleAdmin, ordi.RoleStaff}).Order("id").Pluck("id", &ids).Error; err != nil {
			return fmt.Errorf("digest: recipients: %w", err)
		}
		m := n.DigestMail(today, f)
		for _, id := range ids {
			if _, err := n.ToUser(tx, id, m, now); err != nil {
				return err
			}
		}
		wrote = true
		return nil
	})
	return wrote, err
}
