package web

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/inventory"
)

// The list exports: the units, donations and families lists, with the
// list's filters, as CSV for French spreadsheets (semicolon, UTF-8 with a
// byte-order mark, decimal comma, CRLF) or XLSX. Rows are written as they
// are read, one keyset batch at a time (inventory.EachUnit), so an export
// of any size holds one batch in memory.

// exportFormat is "csv" or "xlsx", from the route.
type exportFormat string

const (
	formatCSV  exportFormat = "csv"
	formatXLSX exportFormat = "xlsx"
)

// sheetWriter writes one table: a header row, then rows of cells. A cell
// is a string, an int, a float64, a *float64 (nil: empty), a time.Time or
// an ordi.Date (dates: the civil date in Europe/Paris). Close ends the
// answer; Discard frees what a writer left unfinished holds (a workbook's
// temporary file, its turn of expensive work), and does nothing after
// Close: callers defer it.
type sheetWriter interface {
	Row(cells ...any) error
	Close() error
	Discard()
}

// newSheetWriter starts the answer: headers, then the header row. A
// workbook is expensive work (about 2 s of CPU and 80 MB of heap for
// 100,000 units, and a temporary file): it waits for a turn of the
// limiter, or answers 503 before anything is sent. A CSV is streamed as
// it is read, at the pace of the database, and takes no turn.
func (s *Server) newSheetWriter(c *gin.Context, f exportFormat, name, file string, header ...string) (sheetWriter, error) {
	var w sheetWriter
	if f == formatXLSX {
		release, err := s.expensive.acquire(c.Request.Context())
		if err != nil {
			return nil, err
		}
		x, err := newXLSXWriter(c.Writer, name, len(header))
		if err != nil {
			release()
			return nil, err
		}
		x.release = release
		w = x
	}
	h := c.Writer.Header()
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.%s"`, file, s.now().In(ordi.Paris).Format(ordi.DateLayout), f))
	switch f {
	case formatXLSX:
		h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	default:
		h.Set("Content-Type", "text/csv; charset=utf-8")
		w = newCSVWriter(c.Writer)
	}
	c.Status(http.StatusOK)
	cells := make([]any, len(header))
	for i, s := range header {
		cells[i] = s
	}
	if err := w.Row(cells...); err != nil {
		w.Discard()
		return nil, err
	}
	return w, nil
}

// csvWriter writes CSV as French spreadsheets read it.
type csvWriter struct {
	buf *bufio.Writer
	w   *csv.Writer
	rec []string
}

func newCSVWriter(out io.Writer) *csvWriter {
	buf := bufio.NewWriterSize(out, 64<<10)
	buf.WriteString("\uFEFF") // the byte-order mark: Excel then reads UTF-8
	w := csv.NewWriter(buf)
	w.Comma, w.UseCRLF = ';', true
	return &csvWriter{buf: buf, w: w}
}

func (c *csvWriter) Row(cells ...any) error {
	c.rec = c.rec[:0]
	for _, v := range cells {
		c.rec = append(c.rec, csvCell(v))
	}
	return c.w.Write(c.rec)
}

func (c *csvWriter) Discard() {} // nothing held: the rows went out as written

func (c *csvWriter) Close() error {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return err
	}
	return c.buf.Flush()
}

// csvCell formats one value. A text that a spreadsheet would take for a
// formula (=, +, -, @, tab, carriage return first) is prefixed with an
// apostrophe: a brand typed "=HYPERLINK(…)" stays text.
func csvCell(v any) string {
	switch x := v.(type) {
	case string:
		if x != "" && strings.ContainsRune("=+-@\t\r", rune(x[0])) {
			return "'" + x
		}
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return decimalComma(x)
	case *float64:
		if x == nil {
			return ""
		}
		return decimalComma(*x)
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return x.In(ordi.Paris).Format(ordi.DateLayout)
	case *time.Time:
		if x == nil {
			return ""
		}
		return x.In(ordi.Paris).Format(ordi.DateLayout)
	case ordi.Date:
		return x.String()
	}
	return fmt.Sprint(v)
}

