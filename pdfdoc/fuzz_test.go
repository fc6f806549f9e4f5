package pdfdoc_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ordi-app/ordi/pdfdoc"
	"github.com/ordi-app/ordi/pdfdoc/pdftest"
)

// FuzzPrintable: whatever the input, the output is valid UTF-8 made only of
// runes the font draws (and line breaks where kept), Printable is
// idempotent, and drawable text is left alone.
func FuzzPrintable(f *testing.F) {
	for _, s := range pdftest.Hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, lines := range []bool{false, true} {
			p := pdfdoc.Printable(s)
			if lines {
				p = pdfdoc.PrintableLines(s)
			}
			if !utf8.ValidString(p) {
				t.Fatalf("%q → invalid UTF-8 %q", s, p)
			}
			for _, r := range p {
				if !pdfdoc.Drawable(r) && !(lines && r == '\n') {
					t.Fatalf("%q → %q keeps U+%04X, which the font does not draw", s, p, r)
				}
			}
			again := pdfdoc.Printable(p)
			if lines {
				again = pdfdoc.PrintableLines(p)
			}
			if again != p {
				t.Fatalf("not idempotent: %q → %q → %q", s, p, again)
			}
		}
		drawable := utf8.ValidString(s)
		for _, r := range s {
			drawable = drawable && pdfdoc.Drawable(r)
		}
		if drawable && pdfdoc.Printable(s) != s {
			t.Fatalf("drawable %q changed to %q", s, pdfdoc.Printable(s))
		}
	})
}

// FuzzDoc draws random text with the text methods the renderers use: the
// document must always come out, valid. (Write is left out: fpdf's is
// quadratic in the text's length, 5 s for 13 kB, and no renderer uses it.)
func FuzzDoc(f *testing.F) {
	for _, s := range pdftest.Hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := pdfdoc.New(pdfdoc.Options{Title: s})
		d.AddPage()
		d.CellFormat(0, 5, s, "1", 1, "C", false, 0, "")
		d.MultiCell(50, 5, s, "1", "L", false)
		d.Text(20, 200, s)
		if lines := d.SplitText(s, 50); len(lines) == 0 || !utf8.ValidString(strings.Join(lines, "")) {
			t.Fatalf("SplitText(%q) = %q", s, lines)
		}
		_ = d.GetStringWidth(s)
		var buf bytes.Buffer
		if err := d.Output(&buf); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		pdftest.Validate(t, buf.Bytes())
	})
}
