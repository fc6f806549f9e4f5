package main

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/inventory"
)

// peopleDB opens a migrated SQLite database for a browser test, with a
// partner, a social worker and a staff member.
func peopleDB(t *testing.T) (string, *gorm.DB) {
	t.Helper()
	url, db, acc := e2eDatabase(t)
	ctx := context.Background()
	p, err := acc.CreatePartner(ctx, ordi.System, account.NewPartner{Name: "CCAS de Roubaix", Kind: account.PartnerCCAS})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []account.NewUser{
		{Email: "sw@ccas.example", Name: "Sophie Travailleuse-Sociale", Role: ordi.RoleSocialWorker, PartnerID: p.ID},
		{Email: "staff@regie.example", Name: "Sam Atelier", Role: ordi.RoleStaff},
		{Email: "volunteer@regie.example", Name: "Val Bénévole", Role: ordi.RoleVolunteer},
	} {
		u.Password = testPassword
		if _, err := acc.CreateUser(ctx, ordi.System, u); err != nil {
			t.Fatal(err)
		}
	}
	return url, db
}

// atWidths shows the page at a phone's, a tablet's and a desktop's width,
// runs check at each, and saves a screenshot; the tablet's 768 px is back
// after.
func (b *browser) atWidths(name string, check func(width int64)) {
	b.t.Helper()
	for _, w := range []int64{390, 800, 1280} {
		b.run(emulation.SetDeviceMetricsOverride(w, 900, 1, w < 600))
		if check != nil {
			check(w)
		}
		b.screenshot(fmt.Sprintf("%s-%d", name, w))
	}
	b.run(emulation.ClearDeviceMetricsOverride())
	// The page is laid out again at the window's width on a later frame: a
	// click aimed before then lands where the element was at 1280 px (the
	// look-alike test once ticked the consent box instead of its own).
	b.settle()
}

