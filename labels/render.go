package labels

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/pdfdoc"
)

// MaxLabels bounds one rendering.
const MaxLabels = 5000

// Label is what one label shows.
type Label struct {
	Code        string // the unit code, printed large under or beside the QR
	URL         string // what the QR holds: {base URL}/u/{code}
	Kind        string // "Ordinateur portable"
	Model       string // "Lenovo ThinkPad T480"
	Association string // the owner, printed small
}

// ptToMM converts a font size in points to millimetres.
const ptToMM = 25.4 / 72

// validate checks the request and returns an Invalid error in French.
func validate(t Template, labels []Label, skip int) error {
	var v ordi.Validation
	switch {
	case len(labels) == 0:
		v.Add("codes", "Aucune étiquette à imprimer.")
	case len(labels) > MaxLabels:
		v.Addf("codes", "%d étiquettes demandées : %d au plus par impression.", len(labels), MaxLabels)
	}
	switch {
	case skip < 0:
		v.Add("skip", "Le nombre d'étiquettes déjà utilisées ne peut pas être négatif.")
	case t.Roll && skip > 0:
		v.Add("skip", "Sans objet pour un rouleau : laissez 0.")
	case skip >= t.PerPage():
		v.Addf("skip", "Une planche %s compte %d étiquettes : indiquez entre 0 et %d étiquettes déjà utilisées.", t.Name, t.PerPage(), t.PerPage()-1)
	}
	for i, l := range labels {
		if l.Code == "" || l.URL == "" {
			v.Addf("codes", "L'étiquette n° %d n'a pas de code ou d'adresse.", i+1)
			break
		}
	}
	return v.Err()
}

// Render writes the labels on the template's stock, starting after skip
// labels already used on the first sheet. Nothing is written on error.
func Render(w io.Writer, t Template, labels []Label, skip int) error {
	if err := validate(t, labels, skip); err != nil {
		return err
	}
	qrs, err := encodeAll(labels, t.Level)
	if err != nil {
		return err
	}
	pdf := newDocument(t, "Étiquettes")
	lay := layoutFor(t)
	for i, l := range labels {
		slot := (i + skip) % t.PerPage()
		if i == 0 || slot == 0 {
			pdf.AddPage()
		}
		drawLabel(pdf, lay, t.inkBox(slot), l, qrs[i])
	}
	return output(pdf, w)
}

// encodeAll encodes every label's QR, on all cores: encoding is most of
// the work of a large run.
func encodeAll(labels []Label, level pdfdoc.Level) ([]pdfdoc.QR, error) {
	qrs := make([]pdfdoc.QR, len(labels))
	errs := make([]error, len(labels))
	workers := min(runtime.GOMAXPROCS(0), len(labels))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(labels) {
					return
				}
				qrs[i], errs[i] = pdfdoc.EncodeQR(labels[i].URL, level)
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("label %s: %w", labels[i].Code, err)
		}
	}
	return qrs, nil
}

func newDocument(t Template, title string) *pdfdoc.Doc {
	pdf := pdfdoc.New(pdfdoc.Options{Width: t.PageWidth, Height: t.PageHeight, Title: title + " " + t.Name})
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	return pdf
}

