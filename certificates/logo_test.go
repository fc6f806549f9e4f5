package certificates_test

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/certificates"
	"github.com/ordi-app/ordi/pdfdoc/pdftest"
)

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// twoTone is a w×h logo: opaque red on the left half, half-transparent blue
// on the right.
func twoTone(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.NRGBA{R: 255, A: 255}
			if x >= w/2 {
				c = color.NRGBA{B: 255, A: 128}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// pngFile assembles a PNG from its IHDR and IDAT chunks.
func pngFile(chunks map[string][]byte) []byte {
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	for _, kind := range []string{"IHDR", "IDAT", "IEND"} {
		data := chunks[kind]
		binary.Write(&out, binary.BigEndian, uint32(len(data)))
		crc := crc32.NewIEEE()
		crc.Write([]byte(kind))
		crc.Write(data)
		out.WriteString(kind)
		out.Write(data)
		binary.Write(&out, binary.BigEndian, crc.Sum32())
	}
	return out.Bytes()
}

// bombPNG writes a genuine w×h one-bit PNG of zeros: a few kilobytes that
// decode into w×h bytes of memory. It streams, so making it costs nothing.
func bombPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8] = 1 // one bit per pixel, grey
	var idat bytes.Buffer
	z, _ := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	row := make([]byte, 1+(w+7)/8)
	for range h {
		z.Write(row)
	}
	z.Close()
	return pngFile(map[string][]byte{"IHDR": ihdr, "IDAT": idat.Bytes()})
}

// TestLogoIsDecodedAndDownscaled: a logo far larger than print needs is
// stored reduced to fit LogoSide pixels, re-encoded as a PNG fpdf reads,
// with its colours and transparency kept; a small logo keeps its size.
func TestLogoIsDecodedAndDownscaled(t *testing.T) {
	for name, tc := range map[string]struct {
		upload image.Image
		w, h   int
	}{
		"Wide":  {twoTone(2400, 1200), certificates.LogoSide, certificates.LogoSide / 2},
		"Tall":  {twoTone(500, 3000), 60, certificates.LogoSide},
		"Small": {twoTone(200, 100), 200, 100},
	} {
		t.Run(name, func(t *testing.T) {
			i := certificates.Issuer{Name: "Régie", Logo: encodePNG(t, tc.upload)}
			if err := i.Validate(); err != nil {
				t.Fatal(err)
			}
			stored, format, err := image.Decode(bytes.NewReader(i.Logo))
			if err != nil || format != "png" {
				t.Fatalf("stored logo: %v, %s", err, format)
			}
			if b := stored.Bounds(); b.Dx() != tc.w || b.Dy() != tc.h {
				t.Fatalf("stored %d×%d, want %d×%d", b.Dx(), b.Dy(), tc.w, tc.h)
			}
			if !i.PrintsLogo() {
				t.Fatal("documents would leave the stored logo out")
			}
			for _, p := range []struct {
				x    int
				want color.NRGBA
			}{{tc.w / 4, color.NRGBA{R: 255, A: 255}}, {tc.w * 3 / 4, color.NRGBA{B: 255, A: 128}}} {
				got := color.NRGBAModel.Convert(stored.At(p.x, tc.h/2)).(color.NRGBA)
				if diff(got.R, p.want.R) > 2 || diff(got.G, p.want.G) > 2 || diff(got.B, p.want.B) > 2 || diff(got.A, p.want.A) > 2 {
					t.Errorf("pixel (%d, %d) = %v, want %v", p.x, tc.h/2, got, p.want)
				}
			}
			h := handover(t)
			h.Issuer.Logo = i.Logo
			pdf := renderHandover(t, h)
			if without := renderHandover(t, handover(t)); len(pdf) <= len(without) {
				t.Fatal("the logo is not in the document")
			}
			pdftest.Validate(t, pdf)
		})
	}
}

func diff(a, b uint8) int { return max(int(a)-int(b), int(b)-int(a)) }

// interlacedPNG encodes img (grey, 8 bits) with Adam7 interlacing, which
// image/png decodes but cannot write, and fpdf refuses.
func interlacedPNG(t testing.TB, img *image.Gray) []byte {
	var raw bytes.Buffer
	w, h := img.Rect.Dx(), img.Rect.Dy()
	for _, p := range [7][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}} {
		if p[0] >= w {
			continue
		}
		for y := p[1]; y < h; y += p[3] {
			raw.WriteByte(0) // no filter
			for x := p[0]; x < w; x += p[2] {
				raw.WriteByte(img.GrayAt(x, y).Y)
			}
		}
	}
	var idat bytes.Buffer
	z := zlib.NewWriter(&idat)
	z.Write(raw.Bytes())
	z.Close()
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[12] = 8, 1 // 8 bits, grey, Adam7
	return pngFile(map[string][]byte{"IHDR": ihdr, "IDAT": idat.Bytes()})
}

