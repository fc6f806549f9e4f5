package reports

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

// fromHistory computes the tables that report_moves feeds (outcomes, the
// months' moves, lead times) from unit_events and units alone, the way the
// Bilan computed them before the moves were kept: the oracle of the kept
// table. The months' units received do not come from report_moves and are
// left out.
func fromHistory(t *testing.T, db *gorm.DB, f Filter) map[string][]Row {
	t.Helper()
	from, to := day(f.From), day(f.To)
	q := &query{db: db, p: newPeriod(from, to)}
	var moves []struct {
		At time.Time
		K  string
		Kg *float64
	}
	if err := q.scan(&moves, `SELECT e.at AS at, e.to_status AS k, u.weight_kg AS kg FROM unit_events e JOIN units u ON u.id = e.unit_id
		WHERE e.to_status IN ('handed_over', 'recycled', 'dismantled') AND e.at >= ? AND e.at < ? AND e.from_status <> e.to_status`,
		q.p.fromT, q.p.untilT); err != nil {
		t.Fatal(err)
	}
	type nkg struct{ n, kg float64 }
	byStatus, byMonth := map[string]nkg{}, map[string]nkg{}
	for _, m := range moves {
		w := 0.0
		if m.Kg != nil {
			w = *m.Kg
		}
		s := byStatus[m.K]
		byStatus[m.K] = nkg{s.n + 1, s.kg + w}
		k := m.At.In(ordi.Paris).Format("2006-01") + "/" + m.K
		byMonth[k] = nkg{byMonth[k].n + 1, 0}
	}
	out := map[string][]Row{}
	var tot nkg
	for _, o := range outcomeRows {
		s := byStatus[o.status]
		out[TableOutcomes] = append(out[TableOutcomes], Row{Key: o.key, Label: o.label, Cells: []Cell{v(s.n), kgCell(s.kg)}})
		tot = nkg{tot.n + s.n, tot.kg + s.kg}
	}
	out[TableOutcomes] = append(out[TableOutcomes], Row{Key: TotalKey, Label: "Total", Cells: []Cell{v(tot.n), kgCell(tot.kg)}})
	for _, m := range q.months()[:len(q.months())-1] {
		k := m.Format("2006-01")
		out[TableMonthly] = append(out[TableMonthly], Row{Key: k, Cells: []Cell{v(byMonth[k+"/handed_over"].n), v(byMonth[k+"/recycled"].n)}})
	}
	ready, err := q.durations(`SELECT `+q.days("r.at", "u.created_at")+` AS d
		FROM unit_events r JOIN units u ON u.id = r.unit_id
		WHERE r.to_status = 'ready' AND r.from_status <> 'ready' AND r.at >= ? AND r.at < ?
		AND NOT EXISTS (SELECT 1 FROM unit_events e WHERE e.unit_id = r.unit_id AND e.to_status = 'ready' AND e.from_status <> 'ready' AND e.at < r.at)`,
		q.p.fromT, q.p.untilT)
	if err != nil {
		t.Fatal(err)
	}
	handed, err := q.durations(`SELECT `+q.days("MIN(h.at)", "MAX(r.at)")+` AS d
		FROM unit_events h JOIN unit_events r ON r.unit_id = h.unit_id AND r.to_status = 'ready' AND r.from_status <> 'ready' AND r.at <= h.at
		WHERE h.to_status = 'handed_over' AND h.from_status <> 'handed_over' AND h.at >= ? AND h.at < ?
		GROUP BY h.id`, q.p.fromT, q.p.untilT)
	if err != nil {
		t.Fatal(err)
	}
	out[TableLeadTimes] = []Row{leadRow("received_ready", "Réception → prêt", ready), leadRow("ready_handed_over", "Prêt → remis", handed)}
	return out
}

