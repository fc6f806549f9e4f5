package main

import (
	"context"
	_ "embed"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
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
			"/admin/users/new", "/admin/users/" + user, "/admin/partners"}},
		{"staff@regie.example", append(append(workshop, families...), allocation...)},
		{"vol@regie.example", []string{"/", "/scan", "/units", "/u/" + ready, "/labels", "/handovers", "/handovers/" + reservation}},
		{"trainer@regie.example", []string{"/", "/courses", "/courses/" + course}},
		{"sw@ccas.example", []string{"/", "/families", "/families/new", "/families/" + family, "/families/" + family + "/edit"}},
	}
}

// visit walks every page of every role, calling check on each once loaded.
func (b *browser) visit(s *server, roles []rolePages, check func(path string)) {
	b.t.Helper()
	for _, r := range roles {
		if r.email != "" {
			b.login(s.base, r.email)
		}
		for _, p := range r.paths {
			b.run(chromedp.Navigate(s.base + p))
			b.allowProblem("404") // the unknown certificate answers 404
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
// sees it, on a phone and on a desktop, and fails on any serious or critical
// violation (and on empty table headers).
func TestE2EAccessibility(t *testing.T) {
	b := newBrowser(t)
	s, roles := startDemoSite(t)
	b.run(page.SetBypassCSP(true))
	pages := 0
	for _, width := range []int64{390, 1280} {
		b.run(chromedp.EmulateViewport(width, 900))
		b.visit(s, roles, func(path string) {
			pages++
			for _, v := range b.axe() {
				b.screenshot(fmt.Sprintf("axe-%d-%s", width, path))
				t.Errorf("%s at %d px: %s (%s): %s on %v", path, width, v.ID, v.Impact, v.Help, v.Targets)
			}
		})
	}
	if pages < 60 {
		t.Fatalf("axe ran on %d pages only", pages)
	}
}
