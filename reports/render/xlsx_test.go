package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ordi-app/ordi/reports"
)

// TestXLSXReadBack opens the workbook with excelize as a spreadsheet
// would: the cover sheet first, one sheet per table, numbers stored as
// numbers, suppressed cells as the text "< 5", the document dated from
// the generation time.
func TestXLSXReadBack(t *testing.T) {
	s := sample(36, 12)
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, s, meta()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	want := []string{"Bilan", "Unités par mois", "Devenir des unités", "Délais", "Parcours des familles", "Familles par commune", "Formation", "Objectifs de l'année"}
	if strings.Join(sheets, "|") != strings.Join(want, "|") {
		t.Fatalf("sheets %q, want %q", sheets, want)
	}
	get := func(sheet, cell string) string {
		t.Helper()
		v, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	typ := func(sheet, cell string) excelize.CellType {
		t.Helper()
		ct, err := f.GetCellType(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		return ct
	}
	cover := map[string]string{}
	rows, _ := f.GetRows("Bilan")
	for _, r := range rows {
		if len(r) >= 2 {
			cover[r[0]] = r[1]
		}
	}
	for k, v := range map[string]string{
		"Association":     "Régie de quartier des Œillets",
		"Période":         "du 1er janvier 2024 au 28 décembre 2026",
		"Filtres":         "Quartiers prioritaires (QPV) : oui ; Partenaire : CCAS de Montreuil",
		"Périmètre":       "tout le programme",
		"Confidentialité": Rule(5),
		"Généré le":       "15 janvier 2027 à 10 h 30",
	} {
		if cover[k] != v {
			t.Errorf("cover %s = %q, want %q", k, cover[k], v)
		}
	}
	if !strings.Contains(cover["Confidentialité"], "« < 5 »") {
		t.Errorf("cover rule %q does not say \"< 5\"", cover["Confidentialité"])
	}

	// The funnel: headers in row 4, figures from row 5.
	fs := "Parcours des familles"
	if get(fs, "A4") != "Étape" || get(fs, "B4") != "Familles" {
		t.Errorf("funnel header %q %q", get(fs, "A4"), get(fs, "B4"))
	}
	if get(fs, "A5") != "Orientées" || get(fs, "B5") != "1234" || typ(fs, "B5") == excelize.CellTypeSharedString || typ(fs, "B5") == excelize.CellTypeInlineString {
		t.Errorf("nominated: %q %q (type %v), want the number 1234", get(fs, "A5"), get(fs, "B5"), typ(fs, "B5"))
	}
	if v, _ := f.GetCellValue(fs, "B5"); v != "1,234" {
		t.Errorf("nominated shown as %q, want it formatted with a thousands separator", v)
	}
	for _, cell := range []string{"B7", "B11"} {
		if get(fs, cell) != "< 5" {
			t.Errorf("funnel %s = %q, want \"< 5\"", cell, get(fs, cell))
		}
	}
	// Outcomes: kg as a number, the estimate's format marked.
	os := "Devenir des unités"
	if get(os, "C5") != "1234.5" {
		t.Errorf("reused kg = %q", get(os, "C5"))
	}
	if v, _ := f.GetCellValue(os, "C5"); !strings.HasPrefix(v, "≈ ") {
		t.Errorf("estimated kg shown as %q, want \"≈ …\"", v)
	}
	if v, _ := f.GetCellValue(os, "C6"); v != "600.3" && v != "600.2" {
		t.Errorf("recycled kg shown as %q", v)
	}
	// Lead times: an empty median is "—".
	if get("Délais", "B6") != "—" {
		t.Errorf("empty median = %q", get("Délais", "B6"))
	}
	// Training: the enrolments (2 families, left unsuppressed) are masked all the same.
	if get("Formation", "D5") != "< 5" || get("Formation", "E5") != "1234.5" {
		t.Errorf("training row: enrolments %q, hours %q", get("Formation", "D5"), get("Formation", "E5"))
	}
	// The method under the table.
	found := false
	frows, _ := f.GetRows(os)
	for _, r := range frows {
		if len(r) > 0 && strings.HasPrefix(r[0], "Méthode : Poids pesé") {
			found = true
		}
	}
	if !found {
		t.Error("the outcomes sheet lacks its method")
	}
	props, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	if props.Created != "2027-01-15T09:30:00Z" || props.Modified != props.Created {
		t.Errorf("document dates %q %q, want the generation time", props.Created, props.Modified)
	}
	// A commune name that starts like a formula is stored as text, never a formula.
	cs := "Familles par commune"
	if formula, _ := f.GetCellFormula(cs, "A8"); formula != "" || get(cs, "A8") != longCommunes[3] {
		t.Errorf("commune A8 = %q formula %q", get(cs, "A8"), formula)
	}
}

func TestXLSXEmptySummary(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, reports.Summary{Filter: reports.Filter{From: "2026-01-01", To: "2026-01-31"}}, Meta{}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 1 || got[0] != "Bilan" {
		t.Errorf("sheets of an empty summary %q", got)
	}
}
