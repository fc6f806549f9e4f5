package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/outbox"
	"github.com/ordi-app/ordi/outbox/outboxtest"
)

// TestUserAddInvites: with ORDI_SMTP_URL and no password on stdin, user add
// writes an invitation into the outbox and says so; without mail, a
// password is still required and works as before.
func TestUserAddInvites(t *testing.T) {
	for _, d := range dbtest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			url := dbtest.URL(t, d)
			vars := map[string]string{"ORDI_DATABASE_URL": url, "ORDI_BASE_URL": "https://ordi.example"}
			if _, _, err := runCmd(t, vars, "", "user", "add", "--email", "a@example.org", "--name", "A", "--role", "staff"); err == nil {
				t.Fatal("user add without mail nor password succeeded")
			}
			vars["ORDI_SMTP_URL"] = "smtp://127.0.0.1:25?tls=none"
			out, _, err := runCmd(t, vars, "", "user", "add", "--email", "Nadia@Example.org", "--name", "Nadia", "--role", "staff")
			if err != nil || !strings.Contains(out, "invitation envoyée à nadia@example.org") {
				t.Fatalf("user add: %v\n%s", err, out)
			}
			out, _, err = runCmd(t, vars, testPassword+"\n", "user", "add", "--email", "b@example.org", "--name", "B", "--role", "staff")
			if err != nil || strings.Contains(out, "invitation") {
				t.Fatalf("user add with a password: %v\n%s", err, out)
			}
			db, err := openDB(context.Background(), url, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer database.Close(db)
			var msgs []outbox.Message
			db.Find(&msgs)
			if len(msgs) != 1 || msgs[0].Recipient != "nadia@example.org" || !strings.Contains(msgs[0].BodyText, "https://ordi.example/password/") {
				t.Fatalf("outbox %+v", msgs)
			}
		})
	}
}

// TestServeSendsMail: `ordi serve` with ORDI_SMTP_URL offers the password
// reset, and its worker delivers the link to a real SMTP server, from
// ORDI_MAIL_FROM.
func TestServeSendsMail(t *testing.T) {
	srv := outboxtest.MustServer(t)
	vars := map[string]string{"ORDI_DATABASE_URL": dbtest.URL(t, database.SQLite), "ORDI_SMTP_URL": srv.URL,
		"ORDI_MAIL_FROM": "ordi@regie.example", "ORDI_BASE_URL": "https://ordi.regie.example"}
	if _, _, err := runCmd(t, vars, testPassword+"\n", "user", "add", "--email", "sam@example.org", "--name", "Sam", "--role", "staff"); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, vars)
	page, err := http.Get(s.base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if !strings.Contains(string(body), `href="/password/forgot"`) {
		t.Fatal("the login page does not offer the reset")
	}
	res, err := http.PostForm(s.base+"/password/forgot", url.Values{"email": {"sam@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("reset request: %d", res.StatusCode)
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(srv.Messages()) == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	got := srv.Messages()
	if len(got) != 1 || got[0].To != "sam@example.org" || got[0].From != "ordi@regie.example" ||
		!strings.Contains(got[0].Text, "https://ordi.regie.example/password/") {
		t.Fatalf("messages %+v", got)
	}
}
