package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/inventory"
)

// TestE2EToolReports attaches real tool outputs from the unit page in the
// browser: a file of no known format gets a French message on the form;
// lshw of another machine fills nothing typed and shows each disagreement
// with both values; taking the report's value settles it; nwipe's log gives
// a passed Clear erasure.
func TestE2EToolReports(t *testing.T) {
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
	u, err := inv.CreateUnit(ctx, staff, inventory.NewUnit{DonationID: donation.ID, UnitSpec: inventory.UnitSpec{Kind: inventory.KindDesktop, Brand: "Dell", Model: "OptiPlex 7010"}})
	if err != nil {
		t.Fatal(err)
	}
	database.Close(db)
	fixture := func(name string) string {
		p, err := filepath.Abs(filepath.Join("..", "..", "inventory", "hwreport", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	s := startServer(t, map[string]string{"ORDI_DATABASE_URL": url})
	b.login(s.base, "sam@x.example")
	b.run(chromedp.EmulateViewport(390, 900), chromedp.Navigate(s.base+"/u/"+string(u.Code)), chromedp.WaitVisible(`input[name=report]`, chromedp.ByQuery))
	upload := func(file string) {
		t.Helper()
		b.run(chromedp.SetUploadFiles(`input[name=report]`, []string{file}, chromedp.ByQuery))
		b.clickAndLoad(`form.report-upload button[type=submit]`, chromedp.ByQuery)
	}

	upload(fixture("README.md"))
	if got := b.text("form.report-upload"); !strings.Contains(got, "Format de rapport inconnu") {
		t.Fatalf("unknown file: the form says %q", got)
	}
	b.allowProblem("status of 422")

	upload(fixture("lshw-dell-optiplex-745.json"))
	if got := b.text("section.conflicts"); !strings.Contains(got, "OptiPlex 7010") || !strings.Contains(got, "OptiPlex 745") {
		t.Fatalf("conflicts: %q", got)
	}
	if got := b.text("table.drives"); !strings.Contains(got, "WD-WMAV2W580992") {
		t.Fatalf("drives: %q", got)
	}
	b.screenshot("conflicts")
	// The first two disagreements are the brand ("Dell" typed, "Dell Inc."
	// read) and the model: take the report's value for both.
	var title string
	for _, want := range []string{"Dell Inc. OptiPlex 7010", "Dell Inc. OptiPlex 745"} {
		b.clickAndLoad(`section.conflicts form:has(input[name=choice][value=reported]) button`, chromedp.ByQuery)
		b.run(chromedp.Text("h1", &title, chromedp.ByQuery))
		if title != want {
			t.Fatalf("title after taking the report's value: %q, want %q", title, want)
		}
	}

	upload(fixture("nwipe-0.33-zero-verify-last.log"))
	if got := b.text("ul.erasures"); !strings.Contains(got, "Effacement logique (Clear)") || !strings.Contains(got, "Fill With Zeros") {
		t.Fatalf("erasures after nwipe: %q", got)
	}
	b.screenshot("erased")

	// With another machine's report, the page with its drives, reports and
	// disagreements passes axe-core and keeps fingertip-sized targets on the
	// phone (axe needs the CSP bypassed, hence last).
	upload(fixture("lshw-toshiba-portege-r700.json"))
	if got := b.text("section.conflicts"); !strings.Contains(got, "N° de série") || !strings.Contains(got, "Processeur") {
		t.Fatalf("disagreements: %q", got)
	}
	b.run(page.SetBypassCSP(true), chromedp.Navigate(s.base+"/u/"+string(u.Code)), chromedp.WaitVisible(`input[name=report]`, chromedp.ByQuery))
	for _, v := range b.axe() {
		t.Errorf("axe: %s (%s): %s on %v", v.ID, v.Impact, v.Help, v.Targets)
	}
	var small []smallTarget
	b.run(chromedp.Evaluate(fmt.Sprintf(smallTargetsJS, minTarget), &small))
	for _, st := range small {
		t.Errorf("at 390 px: %s is %.0f×%.0f px", st.What, st.Width, st.Height)
	}
}
