package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/pdfdoc"
	"github.com/ordi-app/ordi/reports"
)

// Page geometry of the PDF, in millimetres.
const (
	pdfMargin  = 15.0
	pdfTop     = 14.0
	pdfBottom  = 16.0 // room kept for the footer
	pdfLine    = 4.6
	accentR    = 31 // the association green of the certificates
	accentG    = 122
	accentB    = 61
	greyText   = 90
	tableHeadR = 232
	tableHeadG = 241
	tableHeadB = 234
)

// WritePDF writes the "Bilan d'activité" on A4: the association's identity, the
// period, the filters and the scope, the three charts drawn as vectors from
// the same layout as the page's SVG, every table (a long one continues on
// the next page under its header repeated), and a methodology note: how
// each table is counted and what "< 5" means. Its creation date is
// m.Generated, so the same input gives the same bytes.
func WritePDF(w io.Writer, s reports.Summary, m Meta) error {
	o := pdfdoc.Options{
		Title:   "Bilan d'activité " + Period(s.Filter),
		Author:  m.Association.Name,
		Subject: "Bilan d'activité : collecte, atelier, familles, formation",
	}
	if !m.Generated.IsZero() {
		o.Created = m.Generated.In(ordi.Paris)
	}
	pdf := pdfdoc.New(o)
	d := &bilanDoc{Doc: pdf, s: s, m: m, th: threshold(s)}
	pageW, pageH := pdf.GetPageSize()
	d.w, d.pageH = pageW-2*pdfMargin, pageH
	pdf.SetMargins(pdfMargin, pdfTop, pdfMargin)
	pdf.SetAutoPageBreak(true, pdfBottom)
	pdf.AliasNbPages("{nb}")
	pdf.SetHeaderFunc(d.header)
	pdf.SetFooterFunc(d.footer)
	pdf.AddPage()
	d.identity()
	d.section("Graphiques")
	for _, key := range chartKeys {
		if c, ok := layout(s, key); ok {
			d.chart(c)
		}
	}
	for _, g := range grids(s) {
		d.table(g)
	}
	d.method()
	return pdf.Output(w)
}

// bilanDoc is the document being drawn.
type bilanDoc struct {
	*pdfdoc.Doc
	s        reports.Summary
	m        Meta
	th       int
	w, pageH float64
	current  string // the section being drawn, for the running header
}

// header draws, on every page after the first, a running line with the
// association and the period.
func (d *bilanDoc) header() {
	if d.PageNo() == 1 {
		return
	}
	d.SetFont(pdfdoc.Font, "", 7.5)
	d.SetTextColor(greyText, greyText, greyText)
	d.SetXY(pdfMargin, 8)
	d.CellFormat(d.w, 4, d.m.Association.Name+" · Bilan d'activité "+Period(d.s.Filter), "", 0, "L", false, 0, "")
	d.SetTextColor(0, 0, 0)
	d.SetXY(pdfMargin, pdfTop)
}

func (d *bilanDoc) footer() {
	d.SetY(-12)
	d.SetFont(pdfdoc.Font, "", 7.5)
	d.SetTextColor(greyText, greyText, greyText)
	d.CellFormat(d.w*0.75, 5, "Bilan d'activité · "+Period(d.s.Filter)+" · effectifs de 1 à "+fmt.Sprint(d.th-1)+" masqués ("+Below(d.th)+")", "", 0, "L", false, 0, "")
	d.CellFormat(d.w*0.25, 5, fmt.Sprintf("page %d / {nb}", d.PageNo()), "", 0, "R", false, 0, "")
	d.SetTextColor(0, 0, 0)
}

