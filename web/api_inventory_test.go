package web

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

type unitBody struct {
	Code         string  `json:"code"`
	Status       string  `json:"status"`
	QRURL        string  `json:"qr_url"`
	Version      int     `json:"version"`
	RAMGB        int     `json:"ram_gb"`
	Model        string  `json:"model"`
	DonationID   int64   `json:"donation_id"`
	WeightKG     float64 `json:"weight_kg"`
	LabelPrinted *string `json:"label_printed_at"`
}

// newDonation creates a donor and a donation through the API.
func (a *testApp) newDonation(t *testing.T) int64 {
	t.Helper()
	res := a.api(ordi.RoleStaff, http.MethodPost, "/api/v1/donors", map[string]any{"name": "Crédit Coopératif", "kind": "company", "siret": "44126652500019"})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("donor: %d %s", res.StatusCode, readBody(res))
	}
	donor := decode[map[string]any](t, res)
	res = a.api(ordi.RoleStaff, http.MethodPost, "/api/v1/donations", map[string]any{"donor_id": donor["id"], "received_on": "2026-10-20", "site": "Siège"})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("donation: %d %s", res.StatusCode, readBody(res))
	}
	d := decode[map[string]any](t, res)
	if d["received_on"] != "2026-10-20" {
		t.Fatalf("received_on %v", d["received_on"])
	}
	return int64(d["id"].(float64))
}

func (a *testApp) newUnit(t *testing.T, donation int64) unitBody {
	t.Helper()
	res := a.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units", map[string]any{
		"donation_id": donation, "kind": "laptop", "brand": "Dell", "model": "Latitude 5490", "ram_gb": 8,
		"storage_gb": 256, "storage_kind": "ssd", "weight_kg": 1.6,
	})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("unit: %d %s", res.StatusCode, readBody(res))
	}
	return decode[unitBody](t, res)
}

