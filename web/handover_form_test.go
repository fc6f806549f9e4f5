package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

// TestHandoverFormShowsTermsAndName: the conditions the family signs are on
// the form, above the pad; the family's name is shown to staff, who may read
// its file, and never to a volunteer; a form missing both the signature and
// the signatory's name reports both at once, and nothing is done.
func TestHandoverFormShowsTermsAndName(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		rid, _ := app.reserved(t, canaryName, app.newDonation(t))
		page := fmt.Sprintf("/handovers/%d", rid)

		staff := readBody(app.get(app.login(ordi.RoleStaff), page))
		terms := strings.Index(staff, "ne peut être ni vendu")
		pad := strings.Index(staff, "signature-pad")
		if terms < 0 || pad < 0 || terms > pad || !strings.Contains(staff, `<details class="terms">`) {
			t.Fatal("the conditions are not shown above the signature pad")
		}
		if !strings.Contains(staff, canaryName) {
			t.Fatal("staff do not see the family's name at the desk")
		}
		vol := app.login(ordi.RoleVolunteer)
		if body := readBody(app.get(vol, page)); strings.Contains(body, canaryName) || !strings.Contains(body, "ne peut être ni vendu") {
			t.Fatal("a volunteer sees the family's name, or not the conditions")
		}

		res := app.postForm(vol, page, url.Values{"signatory_name": {" "}})
		body := readBody(res)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Signature manquante") ||
			!strings.Contains(body, "Indiquez le nom de la personne qui signe") {
			t.Fatalf("one round: %d\n%s", res.StatusCode, body)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM certificates"); n != 0 {
			t.Fatalf("%d certificates after a refused handover", n)
		}
	})
}
