package web

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

// TestReservationCancelBackIsLocal: a refused cancellation sends the browser
// back where the form says, but only to a path of this site (the back field
// was an open redirect).
func TestReservationCancelBackIsLocal(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		rid, _ := app.reserved(t, "Famille Retour", app.newDonation(t))
		staff := app.login(ordi.RoleStaff)
		path := fmt.Sprintf("/reservations/%d/cancel", rid)
		if res := app.postForm(staff, path, url.Values{"reason": {"absente"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("cancel: %d %s", res.StatusCode, readBody(res))
		}
		// Cancelling again is refused: the answer goes back.
		for back, want := range map[string]string{
			"/families/12?x=1":        "/families/12?x=1",
			"//evil.example/x":        "/",
			"https://evil.example/x":  "/",
			"/\\evil.example":         "/",
			"javascript:alert(1)":     "/",
			"":                        "/",
			"http:/evil.example":      "/",
			"/%2F%2Fevil.example/x":   "/%2F%2Fevil.example/x",
			" //evil.example/leading": "/",
		} {
			res := app.postForm(staff, path, url.Values{"reason": {"absente"}, "back": {back}})
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
				t.Errorf("back %q: %d to %q, want %q", back, res.StatusCode, res.Header.Get("Location"), want)
			}
		}
	})
}
