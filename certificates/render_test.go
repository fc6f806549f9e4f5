package certificates_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/certificates"
	"github.com/ordi-app/ordi/pdfdoc/pdftest"
)

var update = flag.Bool("update", false, "rewrite the golden PDFs in testdata/")

// canary is a family's name that must never appear where it should not.
const canary = "Zéphyrine Canari-Œuvre"

var issued = time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC)

func issuer() certificates.Issuer {
	return certificates.Issuer{Name: "Régie de quartier « Roubaix-Est »", SIRET: "21750001600019", Address: "12 rue de l’Épeule\n59100 Roubaix",
		Phone: "03 20 00 00 00", Email: "contact@regie.example", WarrantyMonths: 3}
}

func date(s string) ordi.Date { d, _ := ordi.ParseDate(s); return d }

func signature(t testing.TB) []byte {
	img := image.NewGray(image.Rect(0, 0, 300, 100))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for x := 20; x < 280; x++ {
		img.SetGray(x, 50+(x%40)-20, color.Gray{})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func handover(t testing.TB) certificates.Handover {
	return certificates.Handover{
		Number: "REM-2026-0042", IssuedAt: issued, Place: "Roubaix", Issuer: issuer(),
		HouseholdReference: "F-2026-0012", Signatory: canary, PartnerName: "CCAS de Roubaix",
		Course: &certificates.CourseInfo{Title: "Premiers pas, cœur du numérique", Dates: []ordi.Date{date("2026-11-03"), date("2026-11-10")}, Attended: 2, Sessions: 2},
		Unit: certificates.UnitInfo{Code: "K7M2Q9X", Kind: "Ordinateur portable", Brand: "Lenovo", Model: "ThinkPad T480", Serial: "PF1ABC23",
			CPU: "Intel Core i5-8350U", RAMGB: 8, StorageGB: 256, StorageKind: "SSD NVMe", OS: "Linux Mint 22", Grade: "B : bon état"},
		Accessories: []string{"chargeur", "souris", "sacoche (valeur 15 €)"},
		Erasure:     &certificates.ErasureInfo{Category: "Purge", Technique: "NVMe Sanitize", Tool: "nvme-cli 2.4", Result: "réussi", Date: issued.AddDate(0, 0, -18)},
		Signature:   signature(t), VerifyURL: "https://ordi.regie.example/verify/REM-2026-0042",
	}
}

func donorCertificate(n int) certificates.DonorCertificate {
	c := certificates.DonorCertificate{Number: "DON-2026-0007", IssuedAt: issued, Issuer: issuer(),
		Donor:     certificates.DonorInfo{Name: "Crédit Coopératif", Kind: "Entreprise", SIRET: "44126652500019", Address: "12 boulevard Pesaro, 92000 Nanterre"},
		Donation:  certificates.DonationInfo{ReceivedOn: date("2026-10-01"), Site: "Siège", Reference: "RENOUV-2026"},
		VerifyURL: "https://ordi.regie.example/verify/DON-2026-0007"}
	for i := 0; i < n; i++ {
		u := certificates.DonorUnit{UnitInfo: certificates.UnitInfo{Code: fmt.Sprintf("K%06d", i), Kind: "Portable", Brand: "Lenovo", Model: "ThinkPad T480",
			Serial: fmt.Sprintf("PF%06d", i), WeightKG: 1.6}, Outcome: certificates.OutcomeHandedOver}
		u.Erasures = []certificates.ErasureInfo{{Category: "Purge", Technique: "NVMe Sanitize (block erase)", Tool: "nvme-cli 2.4", Result: "réussi",
			Date: issued.AddDate(0, 0, -10), DriveSerial: fmt.Sprintf("S3Z%05d", i)}}
		switch i % 10 {
		case 5, 6, 8:
			u.Outcome = certificates.OutcomeReady
		case 9:
			u.Outcome = certificates.OutcomeReserved
		case 3:
			u.Outcome, u.Outlet = certificates.OutcomeRecycled, "Ecologic BE-2026-118"
		case 7:
			u.Outcome = certificates.OutcomeDismantled
			u.Erasures[0].Category, u.Erasures[0].Technique = "Destroy", "Broyage, procès-verbal reçu"
		}
		c.Units = append(c.Units, u)
	}
	return c
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./certificates -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from its golden file (check the output, then go test ./certificates -update)", name)
	}
}

func renderHandover(t testing.TB, h certificates.Handover) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := certificates.RenderHandover(&buf, h); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestHandoverDocument(t *testing.T) {
	pdf := renderHandover(t, handover(t))
	if again := renderHandover(t, handover(t)); !bytes.Equal(pdf, again) {
		t.Fatal("two renderings differ")
	}
	golden(t, "handover.pdf", pdf)
	pdftest.RequireTools(t)
	if n := pdftest.Validate(t, pdf); n != 3 {
		t.Fatalf("%d pages, want 3 (two copies and the charter)", n)
	}
	pages := pdftest.Text(t, pdf)
	for i, copyFor := range []string{"Exemplaire de la famille", "Exemplaire de l'association"} {
		text := pages[i]
		for _, want := range []string{
			"Attestation de remise d'un équipement informatique", copyFor, "REM-2026-0042", "20 novembre 2026", "Roubaix",
			"Régie de quartier « Roubaix-Est »", "217 500 016 00019", "12 rue de l’Épeule", "F-2026-0012", canary, "CCAS de Roubaix",
			"Premiers pas, cœur du numérique", "2 séances sur 2", "K7M2Q9X", "Lenovo ThinkPad T480", "PF1ABC23", "8 Go de mémoire",
			"256 Go SSD NVMe", "Linux Mint 22", "B : bon état", "sacoche (valeur 15 €)", "Purge", "NVMe Sanitize",
			"garanti 3 mois", "ni vendu", "DEEE", "CNIL", "Signé sur tablette", "Vérifier l'authenticité",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("page %d lacks %q", i+1, want)
			}
		}
	}
	if !strings.Contains(pages[2], "Charte d'utilisation") || !strings.Contains(pages[2], "K7M2Q9X") {
		t.Error("third page is not the charter")
	}
	// The verification QR of each copy decodes to the verification URL.
	imgs := pdftest.Rasterize(t, pdf, 200)
	for i := 0; i < 2; i++ {
		b := imgs[i].Bounds()
		got, err := pdftest.DecodeQR(imgs[i], image.Rect(0, b.Dy()/2, b.Dx()/2, b.Dy()))
		if err != nil || got != "https://ordi.regie.example/verify/REM-2026-0042" {
			t.Errorf("page %d QR = %q (%v)", i+1, got, err)
		}
	}
}

