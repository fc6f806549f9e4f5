package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/database/dbtest"
)

// peopleDB opens a migrated SQLite database for a browser test, with a
// partner, a social worker and a staff member.
func peopleDB(t *testing.T) (string, *gorm.DB) {
	t.Helper()
	url := dbtest.URL(t, database.SQLite)
	ctx := context.Background()
	db, err := database.Open(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := database.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	acc := account.NewService(db, time.Now)
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
