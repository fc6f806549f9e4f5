package certificates_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/certificates"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/pdfdoc/pdftest"
)

// flat is the text of a PDF as one line: pdftotext's line breaks and
// column padding become single spaces.
func flat(t *testing.T, pdf []byte) string {
	t.Helper()
	return strings.Join(strings.Fields(strings.Join(pdftest.Text(t, pdf), " ")), " ")
}

func renderDonor(t *testing.T, c certificates.DonorCertificate) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := certificates.RenderDonor(&buf, c); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withOutcomes returns a certificate whose units have these outcomes, in order.
func withOutcomes(outcomes ...certificates.Outcome) certificates.DonorCertificate {
	c := donorCertificate(len(outcomes))
	for i, o := range outcomes {
		c.Units[i].Outcome, c.Units[i].Outlet = o, ""
	}
	return c
}

func repeat(o certificates.Outcome, n int) []certificates.Outcome {
	out := make([]certificates.Outcome, n)
	for i := range out {
		out[i] = o
	}
	return out
}

// TestDonorCertificateSaysWhatIsTrue: each unit's outcome comes from its
// status, and the attestation words them so: units still on the shelf are
// ready for reuse, not "reused with families".
func TestDonorCertificateSaysWhatIsTrue(t *testing.T) {
	pdftest.RequireTools(t)
	t.Run("OnTheShelf", func(t *testing.T) {
		text := flat(t, renderDonor(t, withOutcomes(repeat(certificates.OutcomeReady, 19)...)))
		for _, want := range []string{"Prêt au réemploi", "les 19 unités décrites ci-dessus", "19 unités sont prêtes au réemploi et conservées par l'association jusqu'à leur remise à des familles"} {
			if !strings.Contains(text, want) {
				t.Errorf("certificate lacks %q", want)
			}
		}
		for _, wrong := range []string{"Réemployé", "auprès de foyers", "remises à des familles accompagnées", "DEEE)."} {
			if strings.Contains(text, wrong) {
				t.Errorf("a certificate of units on the shelf says %q", wrong)
			}
		}
	})
	t.Run("Mixed", func(t *testing.T) {
		outcomes := append(repeat(certificates.OutcomeHandedOver, 2), certificates.OutcomeReserved, certificates.OutcomeDismantled, certificates.OutcomeRecycled)
		text := flat(t, renderDonor(t, withOutcomes(outcomes...)))
		for _, want := range []string{"Remis à une famille", "réservé", "Démantelé pour pièces", "Recyclé (filière",
			"2 unités ont été remises à des familles accompagnées par le programme ; 1 unité est prête au réemploi et conservée par l'association jusqu'à sa remise à une famille ; 1 unité a été démantelée pour pièces ; 1 unité a été remise à une filière agréée"} {
			if !strings.Contains(text, want) {
				t.Errorf("certificate lacks %q", want)
			}
		}
	})
	t.Run("StoredBeforeTheOutcomesWereToldApart", func(t *testing.T) {
		// A certificate left pending with its inputs from an earlier
		// version renders as it would have then.
		text := flat(t, renderDonor(t, withOutcomes(repeat(certificates.OutcomeReused, 2)...)))
		if !strings.Contains(text, "Réemployées") || !strings.Contains(text, "2 unités ont été réemployées") {
			t.Errorf("legacy outcome: %s", text)
		}
	})
	t.Run("OneUnit", func(t *testing.T) {
		text := flat(t, renderDonor(t, withOutcomes(certificates.OutcomeHandedOver)))
		if !strings.Contains(text, "pris en charge l'unité décrite ci-dessus") || !strings.Contains(text, "1 unité a été remise à une famille") || strings.Contains(text, "les 1 unités") {
			t.Errorf("one unit in the plural: %s", text)
		}
	})
}

