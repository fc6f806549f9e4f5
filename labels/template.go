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

// The templates. Sheet dimensions are the manufacturers' (Avery L7163 and
// L7160, Avery Zweckform 3474); Brother DK sizes are the tapes' widths and,
// for the continuous tape, the length Ordi cuts.
var templates = []Template{
	{
		Name: "L7163", Description: "Avery L7163 · A4, 14 étiquettes 99,1 × 38,1 mm (2 × 7)",
		PageWidth: 210, PageHeight: 297, LabelWidth: 99.1, LabelHeight: 38.1, Columns: 2, Rows: 7,
		MarginTop: 15.15, MarginLeft: 4.65, PitchX: 101.6, PitchY: 38.1, Level: pdfdoc.LevelM,
	},
	{
		Name: "L7160", Description: "Avery L7160 · A4, 21 étiquettes 63,5 × 38,1 mm (3 × 7)",
		PageWidth: 210, PageHeight: 297, LabelWidth: 63.5, LabelHeight: 38.1, Columns: 3, Rows: 7,
		MarginTop: 15.15, MarginLeft: 7.25, PitchX: 66.0, PitchY: 38.1, Level: pdfdoc.LevelM,
	},
	{
		Name: "3474", Description: "Avery Zweckform 3474 · A4, 24 étiquettes 70 × 37 mm (3 × 8)",
		PageWidth: 210, PageHeight: 297, LabelWidth: 70, LabelHeight: 37, Columns: 3, Rows: 8,
		MarginTop: 0.5, MarginLeft: 0, PitchX: 70, PitchY: 37, Level: pdfdoc.LevelM,
	},
	{
		Name: "DK-11209", Description: "Brother DK-11209 · rouleau d'étiquettes prédécoupées 62 × 29 mm",
		PageWidth: 62, PageHeight: 29, LabelWidth: 62, LabelHeight: 29, Columns: 1, Rows: 1,
		PitchX: 62, PitchY: 29, Roll: true, Level: pdfdoc.LevelQ,
	},
	{
		Name: "DK-22205", Description: "Brother DK-22205 · rouleau continu 62 mm, coupé à 40 mm",
		PageWidth: 62, PageHeight: 40, LabelWidth: 62, LabelHeight: 40, Columns: 1, Rows: 1,
		PitchX: 62, PitchY: 40, Roll: true, Level: pdfdoc.LevelQ,
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
