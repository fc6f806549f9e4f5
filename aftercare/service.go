package aftercare

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/audit"
	"github.com/ordi-app/ordi/inventory"
)

// Service runs the public page, the reports and the tickets.
type Service struct {
	db    *gorm.DB
	inv   *inventory.Service
	alloc *allocation.Service
	now   func() time.Time
}

// NewService returns the service over db; inv and alloc find a unit and
// the handover that gave it to a family.
func NewService(db *gorm.DB, inv *inventory.Service, alloc *allocation.Service, now func() time.Time) *Service {
	return &Service{db: db, inv: inv, alloc: alloc, now: now}
}

// errNoPublicPage is the answer for a code that has no public page: not
// well formed, unknown, or a unit that is not handed over. The caller says
// the same thing for all three (web: the login page, as before).
var errNoPublicPage = ordi.Errorf(ordi.NotFound, "Code inconnu")

// PublicUnit is what the public page of a handed-over unit shows: the
// computer and its warranty, never anything of the family.
type PublicUnit struct {
	Code  inventory.Code
	Kind  inventory.Kind
	Title string // brand and model
	// WarrantyEnd is the last day of the warranty, reckoned from the
	// handover day in Europe/Paris; zero when the handover is not found.
	WarrantyEnd   ordi.Date
	UnderWarranty bool
}

// PublicUnit returns the public view of the handed-over unit with the given
// code. Any other unit, an unknown code or a malformed one is NotFound, with
// the same message.
func (s *Service) PublicUnit(ctx context.Context, code string) (PublicUnit, Settings, error) {
	u, handedOn, err := s.handedOver(ctx, code)
	if err != nil {
		return PublicUnit{}, Settings{}, err
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return PublicUnit{}, Settings{}, err
	}
	p := PublicUnit{Code: u.Code, Kind: u.Kind, Title: strings.TrimSpace(u.Brand + " " + u.Model)}
	if !handedOn.IsZero() {
		p.WarrantyEnd = WarrantyEnd(handedOn, st.WarrantyMonths)
		p.UnderWarranty = !ordi.DateOf(s.now().In(ordi.Paris)).After(p.WarrantyEnd)
	}
	return p, st, nil
}

// WarrantyEnd is the last day of a warranty of months starting on the
// handover day: handed over on 15 March with 6 months, covered until 14
// September inclusive.
func WarrantyEnd(handedOn ordi.Date, months int) ordi.Date {
	return ordi.Date{Time: handedOn.AddDate(0, months, -1)}
}

// handedOver finds a handed-over unit and the day of its last handover
// (zero when no handover is recorded).
func (s *Service) handedOver(ctx context.Context, code string) (inventory.Unit, ordi.Date, error) {
	u, err := s.inv.Unit(ctx, ordi.System, code)
	if errors.Is(err, ordi.NotFound) {
		return inventory.Unit{}, ordi.Date{}, errNoPublicPage
	}
	if err != nil {
		return inventory.Unit{}, ordi.Date{}, err
	}
	if u.Status != inventory.StatusHandedOver {
		return inventory.Unit{}, ordi.Date{}, errNoPublicPage
	}
	h, err := s.handover(ctx, u.ID)
	if err != nil {
		return inventory.Unit{}, ordi.Date{}, err
	}
	var on ordi.Date
	if h != nil && h.ClosedAt != nil {
		on = ordi.DateOf(h.ClosedAt.In(ordi.Paris))
	}
	return u, on, nil
}

// handover is the unit's last handover, nil when none is recorded.
func (s *Service) handover(ctx context.Context, unitID int64) (*allocation.ReservationView, error) {
	rs, err := s.alloc.Reservations(ctx, ordi.System, allocation.ReservationFilter{UnitID: unitID, Status: allocation.ReservationHandedOver, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, nil
	}
	return &rs[0], nil
}

// Bounds of a report.
const (
	// MaxDescription bounds what the family writes, in characters.
	MaxDescription = 2000
	maxPhone       = 30
)

// NewReport is a problem reported from the public page.
type NewReport struct {
	Code        string
	Category    Category
	Description string
	Phone       string
	// Consent: the family agrees to be called back on Phone.
	Consent bool
	// Trap is the honeypot field, hidden from people: a form that fills
	// it is a robot's, and is answered as if accepted.
	Trap string
	// Addr is the client's address, counted (hashed) for the limits.
	Addr string
}

var phoneRE = regexp.MustCompile(`^\+?[0-9][0-9 .\-]{8,}[0-9]$`)

// Validate checks the report's fields, before the code is looked at: the
// answer to bad fields is the same for any code.
func (r *NewReport) Validate() error {
	var v ordi.Validation
	r.Description, r.Phone = strings.TrimSpace(r.Description), strings.TrimSpace(r.Phone)
	if !r.Category.Valid() {
		v.Add("category", "Choisissez ce qui ne va pas dans la liste.")
	}
	if utf8.RuneCountInString(r.Description) > MaxDescription {
		v.Addf("description", "Description trop longue : %d caractères au plus.", MaxDescription)
	}
	if r.Category == CategoryOther && r.Description == "" {
		v.Add("description", "Dites-nous en quelques mots ce qui ne va pas.")
	}
	if r.Phone != "" {
		digits := 0
		for _, c := range r.Phone {
			if c >= '0' && c <= '9' {
				digits++
			}
		}
		if len(r.Phone) > maxPhone || !phoneRE.MatchString(r.Phone) || digits < 10 || digits > 15 {
			v.Add("phone", "Numéro de téléphone non valide (par exemple 06 12 34 56 78).")
		} else if !r.Consent {
			v.Add("consent", "Cochez la case pour que nous puissions vous rappeler à ce numéro, ou laissez le numéro vide.")
		}
	}
	return v.Err()
}

// Report records a problem reported from the public page. It answers the
// same way whether or not the code is that of a handed-over unit, so that
// codes cannot be discovered through it: bad fields are Invalid before the
// code is looked at; the limits count every report, per client address and
// per code, known or not (RateLimited past them); a report on a code without
// a public page, or a robot's, is dropped in silence. A report on a
// handed-over unit becomes a new ticket, linked to the family of its last
// handover.
func (s *Service) Report(ctx context.Context, r NewReport) error {
	if r.Trap != "" {
		return nil
	}
	if err := r.Validate(); err != nil {
		return err
	}
	if err := s.countReport(ctx, r.Addr, r.Code); err != nil {
		return err
	}
	u, _, err := s.handedOver(ctx, r.Code)
	if errors.Is(err, errNoPublicPage) {
		return nil
	}
	if err != nil {
		return err
	}
	h, err := s.handover(ctx, u.ID)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	t := Ticket{UnitID: u.ID, Category: r.Category, Description: r.Description, Status: StatusNew, CreatedAt: now, UpdatedAt: now, Version: 1}
	if r.Phone != "" && r.Consent {
		t.Phone = r.Phone
	}
	if h != nil {
		id := h.HouseholdID
		t.HouseholdID = &id
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&t).Error; err != nil {
			return fmt.Errorf("create ticket: %w", err)
		}
		if err := tx.Create(&Event{TicketID: t.ID, At: now, ActorName: reporter.Name, Action: ActionReported, ToStatus: StatusNew}).Error; err != nil {
			return fmt.Errorf("ticket event: %w", err)
		}
		return audit.Record(ctx, tx, now, reporter, "ticket.reported", "ticket", t.ID, "unit "+string(u.Code))
	})
}
