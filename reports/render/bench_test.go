package render

import (
	"fmt"
	"io"
	"testing"

	"github.com/ordi-app/ordi/reports"
)

// fullSample is sample with the other tables of a whole programme's Bilan
// (collection, statuses, erasures, reasons, QPV, 50 partners, people), so
// the benchmarks draw as many tables as a real export.
func fullSample(months, communes int) reports.Summary {
	s := sample(months, communes)
	two := []reports.Column{col("a", "Premier", reports.Count), col("b", "Second", reports.Count)}
	fam := []reports.Column{col("nominated", "Orientées", reports.Families), col("equipped", "Équipées", reports.Families)}
	add := func(key, title string, cols []reports.Column, rows int) {
		t := reports.Table{Key: key, Section: "collection", Title: title, RowHead: "Ligne", Columns: cols, Method: "Compté sur la période."}
		for i := 0; i < rows; i++ {
			var cells []reports.Cell
			for j := range cols {
				cells = append(cells, n(float64(10+i+j)))
			}
			t.Rows = append(t.Rows, row(fmt.Sprint(i), fmt.Sprintf("Ligne %d de %s", i+1, title), cells...))
		}
		s.Tables = append(s.Tables, t)
	}
	add(reports.TableDonorsByKind, "Donateurs par type", two, 5)
	add(reports.TableUnitsByKind, "Unités reçues par type", []reports.Column{col("units", "Unités", reports.Units), col("kg", "Poids (kg)", reports.Kg)}, 6)
	add(reports.TableStatus, "Unités par statut", []reports.Column{col("units", "Unités", reports.Units)}, 10)
	add(reports.TableErasures, "Effacements", two, 3)
	add(reports.TableIneligibleReasons, "Motifs de non-éligibilité", []reports.Column{col("families", "Familles", reports.Families)}, 6)
	add(reports.TableByQPV, "Familles par QPV", fam, 3)
	add(reports.TableByPartner, "Familles par partenaire", fam, 50)
	add(reports.TablePeople, "Personnes touchées", []reports.Column{col("people", "Personnes", reports.People)}, 4)
	return s
}

// BenchmarkPDF draws the Bilan of three years with 200 communes (bar: ≤ 1 s
// and ≤ 100 MB allocated per document).
func BenchmarkPDF(b *testing.B) {
	s := fullSample(36, 200)
	b.ReportAllocs()
	for b.Loop() {
		if err := WritePDF(io.Discard, s, meta()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkXLSX writes the same Bilan as a workbook (bar: ≤ 1 s).
func BenchmarkXLSX(b *testing.B) {
	s := fullSample(36, 200)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteXLSX(io.Discard, s, meta()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCSV and BenchmarkCharts are the cheap outputs, for comparison.
func BenchmarkCSV(b *testing.B) {
	s := fullSample(36, 200)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteCSV(io.Discard, s, meta()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCharts(b *testing.B) {
	s := fullSample(36, 200)
	b.ReportAllocs()
	for b.Loop() {
		for _, k := range chartKeys {
			ChartSVG(s, k)
		}
	}
}
