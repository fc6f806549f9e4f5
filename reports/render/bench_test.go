package render

import (
	"io"
	"testing"
)

// BenchmarkPDF draws the Bilan of three years with 200 communes (bar: ≤ 1 s
// and ≤ 100 MB allocated per document).
func BenchmarkPDF(b *testing.B) {
	s := sample(36, 200)
	b.ReportAllocs()
	for b.Loop() {
		if err := WritePDF(io.Discard, s, meta()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkXLSX writes the same Bilan as a workbook (bar: ≤ 1 s).
func BenchmarkXLSX(b *testing.B) {
	s := sample(36, 200)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteXLSX(io.Discard, s, meta()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCSV and BenchmarkCharts are the cheap outputs, for comparison.
func BenchmarkCSV(b *testing.B) {
	s := sample(36, 200)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteCSV(io.Discard, s, meta()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCharts(b *testing.B) {
	s := sample(36, 200)
	b.ReportAllocs()
	for b.Loop() {
		for _, k := range chartKeys {
			ChartSVG(s, k)
		}
	}
}
