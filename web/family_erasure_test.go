package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/database/dbtest"
)

// erasureFixture drives families through the programme by the API, as the
// users of each role would, for the erasure tests.
type erasureFixture struct {
	t        *testing.T
	app      *testApp
	donation int64
	course   int64
}

// erasureFamily is a family whose every personal text carries its canary
// word, and whose phone is found nowhere else.
type erasureFamily struct {
	ID        int64
	Reference string
	Canary    string // in its name, notes and every reason written about it
	Phone     string
}

func newErasureFixture(t *testing.T, db *gorm.DB) *erasureFixture {
	app := newTestApp(t, db).withUsers()
	f := &erasureFixture{t: t, app: app, donation: app.newDonation(t)}
	res := app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/courses", map[string]any{"title": "Premiers pas", "session_dates": []string{"2026-11-03"}, "required_sessions": 1})
	f.course = decode[struct{ ID int64 }](t, f.expect(res, http.StatusCreated, "course")).ID
	return f
}

func (f *erasureFixture) expect(res *http.Response, status int, what string) *http.Response {
	f.t.Helper()
	if res.StatusCode != status {
		f.t.Fatalf("%s: %d, want %d: %s", what, res.StatusCode, status, readBody(res))
	}
	return res
}

func (f *erasureFixture) nominate(canary, phone string) erasureFamily {
	f.t.Helper()
	body := nominationBody("Famille " + canary)
	body["phone"], body["postcode"], body["notes"] = phone, "59170", "Voisine de Mme "+canary+", appeler après 18 h"
	// Sent with an Idempotency-Key, as the tablet's queue does: the answer,
	// the whole file, is kept for replays.
	h := decode[householdBody](f.t, f.expect(f.app.apiKeyed(ordi.RoleSocialWorker, http.MethodPost, "/api/v1/households", "nominate-"+strings.ReplaceAll(phone, " ", ""), body), http.StatusCreated, "nominate"))
	return erasureFamily{ID: h.ID, Reference: h.Reference, Canary: canary, Phone: phone}
}

func (f *erasureFixture) decide(h erasureFamily, eligible bool, reason string) {
	f.t.Helper()
	f.expect(f.app.api(ordi.RoleStaff, http.MethodPost, fmt.Sprintf("/api/v1/households/%d/decision", h.ID), map[string]any{"eligible": eligible, "reason": reason}), http.StatusOK, "decision")
}

func (f *erasureFixture) train(h erasureFamily) {
	f.t.Helper()
	f.decide(h, true, "")
	f.expect(f.app.api(ordi.RoleStaff, http.MethodPost, fmt.Sprintf("/api/v1/courses/%d/enrollments", f.course), map[string]any{"household_id": h.ID}), http.StatusCreated, "enrol")
	f.expect(f.app.api(ordi.RoleStaff, http.MethodPut, fmt.Sprintf("/api/v1/courses/%d/attendance", f.course), map[string]any{"household_id": h.ID, "session": 1, "present": true}), http.StatusOK, "attendance")
}

func (f *erasureFixture) reserve(h erasureFamily) int64 {
	f.t.Helper()
	u := f.app.readyUnit(f.t, f.donation)
	res := f.app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/reservations", map[string]any{"household_id": h.ID, "unit_code": u.Code})
	return decode[struct{ ID int64 }](f.t, f.expect(res, http.StatusCreated, "reserve")).ID
}

// handOver reserves a unit for h and hands it over, signed by signatory;
// it returns the attestation's number.
func (f *erasureFixture) handOver(h erasureFamily, signatory string) string {
	f.t.Helper()
	rid := f.reserve(h)
	res := f.app.api(ordi.RoleVolunteer, http.MethodPost, fmt.Sprintf("/api/v1/reservations/%d/handover", rid), map[string]any{"signatory_name": signatory, "accessories": []string{"Souris"}})
	return decode[certificateRef](f.t, f.expect(res, http.StatusCreated, "handover")).Number
}

