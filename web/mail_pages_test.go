package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/outbox"
	"github.com/ordi-app/ordi/outbox/outboxtest"
)

// withMail is an installation whose ORDI_SMTP_URL is set.
func withMail(c *Config) { c.MailConfigured = true }

var passwordLink = regexp.MustCompile(`/password/([0-9a-f]{64})`)

// TestPasswordResetPages: the login page offers the reset when mail is
// configured; asking for a known and an unknown address gives the same
// page; the link sets the password once, and the sessions opened before
// end.
func TestPasswordResetPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		srv := outboxtest.MustServer(t)
		plain := newTestApp(t, db)
		if body := readBody(plain.get(nil, "/login")); strings.Contains(body, `href="/password/forgot"`) {
			t.Fatal("the reset is offered without mail")
		}
		if res := plain.get(nil, "/password/forgot"); res.StatusCode != http.StatusNotFound {
			t.Fatalf("reset page without mail: %d", res.StatusCode)
		}
		app := newTestApp(t, db, withMail).withUsers()
		if body := readBody(app.get(nil, "/login")); !strings.Contains(body, `href="/password/forgot"`) {
			t.Fatal("no reset link on the login page")
		}
		before := app.login(ordi.RoleStaff)
		known := readBody(app.postForm(nil, "/password/forgot", url.Values{"email": {"staff@example.org"}}))
		unknown := readBody(app.postForm(nil, "/password/forgot", url.Values{"email": {"nobody@example.org"}}))
		if strings.ReplaceAll(unknown, "nobody@example.org", "staff@example.org") != known || !strings.Contains(known, "Si un compte existe") {
			t.Fatalf("the answers differ:\n%s\n---\n%s", known, unknown)
		}
		got := srv.Deliver(db)
		if len(got) != 1 || got[0].To != "staff@example.org" {
			t.Fatalf("messages %+v", got)
		}
		m := passwordLink.FindStringSubmatch(got[0].Text)
		if m == nil || !strings.HasPrefix(got[0].Text[strings.Index(got[0].Text, "http"):], app.url("/password/")) {
			t.Fatalf("no link:\n%s", got[0].Text)
		}
		path := "/password/" + m[1]
		if res := app.get(nil, path); res.StatusCode != http.StatusOK {
			t.Fatalf("link page: %d", res.StatusCode)
		}
		res := app.postForm(nil, path, url.Values{"password": {"une phrase bien longue"}, "password_confirm": {"une autre phrase longue"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("mismatch: %d", res.StatusCode)
		}
		res = app.postForm(nil, path, url.Values{"password": {"une phrase bien longue"}, "password_confirm": {"une phrase bien longue"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
			t.Fatalf("reset: %d %s", res.StatusCode, readBody(res))
		}
		if res := app.get(before, "/"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("a session opened before the reset still works: %d", res.StatusCode)
		}
		if res := app.postForm(nil, path, url.Values{"password": {"encore une phrase"}, "password_confirm": {"encore une phrase"}}); res.StatusCode != http.StatusNotFound {
			t.Fatalf("a spent link: %d", res.StatusCode)
		}
		c := app.client()
		if res := app.postForm(c, "/login", url.Values{"email": {"staff@example.org"}, "password": {"une phrase bien longue"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in with the new password: %d", res.StatusCode)
		}
	})
}

// TestInvitationFromUsersPage: with mail, an account created without a
// password gets an invitation; without mail a password is required.
func TestInvitationFromUsersPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		plain := newTestApp(t, db).withUsers()
		admin := plain.login(ordi.RoleAdmin)
		if res := plain.postForm(admin, "/admin/users", url.Values{"email": {"a@example.org"}, "name": {"A"}, "role": {"staff"}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("no password without mail: %d", res.StatusCode)
		}
		app := newTestApp(t, db, withMail)
		admin = app.client()
		app.postForm(admin, "/login", url.Values{"email": {"admin@example.org"}, "password": {testPassword}})
		if body := readBody(app.get(admin, "/admin/users/new")); !strings.Contains(body, "envoyer une invitation") {
			t.Fatal("the form does not offer the invitation")
		}
		res := app.postForm(admin, "/admin/users", url.Values{"email": {"nadia@example.org"}, "name": {"Nadia"}, "role": {"staff"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("invite: %d %s", res.StatusCode, readBody(res))
		}
		if body := readBody(app.get(admin, "/admin/users")); !strings.Contains(body, "invitation envoyée à nadia@example.org") {
			t.Fatal("no flash saying the invitation was sent")
		}
		var msgs []outbox.Message
		db.Where("kind = ?", "invitation").Find(&msgs)
		if len(msgs) != 1 || msgs[0].Recipient != "nadia@example.org" {
			t.Fatalf("outbox %+v", msgs)
		}
	})
}

// TestMailPreferencesPage: each role sees the messages it may receive and
// its choice is kept.
func TestMailPreferencesPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		sw := app.login(ordi.RoleSocialWorker)
		body := readBody(app.get(sw, "/account/mail"))
		if strings.Count(body, `name="receive"`) != 4 || strings.Count(body, " checked") != 4 || strings.Contains(body, "quotidien") {
			t.Fatalf("social worker's choices:\n%s", body)
		}
		if res := app.postForm(sw, "/account/mail", url.Values{"receive": {"handover"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", res.StatusCode)
		}
		body = readBody(app.get(sw, "/account/mail"))
		if strings.Count(body, " checked") != 1 || !strings.Contains(body, `value="handover" checked`) {
			t.Fatalf("after saving:\n%s", body)
		}
		if res := app.postForm(sw, "/account/mail", url.Values{"receive": {"digest"}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a social worker choosing the digest: %d", res.StatusCode)
		}
		staff := app.login(ordi.RoleStaff)
		if body := readBody(app.get(staff, "/account/mail")); strings.Count(body, `name="receive"`) != 1 || !strings.Contains(body, "quotidien") {
			t.Fatalf("staff's choices:\n%s", body)
		}
	})
}

// TestOutboxPage: the administrators see the counts, the messages with
// their last error, and whether mail is configured; they set the sender.
func TestOutboxPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		err := db.Transaction(func(tx *gorm.DB) error {
			for _, to := range []string{"un@example.org", "deux@example.org"} {
				if _, err := outbox.Enqueue(tx, outbox.Mail{Kind: "eligibility", To: to, Subject: "Famille F-2026-0001 : éligible", Text: "t"}, app.clock.Now()); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		db.Model(&outbox.Message{}).Where("recipient = ?", "deux@example.org").Updates(map[string]any{"state": outbox.Failed, "attempts": 12, "last_error": "451 4.7.1 greylisted"})
		admin := app.login(ordi.RoleAdmin)
		body := readBody(app.get(admin, "/admin/mail"))
		for _, want := range []string{"pas configuré", "En attente (1)", "Échec (1)", "Envoyé (0)", "un@example.org", "451 4.7.1 greylisted"} {
			if !strings.Contains(body, want) {
				t.Errorf("outbox page lacks %q", want)
			}
		}
		body = readBody(app.get(admin, "/admin/mail?state=failed"))
		if strings.Contains(body, "un@example.org") || !strings.Contains(body, "deux@example.org") {
			t.Fatal("the failed filter")
		}
		configured := newTestApp(t, db, withMail)
		c := configured.client()
		configured.postForm(c, "/login", url.Values{"email": {"admin@example.org"}, "password": {testPassword}})
		if strings.Contains(readBody(configured.get(c, "/admin/mail")), "pas configuré") {
			t.Fatal("says not configured when it is")
		}
		if res := app.postForm(admin, "/admin/mail", url.Values{"from": {"pas une adresse"}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("bad sender: %d", res.StatusCode)
		}
		if res := app.postForm(admin, "/admin/mail", url.Values{"from": {"ordi@regie.example"}, "digest_hour": {"7"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", res.StatusCode)
		}
		if body := readBody(app.get(admin, "/admin/mail")); !strings.Contains(body, `value="ordi@regie.example"`) || !strings.Contains(body, `value="7"`) {
			t.Fatal("settings not kept")
		}
		staff := app.login(ordi.RoleStaff)
		if res := app.get(staff, "/admin/mail"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("staff on the outbox page: %d", res.StatusCode)
		}
	})
}

// TestAPIUserInvite: on the API too, no password with mail configured
// means an invitation; without mail it is a field error.
func TestAPIUserInvite(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		plain := newTestApp(t, db).withUsers()
		expectProblem(t, plain.api(ordi.RoleAdmin, http.MethodPost, "/api/v1/users", map[string]any{"email": "a@example.org", "name": "A", "role": "staff"}), http.StatusUnprocessableEntity, "password")
		app := newTestApp(t, db, withMail)
		app.tokens = plain.tokens
		res := app.api(ordi.RoleAdmin, http.MethodPost, "/api/v1/users", map[string]any{"email": "b@example.org", "name": "B", "role": "staff"})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("invite: %d %s", res.StatusCode, readBody(res))
		}
		var n int64
		db.Model(&outbox.Message{}).Where("kind = ? AND recipient = ?", "invitation", "b@example.org").Count(&n)
		if n != 1 {
			t.Fatalf("%d invitations", n)
		}
	})
}
