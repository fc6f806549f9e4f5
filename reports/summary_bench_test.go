package reports

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi/database/dbtest"
)

// bulk writes rows with multi-row INSERTs of literal values (the benchmark's
// own numbers and dates, nothing read from outside), so that seeding
// 100,000 units takes seconds.
type bulk struct {
	tb testing.TB
	db *gorm.DB
	pg bool
}

func (b bulk) ts(t time.Time) string {
	if b.pg {
		return "'" + t.UTC().Format("2006-01-02 15:04:05.000") + "+00'"
	}
	return "'" + t.UTC().Format("2006-01-02 15:04:05.000") + "'"
}

func (b bulk) date(t time.Time) string {
	if b.pg {
		return "'" + t.Format("2006-01-02") + "'"
	}
	return "'" + t.Format("2006-01-02") + " 00:00:00.000'"
}

func (b bulk) bool(v bool) string {
	switch {
	case b.pg && v:
		return "true"
	case b.pg:
		return "false"
	case v:
		return "1"
	}
	return "0"
}

// insert writes rows (each "(…)") into table in batches.
func (b bulk) insert(table, columns string, rows []string) {
	b.tb.Helper()
	for len(rows) > 0 {
		n := min(len(rows), 2000)
		if err := b.db.Exec("INSERT INTO " + table + " (" + columns + ") VALUES " + strings.Join(rows[:n], ",")).Error; err != nil {
			b.tb.Fatalf("bulk %s: %v", table, err)
		}
		rows = rows[n:]
	}
}