func TestHandoverOnPaper(t *testing.T) {
	h := handover(t)
	h.Signature = nil
	pdf := renderHandover(t, h)
	pdftest.RequireTools(t)
	if text := pdftest.Text(t, pdf)[0]; strings.Contains(text, "Signé sur tablette") {
		t.Fatal("a paper form says it was signed on the tablet")
	}
}

func TestDonorDocument(t *testing.T) {
	var buf bytes.Buffer
	c := donorCertificate(120)
	if err := certificates.RenderDonor(&buf, c); err != nil {
		t.Fatal(err)
	}
	pdf := buf.Bytes()
	golden(t, "donor.pdf", pdf)
	s := c.Summarize()
	if s.Received != 120 || s.Recycled != 12 || s.Dismantled != 12 || s.HandedOver != 48 || s.Ready != 48 || s.Reused != 0 || s.Unweighed != 0 {
		t.Fatalf("summary %+v", s)
	}
	pdftest.RequireTools(t)
	pages := pdftest.Validate(t, pdf)
	if pages < 3 {
		t.Fatalf("120 units on %d pages: the table did not continue", pages)
	}
	// A usual row holds on one line: when rows wrap, the pages (and the
	// memory fpdf takes per page) grow by half.
	if pages > 7 {
		t.Errorf("120 usual units on %d pages, want 7 at most: rows wrap", pages)
	}
	texts := pdftest.Text(t, pdf)
	all := strings.Join(texts, "\n")
	for _, want := range []string{"Attestation de prise en charge, d'effacement des données et de recyclage", "DON-2026-0007", "Crédit Coopératif",
		"441 266 525 00019", "Unités reçues", "192 kg", "NIST SP 800-88", "Clear", "Purge", "Destroy", "Recyclé (filière", "Ecologic", "BE-2026-118", "Siège", "procès-verbal reçu"} {
		if !strings.Contains(all, want) {
			t.Errorf("certificate lacks %q", want)
		}
	}
	for i := 0; i < 120; i++ {
		if !strings.Contains(all, fmt.Sprintf("K%06d", i)) || !strings.Contains(all, fmt.Sprintf("S3Z%05d", i)) {
			t.Fatalf("unit %d or its drive missing", i)
		}
	}
	// Every page of the table repeats its header, and numbers itself.
	for i, text := range texts {
		if strings.Contains(text, "K0000") && !strings.Contains(text, "Marque / modèle") {
			t.Errorf("page %d lacks the table header", i+1)
		}
		if !strings.Contains(text, fmt.Sprintf("page %d / %d", i+1, pages)) {
			t.Errorf("page %d lacks its number", i+1)
		}
	}
	if strings.Contains(all, canary) {
		t.Fatal("a family's name appears in a donor certificate")
	}
	imgs := pdftest.Rasterize(t, pdf, 150)
	last := imgs[len(imgs)-1]
	if got, err := pdftest.DecodeQR(last, image.Rectangle{}); err != nil || got != c.VerifyURL {
		t.Errorf("QR = %q (%v)", got, err)
	}
}

