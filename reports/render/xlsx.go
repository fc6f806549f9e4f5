package render

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ordi-app/ordi/reports"
)

// coverSheet is the name of the first sheet, which says what the workbook is.
const coverSheet = "Bilan"

// WriteXLSX writes the Bilan as a workbook: a cover sheet (association, period,
// filters, scope, the suppression rule in words, the list of tables), then
// one sheet per table, its figures stored as numbers with a French-friendly
// number format, a suppressed cell as the text "< 5", an empty one as "—",
// and the table's method under it. The same summary and meta give the same
// bytes: the document's dates are m.Generated, never the clock.
func WriteXLSX(w io.Writer, s reports.Summary, m Meta) error {
	f := excelize.NewFile()
	defer f.Close()
	x := &workbook{f: f, styles: map[styleKey]int{}}
	th := threshold(s)
	if err := f.SetSheetName("Sheet1", coverSheet); err != nil {
		return err
	}
	gs := grids(s)
	names := sheetNames(gs)

	cover := [][2]string{
		{"Association", m.Association.Name},
		{"Période", Period(s.Filter)},
		{"Filtres", strings.Join(Filters(s, m.Partner), " ; ")},
		{"Périmètre", Scope(s)},
		{"Confidentialité", Rule(th)},
		{"Estimations", EstimateNote},
		{"Généré le", generated(m)},
	}
	x.set(coverSheet, "A1", "Bilan d'activité", x.style(styleKey{bold: true, title: true}))
	row := 3
	for _, kv := range cover {
		x.set(coverSheet, cellName(1, row), kv[0], x.style(styleKey{bold: true, top: true}))
		x.set(coverSheet, cellName(2, row), kv[1], x.style(styleKey{wrap: true, top: true}))
		row++
	}
	row++
	x.set(coverSheet, cellName(1, row), "Feuille", x.style(styleKey{bold: true, head: true}))
	x.set(coverSheet, cellName(2, row), "Tableau", x.style(styleKey{bold: true, head: true}))
	for i, g := range gs {
		row++
		x.set(coverSheet, cellName(1, row), names[i], 0)
		x.set(coverSheet, cellName(2, row), sectionTitle(g.section)+" — "+g.title, 0)
	}
	x.width(coverSheet, "A", "A", 22)
	x.width(coverSheet, "B", "B", 100)

	for i, g := range gs {
		name := names[i]
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
		x.set(name, "A1", g.title, x.style(styleKey{bold: true, title: true}))
		x.set(name, "A2", sectionTitle(g.section)+" · "+Period(s.Filter), 0)
		x.set(name, "A4", g.rowHead, x.style(styleKey{bold: true, head: true}))
		for j, h := range g.heads {
			x.set(name, cellName(j+2, 4), h, x.style(styleKey{bold: true, head: true, right: true, wrap: true}))
		}
		r := 5
		for _, gr := range g.rows {
			x.set(name, cellName(1, r), gr.label, x.style(styleKey{bold: gr.total}))
			for j, c := range gr.cells {
				at := cellName(j+2, r)
				switch classify(c.Cell, c.measure, th) {
				case suppressed:
					x.set(name, at, Below(th), x.style(styleKey{bold: gr.total, right: true}))
				case empty:
					x.set(name, at, "—", x.style(styleKey{bold: gr.total, right: true}))
				default:
					x.set(name, at, c.Value, x.style(styleKey{bold: gr.total, format: numFmt(c.measure, c.Estimate)}))
				}
			}
			r++
		}
		r++
		if g.hasEstimate() {
			x.set(name, cellName(1, r), EstimateNote, 0)
			r++
		}
		if g.method != "" {
			x.set(name, cellName(1, r), "Méthode : "+g.method, 0)
			r++
		}
		x.set(name, cellName(1, r), Rule(th), 0)
		x.width(name, "A", "A", 36)
		if len(g.heads) > 0 {
			x.width(name, "B", colName(len(g.heads)+1), 16)
		}
	}
	if x.err != nil {
		return x.err
	}
	created := m.Generated
	if created.IsZero() {
		created = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	stamp := created.UTC().Format("2006-01-02T15:04:05Z")
	if err := f.SetDocProps(&excelize.DocProperties{
		Title: "Bilan d'activité " + Period(s.Filter), Creator: m.Association.Name, LastModifiedBy: "Ordi",
		Created: stamp, Modified: stamp, Language: "fr-FR",
	}); err != nil {
		return err
	}
	if err := f.SetAppProps(&excelize.AppProperties{Application: "Ordi", Company: m.Association.Name}); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	_, err := f.WriteTo(w)
	return err
}

// workbook keeps the first error of a run of cell writes and the styles
// made so far.
type workbook struct {
	f      *excelize.File
	styles map[styleKey]int
	err    error
}

type styleKey struct {
	bold, title, head, right, wrap, top bool
	format                              string
}

func (x *workbook) style(k styleKey) int {
	if id, ok := x.styles[k]; ok {
		return id
	}
	st := &excelize.Style{Font: &excelize.Font{Bold: k.bold}}
	if k.title {
		st.Font.Size = 14
	}
	if k.head {
		st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8F1EA"}}
	}
	al := &excelize.Alignment{WrapText: k.wrap}
	if k.right {
		al.Horizontal = "right"
	}
	if k.top {
		al.Vertical = "top"
	}
	st.Alignment = al
	if k.format != "" {
		f := k.format
		st.CustomNumFmt = &f
	}
	id, err := x.f.NewStyle(st)
	if err != nil && x.err == nil {
		x.err = err
	}
	x.styles[k] = id
	return id
}

func (x *workbook) set(sheet, cell string, v any, style int) {
	if x.err != nil {
		return
	}
	switch v := v.(type) {
	case string:
		x.err = x.f.SetCellStr(sheet, cell, v)
	case float64:
		x.err = x.f.SetCellFloat(sheet, cell, v, -1, 64)
	}
	if x.err == nil && style != 0 {
		x.err = x.f.SetCellStyle(sheet, cell, cell, style)
	}
}

func (x *workbook) width(sheet, from, to string, w float64) {
	if x.err == nil {
		x.err = x.f.SetColWidth(sheet, from, to, w)
	}
}

// numFmt is the number format of a measure; an estimate shows "≈ " before it.
func numFmt(m reports.Measure, estimate bool) string {
	var f string
	switch decimals(m) {
	case 0:
		f = "#,##0"
	case 1:
		f = "#,##0.0"
	default:
		f = "#,##0.00"
	}
	switch m {
	case reports.Percent:
		f = `0.0" %"`
	case reports.Money:
		f += `" €"`
	}
	if estimate {
		f = `"≈ "` + f
	}
	return f
}

func cellName(col, row int) string {
	n, _ := excelize.CoordinatesToCellName(col, row)
	return n
}

func colName(col int) string {
	n, _ := excelize.ColumnNumberToName(col)
	return n
}

// sheetNames gives each table a sheet name spreadsheets accept: at most 31
// characters, none of []:*?/\, not starting or ending with an apostrophe,
// unique whatever the case (and distinct from the cover sheet).
func sheetNames(gs []grid) []string {
	taken := map[string]bool{strings.ToLower(coverSheet): true}
	var out []string
	for _, g := range gs {
		base := strings.Map(func(r rune) rune {
			if strings.ContainsRune(`[]:*?/\`, r) || r < ' ' {
				return ' '
			}
			return r
		}, g.title)
		base = strings.Trim(strings.Join(strings.Fields(base), " "), "'")
		if base == "" {
			base = "Tableau"
		}
		name := cut(base, 31)
		for n := 2; taken[strings.ToLower(name)]; n++ {
			suffix := fmt.Sprintf(" (%d)", n)
			name = cut(base, 31-len(suffix)) + suffix
		}
		taken[strings.ToLower(name)] = true
		out = append(out, name)
	}
	return out
}

// cut returns the first n characters of s, without trailing spaces or apostrophes.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return strings.TrimRight(string(r), " '")
}
