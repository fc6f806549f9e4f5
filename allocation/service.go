package allocation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/audit"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/numbering"
	"github.com/ordi-app/ordi/settings"
)

// Service manages families, courses and reservations. Families outside a
// caller's scope are NotFound: their existence is not disclosed.
type Service struct {
	db        *gorm.DB
	now       func() time.Time
	inventory *inventory.Service
	access    *accessLog
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

// referenceSeries is the prefix of family references.
const referenceSeries = "F"

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

// Nominate records a family nominated with its consent. A social worker
// nominates for their own partner; an administrator names the partner.
func (s *Service) Nominate(ctx context.Context, a ordi.Actor, n NewHousehold) (Household, error) {
	band, err := n.validate()
	var v ordi.Validation
	if err := v.Merge(err); err != nil {
		return Household{}, err
	}
	switch {
	case a.Is(ordi.RoleSocialWorker):
		if n.PartnerID != 0 && n.PartnerID != a.PartnerID {
			v.Add("partner_id", "Vous ne pouvez orienter une famille que pour votre structure.")
		}
		n.PartnerID = a.PartnerID
	case a.Is(ordi.RoleAdmin):
		if n.PartnerID <= 0 {
			v.Add("partner_id", "Choisissez la structure qui oriente la famille.")
		}
	default:
		return Household{}, ordi.Errorf(ordi.Forbidden, "Seuls les travailleurs sociaux et les administrateurs orientent des familles.")
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
	now := s.now()
	h := Household{
		ContactName: n.ContactName, Phone: n.Phone, Commune: n.Commune, Postcode: n.Postcode, QPV: n.QPV,
		Adults: n.Adults, Children: n.Children, SchoolChildren: n.SchoolChildren, IncomeBracket: band,
		HasComputer: n.HasComputer, Need: n.Need, Notes: n.Notes, ConsentAt: now, ConsentByID: actorID(a),
		ConsentByName: a.Name, PartnerID: n.PartnerID, Status: StatusNominated, Version: 1, CreatedAt: now, UpdatedAt: now,
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
	if f.Status != "" && !f.Status.Valid() {
		var v ordi.Validation
		v.Add("status", "Statut inconnu.")
		return nil, v.Err()
	}
	q := scoped(s.db.WithContext(ctx).Model(&Household{}), a)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if t := strings.ToLower(strings.TrimSpace(f.Q)); t != "" {
		q = q.Where("(LOWER(reference) = ? OR LOWER(contact_name) LIKE ? ESCAPE '\\')", t, "%"+escapeLike(t)+"%")
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	limit := ordi.ListLimit(f.Limit)
	out := []HouseholdSummary{}
	err := q.Select("id, reference, contact_name, commune, need, partner_id, status, created_at, updated_at").
		Order("id DESC").Limit(limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list households: %w", err)
	}
	return out, nil
}

// CountByStatus counts the families the actor may see, per status. It is a
// count, not a read of anyone's file: nothing is logged.
func (s *Service) CountByStatus(ctx context.Context, a ordi.Actor) (map[HouseholdStatus]int, error) {
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

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
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
}

// UpdateHousehold edits a family's file (the nominating social worker's
// partner, or an administrator), with the version the caller read.
func (s *Service) UpdateHousehold(ctx context.Context, a ordi.Actor, id int64, up HouseholdUpdate) (Household, error) {
	if !a.Is(ordi.RoleAdmin, ordi.RoleSocialWorker) {
		return Household{}, ordi.Errorf(ordi.Forbidden, "Seuls le travailleur social et les administrateurs modifient le dossier d'une famille.")
	}
	var h Household
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if h, err = s.findOpenHousehold(tx, a, id); err != nil {
			return err
		}
		if up.Version != h.Version {
			return &ordi.Error{Kind: ordi.Conflict, Message: "Ce dossier a été modifié entre-temps : rechargez-le puis recommencez.", Extra: map[string]any{"current": h}}
		}
		if h.Status == StatusEquipped || h.Status == StatusWithdrawn {
			return ordi.Errorf(ordi.Conflict, "Le dossier d'une famille %s n'est plus modifiable.", strings.ToLower(h.Status.Label()))
		}
		n := NewHousehold{ContactName: h.ContactName, Phone: h.Phone, Commune: h.Commune, Postcode: h.Postcode, QPV: h.QPV,
			Adults: h.Adults, Children: h.Children, SchoolChildren: h.SchoolChildren, IncomeBracket: string(h.IncomeBracket),
			HasComputer: h.HasComputer, Need: h.Need, Notes: h.Notes, Consent: true, PartnerID: h.PartnerID}
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
		band, err := n.validate()
		if err != nil {
			return err
		}
		h.ContactName, h.Phone, h.Commune, h.Postcode, h.QPV = n.ContactName, n.Phone, n.Commune, n.Postcode, n.QPV
		h.Adults, h.Children, h.SchoolChildren, h.IncomeBracket = n.Adults, n.Children, n.SchoolChildren, band
		h.HasComputer, h.Need, h.Notes, h.UpdatedAt = n.HasComputer, n.Need, n.Notes, s.now()
		res := tx.Model(&Household{}).Where("id = ? AND version = ?", id, up.Version).Updates(map[string]any{
			"contact_name": h.ContactName, "phone": h.Phone, "commune": h.Commune, "postcode": h.Postcode, "qpv": h.QPV,
			"adults": h.Adults, "children": h.Children, "school_children": h.SchoolChildren, "income_bracket": h.IncomeBracket,
			"has_computer": h.HasComputer, "need": h.Need, "notes": h.Notes, "updated_at": h.UpdatedAt, "version": gorm.Expr("version + 1"),
		})
		if res.Error != nil {
			return fmt.Errorf("update household: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return ordi.Errorf(ordi.Conflict, "Ce dossier a été modifié entre-temps : rechargez-le puis recommencez.")
		}
		h.Version++
		return audit.Record(ctx, tx, h.UpdatedAt, a, "household.update", "household", h.ID, "")
	})
	return h, err
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
	if !a.Is(ordi.RoleAdmin, ordi.RoleStaff) {
		return Household{}, ordi.Errorf(ordi.Forbidden, "La décision d'éligibilité revient à l'équipe.")
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
		return audit.Record(ctx, tx, now, a, "household.decide", "household", h.ID, string(to))
	})
	return h, err
}

func statusIn(s HouseholdStatus, set []HouseholdStatus) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

// Withdraw takes a family out of the programme before it is equipped; an
// active reservation is cancelled and its unit becomes ready again.
func (s *Service) Withdraw(ctx context.Context, a ordi.Actor, id int64, reason string) (Household, error) {
	reason = strings.TrimSpace(reason)
	var v ordi.Validation
	text(&v, "reason", reason, maxNotes, "Indiquez pourquoi la famille sort du dispositif.")
	if err := v.Err(); err != nil {
		return Household{}, err
	}
	if !a.Is(ordi.RoleAdmin, ordi.RoleStaff, ordi.RoleSocialWorker) {
		return Household{}, notFound()
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

// programmeRulesKey is where the rules live in the settings table.
const programmeRulesKey = "programme.rules"

// Rules returns the programme rules, or the defaults when none were saved.
func (s *Service) Rules(ctx context.Context) (Rules, error) {
	r := DefaultRules()
	if _, err := settings.Load(ctx, s.db, programmeRulesKey, &r); err != nil {
		return Rules{}, err
	}
	return r, nil
}

// SetRules saves the programme rules (administrators).
func (s *Service) SetRules(ctx context.Context, a ordi.Actor, r Rules) (Rules, error) {
	if !a.Is(ordi.RoleAdmin) {
		return Rules{}, ordi.Errorf(ordi.Forbidden, "Seuls les administrateurs règlent le programme.")
	}
	if err := r.Validate(); err != nil {
		return Rules{}, err
	}
	return r, settings.Save(ctx, s.db, s.now(), a, programmeRulesKey, r)
}

// Checklist evaluates a family against the programme rules, for staff.
func (s *Service) Checklist(ctx context.Context, h Household) (Checklist, error) {
	r, err := s.Rules(ctx)
	if err != nil {
		return Checklist{}, err
	}
	f := Facts{QPV: h.QPV, IncomeBracket: h.IncomeBracket, HasComputer: h.HasComputer}
	if r.OneUnitPerHousehold {
		ref, err := s.equippedAs(ctx, h)
		if err != nil {
			return Checklist{}, err
		}
		f.AlreadyEquipped = ref != ""
		if ref != h.Reference {
			f.EquippedAs = ref
		}
	}
	return r.Evaluate(f), nil
}

// equippedAs returns the reference of a file, this one or another, under
// which the family already received a computer: the same file, or an
// equipped one with the same phone number or the same name in the same
// commune (a family nominated again by another partner, or a year later).
func (s *Service) equippedAs(ctx context.Context, h Household) (string, error) {
	var others []Household
	err := s.db.WithContext(ctx).Select("id, reference, contact_name, phone, commune").
		Where("(status = ? OR id = ?)", StatusEquipped, h.ID).
		Where("id IN (SELECT household_id FROM reservations WHERE status = ?)", ReservationHandedOver).
		Where("erased_at IS NULL"). // an erased family is no longer recognisable
		Find(&others).Error
	if err != nil {
		return "", fmt.Errorf("equipped households: %w", err)
	}
	phone, name, commune := phoneKey(h.Phone), nameKey(h.ContactName), nameKey(h.Commune)
	for _, o := range others {
		switch {
		case o.ID == h.ID,
			phone != "" && phoneKey(o.Phone) == phone,
			name != "" && nameKey(o.ContactName) == name && nameKey(o.Commune) == commune:
			return o.Reference, nil
		}
	}
	return "", nil
}

// phoneKey is a phone number's digits in national form ("+33 6 12…" and
// "06 12…" match); too short a number matches nothing.
func phoneKey(p string) string {
	var b strings.Builder
	for _, r := range p {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if strings.HasPrefix(d, "33") && len(d) == 11 {
		d = "0" + d[2:]
	}
	if len(d) < 9 {
		return ""
	}
	return d
}

// nameKey compares names regardless of case, accents and spacing.
func nameKey(n string) string {
	n = strings.ToLower(strings.Join(strings.Fields(n), " "))
	return strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "à", "a", "â", "a", "ä", "a", "î", "i", "ï", "i",
		"ô", "o", "ö", "o", "ù", "u", "û", "u", "ü", "u", "ç", "c", "œ", "oe", "æ", "ae", "-", " ").Replace(n)
}

// AccessLogFilter selects access-log entries, newest first: one family's,
// by id or by reference, or every family's.
type AccessLogFilter struct {
	HouseholdID int64
	Reference   string // F-YYYY-NNNN, any case; looked up when HouseholdID is 0
	Before      int64  // entries older than this id
	Limit       int
}

// AccessEntry is an access-log entry with the reference of the family file
// it concerns, "" once that file is gone.
type AccessEntry struct {
	audit.Entry
	Reference string `json:"household_reference,omitempty"`
}

// AccessLog returns access-log entries (administrators). A reference that
// names no family is an Invalid error on the field "reference".
func (s *Service) AccessLog(ctx context.Context, a ordi.Actor, f AccessLogFilter) ([]AccessEntry, error) {
	if !a.Is(ordi.RoleAdmin) {
		return nil, ordi.Errorf(ordi.Forbidden, "Le journal des accès est réservé aux administrateurs.")
	}
	db := s.db.WithContext(ctx)
	id := f.HouseholdID
	if ref := strings.ToUpper(strings.TrimSpace(f.Reference)); id == 0 && ref != "" {
		var ids []int64
		if err := db.Model(&Household{}).Where("reference = ?", ref).Limit(1).Pluck("id", &ids).Error; err != nil {
			return nil, fmt.Errorf("access log: %w", err)
		}
		if len(ids) == 0 {
			return nil, &ordi.Error{Kind: ordi.Invalid, Message: "Aucun dossier ne porte cette référence.",
				Fields: []ordi.FieldError{{Field: "reference", Message: "aucune famille " + ref}}}
		}
		id = ids[0]
	}
	af := audit.Filter{ObjectType: "household", Before: f.Before, Limit: f.Limit}
	if id > 0 {
		af.ObjectID = fmt.Sprint(id)
	}
	entries, err := audit.List(ctx, s.db, af)
	if err != nil {
		return nil, err
	}
	// The references of the families on this page, in one query.
	var ids []int64
	for _, e := range entries {
		if n, err := strconv.ParseInt(e.ObjectID, 10, 64); err == nil && !slices.Contains(ids, n) {
			ids = append(ids, n)
		}
	}
	var refs []struct {
		ID        int64
		Reference string
	}
	if len(ids) > 0 {
		if err := db.Model(&Household{}).Where("id IN ?", ids).Select("id", "reference").Find(&refs).Error; err != nil {
			return nil, fmt.Errorf("access log: %w", err)
		}
	}
	byID := make(map[string]string, len(refs))
	for _, r := range refs {
		byID[strconv.FormatInt(r.ID, 10)] = r.Reference
	}
	out := make([]AccessEntry, len(entries))
	for i, e := range entries {
		out[i] = AccessEntry{Entry: e, Reference: byID[e.ObjectID]}
	}
	return out, nil
}

// Export is everything Ordi holds about a family, for a right-of-access
// request (RGPD article 15).
type Export struct {
	ExportedAt   time.Time         `json:"exported_at"`
	Household    Household         `json:"household"`
	PartnerName  string            `json:"partner"`
	Courses      []ExportedCourse  `json:"courses"`
	Reservations []ReservationView `json:"reservations"`
	AccessLog    []audit.Entry     `json:"access_log"`
}

// ExportedCourse is a course the family attended, with its marks.
type ExportedCourse struct {
	Title    string    `json:"title"`
	Place    string    `json:"place"`
	Sessions []Session `json:"sessions"`
	Present  []*bool   `json:"present"`
}

// maxExportedAccesses bounds the access log in an export.
const maxExportedAccesses = 10_000

// ExportHousehold gathers a family's data and logs the export.
func (s *Service) ExportHousehold(ctx context.Context, a ordi.Actor, id int64) (Export, error) {
	if !a.Is(ordi.RoleAdmin, ordi.RoleSocialWorker) {
		return Export{}, ordi.Errorf(ordi.Forbidden, "L'export d'un dossier est réservé aux administrateurs et au travailleur social de la famille.")
	}
	h, err := s.readHousehold(ctx, a, id, AccessExport)
	if err != nil {
		return Export{}, err
	}
	db := s.db.WithContext(ctx)
	e := Export{ExportedAt: s.now(), Household: h, Courses: []ExportedCourse{}}
	var names []string
	db.Table("partners").Where("id = ?", h.PartnerID).Pluck("name", &names)
	if len(names) > 0 {
		e.PartnerName = names[0]
	}
	var courseIDs []int64
	if err := db.Table("enrollments").Where("household_id = ?", id).Pluck("course_id", &courseIDs).Error; err != nil {
		return Export{}, err
	}
	staff := ordi.Actor{Role: ordi.RoleStaff}
	for _, cid := range courseIDs {
		d, err := s.Course(ctx, staff, cid)
		if err != nil {
			return Export{}, err
		}
		ec := ExportedCourse{Title: d.Title, Place: d.Place, Sessions: d.Sessions}
		for _, at := range d.Attendees {
			if at.HouseholdID == id {
				ec.Present = at.Present
			}
		}
		e.Courses = append(e.Courses, ec)
	}
	if e.Reservations, err = s.Reservations(ctx, staff, ReservationFilter{HouseholdID: id, Limit: ordi.MaxLimit}); err != nil {
		return Export{}, err
	}
	if err := db.Where("object_type = ? AND object_id = ?", "household", fmt.Sprint(id)).Order("id").Limit(maxExportedAccesses).Find(&e.AccessLog).Error; err != nil {
		return Export{}, err
	}
	return e, nil
}
