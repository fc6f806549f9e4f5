package render

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/ordi-app/ordi/pdfdoc/pdftest"
	"github.com/ordi-app/ordi/reports"
)

func TestNumber(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		m    reports.Measure
		want string
	}{
		{0, reports.Units, "0"},
		{1234, reports.Units, "1234"},
		{12345, reports.Units, "12\u202f345"},
		{1234567, reports.Families, "1\u202f234\u202f567"},
		{1234.56, reports.Kg, "1234,6"},
		{12345.25, reports.Kg, "12\u202f345,2"},
		{87.25, reports.Percent, "87,2\u202f%"},
		{3, reports.Money, "3,00\u202f€"},
		{-0.01, reports.Kg, "0,0"},
		{12.5, reports.Days, "12,5"},
	} {
		if got := Number(tc.v, tc.m); got != tc.want {
			t.Errorf("Number(%v, %s) = %q, want %q", tc.v, tc.m, got, tc.want)
		}
	}
}

func TestText(t *testing.T) {
	for name, tc := range map[string]struct {
		c    reports.Cell
		m    reports.Measure
		want string
	}{
		"Suppressed":                 {hidden(3), reports.Families, "< 5"},
		"SuppressedUnitsStillHidden": {hidden(3), reports.Units, "< 5"},
		"SmallCountLeftUnsuppressed": {n(2), reports.People, "< 5"},
		"ZeroFamilies":               {n(0), reports.Families, "0"},
		"AtThreshold":                {n(5), reports.Families, "5"},
		"SmallUnitCount":             {n(2), reports.Units, "2"},
		"Empty":                      {emptyCell, reports.Days, "—"},
		"Estimate":                   {est(1234.5), reports.Kg, "≈\u202f1234,5"},
	} {
		if got := Text(tc.c, tc.m, 5); got != tc.want {
			t.Errorf("%s: Text = %q, want %q", name, got, tc.want)
		}
	}
}

func TestPeriodAndFilters(t *testing.T) {
	s := sample(12, 3)
	if got, want := Period(s.Filter), "du 1er janvier 2024 au 28 décembre 2024"; got != want {
		t.Errorf("Period = %q, want %q", got, want)
	}
	got := strings.Join(Filters(s, "CCAS"), " | ")
	if want := "Quartiers prioritaires (QPV) : oui | Partenaire : CCAS"; got != want {
		t.Errorf("Filters = %q, want %q", got, want)
	}
	if got := Filters(reports.Summary{}, ""); len(got) != 1 || got[0] != "aucun filtre" {
		t.Errorf("Filters of none = %q", got)
	}
}

// TestCSVBytes checks the whole file for a small summary, byte for byte:
// the BOM, semicolons, CRLF, decimal commas, "< 5", "—", the estimate's
// remark and a commune that starts like a formula kept inert.
func TestCSVBytes(t *testing.T) {
	s := reports.Summary{
		Filter:    reports.Filter{From: "2026-01-01", To: "2026-12-31", Commune: "Montreuil"},
		Threshold: 5,
		Scope:     "CCAS; Montreuil",
		Tables: []reports.Table{{
			Key: reports.TableOutcomes, Section: "workshop", Title: "Devenir des unités", RowHead: "Devenir",
			Columns: []reports.Column{col("units", "Unités", reports.Units), col("kg", "Poids (kg)", reports.Kg), col("families", "Familles", reports.Families)},
			Rows: []reports.Row{
				row("reused", "Réemployées", n(12345), est(1234.5), hidden(3)),
				row("recycled", "=1+1", n(2), n(0.25), emptyCell),
			},
		}},
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, s, Meta{Association: Identity{Name: "Régie"}, Generated: generatedAt}); err != nil {
		t.Fatal(err)
	}
	want := "\ufeffBilan d'activité;Régie\r\n" +
		"Période;du 1er janvier 2026 au 31 décembre 2026\r\n" +
		"Filtres;Commune : Montreuil\r\n" +
		"Périmètre;\"les familles orientées par CCAS; Montreuil\"\r\n" +
		"Confidentialité;" + Rule(5) + "\r\n" +
		"Estimations;" + EstimateNote + "\r\n" +
		"Généré le;15 janvier 2027 à 10 h 30\r\n" +
		"\r\n" +
		"Devenir des unités\r\n" +
		"Devenir;Unités;Poids (kg);Familles;Remarque\r\n" +
		"Réemployées;12345;1234,5;< 5;estimation : Poids (kg)\r\n" +
		"'=1+1;2;0,2;—;\r\n" +
		"\r\n"
	if got := buf.String(); got != want {
		t.Errorf("CSV:\n%q\nwant\n%q", got, want)
	}
}

