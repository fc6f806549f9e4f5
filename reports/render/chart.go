package render

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ordi-app/ordi/reports"
)

// The charts are laid out once, as a list of shapes in an abstract canvas
// (units of about a CSS pixel), then written as SVG for the page or drawn
// in the PDF: both show the same bars from the same figures.

// rgb is a colour.
type rgb struct{ r, g, b uint8 }

func (c rgb) hex() string { return fmt.Sprintf("#%02x%02x%02x", c.r, c.g, c.b) }

var (
	ink       = rgb{34, 34, 34}
	greyInk   = rgb{90, 90, 90}
	gridGrey  = rgb{220, 220, 220}
	hatchInk  = rgb{110, 110, 110}
	seriesRGB = []rgb{{31, 122, 61}, {43, 108, 176}, {192, 86, 33}, {128, 90, 213}}
)

// shape is one thing drawn: a rectangle, a line or a text.
type shape struct {
	op         byte // 'r' rectangle, 'l' line, 't' text
	x, y, w, h float64
	fill       *rgb // rectangle fill (nil: none)
	stroke     *rgb // rectangle outline or line colour (nil: none)
	hatch      bool // rectangle hatched (a suppressed figure)
	text       string
	size       float64
	anchor     string // "start", "middle", "end"
	bold       bool
}

// chart is a laid-out chart.
type chart struct {
	key, title, desc string
	w, h             float64
	shapes           []shape
}

func (c *chart) rect(x, y, w, h float64, fill rgb) {
	c.shapes = append(c.shapes, shape{op: 'r', x: x, y: y, w: w, h: h, fill: &fill})
}

func (c *chart) hatched(x, y, w, h float64) {
	c.shapes = append(c.shapes, shape{op: 'r', x: x, y: y, w: w, h: h, stroke: &hatchInk, hatch: true})
}

func (c *chart) line(x1, y1, x2, y2 float64, col rgb) {
	c.shapes = append(c.shapes, shape{op: 'l', x: x1, y: y1, w: x2, h: y2, stroke: &col})
}

func (c *chart) text(x, y float64, s string, size float64, anchor string, bold bool) {
	c.shapes = append(c.shapes, shape{op: 't', x: x, y: y, text: s, size: size, anchor: anchor, bold: bold})
}

// legend draws swatches and their labels in a row from (x, y).
func (c *chart) legend(x, y float64, labels []string, colours []rgb, hatch string) {
	for i, l := range labels {
		c.rect(x, y-10, 12, 12, colours[i])
		c.text(x+17, y, l, 12, "start", false)
		x += 17 + 7*float64(len([]rune(l))) + 22
	}
	if hatch != "" {
		c.hatched(x, y-10, 12, 12)
		c.text(x+17, y, hatch, 12, "start", false)
	}
}

// Chart keys: the tables the charts are drawn from.
var chartKeys = []string{reports.TableMonthly, reports.TableFunnel, reports.TableOutcomes}

// ChartKeys returns the keys of the tables drawn as charts, in the order
// the Bilan shows them.
func ChartKeys() []string { return append([]string(nil), chartKeys...) }

// layout lays out the chart of table key, if the summary has that table
// and it is one drawn.
func layout(s reports.Summary, key string) (chart, bool) {
	t, ok := s.Table(key)
	if !ok {
		return chart{}, false
	}
	switch key {
	case reports.TableMonthly:
		return monthly(t), true
	case reports.TableFunnel:
		return funnel(t, threshold(s)), true
	case reports.TableOutcomes:
		return outcomes(t), true
	}
	return chart{}, false
}

// value returns a drawable value: 0 for what is suppressed or empty.
func value(c reports.Cell) float64 {
	if c.Suppressed || c.Empty || math.IsNaN(c.Value) || math.IsInf(c.Value, 0) || c.Value < 0 {
		return 0
	}
	return c.Value
}