func output(pdf *pdfdoc.Doc, w io.Writer) error {
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return fmt.Errorf("labels: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// layout is where things go inside a label's ink box: a left column with
// the QR and the code in large type under it, a right column with what the
// unit is and who owns it. It is the same on every label of a page.
type layout struct {
	qrSide   float64 // the whole QR square, quiet zone included
	codeH    float64 // height of the code's line under the QR
	codeSize float64 // the code's font size, in points
	textX    float64 // left edge of the text column, from the ink box's left
	lineSize float64 // kind and model
	ownSize  float64 // association name
}

// layoutFor adapts the arrangement to the smallest ink box of the stock.
func layoutFor(t Template) layout {
	w, h := t.smallestInkBox()
	var l layout
	// The code's line is a fifth of the box's height; the QR takes the
	// rest of the column, square.
	l.codeH = h * 0.2
	l.qrSide = min(h-l.codeH, w*0.48)
	// The code's type fills its line; drawLabel narrows it to the QR's width.
	l.codeSize = l.codeH / (1.05 * ptToMM)
	l.textX = l.qrSide + 2
	l.lineSize, l.ownSize = 8.5, 6.5
	if t.LabelHeight < 32 || w-l.textX < 34 {
		l.lineSize, l.ownSize = 7.5, 5.5
	}
	return l
}

// drawLabel draws one label inside its ink box b.
func drawLabel(pdf *pdfdoc.Doc, lay layout, b box, l Label, q pdfdoc.QR) {
	// The QR with its quiet zone: modules are sized so the symbol plus four
	// blank modules on each side fill the square.
	module := lay.qrSide / float64(q.Size()+2*pdfdoc.QuietZone)
	left, top := b.x, b.y
	q.Draw(pdf, left+pdfdoc.QuietZone*module, top+pdfdoc.QuietZone*module, module*float64(q.Size()))

	pdf.SetTextColor(0, 0, 0)
	// The code spans the QR's width at most: shrink the type for wide codes.
	size := lay.codeSize
	pdf.SetFont(pdfdoc.Font, "B", size)
	if w := pdf.GetStringWidth(l.Code); w > lay.qrSide {
		size *= lay.qrSide / w
		pdf.SetFontSize(size)
	}
	pdf.SetXY(left, top+lay.qrSide)
	pdf.CellFormat(lay.qrSide, lay.codeH, l.Code, "", 0, "C", false, 0, "")

	// A cell prints its text a cell margin in from each side: what is
	// fitted is the width between the margins, so that nothing runs past
	// the ink box.
	tx, tw := left+lay.textX, b.w-lay.textX
	fw := tw - 2*pdf.GetCellMargin()
	lineH := lay.lineSize * ptToMM * 1.3
	cursor := top + pdfdoc.QuietZone*module
	pdf.SetFont(pdfdoc.Font, "B", lay.lineSize)
	pdf.SetXY(tx, cursor)
	pdf.CellFormat(tw, lineH, fit(pdf, l.Kind, fw), "", 0, "L", false, 0, "")
	cursor += lineH
	pdf.SetFont(pdfdoc.Font, "", lay.lineSize)
	for _, line := range wrap(pdf, l.Model, fw, 3) {
		pdf.SetXY(tx, cursor)
		pdf.CellFormat(tw, lineH, line, "", 0, "L", false, 0, "")
		cursor += lineH
	}
	if l.Association != "" {
		pdf.SetFont(pdfdoc.Font, "", lay.ownSize)
		pdf.SetTextColor(70, 70, 70)
		ownH := lay.ownSize * ptToMM * 1.25
		lines := wrap(pdf, l.Association, fw, 2)
		oy := b.y + b.h - float64(len(lines))*ownH
		for _, line := range lines {
			pdf.SetXY(tx, oy)
			pdf.CellFormat(tw, ownH, line, "", 0, "L", false, 0, "")
			oy += ownH
		}
		pdf.SetTextColor(0, 0, 0)
	}
}

// fit shortens s with an ellipsis until it fits width w in the current font:
// the longest prefix that fits with "…" after it, or "" if not even "…"
// fits. A prefix is never narrower than a shorter one, so the prefixes are
// searched by halves: a very long word costs a few measures, not one per
// character.
func fit(pdf *pdfdoc.Doc, s string, w float64) string {
	s = strings.TrimSpace(s)
	if pdf.GetStringWidth(s) <= w {
		return s
	}
	var cuts []int // where each character starts: the prefixes to try
	for i := range s {
		cuts = append(cuts, i)
	}
	n := sort.Search(len(cuts), func(k int) bool {
		return pdf.GetStringWidth(strings.TrimSpace(s[:cuts[k]])+"…") > w
	})
	if n == 0 {
		return ""
	}
	return strings.TrimSpace(s[:cuts[n-1]]) + "…"
}

// wrap breaks s into at most max lines of width w, the last ellipsised
// after its last whole word. A number and its unit ("8 Go") stay together.
func wrap(pdf *pdfdoc.Doc, s string, w float64, max int) []string {
	words := wordsOf(s)
	var lines []string
	start := 0 // the current line's first word
	for i := range words {
		if i == start || pdf.GetStringWidth(strings.Join(words[start:i+1], " ")) <= w {
			continue
		}
		if len(lines) == max-1 {
			return append(lines, fitWords(pdf, words[start:], w))
		}
		lines = append(lines, fit(pdf, strings.Join(words[start:i], " "), w))
		start = i
	}
	if start < len(words) {
		lines = append(lines, fit(pdf, strings.Join(words[start:], " "), w))
	}
	return lines
}

// units are the words that never start a line after a number: "8 Go" is
// one word to wrap, joined by a no-break space.
var units = map[string]bool{
	"Go": true, "Mo": true, "To": true, "Ko": true, "GB": true, "MB": true, "TB": true, "KB": true,
	"kg": true, "g": true, "mm": true, "cm": true, "Hz": true, "MHz": true, "GHz": true,
	"W": true, "Wh": true, "V": true, "mAh": true, "%": true, `"`: true, "pouces": true, "po": true,
}

// wordsOf splits s where a line may break: at spaces, but not at a no-break
// space nor between a number and its unit.
func wordsOf(s string) []string {
	var out []string
	breakable := func(r rune) bool { return unicode.IsSpace(r) && r != '\u00a0' && r != '\u202f' && r != '\u2007' }
	for _, w := range strings.FieldsFunc(s, breakable) {
		if n := len(out); n > 0 && units[w] && endsWithDigit(out[n-1]) {
			out[n-1] += "\u00a0" + w
			continue
		}
		out = append(out, w)
	}
	return out
}

func endsWithDigit(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsDigit(r)
}

// fitWords joins words on one line of width w; when they do not fit, it
// keeps the most words that fit with "…" after them (dropping a trailing
// separator), so that no value loses its unit; a first word too long for
// the line is shortened as fit does. Prefixes are searched by halves.
func fitWords(pdf *pdfdoc.Doc, words []string, w float64) string {
	all := strings.Join(words, " ")
	if pdf.GetStringWidth(all) <= w {
		return all
	}
	cut := func(k int) string {
		return strings.TrimRight(strings.Join(words[:k], " "), " ·,;:-–") + "…"
	}
	k := sort.Search(len(words), func(k int) bool { return k > 0 && pdf.GetStringWidth(cut(k)) > w })
	if k <= 1 || pdf.GetStringWidth(cut(k-1)) > w || strings.TrimSpace(cut(k-1)) == "…" {
		return fit(pdf, all, w)
	}
	return cut(k - 1)
}

// Calibration writes a page of the template's label outlines at 1:1, each
// numbered, with instructions and a 50 mm ruler to check the printer does
// not scale.
func Calibration(w io.Writer, t Template) error {
	pdf := newDocument(t, "Calibration")
	pdf.AddPage()
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetLineWidth(0.2)
	for i := 0; i < t.PerPage(); i++ {
		x, y := t.origin(i)
		pdf.Rect(x, y, t.LabelWidth, t.LabelHeight, "D")
		pdf.SetFont(pdfdoc.Font, "B", 9)
		b := t.inkBox(i) // the number is printed whole, where labels print
		pdf.SetXY(b.x, b.y)
		pdf.CellFormat(10, 4, fmt.Sprint(i+1), "", 0, "L", false, 0, "")
	}
	// Ruler: 50 mm with a tick every 10 mm, inside the first label.
	x0, y0 := t.origin(0)
	rx, ry := x0+(t.LabelWidth-50)/2, y0+t.LabelHeight/2+2
	if t.LabelWidth < 54 {
		rx = x0 + 2
	}
	length := 50.0
	if t.LabelWidth-4 < length {
		length = 40
	}
	pdf.Line(rx, ry, rx+length, ry)
	for mm := 0.0; mm <= length; mm += 10 {
		pdf.Line(rx+mm, ry-1.5, rx+mm, ry+1.5)
	}
	pdf.SetFont(pdfdoc.Font, "", 6)
	pdf.SetXY(rx, ry+2)
	pdf.CellFormat(length, 3, fmt.Sprintf("%.0f mm", length), "", 0, "C", false, 0, "")
	// Where labels print, dashed: the sheet's margin where it keeps ink
	// off labels (3474), the ink box on a roll.
	pdf.SetDashPattern([]float64{1, 1}, 0)
	switch {
	case t.marginBites():
		m := t.SheetMargin
		pdf.Rect(m, m, t.PageWidth-2*m, t.PageHeight-2*m, "D")
	case t.Roll:
		b := t.inkBox(0)
		pdf.Rect(b.x, b.y, b.w, b.h, "D")
	}
	pdf.SetDashPattern(nil, 0)
	// Instructions, in the first label's ink box (the second's for the
	// dashed frame of a sheet).
	first := t.inkBox(0)
	pdf.SetFont(pdfdoc.Font, "", 6.5)
	pdf.SetXY(first.x, first.y+4.5)
	tip := "Imprimez à 100 % (sans ajustement), puis posez la feuille sur une planche vierge à contre-jour : chaque cadre doit tomber sur une étiquette."
	if t.Roll {
		tip = "Imprimez à 100 % : le cadre doit suivre le bord de l'étiquette, le pointillé entoure ce qu'Ordi imprime."
	}
	pdf.MultiCell(first.w, 2.8, tip, "", "L", false)
	if t.marginBites() && t.PerPage() > 1 {
		b := t.inkBox(1)
		pdf.SetXY(b.x, b.y+4.5)
		pdf.MultiCell(b.w, 2.8, fmt.Sprintf("Le pointillé est à %s mm du bord de la feuille : Ordi n'imprime rien au-delà. S'il manque en partie, l'imprimante rogne les étiquettes : elle ne convient pas à cette planche.", strings.ReplaceAll(fmt.Sprintf("%.1f", t.SheetMargin), ".", ",")), "", "L", false)
	}
	return output(pdf, w)
}
