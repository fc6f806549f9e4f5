package inventory

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/ordi-app/ordi"
)

// MaxImportRows bounds the data rows of one donor's file: a spreadsheet of
// 5 MB compressed may hold far more than any donation.
const MaxImportRows = 20000

// Formats and encodings a donor's file is read in (the API's values).
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"

	EncodingUTF8        = "utf-8"
	EncodingUTF8BOM     = "utf-8-bom"
	EncodingWindows1252 = "windows-1252"
)

// Sheet is a donor's file read as a table: its header row and its data rows,
// each with the line number the donor's own program shows (a CSV's physical
// line, a spreadsheet's row number).
type Sheet struct {
	Format    string   `json:"format"`
	Encoding  string   `json:"encoding,omitempty"`  // CSV only
	Separator string   `json:"separator,omitempty"` // CSV only
	Sheets    []string `json:"sheets,omitempty"`    // XLSX only: every sheet's name
	SheetName string   `json:"sheet,omitempty"`     // XLSX only: the one read
	Header    []string `json:"headers"`
	HeaderAt  int      `json:"header_line"`
	Rows      []SheetRow
}

// SheetRow is one data row of a Sheet.
type SheetRow struct {
	Line  int
	Cells []string
}

// cell is row's value in column i, trimmed; "" past the row's end.
func (r SheetRow) cell(i int) string {
	if i < len(r.Cells) {
		return strings.TrimSpace(r.Cells[i])
	}
	return ""
}

// ReadSheet reads a donor's file: XLSX (the named sheet, or else the first
// one with a header and a row under it)
// or CSV (comma or semicolon, whichever the first line has more of). A CSV
// is UTF-8 when its bytes are valid UTF-8 (after an optional BOM), and
// Windows-1252 otherwise: French Excel's "CSV (séparateur : point-virgule)"
// writes 1252, and a 1252 file with any accented letter is almost never
// valid UTF-8 (an é is 0xE9, which UTF-8 only allows as the lead byte of
// three). The header is the first row of two cells or more (a title line
// may sit above it). The error is
// Invalid, with a line when one is to blame.
func ReadSheet(data []byte, sheet string) (Sheet, error) {
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return readXLSX(data, sheet)
	case bytes.HasPrefix(data, []byte("\xd0\xcf\x11\xe0")):
		return Sheet{}, sheetError(0, "Ce fichier est au format Excel 97-2003 (.xls) : enregistrez-le en .xlsx ou en CSV.")
	}
	return readCSV(data)
}

func sheetError(line int, msg string) error {
	return &ordi.Error{Kind: ordi.Invalid, Message: "Le fichier ne peut pas être lu : rien n'a été importé.",
		Fields: []ordi.FieldError{{Line: line, Field: "file", Message: msg}}, Extra: map[string]any{"created": 0}}
}

// windows1252Undefined are the five bytes Windows-1252 leaves unassigned.
const windows1252Undefined = "\x81\x8d\x8f\x90\x9d"

// decodeText returns data as UTF-8 and the encoding it was in.
func decodeText(data []byte) ([]byte, string, error) {
	if rest, ok := bytes.CutPrefix(data, []byte("\xef\xbb\xbf")); ok {
		if !utf8.Valid(rest) {
			return nil, "", sheetError(0, "Le fichier commence comme de l'UTF-8 mais ne l'est pas : enregistrez-le en « CSV UTF-8 ».")
		}
		return rest, EncodingUTF8BOM, nil
	}
	if utf8.Valid(data) {
		return data, EncodingUTF8, nil
	}
	if i := indexAnyByte(data, windows1252Undefined); i >= 0 {
		line := bytes.Count(data[:i], []byte("\n")) + 1
		return nil, "", sheetError(line, "Le fichier n'est ni en UTF-8 ni en Windows-1252 : enregistrez-le en « CSV UTF-8 ».")
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil {
		return nil, "", sheetError(0, "Le fichier n'est ni en UTF-8 ni en Windows-1252 : enregistrez-le en « CSV UTF-8 ».")
	}
	return out, EncodingWindows1252, nil
}

// indexAnyByte is bytes.IndexAny for bytes, not runes (IndexAny reads its
// chars as UTF-8, and these bytes are not).
func indexAnyByte(data []byte, set string) int {
	for i, b := range data {
		if strings.IndexByte(set, b) >= 0 {
			return i
		}
	}
	return -1
}

func readCSV(data []byte) (Sheet, error) {
	text, enc, err := decodeText(data)
	if err != nil {
		return Sheet{}, err
	}
	if i := bytes.IndexByte(text, 0); i >= 0 {
		return Sheet{}, sheetError(bytes.Count(text[:i], []byte("\n"))+1, "Le fichier contient un caractère nul (U+0000) : ce n'est ni un fichier CSV texte ni un classeur .xlsx.")
	}
	sh := Sheet{Format: FormatCSV, Encoding: enc, Separator: ","}
	first, _, _ := bytes.Cut(text, []byte("\n"))
	rd := csv.NewReader(bytes.NewReader(text))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		rd.Comma, sh.Separator = ';', ";"
	}
	rd.FieldsPerRecord = -1
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return Sheet{}, sheetError(line, "Ligne illisible : "+csvMessage(err))
		}
		line, _ := rd.FieldPos(0)
		if err := sh.add(line, rec); err != nil {
			return Sheet{}, err
		}
	}
	return sh, sh.check()
}

