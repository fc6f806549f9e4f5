package render

import (
	"bytes"
	"encoding/xml"
	"html/template"
	"math"
	"strconv"

	"github.com/ordi-app/ordi/reports"
)

// ChartSVG returns the SVG chart of table key (one of ChartKeys) for the
// page, and false when the summary has no such table or it is not drawn.
// The SVG carries no script and no style attribute (the CSP forbids
// inline styles): only presentation attributes. It is an image for
// assistive technologies (role="img"), named by its title and described
// by its figures; every text in it is XML-escaped.
func ChartSVG(s reports.Summary, key string) (template.HTML, bool) {
	c, ok := layout(s, key)
	if !ok {
		return "", false
	}
	return template.HTML(c.svg()), true // #nosec: built from escaped text only
}

// num writes a coordinate with at most two decimals.
func num(v float64) string { return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) }

func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func (c chart) svg() string {
	id := "chart-" + svgID(c.key)
	var b bytes.Buffer
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ` + num(c.w) + ` ` + num(c.h) + `"`)
	b.WriteString(` role="img" aria-label="` + esc(c.title) + `" aria-describedby="` + id + `-desc"`)
	b.WriteString(` font-family="system-ui, sans-serif" fill="` + ink.hex() + `">`)
	b.WriteString(`<title>` + esc(c.title) + `</title>`)
	b.WriteString(`<desc id="` + id + `-desc">` + esc(c.desc) + `</desc>`)
	b.WriteString(`<defs><pattern id="` + id + `-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">`)
	b.WriteString(`<rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="` + hatchInk.hex() + `" stroke-width="2"/></pattern></defs>`)
	for _, s := range c.shapes {
		switch s.op {
		case 'r':
			b.WriteString(`<rect x="` + num(s.x) + `" y="` + num(s.y) + `" width="` + num(s.w) + `" height="` + num(s.h) + `"`)
			switch {
			case s.hatch:
				b.WriteString(` fill="url(#` + id + `-hatch)"`)
			case s.fill != nil:
				b.WriteString(` fill="` + s.fill.hex() + `"`)
			default:
				b.WriteString(` fill="none"`)
			}
			if s.stroke != nil {
				b.WriteString(` stroke="` + s.stroke.hex() + `"`)
			}
			b.WriteString(`/>`)
		case 'l':
			b.WriteString(`<line x1="` + num(s.x) + `" y1="` + num(s.y) + `" x2="` + num(s.w) + `" y2="` + num(s.h) + `" stroke="` + s.stroke.hex() + `"/>`)
		case 't':
			b.WriteString(`<text x="` + num(s.x) + `" y="` + num(s.y) + `" font-size="` + num(s.size) + `"`)
			if s.anchor != "start" {
				b.WriteString(` text-anchor="` + s.anchor + `"`)
			}
			if s.bold {
				b.WriteString(` font-weight="bold"`)
			}
			b.WriteString(`>` + esc(s.text) + `</text>`)
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// svgID turns a table key into an id fragment: "workshop.monthly" → "workshop-monthly".
func svgID(key string) string {
	out := []byte(key)
	for i, ch := range out {
		if !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9') {
			out[i] = '-'
		}
	}
	return string(out)
}
