package inventory

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/ordi-app/ordi"
)

// The outgoing-waste register (registre chronologique des déchets
// sortants, arrêté du 31 mai 2021, article 2): one line per unit and per
// weighed flow that left in a pickup during the period, in the column
// layout of the national register's import (RNDTS, now in Trackdéchets:
// docs/waste.md gives the source). Units that went to families are
// products for reuse, not waste: they never leave in a pickup and never
// appear here.

// WasteCode is a code of the European list of waste (décision
// 2000/532/CE, code de l'environnement article R. 541-7), written with its
// spaces, a hazardous waste marked with an asterisk.
type WasteCode string

// The waste codes Ordi uses.
const (
	// WasteEquipment: discarded equipment other than 16 02 09 to 16 02 13
	// (laptops, desktops, tablets without hazardous parts).
	WasteEquipment WasteCode = "16 02 14"
	// WasteHazardousEquipment: discarded equipment containing hazardous
	// components (screens: mercury backlights, cathode-ray tubes).
	WasteHazardousEquipment WasteCode = "16 02 13*"
	// WasteBatteries: other batteries and accumulators (lithium).
	WasteBatteries WasteCode = "16 06 05"
	// WasteComponents: components removed from discarded equipment other
	// than those of 16 02 15.
	WasteComponents WasteCode = "16 02 16"
)

var wasteCodeFormat = regexp.MustCompile(`^\d{2} \d{2} \d{2}\*?$`)

// Valid reports whether c is written as the list writes codes.
func (c WasteCode) Valid() bool { return wasteCodeFormat.MatchString(string(c)) }

// Hazardous reports whether the code is a hazardous waste's.
func (c WasteCode) Hazardous() bool { return strings.HasSuffix(string(c), "*") }

// UnitWasteCode is the code of a unit leaving as waste: those with a screen
// count as equipment with hazardous components.
func UnitWasteCode(k Kind) WasteCode {
	if k == KindScreen || k == KindAllInOne {
		return WasteHazardousEquipment
	}
	return WasteEquipment
}

// WasteCode is the flow's code.
func (f Flow) WasteCode() WasteCode {
	switch f {
	case FlowScreens:
		return WasteHazardousEquipment
	case FlowBatteries:
		return WasteBatteries
	case FlowBoardsComponents:
		return WasteComponents
	}
	return WasteEquipment
}

// DefaultWeightKG is the weight a unit never weighed is counted at, by
// kind: an estimate, marked so wherever it is used.
var DefaultWeightKG = map[Kind]float64{
	KindLaptop: 2.0, KindDesktop: 8.0, KindAllInOne: 9.0, KindTablet: 0.6, KindScreen: 5.0, KindOther: 3.0,
}

// PlannedTreatment is the treatment code (annexes I and II of directive
// 2008/98/CE) and mode declared for waste sent to an outlet: DEEE go to
// recycling of metals and other materials.
const (
	PlannedTreatment     = "R 4"
	PlannedTreatmentMode = "RECYCLAGE"
)

// RegisterLine is one line of the register.
type RegisterLine struct {
	ID           string // unique per line: the pickup number and the unit's code or the flow
	Date         ordi.Date
	Description  string
	Code         WasteCode
	KG           float64
	Estimated    bool // the unit was not weighed: its kind's default weight
	Treatment    string
	Pickup       string
	Outlet       Outlet
	Carrier      string
	CarrierSIRET string
}

// Tonnes is the line's quantity in tonnes, rounded to the kilogram (the
// register takes three decimals).
func (l RegisterLine) Tonnes() float64 {
	return float64(int64(l.KG+0.5)) / 1000
}

