package certificates

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/pdfdoc"
)

// Outcome is what became of a donated unit, as its status says when the
// certificate is issued.
type Outcome string

// The outcomes a donor certificate states.
const (
	OutcomeHandedOver Outcome = "handed_over" // given to a family
	OutcomeReady      Outcome = "ready"       // refurbished, on the shelf
	OutcomeReserved   Outcome = "reserved"    // on the shelf, promised to a family
	OutcomeDismantled Outcome = "dismantled"
	OutcomeRecycled   Outcome = "recycled"
	// OutcomeReused is what certificates issued before the outcomes were
	// told apart said of every reusable unit; only their stored inputs
	// still hold it.
	OutcomeReused Outcome = "reused"
)

// Label is the outcome in French.
func (o Outcome) Label() string {
	switch o {
	case OutcomeHandedOver:
		return "Remis à une famille"
	case OutcomeReady:
		return "Prêt au réemploi"
	case OutcomeReserved:
		return "Prêt au réemploi, réservé pour une famille"
	case OutcomeReused:
		return "Réemployé"
	case OutcomeDismantled:
		return "Démantelé pour pièces"
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
	// Failures says, for each failed erasure of the unit, what followed it:
	// the certificate lists only the passed ones, and says what happened to
	// a drive whose erasure failed.
	Failures []Recovery `json:",omitempty"`
	// Unerased are the serials of the unit's drives, as the tools reported
	// them, that no passed erasure names: the certificate lists each drive
	// by serial, and says so of these.
	Unerased []string `json:",omitempty"`
}

// Recovery is what followed a failed erasure, as the next passed record of
// the same drive says.
type Recovery string

// The recoveries of a failed erasure.
const (
	ErasedAgain Recovery = "erased_again" // a later erasure passed
	Destroyed   Recovery = "destroyed"    // the drive was then destroyed
)

// DonorCertificate certifies what happened to every unit of a donation.
type DonorCertificate struct {
	Number    string // DON-YYYY-NNNN
	IssuedAt  time.Time
	Issuer    Issuer
	Donor     DonorInfo
	Donation  DonationInfo
	Units     []DonorUnit
	VerifyURL string
	// Replaces is the number of the certificate of the same donation this
	// one supersedes, if any.
	Replaces string `json:",omitempty"`
}

// Summary counts a certificate's units by outcome.
type Summary struct {
	Received, HandedOver, Ready, Reused, Dismantled, Recycled int
	// TotalKG is the weight of the weighed units; Unweighed counts the
	// others.
	TotalKG   float64
	Unweighed int
}

// Summarize counts the units.
func (c DonorCertificate) Summarize() Summary {
	s := Summary{Received: len(c.Units)}
	for _, u := range c.Units {
		switch u.Outcome {
		case OutcomeHandedOver:
			s.HandedOver++
		case OutcomeReady, OutcomeReserved:
			s.Ready++
		case OutcomeReused:
			s.Reused++
		case OutcomeDismantled:
			s.Dismantled++
		case OutcomeRecycled:
			s.Recycled++
		}
		if u.WeightKG > 0 {
			s.TotalKG += u.WeightKG
		} else {
			s.Unweighed++
		}
	}
	return s
}

// totalWeight writes "192 kg", or "190,4 kg, dont 1 unité non pesée".
func (s Summary) totalWeight() string {
	if s.Unweighed == 0 {
		return kg(s.TotalKG)
	}
	return kg(s.TotalKG) + ", dont " + ordi.Plural(s.Unweighed, "unité non pesée", "unités non pesées")
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
	d := newDoc(pdfdoc.Options{Orientation: "L", Created: c.IssuedAt, Title: "Certificat " + c.Number,
		Subject: fmt.Sprintf("Prise en charge, effacement des données et recyclage : don de %s reçu le %s, %s", c.Donor.Name, c.Donation.ReceivedOn.French(), ordi.Plural(len(c.Units), "unité", "unités"))}, c.Issuer,
		"Attestation de prise en charge, d'effacement et de recyclage", c.Number)
	d.AddPage()
	d.header()
	d.heading("Attestation de prise en charge, d'effacement des données et de recyclage",
		"Délivrée le "+longDate(c.IssuedAt)+" à "+c.Donor.Name)
	if c.Replaces != "" {
		d.notice("Ce certificat remplace le certificat " + c.Replaces + " du même don, qui n'est plus valable.")
	}

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
	head := []column{{"Unités reçues", 0, "C"}, {"Remises à des familles", 0, "C"}, {"Prêtes au réemploi", 0, "C"}}
	counts := []string{fmt.Sprint(s.Received), fmt.Sprint(s.HandedOver), fmt.Sprint(s.Ready)}
	if s.Reused > 0 {
		head, counts = append(head, column{"Réemployées", 0, "C"}), append(counts, fmt.Sprint(s.Reused))
	}
	head = append(head, column{"Démantelées", 0, "C"}, column{"Recyclées (DEEE)", 0, "C"}, column{"Poids total", 0, "C"})
	counts = append(counts, fmt.Sprint(s.Dismantled), fmt.Sprint(s.Recycled), s.totalWeight())
	for i := range head {
		head[i].width = d.w / float64(len(head))
	}
	d.table(head, [][]string{counts}, 9.5)

	d.section("Détail par unité")
	// At 7 pt every column holds its usual content on one line (a row per
	// unit keeps 1,000 units on about 45 pages): the serial columns a
	// 20-character serial (about 30 mm, plus the cell's margins), the
	// erasure column "Purge · NVMe Sanitize (block erase)". Only passed
	// erasures are listed: their date says when they passed.
	cols := []column{
		{"Code", 15, "L"}, {"Type", 17, "L"}, {"Marque / modèle", 38, "L"}, {"N° de série", 35, "L"},
		{"Devenir", 30, "L"}, {"Effacement (NIST SP 800-88)", 49, "L"}, {"Outil", 18, "L"},
		{"Réussi le", 17, "L"}, {"N° de série du disque", 35, "L"}, {"Poids", 13, "R"},
	}
	var rows [][]string
	for _, u := range c.Units {
		outcome := u.Outcome.Label()
		if u.Outlet != "" {
			outcome += " · " + u.Outlet
		}
		weight := "—"
		if u.WeightKG > 0 {
			weight = kg(u.WeightKG)
		}
		first := []string{u.Code, u.Kind, strings.TrimSpace(u.Brand + " " + u.Model), u.Serial, outcome}
		if len(u.Erasures) == 0 && len(u.Unerased) == 0 {
			rows = append(rows, append(first, "Sans support de stockage", "", "", "", weight))
			continue
		}
		var lines [][]string
		for _, e := range u.Erasures {
			lines = append(lines, []string{"", "", "", "", "", e.Category + " · " + e.Technique, e.Tool, shortDate(e.Date), e.DriveSerial, ""})
		}
		for _, serial := range u.Unerased {
			lines = append(lines, []string{"", "", "", "", "", "Aucun effacement réussi enregistré pour ce disque", "", "", serial, ""})
		}
		for i, row := range lines {
			if i == 0 {
				copy(row, first)
				row[9] = weight
			}
			rows = append(rows, row)
		}
	}
	d.table(cols, rows, 7)
	if s.Unweighed > 0 {
		d.paragraph("— : unité non pesée.", 7)
	}

	d.section("Méthodes d'effacement")
	d.paragraph("Les catégories suivent la norme NIST SP 800-88 Rév. 2 : Clear (effacement logique : réécriture ou retour à l'état d'usine, protège contre une récupération simple), Purge (procédé logique ou physique adapté au support : effacement sécurisé ATA, NVMe Sanitize, effacement cryptographique, démagnétisation d'un disque dur ; une réécriture n'est jamais Purge ; récupération impossible même en laboratoire), Destroy (destruction physique du support : broyage, désintégration, pulvérisation, incinération). Le tableau ne retient que les effacements vérifiés comme réussis. "+failures(c.Units), 8)

	// The attestation, the verification code and the signature stay
	// together: never a page holding only the last of them.
	text := attestation(c.Issuer.Name, s)
	const closingH = 30
	d.needs(18 + d.textHeight(text, 8.5) + closingH)
	d.section("Attestation")
	d.paragraph(text, 8.5)
	if err := d.closing(c.VerifyURL, "Le "+shortDate(c.IssuedAt)+", pour "+c.Issuer.Name); err != nil {
		return err
	}
	return d.output(w)
}

// attestation is the certificate's closing statement: what the issuer
// did, and what each unit became, as it stands on the day.
func attestation(issuer string, s Summary) string {
	units := "l'unité décrite ci-dessus"
	if s.Received > 1 {
		units = fmt.Sprintf("les %d unités décrites ci-dessus", s.Received)
	}
	var fates []string
	add := func(n int, one, many string) {
		if n > 0 {
			fates = append(fates, ordi.Plural(n, one, many))
		}
	}
	add(s.HandedOver, "unité a été remise à une famille accompagnée par le programme", "unités ont été remises à des familles accompagnées par le programme")
	add(s.Ready, "unité est prête au réemploi et conservée par l'association jusqu'à sa remise à une famille",
		"unités sont prêtes au réemploi et conservées par l'association jusqu'à leur remise à des familles")
	add(s.Reused, "unité a été réemployée", "unités ont été réemployées")
	add(s.Dismantled, "unité a été démantelée pour pièces", "unités ont été démantelées pour pièces")
	add(s.Recycled, "unité a été remise à une filière agréée de traitement des déchets d'équipements électriques et électroniques (DEEE)",
		"unités ont été remises à une filière agréée de traitement des déchets d'équipements électriques et électroniques (DEEE)")
	return fmt.Sprintf("%s atteste avoir pris en charge %s et en avoir effacé les données selon les méthodes indiquées. À la date de la présente attestation, %s.",
		issuer, units, strings.Join(fates, " ; "))
}

// maxListedCodes bounds the unit codes a sentence lists.
const maxListedCodes = 30

// failures says what followed the failed erasures, from the records.
func failures(units []DonorUnit) string {
	var again, destroyed []string
	for _, u := range units {
		seen := map[Recovery]bool{}
		for _, r := range u.Failures {
			if seen[r] {
				continue
			}
			seen[r] = true
			switch r {
			case ErasedAgain:
				again = append(again, u.Code)
			case Destroyed:
				destroyed = append(destroyed, u.Code)
			}
		}
	}
	if len(again) == 0 && len(destroyed) == 0 {
		return "Aucun effacement n'a échoué."
	}
	var out []string
	if len(again) > 0 {
		out = append(out, failureSentence(again, "le support a ensuite été effacé de nouveau avec succès", "les supports ont ensuite été effacés de nouveau avec succès"))
	}
	if len(destroyed) > 0 {
		out = append(out, failureSentence(destroyed, "le support a ensuite été détruit", "les supports ont ensuite été détruits"))
	}
	return strings.Join(out, " ")
}

func failureSentence(codes []string, one, many string) string {
	listed := codes
	more := ""
	if len(codes) > maxListedCodes {
		listed = codes[:maxListedCodes]
		more = fmt.Sprintf(" et %d autres", len(codes)-maxListedCodes)
	}
	if len(codes) == 1 {
		return fmt.Sprintf("Pour l'unité %s, un premier effacement a échoué ; %s.", codes[0], one)
	}
	return fmt.Sprintf("Pour les unités %s%s, un premier effacement a échoué ; %s.", strings.Join(listed, ", "), more, many)
}