// canaryColumns returns "table.column" for every column of every table (the
// catalog's list, so that a column added later is searched too) holding a
// value that contains needle.
func canaryColumns(t *testing.T, db *gorm.DB, needle string) []string {
	t.Helper()
	type column struct{ Table, Column, Type string }
	var cols []column
	if db.Dialector.Name() == "sqlite" {
		var tables []string
		if err := db.Raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").Scan(&tables).Error; err != nil {
			t.Fatal(err)
		}
		for _, table := range tables {
			var names []string
			if err := db.Raw("SELECT name FROM pragma_table_info(?)", table).Scan(&names).Error; err != nil {
				t.Fatal(err)
			}
			for _, n := range names {
				cols = append(cols, column{table, n, ""})
			}
		}
	} else {
		err := db.Raw(`SELECT table_name AS "table", column_name AS "column", data_type AS "type" FROM information_schema.columns WHERE table_schema = current_schema()`).Scan(&cols).Error
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(cols) < 50 {
		t.Fatalf("the catalog lists %d columns: not the whole schema", len(cols))
	}
	var found []string
	for _, c := range cols {
		// Identifiers come from the catalog, the needle is a parameter.
		var where string
		switch {
		case db.Dialector.Name() == "sqlite":
			where = fmt.Sprintf(`instr(CAST("%s" AS BLOB), CAST(? AS BLOB)) > 0`, c.Column)
		case c.Type == "bytea":
			where = fmt.Sprintf(`position(convert_to(?, 'UTF8') in "%s") > 0`, c.Column)
		default:
			where = fmt.Sprintf(`strpos("%s"::text, ?) > 0`, c.Column)
		}
		var n int64
		if err := db.Raw(fmt.Sprintf(`SELECT COUNT(*) FROM "%s" WHERE `, c.Table)+where, needle).Scan(&n).Error; err != nil {
			t.Fatalf("%s.%s: %v", c.Table, c.Column, err)
		}
		if n > 0 {
			found = append(found, c.Table+"."+c.Column)
		}
	}
	return found
}

// frozenPDF is the one column allowed to keep an erased family's name: the
// issued attestations, frozen documents (docs/decisions.md).
const frozenPDF = "certificates.pdf"

// walHolds reports whether SQLite's files, the database and its write-ahead
// log, hold needle anywhere, free pages included; false on PostgreSQL, whose
// files are the server's.
func walHolds(t *testing.T, db *gorm.DB, needle string) bool {
	t.Helper()
	if db.Dialector.Name() != "sqlite" {
		return false
	}
	var files []struct{ Name, File string }
	if err := db.Raw("SELECT name, file FROM pragma_database_list").Scan(&files).Error; err != nil || len(files) == 0 {
		t.Fatalf("database list: %v", err)
	}
	for _, path := range []string{files[0].File, files[0].File + "-wal"} {
		b, err := os.ReadFile(path)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(needle)) {
			return true
		}
	}
	return false
}