// niceScale returns the top of an axis holding max and its step, both
// 1, 2 or 5 times a power of ten, about four steps.
func niceScale(max float64) (top, step float64) {
	if max <= 0 {
		return 4, 1
	}
	raw := max / 4
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if step = m * p; step >= raw {
			break
		}
	}
	if step < 1 {
		step = 1
	}
	return math.Ceil(max/step) * step, step
}

// barLabel is a row's label as it fits left of a horizontal bar (170 px at
// 12 px): its words before any parenthesis (the table beside the chart
// gives the rest), cut to 24 characters.
func barLabel(s string) string {
	if i := strings.Index(s, " ("); i > 0 {
		s = s[:i]
	}
	return shorten(s, 24)
}

// shorten cuts a label to n characters, with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// monthLabel returns the month and year of a row key "YYYY-MM".
func monthLabel(r reports.Row) (month, year string) {
	t, err := time.Parse("2006-01", r.Key)
	if err != nil {
		return shorten(r.Label, 8), ""
	}
	return shortMonths[t.Month()-1], strconv.Itoa(t.Year())
}

// monthly lays out units received, handed over and recycled per month as
// stacked bars.
func monthly(t reports.Table) chart {
	c := chart{key: t.Key, title: "Unités reçues, remises et recyclées par mois", w: 640, h: 320}
	const left, right, top, bottom = 64.0, 16.0, 44.0, 46.0
	pw, ph := c.w-left-right, c.h-top-bottom
	var labels []string
	var colours []rgb
	for i, col := range t.Columns {
		labels = append(labels, col.Label)
		colours = append(colours, seriesRGB[i%len(seriesRGB)])
	}
	c.legend(left, 20, labels, colours, "")
	sums := make([]float64, len(labels))
	peak := 0.0
	for _, r := range t.Rows {
		total := 0.0
		for i := range t.Columns {
			if i < len(r.Cells) {
				total += value(r.Cells[i])
				sums[i] += value(r.Cells[i])
			}
		}
		peak = math.Max(peak, total)
	}
	var parts []string
	for i, l := range labels {
		parts = append(parts, strings.ToLower(l)+" "+Number(sums[i], reports.Units))
	}
	c.desc = fmt.Sprintf("%d mois. Sur la période : %s.", len(t.Rows), strings.Join(parts, ", "))
	if len(t.Rows) == 0 || peak == 0 {
		c.line(left, top+ph, left+pw, top+ph, greyInk)
		c.text(left+pw/2, top+ph/2, "Aucune unité sur la période", 14, "middle", false)
		return c
	}
	topV, step := niceScale(peak)
	for v := 0.0; v <= topV+step/2; v += step {
		y := top + ph - ph*v/topV
		c.line(left, y, left+pw, y, gridGrey)
		c.text(left-6, y+4, Number(v, reports.Units), 11, "end", false)
	}
	slot := pw / float64(len(t.Rows))
	every := (len(t.Rows) + 11) / 12
	bar := slot * 0.7
	lastYear := ""
	for i, r := range t.Rows {
		x := left + slot*float64(i) + (slot-bar)/2
		y := top + ph
		for j := range t.Columns {
			if j >= len(r.Cells) {
				break
			}
			h := ph * value(r.Cells[j]) / topV
			if h > 0 {
				y -= h
				c.rect(x, y, bar, h, colours[j])
			}
		}
		month, year := monthLabel(r)
		if i%every == 0 {
			c.text(x+bar/2, top+ph+16, month, 11, "middle", false)
			if year != lastYear {
				c.text(x+bar/2, top+ph+31, year, 11, "middle", true)
				lastYear = year
			}
		}
	}
	c.line(left, top+ph, left+pw, top+ph, greyInk)
	return c
}

