package allocation

import (
	"gorm.io/gorm"

	"github.com/ordi-app/ordi/notify"
	"github.com/ordi-app/ordi/outbox"
)

// NotifyBy makes the service write the social workers' messages (an
// eligibility decision, a course completed, a reservation and its
// appointment, a handover) into the outbox, within each change's
// transaction. Without it (some tests) no message is written.
func (s *Service) NotifyBy(n *notify.Notifier) { s.notify = n }

// tellSocialWorker writes m for the family's social worker within tx,
// unless the family has none or they turned such messages off.
func (s *Service) tellSocialWorker(tx *gorm.DB, h Household, m outbox.Mail) error {
	if s.notify == nil || h.SocialWorkerID == nil {
		return nil
	}
	_, err := s.notify.ToUser(tx, *h.SocialWorkerID, m, s.now())
	return err
}
