package pdfdoc_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ordi-app/ordi/pdfdoc"
	"github.com/ordi-app/ordi/pdfdoc/pdftest"
)

func TestPrintable(t *testing.T) {
	const mark = string(pdfdoc.Replacement)
	for _, tc := range []struct{ name, in, line, lines string }{
		{"French", "Œuvre « été » – 12 € · n° 3 … l’école", "Œuvre « été » – 12 € · n° 3 … l’école", ""},
		{"Emoji", "Zoé 😀 Martin", "Zoé " + mark + " Martin", ""},
		{"MathBold", "𝐀b", mark + "b", ""},
		{"ScriptTheFontLacks", "中a", mark + "a", ""},
		{"CombiningMarks", "e\u0301te\u0301", "e\u0301te\u0301", ""},
		{"NUL", "a\x00b", "a" + mark + "b", ""},
		{"Controls", "a\x01b\x7fc\u0085d", "a" + mark + "b" + mark + "c d", ""},
		{"NotUTF8", "a\xffb\xe2\x82", "a" + mark + "b" + mark + mark, ""},
		{"SurrogateAsUTF8", "\xed\xa0\x80", mark + mark + mark, ""},
		{"ReplacementItself", "\ufffd", "\ufffd", ""},
		{"NonCharacter", "a\uffffb", "a" + mark + "b", ""},
		{"Whitespace", "a\tb\vc\u00a0d", "a b c\u00a0d", ""},
		{"LineBreaks", "a\nb\r\nc\rd", "a b cd", "a\nb\ncd"},
		{"VariationSelector", "a\U000E0100b", "ab", ""},
		{"SkinTone", "👍🏽", mark, ""},
		{"Tags", "x\U000E0067\U000E0062y", "xy", ""},
		{"Empty", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := pdfdoc.Printable(tc.in); got != tc.line {
				t.Errorf("Printable(%q) = %q, want %q", tc.in, got, tc.line)
			}
			want := tc.lines
			if want == "" {
				want = tc.line
			}
			if got := pdfdoc.PrintableLines(tc.in); got != want {
				t.Errorf("PrintableLines(%q) = %q, want %q", tc.in, got, want)
			}
		})
	}
}

// TestPrintableDoesNotCopyDrawableText: the documents pass every string
// through Printable; text the font draws must cost nothing.
func TestPrintableDoesNotCopyDrawableText(t *testing.T) {
	s := strings.Repeat("Régie de quartier « Roubaix-Est », 12 € ", 10)
	if n := testing.AllocsPerRun(100, func() { _ = pdfdoc.Printable(s) }); n != 0 {
		t.Fatalf("%v allocations for drawable text", n)
	}
}

// TestEveryTextMethodDrawsAnyString calls each text method of Doc with each
// hostile string: no panic, no error, a valid PDF.
func TestEveryTextMethodDrawsAnyString(t *testing.T) {
	for _, s := range pdftest.Hostile {
		d := pdfdoc.New(pdfdoc.Options{Title: s})
		d.SetSubject(s, true)
		d.SetAuthor(s, true)
		d.SetKeywords(s, true)
		d.SetCreator(s, true)
		d.SetProducer(s, true)
		d.RegisterAlias("{alias}", s)
		layer := d.AddLayer(s, true)
		d.AddPage()
		d.BeginLayer(layer)
		d.Bookmark(s, 0, -1)
		d.Cell(40, 5, s)
		d.Ln(5)
		d.Cellf(40, 5, "%s {alias}", s)
		d.Ln(5)
		d.CellFormat(0, 5, s, "1", 1, "C", false, 0, "")
		d.MultiCell(60, 5, s+"\n"+s, "1", "J", false)
		d.Text(20, 150, s)
		d.Write(5, s)
		d.Writef(5, "%s", s)
		d.WriteAligned(80, 5, s, "R")
		d.WriteLinkString(5, s, "https://example.org/")
		d.WriteLinkID(5, s, d.AddLink())
		d.SubWrite(5, s, 6, 2, 0, "")
		d.EndLayer()
		d.ClipText(20, 250, s, true)
		d.ClipEnd()
		if w := d.GetStringWidth(s); w < 0 {
			t.Errorf("%q: width %v", s, w)
		}
		if got := d.GetStringSymbolWidth(s); got != d.GetStringSymbolWidth(pdfdoc.Printable(s)) {
			t.Errorf("%q: measured %d, not as drawn", s, got)
		}
		for _, line := range d.SplitText(s, 30) {
			if !utf8.ValidString(line) {
				t.Errorf("%q: SplitText gives invalid UTF-8 %q", s, line)
			}
		}
		var buf bytes.Buffer
		if err := d.Output(&buf); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		pdftest.Validate(t, buf.Bytes())
	}
}

// TestSplitTextMatchesMultiCell checks that SplitText predicts the lines
// MultiCell draws, where fpdf's own SplitText does not: at no-break spaces,
// after combining marks, and for words longer than the width.
func TestSplitTextMatchesMultiCell(t *testing.T) {
	pdftest.RequireTools(t)
	for _, s := range []string{
		"douze\u00a0€ et trente-quatre\u00a0€ pour « Roubaix » : oui\u00a0!",
		strings.Repeat("e\u0301te\u0301 ", 12),
		strings.Repeat("Constantinople", 6) + " fin",
		"premier\n\ndeuxième paragraphe assez long pour passer à la ligne suivante",
	} {
		d := pdfdoc.New(pdfdoc.Options{})
		d.SetMargins(10, 10, 10)
		d.AddPage()
		d.SetFont(pdfdoc.Font, "", 10)
		want := d.SplitText(s, 40)
		d.MultiCell(40, 5, s, "", "L", false)
		var buf bytes.Buffer
		if err := d.Output(&buf); err != nil {
			t.Fatal(err)
		}
		page := pdftest.Text(t, buf.Bytes())[0]
		var got []string
		for _, l := range strings.Split(strings.TrimRight(page, "\n "), "\n") {
			got = append(got, strings.TrimSpace(l))
		}
		if len(got) != len(want) {
			t.Errorf("%q: SplitText gives %d lines %q, MultiCell drew %d %q", s, len(want), want, len(got), got)
		}
	}
}