func TestAPIInventoryFlow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		u := app.newUnit(t, donation)
		if u.Status != "received" || u.QRURL != app.url("/u/"+u.Code) || u.Version != 1 {
			t.Fatalf("created %+v", u)
		}

		// Volunteers read units but cannot change them.
		if res := app.api(ordi.RoleVolunteer, http.MethodGet, "/api/v1/units/"+strings.ToLower(u.Code), nil); res.StatusCode != http.StatusOK {
			t.Fatalf("volunteer read: %d", res.StatusCode)
		}
		expectProblem(t, app.api(ordi.RoleVolunteer, http.MethodPost, "/api/v1/units/"+u.Code+"/transitions", map[string]any{"to": "diagnosed"}), http.StatusForbidden)

		// Unknown or malformed codes are 404 before any lookup.
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units/AAAAAAA", nil), http.StatusNotFound)
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units/nope", nil), http.StatusNotFound)

		move := func(to string, status int) map[string]any {
			t.Helper()
			res := app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+u.Code+"/transitions", map[string]any{"to": to, "note": "ok"})
			if res.StatusCode != status {
				t.Fatalf("move to %s: %d %s", to, res.StatusCode, readBody(res))
			}
			return decode[map[string]any](t, res)
		}
		move("diagnosed", http.StatusOK)
		refused := move("wiped", http.StatusConflict)
		if refused["guard"] != "erased" || !strings.Contains(refused["detail"].(string), "effacement") {
			t.Fatalf("wiped without erasure: %v", refused)
		}
		illegal := move("handed_over", http.StatusConflict)
		if _, ok := illegal["allowed"].([]any); !ok {
			t.Fatalf("409 lacks allowed: %v", illegal)
		}
		res := app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+u.Code+"/erasures", map[string]any{
			"category": "purge", "technique": "ATA secure erase", "tool": "hdparm 9.65", "drive_serial": "S3Z9NB0K",
			"result": "passed", "started_at": "2026-11-02T09:00:00Z", "finished_at": "2026-11-02T09:40:00Z",
		})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("erasure: %d %s", res.StatusCode, readBody(res))
		}
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+u.Code+"/erasures", map[string]any{"category": "wipe", "result": "ok"}), http.StatusUnprocessableEntity, "category", "technique", "result")
		move("wiped", http.StatusOK)
		move("refurbished", http.StatusOK)
		ready := move("ready", http.StatusOK)
		// Four moves and one erasure since version 1.
		if ready["status"] != "ready" || ready["version"].(float64) != 6 {
			t.Fatalf("ready: %v", ready)
		}
		reserve := move("reserved", http.StatusConflict)
		if reserve["action"] != "reserve" {
			t.Fatalf("generic reservation: %v", reserve)
		}
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+u.Code+"/transitions", map[string]any{"to": "lost"}), http.StatusUnprocessableEntity, "to")

		res = app.api(ordi.RoleVolunteer, http.MethodGet, "/api/v1/units/"+u.Code+"/events", nil)
		events := decode[struct {
			Items []struct {
				At     string `json:"at"`
				Actor  string `json:"actor"`
				Action string `json:"action"`
				From   string `json:"from"`
				To     string `json:"to"`
				Note   string `json:"note"`
			} `json:"items"`
		}](t, res)
		var trail []string
		for _, e := range events.Items {
			if e.Action == "transition" {
				trail = append(trail, e.To)
			}
			if !strings.HasSuffix(e.At, "Z") || e.Actor != "Test staff" {
				t.Fatalf("event %+v: want a UTC time and the actor's name", e)
			}
		}
		if got := strings.Join(trail, ","); got != "diagnosed,wiped,refurbished,ready" {
			t.Fatalf("history %s", got)
		}

		// Edits need the current version.
		res = app.api(ordi.RoleStaff, http.MethodPatch, "/api/v1/units/"+u.Code, map[string]any{"version": 6, "ram_gb": 16})
		if res.StatusCode != http.StatusOK || decode[unitBody](t, res).RAMGB != 16 {
			t.Fatalf("patch: %d", res.StatusCode)
		}
		res = app.api(ordi.RoleStaff, http.MethodPatch, "/api/v1/units/"+u.Code, map[string]any{"version": 6, "model": "Latitude 7490"})
		stale := decode[map[string]any](t, res)
		if res.StatusCode != http.StatusConflict || stale["current"].(map[string]any)["ram_gb"].(float64) != 16 {
			t.Fatalf("stale patch: %d %v", res.StatusCode, stale)
		}
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPatch, "/api/v1/units/"+u.Code, map[string]any{"version": 7, "weight_kg": 300}), http.StatusUnprocessableEntity, "weight_kg")
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPatch, "/api/v1/units/"+u.Code, `{"version": 7, "colour": "red"}`), http.StatusBadRequest)

		res = app.api(ordi.RoleStaff, http.MethodGet, fmt.Sprintf("/api/v1/donations/%d", donation), nil)
		d := decode[struct {
			Units  []unitBody     `json:"units"`
			Counts map[string]int `json:"counts"`
			Donor  map[string]any `json:"donor"`
		}](t, res)
		if len(d.Units) != 1 || d.Counts["ready"] != 1 || d.Donor["name"] != "Crédit Coopératif" {
			t.Fatalf("donation %+v", d)
		}
	})
}

func TestAPIUnitCreateRefusesBadInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		for name, tc := range map[string]struct {
			body  any
			field string
		}{
			"unknown kind":      {map[string]any{"donation_id": donation, "kind": "toaster"}, "kind"},
			"negative RAM":      {map[string]any{"donation_id": donation, "kind": "laptop", "ram_gb": -8}, "ram_gb"},
			"300 kg laptop":     {map[string]any{"donation_id": donation, "kind": "laptop", "weight_kg": 300}, "weight_kg"},
			"unknown donation":  {map[string]any{"donation_id": 987654, "kind": "laptop"}, "donation_id"},
			"2 MB note":         {map[string]any{"donation_id": donation, "kind": "laptop", "notes": strings.Repeat("x", 2<<20)}, "notes"},
			"5 MB body (413)":   {map[string]any{"donation_id": donation, "kind": "laptop", "notes": strings.Repeat("x", 5<<20)}, ""},
			"long note (422)":   {map[string]any{"donation_id": donation, "kind": "laptop", "notes": strings.Repeat("x", 5000)}, "notes"},
			"malformed (400)":   {`{"donation_id": 1, "kind": }`, ""},
			"wrong type (400)":  {`{"donation_id": "one", "kind": "laptop"}`, ""},
			"unknown key (400)": {`{"donation_id": 1, "kind": "laptop", "status": "ready"}`, ""},
		} {
			t.Run(name, func(t *testing.T) {
				res := app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units", tc.body)
				switch {
				case strings.Contains(name, "413"):
					expectProblem(t, res, http.StatusRequestEntityTooLarge)
				case strings.Contains(name, "400"):
					expectProblem(t, res, http.StatusBadRequest)
				default:
					expectProblem(t, res, http.StatusUnprocessableEntity, tc.field)
				}
			})
		}
		var n int64
		db.Table("units").Count(&n)
		if n != 0 {
			t.Fatalf("bad input wrote %d units", n)
		}
	})
}

