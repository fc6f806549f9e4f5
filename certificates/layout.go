package certificates

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/pdfdoc"
)

// Page geometry of every document, in millimetres.
const (
	marginX    = 15.0
	marginTop  = 14.0
	footerH    = 12.0
	lineH      = 5.0
	logoH      = 16.0 // the logo's height in the header
	logoMaxW   = 60.0 // and its width at most
	accentR    = 31   // the association green, for rules and headings
	accentG    = 122
	accentB    = 61
	greyText   = 90
	tableHeadR = 232
	tableHeadG = 241
	tableHeadB = 234
)

// doc wraps an fpdf document with the few layout gestures the documents
// share: a header band with the issuer, section titles, label/value rows,
// paragraphs, tables that continue over pages, a footer with page numbers.
type doc struct {
	*pdfdoc.Doc
	issuer Issuer
	title  string
	number string
	w      float64 // usable width
	logo   string  // registered logo image name, or ""
}

// newDoc starts a document of issuer's. Its metadata name the issuer as
// author, and date it in Paris time with its offset from UTC.
func newDoc(o pdfdoc.Options, issuer Issuer, title, number string) *doc {
	o.Author = issuer.Name
	if !o.Created.IsZero() {
		o.Created = o.Created.In(ordi.Paris)
	}
	pdf := pdfdoc.New(o)
	d := &doc{Doc: pdf, issuer: issuer, title: title, number: number}
	pageW, _ := pdf.GetPageSize()
	d.w = pageW - 2*marginX
	pdf.SetMargins(marginX, marginTop, marginX)
	pdf.SetAutoPageBreak(true, footerH+4)
	pdf.AliasNbPages("{nb}")
	if issuer.PrintsLogo() {
		// Should fpdf still refuse the logo, it is left out rather than
		// fail the document.
		pdf.RegisterImageOptionsReader("logo", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(issuer.Logo))
		if pdf.Ok() {
			d.logo = "logo"
		} else {
			pdf.ClearError()
		}
	}
	pdf.SetFooterFunc(d.footer)
	return d
}