// identity draws the first page's head: who, which period, which figures.
func (d *bilanDoc) identity() {
	a := d.m.Association
	d.SetFont(pdfdoc.Font, "B", 13)
	d.SetTextColor(accentR, accentG, accentB)
	d.MultiCell(d.w, 6, a.Name, "", "L", false)
	d.SetFont(pdfdoc.Font, "", 8.5)
	d.SetTextColor(greyText, greyText, greyText)
	var lines []string
	lines = append(lines, a.Address...)
	var contact []string
	if a.SIRET != "" {
		contact = append(contact, "SIRET "+a.SIRET)
	}
	for _, c := range []string{a.Phone, a.Email, a.Website} {
		if c != "" {
			contact = append(contact, c)
		}
	}
	if len(contact) > 0 {
		lines = append(lines, strings.Join(contact, " · "))
	}
	for _, l := range lines {
		d.MultiCell(d.w, 4, l, "", "L", false)
	}
	d.SetDrawColor(accentR, accentG, accentB)
	d.SetLineWidth(0.6)
	d.Line(pdfMargin, d.GetY()+2, pdfMargin+d.w, d.GetY()+2)
	d.Ln(6)
	d.SetTextColor(0, 0, 0)
	d.SetFont(pdfdoc.Font, "B", 18)
	d.MultiCell(d.w, 8, "Bilan d'activité", "", "L", false)
	d.SetFont(pdfdoc.Font, "", 11)
	d.MultiCell(d.w, 6, "Période "+Period(d.s.Filter), "", "L", false)
	d.Ln(2)
	for _, kv := range [][2]string{
		{"Filtres", strings.Join(Filters(d.s, d.m.Partner), " ; ")},
		{"Périmètre", Scope(d.s)},
		{"Généré le", generated(d.m)},
	} {
		if kv[1] == "" {
			continue
		}
		d.SetFont(pdfdoc.Font, "B", 9)
		d.CellFormat(28, pdfLine, kv[0], "", 0, "L", false, 0, "")
		d.SetFont(pdfdoc.Font, "", 9)
		d.MultiCell(d.w-28, pdfLine, kv[1], "", "L", false)
	}
	d.Ln(1)
	d.SetFont(pdfdoc.Font, "", 8.5)
	d.SetTextColor(greyText, greyText, greyText)
	d.MultiCell(d.w, 4, Rule(d.th), "", "L", false)
	d.SetTextColor(0, 0, 0)
}

// needs starts a new page unless h millimetres are left on this one.
func (d *bilanDoc) needs(h float64) {
	if d.GetY()+h > d.pageH-pdfBottom {
		d.AddPage()
	}
}

// section writes a section's title.
func (d *bilanDoc) section(title string) {
	if d.current == title {
		return
	}
	d.current = title
	d.needs(30)
	d.Ln(3)
	d.SetFont(pdfdoc.Font, "B", 11)
	d.SetTextColor(accentR, accentG, accentB)
	d.CellFormat(d.w, 6, strings.ToUpper(title), "", 1, "L", false, 0, "")
	d.SetDrawColor(200, 200, 200)
	d.SetLineWidth(0.2)
	d.Line(pdfMargin, d.GetY(), pdfMargin+d.w, d.GetY())
	d.SetTextColor(0, 0, 0)
	d.Ln(2)
}

// chart draws a laid-out chart across the page's width, with its title.
func (d *bilanDoc) chart(c chart) {
	scale := d.w / c.w
	h := c.h * scale
	d.needs(h + 8)
	d.SetFont(pdfdoc.Font, "B", 10)
	d.MultiCell(d.w, 5, c.title, "", "L", false)
	x0, y0 := pdfMargin, d.GetY()+1
	pt := scale * 72 / 25.4 // a canvas unit of text size, in points
	d.SetLineWidth(0.2)
	for _, s := range c.shapes {
		switch s.op {
		case 'r':
			x, y, w, hh := x0+s.x*scale, y0+s.y*scale, s.w*scale, s.h*scale
			if s.hatch {
				d.hatch(x, y, w, hh)
				continue
			}
			if s.fill != nil {
				d.SetFillColor(int(s.fill.r), int(s.fill.g), int(s.fill.b))
				d.Rect(x, y, w, hh, "F")
			}
		case 'l':
			d.SetDrawColor(int(s.stroke.r), int(s.stroke.g), int(s.stroke.b))
			d.Line(x0+s.x*scale, y0+s.y*scale, x0+s.w*scale, y0+s.h*scale)
		case 't':
			style := ""
			if s.bold {
				style = "B"
			}
			d.SetFont(pdfdoc.Font, style, s.size*pt)
			d.SetTextColor(int(ink.r), int(ink.g), int(ink.b))
			x := x0 + s.x*scale
			switch s.anchor {
			case "middle":
				x -= d.GetStringWidth(s.text) / 2
			case "end":
				x -= d.GetStringWidth(s.text)
			}
			d.Text(x, y0+s.y*scale, s.text)
		}
	}
	d.SetTextColor(0, 0, 0)
	d.SetXY(pdfMargin, y0+h+3)
}

// hatch draws a suppressed figure's bar: an outline filled with diagonal
// lines, as the SVG's pattern.
func (d *bilanDoc) hatch(x, y, w, h float64) {
	d.SetDrawColor(int(hatchInk.r), int(hatchInk.g), int(hatchInk.b))
	d.SetFillColor(255, 255, 255)
	d.Rect(x, y, w, h, "FD")
	d.ClipRect(x, y, w, h, false)
	for off := -h; off < w; off += 1.6 {
		d.Line(x+off, y+h, x+off+h, y)
	}
	d.ClipEnd()
	d.Rect(x, y, w, h, "D")
}

