package inventory

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
)

// Service registers donors, donations and units and moves units through
// their lifecycle. Every change to a unit writes an event in the same
// transaction.
type Service struct {
	db   *gorm.DB
	now  func() time.Time
	rand io.Reader
}

// NewService returns a service over db. now is the clock.
func NewService(db *gorm.DB, now func() time.Time) *Service {
	return &Service{db: db, now: func() time.Time { return now().UTC() }, rand: rand.Reader}
}

// WithTx returns the service working inside tx, for another package's
// transaction (allocation moving a unit while it reserves it).
func (s *Service) WithTx(tx *gorm.DB) *Service {
	c := *s
	c.db = tx
	return &c
}

func (s *Service) today() ordi.Date { return ordi.DateOf(s.now().In(paris)) }

// paris is the association's time zone: "today" is a French day.
var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

func actorID(a ordi.Actor) *int64 {
	if a.UserID == 0 {
		return nil
	}
	id := a.UserID
	return &id
}

// CreateDonor registers a donor.
func (s *Service) CreateDonor(ctx context.Context, actor ordi.Actor, n NewDonor) (Donor, error) {
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
func (s *Service) Donor(ctx context.Context, id int64) (Donor, error) {
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
func (s *Service) Donors(ctx context.Context, f DonorFilter) ([]Donor, error) {
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

// escapeLike escapes LIKE wildcards in user text; queries say ESCAPE '\'
// (SQLite has no default escape character).
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// CreateDonation registers a donation of a known donor.
func (s *Service) CreateDonation(ctx context.Context, actor ordi.Actor, n NewDonation) (Donation, error) {
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
func (s *Service) Donation(ctx context.Context, id int64) (Donation, error) {
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
func (s *Service) Donations(ctx context.Context, f DonationFilter) ([]DonationSummary, error) {
	q := s.db.WithContext(ctx).Table("donations").
		Select("donations.*, donors.name AS donor_name, (SELECT COUNT(*) FROM units WHERE units.donation_id = donations.id) AS units").
		Joins("JOIN donors ON donors.id = donations.donor_id")
	if f.DonorID > 0 {
		q = q.Where("donations.donor_id = ?", f.DonorID)
	}
	if f.Before > 0 {
		q = q.Where("donations.id < ?", f.Before)
	}
	var out []DonationSummary
	if err := q.Order("donations.id DESC").Limit(ordi.ListLimit(f.Limit)).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("list donations: %w", err)
	}
	return out, nil
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
func (s *Service) CountByStatus(ctx context.Context, donationID int64) (Counts, error) {
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

// maxCodeAttempts bounds retries on the (one in a billion) code collision.
const maxCodeAttempts = 5

// CreateUnit registers a unit of a donation, status received.
func (s *Service) CreateUnit(ctx context.Context, actor ordi.Actor, n NewUnit) (Unit, error) {
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
		code, err := NewCode(s.rand)
		if err != nil {
			return nil, err
		}
		units[i] = Unit{Code: code, DonationID: donationID, Status: StatusReceived, Version: 1, CreatedAt: now, UpdatedAt: now}
		spec.apply(&units[i])
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
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

// Unit returns the unit with the given code. A code that is not well formed
// is NotFound before any lookup.
func (s *Service) Unit(ctx context.Context, code string) (Unit, error) {
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
func (s *Service) Units(ctx context.Context, f UnitFilter) ([]Unit, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
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
	if t := strings.ToLower(strings.TrimSpace(f.Q)); t != "" {
		// A substring test, not LIKE: no wildcard to escape, and cheaper per
		// row when nothing matches and every row is read.
		contains := "instr(search, ?) > 0"
		if s.db.Dialector.Name() == "postgres" {
			contains = "strpos(search, ?) > 0"
		}
		if c, err := ParseCode(t); err == nil {
			q = q.Where("(code = ? OR "+contains+")", c, t)
		} else {
			q = q.Where(contains, t)
		}
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	var out []Unit
	if err := q.Order("id DESC").Limit(ordi.ListLimit(f.Limit)).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list units: %w", err)
	}
	return out, nil
}

// UpdateUnit edits a unit's description. The update carries the version the
// caller read; when the unit changed since, nothing is written and the
// Conflict error holds the current unit in Extra["current"].
func (s *Service) UpdateUnit(ctx context.Context, actor ordi.Actor, code string, up UnitUpdate) (Unit, error) {
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
		spec, changed := up.merge(specOf(u))
		spec.normalize()
		var v ordi.Validation
		spec.validate(&v)
		if err := v.Err(); err != nil {
			return err
		}
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

// facts gathers what the lifecycle guards need. Erasures count only when
// recorded after the unit last came back from a family (what the family
// stored since is not covered by an older one), and each drive's latest
// record must have passed: a unit with one wiped drive and one failed drive
// is not sanitised.
func facts(tx *gorm.DB, u Unit) (UnitFacts, error) {
	lastReturn := tx.Model(&Event{}).Select("COALESCE(MAX(id), 0)").
		Where("unit_id = ? AND to_status = ? AND from_status <> to_status", u.ID, StatusReturned)
	var records []Event
	err := tx.Model(&Event{}).
		Where("unit_id = ? AND action IN ? AND id > (?)", u.ID, []string{ActionErasurePassed, ActionErasureFailed}, lastReturn).
		Order("id").Limit(maxHistory).Find(&records).Error
	if err != nil {
		return UnitFacts{}, fmt.Errorf("erasure facts: %w", err)
	}
	latest := map[string]string{} // drive serial → latest action
	for _, e := range records {
		var d struct {
			DriveSerial string `json:"drive_serial"`
		}
		json.Unmarshal([]byte(e.Data), &d)
		latest[strings.ToUpper(d.DriveSerial)] = e.Action
	}
	passed := len(latest) > 0
	for _, action := range latest {
		passed = passed && action == ActionErasurePassed
	}
	return UnitFacts{Status: u.Status, HasStorage: u.HasStorage(), HasPassedErasure: passed}, nil
}

// Facts returns the unit's lifecycle facts, for pages that show next steps.
func (s *Service) Facts(ctx context.Context, u Unit) (UnitFacts, error) {
	return facts(s.db.WithContext(ctx), u)
}

// Transition moves a unit to another status through the generic lifecycle
// (not reservations or handovers). The move is a conditional update on the
// status read: of two people moving the same unit at once, one wins and the
// other gets a Conflict, and the history holds one event.
func (s *Service) Transition(ctx context.Context, actor ordi.Actor, code string, to Status, in TransitionInput) (Unit, error) {
	c, err := ParseCode(code)
	if err != nil {
		return Unit{}, err
	}
	in = in.Clean()
	var u Unit
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if u, err = findUnit(tx, c); err != nil {
			return err
		}
		f, err := facts(tx, u)
		if err != nil {
			return err
		}
		if err := CheckTransition(f, to, in); err != nil {
			return err
		}
		changes := map[string]any{}
		if to == StatusRecycled {
			changes["outlet"], changes["outlet_reference"] = in.Outlet, in.OutletReference
			u.Outlet, u.OutletReference = in.Outlet, in.OutletReference
		}
		var data string
		if to == StatusRecycled {
			b, _ := json.Marshal(map[string]string{"outlet": in.Outlet, "outlet_reference": in.OutletReference})
			data = string(b)
		}
		return s.move(tx, actor, &u, to, ActionTransition, in.Note, data, changes)
	})
	if err != nil {
		return Unit{}, err
	}
	return u, nil
}

// move performs a status change decided by the caller: the conditional
// update and its event.
func (s *Service) move(tx *gorm.DB, actor ordi.Actor, u *Unit, to Status, action, note, data string, changes map[string]any) error {
	now := s.now()
	changes["status"], changes["version"], changes["updated_at"] = to, gorm.Expr("version + 1"), now
	res := tx.Model(&Unit{}).Where("id = ? AND status = ?", u.ID, u.Status).Updates(changes)
	if res.Error != nil {
		return fmt.Errorf("move unit %s: %w", u.Code, res.Error)
	}
	if res.RowsAffected == 0 {
		return &ordi.Error{Kind: ordi.Conflict,
			Message: "Cette unité vient de changer de statut (quelqu'un d'autre l'a déplacée). Rechargez la page.",
			Extra:   map[string]any{"allowed": []string{}}}
	}
	from := u.Status
	u.Status, u.Version, u.UpdatedAt = to, u.Version+1, now
	ev := Event{UnitID: u.ID, At: now, ActorID: actorID(actor), ActorName: actor.Name, Action: action, FromStatus: from, ToStatus: to, Note: note, Data: data}
	if err := tx.Create(&ev).Error; err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	return nil
}

// MoveForAllocation performs an allocation operation's move (reserve,
// cancel, handover) on a unit, inside the caller's transaction (use WithTx).
// The table decides the statuses; the database settles races.
func (s *Service) MoveForAllocation(ctx context.Context, actor ordi.Actor, code Code, op Allocation, note string) (Unit, error) {
	db := s.db.WithContext(ctx)
	u, err := findUnit(db, code)
	if err != nil {
		return Unit{}, err
	}
	f, err := facts(db, u)
	if err != nil {
		return Unit{}, err
	}
	if err := CheckAllocation(f, op); err != nil {
		return Unit{}, err
	}
	t, _ := AllocationTransition(op)
	data, _ := json.Marshal(map[string]string{"operation": string(op)})
	if err := s.move(db, actor, &u, t.To, ActionAllocationMove, note, string(data), map[string]any{}); err != nil {
		return Unit{}, err
	}
	return u, nil
}

// erasableStatuses are the statuses in which a unit is in the workshop and
// its drives can be erased.
func erasable(s Status) bool {
	switch s {
	case StatusHandedOver, StatusReserved, StatusRecycled:
		return false
	}
	return true
}

// RecordErasure records one drive's sanitisation. A failed record is kept
// (it is part of the history) but does not satisfy the guards.
func (s *Service) RecordErasure(ctx context.Context, actor ordi.Actor, code string, n NewErasure) (Erasure, error) {
	c, err := ParseCode(code)
	if err != nil {
		return Erasure{}, err
	}
	now := s.now()
	if err := n.validate(now); err != nil {
		return Erasure{}, err
	}
	var e Erasure
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := findUnit(tx, c)
		if err != nil {
			return err
		}
		if !erasable(u.Status) {
			return ordi.Errorf(ordi.Conflict, "L'unité est « %s » : elle n'est pas à l'atelier, aucun effacement ne peut y être enregistré.", u.Status.Label())
		}
		e = Erasure{UnitID: u.ID, Category: n.Category, Technique: n.Technique, Tool: n.Tool, DriveSerial: n.DriveSerial,
			DriveModel: n.DriveModel, Result: n.Result, StartedAt: utcPtr(n.StartedAt), FinishedAt: utcPtr(n.FinishedAt),
			OperatorID: actorID(actor), OperatorName: actor.Name, CreatedAt: now}
		if err := tx.Create(&e).Error; err != nil {
			return fmt.Errorf("insert erasure: %w", err)
		}
		action := ActionErasurePassed
		if e.Result != ErasurePassed {
			action = ActionErasureFailed
		}
		data, _ := json.Marshal(map[string]any{"erasure_id": e.ID, "category": e.Category, "drive_serial": e.DriveSerial})
		return tx.Create(&Event{UnitID: u.ID, At: now, ActorID: actorID(actor), ActorName: actor.Name, Action: action,
			FromStatus: u.Status, ToStatus: u.Status, Note: e.Technique, Data: string(data)}).Error
	})
	if err != nil {
		return Erasure{}, err
	}
	return e, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// maxHistory bounds a unit's history read at once; a unit's whole life is a
// few dozen events.
const maxHistory = 1000

// Events returns a unit's history, oldest first.
func (s *Service) Events(ctx context.Context, code string) ([]Event, error) {
	u, err := s.Unit(ctx, code)
	if err != nil {
		return nil, err
	}
	var out []Event
	if err := s.db.WithContext(ctx).Where("unit_id = ?", u.ID).Order("id").Limit(maxHistory).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return out, nil
}

// Erasures returns the erasure records of units, oldest first.
func (s *Service) Erasures(ctx context.Context, unitIDs ...int64) ([]Erasure, error) {
	if len(unitIDs) == 0 {
		return nil, nil
	}
	var out []Erasure
	if err := s.db.WithContext(ctx).Where("unit_id IN ?", unitIDs).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list erasures: %w", err)
	}
	return out, nil
}

// UnitsByCodes returns the units with the given codes, in the order given,
// each once. Codes that do not parse or do not exist make an Invalid error
// naming them: nothing is half-done.
func (s *Service) UnitsByCodes(ctx context.Context, codes []string) ([]Unit, error) {
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
		return nil, &ordi.Error{Kind: ordi.Invalid, Message: fmt.Sprintf("Code(s) inconnu(s) : %s.", strings.Join(shown, ", ")),
			Fields: []ordi.FieldError{{Field: "codes", Message: "codes inconnus : " + strings.Join(shown, ", ")}}}
	}
	return out, nil
}

// MarkLabelsPrinted records that the units' labels were printed, with an
// event on each: they leave the print queue.
func (s *Service) MarkLabelsPrinted(ctx context.Context, actor ordi.Actor, units []Unit, template string) error {
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

// CheckTransition tells, without changing anything, whether the generic
// transition would be accepted now: the scan page's "allowed?" answer.
func (s *Service) CheckTransition(ctx context.Context, code string, to Status, in TransitionInput) (Unit, error) {
	u, err := s.Unit(ctx, code)
	if err != nil {
		return Unit{}, err
	}
	f, err := facts(s.db.WithContext(ctx), u)
	if err != nil {
		return Unit{}, err
	}
	return u, CheckTransition(f, to, in.Clean())
}
