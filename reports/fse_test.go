package reports_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/reports"
)

var ctx = context.Background()

// fseProgramme seeds families nominated with FSE+ answers and enrolled at
// chosen instants (UTC), one of them erased afterwards, and returns the two
// partners.
func fseProgramme(t *testing.T, db *gorm.DB) (partnerA, partnerB int64) {
	t.Helper()
	clock := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	acc := account.NewService(db, now)
	pa, err := acc.CreatePartner(ctx, ordi.System, account.NewPartner{Name: "CCAS A", Kind: account.PartnerCCAS})
	if err != nil {
		t.Fatal(err)
	}
	pb, _ := acc.CreatePartner(ctx, ordi.System, account.NewPartner{Name: "Centre social B", Kind: account.PartnerSocialCentre})
	u, err := acc.CreateUser(ctx, ordi.System, account.NewUser{Email: "admin@x.org", Name: "Admin", Role: ordi.RoleAdmin, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	admin := u.Actor()
	svc := allocation.NewService(db, inventory.NewService(db, now), now)
	rules := allocation.DefaultRules()
	rules.FSEQuestions = true
	if _, err := svc.SetRules(ctx, admin, rules); err != nil {
		t.Fatal(err)
	}
	course := func(title string) int64 {
		c, err := svc.CreateCourse(ctx, admin, allocation.NewCourse{Title: title, SessionDates: []string{"2026-06-01"}, RequiredSessions: 1})
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	c1, c2 := course("Premiers pas"), course("Démarches en ligne")
	family := func(name string, partner int64, commune string, qpv bool, labour, age, edu string) allocation.Household {
		t.Helper()
		h, err := svc.Nominate(ctx, admin, allocation.NewHousehold{ContactName: name, Commune: commune, QPV: qpv, Adults: 1,
			Need: allocation.NeedAny, Consent: true, PartnerID: partner,
			FSEAnswers: allocation.FSEAnswers{Labour: allocation.FSELabour(labour), Age: allocation.FSEAge(age), Education: allocation.FSEEducation(edu)}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Decide(ctx, admin, h.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		return h
	}
	enroll := func(h allocation.Household, course int64, at time.Time) {
		t.Helper()
		clock = at
		if err := svc.Enroll(ctx, admin, course, h.ID); err != nil {
			t.Fatal(err)
		}
	}
	utc := func(m time.Month, d, hh, mm int) time.Time { return time.Date(2026, m, d, hh, mm, 0, 0, time.UTC) }

	h1 := family("Un", pa.ID, "Roubaix", true, "long_term_unemployed", "18_29", "isced_0_2")
	enroll(h1, c1, utc(3, 10, 10, 0))
	// 22:30 UTC on 31 March is 00:30 on 1 April in Paris (summer time).
	h2 := family("Deux", pa.ID, "Roubaix", true, "unemployed", "55_plus", "isced_3_4")
	enroll(h2, c1, utc(3, 31, 22, 30))
	// Enrolled twice: counted once, at its first enrolment.
	h3 := family("Trois", pb.ID, "Tourcoing", false, "employed", "30_54", "isced_5_8")
	enroll(h3, c1, utc(3, 15, 9, 0))
	// (the service enrols an eligible family only: the second enrolment,
	// a later course, is written directly)
	if err := db.Exec("INSERT INTO enrollments (course_id, household_id, enrolled_at) VALUES (?, ?, ?)", c2, h3.ID, utc(5, 1, 9, 0)).Error; err != nil {
		t.Fatal(err)
	}
	h4 := family("Quatre", pa.ID, "Roubaix", true, "declined", "declined", "declined")
	enroll(h4, c1, utc(3, 20, 9, 0))
	// 23:30 UTC on 28 February is 00:30 on 1 March in Paris (winter time).
	h5 := family("Cinq", pb.ID, "Roubaix", true, "inactive", "under_18", "isced_0_2")
	enroll(h5, c1, utc(2, 28, 23, 30))
	// Never enrolled: never a participant.
	family("Six", pa.ID, "Roubaix", true, "employed", "55_plus", "isced_5_8")
	// Enrolled, then erased: counted from the anonymous record.
	h7 := family("Sept", pa.ID, "Roubaix", true, "inactive", "18_29", "isced_3_4")
	enroll(h7, c1, utc(3, 5, 9, 0))
	clock = utc(6, 1, 9, 0)
	erased, err := svc.EraseHousehold(ctx, admin, h7.ID, h7.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if erased.FSEAnswers.Any() {
		t.Fatalf("erased file keeps its FSE+ answers: %+v", erased.FSEAnswers)
	}
	var left allocation.FSEAnswers
	if err := db.Table("households").Where("id = ?", h7.ID).Select("fse_labour_status, fse_age_band, fse_education").Scan(&left).Error; err != nil {
		t.Fatal(err)
	}
	if left.Any() {
		t.Fatalf("erased row keeps its FSE+ answers: %+v", left)
	}
	return pa.ID, pb.ID
}

func TestFSEIndicators(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		pa, pb := fseProgramme(t, db)
		yes, no := true, false
		march := reports.Filter{From: "2026-03-01", To: "2026-03-31"}
		with := func(f reports.Filter, edit func(*reports.Filter)) reports.Filter { edit(&f); return f }
		// Expected counts, worked out by hand from fseProgramme's families:
		// in March, 1, 3, 4, 5 and the erased 7 entered; 2 entered in April
		// (Paris time), 6 never did.
		cases := []struct {
			name  string
			f     reports.Filter
			scope int64
			want  map[string]float64 // codes not listed are 0
		}{
			{"March", march, 0, map[string]float64{"EECO01": 1, "EECO02": 1, "EECO03": 2, "EECO04": 1, "EECO05": 1, "EECO06": 2,
				"EECO08": 2, "EECO09": 1, "EECO10": 1, "EECO11": 5}},
			{"MarchPartnerA", with(march, func(f *reports.Filter) { f.PartnerID = pa }), 0,
				map[string]float64{"EECO01": 1, "EECO02": 1, "EECO03": 1, "EECO06": 2, "EECO08": 1, "EECO09": 1, "EECO11": 3}},
			{"MarchScopeB", march, pb, map[string]float64{"EECO03": 1, "EECO04": 1, "EECO05": 1, "EECO08": 1, "EECO10": 1, "EECO11": 2}},
			{"MarchScopeBFilterA", with(march, func(f *reports.Filter) { f.PartnerID = pa }), pb, map[string]float64{}},
			{"MarchCommune", with(march, func(f *reports.Filter) { f.Commune = "tourcoing" }), 0,
				map[string]float64{"EECO04": 1, "EECO10": 1, "EECO11": 1}},
			{"MarchNotQPV", with(march, func(f *reports.Filter) { f.QPV = &no }), 0,
				map[string]float64{"EECO04": 1, "EECO10": 1, "EECO11": 1}},
			{"MarchQPV", with(march, func(f *reports.Filter) { f.QPV = &yes }), 0,
				map[string]float64{"EECO01": 1, "EECO02": 1, "EECO03": 2, "EECO05": 1, "EECO06": 2, "EECO08": 2, "EECO09": 1, "EECO11": 4}},
			{"April", reports.Filter{From: "2026-04-01", To: "2026-04-30"}, 0,
				map[string]float64{"EECO01": 1, "EECO07": 1, "EECO09": 1, "EECO11": 1}},
			{"May", reports.Filter{From: "2026-05-01", To: "2026-05-31"}, 0, map[string]float64{}},
			{"FirstOfMarchOnly", reports.Filter{From: "2026-03-01", To: "2026-03-01"}, 0,
				map[string]float64{"EECO03": 1, "EECO05": 1, "EECO08": 1, "EECO11": 1}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				tab, err := reports.FSEIndicators(ctx, db, tc.f, tc.scope)
				if err != nil {
					t.Fatal(err)
				}
				if tab.Key != reports.TableFSE || tab.Section != "fse" || len(tab.Columns) != 1 || tab.Columns[0].Measure != reports.People {
					t.Fatalf("table shape: %+v", tab)
				}
				if len(tab.Rows) != len(reports.FSECodes()) {
					t.Fatalf("%d rows, want %d", len(tab.Rows), len(reports.FSECodes()))
				}
				for _, code := range reports.FSECodes() {
					c, ok := tab.Cell(code, "participants")
					if !ok {
						t.Fatalf("no row %s", code)
					}
					if c.Value != tc.want[code] {
						t.Errorf("%s = %v, want %v", code, c.Value, tc.want[code])
					}
				}
			})
		}
	})
}
