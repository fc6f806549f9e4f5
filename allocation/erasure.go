package allocation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/audit"
)

// ErasedName replaces a family's contact name once its data is erased, so
// that course sheets, lists and attestations still have a row to show.
const ErasedName = "Données effacées"

// RetentionYears is how long a family's file is kept once its course
// through the programme has ended (handover, refusal or withdrawal): the
// consent wording of the nomination form promises three years.
const RetentionYears = 3

// ErasureCause says why a family's data was erased.
type ErasureCause string

// The causes of an erasure.
const (
	ErasedOnRequest ErasureCause = "request"   // the family asked (RGPD art. 17)
	ErasedRetention ErasureCause = "retention" // the retention period ran out
)

func (c ErasureCause) reason() string {
	if c == ErasedRetention {
		return "Données effacées : durée de conservation écoulée."
	}
	return "Données effacées à la demande de la famille."
}

// findOpenHousehold finds a family whose file may still change: an erased
// file is closed (Conflict).
func (s *Service) findOpenHousehold(tx *gorm.DB, a ordi.Actor, id int64) (Household, error) {
	h, err := s.findHousehold(tx, a, id)
	if err == nil && h.ErasedAt != nil {
		return Household{}, ordi.Errorf(ordi.Conflict, "Les données de cette famille ont été effacées : son dossier est clos.")
	}
	return h, err
}

// Eraser erases, inside an erasure's transaction, what another package
// keeps of the family h: certificates passes the one that removes the
// signatory's name from h's attestations. reservations are h's
// reservations, every status.
type Eraser func(ctx context.Context, tx *gorm.DB, h Household, reservations []int64) error

// EraseHousehold erases a family's personal data at its request
// (administrators), who confirm by typing its reference: the erasure cannot
// be undone. A family still in the programme is withdrawn first, its
// reservation cancelled and the unit ready again. others erase, in the same
// transaction, what other packages keep of the family: callers go through
// certificates.Service.EraseHousehold, which passes its own.
//
// What identifies or describes the family goes: contact name (replaced by
// ErasedName), phone, postcode, income band, notes, the FSE+ answers, the
// reason of its status and the reasons given for cancelling its
// reservations. A family that entered the programme (was enrolled) leaves
// an unlinked FSE+ count (FSEErased), so that the funders' figures for its
// period do not change. What stays is
// anonymous once those are gone and is what the programme accounts for to
// its funders: the pseudonymous reference, the commune, QPV, the size of the
// household, the need, the status and dates, course attendance,
// reservations and the access log. Issued attestations are frozen documents
// kept for their own stated period (see the handover form): their PDF is
// not touched.
//
// On SQLite the write-ahead log is then checkpointed and emptied, so that
// the old copies of the erased values leave the -wal file.
func (s *Service) EraseHousehold(ctx context.Context, a ordi.Actor, id int64, confirm string, others ...Eraser) (Household, error) {
	if err := a.Require(ordi.Administer, "L'effacement d'un dossier est réservé aux administrateurs."); err != nil {
		return Household{}, err
	}
	var h Household
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if h, err = s.findHousehold(tx, a, id); err != nil {
			return err
		}
		if h.ErasedAt != nil {
			return ordi.Errorf(ordi.Conflict, "Les données de cette famille ont déjà été effacées.")
		}
		if !strings.EqualFold(strings.TrimSpace(confirm), h.Reference) {
			return &ordi.Error{Kind: ordi.Invalid, Message: "L'effacement n'a pas été confirmé : rien n'a été effacé.",
				Fields: []ordi.FieldError{{Field: "confirm", Message: "Recopiez la référence " + h.Reference + " pour confirmer l'effacement."}}}
		}
		return s.erase(ctx, tx, a, &h, ErasedOnRequest, others)
	})
	if err == nil {
		s.checkpoint(ctx)
	}
	return h, err
}

