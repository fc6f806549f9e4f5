package reports

import (
	"context"
	"testing"
	"time"

	"github.com/ordi-app/ordi/database/dbtest"
)

func TestZZTiming(t *testing.T) {
	for _, d := range dbtest.Dialects() {
		db := dbtest.Open(t, d)
		seedLarge(t, db)
		s := NewService(db, func() time.Time { return time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC) })
		f := Filter{From: "2024-01-01", To: "2026-12-31"}
		p, _, _ := s.check(context.Background(), staff, &f)
		q := &query{db: db, p: p, now: s.now()}
		names := []string{"donors", "units", "status", "erasures", "outcomes", "lead", "monthly", "funnel", "reasons", "commune", "qpv", "partner", "people", "training"}
		for i, build := range []func() (Table, error){
			q.donorsByKind, q.unitsByKind, q.status, q.erasures, q.outcomes, q.leadTimes, q.monthly,
			q.funnel, q.ineligibleReasons, q.byCommune, q.byQPV, q.byPartner, q.people, q.training,
		} {
			t0 := time.Now()
			if _, err := build(); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s %s %v", d, names[i], time.Since(t0))
		}
	}
}
