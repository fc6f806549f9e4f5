package pdfdoc

import (
	"fmt"
	"math"

	"codeberg.org/go-pdf/fpdf"
)

// engine names fpdf's document so that Doc can embed it as an unexported
// field: its drawing methods are promoted, but nobody outside this package
// can reach the raw document and draw a string past Printable.
type engine = fpdf.Fpdf

// Doc is an fpdf document whose every text method accepts any string: the
// text passes through Printable (PrintableLines for running text) before
// fpdf sees it, so a character the font lacks is drawn as Replacement
// instead of making fpdf panic or fail (go-pdf/fpdf#40). Every other method
// is fpdf's own. TestDocShadowsEveryTextMethod keeps this list complete.
type Doc struct {
	*engine
	zone string // the creation date's offset from UTC, written by Output
}

// Cell draws txt in a cell (fpdf.Fpdf.Cell).
func (d *Doc) Cell(w, h float64, txt string) {
	d.engine.Cell(w, h, Printable(txt))
}

// Cellf draws a formatted string in a cell.
func (d *Doc) Cellf(w, h float64, format string, args ...any) {
	d.Cell(w, h, fmt.Sprintf(format, args...))
}

// CellFormat draws txt in a cell with borders, alignment and fill
// (fpdf.Fpdf.CellFormat).
func (d *Doc) CellFormat(w, h float64, txt, border string, ln int, align string, fill bool, link int, linkStr string) {
	d.engine.CellFormat(w, h, Printable(txt), border, ln, align, fill, link, linkStr)
}

// MultiCell draws running text wrapped to width w (fpdf.Fpdf.MultiCell).
func (d *Doc) MultiCell(w, h float64, txt, border, align string, fill bool) {
	d.engine.MultiCell(w, h, PrintableLines(txt), border, align, fill)
}

// Text draws txt with its baseline origin at (x, y).
func (d *Doc) Text(x, y float64, txt string) {
	d.engine.Text(x, y, Printable(txt))
}

// ClipText starts a clipping path in the shape of txt.
func (d *Doc) ClipText(x, y float64, txt string, outline bool) {
	d.engine.ClipText(x, y, Printable(txt), outline)
}

// Write draws flowing text (fpdf.Fpdf.Write). fpdf's takes time quadratic
// in the length of txt: the renderers use MultiCell.
func (d *Doc) Write(h float64, txt string) {
	d.engine.Write(h, PrintableLines(txt))
}

// Writef draws formatted flowing text.
func (d *Doc) Writef(h float64, format string, args ...any) {
	d.Write(h, fmt.Sprintf(format, args...))
}

// WriteAligned draws flowing text aligned in width.
func (d *Doc) WriteAligned(width, lineHeight float64, txt, align string) {
	d.engine.WriteAligned(width, lineHeight, PrintableLines(txt), align)
}

// WriteLinkString draws flowing text linked to a URL.
func (d *Doc) WriteLinkString(h float64, display, target string) {
	d.engine.WriteLinkString(h, PrintableLines(display), target)
}

// WriteLinkID draws flowing text linked inside the document.
func (d *Doc) WriteLinkID(h float64, display string, linkID int) {
	d.engine.WriteLinkID(h, PrintableLines(display), linkID)
}

// SubWrite draws flowing text raised or lowered (fpdf.Fpdf.SubWrite).
func (d *Doc) SubWrite(h float64, txt string, subFontSize, subOffset float64, link int, linkStr string) {
	d.engine.SubWrite(h, PrintableLines(txt), subFontSize, subOffset, link, linkStr)
}

// Bookmark adds an outline entry.
func (d *Doc) Bookmark(txt string, level int, y float64) {
	d.engine.Bookmark(Printable(txt), level, y)
}

// AddLayer adds an optional content layer named name.
func (d *Doc) AddLayer(name string, visible bool) int {
	return d.engine.AddLayer(Printable(name), visible)
}

// RegisterAlias replaces alias with replacement in every page at output.
func (d *Doc) RegisterAlias(alias, replacement string) {
	d.engine.RegisterAlias(alias, Printable(replacement))
}

// GetStringWidth measures s as the text methods draw it.
func (d *Doc) GetStringWidth(s string) float64 {
	return d.engine.GetStringWidth(Printable(s))
}

// GetStringSymbolWidth measures s, in thousandths of the font size, as the
// text methods draw it.
func (d *Doc) GetStringSymbolWidth(s string) int {
	return d.engine.GetStringSymbolWidth(Printable(s))
}

// SplitText returns the lines MultiCell draws for txt at width w in the
// current font. fpdf's own SplitText measures differently from MultiCell
// (it breaks at any Unicode space and counts a zero-width mark as 65 em),
// so a table sized with it could draw a cell taller than its row; this
// one follows MultiCell step by step.
func (d *Doc) SplitText(txt string, w float64) []string {
	if w == 0 {
		pageW, _ := d.GetPageSize()
		_, _, right, _ := d.GetMargins()
		w = pageW - right - d.GetX()
	}
	_, size := d.GetFontSize()
	wmax := int(math.Ceil((w - 2*d.GetCellMargin()) * 1000 / size))
	s := []rune(PrintableLines(txt))
	for len(s) > 0 && s[len(s)-1] == '\n' {
		s = s[:len(s)-1]
	}
	var lines []string
	sep, i, j, l := -1, 0, 0, 0
	for i < len(s) {
		c := s[i]
		if c == '\n' {
			lines = append(lines, string(s[j:i]))
			i++
			sep, j, l = -1, i, 0
			continue
		}
		if c == ' ' || c >= 0x4e00 && c <= 0x9fa5 {
			sep = i
		}
		l += d.engine.GetStringSymbolWidth(string(c))
		if l <= wmax {
			i++
			continue
		}
		if sep == -1 {
			if i == j {
				i++
			}
			lines = append(lines, string(s[j:i]))
		} else {
			lines = append(lines, string(s[j:sep]))
			i = sep + 1
		}
		sep, j, l = -1, i, 0
	}
	return append(lines, string(s[j:i]))
}

// SetTitle sets the document's title.
func (d *Doc) SetTitle(s string, isUTF8 bool) { d.engine.SetTitle(Printable(s), isUTF8) }

// SetSubject sets the document's subject.
func (d *Doc) SetSubject(s string, isUTF8 bool) { d.engine.SetSubject(Printable(s), isUTF8) }

// SetAuthor sets the document's author.
func (d *Doc) SetAuthor(s string, isUTF8 bool) { d.engine.SetAuthor(Printable(s), isUTF8) }

// SetKeywords sets the document's keywords.
func (d *Doc) SetKeywords(s string, isUTF8 bool) { d.engine.SetKeywords(Printable(s), isUTF8) }

// SetCreator sets the application that created the document.
func (d *Doc) SetCreator(s string, isUTF8 bool) { d.engine.SetCreator(Printable(s), isUTF8) }

// SetProducer sets the application that wrote the document.
func (d *Doc) SetProducer(s string, isUTF8 bool) { d.engine.SetProducer(Printable(s), isUTF8) }