// TestDonorCertificateWeightsAndSerials: a weight per unit, a total that
// says how many units it leaves out, serials of 20 characters unbroken.
func TestDonorCertificateWeightsAndSerials(t *testing.T) {
	pdftest.RequireTools(t)
	c := withOutcomes(repeat(certificates.OutcomeReady, 4)...)
	c.Units[1].WeightKG, c.Units[3].WeightKG = 0, 0
	c.Units[0].WeightKG = 2.5
	const serial, drive = "WD-WCC4N7KX1234567AB", "S3Z9NB0K123456WXYZAB"
	c.Units[2].Serial, c.Units[2].Erasures[0].DriveSerial = serial, drive
	pdf := renderDonor(t, c)
	text := strings.Join(pdftest.Text(t, pdf), "\n")
	flatText := flat(t, pdf)
	if !strings.Contains(flatText, "4,1 kg, dont 2 unités non pesées") {
		t.Errorf("the total does not say what it leaves out: %s", flatText)
	}
	if !strings.Contains(text, "2,5 kg") || !strings.Contains(text, "1,6 kg") {
		t.Error("no weight per unit")
	}
	for _, s := range []string{serial, drive} {
		if !strings.Contains(text, s) {
			t.Errorf("serial %s is split across lines", s)
		}
	}
	c.Units[1].WeightKG = 1
	c.Units[3].WeightKG = 1
	if text := flat(t, renderDonor(t, c)); strings.Contains(text, "non pesée") {
		t.Error("every unit weighed, yet the total says some are not")
	}
}

// TestDonorCertificateKeepsItsClosingTogether: whatever the number of
// units, the attestation, its verification code and the signature share a
// page, and that page has more than the code on it.
func TestDonorCertificateKeepsItsClosingTogether(t *testing.T) {
	pdftest.RequireTools(t)
	for n := 1; n <= 24; n++ {
		pages := pdftest.Text(t, renderDonor(t, donorCertificate(n)))
		last := pages[len(pages)-1]
		for _, want := range []string{"ATTESTATION", "atteste avoir pris en charge", "Vérifier l'authenticité", "Le 20/11/2026, pour"} {
			if !strings.Contains(last, want) {
				t.Errorf("%d units: the last of %d pages lacks %q", n, len(pages), want)
			}
		}
	}
}

// TestDonorCertificateFailedErasures: the certificate says what followed a
// failed erasure, from the records: erased again, or destroyed.
func TestDonorCertificateFailedErasures(t *testing.T) {
	pdftest.RequireTools(t)
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		// A method each category is true of on an SSD (NIST SP 800-88).
		methods := map[inventory.ErasureCategory]inventory.ErasureMethod{inventory.ErasureClear: inventory.MethodOverwrite,
			inventory.ErasurePurge: inventory.MethodSanitize, inventory.ErasureDestroy: inventory.MethodDestruction}
		erase := func(code string, cat inventory.ErasureCategory, result inventory.ErasureResult) {
			t.Helper()
			if _, err := w.inv.RecordErasure(ctx, w.staff, code, inventory.NewErasure{Category: cat, Method: methods[cat], Medium: inventory.MediumSSD, DriveSerial: "D-" + code, Result: result}); err != nil {
				t.Fatal(err)
			}
		}
		move := func(code string, to ...inventory.Status) {
			t.Helper()
			for _, st := range to {
				if _, err := w.inv.Transition(ctx, w.staff, code, st, inventory.TransitionInput{}); err != nil {
					t.Fatal(err)
				}
			}
		}
		clean := w.unit(toReady...)
		first, err := w.svc.IssueDonorCertificate(ctx, w.staff, w.donation)
		if err != nil {
			t.Fatal(err)
		}
		if text := flat(t, first.PDF); !strings.Contains(text, "Aucun effacement n'a échoué.") || strings.Contains(text, "détruit") {
			t.Errorf("no failed erasure, yet: %s", text)
		}
		again := w.unit(inventory.StatusDiagnosed)
		erase(string(again.Code), inventory.ErasureClear, inventory.ErasureFailed)
		erase(string(again.Code), inventory.ErasurePurge, inventory.ErasurePassed)
		move(string(again.Code), inventory.StatusWiped, inventory.StatusRefurbished, inventory.StatusReady)
		destroyed := w.unit(inventory.StatusDiagnosed)
		erase(string(destroyed.Code), inventory.ErasureClear, inventory.ErasureFailed)
		erase(string(destroyed.Code), inventory.ErasureDestroy, inventory.ErasurePassed)
		move(string(destroyed.Code), inventory.StatusDismantled)
		second, err := w.svc.IssueDonorCertificate(ctx, w.staff, w.donation)
		if err != nil {
			t.Fatal(err)
		}
		text := flat(t, second.PDF)
		for _, want := range []string{
			fmt.Sprintf("Pour l'unité %s, un premier effacement a échoué ; le support a ensuite été effacé de nouveau avec succès.", again.Code),
			fmt.Sprintf("Pour l'unité %s, un premier effacement a échoué ; le support a ensuite été détruit.", destroyed.Code),
			"Ce certificat remplace le certificat " + first.Number,
		} {
			if !strings.Contains(text, want) {
				t.Errorf("certificate lacks %q", want)
			}
		}
		if strings.Contains(text, "Pour l'unité "+string(clean.Code)) || strings.Contains(text, "Aucun effacement n'a échoué") {
			t.Errorf("a unit whose erasure never failed is said to have failed: %s", text)
		}
	})
}