// checkKept compares the Bilan's tables fed by report_moves with the
// history's, for each filter.
func checkKept(t *testing.T, db *gorm.DB, filters ...Filter) {
	t.Helper()
	svc := NewService(db, func() time.Time { return time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC) })
	for _, f := range filters {
		sum, err := svc.Summary(context.Background(), staff, f)
		if err != nil {
			t.Fatal(err)
		}
		want := fromHistory(t, db, f)
		for _, key := range []string{TableOutcomes, TableLeadTimes, TableMonthly} {
			tb, _ := sum.Table(key)
			got := tb.Rows
			if key == TableMonthly {
				got = nil
				for _, r := range tb.Rows {
					got = append(got, Row{Key: r.Key, Cells: r.Cells[1:]})
				}
			}
			if !reflect.DeepEqual(got, want[key]) {
				t.Errorf("%s to %s, %s:\n kept    %+v\n history %+v", f.From, f.To, key, got, want[key])
			}
		}
	}
}

// randomHistory writes units that go through the whole lifecycle at random,
// as their events would be written: moves back to diagnosis, returns and
// second handovers, recycling and dismantling, moves around Paris midnight,
// units with and without a weight. Then some weights are corrected, as the
// unit page allows at any time.
func randomHistory(s *seeder, r *rand.Rand, units int) {
	next := map[string][]string{
		"received": {"diagnosed", "diagnosed", "diagnosed", "recycled", "dismantled"}, "diagnosed": {"wiped", "wiped", "ready", "recycled"}, "wiped": {"refurbished", "dismantled"},
		"refurbished": {"ready", "diagnosed"}, "ready": {"reserved", "diagnosed", "recycled"}, "reserved": {"ready", "handed_over", "handed_over"},
		"handed_over": {"returned"}, "returned": {"diagnosed", "recycled"}, "dismantled": {"recycled"},
	}
	donation := s.donation(s.donor("company"), "2025-01-01")
	var ids []int64
	for range units {
		created := at("2025-01-01 08:00").Add(time.Duration(r.IntN(24*400)) * time.Hour)
		var moves []string
		status, when := "received", created
		for len(moves) < 16 && next[status] != nil && r.IntN(20) > 0 {
			opts := next[status]
			status = opts[r.IntN(len(opts))]
			// Hours, so that moves fall on either side of Paris midnight.
			when = when.Add(time.Duration(1+r.IntN(24*20)) * time.Hour)
			moves = append(moves, status+"@"+when.Format("2006-01-02 15:04"))
		}
		var w *float64
		if r.IntN(5) > 0 {
			w = kg(float64(r.IntN(120)) / 10)
		}
		ids = append(ids, s.unit(donation, "laptop", w, created.Format("2006-01-02 15:04"), moves...))
	}
	for _, id := range ids[:units/4] {
		s.exec("UPDATE units SET weight_kg = ? WHERE id = ?", float64(r.IntN(90))/10, id)
	}
	s.exec("UPDATE units SET weight_kg = NULL WHERE id = ?", ids[units/4])
}

// TestKeptMovesMatchHistory checks that the moves kept as they happen
// (report_moves, migration 00230) give the figures the history gives, over
// random histories and periods, on both databases.
func TestKeptMovesMatchHistory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		r := rand.New(rand.NewPCG(15, 300))
		randomHistory(&seeder{tb: t, db: db}, r, 300)
		filters := []Filter{{From: "2025-01-01", To: "2026-12-31"}}
		for range 6 {
			from := at("2025-01-01 00:00").AddDate(0, 0, r.IntN(500))
			filters = append(filters, Filter{From: from.Format("2006-01-02"), To: from.AddDate(0, 0, r.IntN(120)).Format("2006-01-02")})
		}
		var n int64
		if err := db.Raw("SELECT COUNT(*) FROM report_moves WHERE to_status = 'handed_over' AND since IS NOT NULL").Scan(&n).Error; err != nil || n < 20 {
			t.Fatalf("only %d handovers with a lead time (%v): the test proves little", n, err)
		}
		checkKept(t, db, filters...)
	})
}

