package main

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestE2EAccountCredentials: an administrator issues a named, expiring API
// token on a colleague's page, sees it once, revokes it, then signs the
// colleague out everywhere; the token and the colleague's session stop
// working at once.
func TestE2EAccountCredentials(t *testing.T) {
	b := newBrowser(t)
	s := signedIn(t, b, "admin")
	vars := map[string]string{"ORDI_DATABASE_URL": s.dbURL}
	if _, _, err := runCmd(t, vars, testPassword+"\n", "user", "add", "--email", "lea@regie.example", "--name", "Léa Atelier", "--role", "staff"); err != nil {
		t.Fatal(err)
	}
	// Léa is signed in on a tablet.
	jar, _ := cookiejar.New(nil)
	tablet := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := tablet.PostForm(s.base+"/login", url.Values{"email": {"lea@regie.example"}, "password": {testPassword}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("Léa signs in: %v %v", res, err)
	}
	res.Body.Close()

	b.run(chromedp.Navigate(s.base+"/admin/users"), chromedp.WaitVisible(`tbody`, chromedp.ByQuery))
	b.clickAndLoad(`//a[text()="Léa Atelier"]`, chromedp.BySearch)
	b.run(
		chromedp.SendKeys(`input[name=name][placeholder]`, "Script d'inventaire", chromedp.ByQuery),
		chromedp.SetValue(`input[name=expires_on]`, "2099-12-31", chromedp.ByQuery),
	)
	b.clickAndLoad(`form[action$="/tokens"] button[type=submit]`, chromedp.ByQuery)
	b.allowProblem("201") // the page that shows the new token answers 201 Created
	secret := b.text("#token-secret")
	if !strings.HasPrefix(secret, "ordi_") || !strings.Contains(b.text(".flash-ok"), "expire le 01/01/2100 à 00:00") {
		t.Fatalf("token page: %q, %q", secret, b.text(".flash-ok"))
	}
	b.noHorizontalScroll()
	b.screenshot("token-created")
	if got := apiStatus(t, s.base, secret); got != http.StatusOK {
		t.Fatalf("new token: %d", got)
	}

	b.clickAndLoad(`//a[text()="J'ai copié le jeton"]`, chromedp.BySearch)
	if got := b.text("#tokens tbody"); !strings.Contains(got, "Script d'inventaire") || !strings.Contains(got, "Actif") || strings.Contains(got, secret) {
		t.Fatalf("tokens table: %q", got)
	}
	b.clickAndLoad(`#tokens form button`, chromedp.ByQuery)
	if !strings.Contains(b.text(".flash-ok"), "révoqué") || !strings.Contains(b.text("#tokens tbody"), "Révoqué") {
		t.Fatalf("after revoking: %q / %q", b.text(".flash-ok"), b.text("#tokens tbody"))
	}
	if got := apiStatus(t, s.base, secret); got != http.StatusUnauthorized {
		t.Fatalf("revoked token: %d", got)
	}

	b.clickAndLoad(`#sessions button`, chromedp.ByQuery)
	if !strings.Contains(b.text(".flash-ok"), "sessions de ce compte sont fermées") {
		t.Fatalf("after signing out everywhere: %q", b.text(".flash-ok"))
	}
	b.noHorizontalScroll()
	b.screenshot("user-credentials")
	res, err = tablet.Get(s.base + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatalf("Léa's tablet after: %d to %q, want the login page", res.StatusCode, res.Header.Get("Location"))
	}
}

func apiStatus(t *testing.T, base, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
