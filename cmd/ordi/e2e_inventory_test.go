package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/database/dbtest"
)

// signedIn starts Ordi with a staff account and signs the browser in.
func signedIn(t *testing.T, b *browser, role string) *server {
	t.Helper()
	vars := map[string]string{"ORDI_DATABASE_URL": dbtest.URL(t, database.SQLite)}
	if _, _, err := runCmd(t, vars, testPassword+"\n", "user", "add", "--email", "sam@regie.example", "--name", "Sam Atelier", "--role", role); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, vars)
	b.run(
		chromedp.Navigate(s.base+"/login"),
		chromedp.SendKeys(`input[name=email]`, "sam@regie.example", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, testPassword, chromedp.ByQuery),
	)
	b.clickAndLoad(`form button[type=submit]`, chromedp.ByQuery)
	return s
}

// TestE2EInventory registers a donation with a new donor, adds a unit, moves
// it to ready with the buttons (recording the erasure the page asks for) and
// checks the timeline.
func TestE2EInventory(t *testing.T) {
	b := newBrowser(t)
	s := signedIn(t, b, "staff")
	b.screenshot("home-empty")

	b.run(
		chromedp.Navigate(s.base+"/donations/new"),
		chromedp.WaitVisible(`select[name=donor]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=name]`, "Crédit Coopératif", chromedp.ByQuery),
		chromedp.SetValue(`select[name=kind]`, "company", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=site]`, "Siège, Nanterre", chromedp.ByQuery),
	)
	b.noHorizontalScroll()
	b.screenshot("donation-form")
	b.clickAndLoad(`form[action="/donations"] button[type=submit]`, chromedp.ByQuery)
	if got := b.text("h1"); got != "Crédit Coopératif" {
		t.Fatalf("donation page heading %q", got)
	}

	b.run(
		chromedp.SetValue(`select[name=kind]`, "laptop", chromedp.ByQuery),
		chromedp.SendKeys(`form[action$="/units"] input[name=brand]`, "Lenovo", chromedp.ByQuery),
		chromedp.SendKeys(`form[action$="/units"] input[name=model]`, "ThinkPad T480", chromedp.ByQuery),
		chromedp.SendKeys(`form[action$="/units"] input[name=serial_number]`, "PF1ABC23", chromedp.ByQuery),
		chromedp.SendKeys(`form[action$="/units"] input[name=ram_gb]`, "8", chromedp.ByQuery),
		chromedp.SendKeys(`form[action$="/units"] input[name=storage_gb]`, "256", chromedp.ByQuery),
		chromedp.SetValue(`select[name=storage_kind]`, "ssd", chromedp.ByQuery),
	)
	b.clickAndLoad(`form[action$="/units"] button[type=submit]`, chromedp.ByQuery)
	code := b.text(".added a.code")
	if !regexp.MustCompile(`^[0-9A-Z]{7}$`).MatchString(code) {
		t.Fatalf("new unit code %q", code)
	}
	// The form remembers the description for the next unit of the batch.
	var brand string
	b.run(chromedp.Value(`form[action$="/units"] input[name=brand]`, &brand, chromedp.ByQuery))
	if brand != "Lenovo" {
		t.Fatalf("brand not remembered: %q", brand)
	}
	b.noHorizontalScroll()
	b.screenshot("donation-page")

	b.clickAndLoad(`.added a.code`, chromedp.ByQuery)
	b.screenshot("unit-received")
	click := func(label string) {
		t.Helper()
		b.clickAndLoad(`//section[contains(@class,"next-steps")]//button[not(@disabled) and normalize-space()="`+label+`"]`, chromedp.BySearch)
	}
	click("Marquer comme diagnostiqué")
	if got := b.text(".unit-status"); got != "Diagnostiqué" {
		t.Fatalf("status %q after diagnosis", got)
	}
	// "Données effacées" waits for an erasure: the button is disabled and the form is open.
	var disabled bool
	b.run(chromedp.Evaluate(`[...document.querySelectorAll(".next-steps button[disabled]")].some(b => b.textContent.includes("effacées"))`, &disabled))
	if !disabled {
		t.Fatal("the wiped step is offered before any erasure")
	}
	b.noHorizontalScroll()
	b.screenshot("unit-needs-erasure")
	b.run(
		chromedp.SetValue(`select[name=method]`, "sanitize", chromedp.ByQuery),
		chromedp.Click(`input[name=category][value=purge]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=technique]`, "NVMe Sanitize (block erase)", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=tool]`, "nvme-cli 2.4", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=drive_serial]`, "S3Z9NB0K123", chromedp.ByQuery),
		chromedp.Click(`input[name=result][value=passed]`, chromedp.ByQuery),
	)
	b.clickAndLoad(`form[action$="/erasures"] button[type=submit]`, chromedp.ByQuery)
	click("Marquer les données comme effacées")
	click("Marquer comme reconditionné")
	click("Marquer comme prêt")
	if got := b.text(".unit-status"); got != "Prêt" {
		t.Fatalf("status %q, want Prêt", got)
	}
	timeline := b.text("ol.timeline")
	for _, want := range []string{"Unité enregistrée", "Réceptionné → Diagnostiqué", "Effacement réussi enregistré", "Diagnostiqué → Données effacées", "Données effacées → Reconditionné", "Reconditionné → Prêt", "Sam Atelier"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("timeline lacks %q:\n%s", want, timeline)
		}
	}
	b.noHorizontalScroll()
	b.screenshot("unit-ready")

	// The dashboard counts it.
	b.run(chromedp.Navigate(s.base+"/"), chromedp.WaitVisible(`.tiles.stock`, chromedp.ByQuery))
	if got := b.text(`.tiles.stock a[href="/units?status=ready"] .count`); got != "1" {
		t.Fatalf("ready count %q", got)
	}
	b.screenshot("home-stock")
	b.run(chromedp.Navigate(s.base+"/units?q="+strings.ToLower(code)), chromedp.WaitVisible(`.unit-status`, chromedp.ByQuery))
	if loc := b.location(); !strings.HasSuffix(loc, "/u/"+code) {
		t.Fatalf("searching a code landed on %s", loc)
	}
}
