package allocation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/audit"
	"github.com/ordi-app/ordi/numbering"
	"gorm.io/gorm"
)

// referenceSeries is the prefix of family references.
const referenceSeries = "F"

// Nominate records a family nominated with its consent. A social worker
// nominates for their own partner; an administrator names the partner.
func (s *Service) Nominate(ctx context.Context, a ordi.Actor, n NewHousehold) (Household, error) {
	if err := a.Require(ordi.NominateHouseholds, "Seuls les travailleurs sociaux et les administrateurs orientent des familles."); err != nil {
		return Household{}, err
	}
	band, err := n.validate()
	var v ordi.Validation
	if err := v.Merge(err); err != nil {
		return Household{}, err
	}
	// Data scope: a social worker nominates for their own partner only.
	if a.Is(ordi.RoleSocialWorker) {
		if n.PartnerID != 0 && n.PartnerID != a.PartnerID {
			v.Add("partner_id", "Vous ne pouvez orienter une famille que pour votre structure.")
		}
		n.PartnerID = a.PartnerID
	} else if n.PartnerID <= 0 {
		v.Add("partner_id", "Choisissez la structure qui oriente la famille.")
	}
	if err := s.fseAllowed(ctx, n.FSEAnswers, &v); err != nil {
		return Household{}, err
	}
	db := s.db.WithContext(ctx)
	if n.PartnerID > 0 && !v.Has("partner_id") {
		var found int64
		if err := db.Table("partners").Where("id = ?", n.PartnerID).Count(&found).Error; err != nil {
			return Household{}, err
		}
		if found == 0 {
			v.Add("partner_id", "Structure partenaire inconnue.")
		}
	}
	if err := v.Err(); err != nil {
		return Household{}, err
	}
	if !n.DuplicateOK {
		d, err := s.findDuplicates(ctx, a, n.ContactName, n.Phone)
		if err != nil {
			return Household{}, err
		}
		if d.Any() {
			return Household{}, &ordi.Error{Kind: ordi.Conflict, Message: d.Message(),
				Extra: map[string]any{"duplicates": append([]string{}, d.Visible...), "duplicates_elsewhere": d.Elsewhere}}
		}
	}
	now := s.now()
	h := Household{
		ContactName: n.ContactName, Phone: n.Phone, Commune: n.Commune, Postcode: n.Postcode, QPV: n.QPV,
		Adults: n.Adults, Children: n.Children, SchoolChildren: n.SchoolChildren, IncomeBracket: band,
		HasComputer: n.HasComputer, Need: n.Need, Notes: n.Notes, ConsentAt: now, ConsentByID: actorID(a),
		ConsentByName: a.Name, PartnerID: n.PartnerID, FSEAnswers: n.FSEAnswers, Status: StatusNominated, Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	if a.Is(ordi.RoleSocialWorker) {
		h.SocialWorkerID = actorID(a)
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		seq, err := numbering.Next(tx, referenceSeries, referenceYear(now))
		if err != nil {
			return err
		}
		h.Reference = numbering.Format(referenceSeries, referenceYear(now), seq)
		if err := tx.Create(&h).Error; err != nil {
			return fmt.Errorf("insert household: %w", err)
		}
		return audit.Record(ctx, tx, now, a, "household.nominate", "household", h.ID, h.Reference)
	})
	if err != nil {
		return Household{}, err
	}
	return h, nil
}

// Household returns a family's file once the read is written to the access
// log: no read goes unrecorded. Concurrent reads share one insert (see
// accessLog).
func (s *Service) Household(ctx context.Context, a ordi.Actor, id int64) (Household, error) {
	return s.readHousehold(ctx, a, id, AccessRead)
}

func (s *Service) readHousehold(ctx context.Context, a ordi.Actor, id int64, action string) (Household, error) {
	if err := a.Require(ordi.ReadHouseholds, readHouseholdsMessage); err != nil {
		return Household{}, err
	}
	h, err := s.findHousehold(s.db.WithContext(ctx), a, id)
	if err != nil {
		return Household{}, err
	}
	e := audit.Entry{At: s.now(), ActorID: actorID(a), ActorName: a.Name, Action: action, ObjectType: "household", ObjectID: fmt.Sprint(h.ID)}
	if err := s.access.record(ctx, e); err != nil {
		// Without its log entry, the file is not shown.
		return Household{}, err
	}
	return h, nil
}

const readHouseholdsMessage = "Les dossiers des familles sont réservés à l'équipe, aux administrateurs et à leur travailleur social."

// HouseholdFilter selects families, newest first.
type HouseholdFilter struct {
	Status HouseholdStatus
	Q      string // reference or contact name
	Before int64
	Limit  int
}

