package pdfdoc_test

import (
	"bytes"
	"image"
	"image/color"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"

	"github.com/ordi-app/ordi/pdfdoc"
)

func render(t *testing.T, content string) []byte {
	t.Helper()
	pdf := pdfdoc.New(pdfdoc.Options{Title: "Essai été œuvre « € »"})
	pdf.AddPage()
	pdf.CellFormat(0, 10, "Équipe, cœur, « guillemets », 12 €", "", 1, "L", false, 0, "")
	q, err := pdfdoc.EncodeQR(content, pdfdoc.LevelM)
	if err != nil {
		t.Fatal(err)
	}
	q.Draw(pdf, 20, 30, 30)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestNewIsDeterministic(t *testing.T) {
	a := render(t, "http://localhost:8080/u/ABCDEF7")
	b := render(t, "http://localhost:8080/u/ABCDEF7")
	if !bytes.Equal(a, b) {
		t.Fatal("two renderings of the same document differ")
	}
	if c := render(t, "http://localhost:8080/u/ZZZZZZ1"); bytes.Equal(a, c) {
		t.Fatal("different QR contents gave the same bytes")
	}
}

// TestEncodeQRDecodes draws the module matrix into an image with the quiet
// zone and decodes it back, so a wrong matrix (a missing border, a transposed
// bitmap) cannot pass.
func TestEncodeQRDecodes(t *testing.T) {
	for _, tc := range []struct {
		content string
		level   pdfdoc.Level
	}{
		{"http://localhost:8080/u/ABCDEF7", pdfdoc.LevelM},
		{"https://ordi.example.org/verify/REM-2026-0001", pdfdoc.LevelQ},
	} {
		t.Run(tc.content, func(t *testing.T) {
			q, err := pdfdoc.EncodeQR(tc.content, tc.level)
			if err != nil {
				t.Fatal(err)
			}
			if got := decode(t, q); got != tc.content {
				t.Fatalf("decoded %q, want %q", got, tc.content)
			}
		})
	}
}

func decode(t *testing.T, q pdfdoc.QR) string {
	t.Helper()
	const scale = 4
	n := q.Size() + 2*pdfdoc.QuietZone
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for r, row := range q.Modules {
		for c, dark := range row {
			if !dark {
				continue
			}
			for dy := 0; dy < scale; dy++ {
				for dx := 0; dx < scale; dx++ {
					img.SetGray((c+pdfdoc.QuietZone)*scale+dx, (r+pdfdoc.QuietZone)*scale+dy, color.Gray{})
				}
			}
		}
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return res.GetText()
}
