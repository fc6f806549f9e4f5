package inventory

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ordi-app/ordi"
)

// Unit is one machine, from its reception to its reuse or recycling.
type Unit struct {
	ID              int64       `json:"-"`
	Code            Code        `json:"code"`
	DonationID      int64       `json:"donation_id"`
	Kind            Kind        `json:"kind"`
	Brand           string      `json:"brand"`
	Model           string      `json:"model"`
	SerialNumber    string      `json:"serial_number"`
	CPU             string      `json:"cpu" gorm:"column:cpu"`
	RAMGB           int         `json:"ram_gb" gorm:"column:ram_gb"`
	StorageGB       int         `json:"storage_gb" gorm:"column:storage_gb"`
	StorageKind     StorageKind `json:"storage_kind"`
	ScreenInches    *float64    `json:"screen_inches"`
	WeightKG        *float64    `json:"weight_kg" gorm:"column:weight_kg"`
	Grade           Grade       `json:"grade"`
	OS              string      `json:"os" gorm:"column:os"`
	Notes           string      `json:"notes"`
	Search          string      `json:"-"`
	Status          Status      `json:"status"`
	OutletID        *int64      `json:"outlet_id,omitempty"`
	Outlet          string      `json:"outlet,omitempty"`
	OutletReference string      `json:"outlet_reference,omitempty"`
	LabelPrintedAt  *time.Time  `json:"label_printed_at"`
	Version         int         `json:"version"`
	CreatedAt       time.Time   `json:"created_at"`
	UpdatedAt       time.Time   `json:"updated_at"`
}

// HasStorage reports whether the unit holds storage that must be erased.
func (u Unit) HasStorage() bool { return HasStorage(u.StorageGB, u.StorageKind) }

// Title is "Brand Model", or the kind when both are unknown.
func (u Unit) Title() string {
	t := strings.TrimSpace(u.Brand + " " + u.Model)
	if t == "" {
		return u.Kind.Label()
	}
	return t
}

// searchText is what the free-text filter looks in: code, brand, model and
// serial number, folded (ordi.Fold: no case, no accents).
func searchText(u *Unit) string {
	return ordi.Fold(strings.Join([]string{string(u.Code), u.Brand, u.Model, u.SerialNumber}, " "))
}

// Physical limits: beyond them a value is a typing mistake.
const (
	maxRAMGB        = 1024
	maxStorageGB    = 100_000
	maxScreenInches = 100
)

// maxWeightKG is the heaviest plausible unit of each kind.
var maxWeightKG = map[Kind]float64{
	KindLaptop:   10,
	KindTablet:   3,
	KindDesktop:  40,
	KindAllInOne: 40,
	KindScreen:   40,
	KindOther:    100,
}

// UnitSpec is the description of a unit, shared by creation, CSV import and
// edits.
type UnitSpec struct {
	Kind         Kind        `json:"kind"`
	Brand        string      `json:"brand"`
	Model        string      `json:"model"`
	SerialNumber string      `json:"serial_number"`
	CPU          string      `json:"cpu"`
	RAMGB        int         `json:"ram_gb"`
	StorageGB    int         `json:"storage_gb"`
	StorageKind  StorageKind `json:"storage_kind"`
	ScreenInches *float64    `json:"screen_inches"`
	WeightKG     *float64    `json:"weight_kg"`
	Grade        Grade       `json:"grade"`
	OS           string      `json:"os"`
	Notes        string      `json:"notes"`
}

// NewUnit is the input to register a unit of a donation.
type NewUnit struct {
	DonationID int64 `json:"donation_id"`
	UnitSpec
}

// normalize trims texts and infers what is obvious: no storage means
// storage kind "none", and a storage size with no kind is left for the
// validation to refuse.
func (s *UnitSpec) normalize() {
	s.Kind = Kind(strings.TrimSpace(string(s.Kind)))
	s.Brand = strings.TrimSpace(s.Brand)
	s.Model = strings.TrimSpace(s.Model)
	s.SerialNumber = strings.TrimSpace(s.SerialNumber)
	s.CPU = strings.TrimSpace(s.CPU)
	s.OS = strings.TrimSpace(s.OS)
	s.Notes = strings.TrimSpace(s.Notes)
	s.StorageKind = StorageKind(strings.TrimSpace(string(s.StorageKind)))
	s.Grade = Grade(strings.ToUpper(strings.TrimSpace(string(s.Grade))))
	if s.StorageKind == "" && s.StorageGB == 0 {
		s.StorageKind = StorageNone
	}
}

// ValidateSpec checks a unit description without recording anything, so
// that a form can report every error in one round, those of the fields it
// could not even read included.
func ValidateSpec(s UnitSpec) error {
	s.normalize()
	var v ordi.Validation
	s.validate(&v)
	return v.Err()
}

