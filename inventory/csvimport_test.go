package inventory_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

func TestImportUnits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		csv := "\xef\xbb\xbfdonation_id;kind;brand;model;serial_number;ram_gb;storage_gb;storage_kind;screen_inches;weight_kg;grade;notes\r\n" +
			fmt.Sprintf("%d;laptop;HP;EliteBook 840 G5;5CG1;8;256;ssd;14,0;1,5;B;\"clavier « AZERTY »; rayure\"\r\n", f.donation.ID) +
			"\r\n" +
			fmt.Sprintf("%d;desktop;Dell;OptiPlex 7060;;16;512;nvme;;;;\r\n", f.donation.ID) +
			fmt.Sprintf("%d;screen;Iiyama;ProLite;;;;;23,8;;;\r\n", f.donation.ID)
		res, err := f.svc.ImportUnits(ctx, staff, strings.NewReader(csv))
		if err != nil {
			t.Fatal(err)
		}
		if res.Created != 3 || len(res.Codes) != 3 {
			t.Fatalf("created %+v", res)
		}
		u, err := f.svc.Unit(ctx, staff, res.Codes[0])
		if err != nil {
			t.Fatal(err)
		}
		if u.Brand != "HP" || u.ScreenInches == nil || *u.ScreenInches != 14 || *u.WeightKG != 1.5 || u.Notes != "clavier « AZERTY »; rayure" || u.Grade != inventory.GradeB {
			t.Fatalf("imported %+v", u)
		}
		events, _ := f.svc.Events(ctx, staff, res.Codes[0])
		if len(events) != 1 || events[0].Action != inventory.ActionImported {
			t.Fatalf("events %+v", events)
		}
		screen, _ := f.svc.Unit(ctx, staff, res.Codes[2])
		if screen.StorageKind != inventory.StorageNone || screen.Status != inventory.StatusReceived {
			t.Fatalf("screen %+v", screen)
		}
	})
}

func TestImportIsAllOrNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		id := f.donation.ID
		csv := strings.Join([]string{
			"donation_id,kind,brand,ram_gb,weight_kg",
			fmt.Sprintf("%d,laptop,HP,8,1.5", id),  // line 2: fine
			fmt.Sprintf("%d,toaster,HP,8,1.5", id), // line 3: kind
			fmt.Sprintf("%d,laptop,HP,-2,300", id), // line 4: ram, weight
			fmt.Sprintf("%d,laptop,HP,huit,1", id), // line 5: ram not a number
			"9999,laptop,HP,8,1",                   // line 6: unknown donation (checked once the file parses)
			fmt.Sprintf("%d,laptop,\"HP,8,1", id),  // line 7: bad quote
		}, "\n")
		_, err := f.svc.ImportUnits(ctx, staff, strings.NewReader(csv))
		var e *ordi.Error
		if !errors.As(err, &e) || e.Kind != ordi.Invalid {
			t.Fatalf("err = %v, want Invalid", err)
		}
		type lf struct {
			Line  int
			Field string
		}
		var got []lf
		for _, p := range e.Fields {
			got = append(got, lf{p.Line, p.Field})
		}
		want := []lf{{3, "kind"}, {4, "ram_gb"}, {4, "weight_kg"}, {5, "ram_gb"}, {7, ""}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("errors (-want +got):\n%s", diff)
		}
		if e.Extra["created"] != 0 {
			t.Fatalf("created = %v", e.Extra["created"])
		}
		if n := count(t, db, "units"); n != 0 {
			t.Fatalf("a bad file wrote %d units", n)
		}

		// Once the lines parse, unknown donations are reported by line.
		_, err = f.svc.ImportUnits(ctx, staff, strings.NewReader("donation_id,kind\n"+fmt.Sprint(id)+",laptop\n9999,laptop\n"))
		if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Line != 3 || e.Fields[0].Field != "donation_id" {
			t.Fatalf("unknown donation: %v", err)
		}
		if n := count(t, db, "units"); n != 0 {
			t.Fatalf("wrote %d units", n)
		}
	})
}

func TestImportHeaderProblems(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		for name, tc := range map[string]struct {
			csv   string
			field string
		}{
			"ErrEmpty":         {"", ""},
			"ErrUnknownColumn": {"donation_id,kind,colour\n1,laptop,red\n", "colour"},
			"ErrMissingKind":   {"donation_id,brand\n1,HP\n", "kind"},
			"ErrDuplicate":     {"donation_id,kind,kind\n1,laptop,laptop\n", "kind"},
			"ErrNoRows":        {"donation_id,kind\n", ""},
			"ErrNotUTF8":       {"donation_id,kind,brand\n1,laptop,\xe9t\xe9\n", ""},
			"ErrNUL":           {"donation_id,kind,brand\n1,laptop,H\x00P\n", ""},
			"ErrFieldCount":    {"donation_id,kind\n1,laptop,extra\n", ""},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := f.svc.ImportUnits(ctx, staff, strings.NewReader(tc.csv))
				var e *ordi.Error
				if !errors.As(err, &e) || e.Kind != ordi.Invalid || len(e.Fields) == 0 || e.Fields[0].Field != tc.field {
					t.Fatalf("err = %v, want Invalid on %q", err, tc.field)
				}
			})
		}
		big := "donation_id,kind,notes\n" + strings.Repeat(fmt.Sprintf("%d,laptop,%s\n", f.donation.ID, strings.Repeat("x", 1000)), 5300)
		if _, err := f.svc.ImportUnits(ctx, staff, strings.NewReader(big)); !errors.Is(err, ordi.TooLarge) {
			t.Fatalf("6 MB file: %v", err)
		}
	})
}

