package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/inventory"
)

// TestE2EStaleView: what a person acts on is what they saw. On the unit
// page, a step tapped after a colleague moved the unit is refused with the
// French message and the page shows the unit as it now is; in the batch
// scan, a unit moved by a colleague after it was scanned is refused in the
// report and stays where the colleague put it.
func TestE2EStaleView(t *testing.T) {
	b := newBrowser(t)
	s := signedIn(t, b, "staff")
	db, err := database.Open(context.Background(), s.dbURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close(db)
	inv := inventory.NewService(db, time.Now)
	ctx := context.Background()
	colleague := ordi.Actor{Name: "Collègue", Role: ordi.RoleStaff}
	donor, err := inv.CreateDonor(ctx, colleague, inventory.NewDonor{Name: "Donateur", Kind: inventory.DonorCompany})
	if err != nil {
		t.Fatal(err)
	}
	donation, err := inv.CreateDonation(ctx, colleague, inventory.NewDonation{DonorID: donor.ID, ReceivedOn: "2026-11-01"})
	if err != nil {
		t.Fatal(err)
	}
	// Screens: no storage, so no erasure stands in the way.
	newUnit := func(path ...inventory.Status) inventory.Unit {
		t.Helper()
		u, err := inv.CreateUnit(ctx, colleague, inventory.NewUnit{DonationID: donation.ID, UnitSpec: inventory.UnitSpec{Kind: inventory.KindScreen, Brand: "Dell", Model: "P2419H"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range path {
			if u, err = inv.Transition(ctx, colleague, string(u.Code), to, inventory.TransitionInput{}); err != nil {
				t.Fatal(err)
			}
		}
		return u
	}
	move := func(u inventory.Unit, to inventory.Status) {
		t.Helper()
		if _, err := inv.Transition(ctx, colleague, string(u.Code), to, inventory.TransitionInput{}); err != nil {
			t.Fatal(err)
		}
	}
	status := func(u inventory.Unit) inventory.Status {
		t.Helper()
		got, err := inv.Unit(ctx, colleague, string(u.Code))
		if err != nil {
			t.Fatal(err)
		}
		return got.Status
	}

	// The unit page: shown refurbished, made ready by the colleague, then
	// "Renvoyer en diagnostic" tapped on the stale page.
	u := newUnit(inventory.StatusDiagnosed, inventory.StatusWiped, inventory.StatusRefurbished)
	b.run(chromedp.Navigate(s.base+"/u/"+string(u.Code)), chromedp.WaitVisible(`.next-steps`, chromedp.ByQuery))
	move(u, inventory.StatusReady)
	b.clickAndLoad(`form.step:has(input[name=to][value=diagnosed]) button`, chromedp.ByQuery)
	var message string
	b.run(chromedp.Evaluate(`(document.querySelector(".flash-error")?.textContent ?? "").replace(/[\u00a0\u202f]/g, " ")`, &message))
	if !strings.Contains(message, "Cette unité a changé depuis que vous l'avez affichée : elle est maintenant « Prêt »") {
		t.Fatalf("unit page message %q", message)
	}
	if got := b.text(`.unit-status`); got != "Prêt" {
		t.Fatalf("the page shows the unit %q, want it as it now is", got)
	}
	if st := status(u); st != inventory.StatusReady {
		t.Fatalf("a stale page moved the unit to %s", st)
	}
	b.screenshot("unit-page")

	// The batch scan: to dismantle; a scanned unit is diagnosed by the
	// colleague before the batch is applied. Dismantling is legal from both
	// statuses: only what the person saw tells the scan to refuse it.
	scanned, other := newUnit(), newUnit()
	b.run(chromedp.Navigate(s.base+"/scan"), chromedp.WaitVisible(`#scan-input`, chromedp.ByQuery))
	b.run(
		chromedp.Click(`input[name=mode][value=transition]`, chromedp.ByQuery),
		chromedp.SetValue(`#scan-to`, "dismantled", chromedp.ByQuery),
	)
	for i, c := range []inventory.Code{scanned.Code, other.Code} {
		b.run(
			chromedp.SendKeys(`#scan-input`, string(c)+"\n", chromedp.ByQuery),
			chromedp.Poll(fmt.Sprintf(`document.querySelectorAll("#scan-list li.scan-ok").length >= %d`, i+1), nil, chromedp.WithPollingTimeout(10*time.Second)),
		)
	}
	move(scanned, inventory.StatusDiagnosed)
	// Dismantling is irreversible: the batch asks first, then applies.
	b.run(
		chromedp.Click(`#scan-apply`, chromedp.ByQuery),
		chromedp.WaitVisible(`#scan-confirm`, chromedp.ByQuery),
		chromedp.Click(`#scan-confirm-yes`, chromedp.ByQuery),
		chromedp.WaitVisible(`#scan-result`, chromedp.ByQuery),
	)
	report := b.text("#scan-result")
	if !strings.HasPrefix(report, "1 unité sur 2 a changé de statut.") || !strings.Contains(report, string(scanned.Code)+" : Cette unité a changé depuis que vous l'avez affichée : elle est maintenant « Diagnostiqué »") {
		t.Fatalf("scan report %q", report)
	}
	if st := status(scanned); st != inventory.StatusDiagnosed {
		t.Fatalf("the unit moved after it was scanned is %s, want diagnosed", st)
	}
	if st := status(other); st != inventory.StatusDismantled {
		t.Fatalf("the other unit is %s, want dismantled", st)
	}
	b.screenshot("scan")
	b.allowProblem("status of 409") // the refused step's page
}
