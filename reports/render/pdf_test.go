package render

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"strings"
	"testing"

	"github.com/ordi-app/ordi/pdfdoc/pdftest"
)

func renderPDF(t testing.TB, months, communes int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WritePDF(&buf, sample(months, communes), meta()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestPDF validates the Bilan, reads its text back and checks what a
// reader needs: who, when, the charts' words, every table, "< 5", a long
// table continued under its header, the methodology note.
func TestPDF(t *testing.T) {
	pdftest.RequireTools(t)
	pdf := renderPDF(t, 36, 120)
	pages := pdftest.Validate(t, pdf)
	if pages < 4 {
		t.Fatalf("%d pages, want the 120 communes to run over several", pages)
	}
	text := pdftest.Text(t, pdf)
	all := strings.Join(text, "\n")
	for _, want := range []string{
		"Régie de quartier des Œillets", "12 rue de l'Église", "SIRET 12345678901234",
		"Bilan d'activité", "du 1er janvier 2024 au 28 décembre 2026",
		"Quartiers prioritaires (QPV) : oui ; Partenaire : CCAS de Montreuil",
		"Unités reçues, remises et recyclées par mois", "Parcours des familles, de l'orientation à l'équipement", "Devenir des unités, en kg",
		"Saint-Rémy-en-Bouzemont", "L'Haÿ-les-Roses", "Œuvre <b>&amp; « Fils »",
		"Commune n° 120", "Familles par commune (suite)",
		"MÉTHODE", "Ce que signifie « < 5 »", "Poids pesé, ou poids par défaut",
		"Objectifs de l'année",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	if !strings.Contains(text[0], "janv.") || !strings.Contains(text[0], "Orientées") {
		t.Errorf("page 1 lacks the chart's labels:\n%s", text[0])
	}
	// A continued table repeats its header on its next page.
	for i, p := range text {
		if strings.Contains(p, "Familles par commune (suite)") && !strings.Contains(p, "Commune") {
			t.Errorf("page %d continues the communes without their header", i+1)
		}
	}
	for _, line := range []string{"Non éligibles", "Sorties du programme"} {
		if !lineHas(all, line, "< 5") {
			t.Errorf("the PDF's line %q does not say \"< 5\"", line)
		}
	}
	info := pdftest.Info(t, pdf)
	if !strings.HasPrefix(info["CreationDate"], "2027-01-15T10:30:00+01") {
		t.Errorf("creation date %q, want the generation time in Paris", info["CreationDate"])
	}
	if info["Author"] != "Régie de quartier des Œillets" {
		t.Errorf("author %q", info["Author"])
	}
	pdftest.CheckLayout(t, pdftest.Words(t, pdf), 14, 0.5)
}

// lineHas reports whether a line of text holding label also holds want,
// spaces aside (pdftotext -layout reads "< 5" right-aligned as "<5").
func lineHas(text, label, want string) bool {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, label) && strings.Contains(strings.ReplaceAll(l, " ", ""), strings.ReplaceAll(want, " ", "")) {
			return true
		}
	}
	return false
}

// TestPDFChartsDrawn rasterises the first page and looks for the bars'
// colours: the charts are drawn, not only their words. ORDI_RENDER_PNG
// names a file to keep the page for a look.
func TestPDFChartsDrawn(t *testing.T) {
	pdftest.RequireTools(t)
	pdf := renderPDF(t, 36, 10)
	imgs := pdftest.Rasterize(t, pdf, 60)
	if out := os.Getenv("ORDI_RENDER_PNG"); out != "" {
		for i, img := range imgs[:2] {
			f, _ := os.Create(strings.Replace(out, ".png", string(rune('1'+i))+".png", 1))
			png.Encode(f, img)
			f.Close()
		}
	}
	count := func(img image.Image, c rgb) int {
		n := 0
		b := img.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bb, _ := img.At(x, y).RGBA()
				if absDiff(r>>8, uint32(c.r)) < 12 && absDiff(g>>8, uint32(c.g)) < 12 && absDiff(bb>>8, uint32(c.b)) < 12 {
					n++
				}
			}
		}
		return n
	}
	both := func(c rgb) int { return count(imgs[0], c) + count(imgs[1], c) }
	for i, c := range seriesRGB[:3] {
		if got := both(c); got < 200 {
			t.Errorf("series %d colour %s: %d pixels on the first pages, want bars", i, c.hex(), got)
		}
	}
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

// TestPDFWholeProgramme draws every table of a whole programme's Bilan
// with 200 communes: valid, nothing off the page, no text over text.
func TestPDFWholeProgramme(t *testing.T) {
	pdftest.RequireTools(t)
	var buf bytes.Buffer
	if err := WritePDF(&buf, fullSample(36, 200), meta()); err != nil {
		t.Fatal(err)
	}
	pages := pdftest.Validate(t, buf.Bytes())
	words := pdftest.Words(t, buf.Bytes())
	if len(words) != pages {
		t.Fatalf("%d pages of words for %d pages", len(words), pages)
	}
	pdftest.CheckLayout(t, words, 14, 0.5)
	text := strings.Join(pdftest.Text(t, buf.Bytes()), "\n")
	for _, want := range []string{"Commune n° 200", "Ligne 50 de Familles par partenaire", "Personnes touchées", "Motifs de non-éligibilité"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
}
