package render

import (
	"github.com/ordi-app/ordi/reports"
)

// grid is a table as the exports print it: the Summary's tables and its
// targets alike, every cell knowing its measure.
type grid struct {
	key, section, title, rowHead string
	heads                        []string
	keys                         []string // column keys
	rows                         []gridRow
	method                       string
}

type gridRow struct {
	label string
	total bool
	cells []gridCell
}

type gridCell struct {
	reports.Cell
	measure reports.Measure
}

// sections names the Bilan's sections in French, in their order.
var sections = []struct{ key, title string }{
	{"collection", "Collecte"},
	{"workshop", "Atelier"},
	{"families", "Familles"},
	{"training", "Formation"},
	{"targets", "Objectifs"},
	{"fse", "Indicateurs FSE+"},
}

// sectionTitle returns the French name of a section key.
func sectionTitle(key string) string {
	for _, s := range sections {
		if s.key == key {
			return s.title
		}
	}
	return key
}

// grids returns the summary's tables then its targets, as printed.
func grids(s reports.Summary) []grid {
	var out []grid
	for _, t := range s.Tables {
		g := grid{key: t.Key, section: t.Section, title: t.Title, rowHead: t.RowHead, method: t.Method}
		for _, c := range t.Columns {
			g.heads = append(g.heads, c.Label)
			g.keys = append(g.keys, c.Key)
		}
		for _, r := range t.Rows {
			gr := gridRow{label: r.Label, total: r.Key == reports.TotalKey}
			for i, c := range t.Columns {
				var cell reports.Cell
				if i < len(r.Cells) {
					cell = r.Cells[i]
				} else {
					cell.Empty = true
				}
				gr.cells = append(gr.cells, gridCell{Cell: cell, measure: c.Measure})
			}
			g.rows = append(g.rows, gr)
		}
		out = append(out, g)
	}
	if len(s.Targets) > 0 {
		out = append(out, targetGrid(s))
	}
	return out
}

// targetGrid is the targets' progress as a table: goal, done, progress.
// The progress of a suppressed figure is left empty: it would give the
// figure back.
func targetGrid(s reports.Summary) grid {
	th := threshold(s)
	g := grid{
		key: "targets.progress", section: "targets", title: "Objectifs de l'année", rowHead: "Objectif",
		heads:  []string{"Cible", "Réalisé", "Avancement"},
		keys:   []string{"goal", "done", "progress"},
		method: "Cibles fixées pour l'année par l'administrateur ; le réalisé est compté sur l'année de la fin de la période, l'avancement est le réalisé rapporté à la cible.",
	}
	for _, t := range s.Targets {
		progress := reports.Cell{Empty: true}
		if classify(t.Done, t.Measure, th) == number && t.Goal > 0 {
			progress = reports.Cell{Value: 100 * t.Done.Value / t.Goal, Estimate: t.Done.Estimate}
		}
		goal := t.Measure
		if goal.Suppressed() {
			goal = reports.Count // a goal is no count of families: it is never masked
		}
		g.rows = append(g.rows, gridRow{label: t.Label, cells: []gridCell{
			{Cell: reports.Cell{Value: t.Goal}, measure: goal},
			{Cell: t.Done, measure: t.Measure},
			{Cell: progress, measure: reports.Percent},
		}})
	}
	return g
}

// hasEstimate reports whether a grid prints an estimate.
func (g grid) hasEstimate() bool {
	for _, r := range g.rows {
		for _, c := range r.cells {
			if c.Estimate && !c.Suppressed && !c.Empty {
				return true
			}
		}
	}
	return false
}