func TestReceiptAndAttendance(t *testing.T) {
	pdftest.RequireTools(t)
	c := donorCertificate(5)
	r := certificates.Receipt{PrintedAt: issued, Issuer: issuer(), Donor: c.Donor, Donation: c.Donation}
	for _, u := range c.Units {
		r.Units = append(r.Units, u.UnitInfo)
	}
	var buf bytes.Buffer
	if err := certificates.RenderReceipt(&buf, r); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(pdftest.Text(t, buf.Bytes()), "\n")
	for _, want := range []string{"Bon de prise en charge", "n'est pas un certificat", "5 UNITÉS, 8 KG", "K000004"} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt lacks %q", want)
		}
	}
	if strings.Contains(text, "DON-") {
		t.Error("a receipt carries a certificate number")
	}
	sheet := certificates.AttendanceSheet{PrintedAt: issued, Issuer: issuer(), Title: "Premiers pas", Place: "Médiathèque", Trainer: "Tom",
		Sessions: []ordi.Date{date("2026-11-03"), date("2026-11-10"), date("2026-11-17")}, Required: 2,
		Rows: []certificates.AttendanceRow{{Reference: "F-2026-0012", Name: "Aïssatou Diallo"}}}
	buf.Reset()
	if err := certificates.RenderAttendance(&buf, sheet); err != nil {
		t.Fatal(err)
	}
	text = pdftest.Text(t, buf.Bytes())[0]
	for _, want := range []string{"Feuille d'émargement", "Séance 3", "17/11/2026", "F-2026-0012", "Aïssatou Diallo"} {
		if !strings.Contains(text, want) {
			t.Errorf("sheet lacks %q", want)
		}
	}
}

func TestRenderRefusesBadInput(t *testing.T) {
	notPNG := []byte("GIF89a not a png")
	big := append(signature(t), make([]byte, certificates.MaxSignatureBytes)...)
	for name, tc := range map[string]struct {
		edit  func(*certificates.Handover)
		field string
	}{
		"ErrNoNumber":     {func(h *certificates.Handover) { h.Number = "" }, "number"},
		"ErrNoSignatory":  {func(h *certificates.Handover) { h.Signatory = " " }, "signatory_name"},
		"ErrNotPNG":       {func(h *certificates.Handover) { h.Signature = notPNG }, "signature_png"},
		"ErrSignatureBig": {func(h *certificates.Handover) { h.Signature = big }, "signature_png"},
	} {
		t.Run(name, func(t *testing.T) {
			h := handover(t)
			tc.edit(&h)
			var buf bytes.Buffer
			err := certificates.RenderHandover(&buf, h)
			var e *ordi.Error
			if !errors.As(err, &e) || e.Kind != ordi.Invalid || e.Fields[0].Field != tc.field || buf.Len() != 0 {
				t.Fatalf("err = %v, %d bytes written", err, buf.Len())
			}
		})
	}
	var buf bytes.Buffer
	if err := certificates.RenderDonor(&buf, donorCertificate(0)); !errors.Is(err, ordi.Invalid) || buf.Len() != 0 {
		t.Fatalf("donor certificate without units: %v", err)
	}
}

func BenchmarkHandover(b *testing.B) {
	h := handover(b)
	b.Cleanup(ordi.ServeGC(os.Getenv)) // as `ordi serve` runs
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var buf bytes.Buffer
		if err := certificates.RenderHandover(&buf, h); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDonor1000(b *testing.B) {
	c := donorCertificate(1000)
	b.Cleanup(ordi.ServeGC(os.Getenv)) // as `ordi serve` runs
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var buf bytes.Buffer
		if err := certificates.RenderDonor(&buf, c); err != nil {
			b.Fatal(err)
		}
	}
}

func TestLogoInTheHeader(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 120, 60))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	var logo bytes.Buffer
	png.Encode(&logo, img)
	h := handover(t)
	h.Issuer.Logo = logo.Bytes()
	with := renderHandover(t, h)
	without := renderHandover(t, handover(t))
	if len(with) <= len(without) {
		t.Fatal("the logo did not make it into the document")
	}
	pdftest.RequireTools(t)
	pdftest.Validate(t, with)
}
