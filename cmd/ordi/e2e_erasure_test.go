package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/inventory"
)

// TestE2EErasureCategory records an erasure on an SSD at phone, tablet and
// desktop widths: the medium comes preselected from the unit, a one-pass
// overwrite called Purge is refused with a message naming Clear (the form
// keeps what was typed), and Clear is recorded.
func TestE2EErasureCategory(t *testing.T) {
	b := newBrowser(t)
	url, db, acc := e2eDatabase(t)
	ctx := context.Background()
	if _, err := acc.CreateUser(ctx, ordi.System, account.NewUser{Email: "sam@x.example", Name: "Sam Atelier", Role: ordi.RoleStaff, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	inv := inventory.NewService(db, time.Now)
	staff := ordi.Actor{Name: "Équipe", Role: ordi.RoleStaff}
	donor, _ := inv.CreateDonor(ctx, staff, inventory.NewDonor{Name: "Entreprise", Kind: inventory.DonorCompany})
	donation, _ := inv.CreateDonation(ctx, staff, inventory.NewDonation{DonorID: donor.ID, ReceivedOn: "2026-10-01"})
	u, err := inv.CreateUnit(ctx, staff, inventory.NewUnit{DonationID: donation.ID, UnitSpec: inventory.UnitSpec{Kind: inventory.KindLaptop, Brand: "Dell", Model: "Latitude 5490", RAMGB: 8, StorageGB: 256, StorageKind: inventory.StorageSSD}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inv.Transition(ctx, staff, string(u.Code), inventory.StatusDiagnosed, inventory.TransitionInput{}); err != nil {
		t.Fatal(err)
	}
	database.Close(db)

	s := startServer(t, map[string]string{"ORDI_DATABASE_URL": url})
	b.login(s.base, "sam@x.example")
	for _, width := range []int64{390, 800, 1280} {
		b.run(chromedp.EmulateViewport(width, 900), chromedp.Navigate(s.base+"/u/"+string(u.Code)), chromedp.WaitVisible(`select[name=method]`, chromedp.ByQuery))
		var medium string
		b.run(chromedp.Value(`select[name=medium]`, &medium, chromedp.ByQuery))
		if medium != "ssd" {
			t.Fatalf("%d px: medium %q, want the unit's ssd", width, medium)
		}
		b.run(
			chromedp.SetValue(`select[name=method]`, "overwrite", chromedp.ByQuery),
			chromedp.Click(`input[name=category][value=purge]`, chromedp.ByQuery),
			chromedp.SendKeys(`input[name=technique]`, "1 passe aléatoire + vérification", chromedp.ByQuery),
			chromedp.Click(`input[name=result][value=passed]`, chromedp.ByQuery),
		)
		b.clickAndLoad(`form[action$="/erasures"] button[type=submit]`, chromedp.ByQuery)
		form := b.text(`details.erasure-form`)
		if !strings.Contains(form, "catégorie possible : « Effacement logique (Clear) »") || !strings.Contains(form, "SSD SATA") {
			t.Fatalf("%d px: the refusal does not name what is allowed:\n%s", width, form)
		}
		var method string
		b.run(chromedp.Value(`select[name=method]`, &method, chromedp.ByQuery))
		if method != "overwrite" {
			t.Fatalf("%d px: the form lost the method (%q)", width, method)
		}
		// The form fits the screen. (At 390 px the page itself scrolls
		// sideways, because of a next-step button outside the form.)
		var wide []string
		b.run(chromedp.Evaluate(`[...document.querySelectorAll('details.erasure-form *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + ' ' + (e.getAttribute('name') || e.textContent.trim().slice(0, 30)))`, &wide))
		if len(wide) > 0 {
			t.Errorf("%d px: the erasure form runs past the screen: %v", width, wide)
		}
		b.screenshot(fmt.Sprintf("refused-%d", width))
	}
	b.allowProblem("status of 422") // the refused forms
	b.run(chromedp.Click(`input[name=category][value=clear]`, chromedp.ByQuery))
	b.clickAndLoad(`form[action$="/erasures"] button[type=submit]`, chromedp.ByQuery)
	if got := b.text("ul.erasures"); !strings.Contains(got, "Effacement logique (Clear)") || !strings.Contains(got, "1 passe aléatoire") {
		t.Fatalf("erasures after Clear: %q", got)
	}
	b.screenshot("recorded")
}