// validate records what is wrong with the spec.
func (s UnitSpec) validate(v *ordi.Validation) {
	if !s.Kind.Valid() {
		v.Add("kind", "Type d'unité inconnu : laptop, desktop, all_in_one, tablet, screen ou other.")
	}
	for _, f := range []struct{ name, value string }{{"brand", s.Brand}, {"model", s.Model}, {"serial_number", s.SerialNumber}, {"cpu", s.CPU}, {"os", s.OS}} {
		optionalText(v, f.name, f.value, maxShortText)
	}
	optionalText(v, "notes", s.Notes, maxLongText)
	switch {
	case s.RAMGB < 0:
		v.Add("ram_gb", "La mémoire vive ne peut pas être négative.")
	case s.RAMGB > maxRAMGB:
		v.Addf("ram_gb", "%d Go de mémoire vive : valeur invraisemblable (%d Go au plus).", s.RAMGB, maxRAMGB)
	}
	switch {
	case s.StorageGB < 0:
		v.Add("storage_gb", "Le stockage ne peut pas être négatif.")
	case s.StorageGB > maxStorageGB:
		v.Addf("storage_gb", "%d Go de stockage : valeur invraisemblable.", s.StorageGB)
	}
	switch {
	case !s.StorageKind.Valid():
		v.Add("storage_kind", "Type de stockage inconnu : hdd, ssd, nvme, emmc ou none.")
	case s.StorageKind == StorageNone && s.StorageGB > 0:
		v.Add("storage_kind", "Une capacité est indiquée : choisissez le type de stockage (disque dur, SSD SATA ou NVMe, eMMC), ou videz la capacité.")
	case s.StorageKind != StorageNone && s.StorageGB == 0:
		v.Add("storage_gb", "Indiquez la capacité du stockage en Go, ou choisissez le type « Sans stockage ».")
	}
	if s.ScreenInches != nil && (math.IsNaN(*s.ScreenInches) || *s.ScreenInches <= 0 || *s.ScreenInches > maxScreenInches) {
		v.Addf("screen_inches", "Taille d'écran invraisemblable (entre 1 et %d pouces).", maxScreenInches)
	}
	if s.WeightKG != nil {
		limit := maxWeightKG[s.Kind]
		if limit == 0 {
			limit = maxWeightKG[KindOther]
		}
		if math.IsNaN(*s.WeightKG) || *s.WeightKG <= 0 || *s.WeightKG > limit {
			v.Addf("weight_kg", "Poids invraisemblable pour ce type d'unité (%s kg au plus).", formatKG(limit))
		}
	}
	if s.Grade != "" && !s.Grade.Valid() {
		v.Add("grade", "Grade inconnu : A, B ou C.")
	}
}

func formatKG(kg float64) string { return strings.TrimSuffix(fmt.Sprintf("%.1f", kg), ".0") }

// apply copies the spec onto a unit.
func (s UnitSpec) apply(u *Unit) {
	u.Kind, u.Brand, u.Model, u.SerialNumber, u.CPU = s.Kind, s.Brand, s.Model, s.SerialNumber, s.CPU
	u.RAMGB, u.StorageGB, u.StorageKind = s.RAMGB, s.StorageGB, s.StorageKind
	u.ScreenInches, u.WeightKG, u.Grade, u.OS, u.Notes = s.ScreenInches, s.WeightKG, s.Grade, s.OS, s.Notes
	u.Search = searchText(u)
}

// specOf returns a unit's current description.
func specOf(u Unit) UnitSpec {
	return UnitSpec{
		Kind: u.Kind, Brand: u.Brand, Model: u.Model, SerialNumber: u.SerialNumber, CPU: u.CPU,
		RAMGB: u.RAMGB, StorageGB: u.StorageGB, StorageKind: u.StorageKind, ScreenInches: u.ScreenInches,
		WeightKG: u.WeightKG, Grade: u.Grade, OS: u.OS, Notes: u.Notes,
	}
}

// UnitUpdate changes a unit's description; nil fields are left alone.
// Version must be the version the caller read: a stale one is a conflict.
type UnitUpdate struct {
	Version      int          `json:"version"`
	Kind         *Kind        `json:"kind"`
	Brand        *string      `json:"brand"`
	Model        *string      `json:"model"`
	SerialNumber *string      `json:"serial_number"`
	CPU          *string      `json:"cpu"`
	RAMGB        *int         `json:"ram_gb"`
	StorageGB    *int         `json:"storage_gb"`
	StorageKind  *StorageKind `json:"storage_kind"`
	ScreenInches *float64     `json:"screen_inches"`
	WeightKG     *float64     `json:"weight_kg"`
	Grade        *Grade       `json:"grade"`
	OS           *string      `json:"os"`
	Notes        *string      `json:"notes"`
}

