package main

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/database/dbtest"
)

// TestTokenCommands: ordi token add, list and revoke; the revoked token no
// longer opens the API.
func TestTokenCommands(t *testing.T) {
	for _, d := range dbtest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			url := dbtest.URL(t, d)
			vars := map[string]string{"ORDI_DATABASE_URL": url}
			if _, _, err := runCmd(t, vars, testPassword+"\n", "user", "add", "--email", "ana@example.org", "--name", "Ana", "--role", "staff"); err != nil {
				t.Fatal(err)
			}
			out, _, err := runCmd(t, vars, "", "token", "add", "--email", "ana@example.org", "--name", "script d'import", "--days", "30")
			if err != nil || !regexp.MustCompile(`^ordi_[a-z2-7]{32}\n$`).MatchString(out) {
				t.Fatalf("token add printed %q, %v; want the token alone", out, err)
			}
			secret := strings.TrimSpace(out)
			if _, _, err := runCmd(t, vars, "", "token", "add", "--email", "ana@example.org"); err != nil {
				t.Fatal(err)
			}
			out, _, err = runCmd(t, vars, "", "token", "list", "--email", "ana@example.org")
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if err != nil || len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") ||
				!regexp.MustCompile(`^1\s+script d'import\s+\S+Z\s+\S+Z\s+Actif$`).MatchString(lines[2]) ||
				!regexp.MustCompile(`^2\s+API\s+\S+Z\s+jamais\s+Actif$`).MatchString(lines[1]) {
				t.Fatalf("token list: %v\n%s", err, out)
			}

			db, err := database.Open(context.Background(), url, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			defer database.Close(db)
			accounts := account.NewService(db, time.Now)
			if _, err := accounts.UserByToken(context.Background(), secret); err != nil {
				t.Fatalf("the new token: %v", err)
			}

			out, _, err = runCmd(t, vars, "", "token", "revoke", "1")
			if err != nil || !strings.HasPrefix(out, "Jeton 1 « script d'import » révoqué le ") {
				t.Fatalf("token revoke: %v\n%s", err, out)
			}
			if _, err := account.NewService(db, time.Now).UserByToken(context.Background(), secret); !errors.Is(err, ordi.Unauthorized) {
				t.Fatalf("revoked token: %v, want Unauthorized", err)
			}
			out, _, _ = runCmd(t, vars, "", "token", "list", "--email", "ana@example.org")
			if !regexp.MustCompile(`(?m)^1\s+script d'import\s+.*Révoqué le \S+Z$`).MatchString(out) {
				t.Fatalf("token list after revoking:\n%s", out)
			}

			for name, args := range map[string][]string{
				"revoke without id":     {"token", "revoke"},
				"revoke a word":         {"token", "revoke", "abc"},
				"revoke an unknown id":  {"token", "revoke", "999"},
				"list for nobody":       {"token", "list", "--email", "nobody@example.org"},
				"negative days":         {"token", "add", "--email", "ana@example.org", "--days", "-3"},
				"unknown token command": {"token", "rotate"},
				"token without command": {"token"},
				"revoke two ids":        {"token", "revoke", "1", "2"},
			} {
				t.Run(name, func(t *testing.T) {
					_, _, err := runCmd(t, vars, "", args...)
					if err == nil {
						t.Fatal("accepted")
					}
					if line := errorLine(err); strings.Contains(line, "\n") || line == "" {
						t.Fatalf("error is not one line: %q", line)
					}
				})
			}
			for _, args := range [][]string{{"token", "list", "--help"}, {"token", "revoke", "--help"}} {
				if out, _, err := runCmd(t, vars, "", args...); err != nil || !strings.Contains(out, "ordi token") {
					t.Errorf("%v: %v\n%s", args, err, out)
				}
			}
		})
	}
}
