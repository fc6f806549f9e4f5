package main

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/app"
	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

// axeSource is axe-core, vendored for this test only (testdata/axe-core:
// version, licence, update script). It is injected into each page with the
// Content-Security-Policy bypassed in the browser, never served by Ordi.
//
//go:embed testdata/axe-core/axe.min.js
var axeSource string

// rolePages are the pages one account reaches; email "" is the public.
type rolePages struct {
	email string
	paths []string
}

// startDemoSite runs Ordi on the demo workshop with one account per role,
// and lists the main pages each role sees, with real identifiers.
func startDemoSite(t *testing.T) (*server, []rolePages) {
	t.Helper()
	url := dbtest.URL(t, database.SQLite)
	vars := map[string]string{"ORDI_DATABASE_URL": url}
	if out, errOut, err := runCmd(t, vars, "", "demo"); err != nil {
		t.Fatalf("demo: %v\n%s%s", err, out, errOut)
	}
	ctx := context.Background()
	db, err := database.Open(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc := app.New(db, "http://ordi.test", time.Now)
	var partnerID int64
	db.Raw("SELECT id FROM partners ORDER BY id LIMIT 1").Scan(&partnerID)
	for _, u := range []account.NewUser{
		{Email: "admin@regie.example", Name: "Alice Admin", Role: ordi.RoleAdmin},
		{Email: "staff@regie.example", Name: "Sam Atelier", Role: ordi.RoleStaff},
		{Email: "vol@regie.example", Name: "Vera Bénévole", Role: ordi.RoleVolunteer},
		{Email: "trainer@regie.example", Name: "Tom Formateur", Role: ordi.RoleTrainer},
		{Email: "sw@ccas.example", Name: "Sophie Travailleuse", Role: ordi.RoleSocialWorker, PartnerID: partnerID},
	} {
		u.Password = testPassword
		if _, err := svc.Accounts.CreateUser(ctx, ordi.System, u); err != nil {
			t.Fatal(err)
		}
	}
	// A settled donation and its certificate, for the /verify page that
	// lists outcomes.
	staff := ordi.Actor{Name: "Équipe", Role: ordi.RoleStaff}
	inv := svc.Inventory
	donor, err := inv.CreateDonor(ctx, staff, inventory.NewDonor{Name: "Donateur", Kind: inventory.DonorCompany})
	if err != nil {
		t.Fatal(err)
	}
	gift, err := inv.CreateDonation(ctx, staff, inventory.NewDonation{DonorID: donor.ID, ReceivedOn: "2026-11-01"})
	if err != nil {
		t.Fatal(err)
	}
	screen, err := inv.CreateUnit(ctx, staff, inventory.NewUnit{DonationID: gift.ID, UnitSpec: inventory.UnitSpec{Kind: inventory.KindScreen, Brand: "Dell", Model: "P2419H"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []inventory.Status{inventory.StatusDiagnosed, inventory.StatusDismantled} {
		if _, err := inv.Transition(ctx, staff, string(screen.Code), st, inventory.TransitionInput{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.Certificates.IssueDonorCertificate(ctx, staff, gift.ID); err != nil {
		t.Fatal(err)
	}
	one := func(query string) string {
		t.Helper()
		var v string
		if err := db.Raw(query).Scan(&v).Error; err != nil || v == "" {
			t.Fatalf("demo data: %s: %q %v", query, v, err)
		}
		return v
	}
	donation := one("SELECT CAST(id AS TEXT) FROM donations ORDER BY id LIMIT 1")
	ready := one("SELECT code FROM units WHERE status = 'ready' ORDER BY id LIMIT 1")
	received := one("SELECT code FROM units WHERE status = 'received' ORDER BY id LIMIT 1")
	family := one(fmt.Sprintf("SELECT CAST(id AS TEXT) FROM households WHERE partner_id = %d AND status = 'eligible' ORDER BY id LIMIT 1", partnerID))
	course := one("SELECT CAST(c.id AS TEXT) FROM courses c JOIN enrollments e ON e.course_id = c.id ORDER BY c.id DESC LIMIT 1")
	reservation := one("SELECT CAST(id AS TEXT) FROM reservations WHERE status = 'active' ORDER BY id LIMIT 1")
	handover := one("SELECT number FROM certificates WHERE kind = 'handover' ORDER BY id LIMIT 1")
	donorCert := one("SELECT number FROM certificates WHERE kind = 'donor' ORDER BY id LIMIT 1")
	user := one("SELECT CAST(id AS TEXT) FROM users WHERE email = 'staff@regie.example'")
	var trainerID int64
	db.Raw("SELECT id FROM users WHERE email = 'trainer@regie.example'").Scan(&trainerID)
	today := time.Now().In(ordi.Paris)
	theirs, err := svc.Allocation.CreateCourse(ctx, staff, allocation.NewCourse{Title: "Atelier du formateur", Place: "Médiathèque", TrainerID: trainerID,
		SessionDates: []string{today.Format(ordi.DateLayout), today.AddDate(0, 0, 7).Format(ordi.DateLayout)}, RequiredSessions: 2})
	if err != nil {
		t.Fatal(err)
	}
	database.Close(db)

	s := startServer(t, vars)
	workshop := []string{"/", "/donations", "/donations/new", "/donations/" + donation, "/units", "/u/" + ready, "/u/" + received,
		"/u/" + received + "/edit", "/scan", "/labels"}
	families := []string{"/families", "/families/" + family}
	allocation := []string{"/courses", "/courses/new", "/courses/" + course, "/allocation", "/handovers", "/handovers/" + reservation,
		"/handovers/done/" + handover, "/certificates", "/certificates/" + handover + "/correct"}
	return s, []rolePages{
		{"", []string{"/login", "/verify", "/verify/" + handover, "/verify/" + donorCert, "/verify/REM-2026-9999"}},
		{"admin@regie.example", []string{"/admin", "/admin/association", "/admin/programme", "/admin/access-log", "/admin/users",
			"/admin/users/new", "/admin/users/" + user, "/admin/partners", "/admin/bilan", "/bilan"}},
		{"staff@regie.example", append(append(append(workshop, families...), allocation...), "/bilan")},
		{"vol@regie.example", []string{"/", "/scan", "/units", "/u/" + ready, "/labels", "/handovers", "/handovers/" + reservation}},
		{"trainer@regie.example", []string{"/", "/courses", fmt.Sprintf("/courses/%d", theirs.ID)}},
		{"sw@ccas.example", []string{"/", "/families", "/families/new", "/families/" + family, "/families/" + family + "/edit", "/bilan"}},
	}
}

// visit walks every page of every role, calling check on each once loaded.
// A page that answers with the error page (the role may not see it, or the
// identifier is wrong) fails the walk: its checks would read the wrong page.
func (b *browser) visit(s *server, roles []rolePages, check func(path string)) {
	b.t.Helper()
	for _, r := range roles {
		if r.email != "" {
			b.login(s.base, r.email)
		}
		for _, p := range r.paths {
			b.run(chromedp.Navigate(s.base + p))
			b.allowProblem("404") // the unknown certificate answers 404
			var failed string
			b.run(chromedp.Evaluate(`document.querySelector(".error-page h1")?.textContent ?? ""`, &failed))
			if failed != "" {
				b.t.Errorf("%s as %q: error page %q", p, r.email, failed)
				continue
			}
			check(p)
		}
	}
}

// axeViolation is one serious or critical rule axe-core found broken, or an
// empty table header (minor for axe, but a screen reader announces a
// nameless column).
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

// axe runs axe-core on the current page and returns its serious and critical
// violations.
func (b *browser) axe() []axeViolation {
	b.t.Helper()
	var out []axeViolation
	b.run(
		chromedp.Evaluate(axeSource+";0", nil),
		chromedp.Evaluate(`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
			.filter(v => v.impact === "serious" || v.impact === "critical" || v.id === "empty-table-header")
			.map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(" "))})))`,
			&out, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
	)
	return out
}

// TestE2EAccessibility runs axe-core over every main page, as each role that
// sees it, on a phone, a tablet and a desktop, and fails on any serious or critical
// violation (and on empty table headers).
func TestE2EAccessibility(t *testing.T) {
	s, roles := startDemoSite(t)
	for _, width := range []int64{390, 800, 1280} {
		// One browser per width: each walk stays well within its time bound.
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			b := newBrowser(t)
			b.run(page.SetBypassCSP(true), chromedp.EmulateViewport(width, 900))
			pages := 0
			b.visit(s, roles, func(path string) {
				pages++
				b.screenshot(path)
				for _, v := range b.axe() {
					t.Errorf("%s: %s (%s): %s on %v", path, v.ID, v.Impact, v.Help, v.Targets)
				}
			})
			if pages < 30 {
				t.Fatalf("axe ran on %d pages only", pages)
			}
		})
	}
}

// smallTarget is an interactive element smaller than a fingertip.
type smallTarget struct {
	What   string  `json:"what"`
	Width  float64 `json:"w"`
	Height float64 `json:"h"`
}

// minTarget is WCAG 2.5.5's target size, in CSS pixels.
const minTarget = 44

// smallTargetsJS lists the visible interactive elements of the page smaller
// than minTarget×minTarget. A checkbox or radio inside its label counts as
// the label, which a tap anywhere on toggles. The exceptions are WCAG's: a
// link inside a sentence (its parent holds text of its own), and the
// browser's own controls.
const smallTargetsJS = `(() => {
  const min = %d;
  const inSentence = el => {
    const p = el.parentElement;
    if (!p || el.tagName !== "A") return false;
    return [...p.childNodes].some(n => n !== el && n.nodeType === Node.TEXT_NODE && /[\p{L}\p{N}]/u.test(n.textContent));
  };
  const out = [];
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [tabindex]:not([tabindex="-1"])')) {
    let target = el;
    if ((el.type === "checkbox" || el.type === "radio") && el.closest("label")) target = el.closest("label");
    const r = target.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (getComputedStyle(target).visibility === "hidden") continue;
    if (inSentence(el)) continue;
    if (r.width + 0.5 >= min && r.height + 0.5 >= min) continue;
    const name = (el.getAttribute("aria-label") || el.textContent || el.name || el.value || "").trim().replace(/\s+/g, " ").slice(0, 40);
    out.push({what: el.tagName.toLowerCase() + (el.type ? "[" + el.type + "]" : "") + (el.className ? "." + String(el.className).split(" ")[0] : "") + " «" + name + "»", w: Math.round(r.width), h: Math.round(r.height)});
  }
  return out;
})()`

// wideElementsJS names the elements that reach past the right edge of the
// screen while none of their children does: the ones to fix.
const wideElementsJS = `(() => {
  const past = e => e.getBoundingClientRect().right > window.innerWidth + 1;
  const clipped = e => { for (let a = e.parentElement; a; a = a.parentElement) if (a !== document.body && a !== document.documentElement && getComputedStyle(a).overflowX !== "visible") return true; return false; };
  return [...document.body.querySelectorAll("*")]
    .filter(e => past(e) && !clipped(e) && ![...e.children].some(past))
    .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).replace(/ /g, ".") : "") + " «" + e.textContent.trim().replace(/\s+/g, " ").slice(0, 40) + "» " + Math.round(e.getBoundingClientRect().width) + " px");
})()`

// TestE2EPhoneLayout opens every main page on a 390 px phone, as each role
// that sees it: nothing scrolls sideways, and every control is at least
// 44×44 px.
func TestE2EPhoneLayout(t *testing.T) {
	b := newBrowser(t)
	s, roles := startDemoSite(t)
	b.run(chromedp.EmulateViewport(390, 844))
	pages := 0
	b.visit(s, roles, func(path string) {
		pages++
		b.screenshot(path)
		var overflow float64
		b.run(chromedp.Evaluate(`document.documentElement.scrollWidth - window.innerWidth`, &overflow))
		if overflow > 1 {
			b.screenshot("overflow-" + path)
			var wide []string
			b.run(chromedp.Evaluate(wideElementsJS, &wide))
			t.Errorf("%s scrolls sideways at 390 px by %.0f px: %v", path, overflow, wide)
		}
		// The families list and the public verification page fit the phone
		// whole: their tables stack rather than scroll inside their frame.
		if strings.HasPrefix(path, "/families") || strings.HasPrefix(path, "/verify") {
			var tables []string
			b.run(chromedp.Evaluate(`[...document.querySelectorAll("table")].filter(t => t.getBoundingClientRect().right > window.innerWidth + 1 || t.parentElement.scrollWidth > t.parentElement.clientWidth + 1).map(t => t.querySelector("thead").textContent.trim().replace(/\s+/g, " "))`, &tables))
			for _, tb := range tables {
				b.screenshot("table-" + path)
				t.Errorf("%s at 390 px: table wider than the phone: %s", path, tb)
			}
		}
		if path == "/families" {
			// Each stacked row shows its status and next step once: the
			// wide-only column stays hidden.
			var shown []int
			b.run(chromedp.Evaluate(`[...document.querySelectorAll("tbody tr")].map(r => [...r.querySelectorAll(".next-step")].filter(e => e.offsetParent !== null).length)`, &shown))
			for i, n := range shown {
				if n != 1 {
					t.Errorf("/families at 390 px: row %d shows its next step %d times", i+1, n)
				}
			}
			if len(shown) == 0 {
				t.Error("/families at 390 px: no rows")
			}
		}
		var small []smallTarget
		b.run(chromedp.Evaluate(fmt.Sprintf(smallTargetsJS, minTarget), &small))
		for _, s := range small {
			t.Errorf("%s at 390 px: %s is %.0f×%.0f px", path, s.What, s.Width, s.Height)
		}
	})
	if pages < 30 {
		t.Fatalf("checked %d pages only", pages)
	}

	// A number read on paper, typed on the phone as one would.
	number := strings.TrimPrefix(roles[0].paths[2], "/verify/")
	b.run(chromedp.Navigate(s.base+"/verify"), chromedp.WaitVisible(`#verify-number`, chromedp.ByQuery),
		chromedp.SendKeys(`#verify-number`, strings.ToLower(strings.ReplaceAll(number, "-", " ")), chromedp.ByQuery))
	b.clickAndLoad(`.verify-box button`, chromedp.ByQuery)
	if got := b.text("h1"); got != "Certificat authentique" || !strings.HasSuffix(b.location(), "/verify/"+number) {
		t.Fatalf("typed %s: %q at %s", number, got, b.location())
	}
	b.run(chromedp.SendKeys(`#verify-number`, "12345", chromedp.ByQuery))
	b.clickAndLoad(`.verify-box button`, chromedp.ByQuery)
	b.allowProblem("422")
	if msg := b.text("#verify-error"); !strings.Contains(msg, "REM-AAAA-NNNN") {
		t.Fatalf("a wrong number says %q", msg)
	}
	b.screenshot("verify-error")
}

// plainSpaceJS finds, in the page's visible text and in the attributes a
// person reads, a plain space before : ; ? ! » or after «, with some context.
const plainSpaceJS = `(() => {
  const bad = /.{0,20}(?: [:;?!»]|« ).{0,10}/gu;
  const texts = [document.title, document.body.innerText];
  for (const el of document.querySelectorAll("[title], [aria-label], [placeholder], [alt], [data-confirm]"))
    for (const a of ["title", "aria-label", "placeholder", "alt", "data-confirm"])
      if (el.hasAttribute(a)) texts.push(el.getAttribute(a));
  return texts.flatMap(t => t.match(bad) || []).map(s => s.replace(/\n/g, "⏎"));
})()`

// TestE2EFrenchTypography reads every main page as each role sees it: no
// plain space stands before : ; ? ! » or after «, where French typography
// wants one that does not break (a ";" or a "?" never starts a line).
func TestE2EFrenchTypography(t *testing.T) {
	b := newBrowser(t)
	s, roles := startDemoSite(t)
	pages := 0
	b.visit(s, roles, func(path string) {
		pages++
		var bad []string
		b.run(chromedp.Evaluate(plainSpaceJS, &bad))
		for _, text := range bad {
			t.Errorf("%s: plain space in %q", path, text)
		}
	})
	if pages < 30 {
		t.Fatalf("read %d pages only", pages)
	}
}