// merge applies the update to a spec.
func (up UnitUpdate) merge(s UnitSpec) UnitSpec {
	if up.Kind != nil {
		s.Kind = *up.Kind
	}
	for _, f := range []struct {
		src *string
		dst *string
	}{{up.Brand, &s.Brand}, {up.Model, &s.Model}, {up.SerialNumber, &s.SerialNumber}, {up.CPU, &s.CPU}, {up.OS, &s.OS}, {up.Notes, &s.Notes}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if up.RAMGB != nil {
		s.RAMGB = *up.RAMGB
	}
	if up.StorageGB != nil {
		s.StorageGB = *up.StorageGB
	}
	if up.StorageKind != nil {
		s.StorageKind = *up.StorageKind
	}
	if up.ScreenInches != nil {
		s.ScreenInches = up.ScreenInches
	}
	if up.WeightKG != nil {
		s.WeightKG = up.WeightKG
	}
	if up.Grade != nil {
		s.Grade = *up.Grade
	}
	return s
}

// changed names the fields whose value differs between two specs: an edit
// form sent back unchanged changes nothing.
func (s UnitSpec) changed(t UnitSpec) []string {
	sameFloat := func(a, b *float64) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }
	var names []string
	for _, f := range []struct {
		name string
		same bool
	}{
		{"kind", s.Kind == t.Kind}, {"brand", s.Brand == t.Brand}, {"model", s.Model == t.Model},
		{"serial_number", s.SerialNumber == t.SerialNumber}, {"cpu", s.CPU == t.CPU}, {"os", s.OS == t.OS},
		{"notes", s.Notes == t.Notes}, {"ram_gb", s.RAMGB == t.RAMGB}, {"storage_gb", s.StorageGB == t.StorageGB},
		{"storage_kind", s.StorageKind == t.StorageKind}, {"screen_inches", sameFloat(s.ScreenInches, t.ScreenInches)},
		{"weight_kg", sameFloat(s.WeightKG, t.WeightKG)}, {"grade", s.Grade == t.Grade},
	} {
		if !f.same {
			names = append(names, f.name)
		}
	}
	return names
}

// Erasure is the record of one storage device's sanitisation, in NIST
// SP 800-88 Rev. 2 vocabulary.
type Erasure struct {
	ID           int64           `json:"id"`
	UnitID       int64           `json:"-"`
	Category     ErasureCategory `json:"category"`
	Method       ErasureMethod   `json:"method,omitempty"` // "" on records made before methods were recorded
	Medium       Medium          `json:"medium,omitempty"` // "" when unknown, or recorded before media were
	Technique    string          `json:"technique"`
	Tool         string          `json:"tool,omitempty"`
	DriveSerial  string          `json:"drive_serial,omitempty"`
	DriveModel   string          `json:"drive_model,omitempty"`
	Result       ErasureResult   `json:"result"`
	StartedAt    *time.Time      `json:"started_at,omitempty"`
	FinishedAt   *time.Time      `json:"finished_at,omitempty"`
	OperatorID   *int64          `json:"-"`
	OperatorName string          `json:"operator"`
	CreatedAt    time.Time       `json:"created_at"`
	// DriveID is the unit's drive the record erased, when known (records
	// read from a tool's report always know it).
	DriveID *int64 `json:"drive_id,omitempty"`
	// ReportID is the tool's report the record was read from.
	ReportID *int64 `json:"report_id,omitempty"`
}

// NewErasure is the input to record an erasure.
type NewErasure struct {
	Category ErasureCategory `json:"category"`
	// Method is recognised in Technique when empty; Technique is the
	// method's label when empty.
	Method ErasureMethod `json:"method"`
	// Medium is the unit's storage kind when empty.
	Medium      Medium        `json:"medium"`
	Technique   string        `json:"technique"`
	Tool        string        `json:"tool"`
	DriveSerial string        `json:"drive_serial"`
	DriveModel  string        `json:"drive_model"`
	Result      ErasureResult `json:"result"`
	StartedAt   *time.Time    `json:"started_at"`
	FinishedAt  *time.Time    `json:"finished_at"`
	// Version is the unit's version the person saw (the unit page sends
	// it), 0 when not given.
	Version int `json:"version"`
}