// outputs renders every output of s.
func outputs(t testing.TB, s reports.Summary) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for name, f := range map[string]func(io.Writer, reports.Summary, Meta) error{"csv": WriteCSV, "xlsx": WriteXLSX, "pdf": WritePDF} {
		var buf bytes.Buffer
		if err := f(&buf, s, meta()); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = buf.Bytes()
	}
	var svg strings.Builder
	for _, k := range ChartKeys() {
		h, ok := ChartSVG(s, k)
		if !ok {
			t.Fatalf("no chart %s", k)
		}
		svg.WriteString(string(h))
	}
	out["svg"] = []byte(svg.String())
	return out
}

func TestDeterministic(t *testing.T) {
	s := sample(36, 40)
	a, b := outputs(t, s), outputs(t, s)
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s: two renders of the same summary differ", name)
		}
	}
}

// xlsxText returns the text of every part of a workbook, uncompressed.
func xlsxText(t *testing.T, b []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		c, _ := io.ReadAll(r)
		r.Close()
		all.Write(c)
	}
	return all.String()
}

// TestSuppressedValueNeverPrinted leaves a canary in a suppressed cell and
// looks for it in every output; the small canary (3) is looked for where
// its cell is printed.
func TestSuppressedValueNeverPrinted(t *testing.T) {
	pdftest.RequireTools(t)
	s := sample(36, 12)
	out := outputs(t, s)
	texts := map[string]string{"csv": string(out["csv"]), "svg": string(out["svg"]), "xlsx": xlsxText(t, out["xlsx"]), "pdf": strings.Join(pdftest.Text(t, out["pdf"]), "\n")}
	for name, text := range texts {
		for _, form := range []string{"987654", "987\u202f654", "987 654"} {
			if strings.Contains(text, form) {
				t.Errorf("%s prints the suppressed value %q", name, form)
			}
		}
	}
	// In the CSV, the ineligible families and the suppressed commune.
	csvText := texts["csv"]
	for _, line := range []string{"Non éligibles;< 5\r\n", "Sorties du programme;< 5\r\n", "L'Haÿ-les-Roses;11;< 5\r\n", "Sur la période;12;96;< 5;1234,5;87,2\r\n", "Part des familles en QPV;3;< 5;—\r\n"} {
		if !strings.Contains(csvText, line) {
			t.Errorf("CSV lacks %q", line)
		}
	}
	// In the SVG funnel, "< 5" beside the hatched bar, never the canary.
	funnel, _ := ChartSVG(s, reports.TableFunnel)
	if !strings.Contains(string(funnel), "Non éligibles") || strings.Count(string(funnel), ">&lt; 5</text>") != 2 {
		t.Errorf("funnel chart should label its two suppressed steps \"< 5\":\n%s", funnel)
	}
	if strings.Contains(string(funnel), ">3</text>") {
		t.Error("funnel chart prints the suppressed 3")
	}
}