// FuzzImportParse feeds arbitrary files to the import against a database
// with no donations: it must never panic, never create a unit, and always
// answer with an Invalid error naming lines within the file.
func FuzzImportParse(f *testing.F) {
	f.Add("donation_id,kind\n1,laptop\n")
	f.Add("donation_id;kind;brand;screen_inches\n1;laptop;HP;15,6\n")
	f.Add("\xef\xbb\xbfdonation_id,kind,ram_gb\n1,desktop,-1\n")
	f.Add("donation_id,kind\n1,\"lap\ntop\"\n")
	f.Add("kind\n\"\n")
	db := dbtest.OpenSQLite(f)
	svc := inventory.NewService(db, fixedNow)
	f.Fuzz(func(t *testing.T, data string) {
		res, err := svc.ImportUnits(ctx, staff, strings.NewReader(data))
		if err == nil || res.Created != 0 {
			t.Fatalf("import without donations created %d units, err %v", res.Created, err)
		}
		var e *ordi.Error
		if !errors.As(err, &e) || (e.Kind != ordi.Invalid && e.Kind != ordi.TooLarge) {
			t.Fatalf("err = %v, want Invalid", err)
		}
		lines := strings.Count(data, "\n") + 1
		for _, p := range e.Fields {
			if p.Line < 1 || p.Line > lines+1 {
				t.Fatalf("error on line %d of a %d-line file", p.Line, lines)
			}
		}
	})
}

func BenchmarkImport10000Units(b *testing.B) {
	for _, d := range dbtest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			db := dbtest.Open(b, d)
			svc := inventory.NewService(db, fixedNow)
			donor, _ := svc.CreateDonor(ctx, staff, inventory.NewDonor{Name: "Entreprise", Kind: inventory.DonorCompany})
			donation, err := svc.CreateDonation(ctx, staff, inventory.NewDonation{DonorID: donor.ID, ReceivedOn: "2026-10-01"})
			if err != nil {
				b.Fatal(err)
			}
			var sb strings.Builder
			sb.WriteString("donation_id;kind;brand;model;serial_number;cpu;ram_gb;storage_gb;storage_kind;screen_inches;weight_kg;grade\n")
			for i := 0; i < 10000; i++ {
				fmt.Fprintf(&sb, "%d;laptop;Lenovo;ThinkPad T480;PF%06d;i5-8350U;8;256;ssd;14,0;1,6;B\n", donation.ID, i)
			}
			file := sb.String()
			b.Cleanup(ordi.ServeGC(os.Getenv)) // as `ordi serve` runs
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				res, err := svc.ImportUnits(ctx, staff, strings.NewReader(file))
				if err != nil || res.Created != 10000 {
					b.Fatalf("%+v %v", res.Created, err)
				}
			}
		})
	}
}

func TestImportIntoDonation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		other, _ := f.svc.CreateDonation(ctx, staff, inventory.NewDonation{DonorID: f.donor.ID, ReceivedOn: "2026-10-30"})
		res, err := f.svc.ImportDonationUnits(ctx, staff, f.donation.ID, strings.NewReader("kind;brand\nlaptop;HP\ndesktop;Dell\n"))
		if err != nil || res.Created != 2 {
			t.Fatalf("import without donation_id: %+v %v", res, err)
		}
		_, err = f.svc.ImportDonationUnits(ctx, staff, f.donation.ID, strings.NewReader(fmt.Sprintf("donation_id,kind\n%d,laptop\n", other.ID)))
		if !errors.Is(err, ordi.Invalid) {
			t.Fatalf("a line for another donation: %v", err)
		}
		// Through the API, a missing donation_id cell is an error on its line.
		_, err = f.svc.ImportUnits(ctx, staff, strings.NewReader(fmt.Sprintf("donation_id,kind\n%d,laptop\n,laptop\n", f.donation.ID)))
		var e *ordi.Error
		if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Line != 3 || e.Fields[0].Field != "donation_id" {
			t.Fatalf("empty donation_id: %v", err)
		}
		if _, err := f.svc.ImportDonationUnits(ctx, staff, 9999, strings.NewReader("kind\nlaptop\n")); !errors.Is(err, ordi.NotFound) {
			t.Fatalf("unknown donation: %v", err)
		}
	})
}