func (n *NewErasure) validate(now time.Time) error {
	n.Technique, n.Tool = strings.TrimSpace(n.Technique), strings.TrimSpace(n.Tool)
	n.DriveSerial, n.DriveModel = strings.TrimSpace(n.DriveSerial), strings.TrimSpace(n.DriveModel)
	var v ordi.Validation
	if !n.Category.Valid() {
		v.Add("category", "Catégorie d'effacement inconnue : choisissez "+ordi.OrList(labelsOf(erasureCategoryOptions)...)+" (NIST SP 800-88).")
	}
	switch {
	case n.Method == "" && n.Technique != "":
		if n.Method = MethodOf(n.Technique); n.Method == "" {
			v.Add("method", "Précisez la méthode : réécriture, commande Sanitize, effacement sécurisé, effacement cryptographique, démagnétisation ou destruction physique.")
		}
	case n.Method != "" && !n.Method.Valid():
		v.Add("method", "Méthode inconnue : choisissez-la dans la liste.")
	case n.Method != "" && n.Technique == "":
		n.Technique = n.Method.Label()
	}
	if n.Medium != "" && !n.Medium.Valid() {
		v.Add("medium", "Support inconnu : choisissez-le dans la liste.")
	}
	requireText(&v, "technique", n.Technique, "Décrivez la technique (ex. « écrasement 1 passe + vérification »).", maxShortText)
	checkSanitization(&v, n.Medium, n.Method, n.Category)
	if !n.Result.Valid() {
		v.Add("result", "Résultat inconnu : choisissez "+ordi.OrList(labelsOf(erasureResultOptions)...)+".")
	}
	for _, f := range []struct{ name, value string }{{"tool", n.Tool}, {"drive_serial", n.DriveSerial}, {"drive_model", n.DriveModel}} {
		optionalText(&v, f.name, f.value, maxShortText)
	}
	if n.Version < 0 {
		v.Add("version", "La version doit être un nombre positif : celle de la fiche que vous avez vue.")
	}
	if n.StartedAt != nil && n.FinishedAt != nil && n.FinishedAt.Before(*n.StartedAt) {
		v.Add("finished_at", "La fin de l'effacement précède son début.")
	}
	for _, f := range []struct {
		name string
		t    *time.Time
	}{{"started_at", n.StartedAt}, {"finished_at", n.FinishedAt}} {
		if f.t != nil && f.t.After(now.Add(5*time.Minute)) {
			v.Add(f.name, "Cette date est dans le futur.")
		}
	}
	return v.Err()
}

// Event is one line of a unit's history. History is appended, never edited.
type Event struct {
	ID         int64     `json:"-"`
	UnitID     int64     `json:"-"`
	At         time.Time `json:"at"`
	ActorID    *int64    `json:"-"`
	ActorName  string    `json:"actor"`
	Action     string    `json:"action"`
	FromStatus Status    `json:"from"`
	ToStatus   Status    `json:"to"`
	Note       string    `json:"note"`
	Data       string    `json:"-"`
}

// TableName tells GORM where events live.
func (Event) TableName() string { return "unit_events" }

// The actions recorded in unit events.
const (
	ActionCreated        = "created"
	ActionImported       = "imported"
	ActionTransition     = "transition"
	ActionEdited         = "edited"
	ActionErasurePassed  = "erasure_passed"
	ActionErasureFailed  = "erasure_failed"
	ActionLabelPrinted   = "label_printed"
	ActionAllocationMove = "allocation"
	ActionUndo           = "undo"              // a mistaken move undone (see CheckUndo)
	ActionReport         = "report"            // a tool's report attached (lshw, smartctl, nwipe)
	ActionConflictSolved = "conflict_resolved" // staff chose between a typed value and a reported one
	ActionPickedUp       = "picked_up"         // left the workshop in a pickup (its number in the note)
)

// ActionLabel is the French description of an event's action for the
// timeline.
func (e Event) ActionLabel() string {
	switch e.Action {
	case ActionCreated:
		return "Unité enregistrée"
	case ActionImported:
		return "Unité importée (fichier CSV)"
	case ActionTransition, ActionAllocationMove:
		return fmt.Sprintf("%s → %s", e.FromStatus.Label(), e.ToStatus.Label())
	case ActionEdited:
		return "Fiche modifiée"
	case ActionErasurePassed:
		return "Effacement réussi enregistré"
	case ActionErasureFailed:
		return "Effacement échoué enregistré"
	case ActionLabelPrinted:
		return "Étiquette imprimée"
	case ActionUndo:
		return fmt.Sprintf("Changement annulé : %s → %s", e.FromStatus.Label(), e.ToStatus.Label())
	case ActionReport:
		return "Rapport d'outil joint"
	case ActionConflictSolved:
		return "Désaccord tranché"
	case ActionPickedUp:
		return "Partie dans l'enlèvement " + e.Note
	}
	return e.Action
}
