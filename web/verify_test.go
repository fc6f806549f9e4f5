package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi/database/dbtest"
)

func TestTypedCertificateNumber(t *testing.T) {
	for _, tc := range []struct{ typed, want string }{
		{"REM-2026-0042", "REM-2026-0042"},
		{"  rem-2026-0042 ", "REM-2026-0042"},
		{"REM 2026 0042", "REM-2026-0042"},
		{"don–2026–0007", "DON-2026-0007"},
		{"DON - 2026 - 12345", "DON-2026-12345"},
		{"REM_2026_0042", "REM-2026-0042"},
		{"", ""},
		{"REM-2026", ""},
		{"REM-26-0042", ""},
		{"ABC-2026-0042", ""},
		{"REM-2026-0042/../x", ""},
		{"REM-2026-" + strings.Repeat("0", 40), ""},
	} {
		if got := typedCertificateNumber(tc.typed); got != tc.want {
			t.Errorf("typedCertificateNumber(%q) = %q, want %q", tc.typed, got, tc.want)
		}
	}
}

// TestVerifyForm: anybody can type a number read on paper; a number leads
// to its page, anything else is refused with what a number looks like.
func TestVerifyForm(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		res := app.get(nil, "/verify")
		if body := readBody(res); res.StatusCode != http.StatusOK || !strings.Contains(body, `name="number"`) || !strings.Contains(body, "Vérifier un certificat") {
			t.Fatalf("empty form: %d\n%s", res.StatusCode, body)
		}
		t.Run("OK", func(t *testing.T) {
			res := app.get(nil, "/verify?number="+url.QueryEscape(" rem 2026 0042 "))
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/verify/REM-2026-0042" {
				t.Fatalf("status %d, location %q", res.StatusCode, res.Header.Get("Location"))
			}
		})
		t.Run("Invalid", func(t *testing.T) {
			for typed, want := range map[string]string{
				"12345":                 "REM-AAAA-NNNN",
				"":                      "Tapez le numéro",
				"<b>" + "REM-2026-0042": "REM-AAAA-NNNN",
			} {
				res := app.get(nil, "/verify?number="+url.QueryEscape(typed))
				body := readBody(res)
				if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, want) || !strings.Contains(body, `aria-invalid="true"`) {
					t.Fatalf("%q: status %d\n%s", typed, res.StatusCode, body)
				}
				if strings.Contains(body, "<b>") {
					t.Fatal("the typed text is not escaped")
				}
			}
		})
		t.Run("FrenchSpacing", func(t *testing.T) {
			// Pages are sent with French spaces: the message as written in Go
			// says "certificat : il", the page "certificat\u00A0: il".
			body := rawBody(app.get(nil, "/verify?number=12345"))
			if !strings.Contains(body, "certificat\u00A0: il s&#39;écrit") || strings.Contains(body, "certificat : il") {
				t.Fatalf("the page keeps plain spaces:\n%s", body)
			}
		})
		t.Run("NotFound", func(t *testing.T) {
			res := app.get(nil, "/verify/REM-2026-9999")
			if body := readBody(res); res.StatusCode != http.StatusNotFound || !strings.Contains(body, `name="number"`) {
				t.Fatalf("unknown number: %d, box shown: %v", res.StatusCode, strings.Contains(body, `name="number"`))
			}
		})
	})
}
