package pdftest

import (
	"image"
	"testing"

	"github.com/ordi-app/ordi/labels"
)

// LabelDPI is the resolution CheckLabelQRs rasterises at: a cheap printer's.
const LabelDPI = 300

// LabelCell returns the rectangle, in pixels, of the slot-th label of a
// page of tpl rasterised at dpi (slots count left to right, then top to
// bottom).
func LabelCell(tpl labels.Template, slot, dpi int) image.Rectangle {
	col, row := slot%tpl.Columns, slot/tpl.Columns
	x := tpl.MarginLeft + float64(col)*tpl.PitchX
	y := tpl.MarginTop + float64(row)*tpl.PitchY
	return image.Rect(MM(x, dpi), MM(y, dpi), MM(x+tpl.LabelWidth, dpi), MM(y+tpl.LabelHeight, dpi))
}

// CheckLabelQRs checks a labels PDF the way a scanner would read it: the
// PDF must be valid and have just the pages needed; every page is
// rasterised and the QR of every cell decoded. The cells skipped on the
// first sheet and those after the last label must hold no QR; the others
// must hold want, in order. It returns how many labels each page holds, so
// that a wrong layout cannot be blessed by a golden file.
func CheckLabelQRs(tb testing.TB, pdf []byte, tpl labels.Template, skip int, want []string) (perPage []int) {
	tb.Helper()
	RequireTools(tb)
	per := tpl.PerPage()
	wantPages := (len(want) + skip + per - 1) / per
	if pages := Validate(tb, pdf); pages != wantPages {
		tb.Fatalf("%s: %d pages, want %d", tpl.Name, pages, wantPages)
	}
	imgs := Rasterize(tb, pdf, LabelDPI)
	if len(imgs) != wantPages {
		tb.Fatalf("%s: %d pages rasterised, want %d", tpl.Name, len(imgs), wantPages)
	}
	i := 0
	perPage = make([]int, len(imgs))
	for p, img := range imgs {
		for slot := 0; slot < per; slot++ {
			got, err := DecodeQR(img, LabelCell(tpl, slot, LabelDPI))
			if (p == 0 && slot < skip) || i >= len(want) {
				if err == nil {
					tb.Errorf("%s page %d cell %d should be blank but holds the QR %q", tpl.Name, p+1, slot+1, got)
				}
				continue
			}
			if err != nil {
				tb.Fatalf("%s page %d cell %d: no QR decoded (want %q): %v", tpl.Name, p+1, slot+1, want[i], err)
			}
			if got != want[i] {
				tb.Fatalf("%s page %d cell %d holds %q, want %q", tpl.Name, p+1, slot+1, got, want[i])
			}
			perPage[p]++
			i++
		}
	}
	if i != len(want) {
		tb.Fatalf("%s: decoded %d labels, want %d", tpl.Name, i, len(want))
	}
	return perPage
}
