package main

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/inventory"
)

// The offline queue (issue 17, docs/offline.md), in the browser: actions
// taken with the network gone wait in IndexedDB, survive a reload, and are
// applied once each when it returns.

const queueStaff = "sam@regie.example"

// queueSetup makes a staff account and a donation, and starts the server
// on that database.
func queueSetup(t *testing.T) (*server, *gorm.DB, *inventory.Service, inventory.Donation, *account.Service) {
	t.Helper()
	url, db, acc := e2eDatabase(t)
	ctx := context.Background()
	if _, err := acc.CreateUser(ctx, ordi.System, account.NewUser{Email: queueStaff, Name: "Sam Atelier", Role: ordi.RoleStaff, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	inv := inventory.NewService(db, time.Now)
	donor, err := inv.CreateDonor(ctx, ordi.System, inventory.NewDonor{Name: "Donateur", Kind: inventory.DonorCompany})
	if err != nil {
		t.Fatal(err)
	}
	donation, err := inv.CreateDonation(ctx, ordi.System, inventory.NewDonation{DonorID: donor.ID, ReceivedOn: "2026-11-01"})
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, map[string]string{"ORDI_DATABASE_URL": url})
	return s, db, inv, donation, acc
}

// queueUnits makes n units without storage (no erasure needed), moved
// along the given statuses.
func queueUnits(t *testing.T, inv *inventory.Service, donation inventory.Donation, n int, steps ...inventory.Status) []string {
	t.Helper()
	ctx := context.Background()
	var codes []string
	for i := 0; i < n; i++ {
		u, err := inv.CreateUnit(ctx, ordi.System, inventory.NewUnit{DonationID: donation.ID, UnitSpec: inventory.UnitSpec{Kind: inventory.KindDesktop, Brand: "Dell", Model: fmt.Sprintf("OptiPlex %d", i)}})
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range steps {
			if _, err := inv.Transition(ctx, ordi.System, string(u.Code), st, inventory.TransitionInput{}); err != nil {
				t.Fatalf("%s to %s: %v", u.Code, st, err)
			}
		}
		codes = append(codes, string(u.Code))
	}
	return codes
}

// setOffline cuts (or gives back) the page's network through the DevTools
// protocol, and waits until the page knows it.
func (b *browser) setOffline(offline bool) {
	b.t.Helper()
	b.run(network.Enable(), network.EmulateNetworkConditions(offline, 0, -1, -1))
	b.run(chromedp.Poll(fmt.Sprintf(`navigator.onLine === %v`, !offline), nil, chromedp.WithPollingTimeout(10*time.Second)))
}

// waitQueue waits until the header's banner says want.
func (b *browser) waitQueue(want string, timeout time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	var got string
	for time.Now().Before(deadline) {
		if err := chromedp.Run(b.ctx, chromedp.Evaluate(`(document.querySelector("#queue:not(.hidden) .queue-count") || {}).textContent || ""`, &got)); err == nil && got == want {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.screenshot("queue")
	b.t.Fatalf("queue banner %q, want %q", got, want)
}

// waitWorker waits until the service worker controls the page and keeps
// the scanner page (a reload offline needs it).
func (b *browser) waitWorker() {
	b.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		ready := false
		b.run(chromedp.Evaluate(`(async () => {
			if (!navigator.serviceWorker.controller) return false;
			for (const k of await caches.keys()) {
				if (k.startsWith("ordi-") && await (await caches.open(k)).match("/scan")) return true;
			}
			return false;
		})()`, &ready, awaitPromise))
		if ready {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.t.Fatal("the service worker did not take over with the scanner page kept within 60 s")
}

// transitionsTo counts a unit's moves to status.
func transitionsTo(t *testing.T, inv *inventory.Service, code string, to inventory.Status) int {
	t.Helper()
	events, err := inv.Events(context.Background(), ordi.System, code)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Action == inventory.ActionTransition && e.ToStatus == to {
			n++
		}
	}
	return n
}

// TestE2EQueueBatchOffline: twenty units are scanned with the network gone
// (half of them seen before on this tablet, one of those since moved by
// someone else) and "prêt" applied to all; the batch waits, and is still
// there after a reload offline; when the network returns it is sent once:
// nineteen units are ready with one move each, the one whose status changed
// is shown as a conflict, and re-applying it on its new status works.
func TestE2EQueueBatchOffline(t *testing.T) {
	b := newBrowser(t)
	s, _, inv, donation, _ := queueSetup(t)
	ctx := context.Background()
	codes := queueUnits(t, inv, donation, 20, inventory.StatusDiagnosed, inventory.StatusWiped, inventory.StatusRefurbished)
	// The one that changes: the tablet sees it wiped, then another session
	// moves it on.
	stale := queueUnits(t, inv, donation, 1, inventory.StatusDiagnosed, inventory.StatusWiped)[0]
	codes[3] = stale

	b.login(s.base, queueStaff)
	// A unit page opened here is kept whole (description, last events).
	b.run(chromedp.Navigate(s.base+"/u/"+codes[0]), chromedp.WaitVisible(`.next-steps`, chromedp.ByQuery))
	b.run(chromedp.Navigate(s.base+"/scan"), chromedp.WaitVisible(`#scan-input`, chromedp.ByQuery))
	b.waitWorker()
	b.run(
		chromedp.Click(`input[name=mode][value=transition]`, chromedp.ByQuery),
		chromedp.SetValue(`#scan-to`, "ready", chromedp.ByQuery),
	)
	scan := func(text string, want int) {
		t.Helper()
		b.run(
			chromedp.SendKeys(`#scan-input`, text+"\n", chromedp.ByQuery),
			chromedp.Poll(fmt.Sprintf(`document.querySelectorAll("#scan-list li").length >= %d`, want), nil, chromedp.WithPollingTimeout(10*time.Second)),
		)
	}
	// Online, ten are scanned: the tablet keeps what it saw of them.
	for i, c := range codes[:10] {
		scan(c, i+1)
	}
	b.run(chromedp.Click(`#scan-clear`, chromedp.ByQuery))
	if _, err := inv.Transition(ctx, ordi.System, stale, inventory.StatusRefurbished, inventory.TransitionInput{}); err != nil {
		t.Fatal(err)
	}

	b.setOffline(true)
	for i, c := range codes {
		scan(c, i+1)
	}
	list := b.text("#scan-list")
	if !strings.Contains(list, "Hors ligne — vu à") || !strings.Contains(list, "Inconnue hors ligne") {
		t.Fatalf("offline scan list:\n%s", list)
	}
	// A code whose check symbol is wrong is unknown, network or not.
	bad := codes[0][:6] + string("0123456789ABCDEFGHJKMNPQRSTVWXYZ"[(strings.IndexByte("0123456789ABCDEFGHJKMNPQRSTVWXYZ", codes[0][6])+1)%32])
	scan(bad, 21)
	if got := b.text("#scan-list li:first-child"); !strings.Contains(got, "Code inconnu") {
		t.Fatalf("bad code offline: %q", got)
	}
	if got := b.text("#scan-apply"); got != "Appliquer à 20 unités" {
		t.Fatalf("apply button offline: %q", got)
	}
	b.run(chromedp.Click(`#scan-apply`, chromedp.ByQuery), chromedp.WaitVisible(`#scan-result.flash-warn`, chromedp.ByQuery))
	if got := b.text("#scan-result"); !strings.Contains(got, "20 unités en attente") {
		t.Fatalf("result offline: %q", got)
	}
	b.waitQueue("1 action en attente", 10*time.Second)
	b.screenshot("queued")

	// Reloaded offline, the page comes from the worker and the queue from
	// IndexedDB.
	b.run(chromedp.Navigate(s.base+"/scan"), chromedp.WaitVisible(`#scan-input`, chromedp.ByQuery))
	b.waitQueue("1 action en attente", 10*time.Second)
	if n := transitionsTo(t, inv, codes[0], inventory.StatusReady); n != 0 {
		t.Fatalf("applied while offline: %d", n)
	}
	// Reading offline: a unit seen here opens from the cache, marked as
	// such; one never seen here is "unknown offline", not unknown.
	b.run(chromedp.SendKeys(`#scan-input`, codes[0]+"\n", chromedp.ByQuery), chromedp.WaitVisible(`#scan-offline`, chromedp.ByQuery))
	card := b.text("#scan-offline")
	for _, want := range []string{"Hors ligne — vu à", "peuvent avoir changé", codes[0], "Reconditionné", "Numéro de série", "Données effacées → Reconditionné"} {
		if !strings.Contains(card, want) {
			t.Errorf("offline card lacks %q:\n%s", want, card)
		}
	}
	b.screenshot("offline-card")
	b.run(chromedp.SendKeys(`#scan-input`, codes[15]+"\n", chromedp.ByQuery), chromedp.WaitNotVisible(`#scan-offline`, chromedp.ByQuery),
		chromedp.WaitVisible(`#scan-list li`, chromedp.ByQuery))
	if got := b.text("#scan-list li:first-child"); !strings.Contains(got, "Inconnue hors ligne") {
		t.Fatalf("a unit never seen, offline: %q", got)
	}

	b.setOffline(false)
	b.waitQueue("Aucune action en attente", 30*time.Second)
	b.run(chromedp.Click(`#queue summary`, chromedp.ByQuery))
	outcome := b.text("#queue .queue-list")
	if !strings.Contains(outcome, "19 sur 20 unités ont changé de statut.") || !strings.Contains(outcome, stale+" : Cette unité a changé") {
		t.Fatalf("outcome:\n%s", outcome)
	}
	b.screenshot("conflict")
	for _, c := range codes {
		want := 1
		if c == stale {
			want = 0
		}
		if n := transitionsTo(t, inv, c, inventory.StatusReady); n != want {
			t.Errorf("%s: %d moves to ready, want %d", c, n, want)
		}
	}
	// The conflict is sent again on the unit's status now.
	b.run(chromedp.Click(`//button[contains(., "Réappliquer sur leur statut actuel (1)")]`, chromedp.BySearch))
	deadline := time.Now().Add(20 * time.Second)
	for transitionsTo(t, inv, stale, inventory.StatusReady) != 1 {
		if time.Now().After(deadline) {
			b.screenshot("reapply")
			t.Fatalf("the re-applied unit is not ready:\n%s", b.text("#queue .queue-list"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.run(chromedp.Poll(`document.querySelector("#queue .queue-list").textContent.includes("1 sur 1 unité a changé de statut.")`, nil, chromedp.WithPollingTimeout(10*time.Second)))
	// What failed offline was expected to (the session keep-alive, the
	// worker's fetches).
	b.allowProblem("ERR_INTERNET_DISCONNECTED")
	b.allowProblem("Failed to fetch")
}

// TestE2EQueueReplayDrop: the answer to one replayed action is lost on the
// way back (the DevTools protocol fails the request after the server has
// answered it, as a network dropping mid-replay does): the queue keeps it,
// sends it again with the same key on "Envoyer maintenant", and gets the
// server's first answer — every action applied once, none refused as
// stale. Then 200 queued actions are replayed and timed.
func TestE2EQueueReplayDrop(t *testing.T) {
	b := newBrowser(t)
	s, _, inv, donation, _ := queueSetup(t)
	codes := queueUnits(t, inv, donation, 8)
	b.login(s.base, queueStaff)
	b.run(chromedp.Navigate(s.base+"/scan"), chromedp.WaitVisible(`#scan-input`, chromedp.ByQuery))
	b.run(chromedp.Poll(`!!window.ordiQueue`, nil))

	enqueue := func(codes []string) {
		t.Helper()
		for _, c := range codes {
			js := fmt.Sprintf(`ordiQueue.add({kind: "batch", type: "json", url: "/api/v1/units/batch", label: "1 unité : diagnostic",
				body: JSON.stringify({action: "transition", to: "diagnosed", codes: [%q], seen: {%q: "received"}, confirm: false})}).then(() => true)`, c, c)
			b.run(chromedp.Evaluate(js, nil, awaitPromise))
		}
	}
	b.setOffline(true)
	enqueue(codes)
	b.waitQueue("8 actions en attente", 10*time.Second)

	// The third batch's answer never reaches the page.
	var seen atomic.Int32
	chromedp.ListenTarget(b.ctx, func(ev any) {
		e, ok := ev.(*fetch.EventRequestPaused)
		if !ok {
			return
		}
		go func() {
			if seen.Add(1) == 3 {
				chromedp.Run(b.ctx, fetch.FailRequest(e.RequestID, network.ErrorReasonConnectionClosed))
				return
			}
			chromedp.Run(b.ctx, fetch.ContinueRequest(e.RequestID))
		}()
	})
	b.run(fetch.Enable().WithPatterns([]*fetch.RequestPattern{{URLPattern: "*/api/v1/units/batch", RequestStage: fetch.RequestStageResponse}}))
	b.setOffline(false)
	b.waitQueue("6 actions en attente", 20*time.Second)
	// The server did apply the third one; the page does not know.
	if n := transitionsTo(t, inv, codes[2], inventory.StatusDiagnosed); n != 1 {
		t.Fatalf("the lost answer's unit has %d moves", n)
	}
	b.run(fetch.Disable())
	b.run(chromedp.Click(`#queue .queue-send`, chromedp.ByQuery))
	b.waitQueue("Aucune action en attente", 20*time.Second)
	for _, c := range codes {
		if n := transitionsTo(t, inv, c, inventory.StatusDiagnosed); n != 1 {
			t.Errorf("%s: %d moves to diagnosed, want 1", c, n)
		}
	}
	var applied int
	b.run(chromedp.Evaluate(`[...document.querySelectorAll("#queue .queue-list li.queue-applied")].filter((li) => li.textContent.includes("1 sur 1 unité a changé de statut.")).length`, &applied))
	if applied != len(codes) {
		b.screenshot("drop")
		t.Fatalf("%d of %d actions shown applied once:\n%s", applied, len(codes), b.text("#queue .queue-list"))
	}

	// 200 actions waiting, replayed when the network returns.
	many := queueUnits(t, inv, donation, 200)
	b.setOffline(true)
	enqueue(many)
	b.waitQueue("200 actions en attente", 30*time.Second)
	start := time.Now()
	b.setOffline(false)
	b.waitQueue("Aucune action en attente", 120*time.Second)
	t.Logf("replaying 200 queued actions took %v", time.Since(start).Round(10*time.Millisecond))
	for _, c := range many {
		if n := transitionsTo(t, inv, c, inventory.StatusDiagnosed); n != 1 {
			t.Fatalf("%s: %d moves to diagnosed, want 1", c, n)
		}
	}
	b.allowProblem("ERR_INTERNET_DISCONNECTED")
	b.allowProblem("ERR_CONNECTION_CLOSED")
	b.allowProblem("Failed to fetch")
}

// TestE2EQueueAttendanceOffline: a mark taken on the course sheet with the
// network gone waits, and reaches the server once when it returns.
func TestE2EQueueAttendanceOffline(t *testing.T) {
	b := newBrowser(t)
	s, db, inv, _, acc := queueSetup(t)
	ctx := context.Background()
	p, _ := acc.CreatePartner(ctx, ordi.System, account.NewPartner{Name: "CCAS", Kind: account.PartnerCCAS})
	sw, _ := acc.CreateUser(ctx, ordi.System, account.NewUser{Email: "sw@x.example", Name: "SW", Role: ordi.RoleSocialWorker, PartnerID: p.ID, Password: testPassword})
	alloc := allocation.NewService(db, inv, time.Now)
	staff := ordi.Actor{Name: "Équipe", Role: ordi.RoleStaff}
	h, err := alloc.Nominate(ctx, sw.Actor(), allocation.NewHousehold{ContactName: "Mme Canari", Commune: "Roubaix", QPV: true, Adults: 1, Need: allocation.NeedAny, Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	alloc.Decide(ctx, staff, h.ID, true, "")
	course, err := alloc.CreateCourse(ctx, staff, allocation.NewCourse{Title: "Premiers pas", SessionDates: []string{"2026-10-05", "2026-10-12"}, RequiredSessions: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := alloc.Enroll(ctx, staff, course.ID, h.ID); err != nil {
		t.Fatal(err)
	}

	b.login(s.base, queueStaff)
	page := fmt.Sprintf("%s/courses/%d", s.base, course.ID)
	b.run(chromedp.Navigate(page), chromedp.WaitVisible(`form.mark button`, chromedp.ByQuery))
	b.setOffline(true)
	b.run(chromedp.Click(`form.mark button`, chromedp.ByQuery))
	b.waitQueue("1 action en attente", 10*time.Second)
	if got := b.text("form.mark button"); got != "Présent (en attente)" {
		t.Fatalf("queued cell: %q", got)
	}
	if !queueMarks(t, db, course.ID, 0) {
		t.Fatal("a mark reached the server offline")
	}
	// The sheet is reloaded once the network is back: the queue sends the
	// mark from there.
	b.setOffline(false)
	b.waitQueue("Aucune action en attente", 30*time.Second)
	if !queueMarks(t, db, course.ID, 1) {
		t.Fatal("the mark did not reach the server once")
	}
	var keys int64
	if err := db.Table("idempotency_keys").Count(&keys).Error; err != nil {
		t.Fatal(err)
	}
	if keys != 1 {
		t.Fatalf("%d idempotency keys, want 1 (one request for the mark)", keys)
	}
	b.run(chromedp.Navigate(page), chromedp.WaitVisible(`form.mark button.present`, chromedp.ByQuery))
	b.allowProblem("ERR_INTERNET_DISCONNECTED")
	b.allowProblem("Failed to fetch")
}

// queueMarks reports whether the course has exactly want present marks.
func queueMarks(t *testing.T, db *gorm.DB, course int64, want int64) bool {
	t.Helper()
	var n int64
	if err := db.Table("attendance").Where("course_id = ? AND present = ?", course, true).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n == want
}

// TestE2EQueueUnitPage: a step tapped on a unit's page with the network
// gone waits; meanwhile someone else edits the unit, so when the network
// returns the step is refused as a version conflict, linked to the unit,
// and re-applying it on the unit's new version works. Signing out with an
// action waiting asks first, and the queue goes with the session.
func TestE2EQueueUnitPage(t *testing.T) {
	b := newBrowser(t)
	s, _, inv, donation, _ := queueSetup(t)
	ctx := context.Background()
	codes := queueUnits(t, inv, donation, 2)
	code := codes[0]
	b.login(s.base, queueStaff)
	b.run(chromedp.Navigate(s.base+"/u/"+code), chromedp.WaitVisible(`.next-steps`, chromedp.ByQuery))

	b.setOffline(true)
	b.run(chromedp.Click(`//section[contains(@class,"next-steps")]//button[normalize-space()="Marquer comme diagnostiqué"]`, chromedp.BySearch),
		chromedp.WaitVisible(`.queued-notice`, chromedp.ByQuery))
	if got := b.text(".queued-notice"); !strings.Contains(got, "Hors ligne : « Unité "+code+" : Marquer comme diagnostiqué » est en attente") {
		t.Fatalf("notice %q", got)
	}
	b.waitQueue("1 action en attente", 10*time.Second)
	b.screenshot("queued")
	notes := "Écran rayé"
	if _, err := inv.UpdateUnit(ctx, ordi.System, code, inventory.UnitUpdate{Version: 1, Notes: &notes}); err != nil {
		t.Fatal(err)
	}

	b.setOffline(false)
	b.waitQueue("Aucune action en attente", 30*time.Second)
	b.run(chromedp.Click(`#queue summary`, chromedp.ByQuery))
	outcome := b.text("#queue .queue-list")
	if !strings.Contains(outcome, "Refusée Unité "+code+" : Marquer comme diagnostiqué") || !strings.Contains(outcome, "Cette unité a changé depuis que vous l'avez affichée") {
		t.Fatalf("outcome:\n%s", outcome)
	}
	var href string
	b.run(chromedp.Evaluate(`document.querySelector("#queue .queue-refused a").getAttribute("href")`, &href))
	if href != "/u/"+code {
		t.Fatalf("the conflict links to %q", href)
	}
	if n := transitionsTo(t, inv, code, inventory.StatusDiagnosed); n != 0 {
		t.Fatalf("applied on a stale version: %d", n)
	}
	b.screenshot("conflict")
	b.run(chromedp.Click(`//button[normalize-space()="Réappliquer sur la version actuelle"]`, chromedp.BySearch))
	deadline := time.Now().Add(20 * time.Second)
	for transitionsTo(t, inv, code, inventory.StatusDiagnosed) != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("re-applying did not work:\n%s", b.text("#queue .queue-list"))
		}
		time.Sleep(100 * time.Millisecond)
	}

	// The server applied it; the tablet learns so when the answer arrives
	// (leaving the page before would abort it and send the action again).
	b.run(chromedp.Poll(`ordiQueue.pending().then((p) => p.length === 0)`, nil, chromedp.WithPollingTimeout(20*time.Second)))

	// Another action waits; signing out asks first.
	b.run(chromedp.Navigate(s.base+"/u/"+codes[1]), chromedp.WaitVisible(`.next-steps`, chromedp.ByQuery))
	b.setOffline(true)
	b.run(chromedp.Click(`//section[contains(@class,"next-steps")]//button[normalize-space()="Marquer comme diagnostiqué"]`, chromedp.BySearch))
	b.waitQueue("1 action en attente", 10*time.Second)
	// Refused: still signed in, the action still there.
	b.run(chromedp.Evaluate(`window.confirm = (m) => { window.asked = m; return false; }; true`, nil))
	b.run(chromedp.Evaluate(`document.querySelector('form[action="/logout"]').requestSubmit(); true`, nil),
		chromedp.Poll(`!!window.asked`, nil, chromedp.WithPollingTimeout(10*time.Second)))
	var asked string
	b.run(chromedp.Evaluate(`window.asked`, &asked))
	if !strings.Contains(asked, "1 action n'a pas encore été envoyée") {
		t.Fatalf("question %q", asked)
	}
	time.Sleep(300 * time.Millisecond)
	if loc := b.location(); !strings.HasSuffix(loc, "/u/"+codes[1]) {
		t.Fatalf("signed out anyway: %s", loc)
	}
	var left int
	b.run(chromedp.Evaluate(`ordiQueue.pending().then((p) => p.length)`, &left, awaitPromise))
	if left != 1 {
		t.Fatalf("%d actions after a refused sign-out", left)
	}
	// Accepted (online): signed out, and the tablet forgets the queue. The
	// waiting action is made two days old first, so that the network's
	// return does not replay it by itself (an action over 24 h waits for
	// « Envoyer maintenant »): what the sign-out meets is then one waiting
	// action, not a replay racing it (CI under -race once saw the replay
	// and the sign-out cross).
	b.run(chromedp.Evaluate(`new Promise((ok) => { const r = indexedDB.open("ordi"); r.onsuccess = () => { const tx = r.result.transaction("actions", "readwrite"); const st = tx.objectStore("actions"); st.openCursor().onsuccess = (e) => { const c = e.target.result; if (!c) return; const a = c.value; a.created_at = Date.now() - 2*86400000; c.update(a); c.continue(); }; tx.oncomplete = () => ok(true); }; })`, nil, awaitPromise))
	b.setOffline(false)
	b.run(chromedp.Poll(`(document.querySelector("#queue .queue-state") || {}).textContent.includes("plus de 24")`, nil, chromedp.WithPollingTimeout(10*time.Second)))
	b.run(chromedp.Evaluate(`ordiQueue.pending().then((p) => p.length)`, &left, awaitPromise))
	if left != 1 {
		t.Fatalf("%d actions waiting before the sign-out, want 1", left)
	}
	b.run(chromedp.Evaluate(`window.confirm = () => true; document.querySelector('form[action="/logout"]').requestSubmit(); true`, nil))
	if _, ok := b.waitNavigation("/login", 10*time.Second); !ok {
		t.Fatalf("not signed out: %s", b.location())
	}
	b.run(chromedp.WaitVisible(`input[name=email]`, chromedp.ByQuery))
	b.run(chromedp.Evaluate(`new Promise((ok) => { const r = indexedDB.open("ordi"); r.onsuccess = () => { const tx = r.result.transaction(["actions", "units"]); const a = tx.objectStore("actions").count(); const u = tx.objectStore("units").count(); tx.oncomplete = () => ok(a.result + u.result); }; })`, &left, awaitPromise))
	if left != 0 {
		t.Fatalf("%d records kept after signing out", left)
	}
	b.allowProblem("ERR_INTERNET_DISCONNECTED")
	b.allowProblem("Failed to fetch")
	b.allowProblem("status of 409")
}
