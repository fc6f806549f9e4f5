package reports

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/settings"
)

// programme is the seed of TestSummarySeeded: March 2026, with rows just
// before and after it (and on either side of Paris midnight) that must not
// count, or must count in March although their UTC date is February.
type programme struct {
	partnerA, partnerB int64
	course             int64
	unit               int64 // a unit handed over, for families added by tests
}

var (
	staff  = ordi.Actor{Name: "Équipe", Role: ordi.RoleStaff}
	admin  = ordi.Actor{Name: "Admin", Role: ordi.RoleAdmin}
	march  = Filter{From: "2026-03-01", To: "2026-03-31"}
	juneAt = at("2026-06-15 10:00")
)

func kg(x float64) *float64 { return &x }

func seedProgramme(s *seeder) programme {
	var p programme
	p.partnerA, p.partnerB = s.partner("CCAS Nord"), s.partner("Centre social Sud")
	d1, d2, d3 := s.donor("company"), s.donor("company"), s.donor("individual")
	n1, n2, n3 := s.donation(d1, "2026-03-02"), s.donation(d1, "2026-03-20"), s.donation(d3, "2026-03-31")
	n4, n5 := s.donation(d2, "2026-02-28"), s.donation(d2, "2026-04-01")
	u1 := s.unit(n1, "laptop", kg(2), "2026-03-02 09:00", "diagnosed@2026-03-03 09:00", "wiped@2026-03-04 09:00", "refurbished@2026-03-04 10:00",
		"ready@2026-03-05 09:00", "reserved@2026-03-06 09:00", "handed_over@2026-03-10 09:00")
	u2 := s.unit(n1, "laptop", kg(2.5), "2026-03-02 09:00", "recycled@2026-03-15 10:00")
	u3 := s.unit(n1, "desktop", kg(8), "2026-03-02 09:00", "ready@2026-03-04 09:00")
	u4 := s.unit(n2, "desktop", kg(7.5), "2026-03-20 09:00", "dismantled@2026-03-31 22:30") // 1 April in Paris
	s.unit(n2, "screen", nil, "2026-03-20 09:00")
	s.unit(n3, "tablet", kg(0.5), "2026-03-31 09:00")
	// Received in February; ready at 00:30 on 1 March in Paris.
	u7 := s.unit(n4, "laptop", kg(2), "2026-02-28 10:00", "ready@2026-02-28 23:30", "reserved@2026-03-01 09:00", "handed_over@2026-03-20 09:00")
	s.unit(n5, "laptop", kg(1), "2026-04-01 09:00")
	p.unit = u1
	s.erasure(u1, "purge", "passed", "2026-03-03 10:00")
	s.erasure(u2, "clear", "failed", "2026-03-04 10:00")
	s.erasure(u2, "destroy", "passed", "2026-03-05 10:00")
	s.erasure(u3, "purge", "passed", "2026-02-28 23:30") // 1 March in Paris
	s.erasure(u4, "clear", "passed", "2026-03-31 22:30") // 1 April in Paris

	p.course = s.course([3]string{"2026-03-06", "14:00", "16:00"}, [3]string{"2026-03-13", "", ""}, [3]string{"2026-04-03", "", ""})
	s.course([3]string{"2026-02-20", "", ""}) // held in February: its session counts in the year's hours only
	var aFamilies []int64
	for i := range 6 {
		f := family{partner: p.partnerA, commune: "Roubaix", qpv: true, adults: 2, children: 2, school: 1,
			nominated: "2026-03-03 10:00", decided: "2026-03-04 10:00", decision: "eligible"}
		switch {
		case i < 5:
			f.trained, f.equipped, f.unit = "2026-03-12 10:00", "2026-03-20 10:00", u1
		default:
			f.withdrawn = "2026-03-25 10:00"
		}
		aFamilies = append(aFamilies, s.family(f))
	}
	s.family(family{partner: p.partnerA, commune: "Tourcoing", adults: 1, nominated: "2026-02-10 10:00",
		decided: "2026-03-04 10:00", decision: "ineligible", reason: "Revenus au-dessus du plafond"})
	b1 := s.family(family{partner: p.partnerB, commune: "Lille", adults: 1, children: 3, school: 3, nominated: "2026-03-05 10:00",
		decided: "2026-03-05 11:00", decision: "eligible", trained: "2026-03-12 10:00", equipped: "2026-03-20 11:00", unit: u7})
	s.family(family{partner: p.partnerB, commune: "Lille", adults: 1, nominated: "2026-03-05 10:00",
		decided: "2026-03-05 11:00", decision: "ineligible", reason: "Déjà équipée", erased: true})
	for _, h := range append(aFamilies, b1) {
		s.enroll(p.course, h, "2026-03-06 09:00")
	}
	for i, h := range aFamilies {
		s.attend(p.course, h, 1, true)
		s.attend(p.course, h, 2, i < 5)
	}
	s.attend(p.course, b1, 1, false)
	s.attend(p.course, b1, 2, true)
	return p
}

