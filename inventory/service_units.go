package inventory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ordi-app/ordi"
	"gorm.io/gorm"
)

// maxCodeAttempts bounds retries when a concurrent insert took a code between
// freshCodes and the insert.
const maxCodeAttempts = 5

// CreateUnit registers a unit of a donation, status received. A workbench
// may (ordi.Intake): it creates the unit of the computer it has just probed.
func (s *Service) CreateUnit(ctx context.Context, actor ordi.Actor, n NewUnit) (Unit, error) {
	if err := actor.Require(ordi.Intake, refuseManage); err != nil {
		return Unit{}, err
	}
	n.normalize()
	var v ordi.Validation
	n.validate(&v)
	if n.DonationID <= 0 {
		v.Add("donation_id", "Choisissez le don auquel appartient l'unité.")
	}
	db := s.db.WithContext(ctx)
	if n.DonationID > 0 {
		var found int64
		if err := db.Model(&Donation{}).Where("id = ?", n.DonationID).Count(&found).Error; err != nil {
			return Unit{}, fmt.Errorf("check donation: %w", err)
		}
		if found == 0 {
			v.Add("donation_id", "Don inconnu.")
		}
	}
	if err := v.Err(); err != nil {
		return Unit{}, err
	}
	for attempt := 1; ; attempt++ {
		u, err := s.insertUnits(ctx, actor, n.DonationID, []UnitSpec{n.UnitSpec}, ActionCreated)
		if errors.Is(err, gorm.ErrDuplicatedKey) && attempt < maxCodeAttempts {
			continue
		}
		if err != nil {
			return Unit{}, err
		}
		return u[0], nil
	}
}

// insertUnits creates validated units with fresh codes and their creation
// events in one transaction.
func (s *Service) insertUnits(ctx context.Context, actor ordi.Actor, donationID int64, specs []UnitSpec, action string) ([]Unit, error) {
	now := s.now()
	units := make([]Unit, len(specs))
	for i, spec := range specs {
		units[i] = Unit{DonationID: donationID, Status: StatusReceived, Version: 1, CreatedAt: now, UpdatedAt: now}
		spec.apply(&units[i])
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		codes, err := s.freshCodes(tx, len(units))
		if err != nil {
			return err
		}
		for i := range units {
			units[i].Code = codes[i]
		}
		if err := tx.CreateInBatches(&units, 500).Error; err != nil {
			return fmt.Errorf("insert units: %w", err)
		}
		events := make([]Event, len(units))
		for i, u := range units {
			events[i] = Event{UnitID: u.ID, At: now, ActorID: actorID(actor), ActorName: actor.Name, Action: action, ToStatus: StatusReceived}
		}
		if err := tx.CreateInBatches(&events, 500).Error; err != nil {
			return fmt.Errorf("insert events: %w", err)
		}
		return nil
	})
	return units, err
}

// freshCodes draws n codes that are distinct from each other and from every
// code in the table. Thirty random bits make a collision rare for one unit
// but likely for a large import into a large inventory (10,000 codes among
// 100,000 collide about once in two), so codes already taken are drawn again
// here rather than failing the whole transaction on the unique index. A
// concurrent insert between this check and ours still hits the index, and the
// caller retries.
func (s *Service) freshCodes(tx *gorm.DB, n int) ([]Code, error) {
	codes := make([]Code, 0, n)
	seen := make(map[Code]bool, n)
	draw := n
	for round := 0; draw > 0; round++ {
		if round == 100 {
			return nil, fmt.Errorf("inventory: no free unit code after %d draws", round)
		}
		fresh := make([]Code, 0, draw)
		for len(fresh) < draw {
			c, err := NewCode(s.rand)
			if err != nil {
				return nil, err
			}
			if !seen[c] {
				seen[c] = true
				fresh = append(fresh, c)
			}
		}
		taken := map[Code]bool{}
		for chunk := range slices.Chunk(fresh, 500) {
			var found []Code
			if err := tx.Model(&Unit{}).Where("code IN ?", chunk).Pluck("code", &found).Error; err != nil {
				return nil, fmt.Errorf("check unit codes: %w", err)
			}
			for _, c := range found {
				taken[c] = true
			}
		}
		draw = 0
		for _, c := range fresh {
			if taken[c] {
				draw++ // seen keeps it out of the next draw
				continue
			}
			codes = append(codes, c)
		}
	}
	return codes, nil
}

// Unit returns the unit with the given code. A code that is not well formed
// is NotFound before any lookup.
func (s *Service) Unit(ctx context.Context, actor ordi.Actor, code string) (Unit, error) {
	if err := actor.Require(ordi.ReadUnits, refuseRead); err != nil {
		return Unit{}, err
	}
	c, err := ParseCode(code)
	if err != nil {
		return Unit{}, err
	}
	return findUnit(s.db.WithContext(ctx), c)
}

