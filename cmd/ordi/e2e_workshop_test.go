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

// workshopInventory opens the test server's database as the inventory
// service, to set units up as the workshop left them.
func workshopInventory(t *testing.T, s *server) *inventory.Service {
	t.Helper()
	db, err := database.Open(context.Background(), s.dbURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { database.Close(db) })
	return inventory.NewService(db, time.Now)
}

// mustUnitAt creates a laptop in donation and moves it to status through
// the lifecycle (an erasure recorded on the way).
func mustUnitAt(t *testing.T, inv *inventory.Service, donation int64, status inventory.Status) string {
	t.Helper()
	ctx := context.Background()
	u, err := inv.CreateUnit(ctx, ordi.System, inventory.NewUnit{DonationID: donation, UnitSpec: inventory.UnitSpec{Kind: inventory.KindLaptop, Brand: "Lenovo", Model: "T480", StorageGB: 256, StorageKind: inventory.StorageSSD}})
	if err != nil {
		t.Fatal(err)
	}
	code := string(u.Code)
	path := []inventory.Status{inventory.StatusDiagnosed, inventory.StatusWiped, inventory.StatusRefurbished, inventory.StatusReady}
	for _, to := range path {
		if u.Status == status {
			break
		}
		if to == inventory.StatusWiped {
			if _, err := inv.RecordErasure(ctx, ordi.System, code, inventory.NewErasure{Category: inventory.ErasureCategory("purge"), Technique: "NVMe Sanitize", Result: inventory.ErasureResult("passed")}); err != nil {
				t.Fatal(err)
			}
		}
		if u, err = inv.Transition(ctx, ordi.System, code, to, inventory.TransitionInput{}); err != nil {
			t.Fatal(err)
		}
	}
	return code
}

// atWidth sets the page's viewport width (phone 390, tablet 800, desktop
// 1280) for the screenshots that follow.
func (b *browser) atWidth(w int64) {
	b.t.Helper()
	b.run(chromedp.EmulateViewport(w, 900))
	b.settle()
}

// TestE2EScanCaution: in a batch that sends a ready unit back to
// diagnosis, each scanned unit shows its status and the backward move is
// flagged; "Appliquer" changes nothing and asks; "Confirmer" applies, and
// the list then says what each unit was and became.
func TestE2EScanCaution(t *testing.T) {
	b := newBrowser(t)
	s := signedIn(t, b, "staff")
	inv := workshopInventory(t, s)
	ctx := context.Background()
	donor, _ := inv.CreateDonor(ctx, ordi.System, inventory.NewDonor{Name: "Donateur", Kind: inventory.DonorCompany})
	donation, _ := inv.CreateDonation(ctx, ordi.System, inventory.NewDonation{DonorID: donor.ID, ReceivedOn: "2026-11-01"})
	ready := mustUnitAt(t, inv, donation.ID, inventory.StatusReady)
	fresh := mustUnitAt(t, inv, donation.ID, inventory.StatusReceived)

	b.run(chromedp.Navigate(s.base+"/scan"), chromedp.WaitVisible(`#scan-input`, chromedp.ByQuery))
	b.run(
		chromedp.Click(`input[name=mode][value=transition]`, chromedp.ByQuery),
		chromedp.SetValue(`#scan-to`, "diagnosed", chromedp.ByQuery),
	)
	for i, c := range []string{ready, fresh} {
		b.run(
			chromedp.SendKeys(`#scan-input`, c+"\n", chromedp.ByQuery),
			chromedp.Poll(fmt.Sprintf(`document.querySelectorAll("#scan-list li").length >= %d`, i+1), nil, chromedp.WithPollingTimeout(10*time.Second)),
		)
	}
	list := b.text("#scan-list")
	for _, want := range []string{"Prêt", "Réceptionné", "⚠ Retour en arrière : de « Prêt » à « Diagnostiqué »"} {
		if !strings.Contains(list, want) {
			t.Errorf("scan list lacks %q:\n%s", want, list)
		}
	}
	// The messages come from the API with plain spaces; the page spaces
	// them as French typography wants, like the server's own pages.
	var raw string
	b.run(chromedp.Evaluate(`document.getElementById("scan-list").textContent`, &raw))
	for _, plain := range []string{" :", " »", "« "} {
		if strings.Contains(raw, plain) {
			t.Errorf("scan list has a plain space in %q:\n%s", plain, raw)
		}
	}
	b.shots("scanned")
	// Another target: the batch is judged again (dismantling is
	// irreversible; the unit never erased may not leave), then back.
	target := func(to, wantApply string) {
		t.Helper()
		b.run(chromedp.SetValue(`#scan-to`, to, chromedp.ByQuery),
			chromedp.Evaluate(`document.getElementById("scan-to").dispatchEvent(new Event("change", {bubbles: true}))`, nil),
			chromedp.Poll(fmt.Sprintf(`document.getElementById("scan-apply").textContent === %q`, wantApply), nil, chromedp.WithPollingTimeout(10*time.Second)))
	}
	target("dismantled", "Appliquer à 1 unité")
	if list := b.text("#scan-list"); !strings.Contains(list, "⚠ Irréversible") || !strings.Contains(list, "Refusé") {
		t.Errorf("rejudged for dismantling:\n%s", list)
	}
	b.screenshot("rejudged")
	target("diagnosed", "Appliquer à 2 unités")
	b.run(chromedp.Click(`#scan-apply`, chromedp.ByQuery), chromedp.WaitVisible(`#scan-confirm`, chromedp.ByQuery))
	b.allowProblem("409")
	if got := b.text("#scan-confirm"); !strings.Contains(got, ready) || !strings.Contains(got, "Rien n'a été modifié") {
		t.Fatalf("confirmation panel %q", got)
	}
	for _, c := range []string{ready, fresh} {
		if u, _ := inv.Unit(ctx, ordi.System, c); u.Status == inventory.StatusDiagnosed {
			t.Fatalf("%s moved before the confirmation", c)
		}
	}
	b.screenshot("confirm")
	b.run(chromedp.Click(`#scan-confirm-yes`, chromedp.ByQuery), chromedp.WaitVisible(`#scan-result.flash-ok`, chromedp.ByQuery))
	if got := b.text("#scan-result"); got != "2 unités sur 2 ont changé de statut." {
		t.Fatalf("result %q", got)
	}
	list = b.text("#scan-list")
	for _, want := range []string{"Fait", "Passée de « Prêt » à « Diagnostiqué »", "Passée de « Réceptionné » à « Diagnostiqué »"} {
		if !strings.Contains(list, want) {
			t.Errorf("applied list lacks %q:\n%s", want, list)
		}
	}
	for _, c := range []string{ready, fresh} {
		if u, _ := inv.Unit(ctx, ordi.System, c); u.Status != inventory.StatusDiagnosed {
			t.Fatalf("%s is %s after the confirmed batch", c, u.Status)
		}
	}
	b.shots("applied")
}

