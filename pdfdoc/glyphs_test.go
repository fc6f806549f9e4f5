package pdfdoc

import (
	"testing"
	"unicode/utf16"
)

// TestGlyphSetMatchesFpdf checks the glyph set read from each font against
// fpdf itself, rune by rune over the whole BMP: fpdf's SplitText adds each
// rune's width from its own table, where a rune without a glyph weighs
// nothing, so two of a drawable rune overflow a zero width and split into
// two lines, and two of a rune fpdf cannot draw stay on one.
func TestGlyphSetMatchesFpdf(t *testing.T) {
	for style, ttf := range map[string][]byte{"": regularTTF, "B": boldTTF} {
		set, err := readGlyphSet(ttf)
		if err != nil {
			t.Fatal(err)
		}
		d := New(Options{})
		d.SetFont(Font, style, 10)
		zero := 2 * d.GetCellMargin()
		n := 0
		for r := rune(1); r < 0xFFFF; r++ {
			if r == '\n' || utf16.IsSurrogate(r) {
				continue
			}
			drawn := len(d.engine.SplitText(string([]rune{r, r}), zero)) == 2
			if drawn != set.has(r) {
				t.Errorf("style %q: U+%04X: fpdf draws it: %v, glyph set says %v", style, r, drawn, set.has(r))
			}
			if drawn {
				n++
			}
		}
		if n < 3000 {
			t.Fatalf("style %q: only %d runes drawn: the oracle is broken", style, n)
		}
		t.Logf("style %q: %d BMP runes have a glyph", style, n)
	}
}

func TestReadGlyphSetRefusesBrokenFonts(t *testing.T) {
	for name, ttf := range map[string][]byte{
		"empty":     nil,
		"truncated": regularTTF[:2000],
		"header":    regularTTF[:12],
	} {
		if _, err := readGlyphSet(ttf); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
