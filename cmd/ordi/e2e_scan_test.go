package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/pdfdoc"
)

// TestE2EScanBatch scans labels by typing their codes (as a keyboard-wedge
// scanner does), sees each one judged (OK, unknown, already scanned,
// already there), applies one move to the batch and reads "N sur M".
func TestE2EScanBatch(t *testing.T) {
	b := newBrowser(t)
	s := signedIn(t, b, "staff")

	// Two units, one of which cannot be diagnosed (it already is).
	db, err := database.Open(context.Background(), s.dbURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close(db)
	inv := inventory.NewService(db, time.Now)
	ctx := context.Background()
	donor, _ := inv.CreateDonor(ctx, ordi.System, inventory.NewDonor{Name: "Donateur", Kind: inventory.DonorCompany})
	donation, _ := inv.CreateDonation(ctx, ordi.System, inventory.NewDonation{DonorID: donor.ID, ReceivedOn: "2026-11-01"})
	var codes []string
	for i := 0; i < 3; i++ {
		u, err := inv.CreateUnit(ctx, ordi.System, inventory.NewUnit{DonationID: donation.ID, UnitSpec: inventory.UnitSpec{Kind: inventory.KindLaptop, Brand: "HP", Model: "ProBook"}})
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, string(u.Code))
	}
	if _, err := inv.Transition(ctx, ordi.System, codes[2], inventory.StatusDiagnosed, inventory.TransitionInput{}); err != nil {
		t.Fatal(err)
	}

	b.run(chromedp.Navigate(s.base+"/scan"), chromedp.WaitVisible(`#scan-input`, chromedp.ByQuery))
	b.noHorizontalScroll()
	b.run(
		chromedp.Click(`input[name=mode][value=transition]`, chromedp.ByQuery),
		chromedp.SetValue(`#scan-to`, "diagnosed", chromedp.ByQuery),
	)
	scan := func(text string, want int) {
		t.Helper()
		b.run(
			chromedp.SendKeys(`#scan-input`, text+"\n", chromedp.ByQuery),
			chromedp.Poll(fmt.Sprintf(`document.querySelectorAll("#scan-list li").length >= %d`, want), nil, chromedp.WithPollingTimeout(10*time.Second)),
		)
	}
	scan(strings.ToLower(codes[0]), 1)       // typed in lower case
	scan("https://ordi.test/u/"+codes[1], 2) // a label's URL, as a wedge scanner types it
	scan(codes[0], 3)                        // again
	scan("NOTACODE", 4)                      // a foreign QR
	scan(codes[2], 5)                        // already diagnosed
	list := b.text("#scan-list")
	for _, want := range []string{"Déjà scannée", "Code inconnu", "Déjà fait", "OK"} {
		if !strings.Contains(list, want) {
			t.Errorf("scan list lacks %q:\n%s", want, list)
		}
	}
	if got := b.text("#scan-apply"); got != "Appliquer à 2 unités" {
		t.Fatalf("apply button %q", got)
	}
	b.screenshot("batch")
	b.run(
		chromedp.Click(`#scan-apply`, chromedp.ByQuery),
		chromedp.WaitVisible(`#scan-result.flash-ok`, chromedp.ByQuery),
	)
	if got := b.text("#scan-result"); !strings.HasPrefix(got, "2 unités sur 2 ont changé de statut.") {
		t.Fatalf("result %q", got)
	}
	for _, c := range codes[:2] {
		u, _ := inv.Unit(ctx, ordi.System, c)
		if u.Status != inventory.StatusDiagnosed {
			t.Fatalf("%s is %s after the batch", c, u.Status)
		}
	}
	b.screenshot("applied")

	// In "open" mode a typed code opens its unit.
	b.run(chromedp.Navigate(s.base+"/scan"), chromedp.WaitVisible(`#scan-input`, chromedp.ByQuery))
	b.run(chromedp.SendKeys(`#scan-input`, codes[1]+"\n", chromedp.ByQuery), chromedp.WaitVisible(`.unit-status`, chromedp.ByQuery))
	if loc := b.location(); !strings.HasSuffix(loc, "/u/"+codes[1]) {
		t.Fatalf("open mode landed on %s", loc)
	}

	// In "print" mode the review panel shows the paper and the labels
	// already used on the sheet; both are sent with the batch.
	b.run(chromedp.Navigate(s.base+"/scan"), chromedp.WaitVisible(`#scan-input`, chromedp.ByQuery))
	b.run(chromedp.Click(`input[name=mode][value=print]`, chromedp.ByQuery))
	for i, c := range codes {
		scan(c, i+1)
	}
	b.run(chromedp.WaitVisible(`#scan-template`, chromedp.ByQuery), chromedp.WaitVisible(`#scan-skip`, chromedp.ByQuery))
	if got := b.text("#scan-apply"); got != "Imprimer 3 étiquettes" {
		t.Fatalf("print button %q", got)
	}
	choose := func(tpl string) {
		t.Helper()
		b.run(chromedp.SetValue(`#scan-template`, tpl, chromedp.ByQuery),
			chromedp.Evaluate(`document.getElementById("scan-template").dispatchEvent(new Event("change", {bubbles: true}))`, nil))
	}
	var skipMax string
	choose("DK-11209") // a roll: nothing to skip, the input hides
	b.run(chromedp.WaitNotVisible(`#scan-skip`, chromedp.ByQuery), chromedp.Evaluate(`document.getElementById("scan-skip").max`, &skipMax))
	if skipMax != "0" {
		t.Fatalf("skip max on a roll: %q", skipMax)
	}
	choose("L7160")
	b.run(chromedp.WaitVisible(`#scan-skip`, chromedp.ByQuery), chromedp.Evaluate(`document.getElementById("scan-skip").max`, &skipMax))
	if skipMax != "20" {
		t.Fatalf("skip max on L7160: %q", skipMax)
	}
	b.run(chromedp.SetValue(`#scan-skip`, "2", chromedp.ByQuery))
	b.screenshot("print-batch")
	// One unit vanishes (its code changed) between the scan and the print:
	// the server refuses it and the page says why.
	if err := db.Exec("UPDATE units SET code = ? WHERE code = ?", "GONE000", codes[2]).Error; err != nil {
		t.Fatal(err)
	}
	b.run(
		chromedp.Click(`#scan-apply`, chromedp.ByQuery),
		chromedp.WaitVisible(`#scan-result.flash-error`, chromedp.ByQuery),
	)
	result := b.text("#scan-result")
	if !strings.HasPrefix(result, "2 étiquettes sur 3 envoyées à l'impression") || !strings.Contains(result, codes[2]+" : Code inconnu") {
		t.Fatalf("print result %q", result)
	}
	b.screenshot("printed")
	// The PDF opened in its tab: both units are printed on L7160.
	deadline := time.Now().Add(15 * time.Second)
	for _, c := range codes[:2] {
		for {
			events, err := inv.Events(ctx, ordi.System, c)
			if err != nil {
				t.Fatal(err)
			}
			last := events[len(events)-1]
			if last.Action == "label_printed" {
				if !strings.Contains(last.Data, `"L7160"`) {
					t.Fatalf("%s printed with %s, want L7160", c, last.Data)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s was not printed: %+v", c, last)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// writeY4M writes a few seconds of video showing img, in the YUV4MPEG2
// format Chromium's fake camera plays.
func writeY4M(t *testing.T, path string, img *image.Gray) {
	t.Helper()
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "YUV4MPEG2 W%d H%d F10:1 Ip A1:1 C420jpeg\n", w, h)
	chroma := bytes.Repeat([]byte{128}, (w/2)*(h/2))
	for f := 0; f < 30; f++ {
		buf.WriteString("FRAME\n")
		for y := 0; y < h; y++ {
			buf.Write(img.Pix[y*img.Stride : y*img.Stride+w])
		}
		buf.Write(chroma)
		buf.Write(chroma)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// qrImage draws the QR of text, with its quiet zone, centred on a white
// 640×480 picture.
func qrImage(t *testing.T, text string) *image.Gray {
	t.Helper()
	q, err := pdfdoc.EncodeQR(text, pdfdoc.LevelM)
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewGray(image.Rect(0, 0, 640, 480))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	scale := 400 / (q.Size() + 2*pdfdoc.QuietZone)
	ox := (640 - q.Size()*scale) / 2
	oy := (480 - q.Size()*scale) / 2
	for r, row := range q.Modules {
		for c, dark := range row {
			if !dark {
				continue
			}
			for dy := 0; dy < scale; dy++ {
				for dx := 0; dx < scale; dx++ {
					img.Pix[(oy+r*scale+dy)*img.Stride+ox+c*scale+dx] = 0
				}
			}
		}
	}
	return img
}

// TestE2ECameraScan points Chromium's fake camera at a label's QR code: the
// scan page reads it with the BarcodeDetector (the ponyfill and its
// WebAssembly decoder served by Ordi, under the strict CSP) and opens the
// unit.
func TestE2ECameraScan(t *testing.T) {
	vars := map[string]string{"ORDI_DATABASE_URL": dbtest.URL(t, database.SQLite)}
	db, err := database.Open(context.Background(), vars["ORDI_DATABASE_URL"], nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := database.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	inv := inventory.NewService(db, time.Now)
	ctx := context.Background()
	donor, _ := inv.CreateDonor(ctx, ordi.System, inventory.NewDonor{Name: "Donateur", Kind: inventory.DonorCompany})
	donation, _ := inv.CreateDonation(ctx, ordi.System, inventory.NewDonation{DonorID: donor.ID, ReceivedOn: "2026-11-01"})
	u, err := inv.CreateUnit(ctx, ordi.System, inventory.NewUnit{DonationID: donation.ID, UnitSpec: inventory.UnitSpec{Kind: inventory.KindLaptop, Brand: "Acer", Model: "TravelMate"}})
	if err != nil {
		t.Fatal(err)
	}
	database.Close(db)

	video := filepath.Join(t.TempDir(), "label.y4m")
	writeY4M(t, video, qrImage(t, "http://ordi.test/u/"+string(u.Code)))
	b := newBrowser(t,
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-video-capture", video),
	)
	if _, _, err := runCmd(t, vars, testPassword+"\n", "user", "add", "--email", "vol@regie.example", "--name", "Vera Bénévole", "--role", "volunteer"); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, vars)
	b.run(
		chromedp.Navigate(s.base+"/login?next=/scan"),
		chromedp.SendKeys(`input[name=email]`, "vol@regie.example", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, testPassword, chromedp.ByQuery),
	)
	b.clickAndLoad(`form button[type=submit]`, chromedp.ByQuery)
	b.run(chromedp.WaitVisible(`#scan-camera`, chromedp.ByQuery), chromedp.Click(`#scan-camera`, chromedp.ByQuery))
	if url, ok := b.waitNavigation("/u/"+string(u.Code), 30*time.Second); !ok {
		b.screenshot("camera")
		var msg string
		chromedp.Run(b.ctx, chromedp.Evaluate(`document.getElementById("scan-camera-msg")?.textContent ?? ""`, &msg))
		t.Fatalf("the camera did not open the unit; the page is %s and says %q", url, msg)
	}
	b.run(chromedp.WaitVisible(`.unit-status`, chromedp.ByQuery))
	if got := b.text("h1"); got != "Acer TravelMate" {
		t.Fatalf("opened %q", got)
	}
}
