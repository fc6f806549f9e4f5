package certificates

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"
)

// Bounds of the association's logo. It is printed about 16 mm high in the
// header of every document: LogoSide pixels is 30 mm at 300 dpi, more than
// any print of it needs, and small enough that fpdf embeds it in a few
// milliseconds. An upload is checked from its header before a byte of its
// pixels is decoded: a PNG of a few kilobytes can claim gigabytes of
// pixels.
const (
	MaxLogoBytes  = 512 << 10  // an upload, as sent
	MaxLogoPixels = 12_000_000 // an upload's width × height (4000 × 3000)
	MaxLogoEdge   = 10_000     // an upload's width or height
	LogoSide      = 360        // a stored logo fits in LogoSide × LogoSide pixels
)

// normalizeLogo decodes an uploaded logo and returns it as it is stored:
// reduced to fit LogoSide pixels (never enlarged), re-encoded as an 8-bit,
// non-interlaced PNG that fpdf reads. What cannot be accepted gets a French
// message instead.
func normalizeLogo(upload []byte) ([]byte, string) {
	if len(upload) > MaxLogoBytes {
		return nil, fmt.Sprintf("Le logo dépasse %d Ko.", MaxLogoBytes>>10)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(upload))
	if err != nil || format != "png" {
		return nil, "Le logo doit être une image PNG."
	}
	if cfg.Width > MaxLogoEdge || cfg.Height > MaxLogoEdge || cfg.Width*cfg.Height > MaxLogoPixels {
		return nil, fmt.Sprintf("Le logo mesure %d × %d pixels, bien plus qu'il n'en faut pour l'imprimer : envoyez une image de %d millions de pixels au plus (%d × %d, par exemple).",
			cfg.Width, cfg.Height, MaxLogoPixels/1_000_000, 4000, 3000)
	}
	img, err := png.Decode(bytes.NewReader(upload))
	if err != nil {
		return nil, "Ce fichier PNG est illisible (abîmé ou incomplet) : enregistrez le logo de nouveau depuis votre logiciel d'image."
	}
	w, h := logoSize(cfg.Width, cfg.Height)
	var out bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&out, downscale(img, w, h)); err != nil {
		return nil, "Ce fichier PNG est illisible : enregistrez le logo de nouveau depuis votre logiciel d'image."
	}
	return out.Bytes(), ""
}

// logoSize returns the size a w×h logo is stored at: the same proportions,
// fitting in LogoSide × LogoSide, never larger than it was.
func logoSize(w, h int) (int, int) {
	if w <= LogoSide && h <= LogoSide {
		return w, h
	}
	if w >= h {
		return LogoSide, max(1, (h*LogoSide+w/2)/w)
	}
	return max(1, (w*LogoSide+h/2)/h), LogoSide
}

// downscale reduces src to w×h pixels (no larger than src), each the average
// of the source pixels it covers, weighted by their opacity so that
// transparent pixels lend no colour to their neighbours. It reads src one
// row at a time: it needs no second copy of a large image.
func downscale(src image.Image, w, h int) *image.NRGBA {
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	if w == sw && h == sh {
		draw.Draw(dst, dst.Rect, src, b.Min, draw.Src)
		return dst
	}
	row := image.NewRGBA(image.Rect(0, 0, sw, 1)) // premultiplied: sums weigh by opacity
	sums := make([]uint64, 4*w)
	for dy := range h {
		y0, y1 := dy*sh/h, (dy+1)*sh/h
		clear(sums)
		for sy := y0; sy < y1; sy++ {
			draw.Draw(row, row.Rect, src, image.Pt(b.Min.X, b.Min.Y+sy), draw.Src)
			for dx := range w {
				s := sums[4*dx : 4*dx+4]
				for sx := dx * sw / w; sx < (dx+1)*sw/w; sx++ {
					p := row.Pix[4*sx : 4*sx+4]
					s[0] += uint64(p[0])
					s[1] += uint64(p[1])
					s[2] += uint64(p[2])
					s[3] += uint64(p[3])
				}
			}
		}
		for dx := range w {
			s := sums[4*dx : 4*dx+4]
			n := uint64(y1-y0) * uint64((dx+1)*sw/w-dx*sw/w)
			a := (s[3] + n/2) / n
			if a == 0 {
				continue // transparent: leave the pixel at zero
			}
			p := dst.Pix[dy*dst.Stride+4*dx : dy*dst.Stride+4*dx+4]
			// Un-premultiply: colour = sum of premultiplied colour / sum of alpha.
			for c := range 3 {
				p[c] = uint8(min(255, (s[c]*255+s[3]/2)/s[3]))
			}
			p[3] = uint8(a)
		}
	}
	return dst
}

// PrintsLogo reports whether documents print the stored logo: a PNG within
// LogoSide pixels and not interlaced (fpdf refuses interlacing), as
// Validate stores it. A logo stored before logos were reduced is left out
// (cheaply: only its header is read) rather than cost every document
// seconds, or fail it; the association page asks for it again.
func (i Issuer) PrintsLogo() bool {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(i.Logo))
	return err == nil && format == "png" && cfg.Width >= 1 && cfg.Height >= 1 && cfg.Width <= LogoSide && cfg.Height <= LogoSide &&
		i.Logo[pngInterlaceOffset] == 0
}

// pngInterlaceOffset is where a PNG says whether it is interlaced: after the
// signature (8 bytes), the IHDR chunk's length and type (8), width, height
// (8), bit depth, colour type, compression and filter methods (4).
const pngInterlaceOffset = 28
