package allocation_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/database/dbtest"
)

// TestCourseSessionTimes: a session may carry its times, which are stored,
// read back and written the French way; a session without times has none.
func TestCourseSessionTimes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		c, err := w.svc.CreateCourse(ctx, w.staff, allocation.NewCourse{Title: "Premiers pas", TrainerID: w.trainer.UserID,
			SessionDates: []string{"2026-11-03", "2026-11-10", "2026-11-17"}, SessionTimes: []string{"14:00-16:00", "", " 9:30 - 11:45 "}, RequiredSessions: 2})
		if err != nil {
			t.Fatal(err)
		}
		d, err := w.svc.Course(ctx, w.trainer, c.ID)
		if err != nil || len(d.Sessions) != 3 {
			t.Fatalf("course %+v %v", d, err)
		}
		want := []string{"14\u00a0h\u00a000 – 16\u00a0h\u00a000", "", "09\u00a0h\u00a030 – 11\u00a0h\u00a045"}
		for i, s := range d.Sessions {
			if got := s.Times(); got != want[i] {
				t.Errorf("session %d times %q, want %q", i+1, got, want[i])
			}
		}
		if s := d.Sessions[1]; s.Start != nil || s.End != nil {
			t.Errorf("session 2 got times %v %v", s.Start, s.End)
		}
		b, _ := json.Marshal(d.Sessions)
		if got := string(b); got != `[{"number":1,"date":"2026-11-03","start":"14:00","end":"16:00"},{"number":2,"date":"2026-11-10"},{"number":3,"date":"2026-11-17","start":"09:30","end":"11:45"}]` {
			t.Errorf("sessions in JSON: %s", got)
		}
		// Without session_times, as before: no times.
		plain, err := w.svc.CreateCourse(ctx, w.staff, allocation.NewCourse{Title: "Sans horaires", SessionDates: []string{"2026-12-01"}, RequiredSessions: 1})
		if err != nil {
			t.Fatal(err)
		}
		if d, _ := w.svc.Course(ctx, w.staff, plain.ID); len(d.Sessions) != 1 || d.Sessions[0].Times() != "" {
			t.Fatalf("course without times %+v", d.Sessions)
		}
	})
}

// TestCourseSessionTimesRefused: bad times are refused on session_times with
// a message naming the session, and nothing is written.
func TestCourseSessionTimesRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		for name, tc := range map[string]struct {
			times []string
			want  string
		}{
			"ErrNotATime":  {[]string{"14:00-16:00", "14h-16h"}, "Horaires de la séance 2 invalides « 14h-16h »"},
			"ErrNoEnd":     {[]string{"14:00", ""}, "Séance 1 : donnez l'heure de début et l'heure de fin, ou aucune des deux."},
			"ErrNoStart":   {[]string{"", "-16:00"}, "Séance 2 : donnez l'heure de début et l'heure de fin"},
			"ErrHour25":    {[]string{"", "25:00-26:00"}, "Horaires de la séance 2 invalides"},
			"ErrEndBefore": {[]string{"16:00-14:00", ""}, "Séance 1 : l'heure de fin (14:00) doit être après l'heure de début (16:00)."},
			"ErrEndEqual":  {[]string{"", "10:00-10:00"}, "Séance 2 : l'heure de fin"},
			"ErrTooFew":    {[]string{"14:00-16:00"}, "Donnez les horaires de chaque séance (2)"},
			"ErrTooMany":   {[]string{"", "", ""}, "3 reçus"},
		} {
			t.Run(name, func(t *testing.T) {
				var before int64
				db.Table("courses").Count(&before)
				_, err := w.svc.CreateCourse(ctx, w.staff, allocation.NewCourse{Title: "Premiers pas",
					SessionDates: []string{"2026-11-03", "2026-11-10"}, SessionTimes: tc.times, RequiredSessions: 1})
				var e *ordi.Error
				if !errors.As(err, &e) || e.Kind != ordi.Invalid || !fieldsOf(err)["session_times"] || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("err = %v, want %q on session_times", err, tc.want)
				}
				var after int64
				db.Table("courses").Count(&after)
				if after != before {
					t.Fatalf("a refused course was written: %d courses, %d before", after, before)
				}
			})
		}
	})
}
