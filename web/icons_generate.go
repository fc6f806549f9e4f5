//go:build ignore

// icons_generate draws the application icons (web app manifest) from
// static/favicon.svg's shapes, whose rounded rectangles it repeats here:
// go run web/icons_generate.go (from the repository's root). Each pixel is
// sampled 8 × 8 times, so edges are smooth; the output is deterministic.
package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

// rect is one rounded rectangle of the 32 × 32 favicon.
type rect struct {
	x, y, w, h, r float64
	c             color.NRGBA
}

var shapes = []rect{
	{0, 0, 32, 32, 6, color.NRGBA{0x1f, 0x7a, 0x3d, 0xff}},
	{7, 8, 18, 12, 1.5, color.NRGBA{0xff, 0xff, 0xff, 0xff}},
	{5, 22, 22, 3, 1, color.NRGBA{0xff, 0xff, 0xff, 0xff}},
}

func (r rect) contains(x, y float64) bool {
	if x < r.x || y < r.y || x > r.x+r.w || y > r.y+r.h {
		return false
	}
	cx := math.Max(r.x+r.r, math.Min(x, r.x+r.w-r.r))
	cy := math.Max(r.y+r.r, math.Min(y, r.y+r.h-r.r))
	return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r.r*r.r
}

func draw(size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const n = 8
	scale := 32 / float64(size)
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64
			for sy := 0; sy < n; sy++ {
				for sx := 0; sx < n; sx++ {
					x := (float64(px) + (float64(sx)+0.5)/n) * scale
					y := (float64(py) + (float64(sy)+0.5)/n) * scale
					var c color.NRGBA
					for _, s := range shapes {
						if s.contains(x, y) {
							c = s.c
						}
					}
					fa := float64(c.A) / 255
					r, g, b, a = r+float64(c.R)*fa, g+float64(c.G)*fa, b+float64(c.B)*fa, a+fa
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{uint8(math.Round(r / a)), uint8(math.Round(g / a)), uint8(math.Round(b / a)), uint8(math.Round(255 * a / (n * n)))})
		}
	}
	return img
}

func main() {
	for _, size := range []int{192, 512} {
		name := fmt.Sprintf("web/static/icons/icon-%d.png", size)
		f, err := os.Create(name)
		if err != nil {
			log.Fatal(err)
		}
		if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(f, draw(size)); err != nil {
			log.Fatal(err)
		}
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
	}
}
