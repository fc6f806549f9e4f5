package pdfdoc

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// glyphSet is the set of runes a font draws, as fpdf sees them: one bit per
// rune of the Basic Multilingual Plane.
type glyphSet [0x10000 / 64]uint64

func (g *glyphSet) has(r rune) bool {
	return r >= 0 && r < 0x10000 && g[r/64]&(1<<(r%64)) != 0
}

func (g *glyphSet) add(r rune) { g[r/64] |= 1 << (r % 64) }

// intersect keeps the runes that o draws too.
func (g *glyphSet) intersect(o *glyphSet) {
	for i := range g {
		g[i] &= o[i]
	}
}

// readGlyphSet reads the runes fpdf can draw with the TrueType font ttf.
// fpdf v0.12 reads only the first Unicode cmap subtable of format 4, the
// BMP one (platform 0, or platform 3 encoding 1), and keeps a width table of
// 65,536 entries indexed by rune: a rune outside that subtable has width 0
// and no glyph, and a rune above U+FFFF indexes past the table and panics
// (go-pdf/fpdf#40). So the set is exactly the runes that subtable maps to a
// real glyph (neither .notdef nor past the font's glyph count), less U+0000
// and U+FFFF, which fpdf never maps.
func readGlyphSet(ttf []byte) (*glyphSet, error) {
	r := &fontFile{b: ttf}
	cmap, ok := r.table("cmap")
	if !ok {
		return nil, errors.New("font has no cmap table")
	}
	maxp, ok := r.table("maxp")
	if !ok {
		return nil, errors.New("font has no maxp table")
	}
	numGlyphs := r.u16(maxp + 4)
	sub := -1
	for i := range r.u16(cmap + 2) {
		rec := cmap + 4 + 8*i
		platform, encoding := r.u16(rec), r.u16(rec+2)
		off := cmap + int(r.u32(rec+4))
		if (platform == 3 && encoding == 1 || platform == 0) && r.u16(off) == 4 {
			sub = off
			break
		}
	}
	if sub < 0 {
		return nil, errors.New("font has no Unicode cmap of format 4")
	}
	end := sub + r.u16(sub+2)
	segs := r.u16(sub+6) / 2
	ends, starts := sub+14, sub+16+2*segs
	deltas, offsets := starts+2*segs, starts+4*segs
	g := new(glyphSet)
	for s := range segs {
		first, last := r.u16(starts+2*s), r.u16(ends+2*s)
		delta, rangeOffset := r.u16(deltas+2*s), r.u16(offsets+2*s)
		for c := first; c <= last; c++ {
			glyph := 0
			if rangeOffset == 0 {
				glyph = (c + delta) & 0xFFFF
			} else if pos := offsets + 2*s + rangeOffset + 2*(c-first); pos+2 <= end {
				if glyph = r.u16(pos); glyph != 0 {
					glyph = (glyph + delta) & 0xFFFF
				}
			}
			if glyph != 0 && glyph < numGlyphs && c != 0 && c != 0xFFFF {
				g.add(rune(c))
			}
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	return g, nil
}

// fontFile reads big-endian numbers from a font file; reading past its end
// records an error and returns 0.
type fontFile struct {
	b   []byte
	err error
}

func (r *fontFile) u16(off int) int {
	if off < 0 || off+2 > len(r.b) {
		r.err = fmt.Errorf("font truncated at %d", off)
		return 0
	}
	return int(binary.BigEndian.Uint16(r.b[off:]))
}

func (r *fontFile) u32(off int) uint32 {
	if off < 0 || off+4 > len(r.b) {
		r.err = fmt.Errorf("font truncated at %d", off)
		return 0
	}
	return binary.BigEndian.Uint32(r.b[off:])
}

// table returns the offset of the table tagged tag.
func (r *fontFile) table(tag string) (int, bool) {
	for i := range r.u16(4) {
		rec := 12 + 16*i
		if rec+16 <= len(r.b) && string(r.b[rec:rec+4]) == tag {
			return int(r.u32(rec + 8)), true
		}
	}
	return 0, false
}