func findUnit(db *gorm.DB, c Code) (Unit, error) {
	var u Unit
	err := db.Where("code = ?", c).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Unit{}, unknownCode()
	}
	if err != nil {
		return Unit{}, fmt.Errorf("find unit %s: %w", c, err)
	}
	return u, nil
}

// UnitFilter selects units, newest first. Zero fields match everything.
type UnitFilter struct {
	Status     Status
	Kind       Kind
	DonationID int64
	// Q looks in code, brand, model and serial number.
	Q string
	// Unprinted keeps units whose label was never printed (the print queue).
	Unprinted bool
	Before    int64 // keyset cursor: units with a smaller internal id
	Limit     int
}

// Validate refuses unknown statuses and kinds.
func (f UnitFilter) Validate() error {
	var v ordi.Validation
	if f.Status != "" && !f.Status.Valid() {
		v.Add("status", "Statut inconnu.")
	}
	if f.Kind != "" && !f.Kind.Valid() {
		v.Add("kind", "Type d'unité inconnu.")
	}
	optionalText(&v, "q", f.Q, maxShortText)
	return v.Err()
}

// Units lists units. The cursor for the next page is the last unit's ID.
func (s *Service) Units(ctx context.Context, actor ordi.Actor, f UnitFilter) ([]Unit, error) {
	if err := actor.Require(ordi.ReadUnits, refuseRead); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	q := s.unitQuery(ctx, f)
	var out []Unit
	if err := q.Order("id DESC").Limit(ordi.ListLimit(f.Limit)).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list units: %w", err)
	}
	return out, nil
}

// unitQuery selects the units f asks for, before ordering and limits.
func (s *Service) unitQuery(ctx context.Context, f UnitFilter) *gorm.DB {
	q := s.db.WithContext(ctx).Model(&Unit{})
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.DonationID > 0 {
		q = q.Where("donation_id = ?", f.DonationID)
	}
	if f.Unprinted {
		q = q.Where("label_printed_at IS NULL")
	}
	if t := strings.TrimSpace(f.Q); t != "" {
		// A substring test, not LIKE: no wildcard to escape, and cheaper per
		// row when nothing matches and every row is read. Every word must
		// be there, in any order ("t480 lenovo"); search is folded.
		contains := "instr(search, ?) > 0"
		if s.db.Dialector.Name() == "postgres" {
			contains = "strpos(search, ?) > 0"
		}
		words := ordi.SearchWords(t, maxSearchWords)
		if c, err := ParseCode(t); err == nil {
			q = q.Where("(code = ? OR "+contains+")", c, ordi.Fold(t))
		} else {
			for _, w := range words {
				q = q.Where(contains, w)
			}
		}
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	return q
}

// UpdateUnit edits a unit's description. The update carries the version the
// caller read; when the unit changed since, nothing is written and the
// Conflict error holds the current unit in Extra["current"].
func (s *Service) UpdateUnit(ctx context.Context, actor ordi.Actor, code string, up UnitUpdate) (Unit, error) {
	if err := actor.Require(ordi.ManageInventory, refuseManage); err != nil {
		return Unit{}, err
	}
	c, err := ParseCode(code)
	if err != nil {
		return Unit{}, err
	}
	var u Unit
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if u, err = findUnit(tx, c); err != nil {
			return err
		}
		if up.Version <= 0 {
			var v ordi.Validation
			v.Add("version", "Indiquez la version de la fiche que vous modifiez.")
			return v.Err()
		}
		if up.Version != u.Version {
			return staleVersion(u)
		}
		spec := up.merge(specOf(u))
		spec.normalize()
		var v ordi.Validation
		spec.validate(&v)
		if err := v.Err(); err != nil {
			return err
		}
		changed := specOf(u).changed(spec)
		if len(changed) == 0 {
			return nil
		}
		spec.apply(&u)
		u.UpdatedAt = s.now()
		res := tx.Model(&Unit{}).Where("id = ? AND version = ?", u.ID, up.Version).Updates(map[string]any{
			"kind": u.Kind, "brand": u.Brand, "model": u.Model, "serial_number": u.SerialNumber, "cpu": u.CPU,
			"ram_gb": u.RAMGB, "storage_gb": u.StorageGB, "storage_kind": u.StorageKind,
			"screen_inches": u.ScreenInches, "weight_kg": u.WeightKG, "grade": u.Grade, "os": u.OS,
			"notes": u.Notes, "search": u.Search, "version": gorm.Expr("version + 1"), "updated_at": u.UpdatedAt,
		})
		if res.Error != nil {
			return fmt.Errorf("update unit %s: %w", c, res.Error)
		}
		if res.RowsAffected == 0 {
			current, err := findUnit(tx, c)
			if err != nil {
				return err
			}
			return staleVersion(current)
		}
		u.Version++
		data, _ := json.Marshal(map[string]any{"fields": changed})
		return tx.Create(&Event{UnitID: u.ID, At: u.UpdatedAt, ActorID: actorID(actor), ActorName: actor.Name,
			Action: ActionEdited, FromStatus: u.Status, ToStatus: u.Status, Data: string(data)}).Error
	})
	if err != nil {
		return Unit{}, err
	}
	return u, nil
}

