// Package pdfdoc holds what Ordi's PDF renderers (labels, certificates) share:
// a document set up for deterministic output with an embedded Unicode font
// that draws any string (what the font lacks is drawn as a replacement
// character), and QR codes drawn as vector squares.
//
// It never touches the network or the file system: the font is embedded.
package pdfdoc

import (
	_ "embed"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// Font is the family name registered by New, in regular ("") and bold ("B").
const Font = "DejaVu"

// DejaVu Sans Condensed: every French character (é è ç œ Œ « » €) and
// narrow enough for small labels. Licence in fonts/LICENSE.
var (
	//go:embed fonts/DejaVuSansCondensed.ttf
	regularTTF []byte
	//go:embed fonts/DejaVuSansCondensed-Bold.ttf
	boldTTF []byte
)

// Epoch is the creation date written into documents that have no date of
// their own (labels, calibration pages), so their bytes never change.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Options describes a new document. Sizes are in millimetres.
type Options struct {
	Orientation string  // "P" (default) or "L"
	Width       float64 // page width; with Height, overrides Size
	Height      float64
	Size        string // a named size such as "A4" (default)
	// Title, Author (the association) and Subject are the document's
	// metadata, shown by readers and indexers.
	Title, Author, Subject string
	// Created is the document's creation date, written in its own time
	// zone with its offset from UTC; the zero value means Epoch, written
	// as fpdf writes it (labels and calibration pages keep their bytes).
	Created time.Time
}

// New returns an empty document in millimetres with the embedded font
// registered and every source of non-determinism pinned: the creation and
// modification dates, the catalog order and the producer string.
func New(o Options) *Doc {
	init := &fpdf.InitType{OrientationStr: o.Orientation, UnitStr: "mm", SizeStr: o.Size}
	if init.OrientationStr == "" {
		init.OrientationStr = "P"
	}
	if init.SizeStr == "" {
		init.SizeStr = "A4"
	}
	if o.Width > 0 && o.Height > 0 {
		init.Size = fpdf.SizeType{Wd: o.Width, Ht: o.Height}
	}
	pdf := &Doc{engine: fpdf.NewCustom(init)}
	created := Epoch
	if !o.Created.IsZero() {
		created = o.Created
		pdf.zone = zoneSuffix(created)
	}
	pdf.SetCreationDate(created)
	pdf.SetModificationDate(created)
	pdf.SetCatalogSort(true)
	pdf.SetCompression(true)
	pdf.SetProducer("Ordi", true)
	pdf.SetCreator("Ordi", true)
	pdf.SetLang("fr-FR")
	if o.Title != "" {
		pdf.SetTitle(o.Title, true)
	}
	if o.Author != "" {
		pdf.SetAuthor(o.Author, true)
	}
	if o.Subject != "" {
		pdf.SetSubject(o.Subject, true)
	}
	pdf.AddUTF8FontFromBytes(Font, "", regularTTF)
	pdf.AddUTF8FontFromBytes(Font, "B", boldTTF)
	pdf.SetFont(Font, "", 10)
	return pdf
}
