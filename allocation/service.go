package allocation

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/notify"
)

// Service manages families, courses and reservations. Families outside a
// caller's scope are NotFound: their existence is not disclosed.
type Service struct {
	db        *gorm.DB
	now       func() time.Time
	inventory *inventory.Service
	access    *accessLog
	notify    *notify.Notifier // nil: no mail
}

// NewService returns a service over db; inv moves units within its
// transactions.
func NewService(db *gorm.DB, inv *inventory.Service, now func() time.Time) *Service {
	return &Service{db: db, now: func() time.Time { return now().UTC() }, inventory: inv, access: &accessLog{db: db}}
}

// The access-log actions written for every read of a family's file.
const (
	AccessRead   = "household.read"
	AccessExport = "household.export"
)

func actorID(a ordi.Actor) *int64 {
	if a.UserID == 0 {
		return nil
	}
	id := a.UserID
	return &id
}

func notFound() error { return ordi.Errorf(ordi.NotFound, "Famille introuvable.") }

// scoped restricts a households query to what the actor may see: every
// family for staff and administrators, their partner's for a social worker,
// none for anyone else.
func scoped(q *gorm.DB, a ordi.Actor) *gorm.DB {
	switch {
	case a.Is(ordi.RoleAdmin, ordi.RoleStaff):
		return q
	case a.Is(ordi.RoleSocialWorker) && a.PartnerID > 0:
		return q.Where("households.partner_id = ?", a.PartnerID)
	}
	return q.Where("1 = 0")
}

func (s *Service) findHousehold(tx *gorm.DB, a ordi.Actor, id int64) (Household, error) {
	var h Household
	err := scoped(tx.Model(&Household{}), a).Where("households.id = ?", id).Take(&h).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Household{}, notFound()
	}
	if err != nil {
		return Household{}, fmt.Errorf("find household %d: %w", id, err)
	}
	return h, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func statusIn(s HouseholdStatus, set []HouseholdStatus) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}
