package render

import (
	"bytes"
	"testing"

	"github.com/ordi-app/ordi/pdfdoc/pdftest"
	"github.com/ordi-app/ordi/reports"
)

// FuzzWritePDF prints random text wherever the Bilan prints what people
// typed — the association's identity, the partner filtered, the communes'
// names in their table — and a PDF is always written, valid: an emoji in a
// commune's name must not break the funders' report (issue 12 item 6).
// The CSV and the workbook carry the same text and are written too.
func FuzzWritePDF(f *testing.F) {
	for _, s := range pdftest.Hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sum := sample(2, 3)
		for i, tbl := range sum.Tables {
			if tbl.Key != reports.TableByCommune {
				continue
			}
			for j := range tbl.Rows[:len(tbl.Rows)-1] { // the total keeps its word
				sum.Tables[i].Rows[j].Label = s
			}
		}
		m := meta()
		m.Association = Identity{Name: s, Address: []string{s, s}, SIRET: s, Phone: s, Email: s, Website: s}
		m.Partner = s
		var buf bytes.Buffer
		if err := WritePDF(&buf, sum, m); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		pdftest.Validate(t, buf.Bytes())
		if err := WriteCSV(&bytes.Buffer{}, sum, m); err != nil {
			t.Fatalf("CSV, %q: %v", s, err)
		}
		if err := WriteXLSX(&bytes.Buffer{}, sum, m); err != nil {
			t.Fatalf("XLSX, %q: %v", s, err)
		}
	})
}
