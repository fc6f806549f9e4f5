package certificates_test

import (
	"math"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/pdfdoc/pdftest"
)

// TestAttendanceSheetForSignatures: the sheet a trainer prints names each
// family by its reference, leaves every box empty for the signature (the
// marks already taken are not pre-printed), gives each session its date and
// room for its times, and has a row for the trainer's signature.
func TestAttendanceSheetForSignatures(t *testing.T) {
	pdftest.RequireTools(t)
	w := newWorld(t, dbtest.OpenSQLite(t))
	course, err := w.alloc.CreateCourse(ctx, w.staff, allocation.NewCourse{Title: "Le numérique en famille", Place: "Centre social Alma",
		TrainerID: w.trainer.UserID, SessionDates: []string{"2026-11-03", "2026-11-10"}, RequiredSessions: 1})
	if err != nil {
		t.Fatal(err)
	}
	h, err := w.alloc.Nominate(ctx, w.sw, allocation.NewHousehold{ContactName: "Aïssatou Diallo", Commune: "Roubaix", QPV: true, Adults: 1,
		Need: allocation.NeedAny, Consent: true, IncomeBracket: "QF1"})
	if err != nil {
		t.Fatal(err)
	}
	w.alloc.Decide(ctx, w.staff, h.ID, true, "")
	if err := w.alloc.Enroll(ctx, w.staff, course.ID, h.ID); err != nil {
		t.Fatal(err)
	}
	for session, present := range map[int]bool{1: true, 2: false} {
		if _, err := w.alloc.RecordAttendance(ctx, w.trainer, course.ID, allocation.Mark{HouseholdID: h.ID, Session: session, Present: present}); err != nil {
			t.Fatal(err)
		}
	}
	pdf, err := w.svc.AttendanceSheet(ctx, w.trainer, course.ID)
	if err != nil {
		t.Fatal(err)
	}
	text := flat(t, pdf)
	for _, want := range []string{h.Reference, "Aïssatou Diallo", "Séance 1 · 03/11/2026", "Séance 2 · 10/11/2026", "de ….. h ….. à ….. h …..", "Signature du formateur", "trainer@x.org"} {
		if !strings.Contains(text, want) {
			t.Errorf("sheet lacks %q", want)
		}
	}
	for _, word := range strings.Fields(text) {
		if word == "présent" || word == "absent" {
			t.Errorf("the sheet pre-prints %q where the family signs", word)
		}
	}
}

// TestAttendanceSheetSessionTimes: a session whose times are known prints
// them under its date, the French way; one without keeps the blanks for the
// trainer to fill in.
func TestAttendanceSheetSessionTimes(t *testing.T) {
	pdftest.RequireTools(t)
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		course, err := w.alloc.CreateCourse(ctx, w.staff, allocation.NewCourse{Title: "Le numérique en famille", TrainerID: w.trainer.UserID,
			SessionDates: []string{"2026-11-03", "2026-11-10", "2026-11-17"}, SessionTimes: []string{"14:00-16:00", "", "09:30-11:45"}, RequiredSessions: 2})
		if err != nil {
			t.Fatal(err)
		}
		pdf, err := w.svc.AttendanceSheet(ctx, w.trainer, course.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := sessionHeads(t, pdf)
		want := []string{"Séance 1 · 03/11/2026 | 14 h 00 – 16 h 00", "Séance 2 · 10/11/2026 | de ….. h ….. à ….. h …..", "Séance 3 · 17/11/2026 | 09 h 30 – 11 h 45"}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("session headings, as printed (line | line under it):\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// sessionHeads reads back the heading of each session column of the sheet's
// first page: its "Séance n · date" line, then the line printed under it,
// each word given to the nearest column (non-breaking spaces as spaces).
func sessionHeads(t *testing.T, pdf []byte) []string {
	t.Helper()
	words := pdftest.Words(t, pdf)[0].Words
	type head struct {
		centre, bottom float64
		first, second  []string
	}
	var heads []head
	for i, w := range words {
		if w.Text == "Séance" && i+3 < len(words) && words[i+2].Text == "·" {
			heads = append(heads, head{centre: (w.XMin + words[i+3].XMax) / 2, bottom: words[i+3].YMax,
				first: []string{w.Text, words[i+1].Text, words[i+2].Text, words[i+3].Text}})
		}
	}
	if len(heads) == 0 {
		t.Fatal("no session heading on the sheet")
	}
	for _, w := range words {
		if w.YMin < heads[0].bottom-1 || w.YMin > heads[0].bottom+8 {
			continue
		}
		nearest := 0
		for j, h := range heads {
			if math.Abs((w.XMin+w.XMax)/2-h.centre) < math.Abs((w.XMin+w.XMax)/2-heads[nearest].centre) {
				nearest = j
			}
		}
		heads[nearest].second = append(heads[nearest].second, strings.ReplaceAll(w.Text, "\u00a0", " "))
	}
	var out []string
	for _, h := range heads {
		out = append(out, strings.Join(h.first, " ")+" | "+strings.Join(h.second, " "))
	}
	return out
}
