package reports

import (
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
)

// seeder writes a programme's rows straight into the tables, as the
// inventory and allocation services leave them (a unit's events, the audit
// entries of decisions and withdrawals, handed-over reservations), so that
// the figures expected can be worked out by hand from the seed.
type seeder struct {
	tb testing.TB
	db *gorm.DB
	id int64
}

func (s *seeder) exec(sql string, args ...any) {
	s.tb.Helper()
	if err := s.db.Exec(sql, args...).Error; err != nil {
		s.tb.Fatalf("seed: %s: %v", sql, err)
	}
}

func (s *seeder) next() int64 { s.id++; return s.id }

func day(s string) ordi.Date {
	d, err := ordi.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// at reads "2006-01-02 15:04" as UTC.
func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

var epoch = at("2020-01-01 00:00")

func (s *seeder) partner(name string) int64 {
	id := s.next()
	s.exec("INSERT INTO partners (id, name, kind, created_at) VALUES (?, ?, 'ccas', ?)", id, name, epoch)
	return id
}

func (s *seeder) donor(kind string) int64 {
	id := s.next()
	s.exec("INSERT INTO donors (id, name, kind, created_at, updated_at) VALUES (?, ?, ?, ?, ?)", id, fmt.Sprint("Donateur ", id), kind, epoch, epoch)
	return id
}

func (s *seeder) donation(donor int64, received string) int64 {
	id := s.next()
	s.exec("INSERT INTO donations (id, donor_id, received_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?)", id, donor, day(received), epoch, epoch)
	return id
}

// unit registers a unit at created and moves it through statuses, one
// event per "status@time".
func (s *seeder) unit(donation int64, kind string, kg *float64, created string, moves ...string) int64 {
	id := s.next()
	status := "received"
	if len(moves) > 0 {
		last := moves[len(moves)-1]
		status = last[:len(last)-len("@2006-01-02 15:04")]
	}
	s.exec("INSERT INTO units (id, code, donation_id, kind, weight_kg, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		id, fmt.Sprintf("U%06d", id), donation, kind, kg, status, at(created), at(created))
	s.exec("INSERT INTO unit_events (unit_id, at, actor_name, action, from_status, to_status) VALUES (?, ?, 'test', 'created', '', 'received')", id, at(created))
	from := "received"
	for _, m := range moves {
		to, when := m[:len(m)-len("@2006-01-02 15:04")], m[len(m)-len("2006-01-02 15:04"):]
		s.exec("INSERT INTO unit_events (unit_id, at, actor_name, action, from_status, to_status) VALUES (?, ?, 'test', 'moved', ?, ?)", id, at(when), from, to)
		from = to
	}
	return id
}

func (s *seeder) erasure(unit int64, category, result, when string) {
	s.exec("INSERT INTO erasures (unit_id, category, technique, result, operator_name, created_at) VALUES (?, ?, 'test', ?, 'test', ?)", unit, category, result, at(when))
}

// family is a household as the seed needs it.
type family struct {
	partner                   int64
	commune                   string
	qpv                       bool
	adults, children, school  int
	nominated                 string
	decided, decision, reason string // decision "eligible" or "ineligible"
	trained, equipped         string
	withdrawn                 string
	unit                      int64 // the unit handed over, when equipped
	erased                    bool
}

func (s *seeder) family(f family) int64 {
	id := s.next()
	status := "nominated"
	var decided, trained, erased *time.Time
	if f.decided != "" {
		status, decided = f.decision, ptr(at(f.decided))
	}
	if f.trained != "" {
		status, trained = "trained", ptr(at(f.trained))
	}
	if f.equipped != "" {
		status = "equipped"
	}
	if f.withdrawn != "" {
		status = "withdrawn"
	}
	if f.erased {
		erased = ptr(at(f.nominated))
	}
	s.exec(`INSERT INTO households (id, reference, contact_name, commune, qpv, adults, children, school_children, has_computer, need,
		consent_at, consent_by_name, partner_id, status, status_reason, decided_at, trained_at, created_at, updated_at, erased_at)
		VALUES (?, ?, 'Famille', ?, ?, ?, ?, ?, ?, 'any', ?, 'test', ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, fmt.Sprintf("F-T-%06d", id), f.commune, f.qpv, f.adults, f.children, f.school, false,
		at(f.nominated), f.partner, status, f.reason, decided, trained, at(f.nominated), at(f.nominated), erased)
	if f.decided != "" {
		s.audit("household.decide", id, f.decision, f.decided)
	}
	if f.withdrawn != "" {
		s.audit("household.withdraw", id, "", f.withdrawn)
	}
	if f.equipped != "" {
		s.exec("INSERT INTO reservations (household_id, unit_id, status, created_at, closed_at) VALUES (?, ?, 'handed_over', ?, ?)",
			id, f.unit, at(f.equipped), at(f.equipped))
	}
	return id
}

func (s *seeder) audit(action string, household int64, detail, when string) {
	s.exec("INSERT INTO audit_events (at, actor_name, action, object_type, object_id, detail) VALUES (?, 'test', ?, 'household', ?, ?)",
		at(when), action, fmt.Sprint(household), detail)
}

func (s *seeder) course(sessions ...[3]string) int64 {
	id := s.next()
	s.exec("INSERT INTO courses (id, title, required_sessions, created_at, updated_at) VALUES (?, 'Premiers pas', 2, ?, ?)", id, epoch, epoch)
	for i, ss := range sessions {
		var start, end *string
		if ss[1] != "" {
			start, end = &ss[1], &ss[2]
		}
		s.exec("INSERT INTO course_sessions (course_id, number, date, start_time, end_time) VALUES (?, ?, ?, ?, ?)", id, i+1, day(ss[0]), start, end)
	}
	return id
}

func (s *seeder) enroll(course, household int64, when string) {
	s.exec("INSERT INTO enrollments (course_id, household_id, enrolled_at) VALUES (?, ?, ?)", course, household, at(when))
}

func (s *seeder) attend(course, household int64, session int, present bool) {
	s.exec("INSERT INTO attendance (course_id, household_id, session, present, recorded_at) VALUES (?, ?, ?, ?, ?)", course, household, session, present, epoch)
}

func ptr[T any](v T) *T { return &v }