// TestDonorCertificateNeedsTheSIRET: without the association's SIRET no
// donor certificate is issued, and no number is taken.
func TestDonorCertificateNeedsTheSIRET(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		w.unit(toReady...)
		if _, err := w.svc.SetIssuer(ctx, w.admin, certificates.Issuer{Name: "Régie sans SIRET", WarrantyMonths: 3}); err != nil {
			t.Fatal(err)
		}
		_, err := w.svc.IssueDonorCertificate(ctx, w.staff, w.donation)
		var e *ordi.Error
		if !errors.As(err, &e) || e.Kind != ordi.Conflict || !strings.Contains(e.Message, "SIRET de l'association") {
			t.Fatalf("without SIRET: %v", err)
		}
		if sequenceValue(t, db, "DON") != 0 {
			t.Fatal("a refused certificate consumed a number")
		}
		if _, err := w.svc.SetIssuer(ctx, w.admin, certificates.Issuer{Name: "Régie", SIRET: "21750001600019"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.IssueDonorCertificate(ctx, w.staff, w.donation); err != nil {
			t.Fatalf("with the SIRET: %v", err)
		}
	})
}

// TestCorrectedAttestationNamesTheOneItReplaces.
func TestCorrectedAttestationNamesTheOneItReplaces(t *testing.T) {
	pdftest.RequireTools(t)
	w := newWorld(t, dbtest.OpenSQLite(t))
	first, err := w.svc.Handover(ctx, w.vol, w.reservation("Famille Corrigée").ID, certificates.HandoverInput{SignatoryName: "Mme Corigée"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(flat(t, first.PDF), "corrige et remplace") {
		t.Fatal("a first attestation says it replaces another")
	}
	second, err := w.svc.ReissueHandover(ctx, w.staff, first.Number, certificates.HandoverInput{SignatoryName: "Mme Corrigée"}, "nom mal orthographié")
	if err != nil {
		t.Fatal(err)
	}
	pages := pdftest.Text(t, second.PDF)
	for i := 0; i < 2; i++ {
		if text := strings.Join(strings.Fields(pages[i]), " "); !strings.Contains(text, "Cette attestation corrige et remplace l'attestation "+first.Number) {
			t.Errorf("copy %d does not name the attestation it replaces", i+1)
		}
	}
}

// TestReceiptSaysWhatItsTotalLeavesOut: the intake receipt's total weight
// counts the units it leaves out too.
func TestReceiptSaysWhatItsTotalLeavesOut(t *testing.T) {
	pdftest.RequireTools(t)
	c := donorCertificate(3)
	r := certificates.Receipt{PrintedAt: issued, Issuer: issuer(), Donor: c.Donor, Donation: c.Donation}
	for _, u := range c.Units {
		r.Units = append(r.Units, u.UnitInfo)
	}
	r.Units[1].WeightKG = 0
	var buf bytes.Buffer
	if err := certificates.RenderReceipt(&buf, r); err != nil {
		t.Fatal(err)
	}
	if text := flat(t, buf.Bytes()); !strings.Contains(text, "3 UNITÉS, 3,2 KG, DONT 1 UNITÉ NON PESÉE") {
		t.Errorf("receipt total: %s", text)
	}
}
