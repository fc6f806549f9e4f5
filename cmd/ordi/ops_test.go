package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/database/proxytest"
)

// pollUntil waits for cond, checking every few milliseconds, and fails the
// test if it does not hold within limit.
func pollUntil(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(limit); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, limit)
		}
	}
}

// markAhead records in the database at rawURL a migration this program does
// not know, as a newer Ordi would.
func markAhead(t *testing.T, rawURL string, version int64) {
	t.Helper()
	db, err := database.Open(context.Background(), rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close(db)
	if err := db.Exec("INSERT INTO goose_db_version (version_id, is_applied, tstamp) VALUES (?, ?, ?)",
		version, true, time.Now().UTC()).Error; err != nil {
		t.Fatal(err)
	}
}

// TestNewerDatabaseRefused: a database migrated by a newer Ordi is not
// served, not migrated, and `migrate status` names what it does not know.
func TestNewerDatabaseRefused(t *testing.T) {
	for _, d := range dbtest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			vars := map[string]string{"ORDI_DATABASE_URL": dbtest.URL(t, d)}
			if _, _, err := runCmd(t, vars, "", "migrate", "up"); err != nil {
				t.Fatal(err)
			}
			markAhead(t, vars["ORDI_DATABASE_URL"], 99001)

			// serve must refuse at once; were it to start, the context ends it.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var out, errOut syncBuffer
			err := run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, env(vars), nil, &out, &errOut)
			if err == nil || ctx.Err() != nil {
				t.Fatalf("serve on a newer database: %v (context %v), want a refusal\n%s", err, ctx.Err(), out.String())
			}
			for name, line := range map[string]string{"serve": errorLine(err), "migrate up": ""} {
				if name == "migrate up" {
					_, _, err := runCmd(t, vars, "", "migrate", "up")
					if err == nil {
						t.Fatal("migrate up accepted a newer database")
					}
					line = errorLine(err)
				}
				if strings.Contains(line, "\n") || !strings.Contains(line, "plus récente") || !strings.Contains(line, "99001") {
					t.Errorf("%s: %q, want one line saying a newer Ordi migrated the database (99001)", name, line)
				}
			}
			status, _, err := runCmd(t, vars, "", "migrate", "status")
			if err != nil || !regexp.MustCompile(`(?m)^99001 +\(inconnue de ce programme\) +appliquée le `).MatchString(status) {
				t.Fatalf("migrate status: %v\n%s\nwant 99001 listed as unknown and applied", err, status)
			}
		})
	}
}

// TestShutdownWaitsForLongRequests stops the server while a request is in
// flight, and keeps that request going longer than the old 10 s drain: the
// server stops accepting, answers the request, then returns nil (exit 0).
func TestShutdownWaitsForLongRequests(t *testing.T) {
	s := startServer(t, map[string]string{"ORDI_DATABASE_URL": dbtest.URL(t, database.SQLite)})
	addr := strings.TrimPrefix(s.base, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := "email=x%40example.org&password=whatever-long-enough"
	fmt.Fprintf(conn, "POST /login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n", addr, len(body))
	// The server sends 100 Continue when the handler asks for the body: the
	// request is in flight, and waits for us.
	r := bufio.NewReader(conn)
	if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "HTTP/1.1 100") {
		t.Fatalf("read %q, %v; want 100 Continue", line, err)
	}
	if line, err := r.ReadString('\n'); err != nil || line != "\r\n" {
		t.Fatalf("read %q, %v after 100 Continue", line, err)
	}
	s.stop()
	pollUntil(t, 5*time.Second, "the server refuses new connections", func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	// The scenario itself, not a synchronisation: the request lasts beyond
	// the 10 s the server used to wait before giving up.
	select {
	case err := <-s.done:
		s.done <- err
		t.Fatalf("serve returned %v while a request was in flight", err)
	case <-time.After(11 * time.Second):
	}
	io.WriteString(conn, body)
	res, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatalf("the request in flight got no answer: %v", err)
	}
	res.Body.Close()
	if res.StatusCode >= 500 {
		t.Fatalf("the request in flight got %d", res.StatusCode)
	}
	select {
	case err := <-s.done:
		s.done <- err
		if err != nil {
			t.Fatalf("serve returned %v, want nil (exit 0)", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not return once the request was answered")
	}
}

// TestServeHungDatabase puts a proxy between serve and PostgreSQL, then
// freezes it, then stops it: /readyz and an API call answer 503 with
// Retry-After, within their deadlines.
func TestServeHungDatabase(t *testing.T) {
	if os.Getenv(dbtest.PostgresEnv) == "" {
		t.Skipf("set %s: a hung PostgreSQL needs one", dbtest.PostgresEnv)
	}
	raw := dbtest.URL(t, database.Postgres)
	proxy := proxytest.Start(t, proxytest.Target(t, raw))
	u, err := url.Parse(proxy.URL(t, raw))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("statement_timeout", "1s")
	q.Set("connect_timeout", "1")
	u.RawQuery = q.Encode()
	vars := map[string]string{"ORDI_DATABASE_URL": u.String()}
	if _, _, err := runCmd(t, vars, testPassword+"\n", "user", "add", "--email", "staff@example.org", "--name", "S", "--role", "staff"); err != nil {
		t.Fatal(err)
	}
	token, _, err := runCmd(t, vars, "", "token", "add", "--email", "staff@example.org", "--name", "test")
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, vars)
	get := func(path string) (*http.Response, time.Duration) {
		req, _ := http.NewRequest(http.MethodGet, s.base+path, nil)
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(token))
		start := time.Now()
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res, time.Since(start)
	}
	for _, path := range []string{"/readyz", "/api/v1/units"} {
		if res, _ := get(path); res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s before the fault: %d", path, res.StatusCode)
		}
	}
	// The bounds: /readyz's 2 s; an API call's statement_timeout 1 s plus the
	// client's 2 s grace, or two 2 s pings and a 1 s connection attempt; and
	// slack for a loaded machine.
	bounds := map[string]time.Duration{"/readyz": 2*time.Second + 2*time.Second, "/api/v1/units": 5*time.Second + 2*time.Second}
	for fault, apply := range map[string]func(){"hung": proxy.Freeze, "stopped": proxy.Stop} {
		apply()
		for path, bound := range bounds {
			res, took := get(path)
			if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
				t.Errorf("%s database: GET %s: %d, Retry-After %q; want 503 with Retry-After", fault, path, res.StatusCode, res.Header.Get("Retry-After"))
			}
			if took > bound {
				t.Errorf("%s database: GET %s took %v, want at most %v", fault, path, took, bound)
			}
			t.Logf("%s database: GET %s: %d after %v", fault, path, res.StatusCode, took.Round(time.Millisecond))
		}
	}
}

// TestBinaryExitStatus runs the built program: SIGTERM stops it with exit
// status 0; a database migrated by a newer Ordi stops it at start with exit
// status 2 and one line on standard error.
func TestBinaryExitStatus(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "ordi")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dbURL := dbtest.URL(t, database.SQLite)

	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--database-url", dbURL)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && !strings.Contains(sc.Text(), "écoute sur") {
	}
	go io.Copy(io.Discard, stdout)
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v, want exit status 0", err)
	}

	markAhead(t, dbURL, 99001)
	var stderr strings.Builder
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd = exec.CommandContext(ctx, bin, "serve", "--addr", "127.0.0.1:0", "--database-url", dbURL)
	cmd.Stderr = &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("serve on a newer database: %v, want exit status 2", err)
	}
	if lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "ordi: ") {
		t.Fatalf("standard error %q, want one line", stderr.String())
	}
}
