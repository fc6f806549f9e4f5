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
	for _, w := range []int64{390, 800, 1280} {
		b.atWidth(w)
		b.screenshot(fmt.Sprintf("scanned-%d", w))
	}
	b.atWidth(800)
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
	for _, w := range []int64{390, 800, 1280} {
		b.atWidth(w)
		b.screenshot(fmt.Sprintf("applied-%d", w))
	}
}