// erase withdraws h if it is still in the programme, then erases its
// personal data, with an update conditional on the status read: two
// erasures cannot both apply, and a change committed meanwhile (a new
// decision, a reservation) makes it fail rather than be erased unseen.
func (s *Service) erase(ctx context.Context, tx *gorm.DB, a ordi.Actor, h *Household, cause ErasureCause, others []Eraser) error {
	switch h.Status {
	case StatusEquipped, StatusWithdrawn, StatusIneligible:
	default:
		if err := s.withdraw(ctx, tx, a, h, cause.reason()); err != nil {
			return err
		}
	}
	now := s.now()
	res := tx.Model(&Household{}).Where("id = ? AND erased_at IS NULL AND status = ?", h.ID, h.Status).Updates(map[string]any{
		"contact_name": ErasedName, "phone": "", "postcode": "", "income_bracket": "", "notes": "",
		"fse_labour_status": "", "fse_age_band": "", "fse_education": "",
		"status_reason": cause.reason(), "erased_at": now, "updated_at": now, "version": gorm.Expr("version + 1"),
	})
	if res.Error != nil {
		return fmt.Errorf("erase household %d: %w", h.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return ordi.Errorf(ordi.Conflict, "La situation de la famille vient de changer, ou ses données viennent d'être effacées : rechargez la page.")
	}
	// The FSE+ answers leave the file; an unlinked count stays (FSEErased).
	if err := keepFSECount(tx, *h); err != nil {
		return err
	}
	h.ContactName, h.Phone, h.Postcode, h.IncomeBracket, h.Notes = ErasedName, "", "", "", ""
	h.FSEAnswers = FSEAnswers{}
	h.StatusReason, h.ErasedAt, h.UpdatedAt = cause.reason(), &now, now
	h.Version++
	// Staff's reasons for cancelling a reservation speak of the family
	// ("hospitalisée", "injoignable"): they go with its file.
	if err := tx.Model(&Reservation{}).Where("household_id = ? AND close_reason <> ''", h.ID).Update("close_reason", "").Error; err != nil {
		return fmt.Errorf("erase reservation reasons of household %d: %w", h.ID, err)
	}
	var reservations []int64
	if err := tx.Model(&Reservation{}).Where("household_id = ?", h.ID).Order("id").Pluck("id", &reservations).Error; err != nil {
		return fmt.Errorf("reservations of household %d: %w", h.ID, err)
	}
	for _, erase := range others {
		if err := erase(ctx, tx, *h, reservations); err != nil {
			return err
		}
	}
	return audit.Record(ctx, tx, now, a, "household.erase", "household", h.ID, string(cause))
}

// checkpoint copies SQLite's write-ahead log into the database file and
// truncates it, after an erasure: until then the log holds the pages as
// they were before, the erased values with them. It waits for readers
// (the busy timeout); when it cannot complete, the log is emptied at a later
// erasure or checkpoint, and the erasure stands. PostgreSQL's log is the
// server's own, recycled by it.
func (s *Service) checkpoint(ctx context.Context) {
	if s.db.Dialector.Name() != "sqlite" {
		return
	}
	var busy, frames, done int
	_ = s.db.WithContext(ctx).Raw("PRAGMA wal_checkpoint(TRUNCATE)").Row().Scan(&busy, &frames, &done)
}

// EraseExpired erases the families whose course through the programme
// ended more than RetentionYears ago: equipped, refused or withdrawn (the
// families who left before the end too), and unchanged since. others are as
// for EraseHousehold: callers go through certificates.Service.EraseExpired.
// It returns how many it erased. ordi serve runs it at start-up and daily;
// two sweeps at once erase each family once.
func (s *Service) EraseExpired(ctx context.Context, others ...Eraser) (erased int, _ error) {
	cutoff := s.now().AddDate(-RetentionYears, 0, 0)
	defer func() {
		if erased > 0 {
			s.checkpoint(ctx)
		}
	}()
	after := int64(0)
	for {
		var ids []int64
		err := s.db.WithContext(ctx).Model(&Household{}).
			Where("erased_at IS NULL AND status IN ? AND updated_at < ? AND id > ?", []HouseholdStatus{StatusEquipped, StatusIneligible, StatusWithdrawn}, cutoff, after).
			Order("id").Limit(100).Pluck("id", &ids).Error
		if err != nil {
			return erased, fmt.Errorf("expired households: %w", err)
		}
		if len(ids) == 0 {
			return erased, nil
		}
		for _, id := range ids {
			after = id
			err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				var h Household
				if err := tx.Where("id = ? AND erased_at IS NULL", id).Take(&h).Error; err != nil {
					return err
				}
				return s.erase(ctx, tx, ordi.System, &h, ErasedRetention, others)
			})
			switch {
			case err == nil:
				erased++
			case errors.Is(err, gorm.ErrRecordNotFound), errors.Is(err, ordi.Conflict):
				// Erased meanwhile, by another instance.
			default:
				return erased, err
			}
		}
	}
}
