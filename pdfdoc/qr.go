package pdfdoc

import (
	"fmt"
	"strconv"
	"sync"
	"unsafe"

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

// Draw draws the symbol with its top-left dark-module corner at (x, y),
// side millimetres wide, as filled rectangles: each horizontal run of dark
// modules is one rectangle, and the whole symbol is one path filled once,
// written straight into the page's content stream, so the PDF stays small,
// prints crisp at any resolution and is cheap to produce by the thousand.
// The caller keeps QuietZone modules of blank space around it.
func (q QR) Draw(pdf *Doc, x, y, side float64) {
	n := len(q.Modules)
	if n == 0 {
		return
	}
	pdf.SetFillColor(0, 0, 0)
	k := pdf.GetConversionRatio()
	_, pageH := pdf.GetPageSize()
	m := side / float64(n)
	bp := drawBuffers.Get().(*[]byte)
	buf := (*bp)[:0]
	for row, line := range q.Modules {
		top := (pageH - (y + float64(row)*m)) * k
		for col := 0; col < n; {
			if !line[col] {
				col++
				continue
			}
			start := col
			for col < n && line[col] {
				col++
			}
			buf = strconv.AppendFloat(buf, (x+float64(start)*m)*k, 'f', 2, 64)
			buf = append(buf, ' ')
			buf = strconv.AppendFloat(buf, top, 'f', 2, 64)
			buf = append(buf, ' ')
			buf = strconv.AppendFloat(buf, float64(col-start)*m*k, 'f', 2, 64)
			buf = append(buf, ' ')
			buf = strconv.AppendFloat(buf, -m*k, 'f', 2, 64)
			buf = append(buf, " re\n"...)
		}
	}
	buf = append(buf, 'f')
	// RawWriteStr copies the string into the page at once, so the buffer
	// can be viewed as a string without a copy and reused afterwards.
	pdf.RawWriteStr(unsafe.String(unsafe.SliceData(buf), len(buf)))
	*bp = buf
	drawBuffers.Put(bp)
}

// drawBuffers recycles the path buffers of Draw: a label run draws
// thousands of symbols.
var drawBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}
