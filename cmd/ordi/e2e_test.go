package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/database/dbtest"
)

// TestE2EFirstRunAndLogin starts Ordi on an empty database, follows the
// printed one-time link in Chromium, creates the first administrator, signs
// out and signs in again.
func TestE2EFirstRunAndLogin(t *testing.T) {
	b := newBrowser(t)
	s := startServer(t, map[string]string{"ORDI_DATABASE_URL": dbtest.URL(t, database.SQLite)})
	link := regexp.MustCompile(`/setup/[0-9a-f]{32}`).FindString(s.stdout.String())
	if link == "" {
		t.Fatalf("no setup link printed:\n%s", s.stdout.String())
	}

	b.run(chromedp.Navigate(s.base + link))
	b.noHorizontalScroll()
	b.screenshot("setup")
	b.run(
		chromedp.SendKeys(`input[name=name]`, "Aïcha Benali", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=email]`, "aicha@regie.example", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, testPassword, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password_confirm]`, testPassword, chromedp.ByQuery),
	)
	b.clickAndLoad(`form button[type=submit]`, chromedp.ByQuery)
	if got := b.text("h1"); got != "Bonjour Aïcha Benali" {
		t.Fatalf("home heading %q", got)
	}
	if flash := b.text(".flash-ok"); !strings.Contains(flash, "compte administrateur est créé") {
		t.Fatalf("flash %q", flash)
	}
	b.noHorizontalScroll()
	b.screenshot("home")

	// The link is dead once used.
	b.run(chromedp.Navigate(s.base + link))
	b.allowProblem("404")
	if got := b.text("h1"); got != "Introuvable" {
		t.Fatalf("used setup link shows %q", got)
	}

	// Sign out, then in again through a protected page.
	b.run(chromedp.Navigate(s.base + "/"))
	b.clickAndLoad(`form[action="/logout"] button`, chromedp.ByQuery)
	b.run(chromedp.Navigate(s.base+"/admin/users"), chromedp.WaitVisible(`input[name=email]`, chromedp.ByQuery))
	b.screenshot("login")
	b.run(
		chromedp.SendKeys(`input[name=email]`, "aicha@regie.example", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, testPassword, chromedp.ByQuery),
	)
	b.clickAndLoad(`form button[type=submit]`, chromedp.ByQuery)
	if loc := b.location(); !strings.HasSuffix(loc, "/admin/users") {
		t.Fatalf("after login at %s, want back at /admin/users", loc)
	}
	if got := b.text("tbody"); !strings.Contains(got, "aicha@regie.example") {
		t.Fatalf("users table: %q", got)
	}
	b.noHorizontalScroll()
	b.screenshot("users")
}
