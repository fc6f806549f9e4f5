package main

import (
	"context"
	"strings"
	"testing"

	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/outbox"
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
