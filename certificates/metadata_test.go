package certificates_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/certificates"
	"github.com/ordi-app/ordi/pdfdoc/pdftest"
)

// TestDocumentMetadata: every document says what it is, who wrote it and
// when, in Paris time with its offset, and in which language.
func TestDocumentMetadata(t *testing.T) {
	pdftest.RequireTools(t)
	c := donorCertificate(3)
	r := certificates.Receipt{PrintedAt: issued, Issuer: issuer(), Donor: c.Donor, Donation: c.Donation}
	sheet := certificates.AttendanceSheet{PrintedAt: issued, Issuer: issuer(), Title: "Premiers pas", Sessions: []ordi.Date{date("2026-11-03")}, Required: 1}
	summer := c
	summer.IssuedAt = issued.AddDate(0, -5, 0)
	for name, tc := range map[string]struct {
		render        func(*bytes.Buffer) error
		title, create string
	}{
		"handover": {func(b *bytes.Buffer) error { return certificates.RenderHandover(b, handover(t)) }, "Attestation de remise REM-2026-0042", "2026-11-20T15:00:00+01"},
		"donor":    {func(b *bytes.Buffer) error { return certificates.RenderDonor(b, c) }, "Certificat DON-2026-0007", "2026-11-20T15:00:00+01"},
		"summer":   {func(b *bytes.Buffer) error { return certificates.RenderDonor(b, summer) }, "Certificat DON-2026-0007", "2026-06-20T16:00:00+02"},
		"receipt":  {func(b *bytes.Buffer) error { return certificates.RenderReceipt(b, r) }, "Bon de prise en charge", "2026-11-20T15:00:00+01"},
		"sheet":    {func(b *bytes.Buffer) error { return certificates.RenderAttendance(b, sheet) }, "Feuille d'émargement : Premiers pas", "2026-11-20T15:00:00+01"},
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tc.render(&buf); err != nil {
				t.Fatal(err)
			}
			pdftest.Validate(t, buf.Bytes())
			info := pdftest.Info(t, buf.Bytes())
			want := map[string]string{"Title": tc.title, "Author": issuer().Name, "Creator": "Ordi", "CreationDate": tc.create, "ModDate": tc.create}
			for k, v := range want {
				if info[k] != v {
					t.Errorf("%s = %q, want %q", k, info[k], v)
				}
			}
			if strings.TrimSpace(info["Subject"]) == "" {
				t.Error("no subject")
			}
			if !bytes.Contains(buf.Bytes(), []byte("/Lang (fr-FR)")) {
				t.Error("no language in the catalog")
			}
		})
	}
}
