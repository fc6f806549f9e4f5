package certificates_test

import (
	"errors"
	"testing"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/pdfdoc/pdftest"
)

// fuzzRenderer prints random text in every field of one document: it
// renders as a valid PDF, or is refused as invalid input (a blank
// signatory) without writing anything; never a panic, never another error.
func fuzzRenderer(f *testing.F, name string) {
	for _, s := range pdftest.Hostile {
		f.Add(s)
	}
	render := renderers[name]
	f.Fuzz(func(t *testing.T, s string) {
		pdf, err := render(t, s)
		if errors.Is(err, ordi.Invalid) && len(pdf) == 0 {
			return
		}
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		pdftest.Validate(t, pdf)
	})
}

func FuzzRenderHandover(f *testing.F)   { fuzzRenderer(f, "handover") }
func FuzzRenderDonor(f *testing.F)      { fuzzRenderer(f, "donor") }
func FuzzRenderReceipt(f *testing.F)    { fuzzRenderer(f, "receipt") }
func FuzzRenderAttendance(f *testing.F) { fuzzRenderer(f, "attendance") }
