package labels

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ordi-app/ordi/pdfdoc"
)

// fitByCharacter is fit as it was: drop one character at a time until the
// text fits with an ellipsis.
func fitByCharacter(pdf *pdfdoc.Doc, s string, w float64) string {
	s = strings.TrimSpace(s)
	if pdf.GetStringWidth(s) <= w {
		return s
	}
	for s != "" {
		_, size := utf8.DecodeLastRuneInString(s)
		s = strings.TrimSpace(s[:len(s)-size])
		if pdf.GetStringWidth(s+"…") <= w {
			return s + "…"
		}
	}
	return ""
}

// TestFitSearchesByHalves: fit finds what dropping one character at a time
// finds, at every width, for plain and hostile text.
func TestFitSearchesByHalves(t *testing.T) {
	pdf := pdfdoc.New(pdfdoc.Options{})
	pdf.SetFont(pdfdoc.Font, "", 8)
	texts := []string{"Lenovo ThinkPad T480 · 8 Go", "  a  b   c  ", "é\u0301é\u0301é\u0301", "", "Zoé 😀 Martin",
		"a\x00b \xff\xfe c", strings.Repeat("𝐀", 60), strings.Repeat("Constantinople ", 8)}
	for _, s := range texts {
		for _, w := range []float64{0, 1, 2.5, 5, 10, 20, 40, 80} {
			if got, want := fit(pdf, s, w), fitByCharacter(pdf, s, w); got != want {
				t.Errorf("fit(%q, %v) = %q, want %q", s, w, got, want)
			}
		}
	}
}