// expect checks one row of a table: "S" for a suppressed cell, "—" for an
// empty one, otherwise the value.
func expect(t *testing.T, sum Summary, table, row string, want ...string) {
	t.Helper()
	tb, ok := sum.Table(table)
	if !ok {
		t.Errorf("no table %s", table)
		return
	}
	for _, r := range tb.Rows {
		if r.Key != row {
			continue
		}
		var got []string
		for _, c := range r.Cells {
			got = append(got, cellText(c))
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s, row %s: %v, want %v", table, row, got, want)
		}
		return
	}
	t.Errorf("%s: no row %s", table, row)
}

func cellText(c Cell) string {
	switch {
	case c.Suppressed:
		return "S"
	case c.Empty:
		return "—"
	}
	return fmt.Sprint(c.Value)
}

func rowKeys(sum Summary, table string) string {
	tb, _ := sum.Table(table)
	var keys []string
	for _, r := range tb.Rows {
		keys = append(keys, r.Key+"="+r.Label)
	}
	return strings.Join(keys, ",")
}

// TestSummarySeeded checks every table of March 2026 against figures worked
// out by hand from the seed above, on both databases.
func TestSummarySeeded(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s := &seeder{tb: t, db: db}
		p := seedProgramme(s)
		svc := NewService(db, func() time.Time { return juneAt })
		sum, err := svc.Summary(ctx, staff, march)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Threshold != 5 || sum.Scope != "" {
			t.Errorf("threshold %d, scope %q", sum.Threshold, sum.Scope)
		}
		var keys []string
		for _, tb := range sum.Tables {
			keys = append(keys, tb.Key)
			if tb.Method == "" || tb.Title == "" {
				t.Errorf("%s has no method note or title", tb.Key)
			}
		}
		want := []string{TableDonorsByKind, TableUnitsByKind, TableStatus, TableErasures, TableOutcomes, TableLeadTimes, TableMonthly,
			TableFunnel, TableIneligibleReasons, TableByCommune, TableByQPV, TableByPartner, TablePeople, TableTraining}
		if !reflect.DeepEqual(keys, want) {
			t.Errorf("tables %v, want %v", keys, want)
		}
		// Collection: donations n1, n2 (company d1) and n3 (individual d3).
		expect(t, sum, TableDonorsByKind, "company", "1", "2")
		expect(t, sum, TableDonorsByKind, "individual", "1", "1")
		expect(t, sum, TableDonorsByKind, "association", "0", "0")
		expect(t, sum, TableDonorsByKind, TotalKey, "2", "3")
		expect(t, sum, TableUnitsByKind, "laptop", "2", "4.5")
		expect(t, sum, TableUnitsByKind, "desktop", "2", "15.5")
		expect(t, sum, TableUnitsByKind, "screen", "1", "0")
		expect(t, sum, TableUnitsByKind, "tablet", "1", "0.5")
		expect(t, sum, TableUnitsByKind, TotalKey, "6", "20.5")
		// Workshop.
		expect(t, sum, TableStatus, "handed_over", "1")
		expect(t, sum, TableStatus, "recycled", "1")
		expect(t, sum, TableStatus, "ready", "1")
		expect(t, sum, TableStatus, "dismantled", "1")
		expect(t, sum, TableStatus, "received", "2")
		expect(t, sum, TableStatus, TotalKey, "6")
		expect(t, sum, TableErasures, "clear", "0", "1")
		expect(t, sum, TableErasures, "purge", "2", "0")
		expect(t, sum, TableErasures, "destroy", "1", "0")
		expect(t, sum, TableOutcomes, "reused", "2", "4")
		expect(t, sum, TableOutcomes, "recycled", "1", "2.5")
		expect(t, sum, TableOutcomes, "dismantled", "0", "0")
		expect(t, sum, TableOutcomes, TotalKey, "3", "6.5")
		// Ready: u7 after 0.5625 d, u3 after 2, u1 after 3. Handed over:
		// u1 5 d after ready, u7 19.40 d (28 Feb 23:30 → 20 Mar 09:00).
		expect(t, sum, TableLeadTimes, "received_ready", "2", "3", "3")
		expect(t, sum, TableLeadTimes, "ready_handed_over", "12.2", "19.4", "2")
		if got := rowKeys(sum, TableMonthly); got != "2026-03=mars 2026" {
			t.Errorf("months: %s", got)
		}
		expect(t, sum, TableMonthly, "2026-03", "6", "2", "1")
		// Families: A1–A6 and B1, B2 nominated in March (A7 in February).
		expect(t, sum, TableFunnel, "nominated", "8")
		expect(t, sum, TableFunnel, "eligible", "7")
		expect(t, sum, TableFunnel, "ineligible", "S") // A7, B2
		expect(t, sum, TableFunnel, "enrolled", "7")
		expect(t, sum, TableFunnel, "trained", "6")
		expect(t, sum, TableFunnel, "equipped", "6")
		expect(t, sum, TableFunnel, "withdrawn", "S") // A6
		if got := rowKeys(sum, TableIneligibleReasons); got != "reason_1=Motif non conservé,reason_2=Revenus au-dessus du plafond,total=Total" {
			t.Errorf("reasons: %s", got)
		}
		expect(t, sum, TableIneligibleReasons, TotalKey, "S")
		// Lille 2/1 is hidden, then Roubaix 6/5 with it (the totals would
		// give Lille back).
		if got := rowKeys(sum, TableByCommune); got != "Lille=Lille,Roubaix=Roubaix,total=Total" {
			t.Errorf("communes: %s", got)
		}
		expect(t, sum, TableByCommune, "Lille", "S", "S")
		expect(t, sum, TableByCommune, "Roubaix", "S", "S")
		expect(t, sum, TableByCommune, TotalKey, "8", "6")
		expect(t, sum, TableByQPV, "qpv", "S", "S")
		expect(t, sum, TableByQPV, "not_qpv", "S", "S")
		expect(t, sum, TableByQPV, TotalKey, "8", "6")
		if got := rowKeys(sum, TableByPartner); got != "partner_1=CCAS Nord,partner_2=Centre social Sud,total=Total" {
			t.Errorf("partners: %s", got)
		}
		expect(t, sum, TableByPartner, TotalKey, "8", "6")
		// Equipped: A1–A5 (2 adults, 2 children, 1 at school) and B1 (1, 3, 3).
		expect(t, sum, TablePeople, "adults", "11")
		expect(t, sum, TablePeople, "children", "13")
		expect(t, sum, TablePeople, "school_children", "8")
		expect(t, sum, TablePeople, TotalKey, "24")
		// One course, two sessions in March (2 h, and 2 h estimated);
		// attendance 12 present of 14 marked.
		expect(t, sum, TableTraining, "period", "1", "2", "7", "4", "85.7")
		tr, _ := sum.Table(TableTraining)
		if !tr.Rows[0].Cells[3].Estimate {
			t.Error("hours resting on a session without times are not an estimate")
		}
		if len(sum.Targets) != 0 {
			t.Errorf("targets without any set: %+v", sum.Targets)
		}
		// The FSE+ indicators come with the FSE+ questions: the contact
		// persons of the 7 families first enrolled in March, none of whom
		// answered (EECO11 counts them all).
		rules := allocation.DefaultRules()
		rules.FSEQuestions = true
		if err := settings.Save(ctx, db, juneAt, admin, allocation.ProgrammeRulesKey, rules); err != nil {
			t.Fatal(err)
		}
		withFSE, err := svc.Summary(ctx, staff, march)
		if err != nil {
			t.Fatal(err)
		}
		expect(t, withFSE, TableFSE, "EECO11", "7")
		expect(t, withFSE, TableFSE, "EECO01", "0")
		if len(withFSE.Tables) != len(sum.Tables)+1 {
			t.Errorf("%d tables with the FSE+ questions, %d without", len(withFSE.Tables), len(sum.Tables))
		}

		// Filters: commune (any case), QPV, partner.
		f := march
		f.Commune = "roubaix"
		sum, err = svc.Summary(ctx, staff, f)
		if err != nil {
			t.Fatal(err)
		}
		expect(t, sum, TableFunnel, "nominated", "6")
		expect(t, sum, TableFunnel, "equipped", "5")
		expect(t, sum, TableUnitsByKind, TotalKey, "6", "20.5") // units are not families
		f = march
		f.QPV = ptr(false)
		f.PartnerID = p.partnerB
		sum, err = svc.Summary(ctx, staff, f)
		if err != nil {
			t.Fatal(err)
		}
		expect(t, sum, TableFunnel, "nominated", "S")
		expect(t, sum, TablePeople, TotalKey, "S")
		if sum.Scope != "" {
			t.Errorf("staff filtering on a partner got scope %q", sum.Scope)
		}

		// Targets: 2026 over the whole year.
		if err := svc.SetTargets(ctx, admin, Targets{Year: 2026, FamiliesEquipped: 20, QPVShare: 50, UnitsReused: 10, KgDiverted: 100, TrainingHours: 40}); err != nil {
			t.Fatal(err)
		}
		sum, err = svc.Summary(ctx, staff, march)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tg := range sum.Targets {
			got = append(got, fmt.Sprintf("%s %v/%s", tg.Key, tg.Goal, cellText(tg.Done)))
		}
		// 6 equipped, of whom 1 outside QPV: the share would show it.
		// kg: u1 2, u7 2, u2 2.5, u4 7.5 (dismantled on 1 April).
		// Hours: four sessions held by 15 June, one with times.
		wantT := []string{"families_equipped 20/6", "qpv_share 50/S", "units_reused 10/2", "kg_diverted 100/14", "training_hours 40/8"}
		if !reflect.DeepEqual(got, wantT) {
			t.Errorf("targets %v, want %v", got, wantT)
		}
		prog, err := svc.Progress(ctx, admin)
		if err != nil || len(prog) != 5 || prog[0].Percent() != 30 {
			t.Errorf("progress %+v, %v", prog, err)
		}
	})
}

