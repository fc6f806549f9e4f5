package labels

import (
	"regexp"
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

// valueWithUnit finds the values of a text that carry a unit.
var valueWithUnit = regexp.MustCompile(`(?:^|\s)([0-9]+(?:,[0-9]+)?)[ \x{a0}]+(?:Go|pouces|kg)\b`)

// TestValueKeepsItsUnit: at every width, a number and its unit ("8 Go",
// "15,6 pouces") end up on one line, and an ellipsis never leaves a number
// without its unit; a no-break space in the text holds too.
func TestValueKeepsItsUnit(t *testing.T) {
	pdf := pdfdoc.New(pdfdoc.Options{})
	pdf.SetFont(pdfdoc.Font, "", 7.5)
	for _, s := range []string{"Lenovo ThinkPad T480 · 8 Go", "Dell Latitude 5490 · 16 Go · 512 Go", "HP ProBook 450 G5 15,6 pouces 1,9 kg",
		"Asus Eee PC 1005HA · 1 Go", "Fujitsu Esprimo P920 · 8\u00a0Go · SSD 256\u00a0Go"} {
		values := map[string]bool{}
		for _, m := range valueWithUnit.FindAllStringSubmatch(s, -1) {
			values[m[1]] = true
		}
		if len(values) == 0 {
			t.Fatalf("%q has no value with a unit", s)
		}
		for w := 8.0; w <= 45; w += 0.25 {
			for _, max := range []int{1, 2, 3} {
				lines := wrap(pdf, s, w, max)
				for i, line := range lines {
					fields := strings.Fields(strings.TrimSuffix(line, "…"))
					if len(fields) == 0 {
						continue
					}
					last := fields[len(fields)-1]
					if values[last] && (i+1 < len(lines) || strings.HasSuffix(line, "…")) {
						t.Errorf("wrap(%q, %.2f, %d) = %q: line %d ends on a number without its unit", s, w, max, lines, i+1)
					}
					if units[fields[0]] {
						t.Errorf("wrap(%q, %.2f, %d) = %q: line %d starts with a unit", s, w, max, lines, i+1)
					}
				}
			}
		}
	}
}
