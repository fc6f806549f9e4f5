package certificates_test

import (
	"strings"
	"testing"

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