// TestSummarySocialWorker checks a social worker's view: their partner's
// families only, under their partner's name, suppressed the same way, no
// targets; a family of another partner changes no number in it.
func TestSummarySocialWorker(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s := &seeder{tb: t, db: db, id: 0}
		p := seedProgramme(s)
		svc := NewService(db, func() time.Time { return juneAt })
		if err := svc.SetTargets(ctx, admin, Targets{Year: 2026, FamiliesEquipped: 20}); err != nil {
			t.Fatal(err)
		}
		worker := ordi.Actor{UserID: 9, Name: "TS", Role: ordi.RoleSocialWorker, PartnerID: p.partnerA}
		f := march
		f.PartnerID = p.partnerB // ignored: a social worker sees their own partner's
		before, err := svc.Summary(ctx, worker, f)
		if err != nil {
			t.Fatal(err)
		}
		if before.Scope != "CCAS Nord" || len(before.Targets) != 0 {
			t.Errorf("scope %q, targets %v", before.Scope, before.Targets)
		}
		expect(t, before, TableFunnel, "nominated", "6")
		expect(t, before, TableFunnel, "eligible", "6")
		expect(t, before, TableFunnel, "ineligible", "S")
		expect(t, before, TableFunnel, "equipped", "5")
		expect(t, before, TableFunnel, "withdrawn", "S")
		expect(t, before, TablePeople, TotalKey, "20")
		expect(t, before, TableTraining, "period", "1", "2", "6", "4", "91.7")
		expect(t, before, TableByPartner, TotalKey, "6", "5")

		// A family of partner B, nominated, decided, trained and equipped
		// in March, with attendance.
		b := s.family(family{partner: p.partnerB, commune: "Roubaix", qpv: true, adults: 2, children: 1, nominated: "2026-03-07 10:00",
			decided: "2026-03-08 10:00", decision: "eligible", trained: "2026-03-12 10:00", equipped: "2026-03-21 10:00", unit: p.unit})
		s.enroll(p.course, b, "2026-03-08 10:00")
		s.attend(p.course, b, 1, true)
		after, err := svc.Summary(ctx, worker, f)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(before, after) {
			t.Errorf("a family of partner B changed partner A's view:\nbefore %+v\nafter  %+v", before, after)
		}
		whole, err := svc.Summary(ctx, staff, march)
		if err != nil {
			t.Fatal(err)
		}
		expect(t, whole, TableFunnel, "nominated", "9")
	})
}

