package labels_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"
	"testing"

	"github.com/ordi-app/ordi/labels"
	"github.com/ordi-app/ordi/pdfdoc/pdftest"
)

// printable is where each stock's printer puts ink, from the makers' figures
// (docs/labels.md), written out here rather than read from the templates:
// side and end are how close ink may come to a label's sides and to its ends
// along the feed (a die-cut sheet label's edges: 1 mm, so that nothing
// touches the neighbour), sheet how close to the sheet's edge.
var printable = map[string]struct{ side, end, sheet float64 }{
	"L7163":    {side: 1, end: 1, sheet: 5},
	"L7160":    {side: 1, end: 1, sheet: 5},
	"3474":     {side: 1, end: 1, sheet: 5},
	"DK-11209": {side: 1.5, end: 3}, // 696 of 732 dots across, 271 of 341 along (300 dpi)
	"DK-22205": {side: 1.5, end: 3}, // 696 of 732 dots across, 35-dot feed margin at each end
}

// worst returns n labels with the longest texts a label shows: the kind,
// the model on its three lines, the association on its two.
func worst(n int) []labels.Label {
	out := make([]labels.Label, n)
	for i := range out {
		code := fmt.Sprintf("W%06d", i)
		out[i] = labels.Label{Code: code, URL: "https://ordi.regie-de-quartier-roubaix-est.fr/u/" + code,
			Kind: "Ordinateur tout-en-un", Model: "Hewlett-Packard EliteBook 840 G5 Healthcare Edition · 16 Go · 512 Go",
			Association: "Régie de quartier de Roubaix-Est, atelier de reconditionnement informatique solidaire"}
	}
	return out
}

