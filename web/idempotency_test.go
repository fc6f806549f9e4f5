package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/database/dbtest"
)

// apiKeyed sends a JSON request with a token and an Idempotency-Key.
func (a *testApp) apiKeyed(role ordi.Role, method, path, key string, body any) *http.Response {
	a.t.Helper()
	js, err := json.Marshal(body)
	if err != nil {
		a.t.Fatal(err)
	}
	req, _ := http.NewRequest(method, a.url(path), strings.NewReader(string(js)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+a.tokens[role])
	req.Header[account.IdempotencyHeader] = []string{key}
	return a.do(nil, req)
}

func unitBodyFor(donation int64, model string) map[string]any {
	return map[string]any{"donation_id": donation, "kind": "laptop", "brand": "Dell", "model": model,
		"ram_gb": 8, "storage_gb": 256, "storage_kind": "ssd"}
}

// countWhere counts a table's rows matching where.
func countWhere(t *testing.T, db *gorm.DB, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Table(table).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIdempotencyReplay(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)

		first := app.apiKeyed(ordi.RoleStaff, http.MethodPost, "/api/v1/units", "unit-1", unitBodyFor(donation, "Latitude"))
		firstBody := rawBody(first)
		if first.StatusCode != http.StatusCreated || first.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("first: %d replayed=%q %s", first.StatusCode, first.Header.Get("Idempotent-Replayed"), firstBody)
		}
		second := app.apiKeyed(ordi.RoleStaff, http.MethodPost, "/api/v1/units", "unit-1", unitBodyFor(donation, "Latitude"))
		secondBody := rawBody(second)
		if second.StatusCode != http.StatusCreated || second.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %d replayed=%q %s", second.StatusCode, second.Header.Get("Idempotent-Replayed"), secondBody)
		}
		if secondBody != firstBody || second.Header.Get("Content-Type") != first.Header.Get("Content-Type") {
			t.Fatalf("replay differs:\n%s %s\n%s %s", first.Header.Get("Content-Type"), firstBody, second.Header.Get("Content-Type"), secondBody)
		}
		if n := countWhere(t, db, "units", "donation_id = ?", donation); n != 1 {
			t.Fatalf("%d units created, want 1", n)
		}
		var u unitBody
		if err := json.Unmarshal([]byte(firstBody), &u); err != nil {
			t.Fatal(err)
		}

		// A transition sent twice: one event in the unit's history.
		path := "/api/v1/units/" + u.Code + "/transitions"
		for i, want := range []string{"", "true"} {
			res := app.apiKeyed(ordi.RoleStaff, http.MethodPost, path, "move-1", map[string]any{"to": "diagnosed", "note": "écran ok"})
			if res.StatusCode != http.StatusOK || res.Header.Get("Idempotent-Replayed") != want {
				t.Fatalf("transition %d: %d replayed=%q %s", i, res.StatusCode, res.Header.Get("Idempotent-Replayed"), readBody(res))
			}
		}
		events := decode[struct {
			Items []struct{ To string }
		}](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units/"+u.Code+"/events", nil))
		moved := 0
		for _, e := range events.Items {
			if e.To == "diagnosed" {
				moved++
			}
		}
		if moved != 1 {
			t.Fatalf("%d transition events to diagnosed, want 1: %+v", moved, events.Items)
		}

		// A refusal is kept too: its replay is the same refusal, even once
		// the refusal no longer holds.
		res := app.apiKeyed(ordi.RoleStaff, http.MethodPost, path, "move-2", map[string]any{"to": "ready"})
		refusal := readBody(res)
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("illegal move: %d %s", res.StatusCode, refusal)
		}
		res = app.apiKeyed(ordi.RoleStaff, http.MethodPost, path, "move-2", map[string]any{"to": "ready"})
		if got := readBody(res); res.StatusCode != http.StatusConflict || got != refusal || res.Header.Get("Idempotent-Replayed") != "true" ||
			res.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("replayed refusal: %d %q %s", res.StatusCode, res.Header.Get("Content-Type"), got)
		}

		// The same key with another body: 422 naming the header, nothing done.
		res = app.apiKeyed(ordi.RoleStaff, http.MethodPost, "/api/v1/units", "unit-1", unitBodyFor(donation, "Precision"))
		p := expectProblem(t, res, http.StatusUnprocessableEntity)
		if len(p.Errors) != 1 || p.Errors[0].Field != "Idempotency-Key" || !strings.Contains(p.Detail, "Idempotency-Key") {
			t.Fatalf("reused key: %+v", p)
		}
		// …or on another path.
		expectProblem(t, app.apiKeyed(ordi.RoleStaff, http.MethodPost, "/api/v1/donors", "unit-1",
			map[string]any{"name": "Autre", "kind": "company"}), http.StatusUnprocessableEntity)
		if n := countWhere(t, db, "units", "donation_id = ?", donation); n != 1 {
			t.Fatalf("%d units after a reused key, want 1", n)
		}

		// Another user's key of the same name is another key.
		res = app.apiKeyed(ordi.RoleAdmin, http.MethodPost, "/api/v1/units", "unit-1", unitBodyFor(donation, "Precision"))
		if res.StatusCode != http.StatusCreated || res.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("admin, same key: %d %s", res.StatusCode, readBody(res))
		}
		if n := countWhere(t, db, "units", "donation_id = ?", donation); n != 2 {
			t.Fatalf("%d units, want 2", n)
		}

		// Without the header, nothing changes: each request acts.
		app.newUnit(t, donation)
		app.newUnit(t, donation)
		if n := countWhere(t, db, "units", "donation_id = ?", donation); n != 4 {
			t.Fatalf("%d units, want 4", n)
		}
	})
}

func TestIdempotencyBadKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		for name, key := range map[string]string{
			"empty":     "",
			"101 chars": strings.Repeat("k", 101),
			"non-ASCII": "clé-1",
			"tab":       "a\tb",
			"space":     "a b",
		} {
			t.Run(name, func(t *testing.T) {
				p := expectProblem(t, app.apiKeyed(ordi.RoleStaff, http.MethodPost, "/api/v1/units", key, unitBodyFor(donation, "X")), http.StatusBadRequest)
				if len(p.Errors) != 1 || p.Errors[0].Field != "Idempotency-Key" || !strings.Contains(p.Detail, "Idempotency-Key") {
					t.Fatalf("problem %+v", p)
				}
			})
		}
		// Two values of the header are no key either.
		js, _ := json.Marshal(unitBodyFor(donation, "X"))
		req, _ := http.NewRequest(http.MethodPost, app.url("/api/v1/units"), strings.NewReader(string(js)))
		req.Header.Set("Authorization", "Bearer "+app.tokens[ordi.RoleStaff])
		req.Header.Add(account.IdempotencyHeader, "a")
		req.Header.Add(account.IdempotencyHeader, "b")
		expectProblem(t, app.do(nil, req), http.StatusBadRequest)
		if n := countWhere(t, db, "units", "donation_id = ?", donation); n != 0 {
			t.Fatalf("%d units created by bad keys", n)
		}
		// The longest key, every visible character.
		long := strings.Repeat("~", 5) + "!\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}" + strings.Repeat("x", 100-42)
		if len(long) != 100 {
			t.Fatalf("key of %d", len(long))
		}
		if res := app.apiKeyed(ordi.RoleStaff, http.MethodPost, "/api/v1/units", long, unitBodyFor(donation, "X")); res.StatusCode != http.StatusCreated {
			t.Fatalf("100 visible characters: %d %s", res.StatusCode, readBody(res))
		}
	})
}

// TestIdempotencyConcurrent sends 32 requests with one key at once: one unit
// is created, and every answer is that creation's or 409.
func TestIdempotencyConcurrent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		js, _ := json.Marshal(unitBodyFor(donation, "Latitude"))
		const n = 32
		type answer struct {
			status   int
			replayed string
			body     string
		}
		answers := make([]answer, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}}
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest(http.MethodPost, app.url("/api/v1/units"), strings.NewReader(string(js)))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+app.tokens[ordi.RoleStaff])
				req.Header.Set(account.IdempotencyHeader, "burst")
				<-start
				res, err := client.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				defer res.Body.Close()
				answers[i] = answer{res.StatusCode, res.Header.Get("Idempotent-Replayed"), rawBody(res)}
			}()
		}
		close(start)
		wg.Wait()
		if t.Failed() {
			return
		}
		if c := countWhere(t, db, "units", "donation_id = ?", donation); c != 1 {
			t.Fatalf("%d units created by %d requests with one key, want 1", c, n)
		}
		created, replayed, busy := "", 0, 0
		for _, a := range answers {
			if a.status == http.StatusCreated && a.replayed == "" {
				if created != "" {
					t.Fatalf("two fresh creations:\n%s\n%s", created, a.body)
				}
				created = a.body
			}
		}
		for _, a := range answers {
			switch {
			case a.status == http.StatusCreated && a.replayed == "":
			case a.status == http.StatusCreated && a.replayed == "true" && a.body == created:
				replayed++
			case a.status == http.StatusConflict && strings.Contains(a.body, "Requête identique en cours"):
				busy++
			default:
				t.Fatalf("unexpected answer %+v (created %s)", a, created)
			}
		}
		if created == "" {
			t.Fatalf("no fresh creation among %+v", answers)
		}
		t.Logf("1 created, %d replayed, %d busy", replayed, busy)
	})
}

