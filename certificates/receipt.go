package certificates

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/pdfdoc"
)

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
	d := newDoc(pdfdoc.Options{Created: r.PrintedAt, Title: "Bon de prise en charge",
		Subject: "Matériel reçu de " + r.Donor.Name + " le " + r.Donation.ReceivedOn.French()}, r.Issuer, "Bon de prise en charge", "")
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
	var s Summary
	var rows [][]string
	for _, u := range r.Units {
		weight := "—"
		if u.WeightKG > 0 {
			weight = kg(u.WeightKG)
			s.TotalKG += u.WeightKG
		} else {
			s.Unweighed++
		}
		rows = append(rows, []string{u.Code, u.Kind, strings.TrimSpace(u.Brand + " " + u.Model), u.Serial, weight})
	}
	d.section(fmt.Sprintf("Matériel reçu : %s, %s", ordi.Plural(len(r.Units), "unité", "unités"), s.totalWeight()))
	if len(rows) == 0 {
		d.paragraph("Aucune unité enregistrée pour l'instant.", 9)
	} else {
		d.table([]column{{"Code", 22, "L"}, {"Type", 34, "L"}, {"Marque / modèle", 60, "L"}, {"N° de série", 44, "L"}, {"Poids", 20, "R"}}, rows, 8.5)
	}
	d.section("Signatures")
	half := d.w/2 - 3
	d.SetFont(pdfdoc.Font, "", 8.5)
	assoc := "Pour " + r.Issuer.Name
	labelH := float64(len(d.SplitText(assoc, half))) * 4.5
	d.needs(labelH + 22)
	y := d.GetY()
	d.CellFormat(half, 4.5, "Pour le donateur", "", 0, "L", false, 0, "")
	d.SetXY(marginX+half+6, y)
	d.MultiCell(half, 4.5, assoc, "", "L", false)
	d.SetDrawColor(160, 160, 160)
	d.Line(marginX, y+labelH+17, marginX+half, y+labelH+17)
	d.Line(marginX+half+6, y+labelH+17, marginX+d.w, y+labelH+17)
	return d.output(w)
}
