package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"golang.org/x/text/encoding/charmap"
)

// TestE2EImportMapping sends a donor's Windows-1252 list from the donation
// page, maps the column the suggestion left out and its values on the
// mapping page, sees the first rows' problems go, imports, and finds the
// new codes with their labels to print.
func TestE2EImportMapping(t *testing.T) {
	b := newBrowser(t)
	s := signedIn(t, b, "staff")
	b.run(
		chromedp.Navigate(s.base+"/donations/new"),
		chromedp.WaitVisible(`select[name=donor]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=name]`, "Société Générale d'Équipement", chromedp.ByQuery),
		chromedp.SetValue(`select[name=kind]`, "company", chromedp.ByQuery),
	)
	b.clickAndLoad(`form[action="/donations"] button[type=submit]`, chromedp.ByQuery)

	list := "Fabricant;Modèle;N° de série;Genre;Mémoire;Stockage\n" +
		"Lenovo;ThinkPad T480;PF1ABCDE;Machine portable;8 Go;256 Go SSD\n" +
		"Dell;OptiPlex 7060 « pro »;5CG1234;Machine fixe;8192 Mo;1 To HDD\n"
	win, err := charmap.Windows1252.NewEncoder().String(list)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "parc-société.csv")
	if err := os.WriteFile(file, []byte(win), 0o600); err != nil {
		t.Fatal(err)
	}
	b.run(chromedp.SetUploadFiles(`#import input[type=file]`, []string{file}, chromedp.ByQuery))
	b.clickAndLoad(`#import button[type=submit]`, chromedp.ByQuery)
	if h := b.text("h1"); h != "Importer la liste du donateur" {
		t.Fatalf("after the upload: %q", h)
	}
	sub := b.text(".subtitle")
	if !strings.Contains(sub, "Windows-1252") || !strings.Contains(sub, "2 lignes") {
		t.Fatalf("how the file was read: %q", sub)
	}
	var field string
	b.run(chromedp.Value(`select[name=col_2]`, &field, chromedp.ByQuery))
	if field != "serial_number" {
		t.Fatalf("N° de série suggested as %q", field)
	}
	if !strings.Contains(b.text("#import-errors"), "type d'unité") {
		t.Fatal("the missing kind column is not pointed out")
	}
	b.noHorizontalScroll()
	b.screenshot("import-suggested")
	// The page as it loaded kept to the CSP (a violation is a console error,
	// checked at the end); reloaded without it, axe-core may run.
	step := b.location()
	b.run(page.SetBypassCSP(true), chromedp.Navigate(step), chromedp.WaitVisible(`select[name=col_0]`, chromedp.ByQuery))
	for _, v := range b.axe() {
		t.Errorf("mapping page: %s (%s): %s on %v", v.ID, v.Impact, v.Help, v.Targets)
	}
	var small []smallTarget
	b.run(chromedp.Evaluate(fmt.Sprintf(smallTargetsJS, minTarget), &small))
	for _, st := range small {
		t.Errorf("mapping page: %s is %v×%v px", st.What, st.Width, st.Height)
	}

	// "Genre" is the kind: map it and check again.
	b.run(chromedp.SetValue(`select[name=col_3]`, "kind", chromedp.ByQuery))
	b.clickAndLoad(`button[value=preview]`, chromedp.ByQuery)
	if n := strings.Count(b.text("table.import-preview"), "type sans correspondance"); n != 2 {
		t.Fatalf("%d rows say their kind has no match, want 2", n)
	}
	b.run(
		chromedp.SetValue(`select[name=kind_0]`, "laptop", chromedp.ByQuery),
		chromedp.SetValue(`select[name=kind_1]`, "desktop", chromedp.ByQuery),
	)
	b.clickAndLoad(`button[value=preview]`, chromedp.ByQuery)
	var errs int
	b.run(chromedp.Evaluate(`document.querySelectorAll("td.cell-error").length + document.querySelectorAll("#import-errors").length`, &errs))
	if errs != 0 {
		t.Fatalf("%d problems left after the mapping", errs)
	}
	b.screenshot("import-mapped")

	b.clickAndLoad(`button[value=import]`, chromedp.ByQuery)
	if got := b.text("#importees h2"); got != "2 unités importées" {
		t.Fatalf("after the import: %q", got)
	}
	var codes int
	b.run(chromedp.Evaluate(`document.querySelectorAll('#importees input[name=codes]').length`, &codes))
	if codes != 2 {
		t.Fatalf("%d codes to print, want 2", codes)
	}
	if body := b.text("main"); !strings.Contains(body, "OptiPlex 7060 « pro »") {
		t.Fatal("the imported unit's model lost its characters")
	}
	b.screenshot("import-done")
}
