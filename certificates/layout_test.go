package certificates_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/certificates"
	"github.com/ordi-app/ordi/pdfdoc/pdftest"
)

// long returns a text of exactly n characters made of words, as a person
// would type a long name or address.
func long(n int, words string) string {
	var b strings.Builder
	for b.Len() < 4*n {
		b.WriteString(words + " ")
	}
	return strings.TrimSpace(string([]rune(b.String())[:n]))
}

// longestIssuer is an association whose every field is as long as
// Issuer.Validate allows.
func longestIssuer() certificates.Issuer {
	return certificates.Issuer{
		Name:    long(200, "Association intercommunale d'insertion par l'activité économique"),
		SIRET:   "21750001600019",
		Address: long(240, "Bâtiment B escalier 4 résidence des Trois-Ponts") + "\n" + long(259, "59100 Roubaix Cedex zone d'activités de l'Union"),
		Phone:   long(40, "03 20 00 00 00 poste 1234"), Email: long(254, "contact.atelier-informatique@regie-de-quartier.example"),
		Website: long(200, "https://www.regie-de-quartier-roubaix-est.example/atelier"), WarrantyMonths: 60,
	}
}

func TestLongestIssuerIsValid(t *testing.T) {
	i := longestIssuer()
	if err := i.Validate(); err != nil {
		t.Fatalf("the longest issuer of the layout tests is not allowed: %v", err)
	}
	i.Phone += "0"
	if err := i.Validate(); err == nil {
		t.Fatal("a phone number longer than the layout allows is accepted")
	}
}

func longestDonorCertificate() certificates.DonorCertificate {
	c := donorCertificate(12)
	c.Issuer = longestIssuer()
	c.Donor = certificates.DonorInfo{Name: long(200, "Caisse régionale de crédit mutuel agricole du Nord-Est"), Kind: "Entreprise", SIRET: "44126652500019",
		Address: long(2000, "Zone industrielle des Hauts-Champs bâtiment administratif")}
	c.Donation = certificates.DonationInfo{ReceivedOn: date("2026-10-01"), Site: long(200, "Site de production"), Reference: long(200, "RENOUVELLEMENT")}
	c.Replaces = "DON-2026-0006"
	for i := range c.Units {
		u := &c.Units[i]
		u.Brand, u.Model = long(200, "Hewlett-Packard Enterprise"), long(200, "EliteBook 840 G5 Notebook PC")
		u.Serial = long(200, "5CG8123ABC")
		u.Erasures[0].Technique, u.Erasures[0].Tool, u.Erasures[0].DriveSerial = long(200, "NVMe Sanitize block erase"), long(200, "nvme-cli 2.4"), long(200, "S3Z9NB0K123456")
		if u.Outlet != "" {
			u.Outlet = long(401, "Ecologic collecte")
		}
	}
	return c
}

// TestLongestValuesLayout renders every document with the longest values
// allowed and reads their geometry back: no word outside its page, no word
// printed over another, the number and the date whole.
func TestLongestValuesLayout(t *testing.T) {
	pdftest.RequireTools(t)
	h := handover(t)
	h.Issuer = longestIssuer()
	h.Signatory = long(120, "Marie-Christine Dupont-Lefebvre de la Tour")
	h.PartnerName = long(120, "Centre communal d'action sociale")
	h.Place = long(200, "Médiathèque Jean-Zola")
	h.Course.Title = long(200, "Premiers pas avec l'ordinateur et internet")
	h.Unit.Brand, h.Unit.Model, h.Unit.Serial = long(200, "Hewlett-Packard"), long(200, "EliteBook 840 G5"), long(200, "5CG8123ABC")
	h.Accessories = nil
	for i := 0; i < 20; i++ {
		h.Accessories = append(h.Accessories, long(80, "chargeur secteur d'origine"))
	}
	h.Replaces = "REM-2026-0041"
	c := longestDonorCertificate()
	r := certificates.Receipt{PrintedAt: issued, Issuer: longestIssuer(), Donor: c.Donor, Donation: c.Donation}
	for _, u := range c.Units {
		r.Units = append(r.Units, u.UnitInfo)
	}
	sheet := certificates.AttendanceSheet{PrintedAt: issued, Issuer: longestIssuer(), Title: long(200, "Premiers pas"), Place: long(200, "Médiathèque"),
		Trainer: long(120, "Jean-Baptiste Formateur"), Sessions: []ordi.Date{date("2026-11-03"), date("2026-11-10")}, Required: 2,
		Rows: []certificates.AttendanceRow{{Reference: "F-2026-0012", Name: long(200, "Aïssatou Diallo-Mbaye")}}}
	for name, render := range map[string]func(*bytes.Buffer) error{
		"handover":   func(b *bytes.Buffer) error { return certificates.RenderHandover(b, h) },
		"donor":      func(b *bytes.Buffer) error { return certificates.RenderDonor(b, c) },
		"receipt":    func(b *bytes.Buffer) error { return certificates.RenderReceipt(b, r) },
		"attendance": func(b *bytes.Buffer) error { return certificates.RenderAttendance(b, sheet) },
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := render(&buf); err != nil {
				t.Fatal(err)
			}
			pages := pdftest.Words(t, buf.Bytes())
			pdftest.CheckLayout(t, pages, 1, 0.5)
			text := strings.Join(pdftest.Text(t, buf.Bytes()), "\n")
			switch name {
			case "donor":
				if !strings.Contains(text, "N° DON-2026-0007") {
					t.Error("the certificate's number is not printed whole")
				}
				if !strings.Contains(text, "Le 20/11/2026, pour Association") {
					t.Error("the signature block lost its date")
				}
			case "handover":
				if !strings.Contains(text, "N° REM-2026-0042") {
					t.Error("the attestation's number is not printed whole")
				}
			}
		})
	}
}

// TestLongNameHeader is the case: an 87-character name.
func TestLongNameHeader(t *testing.T) {
	pdftest.RequireTools(t)
	c := donorCertificate(3)
	c.Issuer.Name = long(87, "Régie de quartier intercommunale de Roubaix-Est et Tourcoing")
	var buf bytes.Buffer
	if err := certificates.RenderDonor(&buf, c); err != nil {
		t.Fatal(err)
	}
	pdftest.CheckLayout(t, pdftest.Words(t, buf.Bytes()), 1, 0.5)

}
