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

// Receipt is a donor's intake receipt: what was received on the day of the
// collection. Not numbered, not a certificate.
type Receipt struct {
	PrintedAt time.Time
	Issuer    Issuer
	Donor     DonorInfo
	Donation  DonationInfo
	Units     []UnitInfo
}

func nonEmpty(parts ...string) []string {
	var out []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return out
}

func refText(ref string) string {
	if ref == "" {
		return ""
	}
	return "réf. " + ref
}

// RenderReceipt writes the intake receipt.
func RenderReceipt(w io.Writer, r Receipt) error {
	d := newDoc(pdfdoc.Options{Created: r.PrintedAt, Title: "Bon de prise en charge"}, r.Issuer, "Bon de prise en charge", "")
	d.AddPage()
	d.header()
	d.heading("Bon de prise en charge", "Matériel reçu le "+r.Donation.ReceivedOn.French()+" · document édité le "+longDate(r.PrintedAt))
	d.SetFont(pdfdoc.Font, "", 8.5)
	d.SetTextColor(greyText, greyText, greyText)
	d.MultiCell(d.w, 4.5, "Ce bon atteste la réception du matériel ; il n'est pas un certificat. Le certificat d'effacement et de recyclage, numéroté et vérifiable, suit quand chaque unité est traitée.", "", "L", false)
	d.SetTextColor(0, 0, 0)
	d.section("Donateur")
	d.row("Nom", r.Donor.Name)
	if r.Donor.SIRET != "" {
		d.row("SIRET", formatSIRET(r.Donor.SIRET))
	}
	if r.Donor.Address != "" {
		d.row("Adresse", r.Donor.Address)
	}
	d.section("Collecte")
	d.row("Site", r.Donation.Site)
	d.row("Référence du donateur", r.Donation.Reference)
	total := 0.0
	var rows [][]string
	for _, u := range r.Units {
		weight := ""
		if u.WeightKG > 0 {
			weight = kg(u.WeightKG)
			total += u.WeightKG
		}
		rows = append(rows, []string{u.Code, u.Kind, strings.TrimSpace(u.Brand + " " + u.Model), u.Serial, weight})
	}
	d.section(fmt.Sprintf("Matériel reçu : %s, %s", ordi.Plural(len(r.Units), "unité", "unités"), kg(total)))
	if len(rows) == 0 {
		d.paragraph("Aucune unité enregistrée pour l'instant.", 9)
	} else {
		d.table([]column{{"Code", 22, "L"}, {"Type", 34, "L"}, {"Marque / modèle", 60, "L"}, {"N° de série", 44, "L"}, {"Poids", 20, "R"}}, rows, 8.5)
	}
	d.section("Signatures")
	d.needs(28)
	y := d.GetY()
	half := d.w/2 - 3
	d.SetFont(pdfdoc.Font, "", 8.5)
	d.CellFormat(half, 5, "Pour le donateur", "", 0, "L", false, 0, "")
	d.SetXY(marginX+half+6, y)
	d.CellFormat(half, 5, "Pour "+r.Issuer.Name, "", 0, "L", false, 0, "")
	d.SetDrawColor(160, 160, 160)
	d.Line(marginX, y+22, marginX+half, y+22)
	d.Line(marginX+half+6, y+22, marginX+d.w, y+22)
	return d.output(w)
}

// AttendanceSheet is a course's sign-in sheet (feuille d'émargement).
type AttendanceSheet struct {
	PrintedAt time.Time
	Issuer    Issuer
	Title     string
	Place     string
	Trainer   string
	Sessions  []ordi.Date
	Required  int
	Rows      []AttendanceRow
}

// AttendanceRow is one family of the sheet.
type AttendanceRow struct {
	Reference string
	Name      string
	Marks     []*bool // per session: present, absent, or not taken
}

// RenderAttendance writes the sign-in sheet, landscape, one column per
// session with the mark taken and room to sign.
func RenderAttendance(w io.Writer, s AttendanceSheet) error {
	if len(s.Sessions) == 0 {
		var v ordi.Validation
		v.Add("sessions", "La formation n'a pas de séance.")
		return v.Err()
	}
	d := newDoc(pdfdoc.Options{Orientation: "L", Created: s.PrintedAt, Title: "Feuille d'émargement"}, s.Issuer, "Feuille d'émargement", "")
	d.AddPage()
	d.header()
	sub := s.Title
	if s.Place != "" {
		sub += " · " + s.Place
	}
	if s.Trainer != "" {
		sub += " · formateur : " + s.Trainer
	}
	d.heading("Feuille d'émargement", sub+fmt.Sprintf(" · %s à suivre sur %d", ordi.Plural(s.Required, "séance", "séances"), len(s.Sessions)))
	first := 70.0
	each := (d.w - first) / float64(len(s.Sessions))
	cols := []column{{"Famille (référence) et signataire", first, "L"}}
	for i, dt := range s.Sessions {
		cols = append(cols, column{fmt.Sprintf("Séance %d\n%s", i+1, dt.French()), each, "C"})
	}
	var rows [][]string
	for _, r := range s.Rows {
		row := []string{r.Reference + "\n" + r.Name + "\n "}
		for i := range s.Sessions {
			mark := "\n\n "
			if i < len(r.Marks) && r.Marks[i] != nil {
				if *r.Marks[i] {
					mark = "présent\n\n "
				} else {
					mark = "absent\n\n "
				}
			}
			row = append(row, mark)
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		d.paragraph("Aucune famille inscrite.", 9)
	} else {
		d.table(cols, rows, 9)
	}
	d.SetFont(pdfdoc.Font, "", 8)
	d.SetTextColor(greyText, greyText, greyText)
	d.MultiCell(d.w, 4, "Chaque personne présente signe dans la case de la séance. Document édité le "+longDate(s.PrintedAt)+" pour les financeurs du programme.", "", "L", false)
	return d.output(w)
}