// table draws one table: its title, its header (drawn again at the top of
// each page it continues on), its rows.
func (d *bilanDoc) table(g grid) {
	d.section(sectionTitle(g.section))
	n := len(g.heads)
	labelW := d.w * 0.42
	if n >= 4 {
		labelW = d.w * 0.3
	}
	colW := 0.0
	if n > 0 {
		colW = (d.w - labelW) / float64(n)
	}
	d.SetFont(pdfdoc.Font, "B", 8.5)
	headLines := len(d.SplitText(g.rowHead, labelW))
	for _, h := range g.heads {
		headLines = max(headLines, len(d.SplitText(h, colW)))
	}
	headH := float64(headLines)*4 + 2
	drawHead := func(title string) {
		d.SetFont(pdfdoc.Font, "B", 10)
		d.MultiCell(d.w, 5.5, title, "", "L", false)
		d.SetFont(pdfdoc.Font, "B", 8.5)
		d.SetFillColor(tableHeadR, tableHeadG, tableHeadB)
		y := d.GetY()
		d.Rect(pdfMargin, y, d.w, headH, "F")
		d.SetXY(pdfMargin, y+1)
		d.MultiCell(labelW, 4, g.rowHead, "", "L", false)
		for i, h := range g.heads {
			d.SetXY(pdfMargin+labelW+colW*float64(i), y+1)
			d.MultiCell(colW, 4, h, "", "R", false)
		}
		d.SetXY(pdfMargin, y+headH)
	}
	// A table starts where its title, header and first rows fit.
	d.needs(5.5 + headH + 3*pdfLine + 4)
	drawHead(g.title)
	est := false
	for _, r := range g.rows {
		style := ""
		if r.total {
			style = "B"
		}
		d.SetFont(pdfdoc.Font, style, 8.5)
		lines := d.SplitText(r.label, labelW)
		h := float64(len(lines))*4 + 1.5
		if d.GetY()+h > d.pageH-pdfBottom {
			d.AddPage()
			drawHead(g.title + " (suite)")
			d.SetFont(pdfdoc.Font, style, 8.5)
		}
		y := d.GetY()
		d.SetXY(pdfMargin, y+0.75)
		d.MultiCell(labelW, 4, r.label, "", "L", false)
		for i, c := range r.cells {
			if c.Estimate && classify(c.Cell, c.measure, d.th) == number {
				est = true
			}
			d.SetXY(pdfMargin+labelW+colW*float64(i), y+0.75)
			d.CellFormat(colW, 4, Text(c.Cell, c.measure, d.th), "", 0, "R", false, 0, "")
		}
		d.SetDrawColor(215, 215, 215)
		d.SetLineWidth(0.15)
		d.Line(pdfMargin, y+h, pdfMargin+d.w, y+h)
		d.SetXY(pdfMargin, y+h)
	}
	if len(g.rows) == 0 {
		d.SetFont(pdfdoc.Font, "", 8.5)
		d.CellFormat(d.w, 6, "Aucune donnée sur la période.", "", 1, "L", false, 0, "")
	}
	if est {
		d.SetFont(pdfdoc.Font, "", 7.5)
		d.SetTextColor(greyText, greyText, greyText)
		d.MultiCell(d.w, 3.8, EstimateNote, "", "L", false)
		d.SetTextColor(0, 0, 0)
	}
	d.Ln(4)
}

// method writes the methodology note: what "< 5" means and how each table
// is counted.
func (d *bilanDoc) method() {
	d.current = ""
	d.section("Méthode")
	d.SetFont(pdfdoc.Font, "B", 9)
	d.MultiCell(d.w, pdfLine, "Ce que signifie « "+Below(d.th)+" »", "", "L", false)
	d.SetFont(pdfdoc.Font, "", 9)
	d.MultiCell(d.w, pdfLine, Rule(d.th)+" "+EstimateNote, "", "L", false)
	d.Ln(2)
	for _, g := range grids(d.s) {
		if g.method == "" {
			continue
		}
		d.needs(3 * pdfLine)
		d.SetFont(pdfdoc.Font, "B", 9)
		d.MultiCell(d.w, pdfLine, g.title, "", "L", false)
		d.SetFont(pdfdoc.Font, "", 9)
		d.MultiCell(d.w, pdfLine, g.method, "", "L", false)
		d.Ln(1.5)
	}
}
