package render

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/reports"
)

// WriteCSV writes the Bilan for French spreadsheets (LibreOffice, Excel set to
// French): UTF-8 with a byte order mark, semicolons, CRLF line ends,
// decimal commas and no thousands separator, so that every figure is read
// as a number. A head block says what the file is (association, period,
// filters, scope, the suppression rule); then each table comes as a block:
// its title, its header, its rows, an empty line. A suppressed cell is the
// text "< 5", an empty one "—" (text: a sum over the column skips both),
// and an estimated figure stays a number with its column named in a last
// "Remarque" column.
func WriteCSV(w io.Writer, s reports.Summary, m Meta) error {
	th := threshold(s)
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	cw.Comma = ';'
	cw.UseCRLF = true
	write := func(fields ...string) {
		for i, f := range fields {
			fields[i] = inert(f)
		}
		_ = cw.Write(fields)
	}
	write("Bilan d'activité", m.Association.Name)
	write("Période", Period(s.Filter))
	write("Filtres", strings.Join(Filters(s, m.Partner), " ; "))
	write("Périmètre", Scope(s))
	write("Confidentialité", Rule(th))
	write("Estimations", EstimateNote)
	write("Généré le", generated(m))
	write()
	for _, g := range grids(s) {
		write(g.title)
		head := append([]string{g.rowHead}, g.heads...)
		est := g.hasEstimate()
		if est {
			head = append(head, "Remarque")
		}
		write(head...)
		for _, r := range g.rows {
			fields := []string{r.label}
			var marks []string
			for i, c := range r.cells {
				switch classify(c.Cell, c.measure, th) {
				case suppressed:
					fields = append(fields, Below(th))
				case empty:
					fields = append(fields, "—")
				default:
					fields = append(fields, plain(c.Value, decimals(c.measure), ""))
					if c.Estimate {
						marks = append(marks, g.heads[i])
					}
				}
			}
			if est {
				note := ""
				if len(marks) > 0 {
					note = "estimation : " + strings.Join(marks, ", ")
				}
				fields = append(fields, note)
			}
			write(fields...)
		}
		write()
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// inert keeps a text a text in a spreadsheet: one that starts like a
// formula (a commune or a partner named "=…" by mistake or by malice) gets
// an apostrophe before it.
func inert(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		if s[0] == '-' && len(s) > 1 && (s[1] >= '0' && s[1] <= '9') && !strings.ContainsAny(s, "=+@()") {
			return s // a negative number
		}
		return "'" + s
	}
	return s
}

// generated writes the generation time in Paris: "30 novembre 2026 à 14 h 05".
func generated(m Meta) string {
	if m.Generated.IsZero() {
		return ""
	}
	t := m.Generated.In(ordi.Paris)
	return frenchDate(t.Format("2006-01-02")) + " à " + t.Format("15 h 04")
}