func TestAPIUnitListFilters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		for i := 0; i < 5; i++ {
			app.newUnit(t, donation)
		}
		res := app.api(ordi.RoleVolunteer, http.MethodGet, "/api/v1/units?kind=laptop&limit=2", nil)
		page := decode[list[unitBody]](t, res)
		if len(page.Items) != 2 || page.NextCursor == "" || page.Items[0].QRURL == "" {
			t.Fatalf("page %+v", page)
		}
		seen := map[string]bool{}
		cursor := ""
		for i := 0; i < 5; i++ {
			res := app.api(ordi.RoleVolunteer, http.MethodGet, "/api/v1/units?limit=2&cursor="+cursor, nil)
			p := decode[list[unitBody]](t, res)
			for _, u := range p.Items {
				seen[u.Code] = true
			}
			if cursor = p.NextCursor; cursor == "" {
				break
			}
		}
		if len(seen) != 5 {
			t.Fatalf("paged through %d units, want 5", len(seen))
		}
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units?status=lost", nil), http.StatusUnprocessableEntity, "status")
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units?donation_id=abc", nil), http.StatusUnprocessableEntity, "donation_id")
		if p := decode[list[unitBody]](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units?q=latitude&status=received", nil)); len(p.Items) != 5 {
			t.Fatalf("q=latitude: %d", len(p.Items))
		}
	})
}

func TestAPIUnitImport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		csvReq := func(body string, ctype string) *http.Response {
			req := newRequest(t, http.MethodPost, app.url("/api/v1/units/import"))
			req.Body = ioNopCloser(body)
			req.ContentLength = int64(len(body))
			req.Header.Set("Content-Type", ctype)
			req.Header.Set("Authorization", "Bearer "+app.tokens[ordi.RoleStaff])
			return app.do(nil, req)
		}
		good := fmt.Sprintf("donation_id;kind;brand;screen_inches\n%d;laptop;HP;15,6\n%d;desktop;Dell;\n", donation, donation)
		res := csvReq(good, "text/csv; charset=utf-8")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("import: %d %s", res.StatusCode, readBody(res))
		}
		ok := decode[importResult](t, res)
		if ok.Created != 2 || len(ok.Errors) != 0 {
			t.Fatalf("import result %+v", ok)
		}
		bad := fmt.Sprintf("donation_id,kind,ram_gb\n%d,laptop,8\n%d,fridge,-1\n", donation, donation)
		res = csvReq(bad, "text/csv")
		body := decode[map[string]any](t, res)
		errs, _ := body["errors"].([]any)
		if res.StatusCode != http.StatusUnprocessableEntity || body["created"].(float64) != 0 || len(errs) != 2 {
			t.Fatalf("bad import: %d %v", res.StatusCode, body)
		}
		first := errs[0].(map[string]any)
		if first["line"].(float64) != 3 || first["field"] != "kind" || first["message"] == "" {
			t.Fatalf("first error %v", first)
		}
		expectProblem(t, csvReq(good, "application/json"), http.StatusUnsupportedMediaType)
		expectProblem(t, csvReq("donation_id,kind,notes\n"+strings.Repeat(fmt.Sprintf("%d,laptop,%s\n", donation, strings.Repeat("y", 1500)), 3600), "text/csv"), http.StatusRequestEntityTooLarge)
		var n int64
		db.Table("units").Count(&n)
		if n != 2 {
			t.Fatalf("%d units after one good and three bad imports, want 2", n)
		}
	})
}

// TestAPIConcurrentMoves sends the same transition from many clients at once:
// one 200, the rest 409.
func TestAPIConcurrentMoves(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		u := app.newUnit(t, app.newDonation(t))
		const n = 16
		codes := make([]int, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				req, _ := http.NewRequest(http.MethodPost, app.url("/api/v1/units/"+u.Code+"/transitions"), strings.NewReader(`{"to":"diagnosed"}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+app.tokens[ordi.RoleStaff])
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					return
				}
				res.Body.Close()
				codes[i] = res.StatusCode
			}()
		}
		close(start)
		wg.Wait()
		ok, conflict := 0, 0
		for _, c := range codes {
			switch c {
			case http.StatusOK:
				ok++
			case http.StatusConflict:
				conflict++
			}
		}
		if ok != 1 || conflict != n-1 {
			t.Fatalf("statuses %v: want one 200 and %d 409", codes, n-1)
		}
	})
}