func decimalComma(f float64) string {
	return strings.Replace(strconv.FormatFloat(f, 'f', -1, 64), ".", ",", 1)
}

// xlsxWriter writes one sheet through excelize's StreamWriter, which keeps
// rows in a temporary file rather than in memory once they are many
// (16 MB of the sheet's XML).
type xlsxWriter struct {
	out     io.Writer
	f       *excelize.File
	sw      *excelize.StreamWriter
	row     int
	date    int // style of date cells
	head    int // style of the header row
	cells   []any
	release func() // gives back the turn of expensive work, if one was taken
	done    bool
}

func newXLSXWriter(out io.Writer, sheet string, columns int) (*xlsxWriter, error) {
	f := excelize.NewFile()
	// The fastest deflate: the sheet's XML compresses well at any level,
	// and at the default one compressing took a third of an export's time.
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(w)
		zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) { return flate.NewWriter(out, flate.BestSpeed) })
		return zw
	})
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		return nil, err
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	if err := sw.SetColWidth(1, max(columns, 1), 16); err != nil {
		return nil, err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	return &xlsxWriter{out: out, f: f, sw: sw, date: date, head: head}, nil
}

func (x *xlsxWriter) Row(cells ...any) error {
	x.row++
	x.cells = x.cells[:0]
	for _, v := range cells {
		x.cells = append(x.cells, x.cell(v))
	}
	name, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	return x.sw.SetRow(name, x.cells)
}

func (x *xlsxWriter) cell(v any) any {
	if x.row == 1 {
		return excelize.Cell{StyleID: x.head, Value: v}
	}
	switch d := v.(type) {
	case *float64:
		if d == nil || math.IsNaN(*d) {
			return nil
		}
		return *d
	case time.Time:
		if d.IsZero() {
			return nil
		}
		return excelize.Cell{StyleID: x.date, Value: civil(d)}
	case *time.Time:
		if d == nil {
			return nil
		}
		return excelize.Cell{StyleID: x.date, Value: civil(*d)}
	case ordi.Date:
		if d.IsZero() {
			return nil
		}
		return excelize.Cell{StyleID: x.date, Value: time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)}
	}
	return v
}

// civil is t's date in Europe/Paris, at midnight UTC: a spreadsheet date
// has no time zone.
func civil(t time.Time) time.Time {
	p := t.In(ordi.Paris)
	return time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, time.UTC)
}

// Close writes the workbook to a buffer, gives back its turn, then sends
// it: a slow client holds no turn.
func (x *xlsxWriter) Close() error {
	defer x.Discard()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	buf, err := x.f.WriteToBuffer()
	if err != nil {
		return err
	}
	x.Discard()
	_, err = x.out.Write(buf.Bytes())
	return err
}

// Discard removes the workbook's temporary files and gives back the turn.
// An export that failed half-way (the client left, the database stopped)
// used to leave its temporary file in $TMPDIR for good.
func (x *xlsxWriter) Discard() {
	if x.done {
		return
	}
	x.done = true
	x.f.Close() // removes the stream's temporary file
	if x.release != nil {
		x.release()
	}
}

// exportFormatOf reads the format from the route's last path segment.
func exportFormatOf(c *gin.Context) exportFormat {
	if strings.HasSuffix(c.FullPath(), ".xlsx") {
		return formatXLSX
	}
	return formatCSV
}

// handleAPIUnitExport: GET /api/v1/units.csv and .xlsx, with the filters of
// GET /api/v1/units (status, kind, donation_id, q, unprinted).
func (s *Server) handleAPIUnitExport(c *gin.Context) error {
	donation, err := queryID(c, "donation_id")
	if err != nil {
		return err
	}
	f := inventory.UnitFilter{Status: inventory.Status(c.Query("status")), Kind: inventory.Kind(c.Query("kind")), DonationID: donation,
		Q: c.Query("q"), Unprinted: c.Query("unprinted") == "true"}
	if err := actor(c).Require(ordi.ReadUnits, "Lecture des unités non autorisée."); err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return err
	}
	return s.writeUnits(c, exportFormatOf(c), f)
}