func staleVersion(current Unit) error {
	return &ordi.Error{
		Kind:    ordi.Conflict,
		Message: "Cette fiche a été modifiée entre-temps par quelqu'un d'autre. Voici sa version actuelle : vérifiez, puis recommencez.",
		Extra:   map[string]any{"current": current},
	}
}

// maxHistory bounds a unit's history read at once; a unit's whole life is a
// few dozen events.
const maxHistory = 1000

// Events returns a unit's history, oldest first.
func (s *Service) Events(ctx context.Context, actor ordi.Actor, code string) ([]Event, error) {
	u, err := s.Unit(ctx, actor, code)
	if err != nil {
		return nil, err
	}
	var out []Event
	if err := s.db.WithContext(ctx).Where("unit_id = ?", u.ID).Order("id").Limit(maxHistory).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return out, nil
}

// UnitsByCodes returns the units with the given codes, in the order given,
// each once. Codes that do not parse or do not exist make an Invalid error
// naming them: nothing is half-done.
func (s *Service) UnitsByCodes(ctx context.Context, actor ordi.Actor, codes []string) ([]Unit, error) {
	if err := actor.Require(ordi.ReadUnits, refuseRead); err != nil {
		return nil, err
	}
	var parsed []Code
	seen := map[Code]bool{}
	var unknown []string
	for _, raw := range codes {
		c, err := ParseCode(raw)
		if err != nil {
			unknown = append(unknown, strings.TrimSpace(raw))
			continue
		}
		if !seen[c] {
			seen[c] = true
			parsed = append(parsed, c)
		}
	}
	byCode := map[Code]Unit{}
	for start := 0; start < len(parsed); start += 500 {
		batch := parsed[start:min(start+500, len(parsed))]
		var found []Unit
		if err := s.db.WithContext(ctx).Where("code IN ?", batch).Find(&found).Error; err != nil {
			return nil, fmt.Errorf("find units: %w", err)
		}
		for _, u := range found {
			byCode[u.Code] = u
		}
	}
	out := make([]Unit, 0, len(parsed))
	for _, c := range parsed {
		u, ok := byCode[c]
		if !ok {
			unknown = append(unknown, string(c))
			continue
		}
		out = append(out, u)
	}
	if len(unknown) > 0 {
		shown := unknown
		if len(shown) > 20 {
			shown = shown[:20]
		}
		what := "Codes inconnus"
		if len(unknown) == 1 {
			what = "Code inconnu"
		}
		return nil, &ordi.Error{Kind: ordi.Invalid, Message: fmt.Sprintf("%s : %s.", what, strings.Join(shown, ", ")),
			Fields: []ordi.FieldError{{Field: "codes", Message: strings.ToLower(what[:1]) + what[1:] + " : " + strings.Join(shown, ", ")}}}
	}
	return out, nil
}

// MarkLabelsPrinted records that the units' labels were printed, with an
// event on each: they leave the print queue.
func (s *Service) MarkLabelsPrinted(ctx context.Context, actor ordi.Actor, units []Unit, template string) error {
	if err := actor.Require(ordi.ReadUnits, refusePrint); err != nil {
		return err
	}
	if len(units) == 0 {
		return nil
	}
	now := s.now()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ids := make([]int64, len(units))
		events := make([]Event, len(units))
		data, _ := json.Marshal(map[string]string{"template": template})
		for i, u := range units {
			ids[i] = u.ID
			events[i] = Event{UnitID: u.ID, At: now, ActorID: actorID(actor), ActorName: actor.Name, Action: ActionLabelPrinted,
				FromStatus: u.Status, ToStatus: u.Status, Data: string(data)}
		}
		for start := 0; start < len(ids); start += 500 {
			batch := ids[start:min(start+500, len(ids))]
			if err := tx.Model(&Unit{}).Where("id IN ?", batch).Update("label_printed_at", now).Error; err != nil {
				return fmt.Errorf("mark printed: %w", err)
			}
		}
		return tx.CreateInBatches(&events, 500).Error
	})
}

// maxSearchWords bounds the words of a search, each a test on every row.
const maxSearchWords = 8
