package certificates_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/certificates"
	"github.com/ordi-app/ordi/pdfdoc/pdftest"
)

// hostileIssuer carries s in every field of the association's identity.
func hostileIssuer(s string) certificates.Issuer {
	return certificates.Issuer{Name: s, SIRET: s, Address: s + "\n" + s, Phone: s, Email: s, Website: s, WarrantyMonths: 3}
}

func hostileUnit(s string) certificates.UnitInfo {
	return certificates.UnitInfo{Code: s, Kind: s, Brand: s, Model: s, Serial: s, CPU: s, RAMGB: 8, StorageGB: 256, StorageKind: s, OS: s, Grade: s, WeightKG: 1.5}
}

func hostileHandover(t testing.TB, s string) certificates.Handover {
	h := handover(t)
	h.Issuer, h.Place, h.HouseholdReference, h.Signatory, h.PartnerName = hostileIssuer(s), s, s, s, s
	h.Course.Title = s
	h.Unit, h.Accessories = hostileUnit(s), []string{s, s}
	h.Erasure.Category, h.Erasure.Technique, h.Erasure.Tool, h.Erasure.Result, h.Erasure.DriveSerial = s, s, s, s, s
	return h
}

func hostileDonor(s string) certificates.DonorCertificate {
	c := donorCertificate(3)
	c.Issuer = hostileIssuer(s)
	c.Donor = certificates.DonorInfo{Name: s, Kind: s, SIRET: s, Address: s}
	c.Donation.Site, c.Donation.Reference = s, s
	for i := range c.Units {
		c.Units[i].UnitInfo = hostileUnit(s)
		c.Units[i].Outlet = s
		e := &c.Units[i].Erasures[0]
		e.Category, e.Technique, e.Tool, e.Result, e.DriveSerial = s, s, s, s, s
	}
	return c
}

func hostileReceipt(s string) certificates.Receipt {
	c := hostileDonor(s)
	return certificates.Receipt{PrintedAt: issued, Issuer: c.Issuer, Donor: c.Donor, Donation: c.Donation,
		Units: []certificates.UnitInfo{hostileUnit(s), hostileUnit(s)}}
}

func hostileSheet(s string) certificates.AttendanceSheet {
	return certificates.AttendanceSheet{PrintedAt: issued, Issuer: hostileIssuer(s), Title: s, Place: s, Trainer: s,
		Sessions: []ordi.Date{date("2026-11-03"), date("2026-11-10")}, Required: 2,
		Rows: []certificates.AttendanceRow{{Reference: s, Name: s}, {Reference: "F-2026-0001", Name: "Aïssatou Diallo"}}}
}

// renderers are the documents, each drawing s in every text it prints.
var renderers = map[string]func(t testing.TB, s string) ([]byte, error){
	"handover": func(t testing.TB, s string) ([]byte, error) {
		var buf bytes.Buffer
		err := certificates.RenderHandover(&buf, hostileHandover(t, s))
		return buf.Bytes(), err
	},
	"donor": func(t testing.TB, s string) ([]byte, error) {
		var buf bytes.Buffer
		err := certificates.RenderDonor(&buf, hostileDonor(s))
		return buf.Bytes(), err
	},
	"receipt": func(t testing.TB, s string) ([]byte, error) {
		var buf bytes.Buffer
		err := certificates.RenderReceipt(&buf, hostileReceipt(s))
		return buf.Bytes(), err
	},
	"attendance": func(t testing.TB, s string) ([]byte, error) {
		var buf bytes.Buffer
		err := certificates.RenderAttendance(&buf, hostileSheet(s))
		return buf.Bytes(), err
	},
}

// TestDocumentsDrawAnyText feeds text the font cannot draw (emoji, 𝐀,
// controls, bytes that are not UTF-8, very long words) to every field of
// every document: each renders as a valid PDF, and the emoji shows as the
// replacement mark next to the text around it.
func TestDocumentsDrawAnyText(t *testing.T) {
	for name, render := range renderers {
		t.Run(name, func(t *testing.T) {
			for _, s := range pdftest.Hostile {
				pdf, err := render(t, s)
				if err != nil {
					t.Fatalf("%q: %v", s, err)
				}
				pdftest.RequireTools(t)
				pdftest.Validate(t, pdf)
				if s != pdftest.Hostile[0] {
					continue
				}
				if text := strings.Join(pdftest.Text(t, pdf), "\n"); !strings.Contains(text, "Zoé "+pdftest.Mark+" Martin") {
					t.Errorf("%q is not drawn with the replacement mark:\n%s", s, text)
				}
			}
		})
	}
}