// writeUnits streams the units f selects.
func (s *Server) writeUnits(c *gin.Context, format exportFormat, f inventory.UnitFilter) error {
	w, err := s.newSheetWriter(c, format, "Unités", "unites",
		"Code", "Type", "Marque", "Modèle", "N° de série", "Processeur", "Mémoire (Go)", "Stockage (Go)", "Type de stockage",
		"Écran (pouces)", "Poids (kg)", "Grade", "Système", "Statut", "Don n°", "Enregistrée le", "Étiquette imprimée le")
	if err != nil {
		return err
	}
	defer w.Discard()
	err = s.cfg.Inventory.EachUnit(c.Request.Context(), actor(c), f, func(batch []inventory.Unit) error {
		for _, u := range batch {
			var storage string
			if u.StorageKind != "" {
				storage = u.StorageKind.Label()
			}
			var grade string
			if u.Grade != "" {
				grade = string(u.Grade)
			}
			if err := w.Row(string(u.Code), u.Kind.Label(), u.Brand, u.Model, u.SerialNumber, u.CPU, u.RAMGB, u.StorageGB, storage,
				u.ScreenInches, u.WeightKG, grade, u.OS, u.Status.Label(), u.DonationID, u.CreatedAt, u.LabelPrintedAt); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return w.Close()
}

// handleAPIDonationExport: GET /api/v1/donations.csv and .xlsx, with the
// filter of GET /api/v1/donations (donor_id).
func (s *Server) handleAPIDonationExport(c *gin.Context) error {
	donor, err := queryID(c, "donor_id")
	if err != nil {
		return err
	}
	if err := actor(c).Require(ordi.ReadUnits, "Lecture des dons non autorisée."); err != nil {
		return err
	}
	w, err := s.newSheetWriter(c, exportFormatOf(c), "Dons", "dons",
		"Don n°", "Reçu le", "Donateur", "Site", "Référence du donateur", "Unités", "Remarques")
	if err != nil {
		return err
	}
	defer w.Discard()
	err = s.cfg.Inventory.EachDonation(c.Request.Context(), actor(c), inventory.DonationFilter{DonorID: donor}, func(batch []inventory.DonationSummary) error {
		for _, d := range batch {
			if err := w.Row(d.ID, d.ReceivedOn, d.DonorName, d.Site, d.Reference, d.Units, d.Notes); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return w.Close()
}

// handleAPIHouseholdExport: GET /api/v1/households.csv and .xlsx, with the
// filters of GET /api/v1/households (status, q), in the caller's scope.
// Summaries only: no name, no phone, nothing of the file; the export is
// written to the access log first, as one entry naming its references.
func (s *Server) handleAPIHouseholdListExport(c *gin.Context) error {
	format := exportFormatOf(c)
	f := allocation.HouseholdFilter{Status: allocation.HouseholdStatus(c.Query("status")), Q: c.Query("q")}
	items, err := s.cfg.Allocation.ExportHouseholds(c.Request.Context(), actor(c), f, string(format))
	if err != nil {
		return err
	}
	names, err := s.partnerNames(c)
	if err != nil {
		return err
	}
	w, err := s.newSheetWriter(c, format, "Familles", "familles",
		"Référence", "Commune", "Statut", "Besoin", "Structure qui oriente", "Orientée le", "Dernière modification le")
	if err != nil {
		return err
	}
	defer w.Discard()
	for _, h := range items {
		if err := w.Row(h.Reference, h.Commune, h.Status.Label(), h.Need.Label(), names[h.PartnerID], h.CreatedAt, h.UpdatedAt); err != nil {
			return err
		}
	}
	return w.Close()
}