// shots takes the page's screenshot at phone, tablet and desktop widths,
// and checks it fits each without scrolling sideways; the browser is left
// at the tablet width.
func (b *browser) shots(name string) {
	b.t.Helper()
	for _, w := range []int64{390, 800, 1280} {
		b.atWidth(w)
		var overflow bool
		b.run(chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth + 1`, &overflow))
		if overflow {
			var wide []string
			b.run(chromedp.Evaluate(`[...document.querySelectorAll("main *")].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5).map((e) => e.tagName + "." + e.className + " " + (e.textContent || "").trim().slice(0, 40))`, &wide))
			b.t.Errorf("%s scrolls sideways at %d px: %v", name, w, wide)
		}
		b.screenshot(fmt.Sprintf("%s-%d", name, w))
	}
	b.atWidth(800)
}

// TestE2EWorkshopRecords: « Nouveau don » chooses no donor; an empty
// donation is deleted after a confirmation; the add-unit form carries the
// last description over within the donation and the kind, visibly, and
// « Vider » empties it; a mistaken move is undone from the unit page; the
// print queue leaves recycled units unchecked and « Tout cocher » checks.
func TestE2EWorkshopRecords(t *testing.T) {
	b := newBrowser(t)
	s := signedIn(t, b, "staff")
	inv := workshopInventory(t, s)
	ctx := context.Background()
	donor, _ := inv.CreateDonor(ctx, ordi.System, inventory.NewDonor{Name: "Mairie de Nanterre", Kind: inventory.DonorPublicBody})
	other, _ := inv.CreateDonation(ctx, ordi.System, inventory.NewDonation{DonorID: donor.ID, ReceivedOn: "2026-11-01"})

	// No donor is chosen for the person; the form cannot be sent so.
	b.run(chromedp.Navigate(s.base+"/donations/new"), chromedp.WaitVisible(`#donor-choice`, chromedp.ByQuery))
	var chosen string
	var valid bool
	b.run(chromedp.Evaluate(`document.getElementById("donor-choice").value`, &chosen),
		chromedp.Evaluate(`document.querySelector('form[action="/donations"]').checkValidity()`, &valid))
	if chosen != "" || valid {
		t.Fatalf("donation form: donor %q chosen, valid %v", chosen, valid)
	}
	b.shots("donation-form")
	b.run(chromedp.SetValue(`#donor-choice`, fmt.Sprint(donor.ID), chromedp.ByQuery))
	b.clickAndLoad(`form[action="/donations"] button[type=submit]`, chromedp.ByQuery)
	b.shots("donation-empty")
	b.clickAndLoad(`form.delete-donation button`, chromedp.ByQuery) // the confirmation is accepted
	if loc := b.location(); !strings.HasSuffix(loc, "/donations") || !strings.Contains(b.text("main"), "Don supprimé.") {
		t.Fatalf("after deleting: %s", loc)
	}

	// The add-unit form carries the laptop's description over, visibly.
	page := fmt.Sprintf("%s/donations/%d", s.base, other.ID)
	b.run(chromedp.Navigate(page), chromedp.WaitVisible(`form[action$="/units"]`, chromedp.ByQuery))
	unitForm := `form[action$="/units"] `
	b.run(
		chromedp.SetValue(unitForm+`select[name=kind]`, "laptop", chromedp.ByQuery),
		chromedp.SendKeys(unitForm+`input[name=brand]`, "Lenovo", chromedp.ByQuery),
		chromedp.SendKeys(unitForm+`input[name=model]`, "T480", chromedp.ByQuery),
		chromedp.SendKeys(unitForm+`input[name=storage_gb]`, "256", chromedp.ByQuery),
		chromedp.SendKeys(unitForm+`input[name=weight_kg]`, "1,6", chromedp.ByQuery),
		chromedp.SetValue(unitForm+`select[name=grade]`, "B", chromedp.ByQuery),
	)
	b.clickAndLoad(unitForm+`button[type=submit]`, chromedp.ByQuery)
	value := func(name string) string {
		t.Helper()
		var v string
		b.run(chromedp.Value(unitForm+`[name=`+name+`]`, &v, chromedp.ByQuery))
		return v
	}
	if !strings.Contains(b.text("#unit-carried"), "reprise du dernier ajout") || value("weight_kg") != "1,6" || value("grade") != "B" {
		t.Fatalf("not carried over: weight %q grade %q", value("weight_kg"), value("grade"))
	}
	b.shots("donation-carried")
	// Another kind: what was carried goes.
	b.run(chromedp.SetValue(unitForm+`select[name=kind]`, "screen", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector('form[action$="/units"] select[name=kind]').dispatchEvent(new Event("change", {bubbles: true}))`, nil),
		chromedp.WaitNotPresent(`#unit-carried`, chromedp.ByQuery))
	if value("weight_kg") != "" || value("grade") != "" || value("brand") != "" {
		t.Fatalf("a screen keeps the laptop's data: weight %q grade %q", value("weight_kg"), value("grade"))
	}
	// « Vider », in one tap.
	b.run(chromedp.Navigate(page), chromedp.WaitVisible(`#unit-clear`, chromedp.ByQuery))
	b.clickAndLoad(`#unit-clear`, chromedp.ByQuery)
	if value("weight_kg") != "" || value("brand") != "" {
		t.Fatal("« Vider » left the description")
	}

	// A mistaken move is undone.
	units, err := inv.Units(ctx, ordi.System, inventory.UnitFilter{DonationID: other.ID})
	if err != nil || len(units) != 1 {
		t.Fatalf("units %v %v", units, err)
	}
	code := string(units[0].Code)
	b.run(chromedp.Navigate(s.base+"/u/"+code), chromedp.WaitVisible(`.next-steps`, chromedp.ByQuery))
	b.clickAndLoad(`form.step input[value=diagnosed] ~ button`, chromedp.ByQuery)
	b.shots("unit-undo")
	b.clickAndLoad(`form.undo button`, chromedp.ByQuery)
	if got := b.text(".unit-status"); got != "Réceptionné" {
		t.Fatalf("after undo the unit is %q", got)
	}
	if !strings.Contains(b.text("main"), "Changement annulé") {
		t.Fatal("the page does not say the move was undone")
	}

	// The print queue: a recycled unit is listed unchecked; « Tout cocher »
	// checks everything, « Tout décocher » nothing.
	scrap := mustUnitAt(t, inv, other.ID, inventory.StatusReceived)
	if _, err := inv.RecordErasure(ctx, ordi.System, scrap, inventory.NewErasure{Category: inventory.ErasureCategory("destroy"), Technique: "Broyage", Result: inventory.ErasureResult("passed")}); err != nil {
		t.Fatal(err)
	}
	if _, err := inv.Transition(ctx, ordi.System, scrap, inventory.StatusRecycled, inventory.TransitionInput{Outlet: "Ecologic", OutletReference: "BE-7"}); err != nil {
		t.Fatal(err)
	}
	b.run(chromedp.Navigate(s.base+"/labels"), chromedp.WaitVisible(`#print-form`, chromedp.ByQuery))
	boxes := func() (states map[string]bool) {
		t.Helper()
		b.run(chromedp.Evaluate(`Object.fromEntries([...document.querySelectorAll("input[name=codes]")].map((b) => [b.value, b.checked]))`, &states))
		return states
	}
	if st := boxes(); !st[code] || st[scrap] || len(st) != 2 {
		t.Fatalf("queue pre-checked %v (recycled %s)", st, scrap)
	}
	b.shots("print-queue")
	b.run(chromedp.Click(`[data-check-all=codes]`, chromedp.ByQuery))
	if st := boxes(); !st[code] || !st[scrap] {
		t.Fatalf("« Tout cocher » left %v", st)
	}
	b.run(chromedp.Click(`[data-check-all=codes]`, chromedp.ByQuery))
	if st := boxes(); !st[code] || !st[scrap] {
		t.Fatalf("« Tout cocher » twice unchecked: %v", st)
	}
	b.run(chromedp.Click(`[data-uncheck-all=codes]`, chromedp.ByQuery))
	if st := boxes(); st[code] || st[scrap] {
		t.Fatalf("« Tout décocher » left %v", st)
	}
}