// TestErasureLeavesNothing erases families on request (by the API and by
// the page, each with a signed attestation and a reservation cancelled with
// a reason) and at the end of the retention period (an equipped, a
// withdrawn and a refused family), then searches every column of every
// table for each family's canary word and phone: none is left anywhere
// but in the frozen attestation PDFs, on both databases; on SQLite the
// write-ahead log holds none either. A family still in the programme,
// whose data must stay, shows that the search finds what is there.
func TestErasureLeavesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newErasureFixture(t, db)
		app := f.app
		admin, staff := app.login(ordi.RoleAdmin), app.login(ordi.RoleStaff)

		// On request, by the API: an equipped family whose first reservation
		// was cancelled with a reason, whose attestation was corrected.
		api := f.nominate("Hirondelle", "07 98 76 54 31")
		f.train(api)
		rid := f.reserve(api)
		f.expect(app.api(ordi.RoleStaff, http.MethodDelete, fmt.Sprintf("/api/v1/reservations/%d?reason=%s", rid, url.QueryEscape("Mme Hirondelle hospitalisée")), nil), http.StatusOK, "cancel")
		number := f.handOver(api, "Zoé Hirondelle")
		res := app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/certificates/"+number+"/reissue", map[string]any{
			"signatory_name": "Zoé Hirondelle-Martin", "accessories": []string{"Souris"}, "reason": "nom Hirondelle mal orthographié"})
		corrected := decode[certificateRef](t, f.expect(res, http.StatusCreated, "correction")).Number
		if body := readBody(app.get(staff, "/certificates/"+corrected+"/correct")); !strings.Contains(body, `value="Zoé Hirondelle-Martin"`) {
			t.Fatal("the correction form is not pre-filled: the check below would prove nothing")
		}
		f.expect(app.api(ordi.RoleSocialWorker, http.MethodGet, fmt.Sprintf("/api/v1/households/%d/export", api.ID), nil), http.StatusOK, "export")
		f.expect(app.api(ordi.RoleAdmin, http.MethodPost, fmt.Sprintf("/api/v1/households/%d/erase", api.ID), map[string]any{"confirm": api.Reference}), http.StatusOK, "erasure by the API")
		for _, needle := range []string{api.Canary, api.Phone} {
			if walHolds(t, db, needle) {
				t.Errorf("after the erasure by the API, the SQLite files still hold %q (columns: %v)", needle, canaryColumns(t, db, needle))
			}
		}
		// The kept answer of its nomination is replaced: a replay is told
		// the family was erased, and nominates nobody again.
		families := countWhere(t, db, "households", "1 = 1")
		body := nominationBody("Famille Hirondelle")
		body["phone"], body["postcode"], body["notes"] = api.Phone, "59170", "Voisine de Mme Hirondelle, appeler après 18 h"
		res = app.apiKeyed(ordi.RoleSocialWorker, http.MethodPost, "/api/v1/households", "nominate-"+strings.ReplaceAll(api.Phone, " ", ""), body)
		if text := readBody(res); res.StatusCode != http.StatusGone || !strings.Contains(text, "effacées") || strings.Contains(text, api.Canary) {
			t.Errorf("replay of the erased family's nomination: %d %s", res.StatusCode, text)
		}
		if n := countWhere(t, db, "households", "1 = 1"); n != families {
			t.Errorf("the replay nominated again: %d families, was %d", n, families)
		}
		// The correction form has no name left to pre-fill.
		if body := readBody(app.get(staff, "/certificates/"+corrected+"/correct")); strings.Contains(body, api.Canary) {
			t.Error("the correction form still shows the erased signatory")
		}

		// On request, by the page: an equipped family, its first
		// reservation cancelled by the page.
		page := f.nominate("Pivert", "07 98 76 54 32")
		f.train(page)
		rid = f.reserve(page)
		f.expect(app.postForm(staff, fmt.Sprintf("/reservations/%d/cancel", rid), url.Values{"reason": {"Pivert injoignable"}, "back": {"/allocation"}}), http.StatusSeeOther, "cancel by the page")
		f.handOver(page, "Paul Pivert")
		f.expect(app.postForm(admin, fmt.Sprintf("/families/%d/erase", page.ID), url.Values{"confirm": {page.Reference}}), http.StatusSeeOther, "erasure by the page")
		readBody(app.get(admin, fmt.Sprintf("/families/%d", page.ID))) // the flash leaves the session

		// At the end of the retention period: equipped, withdrawn, refused.
		equipped := f.nominate("Mésange", "07 98 76 54 33")
		f.train(equipped)
		f.handOver(equipped, "Lucie Mésange")
		withdrawn := f.nominate("Loriot", "07 98 76 54 34")
		f.train(withdrawn)
		rid = f.reserve(withdrawn)
		f.expect(app.api(ordi.RoleStaff, http.MethodDelete, fmt.Sprintf("/api/v1/reservations/%d?reason=%s", rid, url.QueryEscape("M. Loriot absent")), nil), http.StatusOK, "cancel")
		f.expect(app.api(ordi.RoleSocialWorker, http.MethodPost, fmt.Sprintf("/api/v1/households/%d/withdraw", withdrawn.ID), map[string]any{"reason": "M. Loriot a déménagé"}), http.StatusOK, "withdraw")
		refused := f.nominate("Bouvreuil", "07 98 76 54 35")
		f.decide(refused, false, "Mme Bouvreuil habite hors du territoire")
		// Still in the programme: kept.
		kept := f.nominate("Rossignol", "07 98 76 54 36")
		f.train(kept)

		app.clock.Advance((allocation.RetentionYears*365 + 2) * 24 * time.Hour)
		if n, err := app.srv.cfg.Certificates.EraseExpired(context.Background()); err != nil || n != 3 {
			t.Fatalf("retention erased %d families (%v), want 3", n, err)
		}

		for _, h := range []erasureFamily{api, page, equipped, withdrawn, refused} {
			for _, needle := range []string{h.Canary, h.Phone} {
				if found := slices.DeleteFunc(canaryColumns(t, db, needle), func(c string) bool { return c == frozenPDF }); len(found) > 0 {
					t.Errorf("family %s erased, but %q is still in %v", h.Reference, needle, found)
				}
				if walHolds(t, db, needle) {
					t.Errorf("family %s erased, but the SQLite files still hold %q", h.Reference, needle)
				}
			}
			var row struct{ Postcode, IncomeBracket string }
			db.Table("households").Select("postcode, income_bracket").Where("id = ?", h.ID).Take(&row)
			if row.Postcode != "" || row.IncomeBracket != "" {
				t.Errorf("family %s erased, but its postcode and income band are %+v", h.Reference, row)
			}
		}
		if found := canaryColumns(t, db, kept.Canary); !slices.Contains(found, "households.contact_name") || !slices.Contains(found, "households.notes") {
			t.Fatalf("the search does not find the family still in the programme: %v", found)
		}
		// Its nomination's kept answer holds its file too (the search reads
		// the kept answers).
		if found := canaryColumns(t, db, kept.Phone); !slices.Equal(slices.Sorted(slices.Values(found)), []string{"households.phone", "idempotency_keys.body"}) {
			t.Fatalf("the kept family's phone is found in %v", found)
		}
	})
}