// HouseholdSummary is a family as lists show it: enough to find it and know
// where it stands, none of its file (phone, household, income band, notes,
// consent), which only a read of the file shows, and logs.
type HouseholdSummary struct {
	ID          int64           `json:"id"`
	Reference   string          `json:"reference"`
	ContactName string          `json:"contact_name"`
	Commune     string          `json:"commune"`
	Need        Need            `json:"need"`
	PartnerID   int64           `json:"partner_id"`
	Status      HouseholdStatus `json:"status"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

// Households lists the families the actor may see, as summaries.
func (s *Service) Households(ctx context.Context, a ordi.Actor, f HouseholdFilter) ([]HouseholdSummary, error) {
	if err := a.Require(ordi.ReadHouseholds, readHouseholdsMessage); err != nil {
		return nil, err
	}
	if f.Status != "" && !f.Status.Valid() {
		var v ordi.Validation
		v.Add("status", "Statut inconnu.")
		return nil, v.Err()
	}
	limit := ordi.ListLimit(f.Limit)
	out := []HouseholdSummary{}
	err := s.householdQuery(ctx, a, f).Select(householdSummaryColumns).Order("id DESC").Limit(limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list households: %w", err)
	}
	return out, nil
}

// householdSummaryColumns are the columns of a HouseholdSummary.
const householdSummaryColumns = "id, reference, contact_name, commune, need, partner_id, status, created_at, updated_at"

// householdQuery selects the families f asks for among those a may see,
// before ordering and limits.
func (s *Service) householdQuery(ctx context.Context, a ordi.Actor, f HouseholdFilter) *gorm.DB {
	q := scoped(s.db.WithContext(ctx).Model(&Household{}), a)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	// Every word must be in the name, or be the reference, in any order,
	// whatever the case and accents ("aicha benali" finds "BENALI Aïcha").
	for _, w := range ordi.SearchWords(f.Q, maxSearchWords) {
		q = q.Where("(LOWER(reference) = ? OR "+foldedName+" LIKE ? ESCAPE '\\')", w, "%"+escapeLike(w)+"%")
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	return q
}

// CountByStatus counts the families the actor may see, per status. It is a
// count, not a read of anyone's file: nothing is logged.
func (s *Service) CountByStatus(ctx context.Context, a ordi.Actor) (map[HouseholdStatus]int, error) {
	if err := a.Require(ordi.ReadHouseholds, readHouseholdsMessage); err != nil {
		return nil, err
	}
	var rows []struct {
		Status HouseholdStatus
		N      int
	}
	err := scoped(s.db.WithContext(ctx).Model(&Household{}), a).Select("status, COUNT(*) AS n").Group("status").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("count households: %w", err)
	}
	out := make(map[HouseholdStatus]int, len(rows))
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// HouseholdUpdate changes a family's file; nil fields are left alone.
type HouseholdUpdate struct {
	Version        int     `json:"version"`
	ContactName    *string `json:"contact_name"`
	Phone          *string `json:"phone"`
	Commune        *string `json:"commune"`
	Postcode       *string `json:"postcode"`
	QPV            *bool   `json:"qpv"`
	Adults         *int    `json:"adults"`
	Children       *int    `json:"children"`
	SchoolChildren *int    `json:"school_children"`
	IncomeBracket  *string `json:"income_bracket"`
	HasComputer    *bool   `json:"has_computer"`
	Need           *Need   `json:"need"`
	Notes          *string `json:"notes"`
	// The FSE+ answers: "" clears one, "declined" records a refusal.
	FSELabour    *string `json:"fse_labour_status"`
	FSEAge       *string `json:"fse_age_band"`
	FSEEducation *string `json:"fse_education"`
}

// UpdateHousehold edits a family's file (the nominating social worker's
// partner, or an administrator), with the version the caller read.
func (s *Service) UpdateHousehold(ctx context.Context, a ordi.Actor, id int64, up HouseholdUpdate) (Household, error) {
	if err := a.Require(ordi.NominateHouseholds, "Seuls le travailleur social et les administrateurs modifient le dossier d'une famille."); err != nil {
		return Household{}, err
	}
	var h Household
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if h, err = s.findOpenHousehold(tx, a, id); err != nil {
			return err
		}
		if up.Version != h.Version {
			// The current version only: the file itself is shown by a read,
			// which the access log records.
			return staleHousehold(h.Version)
		}
		if h.Status == StatusEquipped || h.Status == StatusWithdrawn {
			return ordi.Errorf(ordi.Conflict, "Le dossier d'une famille %s n'est plus modifiable.", strings.ToLower(h.Status.Label()))
		}
		n := NewHousehold{ContactName: h.ContactName, Phone: h.Phone, Commune: h.Commune, Postcode: h.Postcode, QPV: h.QPV,
			Adults: h.Adults, Children: h.Children, SchoolChildren: h.SchoolChildren, IncomeBracket: string(h.IncomeBracket),
			HasComputer: h.HasComputer, Need: h.Need, Notes: h.Notes, Consent: true, PartnerID: h.PartnerID, FSEAnswers: h.FSEAnswers}
		setStr := func(dst *string, src *string) {
			if src != nil {
				*dst = *src
			}
		}
		setStr(&n.ContactName, up.ContactName)
		setStr(&n.Phone, up.Phone)
		setStr(&n.Commune, up.Commune)
		setStr(&n.Postcode, up.Postcode)
		setStr(&n.IncomeBracket, up.IncomeBracket)
		setStr(&n.Notes, up.Notes)
		if up.QPV != nil {
			n.QPV = *up.QPV
		}
		if up.HasComputer != nil {
			n.HasComputer = *up.HasComputer
		}
		if up.Adults != nil {
			n.Adults = *up.Adults
		}
		if up.Children != nil {
			n.Children = *up.Children
		}
		if up.SchoolChildren != nil {
			n.SchoolChildren = *up.SchoolChildren
		}
		if up.Need != nil {
			n.Need = *up.Need
		}
		if up.FSELabour != nil {
			n.Labour = FSELabour(*up.FSELabour)
		}
		if up.FSEAge != nil {
			n.Age = FSEAge(*up.FSEAge)
		}
		if up.FSEEducation != nil {
			n.Education = FSEEducation(*up.FSEEducation)
		}
		band, err := n.validate()
		var v ordi.Validation
		if err := v.Merge(err); err != nil {
			return err
		}
		// Only answers being set need the questions on: a file keeps what
		// it was given while they were asked.
		var changed FSEAnswers
		if up.FSELabour != nil && n.Labour != h.Labour {
			changed.Labour = n.Labour
		}
		if up.FSEAge != nil && n.Age != h.Age {
			changed.Age = n.Age
		}
		if up.FSEEducation != nil && n.Education != h.Education {
			changed.Education = n.Education
		}
		if err := s.fseAllowed(ctx, changed, &v); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		h.ContactName, h.Phone, h.Commune, h.Postcode, h.QPV = n.ContactName, n.Phone, n.Commune, n.Postcode, n.QPV
		h.Adults, h.Children, h.SchoolChildren, h.IncomeBracket = n.Adults, n.Children, n.SchoolChildren, band
		h.HasComputer, h.Need, h.Notes, h.UpdatedAt = n.HasComputer, n.Need, n.Notes, s.now()
		h.FSEAnswers = n.FSEAnswers
		res := tx.Model(&Household{}).Where("id = ? AND version = ?", id, up.Version).Updates(map[string]any{
			"contact_name": h.ContactName, "phone": h.Phone, "commune": h.Commune, "postcode": h.Postcode, "qpv": h.QPV,
			"adults": h.Adults, "children": h.Children, "school_children": h.SchoolChildren, "income_bracket": h.IncomeBracket,
			"has_computer": h.HasComputer, "need": h.Need, "notes": h.Notes, "updated_at": h.UpdatedAt,
			"fse_labour_status": h.Labour, "fse_age_band": h.Age, "fse_education": h.Education, "version": gorm.Expr("version + 1"),
		})
		if res.Error != nil {
			return fmt.Errorf("update household: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return staleHousehold(0)
		}
		h.Version++
		return audit.Record(ctx, tx, h.UpdatedAt, a, "household.update", "household", h.ID, "")
	})
	return h, err
}

// staleHousehold is the Conflict of an edit made on an old version of a
// file: it carries the current version (when known), never the file, whose
// reads go through the access log.
func staleHousehold(current int) error {
	e := &ordi.Error{Kind: ordi.Conflict, Message: "Ce dossier a été modifié entre-temps : rechargez-le puis recommencez."}
	if current > 0 {
		e.Extra = map[string]any{"current": map[string]int{"version": current}}
	}
	return e
}

// setStatus moves a family from one status to another with a conditional
// update, so that two concurrent changes cannot both apply, and none applies
// to a file erased meanwhile.
func (s *Service) setStatus(tx *gorm.DB, h *Household, from []HouseholdStatus, to HouseholdStatus, extra map[string]any) error {
	now := s.now()
	changes := map[string]any{"status": to, "updated_at": now, "version": gorm.Expr("version + 1")}
	for k, v := range extra {
		changes[k] = v
	}
	res := tx.Model(&Household{}).Where("id = ? AND status IN ? AND erased_at IS NULL", h.ID, from).Updates(changes)
	if res.Error != nil {
		return fmt.Errorf("household %d to %s: %w", h.ID, to, res.Error)
	}
	if res.RowsAffected == 0 {
		return ordi.Errorf(ordi.Conflict, "La situation de la famille vient de changer : rechargez la page.")
	}
	h.Status, h.UpdatedAt = to, now
	h.Version++
	return nil
}

// Decide records the eligibility decision for a nominated family. A refusal
// needs a reason: the social worker sees it.
func (s *Service) Decide(ctx context.Context, a ordi.Actor, id int64, eligible bool, reason string) (Household, error) {
	if err := a.Require(ordi.Allocate, "La décision d'éligibilité revient à l'équipe."); err != nil {
		return Household{}, err
	}
	reason = strings.TrimSpace(reason)
	var v ordi.Validation
	if !eligible && reason == "" {
		v.Add("reason", "Indiquez le motif du refus : le travailleur social le verra.")
	}
	text(&v, "reason", reason, maxNotes, "")
	if err := v.Err(); err != nil {
		return Household{}, err
	}
	var h Household
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if h, err = s.findOpenHousehold(tx, a, id); err != nil {
			return err
		}
		from := []HouseholdStatus{StatusNominated, StatusEligible, StatusIneligible}
		if !statusIn(h.Status, from) {
			return ordi.Errorf(ordi.Conflict, "La famille est « %s » : la décision d'éligibilité n'est plus modifiable.", h.Status.Label())
		}
		to := StatusIneligible
		if eligible {
			to = StatusEligible
		}
		now := s.now()
		if err := s.setStatus(tx, &h, from, to, map[string]any{"status_reason": reason, "decided_at": now, "decided_by_name": a.Name}); err != nil {
			return err
		}
		h.StatusReason, h.DecidedAt, h.DecidedByName = reason, &now, a.Name
		if err := s.tellSocialWorker(tx, h, s.notify.EligibilityMail(h.Reference, h.ID, eligible)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, "household.decide", "household", h.ID, string(to))
	})
	return h, err
}

// Withdraw takes a family out of the programme before it is equipped; an
// active reservation is cancelled and its unit becomes ready again.
func (s *Service) Withdraw(ctx context.Context, a ordi.Actor, id int64, reason string) (Household, error) {
	// Staff withdraw a family as they allocate, its social worker as they
	// nominate: no single capability of DESIGN §3 says both.
	if !a.Can(ordi.Allocate) && !a.Can(ordi.NominateHouseholds) {
		return Household{}, ordi.Errorf(ordi.Forbidden, "Seuls l'équipe, les administrateurs et le travailleur social de la famille la font sortir du dispositif.")
	}
	reason = strings.TrimSpace(reason)
	var v ordi.Validation
	text(&v, "reason", reason, maxNotes, "Indiquez pourquoi la famille sort du dispositif.")
	if err := v.Err(); err != nil {
		return Household{}, err
	}
	var h Household
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if h, err = s.findOpenHousehold(tx, a, id); err != nil {
			return err
		}
		if h.Status == StatusEquipped || h.Status == StatusWithdrawn {
			return ordi.Errorf(ordi.Conflict, "Une famille %s ne peut plus sortir du dispositif.", strings.ToLower(h.Status.Label()))
		}
		return s.withdraw(ctx, tx, a, &h, reason)
	})
	return h, err
}

// withdraw takes h out of the programme inside tx, cancelling its active
// reservation if it has one.
func (s *Service) withdraw(ctx context.Context, tx *gorm.DB, a ordi.Actor, h *Household, reason string) error {
	if h.Status == StatusReserved {
		var r Reservation
		if err := tx.Where("household_id = ? AND status = ?", h.ID, ReservationActive).Take(&r).Error; err == nil {
			// The reason stays in the family's file: the reservation and
			// the unit's history, which volunteers read, get none of it.
			if err := s.cancel(ctx, tx, a, &r, "Famille sortie du dispositif."); err != nil {
				return err
			}
		}
	}
	// From the status read: a reservation committed meanwhile must not stay
	// active on a withdrawn family.
	if err := s.setStatus(tx, h, []HouseholdStatus{h.Status}, StatusWithdrawn, map[string]any{"status_reason": reason}); err != nil {
		return err
	}
	h.StatusReason = reason
	return audit.Record(ctx, tx, s.now(), a, "household.withdraw", "household", h.ID, "")
}