// settle waits for two animation frames, by which the last change of size
// has been laid out.
func (b *browser) settle() {
	b.t.Helper()
	var w int64
	b.run(chromedp.Evaluate(`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(window.innerWidth))))`, &w,
		func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
}

// TestE2ENominationSurvivesSessionEnd: with a 4-second idle timeout, a
// social worker fills the nomination form, is warned before the session
// ends, sends it after; the login page says why it is asked, and once signed
// in again the form is back, filled in, and is recorded when sent.
func TestE2ENominationSurvivesSessionEnd(t *testing.T) {
	b := newBrowser(t)
	url, db := peopleDB(t)
	database.Close(db)
	const idle = 4 * time.Second
	s := startServer(t, map[string]string{"ORDI_DATABASE_URL": url, "ORDI_SESSION_IDLE": idle.String()})

	b.login(s.base, "sw@ccas.example")
	// Whose session is open shows at every width.
	b.atWidths("home", func(w int64) {
		var who string
		b.run(chromedp.Evaluate(`(() => { const e = document.querySelector('.who-name'); return e && e.offsetParent !== null ? e.textContent : ""; })()`, &who))
		if !strings.HasPrefix(who, "Sophie") {
			t.Errorf("at %d px the signed-in name is not shown: %q", w, who)
		}
	})

	b.run(chromedp.Navigate(s.base+"/families/new"), chromedp.WaitVisible(`input[name=contact_name]`, chromedp.ByQuery))
	opened := time.Now()
	b.run(
		chromedp.SendKeys(`input[name=contact_name]`, "Mme Aïcha Benali", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=phone]`, "06 12 34 56 78", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=commune]`, "Roubaix", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=postcode]`, "59100", chromedp.ByQuery),
		chromedp.Click(`input[name=qpv][value=yes]`, chromedp.ByQuery),
		chromedp.SetValue(`select[name=income_bracket]`, "QF1", chromedp.ByQuery),
		chromedp.Click(`input[name=consent]`, chromedp.ByQuery),
	)
	// Warned before the end.
	b.run(chromedp.WaitVisible(`#session-warning`, chromedp.ByQuery))
	if since := time.Since(opened); since >= idle {
		t.Fatalf("the warning came %v after the page, past the %v timeout", since, idle)
	}
	b.screenshot("warning")
	time.Sleep(time.Until(opened.Add(idle + time.Second)))

	b.clickAndLoad(`form[action="/families"] button[type=submit]`, chromedp.ByQuery)
	if loc := b.location(); !strings.HasSuffix(loc, "/login") {
		t.Fatalf("after the timeout, at %s, want the login page", loc)
	}
	if notice := b.text(".flash-warn"); !strings.Contains(notice, "session a pris fin") || !strings.Contains(notice, "conservé") {
		t.Fatalf("login notice %q", notice)
	}
	b.atWidths("login-after-timeout", nil)
	b.run(
		chromedp.SendKeys(`input[name=email]`, "sw@ccas.example", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, testPassword, chromedp.ByQuery),
	)
	b.clickAndLoad(`form button[type=submit]`, chromedp.ByQuery)
	if loc := b.location(); !strings.HasSuffix(loc, "/families/new") {
		t.Fatalf("after login, at %s, want the form", loc)
	}
	var name, phone string
	var qpv, consent bool
	b.run(
		chromedp.WaitVisible(`form.restored`, chromedp.ByQuery),
		chromedp.Value(`input[name=contact_name]`, &name, chromedp.ByQuery),
		chromedp.Value(`input[name=phone]`, &phone, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector('input[name=qpv][value=yes]').checked`, &qpv),
		chromedp.Evaluate(`document.querySelector('input[name=consent]').checked`, &consent),
	)
	if name != "Mme Aïcha Benali" || phone != "06 12 34 56 78" || !qpv || !consent {
		t.Fatalf("form given back: name %q, phone %q, qpv %v, consent %v", name, phone, qpv, consent)
	}
	if flash := b.text(".flash-ok"); !strings.Contains(flash, "remis dans le formulaire") {
		t.Fatalf("flash %q", flash)
	}
	b.screenshot("form-given-back")
	b.clickAndLoad(`form[action="/families"] button[type=submit]`, chromedp.ByQuery)
	if ref := b.text(".big-code"); !strings.HasPrefix(ref, "F-") {
		t.Fatalf("not recorded after login: reference %q at %s", ref, b.location())
	}
}

// reservedUnit records a trained family nominated by the social worker and
// reserves a ready laptop for it; it returns the reservation, the unit's
// code and the family's id.
func reservedUnit(t *testing.T, db *gorm.DB, family string) (int64, string, int64) {
	t.Helper()
	ctx := context.Background()
	var sw account.User
	if err := db.Where("email = ?", "sw@ccas.example").Take(&sw).Error; err != nil {
		t.Fatal(err)
	}
	inv := inventory.NewService(db, time.Now)
	alloc := allocation.NewService(db, inv, time.Now)
	staff := ordi.Actor{Name: "Équipe", Role: ordi.RoleStaff}
	h, err := alloc.Nominate(ctx, sw.Actor(), allocation.NewHousehold{ContactName: family, Commune: "Roubaix", QPV: true, Adults: 1, Need: allocation.NeedAny, Consent: true})
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
		if _, err := inv.Transition(ctx, staff, string(u.Code), st, inventory.TransitionInput{}); err != nil {
			t.Fatal(err)
		}
	}
	r, err := alloc.Reserve(ctx, staff, h.ID, string(u.Code))
	if err != nil {
		t.Fatal(err)
	}
	return r.ID, string(u.Code), h.ID
}

// TestE2EHandoverSignedWithEyesOpen: the volunteer's handover form shows the
// conditions above the pad; sent without a signature it says so before any
// confirmation dialog; once done, the handover reopens as done with its
// attestation, the volunteer finds it again on /certificates, and staff
// find it from the unit's and the family's pages.
func TestE2EHandoverSignedWithEyesOpen(t *testing.T) {
	b := newBrowser(t)
	url, db := peopleDB(t)
	rid, code, family := reservedUnit(t, db, "Mme Zélie Canari")
	database.Close(db)
	s := startServer(t, map[string]string{"ORDI_DATABASE_URL": url})
	var dialogs atomic.Int32
	chromedp.ListenTarget(b.ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
		}
	})

	b.login(s.base, "volunteer@regie.example")
	handover := fmt.Sprintf("%s/handovers/%d", s.base, rid)
	b.run(chromedp.Navigate(handover), chromedp.WaitVisible(`details.terms`, chromedp.ByQuery))
	if strings.Contains(b.text("main"), "Canari") {
		t.Fatal("the handover page shows the family's name to a volunteer")
	}
	b.run(chromedp.Click(`details.terms summary`, chromedp.ByQuery), chromedp.WaitVisible(`details.terms li`, chromedp.ByQuery))
	if terms := b.text("details.terms"); !strings.Contains(terms, "ni vendu") {
		t.Fatalf("conditions shown: %q", terms)
	}
	b.atWidths("handover-terms", func(int64) { b.noHorizontalScroll() })
	b.run(chromedp.SendKeys(`input[name=signatory_name]`, "Mme Canari", chromedp.ByQuery))
	b.run(chromedp.Click(`#handover-form button[type=submit]`, chromedp.ByQuery), chromedp.WaitVisible(`#signature-missing`, chromedp.ByQuery))
	if n := dialogs.Load(); n != 0 || !strings.HasSuffix(b.location(), fmt.Sprintf("/handovers/%d", rid)) {
		t.Fatalf("a form without signature asked %d confirmations, at %s", n, b.location())
	}
	b.screenshot("signature-missing")
	b.run(chromedp.Click(`#paper`, chromedp.ByQuery))
	b.clickAndLoad(`#handover-form button[type=submit]`, chromedp.ByQuery)
	if n := dialogs.Load(); n != 1 {
		t.Fatalf("%d confirmations for a valid form, want 1", n)
	}
	number := b.text("strong.code")
	if !strings.HasPrefix(number, "REM-") {
		t.Fatalf("after the handover: %q", b.text("main"))
	}

	// Reopened: done, with its attestation, never a blank signing form.
	b.run(chromedp.Navigate(handover), chromedp.WaitVisible(`a.print-again`, chromedp.ByQuery))
	if main := b.text("main"); !strings.Contains(main, "déjà remis") || !strings.Contains(main, number) || strings.Contains(main, "Signature de la famille") {
		t.Fatalf("reopened handover:\n%s", main)
	}
	b.atWidths("handover-reopened", func(int64) { b.noHorizontalScroll() })
	b.run(chromedp.Navigate(s.base+"/certificates"), chromedp.WaitVisible(`table`, chromedp.ByQuery))
	if !strings.Contains(b.text("table"), number) {
		t.Fatal("the volunteer's list lacks the attestation they issued")
	}
	b.atWidths("volunteer-certificates", nil)

	b.login(s.base, "staff@regie.example")
	for _, p := range []string{"/u/" + code, fmt.Sprintf("/families/%d", family)} {
		b.run(chromedp.Navigate(s.base+p), chromedp.WaitVisible(`.attestation-link`, chromedp.ByQuery))
		if !strings.Contains(b.text(".attestation-link"), number) {
			t.Fatalf("%s does not link to %s", p, number)
		}
		b.atWidths("attestation-link-"+strings.Split(p, "/")[1], nil)
	}

	// The family's copy of its data, in French, readable on a phone.
	b.login(s.base, "sw@ccas.example")
	b.run(chromedp.Navigate(fmt.Sprintf("%s/families/%d", s.base, family)))
	b.clickAndLoad(`a[href$="/export"]`, chromedp.ByQuery)
	if main := b.text("main"); !strings.Contains(main, "Vos données dans le programme") || !strings.Contains(main, "Séance 1") || !strings.Contains(main, "remis le") {
		t.Fatalf("the family's copy:\n%s", main)
	}
	b.atWidths("family-copy", func(int64) { b.noHorizontalScroll() })
}

// TestE2ELookAlikeNomination: nominating again a family with the same name
// and phone, typed differently, shows the warning with the first file's
// reference and a box to confirm; the families' search finds both files
// without accents, words in any order.
func TestE2ELookAlikeNomination(t *testing.T) {
	b := newBrowser(t)
	url, db := peopleDB(t)
	database.Close(db)
	s := startServer(t, map[string]string{"ORDI_DATABASE_URL": url})
	b.login(s.base, "sw@ccas.example")
	nominate := func(name, phone string) {
		b.run(chromedp.Navigate(s.base+"/families/new"), chromedp.WaitVisible(`input[name=contact_name]`, chromedp.ByQuery))
		b.run(
			chromedp.SendKeys(`input[name=contact_name]`, name, chromedp.ByQuery),
			chromedp.SendKeys(`input[name=phone]`, phone, chromedp.ByQuery),
			chromedp.SendKeys(`input[name=commune]`, "Roubaix", chromedp.ByQuery),
			chromedp.Click(`input[name=qpv][value=yes]`, chromedp.ByQuery),
			chromedp.Click(`input[name=consent]`, chromedp.ByQuery),
		)
		b.clickAndLoad(`form[action="/families"] button[type=submit]`, chromedp.ByQuery)
	}
	nominate("Aïcha Benali", "06 12 34 56 78")
	first := b.text(".big-code")
	nominate("BENALI Aicha", "+33 6 12 34 56 78")
	if warning := b.text(".duplicate-warning"); !strings.Contains(warning, "même nom et même téléphone") || !strings.Contains(warning, first) {
		t.Fatalf("no look-alike warning naming %s: %q", first, warning)
	}
	b.atWidths("look-alike-warning", func(int64) { b.noHorizontalScroll() })
	b.allowProblem("409") // the warning's answer, logged by the console
	b.run(chromedp.Click(`input[name=duplicate_ok]`, chromedp.ByQuery))
	var ticked bool
	b.run(chromedp.Evaluate(`document.querySelector('input[name=duplicate_ok]').checked && document.querySelector('input[name=consent]').checked`, &ticked))
	if !ticked {
		t.Fatal("the tap did not tick the confirmation box, or unticked the consent")
	}
	b.clickAndLoad(`form[action="/families"] button[type=submit]`, chromedp.ByQuery)
	var created bool
	b.run(chromedp.Evaluate(`document.querySelector('.big-code') !== null`, &created))
	if !created {
		b.screenshot("confirmed-nomination")
		t.Fatalf("the confirmed nomination shows no reference:\n%s", b.text("main"))
	}
	if second := b.text(".big-code"); !strings.HasPrefix(second, "F-") || second == first {
		t.Fatalf("confirmed nomination: %q", second)
	}
	// Wait for the page, not for a table: an empty result has none, and
	// should fail here with what the page says rather than time out.
	b.run(chromedp.Navigate(s.base+"/families?q=aicha+benali"), chromedp.WaitVisible(`main h1`, chromedp.ByQuery))
	var rows int
	b.run(chromedp.Evaluate(`document.querySelectorAll('main tbody tr').length`, &rows))
	if rows != 2 {
		t.Fatalf("search 'aicha benali': %d rows, want 2:\n%s", rows, b.text("main"))
	}
	b.atWidths("families-search", nil)
}
