package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/pdfdoc/pdftest"
)

// TestE2EBilan opens the Bilan as an administrator on a 768 px tablet: the
// page fits, a small count of families shows "< 5", a preset changes the
// period and so does the form, the charts are drawn, and the three
// downloads hold the figures shown.
func TestE2EBilan(t *testing.T) {
	b := newBrowser(t)
	url, db, acc := e2eDatabase(t)
	ctx := context.Background()
	if _, err := acc.CreateUser(ctx, ordi.System, account.NewUser{Email: "ada@x.example", Name: "Ada Admin", Role: ordi.RoleAdmin, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	p, err := acc.CreatePartner(ctx, ordi.System, account.NewPartner{Name: "CCAS de Roubaix", Kind: account.PartnerCCAS})
	if err != nil {
		t.Fatal(err)
	}
	// Two families nominated today, in Roubaix; eight last year in Lille.
	now := time.Now().UTC()
	lastYear := time.Date(now.In(ordi.Paris).Year()-1, 6, 15, 10, 0, 0, 0, time.UTC)
	for i, at := range []time.Time{now, now, lastYear, lastYear, lastYear, lastYear, lastYear, lastYear, lastYear, lastYear} {
		commune := "Roubaix"
		if at.Equal(lastYear) {
			commune = "Lille"
		}
		if err := db.Exec(`INSERT INTO households (reference, contact_name, commune, qpv, adults, children, school_children, has_computer, need,
			consent_at, consent_by_name, partner_id, status, created_at, updated_at)
			VALUES (?, 'Famille', ?, ?, 1, 0, 0, ?, 'any', ?, 'test', ?, 'nominated', ?, ?)`,
			fmt.Sprintf("F-E2E-%d", i), commune, true, false, at, p.ID, at, at).Error; err != nil {
			t.Fatal(err)
		}
	}
	database.Close(db)

	s := startServer(t, map[string]string{"ORDI_DATABASE_URL": url})
	b.login(s.base, "ada@x.example")
	b.run(chromedp.EmulateViewport(768, 1024), chromedp.Navigate(s.base+"/"), chromedp.WaitVisible(`.nav-links`, chromedp.ByQuery))
	b.clickAndLoad(`.nav-links a[href="/bilan"]`, chromedp.ByQuery)
	b.run(chromedp.WaitVisible(`#families\.funnel`, chromedp.ByQuery))
	b.noHorizontalScroll()
	funnel := b.text(`#families\.funnel`)
	if !strings.Contains(funnel, "Orientées") || !strings.Contains(funnel, "< 5") {
		t.Fatalf("this year's funnel does not hide 2 families:\n%s", funnel)
	}
	var hidden []string
	b.run(chromedp.Evaluate(`[...document.querySelectorAll('td.suppressed')].map(td => td.textContent.trim())`, &hidden))
	if len(hidden) == 0 || hidden[0] != "< 5" {
		t.Fatalf("suppressed cells: %q", hidden)
	}
	b.screenshot("this-year")

	// Last year: eight families in Lille, published.
	b.clickAndLoad(`//nav[contains(@class,"presets")]/a[contains(., "an dernier")]`, chromedp.BySearch)
	b.run(chromedp.WaitVisible(`#families\.by_commune`, chromedp.ByQuery))
	if got := b.text(`#bilan-period`); !strings.Contains(got, fmt.Sprintf("01/01/%d", lastYear.Year())) {
		t.Fatalf("period after the preset: %q", got)
	}
	if got := b.text(`#families\.by_commune`); !strings.Contains(got, "Lille") || !strings.Contains(got, "8") || strings.Contains(got, "Roubaix") {
		t.Fatalf("last year's communes:\n%s", got)
	}
	b.noHorizontalScroll()

	// The charts, drawn on the server, and the three downloads of what the
	// page shows: the CSV's text, the workbook read back with excelize, the
	// PDF's text with the PDF tools.
	var charts int
	b.run(chromedp.Evaluate(`document.querySelectorAll('.bilan-chart svg[role=img]').length`, &charts))
	if charts != 3 {
		t.Errorf("%d charts on the page, want 3 (months, funnel, outcomes)", charts)
	}
	var hrefs []string
	b.run(chromedp.Evaluate(`[...document.querySelectorAll('.bilan-exports a')].map(a => a.href)`, &hrefs))
	if len(hrefs) != 3 {
		t.Fatalf("downloads: %q", hrefs)
	}
	files := map[string][]byte{}
	for _, h := range hrefs {
		for _, ext := range []string{".pdf?", ".xlsx?", ".csv?"} {
			if strings.Contains(h, ext) {
				files[ext] = fetchWithBrowserSession(t, b, h)
			}
		}
	}
	if csv := string(files[".csv?"]); !strings.HasPrefix(csv, "\ufeff") || !strings.Contains(csv, "Lille;8") {
		t.Errorf("CSV:\n%s", csv)
	}
	book, err := excelize.OpenReader(bytes.NewReader(files[".xlsx?"]))
	if err != nil {
		t.Fatalf("XLSX: %v", err)
	}
	found := false
	for _, sheet := range book.GetSheetList() {
		rows, _ := book.GetRows(sheet)
		for _, r := range rows {
			found = found || len(r) >= 2 && r[0] == "Lille" && r[1] == "8"
		}
	}
	if !found {
		t.Errorf("no sheet of the workbook has Lille's 8 families: %v", book.GetSheetList())
	}
	pdftest.RequireTools(t)
	if text := strings.Join(pdftest.Text(t, files[".pdf?"]), "\n"); !strings.Contains(text, "Bilan d") || !strings.Contains(text, "Lille") {
		t.Errorf("PDF text:\n%s", text)
	}

	// The form: an end before the start is refused on the field, in French.
	b.run(
		chromedp.SetValue(`input[name=from]`, fmt.Sprintf("%d-03-10", lastYear.Year()), chromedp.ByQuery),
		chromedp.SetValue(`input[name=to]`, fmt.Sprintf("%d-03-01", lastYear.Year()), chromedp.ByQuery),
	)
	b.clickAndLoad(`form.bilan-filter button[type=submit]`, chromedp.ByQuery)
	b.allowProblem("status of 422") // the refused period
	if got := b.text(`form.bilan-filter`); !strings.Contains(got, "La fin de la période précède son début.") {
		t.Fatalf("the refused period says:\n%s", got)
	}
	b.screenshot("refused")
	b.run(chromedp.SetValue(`input[name=to]`, fmt.Sprintf("%d-12-31", lastYear.Year()), chromedp.ByQuery))
	b.clickAndLoad(`form.bilan-filter button[type=submit]`, chromedp.ByQuery)
	if got := b.text(`#bilan-period`); !strings.Contains(got, fmt.Sprintf("du 10/03/%d au 31/12/%d", lastYear.Year(), lastYear.Year())) {
		t.Fatalf("period after the form: %q", got)
	}
	b.screenshot("form")
}
