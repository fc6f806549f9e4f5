package web

import (
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

// TestAPIUnitBatchCaution: each scanned unit comes with its status and, for
// a transition, whether the move goes backwards or is irreversible; a batch
// holding such a move changes nothing and answers 409 naming it until it is
// confirmed; applied, each unit says what it was and what it became; a unit
// already at the target says "Déjà".
func TestAPIUnitBatchCaution(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		ready, fresh := app.readyUnit(t, donation), app.newUnit(t, donation)
		req := map[string]any{"action": "transition", "to": "diagnosed", "codes": []string{ready.Code, fresh.Code}, "dry_run": true}

		check := decode[batchResult](t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/batch", req))
		if r, f := check.Items[0], check.Items[1]; r.Result != "ok" || r.Status != "ready" || r.StatusLabel != "Prêt" || r.Caution != "backward" ||
			!strings.Contains(r.Warning, "Retour en arrière") || f.Result != "ok" || f.Status != "received" || f.Caution != "" {
			t.Fatalf("checked %+v", check.Items)
		}

		req["dry_run"] = false
		p := expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/batch", req), http.StatusConflict)
		if !strings.Contains(p.Detail, ready.Code) || !strings.Contains(p.Detail, "Rien n'a été modifié") {
			t.Fatalf("unconfirmed batch: %q", p.Detail)
		}
		for code, want := range map[string]string{ready.Code: "ready", fresh.Code: "received"} {
			if got := decode[unitBody](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units/"+code, nil)); got.Status != want {
				t.Fatalf("unconfirmed batch moved %s to %s", code, got.Status)
			}
		}

		req["confirm"] = true
		done := decode[batchResult](t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/batch", req))
		if r := done.Items[0]; done.Applied != 2 || r.Before != "ready" || r.Status != "diagnosed" || r.Message != "Passée de « Prêt » à « Diagnostiqué »" {
			t.Fatalf("confirmed batch %+v", done)
		}

		// Dismantling asks too; a unit already diagnosed says so.
		again := decode[batchResult](t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/batch", map[string]any{
			"action": "transition", "to": "diagnosed", "codes": []string{fresh.Code}, "dry_run": true}))
		if a := again.Items[0]; a.Result != "already" || a.Message != "Déjà « Diagnostiqué »" {
			t.Fatalf("already there: %+v", a)
		}
		app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/"+fresh.Code+"/erasures", map[string]any{"category": "destroy", "technique": "broyage", "result": "passed"})
		dismantle := map[string]any{"action": "transition", "to": "dismantled", "codes": []string{fresh.Code}}
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/batch", dismantle), http.StatusConflict)
		if got := decode[unitBody](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units/"+fresh.Code, nil)); got.Status != "diagnosed" {
			t.Fatalf("unconfirmed dismantling moved the unit to %s", got.Status)
		}
		dismantle["confirm"] = true
		if r := decode[batchResult](t, app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units/batch", dismantle)); r.Applied != 1 {
			t.Fatalf("confirmed dismantling %+v", r)
		}
	})
}

// TestUnitPageConfirmsBackward: the unit page asks before sending a ready
// unit back to diagnosis, as it asks before dismantling it.
func TestUnitPageConfirmsBackward(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		u := app.readyUnit(t, app.newDonation(t))
		body := readBody(app.get(app.login(ordi.RoleStaff), "/u/"+u.Code))
		for _, want := range []string{
			`data-confirm="Retour en arrière : de « Prêt » à « Diagnostiqué », les étapes faites depuis seront à refaire. Confirmer ?">Renvoyer en diagnostic`,
			`data-confirm="Irréversible : de « Prêt » à « Démantelé pour pièces »`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("unit page lacks %s", want)
			}
		}
	})
}
