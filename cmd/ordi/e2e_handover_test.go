package main

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/pdfdoc/pdftest"
)

// TestE2EHandoverDesk opens the handover desk as a volunteer, draws a
// signature on the canvas with the mouse, records the handover and reads the
// attestation it issued.
func TestE2EHandoverDesk(t *testing.T) {
	b := newBrowser(t)
	url, db, acc := e2eDatabase(t)
	ctx := context.Background()
	p, _ := acc.CreatePartner(ctx, ordi.System, account.NewPartner{Name: "CCAS de Roubaix", Kind: account.PartnerCCAS})
	sw, _ := acc.CreateUser(ctx, ordi.System, account.NewUser{Email: "sw@x.example", Name: "SW", Role: ordi.RoleSocialWorker, PartnerID: p.ID, Password: testPassword})
	if _, err := acc.CreateUser(ctx, ordi.System, account.NewUser{Email: "vol@x.example", Name: "Vera Bénévole", Role: ordi.RoleVolunteer, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	inv := inventory.NewService(db, time.Now)
	alloc := allocation.NewService(db, inv, time.Now)
	staff := ordi.Actor{Name: "Équipe", Role: ordi.RoleStaff}
	h, err := alloc.Nominate(ctx, sw.Actor(), allocation.NewHousehold{ContactName: "Mme Canari", Commune: "Roubaix", QPV: true, Adults: 1, Need: allocation.NeedAny, Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	alloc.Decide(ctx, staff, h.ID, true, "")
	course, _ := alloc.CreateCourse(ctx, staff, allocation.NewCourse{Title: "Premiers pas", SessionDates: []string{"2026-10-05"}, RequiredSessions: 1})
	alloc.Enroll(ctx, staff, course.ID, h.ID)
	alloc.RecordAttendance(ctx, staff, course.ID, allocation.Mark{HouseholdID: h.ID, Session: 1, Present: true})
	donor, _ := inv.CreateDonor(ctx, staff, inventory.NewDonor{Name: "Entreprise", Kind: inventory.DonorCompany})
	donation, _ := inv.CreateDonation(ctx, staff, inventory.NewDonation{DonorID: donor.ID, ReceivedOn: "2026-10-01"})
	u, _ := inv.CreateUnit(ctx, staff, inventory.NewUnit{DonationID: donation.ID, UnitSpec: inventory.UnitSpec{Kind: inventory.KindLaptop, Brand: "Dell", Model: "Latitude 5490", RAMGB: 8, StorageGB: 256, StorageKind: inventory.StorageSSD}})
	inv.RecordErasure(ctx, staff, string(u.Code), inventory.NewErasure{Category: inventory.ErasurePurge, Technique: "sanitize", Result: inventory.ErasurePassed})
	for _, st := range []inventory.Status{inventory.StatusDiagnosed, inventory.StatusWiped, inventory.StatusRefurbished, inventory.StatusReady} {
		inv.Transition(ctx, staff, string(u.Code), st, inventory.TransitionInput{})
	}
	if _, err := alloc.Reserve(ctx, staff, h.ID, string(u.Code)); err != nil {
		t.Fatal(err)
	}
	database.Close(db)

	s := startServer(t, map[string]string{"ORDI_DATABASE_URL": url})
	b.login(s.base, "vol@x.example")
	b.run(chromedp.Navigate(s.base+"/handovers"), chromedp.WaitVisible(`ul.desk`, chromedp.ByQuery))
	if strings.Contains(b.text("main"), "Canari") {
		t.Fatal("the desk shows the family's name to a volunteer")
	}
	b.noHorizontalScroll()
	b.screenshot("desk")
	b.clickAndLoad(`ul.desk a`, chromedp.ByQuery)
	b.screenshot("handover")
	b.run(chromedp.SendKeys(`input[name=signatory_name]`, "Mme Canari", chromedp.ByQuery))

	// Draw a zigzag on the pad with the mouse.
	var box struct{ X, Y, W, H float64 }
	b.run(chromedp.Evaluate(`(() => { const r = document.getElementById("signature-pad").getBoundingClientRect(); window.scrollTo(0, r.top + window.scrollY - 100); const q = document.getElementById("signature-pad").getBoundingClientRect(); return {X: q.left, Y: q.top, W: q.width, H: q.height}; })()`, &box))
	b.run(chromedp.ActionFunc(func(ctx context.Context) error {
		x, y := box.X+20, box.Y+box.H/2
		if err := input.DispatchMouseEvent(input.MousePressed, x, y).WithButton(input.Left).WithClickCount(1).Do(ctx); err != nil {
			return err
		}
		for i := 1; i <= 20; i++ {
			dy := 25.0
			if i%2 == 0 {
				dy = -25
			}
			if err := input.DispatchMouseEvent(input.MouseMoved, x+float64(i)*(box.W-40)/20, y+dy).WithButton(input.Left).Do(ctx); err != nil {
				return err
			}
		}
		return input.DispatchMouseEvent(input.MouseReleased, x+box.W-40, y).WithButton(input.Left).WithClickCount(1).Do(ctx)
	}))
	var inked bool
	b.run(chromedp.Evaluate(`(() => { const c = document.getElementById("signature-pad"); const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true; return false; })()`, &inked))
	if !inked {
		t.Fatal("nothing was drawn on the signature pad")
	}
	b.noHorizontalScroll()
	b.screenshot("signed")
	b.clickAndLoad(`#handover-form button[type=submit]`, chromedp.ByQuery)
	if got := b.text("h1"); got != "Remise enregistrée" {
		t.Fatalf("after the handover: %q", got)
	}
	number := b.text("strong.code")
	b.screenshot("done")

	// The attestation carries the tablet signature.
	res, err := http.Get(s.base + "/verify/" + number)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("verify %s: %v %v", number, res, err)
	}
	res.Body.Close()
	pdf := fetchWithBrowserSession(t, b, s.base+"/api/v1/certificates/"+number+".pdf")
	pdftest.RequireTools(t)
	if text := pdftest.Text(t, pdf)[0]; !strings.Contains(text, "Signé sur tablette") || !strings.Contains(text, "Mme Canari") || !strings.Contains(text, string(u.Code)) {
		t.Fatalf("attestation text:\n%s", text)
	}
}

// fetchWithBrowserSession downloads url inside the browser (its session
// cookie is HttpOnly) and returns the bytes.
func fetchWithBrowserSession(t *testing.T, b *browser, url string) []byte {
	t.Helper()
	var b64 string
	b.run(chromedp.Evaluate(`fetch("`+url+`").then(r => r.arrayBuffer()).then(buf => { let s = ""; new Uint8Array(buf).forEach(c => s += String.fromCharCode(c)); return btoa(s); })`, &b64, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
