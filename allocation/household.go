// Package allocation holds the families nominated by social workers, the
// training courses and the fair allocation of ready units to trained
// families.
package allocation

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ordi-app/ordi"
)

// Household is a family nominated for a computer. Its Reference is the only
// identifier that appears outside its own file and the handover form.
type Household struct {
	ID             int64             `json:"id"`
	Reference      string            `json:"reference"`
	ContactName    string            `json:"contact_name"`
	Phone          string            `json:"phone"`
	Commune        string            `json:"commune"`
	Postcode       string            `json:"postcode"`
	QPV            bool              `json:"qpv" gorm:"column:qpv"`
	Adults         int               `json:"adults"`
	Children       int               `json:"children"`
	SchoolChildren int               `json:"school_children"`
	IncomeBracket  IncomeBand        `json:"income_bracket"`
	HasComputer    bool              `json:"has_computer"`
	Need           Need              `json:"need"`
	Notes          string            `json:"notes"`
	ConsentAt      time.Time         `json:"consent_at"`
	ConsentByID    *int64            `json:"-"`
	ConsentByName  string            `json:"consent_by"`
	PartnerID      int64             `json:"partner_id"`
	SocialWorkerID *int64            `json:"social_worker_id,omitempty"`
	Status         HouseholdStatus   `json:"status"`
	StatusReason   string            `json:"status_reason,omitempty"`
	DecidedAt      *time.Time        `json:"decided_at,omitempty"`
	DecidedByName  string            `json:"decided_by,omitempty"`
	TrainedAt      *time.Time        `json:"trained_at,omitempty"`
	ErasedAt       *time.Time        `json:"erased_at,omitempty"` // its personal data is gone (see EraseHousehold)
	FSEAnswers     `gorm:"embedded"` // the FSE+ questions, when the programme asks them
	Version        int               `json:"version"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
}

// WaitingSince is when the family started waiting for a computer: when it
// completed the course, or its nomination before that.
func (h Household) WaitingSince() time.Time {
	if h.TrainedAt != nil {
		return *h.TrainedAt
	}
	return h.CreatedAt
}

// Need is the kind of computer a family needs.
type Need string

// The needs.
const (
	NeedLaptop  Need = "laptop"
	NeedDesktop Need = "desktop"
	NeedAny     Need = "any"
)

// Needs lists the needs in display order.
func Needs() []Need { return []Need{NeedLaptop, NeedDesktop, NeedAny} }

// Valid reports whether n is a known need.
func (n Need) Valid() bool { return n == NeedLaptop || n == NeedDesktop || n == NeedAny }

// Label is the need's French name.
func (n Need) Label() string {
	switch n {
	case NeedLaptop:
		return "Ordinateur portable"
	case NeedDesktop:
		return "Ordinateur fixe"
	case NeedAny:
		return "Portable ou fixe"
	}
	return string(n)
}

// IncomeBand is a quotient familial band: the programme records a band,
// never an exact income.
type IncomeBand string

// The bands, from the lowest income. Their limits follow a typical CAF
// scale; an association adapts the labels, not the codes.
const (
	QF1 IncomeBand = "QF1"
	QF2 IncomeBand = "QF2"
	QF3 IncomeBand = "QF3"
	QF4 IncomeBand = "QF4"
	QF5 IncomeBand = "QF5"
)

// IncomeBands lists the bands from the lowest income.
func IncomeBands() []IncomeBand { return []IncomeBand{QF1, QF2, QF3, QF4, QF5} }

// Label gives the band's range.
func (b IncomeBand) Label() string {
	switch b {
	case QF1:
		return "QF 1 : jusqu'à 400 €"
	case QF2:
		return "QF 2 : de 401 à 600 €"
	case QF3:
		return "QF 3 : de 601 à 800 €"
	case QF4:
		return "QF 4 : de 801 à 1 000 €"
	case QF5:
		return "QF 5 : plus de 1 000 €"
	case "":
		return "Non renseigné"
	}
	return string(b)
}

// rank orders bands: 1 for QF1 … 5 for QF5, 0 for unknown.
func (b IncomeBand) rank() int {
	for i, known := range IncomeBands() {
		if b == known {
			return i + 1
		}
	}
	return 0
}

// Valid reports whether b is a known band.
func (b IncomeBand) Valid() bool { return b.rank() > 0 }

var looksLikeAmount = regexp.MustCompile(`^\s*[0-9][0-9\s.,]*\s*(€|eur|euros?)?\s*$`)

// ParseIncomeBand reads a band ("QF2", "qf 2", "2"). An amount such as
// "1234" or "850 €" is refused: the programme never records an exact income.
func ParseIncomeBand(s string) (IncomeBand, error) {
	t := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if t == "" {
		return "", nil
	}
	if len(t) == 1 && t[0] >= '1' && t[0] <= '5' {
		t = "QF" + t
	}
	if b := IncomeBand(t); b.Valid() {
		return b, nil
	}
	if looksLikeAmount.MatchString(strings.ToLower(s)) {
		return "", fmt.Errorf("n'indiquez pas de revenu exact : choisissez la tranche de quotient familial (QF1 à QF5)")
	}
	return "", fmt.Errorf("tranche inconnue : QF1, QF2, QF3, QF4 ou QF5")
}

// HouseholdStatus is where a family stands in the programme.
type HouseholdStatus string

// The statuses.
const (
	StatusNominated  HouseholdStatus = "nominated"
	StatusEligible   HouseholdStatus = "eligible"
	StatusIneligible HouseholdStatus = "ineligible"
	StatusEnrolled   HouseholdStatus = "enrolled"
	StatusTrained    HouseholdStatus = "trained"
	StatusReserved   HouseholdStatus = "reserved"
	StatusEquipped   HouseholdStatus = "equipped"
	StatusWithdrawn  HouseholdStatus = "withdrawn"
)

// HouseholdStatuses lists the statuses in programme order.
func HouseholdStatuses() []HouseholdStatus {
	return []HouseholdStatus{StatusNominated, StatusEligible, StatusIneligible, StatusEnrolled, StatusTrained, StatusReserved, StatusEquipped, StatusWithdrawn}
}

// Valid reports whether s is a known status.
func (s HouseholdStatus) Valid() bool {
	for _, k := range HouseholdStatuses() {
		if s == k {
			return true
		}
	}
	return false
}

// Label is the status's French name.
func (s HouseholdStatus) Label() string {
	switch s {
	case StatusNominated:
		return "Orientée"
	case StatusEligible:
		return "Éligible"
	case StatusIneligible:
		return "Non éligible"
	case StatusEnrolled:
		return "Inscrite à la formation"
	case StatusTrained:
		return "Formée"
	case StatusReserved:
		return "Ordinateur réservé"
	case StatusEquipped:
		return "Équipée"
	case StatusWithdrawn:
		return "Sortie du dispositif"
	}
	return string(s)
}

// Tone is the badge colour of the status (see the style sheet).
func (s HouseholdStatus) Tone() string {
	switch s {
	case StatusNominated:
		return "blue"
	case StatusEligible:
		return "teal"
	case StatusIneligible:
		return "orange"
	case StatusEnrolled:
		return "indigo"
	case StatusTrained:
		return "green"
	case StatusReserved:
		return "amber"
	case StatusEquipped:
		return "purple"
	}
	return "grey"
}

// NextStep tells the social worker, in one French sentence, what happens
// next for a family in this status.
func (s HouseholdStatus) NextStep() string {
	switch s {
	case StatusNominated:
		return "L'équipe vérifie l'éligibilité de la famille."
	case StatusEligible:
		return "La famille va être inscrite à une session de formation."
	case StatusIneligible:
		return "La demande n'a pas été retenue : voir le motif."
	case StatusEnrolled:
		return "La famille suit la formation."
	case StatusTrained:
		return "Formation terminée : un ordinateur va lui être proposé."
	case StatusReserved:
		return "Un ordinateur est réservé : rendez-vous de remise à fixer."
	case StatusEquipped:
		return "Ordinateur remis."
	case StatusWithdrawn:
		return "La famille est sortie du dispositif."
	}
	return ""
}

// Limits of a household's fields.
const (
	maxAdults   = 20
	maxChildren = 20
	maxText     = 200
	maxNotes    = 2000
)

var postcodeRE = regexp.MustCompile(`^[0-9]{5}$`)

// NewHousehold is a nomination. Consent must be true: the family agreed to
// the programme and to this file.
type NewHousehold struct {
	ContactName    string `json:"contact_name"`
	Phone          string `json:"phone"`
	Commune        string `json:"commune"`
	Postcode       string `json:"postcode"`
	QPV            bool   `json:"qpv"`
	Adults         int    `json:"adults"`
	Children       int    `json:"children"`
	SchoolChildren int    `json:"school_children"`
	IncomeBracket  string `json:"income_bracket"`
	HasComputer    bool   `json:"has_computer"`
	Need           Need   `json:"need"`
	Notes          string `json:"notes"`
	Consent        bool   `json:"consent"`
	PartnerID      int64  `json:"partner_id"`
	// FSEAnswers are accepted only when the programme asks the FSE+
	// questions (Rules.FSEQuestions).
	FSEAnswers
	// DuplicateOK confirms the nomination although a file with the same
	// name and phone exists (Duplicates): without it Nominate answers
	// Conflict and creates nothing.
	DuplicateOK bool `json:"duplicate_ok"`
}

// ValidateNomination checks a nomination's fields without recording
// anything, so that a form can report every error in one round, those of
// the fields it could not even read included.
func ValidateNomination(n NewHousehold) error {
	_, err := n.validate()
	return err
}

// validate trims and checks the nomination, returning the parsed band.
func (n *NewHousehold) validate() (IncomeBand, error) {
	n.ContactName, n.Phone, n.Commune = strings.TrimSpace(n.ContactName), strings.TrimSpace(n.Phone), strings.TrimSpace(n.Commune)
	n.Postcode, n.Notes = strings.TrimSpace(n.Postcode), strings.TrimSpace(n.Notes)
	n.Need = Need(strings.TrimSpace(string(n.Need)))
	var v ordi.Validation
	text(&v, "contact_name", n.ContactName, maxText, "Indiquez le nom de la personne à contacter.")
	text(&v, "phone", n.Phone, 30, "")
	text(&v, "commune", n.Commune, maxText, "Indiquez la commune de résidence.")
	if n.Postcode != "" && !postcodeRE.MatchString(n.Postcode) {
		v.Add("postcode", "Code postal invalide : cinq chiffres.")
	}
	switch {
	case n.Adults < 1:
		v.Add("adults", "Au moins un adulte dans le foyer.")
	case n.Adults > maxAdults:
		v.Addf("adults", "%d adultes : nombre invraisemblable.", n.Adults)
	}
	switch {
	case n.Children < 0:
		v.Add("children", "Le nombre d'enfants ne peut pas être négatif.")
	case n.Children > maxChildren:
		v.Addf("children", "%d enfants : nombre invraisemblable (%d au plus).", n.Children, maxChildren)
	}
	if n.SchoolChildren < 0 || n.SchoolChildren > n.Children {
		v.Add("school_children", "Le nombre d'enfants scolarisés doit être compris entre 0 et le nombre d'enfants.")
	}
	band, err := ParseIncomeBand(n.IncomeBracket)
	if err != nil {
		v.Add("income_bracket", capitalize(err.Error())+".")
	}
	if !n.Need.Valid() {
		v.Add("need", "Besoin inconnu : laptop (portable), desktop (fixe) ou any (l'un ou l'autre).")
	}
	text(&v, "notes", n.Notes, maxNotes, "")
	n.FSEAnswers.normalize()
	n.FSEAnswers.validate(&v)
	if !n.Consent {
		v.Add("consent", "Le consentement de la famille est obligatoire : sans lui, aucune orientation n'est possible.")
	}
	return band, v.Err()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r, size := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[size:]
}

func text(v *ordi.Validation, field, value string, max int, missing string) {
	switch {
	case value == "" && missing != "":
		v.Add(field, missing)
	case !utf8.ValidString(value):
		v.Add(field, "Texte illisible (encodage invalide).")
	case utf8.RuneCountInString(value) > max:
		v.Addf(field, "Texte trop long (%d caractères au plus).", max)
	}
}

// referenceYear is the year part of a reference, from its creation date.
func referenceYear(t time.Time) int { return t.Year() }

// parseID reads a positive integer.
func parseID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}
