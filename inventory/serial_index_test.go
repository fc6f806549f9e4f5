package inventory_test

import (
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi/database/dbtest"
)

// TestMachineSerialLookupUsesIndex: the lookup of a report's machine serial
// among the units reads the index, not every unit.
func TestMachineSerialLookupUsesIndex(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		var plan []map[string]any
		q := "SELECT id FROM units WHERE UPPER(TRIM(serial_number)) = 'HQ5583J' AND id <> 1"
		err := db.Transaction(func(tx *gorm.DB) error {
			if tx.Dialector.Name() == "postgres" {
				// An empty table is read whole whatever its indexes: ask
				// for the plan an index makes possible, on this connection.
				if err := tx.Exec("SET LOCAL enable_seqscan = off").Error; err != nil {
					return err
				}
				return tx.Raw("EXPLAIN " + q).Scan(&plan).Error
			}
			return tx.Raw("EXPLAIN QUERY PLAN " + q).Scan(&plan).Error
		})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, row := range plan {
			for _, v := range row {
				b.WriteString(strings.ToLower(strings.TrimSpace(toString(v))) + " ")
			}
		}
		if !strings.Contains(b.String(), "units_serial_folded_idx") {
			t.Errorf("plan does not use the index: %s", b.String())
		}
	})
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return ""
}