// add appends one row; blank rows are left out.
func (sh *Sheet) add(line int, rec []string) error {
	if blank(rec) {
		return nil
	}
	if len(sh.Rows) > MaxImportRows+maxTitleRows {
		return sheetError(line, "Le fichier dépasse "+ordi.Plural(MaxImportRows, "ligne", "lignes")+" : découpez-le.")
	}
	sh.Rows = append(sh.Rows, SheetRow{Line: line, Cells: append([]string(nil), rec...)})
	return nil
}

// maxTitleRows bounds the title rows a header may sit under.
const maxTitleRows = 10

// check settles the header: the first row with two cells or more, under
// the title lines a spreadsheet often starts with ("Inventaire 2026"); the
// first row when none has two.
func (sh *Sheet) check() error {
	if len(sh.Rows) == 0 {
		return sheetError(1, "Le fichier est vide : la première ligne doit nommer les colonnes.")
	}
	at := 0
	for i, r := range sh.Rows {
		if i > maxTitleRows {
			break
		}
		filled := 0
		for _, c := range r.Cells {
			if strings.TrimSpace(c) != "" {
				filled++
			}
		}
		if filled >= 2 {
			at = i
			break
		}
	}
	head := sh.Rows[at]
	sh.HeaderAt = head.Line
	sh.Header = make([]string, len(head.Cells))
	for i, h := range head.Cells {
		sh.Header[i] = strings.TrimSpace(h)
	}
	sh.Rows = sh.Rows[at+1:]
	if len(sh.Rows) == 0 {
		return sheetError(sh.HeaderAt+1, "Le fichier ne contient aucune unité sous sa ligne d'en-tête.")
	}
	if len(sh.Rows) > MaxImportRows {
		return sheetError(sh.Rows[MaxImportRows].Line, "Le fichier dépasse "+ordi.Plural(MaxImportRows, "ligne", "lignes")+" : découpez-le.")
	}
	return nil
}

// xlsxUnzipLimit bounds what a workbook may expand to: a 5 MB file of
// 20,000 rows unzips to some tens of megabytes.
const xlsxUnzipLimit = 256 << 20

func readXLSX(data []byte, name string) (Sheet, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: xlsxUnzipLimit, UnzipXMLSizeLimit: 64 << 20})
	if err != nil {
		return Sheet{}, sheetError(0, "Ce classeur .xlsx est illisible (fichier abîmé ou protégé par un mot de passe).")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return Sheet{}, sheetError(0, "Ce classeur ne contient aucune feuille.")
	}
	if name != "" {
		for _, s := range sheets {
			if s == name {
				return readWorksheet(f, sheets, name)
			}
		}
		return Sheet{}, &ordi.Error{Kind: ordi.Invalid, Message: "Cette feuille n'existe pas dans le classeur.",
			Fields: []ordi.FieldError{{Field: "sheet", Message: "Feuilles du classeur : « " + strings.Join(sheets, " », « ") + " »."}}}
	}
	// No sheet named: the first one holding a list (a workbook often opens
	// on a title page or a read-me).
	var first error
	for _, s := range sheets {
		sh, err := readWorksheet(f, sheets, s)
		if err == nil {
			return sh, nil
		}
		if first == nil {
			first = err
		}
	}
	return Sheet{}, first
}

func readWorksheet(f *excelize.File, sheets []string, name string) (Sheet, error) {
	sh := Sheet{Format: FormatXLSX, Sheets: sheets, SheetName: name}
	rows, err := f.Rows(name)
	if err != nil {
		return Sheet{}, sheetError(0, "La feuille « "+name+" » est illisible.")
	}
	defer rows.Close()
	// The iterator yields empty rows too, so its count is the row number
	// the spreadsheet shows.
	line := 0
	for rows.Next() {
		line++
		rec, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return Sheet{}, sheetError(line, "Ligne illisible.")
		}
		// A cell may hold a NUL: excelize decodes the escape _x0000_ of
		// the file's XML. PostgreSQL cannot store one (it answered 500).
		for _, c := range rec {
			if strings.IndexByte(c, 0) >= 0 || !utf8.ValidString(c) {
				return Sheet{}, sheetError(line, "Une cellule de cette ligne contient un caractère nul (U+0000) ou un texte illisible : corrigez-la dans le tableur.")
			}
		}
		if err := sh.add(line, rec); err != nil {
			return Sheet{}, err
		}
	}
	if err := rows.Error(); err != nil {
		return Sheet{}, sheetError(line, "La feuille « "+name+" » est illisible.")
	}
	return sh, sh.check()
}
