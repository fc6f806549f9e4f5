package allocation_test

import (
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/database/dbtest"
)

// TestNominationWarnsOfLookAlikes: a second nomination with the same name
// and phone, however typed, is refused (Conflict) until confirmed; the
// warning names the files the social worker may open, and only counts the
// others; a different phone is another family.
func TestNominationWarnsOfLookAlikes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		n := nomination("Aïcha Benali")
		n.Phone = "06 12 34 56 78"
		first, err := w.svc.Nominate(ctx, w.workerA, n)
		if err != nil {
			t.Fatal(err)
		}
		again := nomination("BENALI  aicha")
		again.Phone = "+33 6 12 34 56 78"
		lookAlike := func(a ordi.Actor, n allocation.NewHousehold) *ordi.Error {
			t.Helper()
			_, err := w.svc.Nominate(ctx, a, n)
			var e *ordi.Error
			if !errors.As(err, &e) || e.Kind != ordi.Conflict {
				t.Fatalf("look-alike nomination: %v, want Conflict", err)
			}
			return e
		}
		e := lookAlike(w.workerA, again)
		if got, _ := e.Extra["duplicates"].([]string); len(got) != 1 || got[0] != first.Reference || !strings.Contains(e.Message, first.Reference) {
			t.Fatalf("warning to the same structure: %q %v", e.Message, e.Extra)
		}
		// Another structure's social worker learns that the person is known,
		// never which file, whose, or where it stands.
		e = lookAlike(w.workerB, again)
		if got, _ := e.Extra["duplicates"].([]string); len(got) != 0 || e.Extra["duplicates_elsewhere"] != 1 ||
			strings.Contains(e.Message, first.Reference) || strings.Contains(e.Message, "CCAS") {
			t.Fatalf("warning to another structure: %q %v", e.Message, e.Extra)
		}
		byAdmin := again
		byAdmin.PartnerID = w.partnerB
		if e := lookAlike(w.admin, byAdmin); !strings.Contains(e.Message, first.Reference) {
			t.Fatalf("administrators see every file: %q", e.Message)
		}
		var count int64
		db.Table("households").Count(&count)
		if count != 1 {
			t.Fatalf("%d files after refused nominations", count)
		}
		// Confirmed, it is recorded.
		again.DuplicateOK = true
		if _, err := w.svc.Nominate(ctx, w.workerB, again); err != nil {
			t.Fatalf("confirmed: %v", err)
		}
		other := nomination("Aïcha Benali")
		other.Phone = "07 00 00 00 01"
		if _, err := w.svc.Nominate(ctx, w.workerA, other); err != nil {
			t.Fatalf("another phone is another family: %v", err)
		}
	})
}

// TestHouseholdSearch: the families' search ignores case and accents and
// wants every word, in any order, on both databases.
func TestHouseholdSearch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		for _, name := range []string{"Aïcha Benali", "Éloïse DUPRÉ", "Aicha Martin"} {
			if _, err := w.svc.Nominate(ctx, w.workerA, nomination(name)); err != nil {
				t.Fatal(err)
			}
		}
		for q, want := range map[string]int{
			"Aicha":         2,
			"AÏCHA":         2,
			"benali aicha":  1,
			"aïcha  BENALI": 1,
			"eloise dupre":  1,
			"dupré":         1,
			"aicha dupre":   0,
			"%":             0,
		} {
			got, err := w.svc.Households(ctx, w.staff, allocation.HouseholdFilter{Q: q})
			if err != nil || len(got) != want {
				t.Errorf("search %q: %d families, %v; want %d", q, len(got), err, want)
			}
		}
		// The social worker of another structure finds none of them.
		if got, _ := w.svc.Households(ctx, w.workerB, allocation.HouseholdFilter{Q: "aicha"}); len(got) != 0 {
			t.Errorf("another structure's search found %d families", len(got))
		}
	})
}