// inkBounds returns the bounding box of the pixels of r that are not white
// (empty when there are none).
func inkBounds(img image.Image, r image.Rectangle) image.Rectangle {
	var ink image.Rectangle
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y < 250 {
				ink = ink.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return ink
}

// px converts millimetres to a pixel edge at the test's resolution.
func px(mm float64) float64 { return mm * pdftest.LabelDPI / 25.4 }

func mmOf(p int) float64 { return float64(p) * 25.4 / pdftest.LabelDPI }

// TestInkStaysInThePrintableArea fills a page of every stock with the
// longest texts, rasterises it at 300 dpi and measures the ink: on a sheet
// nothing comes within 5 mm of the sheet's edge (office printers leave it
// blank) nor within 1 mm of a label's edge; on a Brother roll nothing comes
// within 1.5 mm of the tape's sides nor 3 mm of the label's ends. Every QR
// still decodes in its cell.
func TestInkStaysInThePrintableArea(t *testing.T) {
	pdftest.RequireTools(t)
	if len(printable) != len(labels.Templates()) {
		t.Fatalf("printable areas for %d stocks, %d templates", len(printable), len(labels.Templates()))
	}
	for _, tpl := range labels.Templates() {
		t.Run(tpl.Name, func(t *testing.T) {
			limit, ok := printable[tpl.Name]
			if !ok {
				t.Fatalf("no printable area for %s", tpl.Name)
			}
			ls := worst(tpl.PerPage())
			pdf := render(t, tpl, ls, 0)
			pdftest.CheckLabelQRs(t, pdf, tpl, 0, urls(ls))
			img := pdftest.Rasterize(t, pdf, pdftest.LabelDPI)[0]
			var report []string
			if limit.sheet > 0 {
				ink := inkBounds(img, img.Bounds())
				w, h := px(tpl.PageWidth), px(tpl.PageHeight)
				margins := []float64{mmOf(ink.Min.X), mmOf(ink.Min.Y), tpl.PageWidth - mmOf(ink.Max.X), tpl.PageHeight - mmOf(ink.Max.Y)}
				if float64(ink.Min.X) < math.Floor(px(limit.sheet)) || float64(ink.Min.Y) < math.Floor(px(limit.sheet)) ||
					float64(ink.Max.X) > math.Ceil(w-px(limit.sheet)) || float64(ink.Max.Y) > math.Ceil(h-px(limit.sheet)) {
					t.Errorf("ink within %.1f mm of the sheet's edge: left %.2f, top %.2f, right %.2f, bottom %.2f mm", limit.sheet, margins[0], margins[1], margins[2], margins[3])
				}
				report = append(report, fmt.Sprintf("sheet edge ≥ %.2f mm", slicesMin(margins)))
			}
			closest := math.Inf(1)
			closestEnd := math.Inf(1)
			for slot := 0; slot < tpl.PerPage(); slot++ {
				col, row := slot%tpl.Columns, slot/tpl.Columns
				x := tpl.MarginLeft + float64(col)*tpl.PitchX
				y := tpl.MarginTop + float64(row)*tpl.PitchY
				cell := image.Rect(int(math.Floor(px(x))), int(math.Floor(px(y))), int(math.Ceil(px(x+tpl.LabelWidth))), int(math.Ceil(px(y+tpl.LabelHeight))))
				ink := inkBounds(img, cell)
				if ink.Empty() {
					t.Fatalf("label %d holds no ink", slot+1)
				}
				left, right := mmOf(ink.Min.X)-x, x+tpl.LabelWidth-mmOf(ink.Max.X)
				top, bottom := mmOf(ink.Min.Y)-y, y+tpl.LabelHeight-mmOf(ink.Max.Y)
				// A pixel of anti-aliasing is allowed: 0.085 mm.
				const aa = 25.4 / pdftest.LabelDPI
				if min(left, right) < limit.side-aa || min(top, bottom) < limit.end-aa {
					t.Errorf("label %d: ink %.2f mm from the left, %.2f from the right, %.2f from the top, %.2f from the bottom; want ≥ %.1f at the sides, %.1f at the ends",
						slot+1, left, right, top, bottom, limit.side, limit.end)
				}
				closest, closestEnd = min(closest, left, right), min(closestEnd, top, bottom)
			}
			report = append(report, fmt.Sprintf("label sides ≥ %.2f mm, ends ≥ %.2f mm", closest, closestEnd))
			t.Logf("%s: %s", tpl.Name, strings.Join(report, ", "))
		})
	}
}

func slicesMin(v []float64) float64 {
	m := v[0]
	for _, x := range v[1:] {
		m = min(m, x)
	}
	return m
}

// TestValueAndUnitOnOneLineInThePDF prints models of every length on the
// narrowest text column (DK-11209) so that "8 Go" falls at every place of a
// line, and reads the text back: the value and its unit are always on one
// line, whether the model wraps there or is ellipsised.
func TestValueAndUnitOnOneLineInThePDF(t *testing.T) {
	pdftest.RequireTools(t)
	tpl, _ := labels.FindTemplate("DK-11209")
	var ls []labels.Label
	for k := 0; k < 24; k++ {
		code := fmt.Sprintf("V%06d", k)
		ls = append(ls, labels.Label{Code: code, URL: "https://ordi.example.org/u/" + code, Kind: "Ordinateur portable",
			Model: "Lenovo ThinkPad " + strings.Repeat("x", k) + " T480 · 8 Go", Association: "Régie"})
	}
	pages := pdftest.Text(t, render(t, tpl, ls, 0))
	if len(pages) != len(ls) {
		t.Fatalf("%d pages, want %d", len(pages), len(ls))
	}
	for i, page := range pages {
		whole := strings.Contains(strings.ReplaceAll(page, "\u00a0", " "), "8 Go")
		cut := strings.Contains(page, "…") && !strings.Contains(page, "Go")
		if !whole && !cut {
			t.Errorf("label %d: \"8 Go\" split:\n%s", i+1, page)
		}
		for _, line := range strings.Split(page, "\n") {
			if l := strings.TrimSpace(line); strings.HasSuffix(l, " 8") || strings.HasSuffix(l, "· 8…") || strings.HasPrefix(l, "Go") {
				t.Errorf("label %d: a line ends on the value or starts with its unit: %q", i+1, l)
			}
		}
	}
}

// TestCalibrationShowsWhereLabelsPrint: the calibration page of a sheet
// whose labels run to its edges (3474) draws the sheet margin and says that a
// printer which clips it does not suit the sheet; a roll's page outlines what
// is printed; sheets with margins of their own need no such frame.
func TestCalibrationShowsWhereLabelsPrint(t *testing.T) {
	pdftest.RequireTools(t)
	for name, want := range map[string]string{
		"3474":     "Le pointillé est à 5,3 mm du bord de la feuille",
		"DK-11209": "le pointillé entoure ce qu'Ordi imprime",
		"DK-22205": "le pointillé entoure ce qu'Ordi imprime",
		"L7163":    "",
		"L7160":    "",
	} {
		tpl, _ := labels.FindTemplate(name)
		var buf bytes.Buffer
		if err := labels.Calibration(&buf, tpl); err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(strings.Join(pdftest.Text(t, buf.Bytes()), " ")), " ")
		if want == "" && strings.Contains(text, "pointillé") || want != "" && !strings.Contains(text, want) {
			t.Errorf("%s calibration page: want %q, text:\n%s", name, want, text)
		}
		if strings.Contains(want, "feuille") && !strings.Contains(text, "ne convient pas à cette planche") {
			t.Errorf("%s calibration page does not say which printers suit it", name)
		}
	}
}