// hbars lays out one horizontal bar per row of column col, for the funnel
// and the outcomes: the label on the left, the bar, its value after it.
// A suppressed value is drawn as a hatched outline as long as the
// threshold (or a little longer, to be seen), labelled "< 5": it shows
// that there are a few, never how many.
func hbars(c *chart, t reports.Table, col int, th int, skipTotal bool, colour func(i int) rgb) {
	const left, right, top, rowH = 180.0, 90.0, 44.0, 30.0
	var rows []reports.Row
	for _, r := range t.Rows {
		if skipTotal && r.Key == reports.TotalKey {
			continue
		}
		rows = append(rows, r)
	}
	c.h = top + rowH*float64(max(len(rows), 1)) + 16
	pw := c.w - left - right
	m := t.Columns[col].Measure
	maxV := 0.0
	for _, r := range rows {
		if col < len(r.Cells) {
			maxV = math.Max(maxV, value(r.Cells[col]))
		}
	}
	suppressedAny := false
	for _, r := range rows {
		if col < len(r.Cells) && classify(r.Cells[col], m, th) == suppressed {
			suppressedAny = true
			maxV = math.Max(maxV, float64(th))
		}
	}
	var parts []string
	for i, r := range rows {
		y := top + rowH*float64(i)
		c.text(left-8, y+rowH/2+4, barLabel(r.Label), 12, "end", false)
		cell := reports.Cell{Empty: true}
		if col < len(r.Cells) {
			cell = r.Cells[col]
		}
		txt := Text(cell, m, th)
		parts = append(parts, r.Label+" "+txt)
		end := left
		switch classify(cell, m, th) {
		case suppressed:
			// At least wide enough to be seen next to large figures.
			w := math.Max(pw*float64(th)/maxV, 28)
			c.hatched(left, y+5, w, rowH-10)
			end += w
		case number:
			if maxV > 0 {
				w := pw * cell.Value / maxV
				if w > 0 {
					c.rect(left, y+5, w, rowH-10, colour(i))
				}
				end += w
			}
		}
		c.text(end+6, y+rowH/2+4, txt, 12, "start", true)
	}
	if len(rows) == 0 {
		c.text(c.w/2, top+rowH/2, "Aucune donnée sur la période", 14, "middle", false)
	}
	c.line(left, top, left, top+rowH*float64(max(len(rows), 1)), greyInk)
	c.desc = strings.Join(parts, ", ") + "."
	if suppressedAny {
		c.desc += " " + Below(th) + " : effectif masqué (moins de " + strconv.Itoa(th) + ")."
	}
}

// funnel lays out the families from nomination to equipment.
func funnel(t reports.Table, th int) chart {
	c := chart{key: t.Key, title: "Parcours des familles, de l'orientation à l'équipement", w: 640}
	if len(t.Columns) == 0 {
		c.h = 100
		c.text(c.w/2, 60, "Aucune donnée sur la période", 14, "middle", false)
		return c
	}
	hatch := ""
	for _, r := range t.Rows {
		if len(r.Cells) > 0 && classify(r.Cells[0], t.Columns[0].Measure, th) == suppressed {
			hatch = Below(th) + " : effectif masqué"
		}
	}
	c.legend(180, 20, []string{t.Columns[0].Label}, []rgb{seriesRGB[1]}, hatch)
	hbars(&c, t, 0, th, false, func(int) rgb { return seriesRGB[1] })
	return c
}

// outcomes lays out the kg of units reused, recycled and dismantled.
func outcomes(t reports.Table) chart {
	c := chart{key: t.Key, title: "Devenir des unités, en kg", w: 640}
	col := -1
	for i, cl := range t.Columns {
		if cl.Measure == reports.Kg {
			col = i
		}
	}
	if col < 0 {
		c.h = 100
		c.text(c.w/2, 60, "Aucune donnée sur la période", 14, "middle", false)
		return c
	}
	est := false
	for _, r := range t.Rows {
		if col < len(r.Cells) && r.Cells[col].Estimate {
			est = true
		}
	}
	note := ""
	if est {
		note = "≈ : estimation"
	}
	c.text(180, 20, "Poids en kg", 12, "start", true)
	if note != "" {
		c.text(290, 20, note, 12, "start", false)
	}
	hbars(&c, t, col, DefaultThreshold, true, func(i int) rgb { return seriesRGB[i%len(seriesRGB)] })
	return c
}
