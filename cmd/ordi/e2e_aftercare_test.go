package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/app"
	"github.com/ordi-app/ordi/certificates"
	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/inventory"
)

// TestE2EAftercare is the label scanned at the family's home, on a 390 px
// phone: the public page of the handed-over unit (axe-core, fingertip-size
// controls, no sideways scroll), a problem reported through its form, and
// the ticket in the staff's queue with the family's reference. The family's
// name, a canary, never appears on the public pages.
func TestE2EAftercare(t *testing.T) {
	const canary = "Mme Canari Témoin"
	b := newBrowser(t)
	url, db, acc := e2eDatabase(t)
	ctx := context.Background()
	p, _ := acc.CreatePartner(ctx, ordi.System, account.NewPartner{Name: "CCAS de Roubaix", Kind: account.PartnerCCAS})
	var sw ordi.Actor
	for _, u := range []account.NewUser{
		{Email: "sw@ccas.example", Name: "Sophie Travailleuse", Role: ordi.RoleSocialWorker, PartnerID: p.ID},
		{Email: "staff@regie.example", Name: "Sam Atelier", Role: ordi.RoleStaff},
	} {
		u.Password = testPassword
		created, err := acc.CreateUser(ctx, ordi.System, u)
		if err != nil {
			t.Fatal(err)
		}
		if u.Role == ordi.RoleSocialWorker {
			sw = created.Actor()
		}
	}
	svc := app.New(db, "http://ordi.test", time.Now)
	if _, err := svc.Certificates.SetIssuer(ctx, ordi.System, certificates.Issuer{Name: "Régie de quartier Roubaix-Est", Phone: "03 20 00 00 00",
		Email: "contact@regie.example", Address: "1 rue Haute\n59100 Roubaix", WarrantyMonths: 6}); err != nil {
		t.Fatal(err)
	}
	inv := svc.Inventory
	donor, _ := inv.CreateDonor(ctx, ordi.System, inventory.NewDonor{Name: "Entreprise", Kind: inventory.DonorCompany})
	donation, _ := inv.CreateDonation(ctx, ordi.System, inventory.NewDonation{DonorID: donor.ID, ReceivedOn: "2026-11-01"})
	unit, _ := inv.CreateUnit(ctx, ordi.System, inventory.NewUnit{DonationID: donation.ID, UnitSpec: inventory.UnitSpec{Kind: inventory.KindLaptop, Brand: "Lenovo", Model: "T480", RAMGB: 8, StorageGB: 256, StorageKind: inventory.StorageSSD}})
	inv.RecordErasure(ctx, ordi.System, string(unit.Code), inventory.NewErasure{Category: inventory.ErasurePurge, Technique: "sanitize", Result: inventory.ErasurePassed})
	for _, st := range []inventory.Status{inventory.StatusDiagnosed, inventory.StatusWiped, inventory.StatusRefurbished, inventory.StatusReady} {
		if _, err := inv.Transition(ctx, ordi.System, string(unit.Code), st, inventory.TransitionInput{}); err != nil {
			t.Fatal(err)
		}
	}
	al := svc.Allocation
	h, err := al.Nominate(ctx, sw, allocation.NewHousehold{ContactName: canary, Commune: "Roubaix", QPV: true, Adults: 1, Need: allocation.NeedAny, Consent: true, IncomeBracket: "QF1"})
	if err != nil {
		t.Fatal(err)
	}
	al.Decide(ctx, ordi.System, h.ID, true, "")
	course, err := al.CreateCourse(ctx, ordi.System, allocation.NewCourse{Title: "Premiers pas", SessionDates: []string{"2026-11-03"}, RequiredSessions: 1})
	if err != nil {
		t.Fatal(err)
	}
	al.Enroll(ctx, ordi.System, course.ID, h.ID)
	al.RecordAttendance(ctx, ordi.System, course.ID, allocation.Mark{HouseholdID: h.ID, Session: 1, Present: true})
	r, err := al.Reserve(ctx, ordi.System, h.ID, string(unit.Code))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Certificates.Handover(ctx, ordi.System, r.ID, certificates.HandoverInput{SignatoryName: canary}); err != nil {
		t.Fatal(err)
	}
	database.Close(db)
	s := startServer(t, map[string]string{"ORDI_DATABASE_URL": url})

	b.run(page.SetBypassCSP(true), chromedp.EmulateViewport(390, 844))
	noCanary := func(where string) {
		t.Helper()
		var html string
		b.run(chromedp.OuterHTML("html", &html, chromedp.ByQuery))
		for _, secret := range []string{canary, "Canari", h.Reference} {
			if strings.Contains(html, secret) {
				t.Errorf("%s shows %q", where, secret)
			}
		}
	}
	phoneChecks := func(where string) {
		t.Helper()
		b.screenshot(where)
		for _, v := range b.axe() {
			t.Errorf("%s: %s (%s): %s on %v", where, v.ID, v.Impact, v.Help, v.Targets)
		}
		var overflow float64
		b.run(chromedp.Evaluate(`document.documentElement.scrollWidth - window.innerWidth`, &overflow))
		if overflow > 1 {
			t.Errorf("%s scrolls sideways at 390 px by %.0f px", where, overflow)
		}
		var small []smallTarget
		b.run(chromedp.Evaluate(fmt.Sprintf(smallTargetsJS, minTarget), &small))
		for _, st := range small {
			t.Errorf("%s at 390 px: %s is %.0f×%.0f px", where, st.What, st.Width, st.Height)
		}
	}

	// The camera app opens the label's URL, without a session.
	b.run(chromedp.Navigate(s.base+"/u/"+string(unit.Code)), chromedp.WaitVisible(`#problem-category`, chromedp.ByQuery))
	if lead := b.text(".public-lead"); !strings.Contains(lead, "Cet ordinateur vous a été remis par Régie de quartier Roubaix-Est") {
		t.Fatalf("public page says %q", lead)
	}
	if w := b.text(".public-warranty"); !strings.Contains(w, "garanti jusqu'au") {
		t.Fatalf("warranty: %q", w)
	}
	var fontSize float64
	b.run(chromedp.Evaluate(`parseFloat(getComputedStyle(document.querySelector(".public-lead")).fontSize)`, &fontSize))
	if fontSize < 20 {
		t.Errorf("the public page's lead is %.0f px: large type wanted", fontSize)
	}
	noCanary("the public page")
	phoneChecks("public-page")

	// A problem reported through the form.
	b.run(
		chromedp.SetValue(`#problem-category`, "internet", chromedp.ByQuery),
		chromedp.SendKeys(`#problem-description`, "Le wifi ne se connecte plus depuis lundi", chromedp.ByQuery),
		chromedp.SendKeys(`#problem-phone`, "06 12 34 56 78", chromedp.ByQuery),
	)
	b.clickAndLoad(`.public-form button[type=submit]`, chromedp.ByQuery)
	b.allowProblem("422")
	if msg := b.text(".field-error"); !strings.Contains(msg, "Cochez la case") {
		t.Fatalf("a phone without consent: %q", msg)
	}
	noCanary("the form shown again")
	phoneChecks("problem-form-422")
	b.run(chromedp.Click(`#problem-consent`, chromedp.ByQuery))
	b.clickAndLoad(`.public-form button[type=submit]`, chromedp.ByQuery)
	if h1 := b.text("h1"); h1 != "Merci, votre message est envoyé" {
		t.Fatalf("after the report: %q at %s", h1, b.location())
	}
	noCanary("the confirmation")
	phoneChecks("problem-sent")

	// The staff see the ticket, with the family's reference.
	b.login(s.base, "staff@regie.example")
	b.run(chromedp.Navigate(s.base + "/tickets"))
	if row := b.text("tbody tr"); !strings.Contains(row, string(unit.Code)) || !strings.Contains(row, h.Reference) || !strings.Contains(row, "Le wifi ne se connecte plus") {
		t.Fatalf("the queue: %q", row)
	}
	b.clickAndLoad(`tbody tr a[href^="/tickets/"]`, chromedp.ByQuery)
	if dl := b.text("dl.specs"); !strings.Contains(dl, "06 12 34 56 78") || !strings.Contains(dl, "Sophie Travailleuse") {
		t.Fatalf("the ticket: %q", dl)
	}
	phoneChecks("ticket")
}