// TestIdempotencyServerFailure: a 5xx or a panic releases the key, so that
// the retry runs again; the busy twin gets 409 once the wait is over.
func TestIdempotencyServerFailure(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		app.srv.idemWait = 300 * time.Millisecond
		staff := app.users[ordi.RoleStaff]
		var calls atomic.Int32
		var fail atomic.Value // "500", "panic", "slow" or ""
		fail.Store("500")
		release := make(chan struct{})
		r := route{method: http.MethodPost, path: "/api/v1/test", allow: workshop}
		engine := gin.New()
		engine.Use(app.srv.recover)
		engine.POST(r.path, func(c *gin.Context) { c.Set(userKey, staff) }, app.srv.idempotency(r), app.srv.checkInput(r),
			app.srv.adapt(func(c *gin.Context) error {
				n := calls.Add(1)
				switch fail.Load() {
				case "500":
					return errors.New("database gone")
				case "panic":
					panic("boom")
				case "slow":
					<-release
				}
				c.JSON(http.StatusCreated, gin.H{"call": n})
				return nil
			}))
		send := func(key string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodPost, r.path, strings.NewReader(`{"a":1}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(account.IdempotencyHeader, key)
			w := httptest.NewRecorder()
			engine.ServeHTTP(w, req)
			return w
		}
		if w := send("k"); w.Code != http.StatusInternalServerError {
			t.Fatalf("failing handler: %d %s", w.Code, w.Body)
		}
		fail.Store("panic")
		if w := send("k"); w.Code != http.StatusInternalServerError {
			t.Fatalf("panicking handler: %d %s", w.Code, w.Body)
		}
		fail.Store("")
		w := send("k")
		if w.Code != http.StatusCreated || w.Header().Get("Idempotent-Replayed") != "" || w.Body.String() != `{"call":3}` {
			t.Fatalf("retry after failures: %d %q %s", w.Code, w.Header().Get("Idempotent-Replayed"), w.Body)
		}
		w = send("k")
		if w.Code != http.StatusCreated || w.Header().Get("Idempotent-Replayed") != "true" || w.Body.String() != `{"call":3}` {
			t.Fatalf("replay: %d %q %s", w.Code, w.Header().Get("Idempotent-Replayed"), w.Body)
		}

		// A twin arriving while the first runs waits, then gets 409.
		fail.Store("slow")
		done := make(chan *httptest.ResponseRecorder)
		go func() { done <- send("slow") }()
		for calls.Load() < 4 {
			time.Sleep(5 * time.Millisecond)
		}
		twin := send("slow")
		if twin.Code != http.StatusConflict || !strings.Contains(twin.Body.String(), "Requête identique en cours") {
			t.Fatalf("twin: %d %s", twin.Code, twin.Body)
		}
		close(release)
		if first := <-done; first.Code != http.StatusCreated {
			t.Fatalf("slow first: %d %s", first.Code, first.Body)
		}
		if calls.Load() != 4 {
			t.Fatalf("%d calls, want 4", calls.Load())
		}

		// A key left in progress by a server that stopped is never run
		// again: once its lease is over, 409 says so at once.
		hash := account.RequestHash(http.MethodPost, r.path, []byte(`{"a":1}`))
		if c, err := app.accounts.ClaimIdempotencyKey(context.Background(), staff.ID, "stopped", hash); err != nil || c.State != account.Claimed {
			t.Fatalf("claim: %+v %v", c, err)
		}
		app.clock.Advance(account.IdempotencyLease + time.Second)
		w = send("stopped")
		if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "Requête interrompue") {
			t.Fatalf("interrupted: %d %s", w.Code, w.Body)
		}
		if calls.Load() != 4 {
			t.Fatalf("an interrupted key ran again: %d calls", calls.Load())
		}
	})
}

// TestIdempotencyExpiry: keys are swept once their 24 hours are over, and
// the key can then be used again, for another request.
func TestIdempotencyExpiry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		ctx := context.Background()
		if res := app.apiKeyed(ordi.RoleStaff, http.MethodPost, "/api/v1/units", "day-1", unitBodyFor(donation, "A")); res.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", res.StatusCode, readBody(res))
		}
		app.clock.Advance(account.IdempotencyKept - time.Minute)
		if err := app.accounts.Purge(ctx); err != nil {
			t.Fatal(err)
		}
		if n := countWhere(t, db, "idempotency_keys", "key = ?", "day-1"); n != 1 {
			t.Fatalf("swept before its 24 hours: %d rows", n)
		}
		expectProblem(t, app.apiKeyed(ordi.RoleStaff, http.MethodPost, "/api/v1/units", "day-1", unitBodyFor(donation, "B")), http.StatusUnprocessableEntity)

		app.clock.Advance(2 * time.Minute)
		if err := app.accounts.Purge(ctx); err != nil {
			t.Fatal(err)
		}
		if n := countWhere(t, db, "idempotency_keys", "1 = 1"); n != 0 {
			t.Fatalf("%d rows left after 24 hours", n)
		}
		res := app.apiKeyed(ordi.RoleStaff, http.MethodPost, "/api/v1/units", "day-1", unitBodyFor(donation, "B"))
		if res.StatusCode != http.StatusCreated || res.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("key used again: %d %s", res.StatusCode, readBody(res))
		}
		if n := countWhere(t, db, "units", "donation_id = ?", donation); n != 2 {
			t.Fatalf("%d units, want 2", n)
		}

		// An expired key not yet swept is free too.
		app.clock.Advance(account.IdempotencyKept)
		res = app.apiKeyed(ordi.RoleStaff, http.MethodPost, "/api/v1/units", "day-1", unitBodyFor(donation, "C"))
		if res.StatusCode != http.StatusCreated || res.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("expired key, unswept: %d %s", res.StatusCode, readBody(res))
		}
		if n := countWhere(t, db, "units", "donation_id = ?", donation); n != 3 {
			t.Fatalf("%d units, want 3", n)
		}
	})
}

// TestIdempotencyForms: the page forms the tablet's queue replays honour the
// header with a browser session, behind the cross-origin check.
func TestIdempotencyForms(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		u := app.newUnit(t, app.newDonation(t))
		staff := app.login(ordi.RoleStaff)
		send := func(origin, key string) *http.Response {
			form := url.Values{"to": {"diagnosed"}, "note": {"vu"}}
			req, _ := http.NewRequest(http.MethodPost, app.url("/u/"+u.Code+"/transition"), strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", origin)
			if origin == app.http.URL {
				req.Header.Set("Sec-Fetch-Site", "same-origin")
			} else {
				req.Header.Set("Sec-Fetch-Site", "cross-site")
			}
			req.Header.Set(account.IdempotencyHeader, key)
			return app.do(staff, req)
		}
		first := send(app.http.URL, "form-1")
		if first.StatusCode != http.StatusSeeOther || first.Header.Get("Location") != "/u/"+u.Code {
			t.Fatalf("first: %d %q %s", first.StatusCode, first.Header.Get("Location"), readBody(first))
		}
		again := send(app.http.URL, "form-1")
		if again.StatusCode != http.StatusSeeOther || again.Header.Get("Location") != "/u/"+u.Code || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %d %q %q", again.StatusCode, again.Header.Get("Location"), again.Header.Get("Idempotent-Replayed"))
		}
		if n := countWhere(t, db, "unit_events", "to_status = ?", "diagnosed"); n != 1 {
			t.Fatalf("%d events, want 1", n)
		}
		// Another site's post is refused before the key is looked at.
		req := send("https://evil.example", "form-2")
		if req.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-origin: %d", req.StatusCode)
		}
		if n := countWhere(t, db, "idempotency_keys", "key = ?", "form-2"); n != 0 {
			t.Fatalf("cross-origin post claimed its key")
		}
		// A bad key on a form: 400 problem naming the header.
		p := expectProblem(t, send(app.http.URL, ""), http.StatusBadRequest)
		if len(p.Errors) != 1 || p.Errors[0].Field != "Idempotency-Key" {
			t.Fatalf("bad key on a form: %+v", p)
		}
	})
}

// TestIdempotentRoutes: every POST, PUT and PATCH of the API and the forms
// the queue replays honour the header, nothing else; every form listed in
// formReplays is a route (a renamed one would silently lose it).
func TestIdempotentRoutes(t *testing.T) {
	app := newTestApp(t, dbtest.OpenSQLite(t))
	served := map[string]bool{}
	forms := 0
	for _, r := range app.srv.routes {
		key := r.method + " " + r.path
		served[key] = true
		write := r.method == http.MethodPost || r.method == http.MethodPut || r.method == http.MethodPatch
		want := write && !r.allow.public && (strings.HasPrefix(r.path, "/api/v1/") || formReplays[key])
		if got := idempotentRoute(r); got != want {
			t.Errorf("%s: idempotent %v, want %v", key, got, want)
		}
		if formReplays[key] {
			forms++
		}
	}
	for key := range formReplays {
		if !served[key] {
			t.Errorf("formReplays lists %s, which is not a route", key)
		}
	}
	if forms != 3 {
		t.Fatalf("%d replayed forms, want 3", forms)
	}
}

// TestIdempotencyTooLarge: a body over the route's limit is refused with
// 413 before any key is claimed, as without the header.
func TestIdempotencyTooLarge(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		big := `{"name": "` + strings.Repeat("x", maxJSONBody) + `", "kind": "company"}`
		req, _ := http.NewRequest(http.MethodPost, app.url("/api/v1/donors"), strings.NewReader(big))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+app.tokens[ordi.RoleStaff])
		req.Header.Set(account.IdempotencyHeader, "big")
		expectProblem(t, app.do(nil, req), http.StatusRequestEntityTooLarge)
		if n := countWhere(t, db, "idempotency_keys", "1 = 1"); n != 0 {
			t.Fatalf("%d keys claimed by a refused body", n)
		}
	})
}

// TestIdempotencyAttendanceForm: an attendance mark replayed late (the
// queue's old copy) gives back its answer and does not undo the mark made
// after it.
func TestIdempotencyAttendanceForm(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		h := decode[householdBody](t, app.api(ordi.RoleSocialWorker, http.MethodPost, "/api/v1/households", nominationBody("Famille Martin")))
		app.api(ordi.RoleStaff, http.MethodPost, fmt.Sprintf("/api/v1/households/%d/decision", h.ID), map[string]any{"eligible": true})
		course := decode[struct{ ID int64 }](t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/courses",
			map[string]any{"title": "Premiers pas", "session_dates": []string{"2026-11-03", "2026-11-10"}, "required_sessions": 2}))
		if res := app.api(ordi.RoleStaff, http.MethodPost, fmt.Sprintf("/api/v1/courses/%d/enrollments", course.ID), map[string]any{"household_id": h.ID}); res.StatusCode != http.StatusCreated {
			t.Fatalf("enroll: %d %s", res.StatusCode, readBody(res))
		}
		staff := app.login(ordi.RoleStaff)
		mark := func(key string, present bool) *http.Response {
			form := url.Values{"household_id": {fmt.Sprint(h.ID)}, "session": {"1"}, "present": {fmt.Sprint(present)}}
			req, _ := http.NewRequest(http.MethodPost, app.url(fmt.Sprintf("/courses/%d/attendance", course.ID)), strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set(account.IdempotencyHeader, key)
			return app.do(staff, req)
		}
		present := func() bool {
			var p bool
			if err := db.Table("attendance").Select("present").Where("course_id = ? AND household_id = ? AND session = 1", course.ID, h.ID).Scan(&p).Error; err != nil {
				t.Fatal(err)
			}
			return p
		}
		if res := mark("mark-present", true); res.StatusCode != http.StatusSeeOther || !present() {
			t.Fatalf("present: %d %s", res.StatusCode, readBody(res))
		}
		if res := mark("mark-absent", false); res.StatusCode != http.StatusSeeOther || present() {
			t.Fatalf("absent: %d %s", res.StatusCode, readBody(res))
		}
		res := mark("mark-present", true)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("late replay: %d %q", res.StatusCode, res.Header.Get("Idempotent-Replayed"))
		}
		if present() {
			t.Fatalf("the late replay ran again and undid the absence")
		}
	})
}
