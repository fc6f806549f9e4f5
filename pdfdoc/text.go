package pdfdoc

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Replacement is drawn in place of a character the embedded font has no
// glyph for (an emoji, 𝐀, a script DejaVu lacks), of a control character
// and of bytes that are not UTF-8: the reader sees that something was
// there, and text extraction shows U+FFFD.
const Replacement = '\uFFFD'

// glyphs is the set of runes both embedded fonts draw through fpdf.
var glyphs = func() *glyphSet {
	g, err := readGlyphSet(regularTTF)
	if err != nil {
		panic("pdfdoc: regular font: " + err.Error())
	}
	bold, err := readGlyphSet(boldTTF)
	if err != nil {
		panic("pdfdoc: bold font: " + err.Error())
	}
	g.intersect(bold)
	return g
}()

// Drawable reports whether the embedded fonts draw r as it is.
func Drawable(r rune) bool { return glyphs.has(r) && !unicode.IsControl(r) }

// Printable returns s as Ordi's documents draw it on one line: every
// character the embedded fonts lack becomes Replacement, line breaks and
// other white space become spaces, and invisible formatting characters the
// fonts lack (variation selectors, joiners, bidi controls, tags) are
// dropped. Text the fonts can draw is returned unchanged, without copying.
func Printable(s string) string { return printable(s, false) }

// PrintableLines is Printable for running text: line breaks ('\n', and
// "\r\n") are kept.
func PrintableLines(s string) string { return printable(s, true) }

func printable(s string, lines bool) string {
	// Fast path: most text is drawable as it is.
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if size == 1 && r == utf8.RuneError || !Drawable(r) && !(lines && r == '\n') {
			break
		}
		i += size
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		switch {
		case r == '\n' && lines:
			b.WriteRune('\n')
		case r == '\r':
			// "\r\n" is one break; a lone carriage return draws nothing.
		case Drawable(r): // bytes that are not UTF-8 arrive as U+FFFD
			b.WriteRune(r)
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		case invisible(r):
		default:
			b.WriteRune(Replacement)
		}
	}
	return b.String()
}

// invisible reports whether r has no visible form of its own: a default
// ignorable format character (zero-width joiners and spaces, bidi controls,
// variation selectors, language tags) or an emoji skin-tone modifier, which
// only alters the emoji before it (itself replaced).
func invisible(r rune) bool {
	switch {
	case unicode.Is(unicode.Variation_Selector, r), unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r):
		return true
	case unicode.Is(unicode.Cf, r):
		// Prepended concatenation marks (Arabic number signs) are visible.
		return !unicode.Is(unicode.Prepended_Concatenation_Mark, r)
	case r >= 0x1F3FB && r <= 0x1F3FF:
		return true
	}
	return false
}
