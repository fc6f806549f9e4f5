package reports

import (
	"fmt"
	"math/rand"
	"testing"
)

// randomTable draws a table of counts: parts that add up to a total row
// and a total column when it has them, with many small values.
func randomTable(rng *rand.Rand) Table {
	measures := []Measure{Families, People, Units, Kg, Families}
	nc, nr := 1+rng.Intn(5), 1+rng.Intn(8)
	totalCol, totalRow := rng.Intn(2) == 0, rng.Intn(2) == 0
	var t Table
	for c := range nc {
		t.Columns = append(t.Columns, Column{Key: fmt.Sprint("c", c), Measure: measures[rng.Intn(len(measures))]})
	}
	if totalCol {
		t.Columns = append(t.Columns, Column{Key: TotalKey, Measure: Families})
		for c := range nc {
			t.Columns[c].Measure = Families
		}
	}
	for r := range nr {
		row := Row{Key: fmt.Sprint("r", r)}
		sum := 0.0
		for range nc {
			v := float64(rng.Intn(12))
			if rng.Intn(3) == 0 {
				v = float64(rng.Intn(40))
			}
			row.Cells = append(row.Cells, Cell{Value: v})
			sum += v
		}
		if totalCol {
			row.Cells = append(row.Cells, Cell{Value: sum})
		}
		t.Rows = append(t.Rows, row)
	}
	if totalRow {
		row := Row{Key: TotalKey}
		for c := range t.Columns {
			sum := 0.0
			for _, r := range t.Rows {
				sum += r.Cells[c].Value
			}
			row.Cells = append(row.Cells, Cell{Value: sum})
		}
		t.Rows = append(t.Rows, row)
	}
	if rng.Intn(5) == 0 && len(t.Rows) > 1 {
		t.Rows[0].Cells[0] = Cell{Empty: true}
	}
	return t
}

func clone(t Table) Table {
	out := t
	out.Rows = nil
	for _, r := range t.Rows {
		r.Cells = append([]Cell(nil), r.Cells...)
		out.Rows = append(out.Rows, r)
	}
	return out
}

// TestSuppressProperties checks the rule over many random tables: no
// published count of families or people below the threshold; no row or
// column of such counts (total included) with exactly one hidden cell when
// it has another cell that could have been hidden; hidden cells carry no
// value; units and kg are untouched; and a second pass changes nothing.
func TestSuppressProperties(t *testing.T) {
	rng := rand.New(rand.NewSource(15))
	for i := range 5000 {
		threshold := 3 + rng.Intn(8)
		orig := randomTable(rng)
		got := clone(orig)
		Suppress(&got, threshold)
		name := fmt.Sprintf("table %d (threshold %d)", i, threshold)
		sup := func(c int) bool { return got.Columns[c].Measure.Suppressed() }
		for r, row := range got.Rows {
			for c, cell := range row.Cells {
				o := orig.Rows[r].Cells[c]
				if !sup(c) {
					if cell != o {
						t.Fatalf("%s: %s cell (%d,%d) changed from %+v to %+v", name, got.Columns[c].Measure, r, c, o, cell)
					}
					continue
				}
				if !cell.Suppressed && !cell.Empty && cell.Value >= 1 && cell.Value < float64(threshold) {
					t.Fatalf("%s: cell (%d,%d) = %v published", name, r, c, cell.Value)
				}
				if cell.Suppressed && cell.Value != 0 {
					t.Fatalf("%s: hidden cell (%d,%d) keeps its value %v", name, r, c, cell.Value)
				}
				if !cell.Suppressed && cell.Value != o.Value {
					t.Fatalf("%s: published cell (%d,%d) changed", name, r, c)
				}
			}
		}
		check := func(what string, cells []Cell) {
			hidden, candidates := 0, 0
			for _, c := range cells {
				if c.Suppressed {
					hidden++
				}
				if !c.Empty {
					candidates++
				}
			}
			if hidden == 1 && candidates > 1 {
				t.Fatalf("%s: %s has exactly one hidden cell: %+v", name, what, cells)
			}
		}
		for r, row := range got.Rows {
			var cells []Cell
			for c, cell := range row.Cells {
				if sup(c) {
					cells = append(cells, cell)
				}
			}
			check(fmt.Sprint("row ", r), cells)
		}
		for c := range got.Columns {
			if !sup(c) {
				continue
			}
			var cells []Cell
			for _, row := range got.Rows {
				cells = append(cells, row.Cells[c])
			}
			check(fmt.Sprint("column ", c), cells)
		}
		again := clone(got)
		Suppress(&again, threshold)
		for r := range again.Rows {
			for c := range again.Rows[r].Cells {
				if again.Rows[r].Cells[c] != got.Rows[r].Cells[c] {
					t.Fatalf("%s: a second pass changed cell (%d,%d)", name, r, c)
				}
			}
		}
	}
}

// TestSuppressRecoverable shows the secondary rule at work on a table whose
// one small value could otherwise be subtracted from the total.
func TestSuppressRecoverable(t *testing.T) {
	tb := Table{Columns: []Column{{Key: "families", Measure: Families}, {Key: "units", Measure: Units}},
		Rows: []Row{
			{Key: "a", Cells: []Cell{{Value: 2}, {Value: 2}}},
			{Key: "b", Cells: []Cell{{Value: 9}, {Value: 1}}},
			{Key: "c", Cells: []Cell{{Value: 7}, {Value: 3}}},
			{Key: TotalKey, Cells: []Cell{{Value: 18}, {Value: 6}}},
		}}
	Suppress(&tb, 5)
	want := []bool{true, false, true, false}
	for i, r := range tb.Rows {
		if r.Cells[0].Suppressed != want[i] {
			t.Errorf("row %s: suppressed %v, want %v", r.Key, r.Cells[0].Suppressed, want[i])
		}
		if r.Cells[1].Suppressed || r.Cells[1].Value == 0 {
			t.Errorf("row %s: units touched: %+v", r.Key, r.Cells[1])
		}
	}
	// Below the floor, the threshold is the floor.
	tb = Table{Columns: []Column{{Key: "families", Measure: Families}}, Rows: []Row{{Key: "a", Cells: []Cell{{Value: 2}}}}}
	Suppress(&tb, 1)
	if !tb.Rows[0].Cells[0].Suppressed {
		t.Error("threshold 1 published a count of 2: the floor is 3")
	}
}
