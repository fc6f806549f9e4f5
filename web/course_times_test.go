package web

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

// courseForm is the new-course form as a browser posts it: eight session
// rows, each with a date, a start and an end.
func courseForm(rows ...[3]string) url.Values {
	f := url.Values{"title": {"Premiers pas"}, "required_sessions": {"1"}}
	for i := 0; i < 8; i++ {
		var r [3]string
		if i < len(rows) {
			r = rows[i]
		}
		f.Add("session_dates", r[0])
		f.Add("session_starts", r[1])
		f.Add("session_ends", r[2])
	}
	return f
}

// TestCourseSessionTimesForm: the form takes each session's times beside its
// date; the course page shows them under the date, French style; bad times
// are refused on the form with the user's input kept, and nothing is created.
func TestCourseSessionTimesForm(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		staff := app.login(ordi.RoleStaff)
		if body := readBody(app.get(staff, "/courses/new")); strings.Count(body, `name="session_starts"`) != 8 || strings.Count(body, `name="session_ends"`) != 8 {
			t.Fatal("the form has no start and end time for each session")
		}
		courses := func() int {
			var n int64
			db.Table("courses").Count(&n)
			return int(n)
		}
		for name, tc := range map[string]struct {
			form url.Values
			want string
		}{
			"ErrEndBefore": {courseForm([3]string{"2026-11-03", "16:00", "14:00"}), "Séance 1 : l'heure de fin (14:00) doit être après l'heure de début (16:00)."},
			"ErrNoEnd":     {courseForm([3]string{"2026-11-03", "", ""}, [3]string{"2026-11-10", "14:00", ""}), "Séance 2 : donnez l'heure de début et l'heure de fin, ou aucune des deux."},
			"ErrNoDate":    {courseForm([3]string{"2026-11-03", "", ""}, [3]string{"", "14:00", "16:00"}), "Ligne 2 : des horaires sans date de séance."},
		} {
			t.Run(name, func(t *testing.T) {
				before := courses()
				res := app.postForm(staff, "/courses", tc.form)
				body := html.UnescapeString(readBody(res))
				if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) {
					t.Fatalf("status %d, want 422 saying %q", res.StatusCode, tc.want)
				}
				if !strings.Contains(body, `value="14:00"`) {
					t.Error("the form lost the times typed")
				}
				if courses() != before {
					t.Error("a refused course was created")
				}
			})
		}
		res := app.postForm(staff, "/courses", courseForm([3]string{"2026-11-03", "14:00", "16:00"}, [3]string{"2026-11-10", "", ""}, [3]string{"2026-11-17", "09:30", "11:45"}))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d %s", res.StatusCode, readBody(res))
		}
		path := res.Header.Get("Location")
		page := readBody(app.get(staff, path))
		for _, want := range []string{"Séance 1 : <strong>03/11/2026</strong>, <span class=\"session-times\">14 h 00 – 16 h 00</span>",
			"Séance 2 : <strong>10/11/2026</strong></li>", "Séance 3 : <strong>17/11/2026</strong>, <span class=\"session-times\">09 h 30 – 11 h 45</span>"} {
			if !strings.Contains(page, want) {
				t.Errorf("course page without families lacks %q", want)
			}
		}
		// With a family enrolled, the attendance table's headings.
		h := decode[householdBody](t, app.api(ordi.RoleSocialWorker, http.MethodPost, "/api/v1/households", nominationBody("Famille Présente")))
		app.api(ordi.RoleStaff, http.MethodPost, fmt.Sprintf("/api/v1/households/%d/decision", h.ID), map[string]any{"eligible": true})
		if res := app.postForm(staff, path+"/enrollments", url.Values{"household_id": {fmt.Sprint(h.ID)}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("enroll: %d %s", res.StatusCode, readBody(res))
		}
		page = readBody(app.get(staff, path))
		for _, want := range []string{"03/11/2026</small><br><small class=\"session-times\">14 h 00 – 16 h 00</small>",
			"10/11/2026</small></th>", "17/11/2026</small><br><small class=\"session-times\">09 h 30 – 11 h 45</small>"} {
			if !strings.Contains(page, want) {
				t.Errorf("attendance table lacks %q", want)
			}
		}
	})
}

// TestCourseSessionTimesAPI: session_times, parallel to session_dates, is
// stored and read back as each session's start and end; a bad one is a 422
// on session_times.
func TestCourseSessionTimesAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/courses", map[string]any{"title": "Premiers pas",
			"session_dates": []string{"2026-11-03", "2026-11-10"}, "session_times": []string{"14:00-16:00"}, "required_sessions": 1}), http.StatusUnprocessableEntity, "session_times")
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/courses", map[string]any{"title": "Premiers pas",
			"session_dates": []string{"2026-11-03"}, "session_times": []string{"14h-16h"}, "required_sessions": 1}), http.StatusUnprocessableEntity, "session_times")
		res := app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/courses", map[string]any{"title": "Premiers pas",
			"session_dates": []string{"2026-11-03", "2026-11-10"}, "session_times": []string{"14:00-16:00", ""}, "required_sessions": 1})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", res.StatusCode, readBody(res))
		}
		course := decode[struct{ ID int64 }](t, res)
		detail := decode[struct {
			Sessions []map[string]any `json:"sessions"`
		}](t, app.api(ordi.RoleStaff, http.MethodGet, fmt.Sprintf("/api/v1/courses/%d", course.ID), nil))
		got := fmt.Sprint(detail.Sessions)
		if want := "[map[date:2026-11-03 end:16:00 number:1 start:14:00] map[date:2026-11-10 number:2]]"; got != want {
			t.Fatalf("sessions %s, want %s", got, want)
		}
	})
}
