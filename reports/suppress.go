package reports

// Threshold limits: counts of families or people from 1 to threshold-1 are
// never published. The admin may raise the threshold, never lower it below
// MinThreshold.
const (
	DefaultThreshold = 5
	MinThreshold     = 3
	MaxThreshold     = 50
)

// Suppress hides the small counts of families and people in t so that no
// family can be singled out, nor a hidden value worked out again.
//
// Primary suppression hides every Families or People cell whose value lies
// in 1..threshold-1. Secondary suppression then makes sure that no row and
// no column (the cells of suppressed measures in it, its total included)
// holds exactly one hidden cell: the one hidden value could otherwise be
// recovered by subtracting the published cells from the total. The second
// cell hidden is the smallest one still published (a non-zero one first).
// Hiding one cell may leave another line with a single hidden cell, so the
// passes repeat until nothing changes. Units, kg and the other measures are
// never touched. A hidden cell's Value is set to zero.
func Suppress(t *Table, threshold int) {
	if threshold < MinThreshold {
		threshold = MinThreshold
	}
	sup := make([]bool, len(t.Columns))
	for i, c := range t.Columns {
		sup[i] = c.Measure.Suppressed()
	}
	hide := func(r, c int) {
		cell := &t.Rows[r].Cells[c]
		cell.Suppressed, cell.Value, cell.Estimate = true, 0, false
	}
	for r := range t.Rows {
		for c, cell := range t.Rows[r].Cells {
			if c < len(sup) && sup[c] && !cell.Empty && !cell.Suppressed && cell.Value >= 1 && cell.Value < float64(threshold) {
				hide(r, c)
			}
		}
	}
	// line is the list of (row, column) positions of one row or column.
	type pos struct{ r, c int }
	var lines [][]pos
	for r, row := range t.Rows {
		var l []pos
		for c := range row.Cells {
			if c < len(sup) && sup[c] {
				l = append(l, pos{r, c})
			}
		}
		lines = append(lines, l)
	}
	for c := range t.Columns {
		if !sup[c] {
			continue
		}
		var l []pos
		for r, row := range t.Rows {
			if c < len(row.Cells) {
				l = append(l, pos{r, c})
			}
		}
		lines = append(lines, l)
	}
	for changed := true; changed; {
		changed = false
		for _, l := range lines {
			hidden := 0
			for _, p := range l {
				if t.Rows[p.r].Cells[p.c].Suppressed {
					hidden++
				}
			}
			if hidden != 1 {
				continue
			}
			best := -1
			for i, p := range l {
				cell := t.Rows[p.r].Cells[p.c]
				if cell.Suppressed || cell.Empty {
					continue
				}
				if best < 0 || smaller(cell.Value, t.Rows[l[best].r].Cells[l[best].c].Value) {
					best = i
				}
			}
			if best >= 0 {
				hide(l[best].r, l[best].c)
				changed = true
			}
		}
	}
}

// smaller orders the candidates of secondary suppression: the smallest
// non-zero value first (hiding a zero protects little), zeros last.
func smaller(a, b float64) bool {
	switch {
	case a == 0 && b != 0:
		return false
	case b == 0 && a != 0:
		return true
	}
	return a < b
}
