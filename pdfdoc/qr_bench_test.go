package pdfdoc_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/pdfdoc"
)

// BenchmarkEncodeQR measures QR generation for label URLs (bar: ≥ 2,000
// codes per second per core, that is ≤ 500 µs per code).
func BenchmarkEncodeQR(b *testing.B) {
	b.Cleanup(ordi.ServeGC(os.Getenv)) // as `ordi serve` runs
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := pdfdoc.EncodeQR(fmt.Sprintf("https://ordi.regie-roubaix.fr/u/K%06d", i%1000000), pdfdoc.LevelM); err != nil {
			b.Fatal(err)
		}
	}
}
