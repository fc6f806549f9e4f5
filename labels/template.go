// Package labels renders asset labels: a QR code holding the unit's URL,
// its code in large type, what it is and who owns it, laid out on the label
// stock an association buys. Plain values in, PDF out: no database, no
// network, no clock.
package labels

import (
	"github.com/ordi-app/ordi/pdfdoc"
)

// Template describes a label stock as data. Lengths are millimetres.
type Template struct {
	Name        string
	Description string
	// PageWidth and PageHeight are the sheet (A4) or, for rolls, one label.
	PageWidth, PageHeight float64
	LabelWidth            float64
	LabelHeight           float64
	Columns, Rows         int
	// MarginTop and MarginLeft place the first label's top-left corner.
	MarginTop, MarginLeft float64
	// PitchX and PitchY are the distances between the corners of adjacent
	// labels (label size plus the gap).
	PitchX, PitchY float64
	// Roll is a label printer's roll: one label per page, no skip.
	Roll bool
	// Where ink may go (docs/labels.md cites the makers' figures). Pad
	// keeps content off a label's cut edges (a sheet fed a little askew).
	// On a roll the printer cannot print within FeedMargin of the label's
	// ends (its top and bottom: the tape feeds along the label's height)
	// nor within SideMargin of the tape's edges. On a sheet, office
	// printers leave SheetMargin unprinted along the sheet's edges.
	Pad, FeedMargin, SideMargin, SheetMargin float64
	// Level is the QR error correction: M on sheets, Q on small thermal
	// labels that rub against other machines.
	Level pdfdoc.Level
}

// PerPage is the number of labels on one page.
func (t Template) PerPage() int { return t.Columns * t.Rows }

// origin returns the top-left corner of the i-th label of a page, counting
// left to right, then top to bottom.
func (t Template) origin(i int) (x, y float64) {
	col, row := i%t.Columns, i/t.Columns
	return t.MarginLeft + float64(col)*t.PitchX, t.MarginTop + float64(row)*t.PitchY
}

// box is a rectangle on the page, in millimetres.
type box struct{ x, y, w, h float64 }

// inkBox returns where the slot-th label of a page may carry ink: the label
// less its pad, or on a roll the printer's margins, and on a sheet never
// closer to the sheet's edge than SheetMargin.
func (t Template) inkBox(slot int) box {
	x, y := t.origin(slot)
	side, end := max(t.Pad, t.SideMargin), max(t.Pad, t.FeedMargin)
	left, top := x+side, y+end
	right, bottom := x+t.LabelWidth-side, y+t.LabelHeight-end
	if m := t.SheetMargin; m > 0 {
		left, top = max(left, m), max(top, m)
		right, bottom = min(right, t.PageWidth-m), min(bottom, t.PageHeight-m)
	}
	return box{left, top, right - left, bottom - top}
}

// marginBites reports whether the sheet's margin keeps ink off some label,
// as on a sheet whose labels run to its edges.
func (t Template) marginBites() bool {
	if t.SheetMargin <= 0 {
		return false
	}
	for i := 0; i < t.PerPage(); i++ {
		x, y := t.origin(i)
		pad := max(t.Pad, t.SideMargin, t.FeedMargin)
		if b := t.inkBox(i); b.x > x+pad || b.y > y+pad || b.x+b.w < x+t.LabelWidth-pad || b.y+b.h < y+t.LabelHeight-pad {
			return true
		}
	}
	return false
}

// smallestInkBox returns the width and height every label of a page can
// offer: the layout is the same on every label of a sheet, those at the
// sheet's edges included.
func (t Template) smallestInkBox() (w, h float64) {
	w, h = t.LabelWidth, t.LabelHeight
	for i := 0; i < t.PerPage(); i++ {
		b := t.inkBox(i)
		w, h = min(w, b.w), min(h, b.h)
	}
	return w, h
}

// The margins (docs/labels.md). Office printers do not print the outer
// 4.2 to 5 mm of a sheet: sheets keep ink 5.3 mm from the edge (5 mm and a
// rasterised pixel or two). Brother QL printers print 696 of the 62 mm
// tape's 732 dots (300 dpi) and leave about 3 mm (35 dots) at each end of a
// label: rolls keep 1.8 mm from the sides and 3.3 mm from the ends.
const (
	sheetPad    = 1.8
	sheetMargin = 5.3
	rollSide    = 1.8
	rollEnd     = 3.3
)

// The templates. Sheet dimensions are the manufacturers' (Avery L7163 and
// L7160, Avery Zweckform 3474); Brother DK sizes are the tapes' widths and,
// for the continuous tape, the length Ordi cuts.
var templates = []Template{
	{
		Name: "L7163", Description: "Avery L7163 · A4, 14 étiquettes 99,1 × 38,1 mm (2 × 7)",
		PageWidth: 210, PageHeight: 297, LabelWidth: 99.1, LabelHeight: 38.1, Columns: 2, Rows: 7,
		MarginTop: 15.15, MarginLeft: 4.65, PitchX: 101.6, PitchY: 38.1, Level: pdfdoc.LevelM,
		Pad: sheetPad, SheetMargin: sheetMargin,
	},
	{
		Name: "L7160", Description: "Avery L7160 · A4, 21 étiquettes 63,5 × 38,1 mm (3 × 7)",
		PageWidth: 210, PageHeight: 297, LabelWidth: 63.5, LabelHeight: 38.1, Columns: 3, Rows: 7,
		MarginTop: 15.15, MarginLeft: 7.25, PitchX: 66.0, PitchY: 38.1, Level: pdfdoc.LevelM,
		Pad: sheetPad, SheetMargin: sheetMargin,
	},
	{
		Name: "3474", Description: "Avery Zweckform 3474 · A4, 24 étiquettes 70 × 37 mm (3 × 8)",
		PageWidth: 210, PageHeight: 297, LabelWidth: 70, LabelHeight: 37, Columns: 3, Rows: 8,
		MarginTop: 0.5, MarginLeft: 0, PitchX: 70, PitchY: 37, Level: pdfdoc.LevelM,
		Pad: sheetPad, SheetMargin: sheetMargin,
	},
	{
		Name: "DK-11209", Description: "Brother DK-11209 · rouleau d'étiquettes prédécoupées 62 × 29 mm",
		PageWidth: 62, PageHeight: 29, LabelWidth: 62, LabelHeight: 29, Columns: 1, Rows: 1,
		PitchX: 62, PitchY: 29, Roll: true, Level: pdfdoc.LevelQ,
		SideMargin: rollSide, FeedMargin: rollEnd,
	},
	{
		Name: "DK-22205", Description: "Brother DK-22205 · rouleau continu 62 mm, coupé à 40 mm",
		PageWidth: 62, PageHeight: 40, LabelWidth: 62, LabelHeight: 40, Columns: 1, Rows: 1,
		PitchX: 62, PitchY: 40, Roll: true, Level: pdfdoc.LevelQ,
		SideMargin: rollSide, FeedMargin: rollEnd,
	},
}

// Templates lists the label stocks, sheets first.
func Templates() []Template {
	out := make([]Template, len(templates))
	copy(out, templates)
	return out
}

// FindTemplate returns the template with the given name.
func FindTemplate(name string) (Template, bool) {
	for _, t := range templates {
		if t.Name == name {
			return t, true
		}
	}
	return Template{}, false
}
