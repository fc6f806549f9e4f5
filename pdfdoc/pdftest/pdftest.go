// Package pdftest checks generated PDFs the way a person would: it
// validates them, extracts their text, rasterises their pages and decodes
// the QR codes on them. It needs poppler-utils (pdftotext, pdftoppm): tests
// skip without them locally and fail in CI (CI set).
package pdftest

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// RequireTools skips the test when poppler-utils are missing, unless the
// CI environment variable is set: then it fails.
func RequireTools(tb testing.TB) {
	tb.Helper()
	for _, tool := range []string{"pdftoppm", "pdftotext"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				tb.Fatalf("%s is required in CI (apt-get install poppler-utils)", tool)
			}
			tb.Skipf("%s not installed (apt-get install poppler-utils)", tool)
		}
	}
}

// Validate checks the PDF against the specification and returns its page count.
func Validate(tb testing.TB, pdf []byte) int {
	tb.Helper()
	conf := model.NewDefaultConfiguration()
	if err := api.Validate(bytes.NewReader(pdf), conf); err != nil {
		tb.Fatalf("invalid PDF: %v", err)
	}
	n, err := api.PageCount(bytes.NewReader(pdf), conf)
	if err != nil {
		tb.Fatalf("page count: %v", err)
	}
	return n
}

func write(tb testing.TB, pdf []byte) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// Text returns the text of every page (pdftotext -layout), one string per page.
func Text(tb testing.TB, pdf []byte) []string {
	tb.Helper()
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", write(tb, pdf), "-").Output()
	if err != nil {
		tb.Fatalf("pdftotext: %v", err)
	}
	pages := bytes.Split(out, []byte("\f"))
	var texts []string
	for _, p := range pages {
		texts = append(texts, string(p))
	}
	if len(texts) > 0 && len(bytes.TrimSpace([]byte(texts[len(texts)-1]))) == 0 {
		texts = texts[:len(texts)-1]
	}
	return texts
}

// Rasterize renders every page at dpi dots per inch.
func Rasterize(tb testing.TB, pdf []byte, dpi int) []image.Image {
	tb.Helper()
	dir := tb.TempDir()
	path := write(tb, pdf)
	if out, err := exec.Command("pdftoppm", "-png", "-r", fmt.Sprint(dpi), path, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		tb.Fatalf("pdftoppm: %v: %s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	sort.Strings(files)
	var pages []image.Image
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			tb.Fatal(err)
		}
		pages = append(pages, img)
	}
	return pages
}

type subImager interface {
	SubImage(r image.Rectangle) image.Image
}

// DecodeQR decodes the one QR code inside rect of img. zxing's detector
// misses about one QR in fifty that phones read at once (it takes another
// square of the code, or the label's text, for a finder pattern): when the
// first reading fails, it tries again as other scanners would see the
// label: set on a white margin, turned a quarter, at half the resolution.
func DecodeQR(img image.Image, rect image.Rectangle) (string, error) {
	if rect.Empty() {
		rect = img.Bounds()
	}
	sub := img.(subImager).SubImage(rect.Intersect(img.Bounds()))
	text, err := decode(sub)
	if err == nil {
		return text, nil
	}
	for _, retry := range []image.Image{framed(sub), rotated(sub), halved(sub)} {
		if text, err2 := decode(retry); err2 == nil {
			return text, nil
		}
	}
	return "", err
}

// framed returns img on a white margin of a tenth of its size.
func framed(img image.Image) image.Image {
	b := img.Bounds()
	m := max(b.Dx(), b.Dy()) / 10
	out := image.NewGray(image.Rect(0, 0, b.Dx()+2*m, b.Dy()+2*m))
	for i := range out.Pix {
		out.Pix[i] = 0xff
	}
	draw.Draw(out, image.Rect(m, m, m+b.Dx(), m+b.Dy()), img, b.Min, draw.Src)
	return out
}

// rotated returns img turned a quarter clockwise.
func rotated(img image.Image) image.Image {
	b := img.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dy(), b.Dx()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			out.SetGray(b.Dy()-1-y, x, color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray))
		}
	}
	return out
}

// halved returns img at half its resolution (each pixel the darker of
// four, so thin modules survive).
func halved(img image.Image) image.Image {
	b := img.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dx()/2, b.Dy()/2))
	for y := 0; y < b.Dy()/2; y++ {
		for x := 0; x < b.Dx()/2; x++ {
			v := uint8(0xff)
			for _, d := range [4][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
				g := color.GrayModel.Convert(img.At(b.Min.X+2*x+d[0], b.Min.Y+2*y+d[1])).(color.Gray).Y
				v = min(v, g)
			}
			out.SetGray(x, y, color.Gray{Y: v})
		}
	}
	return out
}

// decode reads img with zxing's two binarizers: the local one first, then
// the global one, which copes better with anti-aliased module edges.
func decode(img image.Image) (string, error) {
	src := gozxing.NewLuminanceSourceFromImage(img)
	var first error
	for _, bin := range []gozxing.Binarizer{gozxing.NewHybridBinarizer(src), gozxing.NewGlobalHistgramBinarizer(src)} {
		bmp, err := gozxing.NewBinaryBitmap(bin)
		if err != nil {
			return "", err
		}
		res, err := gozxingqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
		if err == nil {
			return res.GetText(), nil
		}
		if first == nil {
			first = err
		}
	}
	return "", first
}

// MM converts millimetres to pixels at dpi.
func MM(mm float64, dpi int) int { return int(mm * float64(dpi) / 25.4) }