// TestKeptMovesAfterUndo moves units through the inventory service, with
// undos of a move to ready and of a move back from ready, a reservation, a
// handover, a return and a second handover, and a weight corrected after
// the handover: the kept figures stay the history's after each step.
func TestKeptMovesAfterUndo(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		clock := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		inv := inventory.NewService(db, func() time.Time { return clock })
		later := func(h int) { clock = clock.Add(time.Duration(h) * time.Hour) }
		donor, err := inv.CreateDonor(ctx, staff, inventory.NewDonor{Name: "Entreprise", Kind: inventory.DonorCompany})
		if err != nil {
			t.Fatal(err)
		}
		donation, err := inv.CreateDonation(ctx, staff, inventory.NewDonation{DonorID: donor.ID, ReceivedOn: "2026-03-02"})
		if err != nil {
			t.Fatal(err)
		}
		u, err := inv.CreateUnit(ctx, staff, inventory.NewUnit{DonationID: donation.ID, UnitSpec: inventory.UnitSpec{Kind: inventory.KindLaptop, WeightKG: kg(2.2)}})
		if err != nil {
			t.Fatal(err)
		}
		march := Filter{From: "2026-03-01", To: "2026-03-31"}
		check := func(step string) {
			t.Helper()
			t.Run(step, func(t *testing.T) { checkKept(t, db, march, Filter{From: "2026-03-01", To: "2026-03-05"}) })
		}
		move := func(to inventory.Status) {
			t.Helper()
			later(20)
			if _, err := inv.Transition(ctx, staff, string(u.Code), to, inventory.TransitionInput{}); err != nil {
				t.Fatalf("to %s: %v", to, err)
			}
		}
		undo := func() {
			t.Helper()
			later(1)
			if _, err := inv.UndoMove(ctx, staff, string(u.Code), 0); err != nil {
				t.Fatalf("undo: %v", err)
			}
		}
		allocate := func(op inventory.Allocation) {
			t.Helper()
			later(20)
			if _, err := inv.MoveForAllocation(ctx, staff, u.Code, op, ""); err != nil {
				t.Fatalf("%s: %v", op, err)
			}
		}
		for _, to := range []inventory.Status{inventory.StatusDiagnosed, inventory.StatusWiped, inventory.StatusRefurbished, inventory.StatusReady} {
			move(to)
		}
		check("ready")
		undo() // back to refurbished: the history keeps the move to ready
		check("ready undone")
		move(inventory.StatusReady)
		move(inventory.StatusDiagnosed)
		undo() // back to ready, by an undo event
		check("back to diagnosis undone")
		allocate(inventory.AllocationReserve)
		allocate(inventory.AllocationHandover)
		check("handed over")
		move(inventory.StatusReturned)
		move(inventory.StatusDiagnosed)
		move(inventory.StatusWiped)
		move(inventory.StatusRefurbished)
		move(inventory.StatusReady)
		allocate(inventory.AllocationReserve)
		allocate(inventory.AllocationHandover)
		check("handed over again")
		cur, err := inv.Unit(ctx, staff, string(u.Code))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := inv.UpdateUnit(ctx, staff, string(u.Code), inventory.UnitUpdate{Version: cur.Version, WeightKG: kg(3.4)}); err != nil {
			t.Fatal(err)
		}
		check("weight corrected")
		sum, err := NewService(db, func() time.Time { return clock }).Summary(ctx, staff, march)
		if err != nil {
			t.Fatal(err)
		}
		// Not only equal to the history: the figures themselves.
		expect(t, sum, TableOutcomes, "reused", "2", "6.8")
		var leads []string
		tb, _ := sum.Table(TableLeadTimes)
		for _, r := range tb.Rows {
			leads = append(leads, fmt.Sprint(r.Cells[2].Value))
		}
		sort.Strings(leads)
		if fmt.Sprint(leads) != "[1 2]" {
			t.Errorf("lead times count %v units, want one ready and two handovers", leads)
		}
	})
}
