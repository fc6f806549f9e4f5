package inventory

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ordi-app/ordi"
)

// Pickup (enlèvement) is what leaves the workshop in one go with an outlet's
// carrier: units that are dismantled or recycled, and loose material weighed
// by flow. Its number ENL-YYYY-NNNN is gap-free per year. A pickup is never
// changed once recorded: a correction is a new pickup with a note.
type Pickup struct {
	ID            int64        `json:"id"`
	Number        string       `json:"number"`
	PickedOn      ordi.Date    `json:"picked_on"`
	OutletID      int64        `json:"outlet_id"`
	Carrier       string       `json:"carrier"`
	CarrierSIRET  string       `json:"carrier_siret,omitempty" gorm:"column:carrier_siret"`
	Note          string       `json:"note,omitempty"`
	CreatedByID   *int64       `json:"-"`
	CreatedByName string       `json:"created_by"`
	CreatedAt     time.Time    `json:"created_at"`
	Units         []PickupUnit `json:"units" gorm:"-"`
	Flows         []PickupFlow `json:"flows" gorm:"-"`
}

// PickupUnit is a unit in a pickup, with its weight as recorded on the unit
// when it left (nil when the unit was never weighed).
type PickupUnit struct {
	PickupID int64    `json:"-"`
	UnitID   int64    `json:"-"`
	Code     Code     `json:"code" gorm:"-"`
	Kind     Kind     `json:"kind" gorm:"-"`
	Status   Status   `json:"status" gorm:"-"`
	WeightKG *float64 `json:"weight_kg" gorm:"column:weight_kg"`
}

// PickupFlow is loose material of one flow weighed into a pickup.
type PickupFlow struct {
	PickupID int64   `json:"-"`
	Flow     Flow    `json:"flow"`
	WeightKG float64 `json:"weight_kg" gorm:"column:weight_kg"`
}

// UnitsKG is the sum of the weights recorded on the pickup's units, and
// Unweighed how many have none: shown next to the weighed flows, so that
// the two totals can be compared.
func (p Pickup) UnitsKG() (kg float64, unweighed int) {
	for _, u := range p.Units {
		if u.WeightKG == nil {
			unweighed++
			continue
		}
		kg += *u.WeightKG
	}
	return kg, unweighed
}

// FlowsKG is the weighed total of the pickup's loose material.
func (p Pickup) FlowsKG() float64 {
	kg := 0.0
	for _, f := range p.Flows {
		kg += f.WeightKG
	}
	return kg
}

// Flow is a stream of loose material leaving the workshop.
type Flow string

// The flows.
const (
	FlowScreens          Flow = "screens"
	FlowCentralUnits     Flow = "central_units"
	FlowSmallEquipment   Flow = "small_equipment"
	FlowBatteries        Flow = "batteries"
	FlowBoardsComponents Flow = "boards_components"
)

var flowOptions = []option[Flow]{
	{FlowScreens, "Écrans"},
	{FlowCentralUnits, "Unités centrales"},
	{FlowSmallEquipment, "Petits équipements"},
	{FlowBatteries, "Batteries"},
	{FlowBoardsComponents, "Cartes et composants"},
}

// Flows lists every flow in display order.
func Flows() []Flow { return valuesOf(flowOptions) }

// Valid reports whether f is a known flow.
func (f Flow) Valid() bool { _, ok := find(flowOptions, f); return ok }

// Label is the flow's French name.
func (f Flow) Label() string { return labelOf(flowOptions, f) }

// Limits of a pickup.
const (
	// MaxPickupUnits bounds the units of one pickup (a lorry, not a
	// warehouse).
	MaxPickupUnits = 2000
	// MaxFlowKG is the heaviest plausible weighing of one flow in one
	// pickup, in kg; beyond it a figure is a typing mistake.
	MaxFlowKG = 10000
)

// NewPickup is what staff give to record a pickup.
type NewPickup struct {
	PickedOn     string          `json:"picked_on"` // YYYY-MM-DD
	OutletID     int64           `json:"outlet_id"`
	Carrier      string          `json:"carrier"`
	CarrierSIRET string          `json:"carrier_siret"`
	Note         string          `json:"note"`
	Units        []string        `json:"units"` // unit codes
	Flows        []NewPickupFlow `json:"flows"`
}

// NewPickupFlow is one flow weighed into a new pickup.
type NewPickupFlow struct {
	Flow     Flow    `json:"flow"`
	WeightKG float64 `json:"weight_kg"`
}

// validate checks the input and returns the parsed date and codes. today
// bounds the date: a pickup is recorded when or after it happens.
func (n *NewPickup) validate(today ordi.Date) (ordi.Date, []Code, error) {
	n.Carrier, n.Note = strings.TrimSpace(n.Carrier), strings.TrimSpace(n.Note)
	n.CarrierSIRET = NormalizeSIRET(n.CarrierSIRET)
	var v ordi.Validation
	d, err := ordi.ParseDate(n.PickedOn)
	switch {
	case n.PickedOn == "":
		v.Add("picked_on", "La date de l'enlèvement est obligatoire.")
	case err != nil:
		v.Add("picked_on", "Date invalide : attendu AAAA-MM-JJ.")
	case d.After(today):
		v.Add("picked_on", "La date de l'enlèvement ne peut pas être dans le futur.")
	case d.Before(ordi.Date{Time: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}):
		v.Add("picked_on", "Date d'enlèvement trop ancienne.")
	}
	if n.OutletID <= 0 {
		v.Add("outlet_id", "Choisissez l'exutoire.")
	}
	requireText(&v, "carrier", n.Carrier, "Indiquez le transporteur.", maxShortText)
	if n.CarrierSIRET != "" && !ValidSIRET(n.CarrierSIRET) {
		v.Add("carrier_siret", "Ce numéro SIRET n'est pas valide (14 chiffres, clé de contrôle incorrecte).")
	}
	optionalText(&v, "note", n.Note, maxLongText)
	if len(n.Units) == 0 && len(n.Flows) == 0 {
		v.Add("units", "Un enlèvement contient au moins une unité ou un flux pesé.")
	}
	if len(n.Units) > MaxPickupUnits {
		v.Addf("units", "%d unités au plus par enlèvement.", MaxPickupUnits)
	}
	var codes []Code
	seen := map[Code]bool{}
	for i, s := range n.Units {
		c, err := ParseCode(s)
		if err != nil {
			v.Addf("units", "Code inconnu : « %s » (ligne %d).", s, i+1)
			continue
		}
		if !seen[c] {
			seen[c] = true
			codes = append(codes, c)
		}
	}
	flows := map[Flow]bool{}
	for i, f := range n.Flows {
		field := "flows[" + strconv.Itoa(i) + "]"
		switch {
		case !f.Flow.Valid():
			v.Add(field+".flow", "Flux inconnu : screens, central_units, small_equipment, batteries ou boards_components.")
		case flows[f.Flow]:
			v.Addf(field+".flow", "Le flux « %s » est déjà pesé dans cet enlèvement : additionnez les pesées.", f.Flow.Label())
		}
		flows[f.Flow] = true
		if math.IsNaN(f.WeightKG) || f.WeightKG <= 0 || f.WeightKG > MaxFlowKG {
			v.Addf(field+".weight_kg", "Poids invalide : plus de 0 et %d kg au plus.", MaxFlowKG)
		}
	}
	return d, codes, v.Err()
}
