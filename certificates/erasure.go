package certificates

import (
	"context"
	"encoding/json"
	"fmt"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/audit"
)

// EraseHousehold erases a family's personal data at its request: what
// allocation holds (allocation.Service.EraseHousehold: its file, the reasons
// of its cancelled reservations) and, in the same transaction, what the
// attestations of its handovers keep beside their frozen PDF: the
// signatory's name, and the reason given for each correction. This is the
// erasure's one entry point; the PDFs themselves stay (docs/decisions.md).
func (s *Service) EraseHousehold(ctx context.Context, a ordi.Actor, id int64, confirm string) (allocation.Household, error) {
	return s.allocation.EraseHousehold(ctx, a, id, confirm, s.erasers()...)
}

// EraseExpired erases, as EraseHousehold does, the families whose retention
// period ran out (allocation.Service.EraseExpired). ordi serve runs it.
func (s *Service) EraseExpired(ctx context.Context) (int, error) {
	return s.allocation.EraseExpired(ctx, s.erasers()...)
}

// AlsoErase adds erasers of what packages certificates does not know keep
// of a family (the API's kept answers, account.ForgetAnswersAbout): the
// wiring (app.New) passes them, so that every erasure, on request or at the
// end of retention, runs them in its transaction.
func (s *Service) AlsoErase(e ...allocation.Eraser) { s.others = append(s.others, e...) }

func (s *Service) erasers() []allocation.Eraser {
	return append([]allocation.Eraser{s.eraseAttestations}, s.others...)
}

// eraseAttestations removes the signatory's name from the details of the
// attestations issued for reservations, and the reason from the audit entry
// of each correction ("remplace REM-… : nom mal orthographié" keeps
// "remplace REM-…"): the family or its signatory may be named there. An
// attestation still pending (its PDF not rendered yet, frozen.go) is
// rendered and frozen first: its inputs hold the signatory's name and
// signature, and once they are erased it could never be rendered.
func (s *Service) eraseAttestations(ctx context.Context, tx *gorm.DB, _ allocation.Household, reservations []int64) error {
	if len(reservations) == 0 {
		return nil
	}
	var certs []Certificate
	if err := tx.WithContext(ctx).Select("id", "number", "kind", "details", "public", "render_input").Where("reservation_id IN ?", reservations).Order("id").Find(&certs).Error; err != nil {
		return fmt.Errorf("attestations to erase: %w", err)
	}
	for _, c := range certs {
		if c.Pending() {
			cols, err := s.frozenColumns(c)
			if err != nil {
				return &ordi.Error{Kind: ordi.Conflict, Err: err,
					Message: fmt.Sprintf("L'attestation %s n'a pas encore pu être produite : l'effacement attend qu'elle le soit. Réessayez plus tard.", c.Number)}
			}
			if err := tx.Model(&Certificate{}).Where("id = ?", c.ID).Updates(cols).Error; err != nil {
				return fmt.Errorf("freeze %s before erasing: %w", c.Number, err)
			}
		}
		d := map[string]any{}
		// Details the code cannot read are replaced whole: nothing of them
		// may survive unseen.
		_ = json.Unmarshal([]byte(c.Details), &d)
		corrects, _ := d["corrects"].(string)
		erased := map[string]any{"erased": true}
		for _, keep := range []string{"accessories", "signed_on_tablet", "corrects"} {
			if v, ok := d[keep]; ok {
				erased[keep] = v
			}
		}
		details, err := json.Marshal(erased)
		if err != nil {
			return err
		}
		if err := tx.Model(&Certificate{}).Where("id = ?", c.ID).Update("details", string(details)).Error; err != nil {
			return fmt.Errorf("erase the details of %s: %w", c.Number, err)
		}
		if corrects == "" {
			continue
		}
		err = tx.Model(&audit.Entry{}).Where("object_type = ? AND object_id = ? AND action = ?", "certificate", c.Number, "certificate.reissue").
			Update("detail", "remplace "+corrects).Error
		if err != nil {
			return fmt.Errorf("erase the correction reason of %s: %w", c.Number, err)
		}
	}
	return nil
}