// TestLogoFpdfCannotReadPrints: fpdf refuses interlaced PNGs (and every
// document failed with such a logo); the stored logo is re-encoded, so
// documents print it, whatever PNG was sent.
func TestLogoFpdfCannotReadPrints(t *testing.T) {
	gray := image.NewGray(image.Rect(0, 0, 300, 100))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i)
	}
	deep := image.NewNRGBA64(image.Rect(0, 0, 300, 100))
	for i := range deep.Pix {
		deep.Pix[i] = 0x80
	}
	for name, logo := range map[string][]byte{"Interlaced": interlacedPNG(t, gray), "SixteenBits": encodePNG(t, deep)} {
		t.Run(name, func(t *testing.T) {
			if img, err := png.Decode(bytes.NewReader(logo)); err != nil || img.Bounds().Dx() != 300 {
				t.Fatalf("the upload itself is broken: %v", err)
			}
			i := certificates.Issuer{Name: "Régie", Logo: logo}
			if err := i.Validate(); err != nil {
				t.Fatal(err)
			}
			h := handover(t)
			h.Issuer.Logo = i.Logo
			pdftest.Validate(t, renderHandover(t, h))
		})
	}
}

// TestLogoRefusals: what is not a readable PNG, or holds too many pixels, is
// refused on the logo field; a decompression bomb is refused from its
// header, before a byte of it is inflated.
func TestLogoRefusals(t *testing.T) {
	valid := encodePNG(t, twoTone(400, 200))
	for name, logo := range map[string][]byte{
		"ErrNotPNG":        []byte("GIF89a not a png"),
		"ErrJPEGHeader":    append([]byte{0xff, 0xd8, 0xff, 0xe0}, make([]byte, 100)...),
		"ErrTruncated":     valid[:len(valid)/2],
		"ErrTooManyPixels": bombPNG(t, 20000, 20000),
		"ErrTooWide":       bombPNG(t, 100000, 8),
		"ErrTooLarge":      append(valid, make([]byte, certificates.MaxLogoBytes)...),
	} {
		t.Run(name, func(t *testing.T) {
			i := certificates.Issuer{Name: "Régie", Logo: logo}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err := i.Validate()
			runtime.ReadMemStats(&after)
			var e *ordi.Error
			if !errors.As(err, &e) || e.Kind != ordi.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != "logo" {
				t.Fatalf("err = %v, want Invalid on logo", err)
			}
			t.Logf("%s (%d bytes): %s", name, len(logo), e.Fields[0].Message)
			if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 8<<20 {
				t.Errorf("refusing it allocated %d MB", allocated>>20)
			}
		})
	}
}

// TestStoredLogoLeftOut: a logo stored before logos were reduced is left
// out of the documents, which render as without a logo, rather than cost
// seconds and hundreds of megabytes each (too large) or fail (interlaced).
func TestStoredLogoLeftOut(t *testing.T) {
	gray := image.NewGray(image.Rect(0, 0, 200, 100))
	for name, logo := range map[string][]byte{
		"TooLarge":   encodePNG(t, twoTone(3000, 1500)),
		"Interlaced": interlacedPNG(t, gray),
		"NotPNG":     []byte("GIF89a"),
	} {
		t.Run(name, func(t *testing.T) {
			h := handover(t)
			h.Issuer.Logo = logo
			if h.Issuer.PrintsLogo() {
				t.Fatal("documents would print it")
			}
			if !bytes.Equal(renderHandover(t, h), renderHandover(t, handover(t))) {
				t.Fatal("the logo made it into the document")
			}
		})
	}
}

// largestLogo is the most expensive logo a document can carry: LogoSide
// pixels square, with colour and transparency noise that compresses not
// at all.
func largestLogo(t testing.TB) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, certificates.LogoSide, certificates.LogoSide))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.Uint32())
	}
	return encodePNG(t, img)
}

// BenchmarkHandoverLargestLogo renders the handover form with the largest
// logo a document carries (bar: the handover form's 50 ms).
func BenchmarkHandoverLargestLogo(b *testing.B) {
	h := handover(b)
	h.Issuer.Logo = largestLogo(b)
	if !h.Issuer.PrintsLogo() {
		b.Fatal("the logo would be left out")
	}
	b.Cleanup(ordi.ServeGC(os.Getenv)) // as `ordi serve` runs
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		if err := certificates.RenderHandover(&buf, h); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLogoUpload reduces the largest upload accepted: MaxLogoPixels
// of a photograph-like gradient, within MaxLogoBytes.
func BenchmarkLogoUpload(b *testing.B) {
	const w = 4000
	img := image.NewNRGBA(image.Rect(0, 0, w, certificates.MaxLogoPixels/w))
	for y := range img.Rect.Dy() {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{R: uint8(x / 16), G: uint8(y / 12), B: 128, A: 255})
		}
	}
	upload := encodePNG(b, img)
	if len(upload) > certificates.MaxLogoBytes {
		b.Fatalf("upload of %d bytes", len(upload))
	}
	b.ReportAllocs()
	for b.Loop() {
		i := certificates.Issuer{Name: "Régie", Logo: upload}
		if err := i.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}
