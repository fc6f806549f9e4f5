package certificates

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/pdfdoc"
)

// Outcome is what became of a donated unit.
type Outcome string

// The outcomes a donor certificate states.
const (
	OutcomeReused     Outcome = "reused"
	OutcomeDismantled Outcome = "dismantled"
	OutcomeRecycled   Outcome = "recycled"
)

// Label is the outcome in French.
func (o Outcome) Label() string {
	switch o {
	case OutcomeReused:
		return "Réemployé"
	case OutcomeDismantled:
		return "Démantelé (pièces réemployées)"
	case OutcomeRecycled:
		return "Recyclé (filière DEEE)"
	}
	return string(o)
}

// DonorInfo is the donor as a certificate shows it.
type DonorInfo struct {
	Name    string
	Kind    string // "Entreprise"
	SIRET   string
	Address string
}

// DonationInfo is the collection a document is about.
type DonationInfo struct {
	ReceivedOn ordi.Date
	Site       string
	Reference  string
}

// DonorUnit is one row of a donor certificate.
type DonorUnit struct {
	UnitInfo
	Outcome  Outcome
	Outlet   string // recycling outlet and reference, when recycled
	Erasures []ErasureInfo
}

// DonorCertificate certifies what happened to every unit of a donation.
type DonorCertificate struct {
	Number    string // DON-YYYY-NNNN
	IssuedAt  time.Time
	Issuer    Issuer
	Donor     DonorInfo
	Donation  DonationInfo
	Units     []DonorUnit
	VerifyURL string
}

// Summary counts a certificate's units by outcome.
type Summary struct {
	Received, Reused, Dismantled, Recycled int
	TotalKG                                float64
}

// Summarize counts the units.
func (c DonorCertificate) Summarize() Summary {
	s := Summary{Received: len(c.Units)}
	for _, u := range c.Units {
		switch u.Outcome {
		case OutcomeReused:
			s.Reused++
		case OutcomeDismantled:
			s.Dismantled++
		case OutcomeRecycled:
			s.Recycled++
		}
		s.TotalKG += u.WeightKG
	}
	return s
}

func (c *DonorCertificate) validate() error {
	var v ordi.Validation
	if strings.TrimSpace(c.Number) == "" {
		v.Add("number", "Numéro de certificat manquant.")
	}
	if len(c.Units) == 0 {
		v.Add("units", "Un certificat porte sur au moins une unité.")
	}
	return v.Err()
}

// kg writes a weight as "12,5 kg".
func kg(w float64) string {
	return strings.Replace(strings.TrimSuffix(fmt.Sprintf("%.1f", w), ".0"), ".", ",", 1) + " kg"
}

// RenderDonor writes the donor's certificate: who, what, and one row per
// unit with its outcome and its erasure records. Nothing is written on error.
func RenderDonor(w io.Writer, c DonorCertificate) error {
	if err := c.validate(); err != nil {
		return err
	}
	d := newDoc(pdfdoc.Options{Orientation: "L", Created: c.IssuedAt, Title: "Certificat " + c.Number}, c.Issuer,
		"Attestation de prise en charge, d'effacement et de recyclage", c.Number)
	d.AddPage()
	d.header()
	d.heading("Attestation de prise en charge, d'effacement des données et de recyclage",
		"Délivrée le "+longDate(c.IssuedAt)+" à "+c.Donor.Name)

	d.section("Donateur")
	d.row("Nom", c.Donor.Name)
	d.row("Type", c.Donor.Kind)
	if c.Donor.SIRET != "" {
		d.row("SIRET", formatSIRET(c.Donor.SIRET))
	}
	if c.Donor.Address != "" {
		d.row("Adresse", c.Donor.Address)
	}
	d.row("Collecte", strings.Join(nonEmpty("reçue le "+c.Donation.ReceivedOn.French(), c.Donation.Site, refText(c.Donation.Reference)), " · "))

	s := c.Summarize()
	d.section("Synthèse")
	d.table([]column{{"Unités reçues", 53, "C"}, {"Réemployées", 53, "C"}, {"Démantelées", 53, "C"}, {"Recyclées (DEEE)", 54, "C"}, {"Poids total", 54, "C"}},
		[][]string{{fmt.Sprint(s.Received), fmt.Sprint(s.Reused), fmt.Sprint(s.Dismantled), fmt.Sprint(s.Recycled), kg(s.TotalKG)}}, 9.5)

	d.section("Détail par unité")
	cols := []column{
		{"Code", 17, "L"}, {"Type", 21, "L"}, {"Marque / modèle", 42, "L"}, {"N° de série", 28, "L"},
		{"Devenir", 36, "L"}, {"Effacement (NIST SP 800-88)", 55, "L"}, {"Outil", 22, "L"},
		{"Résultat, date", 27, "L"}, {"Disque", 19, "L"},
	}
	var rows [][]string
	for _, u := range c.Units {
		outcome := u.Outcome.Label()
		if u.Outlet != "" {
			outcome += " · " + u.Outlet
		}
		if len(u.Erasures) == 0 {
			rows = append(rows, []string{u.Code, u.Kind, strings.TrimSpace(u.Brand + " " + u.Model), u.Serial, outcome, "Sans support de stockage", "", "", ""})
			continue
		}
		for i, e := range u.Erasures {
			row := []string{"", "", "", "", "", e.Category + " · " + e.Technique, e.Tool, e.Result + ", " + shortDate(e.Date), e.DriveSerial}
			if i == 0 {
				row[0], row[1], row[2], row[3], row[4] = u.Code, u.Kind, strings.TrimSpace(u.Brand+" "+u.Model), u.Serial, outcome
			}
			rows = append(rows, row)
		}
	}
	d.table(cols, rows, 7.5)

	d.section("Méthodes d'effacement")
	d.paragraph("Les catégories suivent la norme NIST SP 800-88 Rév. 2 : Clear (effacement logique : réécriture ou retour à l'état d'usine, protège contre une récupération simple), Purge (procédé logique ou physique adapté au support : effacement sécurisé ATA, NVMe Sanitize, effacement cryptographique ; récupération impossible même en laboratoire), Destroy (destruction physique du support : broyage, perçage, désintégration). Seuls les effacements vérifiés comme réussis sont retenus ; un support dont l'effacement a échoué a été détruit.", 8)
	d.section("Attestation")
	d.paragraph(fmt.Sprintf("%s atteste avoir pris en charge les %d unités ci-dessus, en avoir effacé les données selon les méthodes indiquées avant tout réemploi ou recyclage, puis les avoir réemployées auprès de foyers accompagnés ou remises à une filière agréée de traitement des déchets d'équipements électriques et électroniques (DEEE).", c.Issuer.Name, len(c.Units)), 8.5)
	d.needs(30)
	y := d.GetY()
	if err := d.verification(c.VerifyURL, 24); err != nil {
		return err
	}
	d.SetXY(marginX+d.w-70, y)
	d.SetFont(pdfdoc.Font, "", 8.5)
	d.CellFormat(70, 5, "Pour "+c.Issuer.Name+", le "+shortDate(c.IssuedAt), "", 2, "L", false, 0, "")
	d.SetDrawColor(160, 160, 160)
	d.Line(marginX+d.w-70, y+20, marginX+d.w, y+20)
	return d.output(w)
}
