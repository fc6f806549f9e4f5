package certificates_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/pdfdoc/pdftest"
)

// TestDonorCertificateListsDrivesBySerial: the drives the tools reported
// are listed by serial, each with its erasure; a typed erasure names its
// drive in any case; a drive no passed erasure names is said to have none.
func TestDonorCertificateListsDrivesBySerial(t *testing.T) {
	pdftest.RequireTools(t)
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		u := w.unit()
		for _, name := range []string{"lshw-dell-optiplex-745.json", "smartctl-SAMSUNG_MZ7WD240HAFV-00003_21.json"} {
			data, err := os.ReadFile(filepath.Join("..", "inventory", "hwreport", "testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.inv.AttachReport(ctx, w.staff, string(u.Code), data); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.inv.RecordErasure(ctx, w.staff, string(u.Code), inventory.NewErasure{Category: inventory.ErasureClear,
			Method: inventory.MethodOverwrite, Medium: inventory.MediumHDD, Technique: "nwipe PRNG + verify", Tool: "nwipe 0.34",
			DriveSerial: " wd-wmav2w580992 ", Result: inventory.ErasurePassed}); err != nil {
			t.Fatal(err)
		}
		for _, st := range toReady {
			if _, err := w.inv.Transition(ctx, w.staff, string(u.Code), st, inventory.TransitionInput{}); err != nil {
				t.Fatal(err)
			}
		}
		cert, err := w.svc.IssueDonorCertificate(ctx, w.staff, w.donation)
		if err != nil {
			t.Fatal(err)
		}
		text := flat(t, cert.PDF)
		// pdftotext reads a wrapped cell's second line after the row.
		for _, want := range []string{"Effacement logique (Clear) · nwipe nwipe 0.34 20/11/2026 WD-WMAV2W580992",
			"Aucun effacement réussi enregistré REDACTED pour ce disque"} {
			if !strings.Contains(text, want) {
				t.Errorf("certificate lacks %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, "wd-wmav2w580992") {
			t.Error("the drive's serial is printed as typed, not as the tool read it")
		}
	})
}