// TestSummaryRefused checks bad filters (422 on the field, in French) and
// the roles that may not read the Bilan.
func TestSummaryRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		svc := NewService(db, func() time.Time { return juneAt })
		for _, c := range []struct {
			name  string
			f     Filter
			field string
		}{
			{"ErrToBeforeFrom", Filter{From: "2026-03-10", To: "2026-03-09"}, "to"},
			{"ErrOverTenYears", Filter{From: "2016-01-01", To: "2026-01-01"}, "to"},
			{"ErrBadFrom", Filter{From: "2026-02-30", To: "2026-03-09"}, "from"},
			{"ErrBadTo", Filter{From: "2026-03-01", To: "31/03/2026"}, "to"},
			{"ErrUnknownPartner", Filter{From: "2026-03-01", To: "2026-03-31", PartnerID: 999}, "partner_id"},
			{"ErrLongCommune", Filter{From: "2026-03-01", To: "2026-03-31", Commune: strings.Repeat("é", 101)}, "commune"},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := svc.Summary(ctx, staff, c.f)
				var e *ordi.Error
				if ordi.KindOf(err) != ordi.Invalid || !asError(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != c.field {
					t.Fatalf("got %v, want Invalid on %s", err, c.field)
				}
			})
		}
		t.Run("OKTenYearsLessADay", func(t *testing.T) {
			if _, err := svc.Summary(ctx, staff, Filter{From: "2016-01-02", To: "2026-01-01"}); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("OKDefaultPeriod", func(t *testing.T) {
			sum, err := svc.Summary(ctx, admin, Filter{})
			if err != nil || sum.Filter.From != "2026-01-01" || sum.Filter.To != "2026-06-15" {
				t.Fatalf("%+v, %v", sum.Filter, err)
			}
		})
		t.Run("ErrSocialWorkerWithoutPartner", func(t *testing.T) {
			if _, err := svc.Summary(ctx, ordi.Actor{Role: ordi.RoleSocialWorker}, march); ordi.KindOf(err) != ordi.Forbidden {
				t.Fatalf("%v, want Forbidden", err)
			}
		})
		for _, r := range []ordi.Role{ordi.RoleVolunteer, ordi.RoleTrainer} {
			t.Run("ErrForbidden"+string(r), func(t *testing.T) {
				if _, err := svc.Summary(ctx, ordi.Actor{UserID: 3, Role: r}, march); ordi.KindOf(err) != ordi.Forbidden {
					t.Fatalf("%s: %v, want Forbidden", r, err)
				}
			})
		}
		t.Run("ErrTargets", func(t *testing.T) {
			if err := svc.SetTargets(ctx, staff, Targets{Year: 2026}); ordi.KindOf(err) != ordi.Forbidden {
				t.Errorf("staff sets targets: %v", err)
			}
			err := svc.SetTargets(ctx, admin, Targets{Year: 1999, QPVShare: 120, FamiliesEquipped: 2.5})
			var e *ordi.Error
			if !asError(err, &e) || len(e.Fields) != 3 {
				t.Errorf("bad targets: %v", err)
			}
			if err := svc.SetThreshold(ctx, admin, 2); ordi.KindOf(err) != ordi.Invalid {
				t.Errorf("threshold 2: %v", err)
			}
			if err := svc.SetThreshold(ctx, admin, 7); err != nil {
				t.Fatal(err)
			}
			if th, _ := svc.Threshold(ctx); th != 7 {
				t.Errorf("threshold %d, want 7", th)
			}
		})
	})
}

func asError(err error, e **ordi.Error) bool { return errors.As(err, e) }