// WasteRegister lists the register's lines for the pickups of the period
// [from, to], in date order then pickup number, each pickup's units by code
// then its flows.
func (s *Service) WasteRegister(ctx context.Context, actor ordi.Actor, from, to ordi.Date) ([]RegisterLine, error) {
	if err := actor.Require(ordi.ManageInventory, refusePickups); err != nil {
		return nil, err
	}
	if to.Before(from) {
		var v ordi.Validation
		v.Add("to", "La fin de la période précède son début.")
		return nil, v.Err()
	}
	db := s.db.WithContext(ctx)
	var pickups []Pickup
	if err := db.Where("picked_on >= ? AND picked_on <= ?", from, to).Order("picked_on, number").Limit(100_000).Find(&pickups).Error; err != nil {
		return nil, fmt.Errorf("register pickups: %w", err)
	}
	var lines []RegisterLine
	outlets := map[int64]Outlet{}
	for _, p := range pickups {
		o, ok := outlets[p.OutletID]
		if !ok {
			var err error
			if o, err = findOutlet(db, p.OutletID); err != nil {
				return nil, err
			}
			outlets[p.OutletID] = o
		}
		line := func(id, desc string, code WasteCode, kg float64, estimated bool) RegisterLine {
			return RegisterLine{ID: p.Number + "-" + id, Date: p.PickedOn, Description: desc, Code: code, KG: kg, Estimated: estimated,
				Treatment: PlannedTreatment, Pickup: p.Number, Outlet: o, Carrier: p.Carrier, CarrierSIRET: p.CarrierSIRET}
		}
		var units []struct {
			Code     Code
			Kind     Kind
			Brand    string
			Model    string
			WeightKG *float64 `gorm:"column:weight_kg"`
		}
		err := db.Table("pickup_units").Select("units.code, units.kind, units.brand, units.model, pickup_units.weight_kg").
			Joins("JOIN units ON units.id = pickup_units.unit_id").Where("pickup_units.pickup_id = ?", p.ID).Order("units.code").Scan(&units).Error
		if err != nil {
			return nil, fmt.Errorf("register units of %s: %w", p.Number, err)
		}
		for _, u := range units {
			kg, estimated := DefaultWeightKG[u.Kind], true
			if u.WeightKG != nil {
				kg, estimated = *u.WeightKG, false
			}
			desc := "DEEE : " + strings.ToLower(u.Kind.Label())
			if t := strings.TrimSpace(u.Brand + " " + u.Model); t != "" {
				desc += " " + t
			}
			lines = append(lines, line(string(u.Code), desc+" ("+string(u.Code)+")", UnitWasteCode(u.Kind), kg, estimated))
		}
		var flows []PickupFlow
		if err := db.Where("pickup_id = ?", p.ID).Order("flow").Find(&flows).Error; err != nil {
			return nil, fmt.Errorf("register flows of %s: %w", p.Number, err)
		}
		for _, f := range flows {
			lines = append(lines, line(string(f.Flow), "DEEE en vrac : "+strings.ToLower(f.Flow.Label()), f.Flow.WasteCode(), f.WeightKG, false))
		}
	}
	return lines, nil
}

// Declarant is the establishment that keeps the register: the association.
type Declarant struct {
	SIRET   string
	Name    string
	Address string
}

// RegisterHeaders are the register's columns, in the order of the import
// file of the outgoing waste register (« D(N)D sortant ») of RNDTS in
// Trackdéchets: docs/waste.md.
var RegisterHeaders = registerHeaders()

// baseHeaders are the columns before the five carriers'.
var baseHeaders = []string{
	"Motif", "Identifiant unique", "SIRET du déclarant", "SIRET de l'expéditeur ou du détenteur",
	"Référence du chantier ou du lieu de collecte de l'expéditeur ou du détenteur",
	"Libellé de l'adresse du chantier ou du lieu de collecte de l'expéditeur ou du détenteur",
	"Code postal du chantier ou du lieu de collecte de l'expéditeur ou du détenteur",
	"Commune du chantier ou du lieu de collecte de l'expéditeur ou du détenteur",
	"Code pays du chantier ou du lieu de collecte de l'expéditeur ou du détenteur",
	"Dénomination du déchet", "Code déchet", "Code déchet Bâle", "POP", "Dangereux", "Date d'expédition",
	"Poids en tonnes", "Type de poids", "Volume en M3",
	"Type de producteur initial", "Numéro d'identification du producteur initial", "Raison sociale du producteur initial",
	"Libellé de l'adresse du producteur initial", "Code postal du producteur initial", "Commune du producteur initial",
	"Code pays du producteur initial", "Code(s) INSEE de(s) commune(s)",
	"Type de destinataire", "Numéro d'identification du destinataire", "Raison sociale du destinataire",
	"Libellé de l'adresse du destinataire", "Code postal du destinataire", "Commune du destinataire", "Code pays du destinataire",
	"Libellé de l'adresse de dépôt du destinataire", "Code postal du lieu de dépôt du destinataire",
	"Commune du lieu de dépôt du destinataire", "Code pays du lieu de dépôt du destinataire",
	"Numéro de déclaration GISTRID", "Numéro de notification GISTRID", "Numéro de mouvement",
	"Code de traitement prévu", "Mode de traitement prévu",
	"SIRET de l'éco-organisme", "Raison sociale de l’éco-organisme ",
	"SIRET du courtier", "Raison sociale du courtier", "Numéro de récépissé du courtier",
	"SIRET du négociant", "Raison sociale du négociant", "Numéro de récépissé du négociant",
	"Approvisionnement direct (pipeline, convoyeur)",
}

