package inventory_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

// BenchmarkImportSheetXLSX10k imports a donor's workbook of 10,000 rows
// (their own headers, sizes with units, kind words) into a donation, on
// each database of dbtest.Dialects: reading, mapping, checking and creating
// every unit in one transaction. The bar (issue 16): ≤ 5 s and ≤ 300 MB
// allocated per import (B/op).
//
//	ORDI_TEST_POSTGRES_DSN=… go test ./inventory -run '^$' -bench ImportSheetXLSX10k -benchtime 1x -benchmem
func BenchmarkImportSheetXLSX10k(b *testing.B) {
	b.Cleanup(ordi.ServeGC(os.Getenv)) // as `ordi serve` runs
	rows := [][]any{{"Fabricant", "Modèle", "N° de série", "Catégorie", "Mémoire", "Stockage", "Processeur", "Remarques"}}
	kinds := []string{"Portable", "UC", "Tout-en-un", "Écran"}
	for i := range 10_000 {
		storage, ram := "256 Go SSD", any(8)
		if i%4 == 3 {
			storage, ram = "", ""
		}
		rows = append(rows, []any{"Lenovo", fmt.Sprintf("ThinkPad T%d", 400+i%100), fmt.Sprintf("SN%08d", i), kinds[i%4], ram, storage, "Intel Core i5-8350U", "Rayure légère sur le capot"})
	}
	data := xlsxOf(b, rows)
	b.Logf("workbook: %d bytes", len(data))
	for _, d := range dbtest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			db := dbtest.Open(b, d)
			svc := inventory.NewService(db, fixedNow)
			donor, _ := svc.CreateDonor(ctx, staff, inventory.NewDonor{Name: "Charge", Kind: inventory.DonorCompany})
			donation, err := svc.CreateDonation(ctx, staff, inventory.NewDonation{DonorID: donor.ID, ReceivedOn: "2026-01-05"})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				res, err := svc.ImportSheet(ctx, staff, donation.ID, data, inventory.ImportOptions{Sheet: "Parc"})
				if err != nil {
					b.Fatal(err)
				}
				if res.Created != 10_000 {
					b.Fatalf("created %d", res.Created)
				}
			}
		})
	}
}