// seedLarge writes three years (2024–2026) of a large programme: 100,000
// units in 10,000 donations, their events and erasures, 20,000 families
// with their decisions, enrolments, attendance and handovers, 300 courses.
func seedLarge(tb testing.TB, db *gorm.DB) {
	b := bulk{tb: tb, db: db, pg: db.Dialector.Name() == "postgres"}
	start := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
	const days = 3 * 365
	var rows []string
	for i := 1; i <= 20; i++ {
		rows = append(rows, fmt.Sprintf("(%d, 'Partenaire %d', 'ccas', %s)", i, i, b.ts(start)))
	}
	b.insert("partners", "id, name, kind, created_at", rows)
	kinds := []string{"company", "public_body", "association", "individual"}
	rows = nil
	for i := 1; i <= 2000; i++ {
		rows = append(rows, fmt.Sprintf("(%d, 'Donateur %d', '%s', %s, %s)", i, i, kinds[i%4], b.ts(start), b.ts(start)))
	}
	b.insert("donors", "id, name, kind, created_at, updated_at", rows)
	rows = nil
	for i := 1; i <= 10000; i++ {
		rows = append(rows, fmt.Sprintf("(%d, %d, %s, %s, %s)", i, 1+i%2000, b.date(start.AddDate(0, 0, i*days/10000)), b.ts(start), b.ts(start)))
	}
	b.insert("donations", "id, donor_id, received_on, created_at, updated_at", rows)
	unitKinds := []string{"laptop", "desktop", "all_in_one", "tablet", "screen", "other"}
	var units, events, erasures []string
	for i := 1; i <= 100000; i++ {
		donation := 1 + (i-1)/10
		created := start.AddDate(0, 0, (donation-1)*days/10000).Add(time.Duration(i%8) * time.Hour)
		status := "received"
		ev := func(from, to string, at time.Time) {
			events = append(events, fmt.Sprintf("(%d, %s, 'bench', 'moved', '%s', '%s')", i, b.ts(at), from, to))
		}
		ev("", "received", created)
		if i%10 != 0 {
			ready := created.AddDate(0, 0, 3+i%20)
			ev("received", "ready", ready)
			status = "ready"
			switch {
			case i%10 < 6:
				ev("ready", "reserved", ready.AddDate(0, 0, 2))
				ev("reserved", "handed_over", ready.AddDate(0, 0, 5+i%30))
				status = "handed_over"
			case i%10 < 9:
				ev("ready", "recycled", ready.AddDate(0, 0, 10))
				status = "recycled"
			}
		}
		units = append(units, fmt.Sprintf("(%d, 'B%06d', %d, '%s', %v, '%s', %s, %s)", i, i, donation, unitKinds[i%6], 1+i%9, status, b.ts(created), b.ts(created)))
		erasures = append(erasures, fmt.Sprintf("(%d, '%s', 'bench', '%s', 'bench', %s)", i, []string{"clear", "purge", "destroy"}[i%3],
			map[bool]string{true: "failed", false: "passed"}[i%50 == 0], b.ts(created.AddDate(0, 0, 1))))
	}
	b.insert("units", "id, code, donation_id, kind, weight_kg, status, created_at, updated_at", units)
	b.insert("unit_events", "unit_id, at, actor_name, action, from_status, to_status", events)
	b.insert("erasures", "unit_id, category, technique, result, operator_name, created_at", erasures)

	var courses, sessions []string
	for c := 1; c <= 300; c++ {
		courses = append(courses, fmt.Sprintf("(%d, 'Formation %d', 3, %s, %s)", c, c, b.ts(start), b.ts(start)))
		for n := 1; n <= 5; n++ {
			d := start.AddDate(0, 0, (c-1)*days/300+7*n)
			times := "NULL, NULL"
			if n%2 == 0 {
				times = "'14:00', '16:30'"
			}
			sessions = append(sessions, fmt.Sprintf("(%d, %d, %s, %s)", c, n, b.date(d), times))
		}
	}
	b.insert("courses", "id, title, required_sessions, created_at, updated_at", courses)
	b.insert("course_sessions", "course_id, number, date, start_time, end_time", sessions)
	communes := []string{"Roubaix", "Tourcoing", "Lille", "Wattrelos", "Croix", "Hem"}
	var households, audits, enrollments, attendance, reservations []string
	for h := 1; h <= 20000; h++ {
		nominated := start.AddDate(0, 0, (h-1)*days/20000).Add(2 * time.Hour)
		decided := nominated.AddDate(0, 0, 3)
		status, decision, reason := "ineligible", "ineligible", "'Revenus au-dessus du plafond'"
		trained, equipped := "NULL", time.Time{}
		course := 1 + (h-1)*300/20000
		if h%8 != 0 {
			status, decision, reason = "enrolled", "eligible", "''"
			enrollments = append(enrollments, fmt.Sprintf("(%d, %d, %s)", course, h, b.ts(decided.AddDate(0, 0, 1))))
			for n := 1; n <= 5; n++ {
				attendance = append(attendance, fmt.Sprintf("(%d, %d, %d, %s, %s)", course, h, n, b.bool((h+n)%4 != 0), b.ts(decided)))
			}
			if h%8 < 6 {
				status, trained = "equipped", b.ts(decided.AddDate(0, 0, 30))
				equipped = decided.AddDate(0, 0, 45)
				reservations = append(reservations, fmt.Sprintf("(%d, %d, 'handed_over', %s, %s)", h, 1+h*4%100000, b.ts(equipped), b.ts(equipped)))
			}
		}
		households = append(households, fmt.Sprintf("(%d, 'F-B-%06d', 'Famille', '%s', %s, %d, %d, %d, %s, 'any', %s, 'bench', %d, '%s', %s, %s, %s, %s, %s)",
			h, h, communes[h%6], b.bool(h%3 != 0), 1+h%2, h%4, h%3%(1+h%4), b.bool(false), b.ts(nominated), 1+h%20, status, reason,
			b.ts(decided), trained, b.ts(nominated), b.ts(nominated)))
		audits = append(audits, fmt.Sprintf("(%s, 'bench', 'household.decide', 'household', '%d', '%s')", b.ts(decided), h, decision))
	}
	b.insert("households", `id, reference, contact_name, commune, qpv, adults, children, school_children, has_computer, need,
		consent_at, consent_by_name, partner_id, status, status_reason, decided_at, trained_at, created_at, updated_at`, households)
	b.insert("audit_events", "at, actor_name, action, object_type, object_id, detail", audits)
	b.insert("enrollments", "course_id, household_id, enrolled_at", enrollments)
	b.insert("attendance", "course_id, household_id, session, present, recorded_at", attendance)
	b.insert("reservations", "household_id, unit_id, status, created_at, closed_at", reservations)
	// Statistics, as a database in service has them; on PostgreSQL the
	// visibility map too (autovacuum's work on a table that lived a while),
	// without which no index-only scan is possible.
	stats := "ANALYZE"
	if b.pg {
		stats = "VACUUM ANALYZE"
	}
	if err := db.Exec(stats).Error; err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkSummary3Years is the Bilan of three years of a large programme,
// its target ≤ 300 ms per summary on each database ("summary"), then the
// cost of each table's queries alone.
func BenchmarkSummary3Years(b *testing.B) {
	for _, d := range dbtest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			db := dbtest.Open(b, d)
			seedLarge(b, db)
			svc := NewService(db, func() time.Time { return time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC) })
			ctx := context.Background()
			f := Filter{From: "2024-01-01", To: "2026-12-31"}
			sum, err := svc.Summary(ctx, staff, f)
			if err != nil {
				b.Fatal(err)
			}
			if c, _ := sum.Table(TableUnitsByKind); c.Rows[len(c.Rows)-1].Cells[0].Value != 100000 {
				b.Fatalf("units received: %+v", c.Rows[len(c.Rows)-1])
			}
			if c, _ := sum.Table(TableFunnel); c.Rows[0].Cells[0].Value != 20000 {
				b.Fatalf("families nominated: %+v", c.Rows[0])
			}
			b.Run("summary", func(b *testing.B) {
				cpu := cpuTime()
				for b.Loop() {
					if _, err := svc.Summary(ctx, staff, f); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(cpuTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
			})
			// Each table alone, one after the other (the summary runs them
			// side by side): what each query costs. The rows several tables
			// share are read by "units", "moves" and "families", and given
			// ready-made to the tables that add them up.
			fresh := func(shared bool) *query {
				q := &query{db: db.WithContext(ctx), p: newPeriod(day(f.From), day(f.To)), now: svc.now()}
				if shared {
					q.units, _ = (&query{db: q.db, p: q.p}).unitGroups()
					q.moves, _ = (&query{db: q.db, p: q.p}).moveGroups()
					q.families, _ = (&query{db: q.db, p: q.p}).familyGroups()
				}
				return q
			}
			shared := fresh(true)
			for _, t := range []struct {
				name string
				run  func(q *query) error
			}{
				{"units", func(q *query) error { _, err := q.unitGroups(); return err }},
				{"moves", func(q *query) error { _, err := q.moveGroups(); return err }},
				{"families", func(q *query) error { _, err := q.familyGroups(); return err }},
				{"donors", func(q *query) error { _, err := q.donorsByKind(); return err }},
				{"erasures", func(q *query) error { _, err := q.erasures(); return err }},
				{"lead_times", func(q *query) error { _, err := q.leadTimes(); return err }},
				{"monthly", func(q *query) error { _, err := q.monthly(); return err }},
				{"funnel", func(q *query) error { _, err := q.funnel(); return err }},
				{"ineligible", func(q *query) error { _, err := q.ineligibleReasons(); return err }},
				{"people", func(q *query) error { _, err := q.people(); return err }},
				{"training", func(q *query) error { _, err := q.training(); return err }},
			} {
				b.Run(t.name, func(b *testing.B) {
					cpu := cpuTime()
					defer func() { b.ReportMetric(float64(cpuTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op") }()
					for b.Loop() {
						q := fresh(false)
						if t.name != "units" && t.name != "moves" && t.name != "families" {
							q = &query{db: shared.db, p: shared.p, now: shared.now, units: shared.units, moves: shared.moves, families: shared.families}
						}
						if err := t.run(q); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
