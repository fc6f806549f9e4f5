package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/inventory"
)

// login signs the browser in as email, after signing out whoever was in.
func (b *browser) login(base, email string) {
	b.t.Helper()
	b.run(chromedp.Navigate(base + "/login"))
	if b.location() != base+"/login" {
		b.clickAndLoad(`form[action="/logout"] button`, chromedp.ByQuery)
		b.run(chromedp.Navigate(base + "/login"))
	}
	b.run(
		chromedp.WaitVisible(`input[name=email]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=email]`, email, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, testPassword, chromedp.ByQuery),
	)
	b.clickAndLoad(`form button[type=submit]`, chromedp.ByQuery)
}

// TestE2ENominationToReservation follows a family from its nomination by a
// social worker, through the eligibility decision, the course and its
// attendance taken by tapping, to the reservation of a ready unit.
func TestE2ENominationToReservation(t *testing.T) {
	b := newBrowser(t)
	url, db, acc := e2eDatabase(t)
	vars := map[string]string{"ORDI_DATABASE_URL": url}
	ctx := context.Background()
	p, _ := acc.CreatePartner(ctx, ordi.System, account.NewPartner{Name: "CCAS de Roubaix", Kind: account.PartnerCCAS})
	for _, u := range []account.NewUser{
		{Email: "sw@ccas.example", Name: "Sophie Travailleuse", Role: ordi.RoleSocialWorker, PartnerID: p.ID},
		{Email: "staff@regie.example", Name: "Sam Atelier", Role: ordi.RoleStaff},
		{Email: "trainer@regie.example", Name: "Tom Formateur", Role: ordi.RoleTrainer},
		{Email: "admin@regie.example", Name: "Alice Admin", Role: ordi.RoleAdmin},
	} {
		u.Password = testPassword
		if _, err := acc.CreateUser(ctx, ordi.System, u); err != nil {
			t.Fatal(err)
		}
	}
	// A ready laptop.
	inv := inventory.NewService(db, time.Now)
	donor, _ := inv.CreateDonor(ctx, ordi.System, inventory.NewDonor{Name: "Entreprise", Kind: inventory.DonorCompany})
	donation, _ := inv.CreateDonation(ctx, ordi.System, inventory.NewDonation{DonorID: donor.ID, ReceivedOn: "2026-11-01"})
	unit, _ := inv.CreateUnit(ctx, ordi.System, inventory.NewUnit{DonationID: donation.ID, UnitSpec: inventory.UnitSpec{Kind: inventory.KindLaptop, Brand: "Lenovo", Model: "T480", RAMGB: 8, StorageGB: 256, StorageKind: inventory.StorageSSD}})
	inv.RecordErasure(ctx, ordi.System, string(unit.Code), inventory.NewErasure{Category: inventory.ErasurePurge, Technique: "sanitize", Result: inventory.ErasurePassed})
	for _, st := range []inventory.Status{inventory.StatusDiagnosed, inventory.StatusWiped, inventory.StatusRefurbished, inventory.StatusReady} {
		if _, err := inv.Transition(ctx, ordi.System, string(unit.Code), st, inventory.TransitionInput{}); err != nil {
			t.Fatal(err)
		}
	}
	var trainerID string
	db.Raw("SELECT id FROM users WHERE email = ?", "trainer@regie.example").Scan(&trainerID)
	database.Close(db)
	s := startServer(t, vars)

	// The social worker nominates a family.
	b.login(s.base, "sw@ccas.example")
	b.run(chromedp.Navigate(s.base+"/families/new"), chromedp.WaitVisible(`input[name=contact_name]`, chromedp.ByQuery))
	b.run(
		chromedp.SendKeys(`input[name=contact_name]`, "Mme Aïssatou Diallo", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=phone]`, "06 12 34 56 78", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=commune]`, "Roubaix", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=postcode]`, "59100", chromedp.ByQuery),
		chromedp.Click(`input[name=qpv][value=yes]`, chromedp.ByQuery),
		chromedp.SetValue(`input[name=children]`, "3", chromedp.ByQuery),
		chromedp.SetValue(`input[name=school_children]`, "2", chromedp.ByQuery),
		chromedp.SetValue(`select[name=income_bracket]`, "QF1", chromedp.ByQuery),
		chromedp.SetValue(`select[name=need]`, "laptop", chromedp.ByQuery),
	)
	b.noHorizontalScroll()
	b.screenshot("nomination-form")
	// Without consent, nothing is recorded.
	b.clickAndLoad(`form[action="/families"] button[type=submit]`, chromedp.ByQuery)
	if msg := b.text(".field-error"); !strings.Contains(msg, "consentement") {
		t.Fatalf("no consent error: %q", msg)
	}
	b.run(chromedp.Click(`input[name=consent]`, chromedp.ByQuery))
	b.clickAndLoad(`form[action="/families"] button[type=submit]`, chromedp.ByQuery)
	ref := b.text(".big-code")
	if !strings.HasPrefix(ref, "F-") {
		t.Fatalf("reference %q", ref)
	}
	familyURL := b.location()
	b.screenshot("family-nominated")

	// Their list tells each family's next step, on the tablet too, where the
	// wide columns give way.
	b.run(chromedp.Navigate(s.base+"/families"), chromedp.WaitVisible(`table`, chromedp.ByQuery))
	var steps []string
	b.run(chromedp.Evaluate(`[...document.querySelectorAll('tbody .next-step')].filter(e => e.offsetParent !== null).map(e => e.textContent.trim())`, &steps))
	if len(steps) != 1 || !strings.Contains(steps[0], "éligibilité") {
		b.screenshot("families-next-step")
		t.Fatalf("next steps shown at 768 px: %q", steps)
	}
	b.noHorizontalScroll()

	// Staff decide, create a course and enroll the family.
	b.login(s.base, "staff@regie.example")
	b.run(chromedp.Navigate(familyURL), chromedp.WaitVisible(`ul.checklist`, chromedp.ByQuery))
	b.screenshot("family-checklist")
	b.clickAndLoad(`form.decision button[value=yes]`, chromedp.ByQuery)
	if got := b.text(".unit-status"); got != "Éligible" {
		t.Fatalf("status after decision %q", got)
	}
	b.run(
		chromedp.Navigate(s.base+"/courses/new"),
		chromedp.WaitVisible(`input[name=title]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=title]`, "Premiers pas", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=place]`, "Médiathèque Zola", chromedp.ByQuery),
		chromedp.SetValue(`select[name=trainer_id]`, trainerID, chromedp.ByQuery),
		chromedp.SetValue(`input[name=required_sessions]`, "2", chromedp.ByQuery),
		chromedp.SetValue(`(//input[@name="session_dates"])[1]`, "2026-11-24", chromedp.BySearch),
		chromedp.SetValue(`(//input[@name="session_dates"])[2]`, "2026-12-01", chromedp.BySearch),
		chromedp.SetValue(`(//input[@name="session_starts"])[1]`, "14:00", chromedp.BySearch),
		chromedp.SetValue(`(//input[@name="session_ends"])[1]`, "16:30", chromedp.BySearch),
	)
	b.clickAndLoad(`form[action="/courses"] button[type=submit]`, chromedp.ByQuery)
	courseURL := b.location()
	b.clickAndLoad(`form[action$="/enrollments"] button[type=submit]`, chromedp.ByQuery)

	// The trainer taps the attendance sheet.
	b.login(s.base, "trainer@regie.example")
	b.run(chromedp.Navigate(courseURL), chromedp.WaitVisible(`table.attendance`, chromedp.ByQuery))
	// Session 1 was given its times, session 2 was not.
	if got := b.text(`table.attendance thead th:nth-child(2) .session-times`); got != "14 h 00 – 16 h 30" {
		t.Errorf("session 1's times on the course page: %q", got)
	}
	var untimed int
	b.run(chromedp.Evaluate(`document.querySelectorAll('table.attendance thead th:nth-child(3) .session-times').length`, &untimed))
	if untimed != 0 {
		t.Error("session 2 shows times it was not given")
	}
	for i := 1; i <= 2; i++ {
		sel := `table.attendance tbody tr:first-child td:nth-child(` + string(rune('1'+i)) + `) button`
		b.run(
			chromedp.Click(sel, chromedp.ByQuery),
			chromedp.Poll(`document.querySelector("`+sel+`").textContent.trim() === "Présent"`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		)
	}
	b.noHorizontalScroll()
	b.screenshot("attendance")
	b.run(chromedp.Reload(), chromedp.WaitVisible(`table.attendance`, chromedp.ByQuery))
	// The trainer sees the family's progress, not its file's status.
	if got := b.text(`table.attendance tbody tr:first-child td:last-child`); got != "2/2" {
		t.Fatalf("family progress after two sessions %q", got)
	}

	// Staff reserve the proposed unit.
	b.login(s.base, "staff@regie.example")
	b.run(chromedp.Navigate(s.base+"/allocation"), chromedp.WaitVisible(`ul.proposals`, chromedp.ByQuery))
	if got := b.text("ul.proposals"); !strings.Contains(got, ref) || !strings.Contains(got, string(unit.Code)) {
		t.Fatalf("proposals %q", got)
	}
	b.screenshot("proposals")
	b.clickAndLoad(`ul.proposals form button`, chromedp.ByQuery)
	if got := b.text(".flash-ok"); !strings.Contains(got, "1 réservation") {
		t.Fatalf("flash %q", got)
	}
	b.run(chromedp.Navigate(familyURL), chromedp.WaitVisible(`.unit-status`, chromedp.ByQuery))
	if got := b.text(".unit-status"); got != "Ordinateur réservé" {
		t.Fatalf("family status %q", got)
	}
	b.screenshot("family-reserved")

	// The family asks for its data to be erased: an administrator types its
	// reference back and confirms; the reservation is cancelled.
	b.login(s.base, "admin@regie.example")
	b.run(
		chromedp.Navigate(familyURL),
		chromedp.Click(`details#erase summary`, chromedp.ByQuery),
		chromedp.WaitVisible(`details#erase input[name=confirm]`, chromedp.ByQuery),
		chromedp.SendKeys(`details#erase input[name=confirm]`, strings.ToLower(ref), chromedp.ByQuery),
	)
	b.screenshot("family-erase")
	b.clickAndLoad(`details#erase button[type=submit]`, chromedp.ByQuery)
	if got := b.text("h1"); got != "Données effacées" {
		t.Fatalf("name after the erasure %q", got)
	}
	if got := b.text(".unit-status"); got != "Sortie du dispositif" {
		t.Fatalf("status after the erasure %q", got)
	}
	b.screenshot("family-erased")
	b.run(chromedp.Navigate(s.base+"/u/"+string(unit.Code)), chromedp.WaitVisible(`.unit-status`, chromedp.ByQuery))
	if got := b.text(".unit-status"); got != "Prêt" {
		t.Fatalf("the unit of the erased family's reservation is %q", got)
	}
	b.allowProblem("status of 422") // the form sent without consent
}