// header draws the issuer band at the top of a page. The number keeps its
// place on the right; the issuer's name and lines wrap in the room left of
// it, the name in a smaller type when it would take more than two lines.
func (d *doc) header() {
	x, y := marginX, marginTop
	textX := x
	if d.logo != "" {
		// 16 mm high, or narrower when a wide logo would pass logoMaxW.
		info := d.GetImageInfo(d.logo)
		w, h := logoH*info.Width()/info.Height(), logoH
		if w > logoMaxW {
			w, h = logoMaxW, logoMaxW*info.Height()/info.Width()
		}
		d.ImageOptions(d.logo, x, y, w, h, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		textX = x + w + 4
	}
	number := ""
	numberW := 0.0
	if d.number != "" {
		number = "N° " + d.number
		d.SetFont(pdfdoc.Font, "B", 10)
		numberW = d.GetStringWidth(number) + 2*d.GetCellMargin() + 4
	}
	textW := marginX + d.w - numberW - textX
	size := nameSize
	for ; size > minNameSize; size -= 0.5 {
		d.SetFont(pdfdoc.Font, "B", size)
		if len(d.SplitText(d.issuer.Name, textW)) <= 2 {
			break
		}
	}
	d.SetFont(pdfdoc.Font, "B", size)
	d.SetTextColor(accentR, accentG, accentB)
	d.SetXY(textX, y)
	d.MultiCell(textW, size*0.5, d.issuer.Name, "", "L", false)
	d.SetFont(pdfdoc.Font, "", 8)
	d.SetTextColor(greyText, greyText, greyText)
	var lines []string
	lines = append(lines, d.issuer.AddressLines()...)
	var contact []string
	if d.issuer.SIRET != "" {
		contact = append(contact, "SIRET "+formatSIRET(d.issuer.SIRET))
	}
	for _, c := range []string{d.issuer.Phone, d.issuer.Email, d.issuer.Website} {
		if c != "" {
			contact = append(contact, c)
		}
	}
	if len(contact) > 0 {
		lines = append(lines, strings.Join(contact, " · "))
	}
	for _, l := range lines {
		d.SetX(textX)
		d.MultiCell(textW, 3.8, l, "", "L", false)
	}
	bottom := max(d.GetY(), y+16) + 3
	if number != "" {
		d.SetXY(marginX+d.w-numberW, y)
		d.SetFont(pdfdoc.Font, "B", 10)
		d.SetTextColor(0, 0, 0)
		d.CellFormat(numberW, 6, number, "", 0, "R", false, 0, "")
	}
	d.SetDrawColor(accentR, accentG, accentB)
	d.SetLineWidth(0.6)
	d.Line(marginX, bottom, marginX+d.w, bottom)
	d.SetTextColor(0, 0, 0)
	d.SetXY(marginX, bottom+4)
}

// The type sizes of the issuer's name in the header.
const (
	nameSize    = 12.0
	minNameSize = 9.0
)

func (d *doc) footer() {
	d.SetY(-footerH)
	d.SetFont(pdfdoc.Font, "", 7.5)
	d.SetTextColor(greyText, greyText, greyText)
	left := d.title
	if d.number != "" {
		left += " · " + d.number
	}
	d.CellFormat(d.w/2, 5, left, "", 0, "L", false, 0, "")
	d.CellFormat(d.w/2, 5, fmt.Sprintf("page %d / {nb}", d.PageNo()), "", 0, "R", false, 0, "")
	d.SetTextColor(0, 0, 0)
}

// heading writes the document's title.
func (d *doc) heading(title, subtitle string) {
	d.SetFont(pdfdoc.Font, "B", 15)
	d.MultiCell(d.w, 7, title, "", "L", false)
	if subtitle != "" {
		d.SetFont(pdfdoc.Font, "", 9.5)
		d.SetTextColor(greyText, greyText, greyText)
		d.MultiCell(d.w, 5, subtitle, "", "L", false)
		d.SetTextColor(0, 0, 0)
	}
	d.Ln(3)
}

// notice writes a line that must not be missed, under the title.
func (d *doc) notice(text string) {
	d.SetFont(pdfdoc.Font, "B", 9.5)
	d.SetTextColor(accentR, accentG, accentB)
	d.MultiCell(d.w, 5, text, "", "L", false)
	d.SetTextColor(0, 0, 0)
	d.Ln(2)
}

// textHeight is the height paragraph takes for text.
func (d *doc) textHeight(text string, size float64) float64 {
	d.SetFont(pdfdoc.Font, "", size)
	return float64(len(d.SplitText(text, d.w)))*size*0.45 + 1
}

// section starts a titled block, on a new page when little room is left.
func (d *doc) section(title string) {
	d.needs(18)
	d.Ln(1.5)
	d.SetFont(pdfdoc.Font, "B", 10.5)
	d.SetTextColor(accentR, accentG, accentB)
	d.CellFormat(d.w, 6, strings.ToUpper(title), "", 1, "L", false, 0, "")
	d.SetTextColor(0, 0, 0)
	d.SetDrawColor(200, 200, 200)
	d.SetLineWidth(0.2)
	d.Line(marginX, d.GetY(), marginX+d.w, d.GetY())
	d.Ln(1.5)
}

// needs starts a new page when less than h millimetres remain.
func (d *doc) needs(h float64) {
	_, pageH := d.GetPageSize()
	if d.GetY()+h > pageH-footerH-4 {
		d.AddPage()
		d.header()
	}
}

// row writes a label and its value on one or more lines.
func (d *doc) row(label, value string) {
	if value == "" {
		value = "—"
	}
	const labelW = 48
	d.SetFont(pdfdoc.Font, "", 9)
	lines := d.SplitText(value, d.w-labelW)
	d.needs(float64(len(lines)) * lineH)
	left, _, _, _ := d.GetMargins()
	y := d.GetY()
	d.SetX(left)
	d.SetTextColor(greyText, greyText, greyText)
	d.CellFormat(labelW, lineH, label, "", 0, "L", false, 0, "")
	d.SetTextColor(0, 0, 0)
	d.SetXY(left+labelW, y)
	d.MultiCell(d.w-labelW, lineH, value, "", "L", false)
}

// paragraph writes running text.
func (d *doc) paragraph(text string, size float64) {
	d.SetFont(pdfdoc.Font, "", size)
	d.MultiCell(d.w, size*0.45, text, "", "L", false)
	d.Ln(1)
}

// bullets writes a list.
func (d *doc) bullets(items []string, size float64) {
	d.SetFont(pdfdoc.Font, "", size)
	for _, it := range items {
		y := d.GetY()
		d.needs(size * 0.9)
		if d.GetY() < y {
			y = d.GetY()
		}
		d.CellFormat(5, size*0.45, "•", "", 0, "L", false, 0, "")
		d.MultiCell(d.w-5, size*0.45, it, "", "L", false)
	}
	d.Ln(1)
}

// column is one column of a table.
type column struct {
	title string
	width float64 // millimetres
	align string  // "L", "C" or "R"
}

// table writes rows under a header repeated at the top of every page; a row
// never splits across pages, and long cells wrap within their column.
func (d *doc) table(cols []column, rows [][]string, size float64) {
	h := size * 0.45
	drawHead := func() {
		d.SetFont(pdfdoc.Font, "B", size)
		d.SetFillColor(tableHeadR, tableHeadG, tableHeadB)
		d.SetDrawColor(200, 200, 200)
		d.SetLineWidth(0.2)
		// The header may wrap too: measure it.
		lines := 1
		for _, c := range cols {
			lines = max(lines, len(d.SplitText(c.title, c.width-2)))
		}
		y := d.GetY()
		x := marginX
		for _, c := range cols {
			d.Rect(x, y, c.width, float64(lines)*h+2, "FD")
			d.SetXY(x+1, y+1)
			d.MultiCell(c.width-2, h, c.title, "", c.align, false)
			x += c.width
		}
		d.SetXY(marginX, y+float64(lines)*h+2)
	}
	d.needs(3 * (h + 2))
	drawHead()
	d.SetFont(pdfdoc.Font, "", size)
	for i, r := range rows {
		d.SetFont(pdfdoc.Font, "", size)
		lines := 1
		for j, c := range cols {
			lines = max(lines, len(d.SplitText(r[j], c.width-2)))
		}
		rowH := float64(lines)*h + 2
		_, pageH := d.GetPageSize()
		if d.GetY()+rowH > pageH-footerH-4 {
			d.AddPage()
			d.header()
			drawHead()
			d.SetFont(pdfdoc.Font, "", size)
		}
		y := d.GetY()
		x := marginX
		if i%2 == 1 {
			d.SetFillColor(247, 248, 247)
			d.Rect(marginX, y, d.w, rowH, "F")
		}
		d.SetDrawColor(220, 220, 220)
		for j, c := range cols {
			d.Rect(x, y, c.width, rowH, "D")
			d.SetXY(x+1, y+1)
			d.MultiCell(c.width-2, h, r[j], "", c.align, false)
			x += c.width
		}
		d.SetXY(marginX, y+rowH)
	}
	d.Ln(2)
}

// verification draws the QR of the verification page with its caption.
// textW is the width of its caption, right of the code.
func (d *doc) verification(url string, side, textW float64) error {
	if url == "" {
		return nil
	}
	q, err := pdfdoc.EncodeQR(url, pdfdoc.LevelM)
	if err != nil {
		return err
	}
	d.needs(side + 2)
	y := d.GetY()
	module := side / float64(q.Size()+2*pdfdoc.QuietZone)
	q.Draw(d.Doc, marginX+pdfdoc.QuietZone*module, y+pdfdoc.QuietZone*module, module*float64(q.Size()))
	d.SetXY(marginX+side+3, y+side/2-6)
	d.SetFont(pdfdoc.Font, "B", 8.5)
	d.MultiCell(textW, 4, "Vérifier l'authenticité de ce document", "", "L", false)
	d.SetX(marginX + side + 3)
	d.SetFont(pdfdoc.Font, "", 8)
	d.MultiCell(textW, 4, url, "", "L", false)
	d.SetX(marginX + side + 3)
	d.MultiCell(textW, 4, "Scannez le code ou ouvrez l'adresse : la page indique le numéro, la date et l'empreinte SHA-256 du document original.", "", "L", false)
	d.SetXY(marginX, y+side+1)
	return nil
}

// closing draws the verification code on the left and the issuer's
// signature block on the right: its date first, so that a long name wraps
// below it rather than push it out, and the line to sign under the text.
func (d *doc) closing(url, sign string) error {
	const signW, side = 80.0, 24.0
	d.SetFont(pdfdoc.Font, "", 8.5)
	signH := float64(len(d.SplitText(sign, signW)))*4.5 + 16
	d.needs(max(side+2, signH))
	y := d.GetY()
	if err := d.verification(url, side, d.w-side-3-signW-6); err != nil {
		return err
	}
	end := d.GetY()
	d.SetXY(marginX+d.w-signW, y)
	d.SetFont(pdfdoc.Font, "", 8.5)
	d.MultiCell(signW, 4.5, sign, "", "L", false)
	lineY := d.GetY() + 14
	d.SetDrawColor(160, 160, 160)
	d.SetLineWidth(0.2)
	d.Line(marginX+d.w-signW, lineY, marginX+d.w, lineY)
	d.SetXY(marginX, max(end, lineY+2))
	return nil
}

// output renders to w, or writes nothing on error.
func (d *doc) output(w io.Writer) error {
	var buf bytes.Buffer
	if err := d.Output(&buf); err != nil {
		return fmt.Errorf("certificates: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// formatSIRET prints a SIRET as "123 456 789 00012".
func formatSIRET(s string) string {
	if len(s) != 14 {
		return s
	}
	return s[:3] + " " + s[3:6] + " " + s[6:9] + " " + s[9:]
}

var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// longDate writes "3 mars 2026" in Paris time.
func longDate(t time.Time) string {
	t = t.In(ordi.Paris)
	return fmt.Sprintf("%d %s %d", t.Day(), frenchMonths[t.Month()-1], t.Year())
}

func shortDate(t time.Time) string { return t.In(ordi.Paris).Format("02/01/2006") }
