package pdfdoc

import (
	"fmt"

	"codeberg.org/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"
)

// QuietZone is the number of blank modules the QR specification requires on
// each side of a code. Callers keep that margin free around the drawn symbol.
const QuietZone = 4

// Level is a QR error-correction level.
type Level = qrcode.RecoveryLevel

// Error-correction levels: M for labels on sheets, Q for small thermal labels
// that rub against other machines.
const (
	LevelM = qrcode.Medium
	LevelQ = qrcode.High // go-qrcode calls level Q "High" (25 % recovery)
)

// QR is an encoded symbol: a square matrix of modules, true for dark, without
// the quiet zone.
type QR struct {
	Modules [][]bool
}

// EncodeQR encodes content at the given level.
func EncodeQR(content string, level Level) (QR, error) {
	q, err := qrcode.New(content, level)
	if err != nil {
		return QR{}, fmt.Errorf("encode QR: %w", err)
	}
	q.DisableBorder = true
	return QR{Modules: q.Bitmap()}, nil
}

// Size is the number of modules per side.
func (q QR) Size() int { return len(q.Modules) }

// Draw draws the symbol with its top-left dark-module corner at (x, y), side
// millimetres wide, as filled rectangles: each horizontal run of dark modules
// is one rectangle, so the PDF stays small and prints crisp at any resolution.
// The caller keeps QuietZone modules of blank space around it.
func (q QR) Draw(pdf *fpdf.Fpdf, x, y, side float64) {
	n := len(q.Modules)
	if n == 0 {
		return
	}
	m := side / float64(n)
	pdf.SetFillColor(0, 0, 0)
	for row, line := range q.Modules {
		for col := 0; col < n; {
			if !line[col] {
				col++
				continue
			}
			start := col
			for col < n && line[col] {
				col++
			}
			pdf.Rect(x+float64(start)*m, y+float64(row)*m, float64(col-start)*m, m, "F")
		}
	}
}
