package app

import (
	"context"
	"reflect"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi/database/dbtest"
)

// TestNew checks every service is built (a field added to Services and
// forgotten in New fails here) and that they share the database.
func TestNew(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := New(db, "http://ordi.test", time.Now)
		v := reflect.ValueOf(s)
		for i := range v.NumField() {
			if v.Field(i).IsNil() {
				t.Errorf("Services.%s is nil", v.Type().Field(i).Name)
			}
		}
		if err := s.Ready(context.Background()); err != nil {
			t.Fatalf("Ready on a migrated database: %v", err)
		}
		need, err := s.Accounts.NeedsSetup(context.Background())
		if err != nil || !need {
			t.Fatalf("NeedsSetup on an empty database = %v, %v", need, err)
		}
	})
}