// transporterHeaders are the ten columns of each of the five carriers.
var transporterHeaders = []string{
	"Mode de transport du transporteur n°%d", "Type de transporteur n°%d", "Numéro d'identification du transporteur n°%d",
	"Raison sociale du transporteur n°%d", "Libellé de l'adresse du transporteur n°%d", "Code postal du transporteur n°%d",
	"Commune du transporteur n°%d", "Code pays du transporteur n°%d", "Exemption de récépissé du transporteur n°%d",
	"Numéro de récépissé du transporteur n°%d",
}

func registerHeaders() []string {
	out := append([]string(nil), baseHeaders...)
	for n := 1; n <= 5; n++ {
		for _, h := range transporterHeaders {
			out = append(out, fmt.Sprintf(h, n))
		}
	}
	return out
}

var postcodeCity = regexp.MustCompile(`(\d{5})\s+([^,\n]+?)\s*$`)

// splitAddress separates "15 rue de la Paix, 75002 Paris" into its street
// part, postcode and city; an address without a French postcode at its end
// is all street.
func splitAddress(a string) (street, postcode, city string) {
	a = strings.Join(strings.Fields(strings.ReplaceAll(a, "\n", ", ")), " ")
	m := postcodeCity.FindStringSubmatchIndex(a)
	if m == nil {
		return a, "", ""
	}
	street = strings.TrimRight(strings.TrimSpace(a[:m[0]]), ",")
	return street, a[m[2]:m[3]], a[m[4]:m[5]]
}

func yesNo(b bool) string {
	if b {
		return "OUI"
	}
	return "NON"
}

// WriteWasteRegister writes the lines as the import file: UTF-8, fields
// separated by semicolons, one header row, quantities in tonnes with a
// decimal point and three decimals, dates YYYY-MM-DD.
func WriteWasteRegister(w io.Writer, d Declarant, lines []RegisterLine) error {
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	if err := cw.Write(RegisterHeaders); err != nil {
		return err
	}
	siteStreet, sitePostcode, siteCity := splitAddress(d.Address)
	for _, l := range lines {
		street, postcode, city := splitAddress(l.Outlet.Address)
		weightType := "REEL"
		if l.Estimated {
			weightType = "ESTIME"
		}
		eoSIRET, eoName := "", ""
		if l.Outlet.Kind == OutletEcoOrganisme {
			eoSIRET, eoName = l.Outlet.SIRET, l.Outlet.Name
		}
		carrierType := ""
		if l.CarrierSIRET != "" {
			carrierType = "ETABLISSEMENT_FR"
		}
		row := []string{
			"", l.ID, "", d.SIRET, d.Name, siteStreet, sitePostcode, siteCity, countryOf(sitePostcode),
			l.Description, string(l.Code), "", "NON", yesNo(l.Code.Hazardous()), l.Date.String(),
			strconv.FormatFloat(l.Tonnes(), 'f', 3, 64), weightType, "",
			"", "", "", "", "", "", "", "",
			"ETABLISSEMENT_FR", l.Outlet.SIRET, l.Outlet.Name, street, postcode, city, countryOf(postcode),
			"", "", "", "",
			"", "", l.Pickup,
			l.Treatment, PlannedTreatmentMode,
			eoSIRET, eoName,
			"", "", "", "", "", "",
			"NON",
			"ROUTE", carrierType, l.CarrierSIRET, l.Carrier, "", "", "", countryOf(l.CarrierSIRET), "", "",
		}
		if len(row) != len(baseHeaders)+len(transporterHeaders) {
			return fmt.Errorf("register: %d columns in a row, want %d", len(row), len(baseHeaders)+len(transporterHeaders))
		}
		for len(row) < len(RegisterHeaders) {
			row = append(row, "") // carriers n°2 to n°5
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// countryOf is "FR" when the value (a postcode, a SIRET) is French, else "".
func countryOf(v string) string {
	if v == "" {
		return ""
	}
	return "FR"
}