// TestChartSVG checks each chart is well-formed XML, accessible, free of
// style attributes and scripts, with its text escaped.
func TestChartSVG(t *testing.T) {
	s := sample(36, 3)
	s.Tables[0].Columns[0].Label = "Reçues <script>alert(1)</script>"
	for _, k := range ChartKeys() {
		h, ok := ChartSVG(s, k)
		if !ok {
			t.Fatalf("%s: no chart", k)
		}
		svg := string(h)
		dec := xml.NewDecoder(strings.NewReader(svg))
		var root *xml.StartElement
		titles, rects, texts := 0, 0, 0
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: not well-formed: %v\n%s", k, err, svg)
			}
			if se, ok := tok.(xml.StartElement); ok {
				if root == nil {
					root = &se
				}
				for _, a := range se.Attr {
					if a.Name.Local == "style" || strings.HasPrefix(a.Name.Local, "on") {
						t.Errorf("%s: attribute %s on <%s>", k, a.Name.Local, se.Name.Local)
					}
				}
				switch se.Name.Local {
				case "title":
					titles++
				case "rect":
					rects++
				case "text":
					texts++
				case "script", "style", "foreignObject":
					t.Errorf("%s: <%s> element", k, se.Name.Local)
				}
			}
		}
		attrs := map[string]string{}
		for _, a := range root.Attr {
			attrs[a.Name.Local] = a.Value
		}
		if root.Name.Local != "svg" || attrs["role"] != "img" || attrs["aria-label"] == "" {
			t.Errorf("%s: root <%s> %v, want an <svg role=img aria-label=…>", k, root.Name.Local, attrs)
		}
		if titles != 1 || rects < 3 || texts < 4 {
			t.Errorf("%s: %d titles, %d rects, %d texts", k, titles, rects, texts)
		}
	}
	h, _ := ChartSVG(s, reports.TableMonthly)
	svg := string(h)
	for _, want := range []string{"Reçues &lt;script&gt;", "Remises", "Recyclées", ">janv.</text>", ">2024</text>", ">2025</text>", ">2026</text>", "<desc"} {
		if !strings.Contains(svg, want) {
			t.Errorf("monthly chart lacks %q", want)
		}
	}
	// 36 months: a label every third month, so twelve, and each year once.
	if got := strings.Count(svg, `font-size="11" text-anchor="middle">`); got != 12 {
		t.Errorf("monthly chart: %d month labels, want 12", got)
	}
	if got := strings.Count(svg, `font-size="11" text-anchor="middle" font-weight="bold">`); got != 3 {
		t.Errorf("monthly chart: %d year labels, want 3", got)
	}
	out, _ := ChartSVG(s, reports.TableOutcomes)
	for _, want := range []string{"≈\u202f1234,5", "Réemployées", "≈ : estimation"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("outcomes chart lacks %q", want)
		}
	}
	if strings.Contains(string(out), ">Total<") {
		t.Error("outcomes chart draws the total as a bar")
	}
	if _, ok := ChartSVG(s, reports.TableByCommune); ok {
		t.Error("a chart for a table not drawn")
	}
	if _, ok := ChartSVG(reports.Summary{}, reports.TableMonthly); ok {
		t.Error("a chart for a table the summary lacks")
	}
}

func TestChartEmptyPeriod(t *testing.T) {
	s := reports.Summary{Tables: []reports.Table{{Key: reports.TableMonthly, Columns: []reports.Column{col("received", "Reçues", reports.Units)}}}}
	h, ok := ChartSVG(s, reports.TableMonthly)
	if !ok || !strings.Contains(string(h), "Aucune unité sur la période") {
		t.Errorf("empty monthly chart: %v %s", ok, h)
	}
}

func TestSheetNames(t *testing.T) {
	gs := []grid{{title: "Bilan"}, {title: "Familles par commune et par quartier prioritaire"}, {title: "Familles par commune et par quartier prioritaire"}, {title: "a/b:c*d?[e]"}, {title: "'quoted'"}, {title: ""}}
	got := sheetNames(gs)
	want := []string{"Bilan (2)", "Familles par commune et par qua", "Familles par commune et par (2)", "a b c d e", "quoted", "Tableau"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("sheet %d = %q, want %q", i, got[i], want[i])
		}
		if len([]rune(got[i])) > 31 {
			t.Errorf("sheet %q longer than 31", got[i])
		}
	}
}

func TestBarLabelFitsLeftOfTheBar(t *testing.T) {
	for in, want := range map[string]string{
		"Réemployées (remises à une famille)": "Réemployées",
		"Démantelées pour pièces":             "Démantelées pour pièces",
		"Familles inscrites à une formation":  "Familles inscrites à un…",
	} {
		if got := barLabel(in); got != want {
			t.Errorf("barLabel(%q) = %q, want %q", in, got, want)
		}
	}
}
