package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/pdfdoc/pdftest"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test,
// which can wait for the next write.
type syncBuffer struct {
	mu    sync.Mutex
	b     bytes.Buffer
	wrote chan struct{} // closed at the next write; nil when nobody waits
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wrote != nil {
		close(s.wrote)
		s.wrote = nil
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// next returns a channel closed at the next write. Take it before reading
// the contents, so that a write in between is not missed.
func (s *syncBuffer) next() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wrote == nil {
		s.wrote = make(chan struct{})
	}
	return s.wrote
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// runCmd runs the program to completion.
func runCmd(t *testing.T, vars map[string]string, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut syncBuffer
	err := run(context.Background(), args, env(vars), strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

// server is `ordi serve` running in the background.
type server struct {
	base   string
	dbURL  string
	stdout *syncBuffer
	stderr *syncBuffer
	stop   context.CancelFunc
	done   chan error
}

var listenRE = regexp.MustCompile(`écoute sur (\S+)`)

// startServer runs `ordi serve` on a free port and waits until it listens.
func startServer(t *testing.T, vars map[string]string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{stdout: &syncBuffer{}, stderr: &syncBuffer{}, stop: cancel, done: make(chan error, 1), dbURL: vars["ORDI_DATABASE_URL"]}
	go func() {
		s.done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, env(vars), nil, s.stdout, s.stderr)
	}()
	// A loaded machine (CI under -race) may take long to migrate: the
	// deadline is generous, and each printed line wakes the wait.
	deadline := time.After(60 * time.Second)
	for {
		wrote := s.stdout.next()
		if m := listenRE.FindStringSubmatch(s.stdout.String()); m != nil {
			s.base = "http://" + m[1]
			t.Cleanup(func() { s.shutdown(t) })
			return s
		}
		select {
		case <-wrote:
		case err := <-s.done:
			t.Fatalf("serve exited: %v\n%s", err, s.stderr.String())
		case <-deadline:
			t.Fatalf("serve did not start within 60 s:\n%s\n%s", s.stdout.String(), s.stderr.String())
		}
	}
}

func (s *server) shutdown(t *testing.T) error {
	s.stop()
	select {
	case err := <-s.done:
		s.done <- err
		return err
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop within 15 s")
		return nil
	}
}

func TestServeOnEmptyDatabase(t *testing.T) {
	for _, d := range dbtest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			vars := map[string]string{"ORDI_DATABASE_URL": dbtest.URL(t, d), "ORDI_BASE_URL": "http://ordi.test"}
			s := startServer(t, vars)
			out := s.stdout.String()
			link := regexp.MustCompile(`http://ordi\.test/setup/[0-9a-f]{32}`).FindString(out)
			if link == "" {
				t.Fatalf("no one-time setup link printed:\n%s", out)
			}
			for _, p := range []string{"/healthz", "/readyz"} {
				res, err := http.Get(s.base + p)
				if err != nil || res.StatusCode != http.StatusOK {
					t.Fatalf("%s: %v %v", p, res, err)
				}
				res.Body.Close()
			}
			res, err := http.Get(s.base + strings.TrimPrefix(link, "http://ordi.test"))
			if err != nil || res.StatusCode != http.StatusOK {
				t.Fatalf("setup link: %v %v", res, err)
			}
			res.Body.Close()
			if err := s.shutdown(t); err != nil {
				t.Fatalf("shutdown: %v", err)
			}
			// Once an account exists, no link is printed any more.
			if _, _, err := runCmd(t, vars, testPassword+"\n", "user", "add", "--email", "a@example.org", "--name", "A", "--role", "admin"); err != nil {
				t.Fatal(err)
			}
			s2 := startServer(t, vars)
			if strings.Contains(s2.stdout.String(), "/setup/") {
				t.Fatalf("setup link printed with an account present:\n%s", s2.stdout.String())
			}
		})
	}
}

const testPassword = "correct horse battery"

// TestGracefulShutdown starts a request, asks the server to stop while the
// request's body is still being sent, and checks it is answered before exit.
// It waits for facts, not for time: the handler is reading the body (the
// server answered "100 Continue"), then the server no longer listens.
func TestGracefulShutdown(t *testing.T) {
	s := startServer(t, map[string]string{"ORDI_DATABASE_URL": dbtest.URL(t, database.SQLite)})
	reading := make(chan struct{})
	trace := &httptrace.ClientTrace{Got100Continue: func() { close(reading) }}
	pr, pw := io.Pipe()
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), http.MethodPost, s.base+"/login", pr)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Expect", "100-continue")
	// The body waits for the server's "100 Continue", however long it takes.
	client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: time.Minute}}
	defer client.CloseIdleConnections()
	type result struct {
		status int
		err    error
	}
	resc := make(chan result, 1)
	go func() {
		res, err := client.Do(req)
		if err != nil {
			resc <- result{err: err}
			return
		}
		res.Body.Close()
		resc <- result{status: res.StatusCode}
	}()
	select {
	case <-reading:
	case r := <-resc:
		t.Fatalf("answered before reading the body: status %d, err %v", r.status, r.err)
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not start reading the body within 30 s")
	}
	io.WriteString(pw, "email=x%40example.org&")
	s.stop()
	waitNotListening(t, strings.TrimPrefix(s.base, "http://"))
	io.WriteString(pw, "password=whatever-long-enough")
	pw.Close()
	r := <-resc
	if r.err != nil || r.status != http.StatusUnauthorized {
		t.Fatalf("in-flight request: status %d, err %v", r.status, r.err)
	}
	if err := <-s.done; err != nil {
		t.Fatalf("serve returned %v", err)
	}
	s.done <- nil
}

// waitNotListening waits until addr refuses connections: a stopping server
// closes its listener first, then waits for the requests in flight.
func waitNotListening(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatalf("%s still accepts connections 30 s after the stop", addr)
		}
		runtime.Gosched()
	}
}

func TestCommands(t *testing.T) {
	for _, d := range dbtest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			vars := map[string]string{"ORDI_DATABASE_URL": dbtest.URL(t, d)}
			out, _, err := runCmd(t, vars, "", "migrate", "up")
			if err != nil || !strings.Contains(out, "00001") || strings.Contains(out, "en attente") {
				t.Fatalf("migrate up: %v\n%s", err, out)
			}
			if out, _, err = runCmd(t, vars, "", "migrate", "status"); err != nil || !strings.Contains(out, "appliquée") {
				t.Fatalf("migrate status: %v\n%s", err, out)
			}
			out, _, err = runCmd(t, vars, testPassword+"\n", "user", "add", "--email", "Staff@Example.org", "--name", "Sam", "--role", "staff")
			if err != nil || !strings.Contains(out, "staff@example.org") {
				t.Fatalf("user add: %v\n%s", err, out)
			}
			out, _, err = runCmd(t, vars, "", "token", "add", "--email", "staff@example.org")
			if err != nil || !regexp.MustCompile(`^ordi_[a-z2-7]{32}\n$`).MatchString(out) {
				t.Fatalf("token add printed %q, %v; want the token alone", out, err)
			}
			for name, args := range map[string][]string{
				"unknown role":      {"user", "add", "--email", "b@example.org", "--name", "B", "--role", "boss"},
				"bad email":         {"user", "add", "--email", "nope", "--name", "B", "--role", "staff"},
				"duplicate email":   {"user", "add", "--email", "staff@example.org", "--name", "B", "--role", "staff"},
				"unknown partner":   {"user", "add", "--email", "c@example.org", "--name", "C", "--role", "social_worker", "--partner", "42"},
				"token for nobody":  {"token", "add", "--email", "nobody@example.org"},
				"unknown flag":      {"user", "add", "--mail", "x"},
				"unknown migration": {"migrate", "sideways"},
			} {
				t.Run(name, func(t *testing.T) {
					_, _, err := runCmd(t, vars, testPassword+"\n", args...)
					if err == nil {
						t.Fatal("accepted")
					}
					if line := errorLine(err); strings.Contains(line, "\n") || line == "" {
						t.Fatalf("error is not one line: %q", line)
					}
				})
			}
			if _, _, err := runCmd(t, vars, "short\n", "user", "add", "--email", "d@example.org", "--name", "D", "--role", "staff"); err == nil || !strings.Contains(errorLine(err), "12 caractères") {
				t.Fatalf("short password: %v", err)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		vars map[string]string
		args []string
		want string
	}{
		"bad flag":             {nil, []string{"serve", "--port", "80"}, "option inconnue"},
		"bad base URL":         {map[string]string{"ORDI_BASE_URL": "localhost:8080"}, []string{"serve"}, "ORDI_BASE_URL"},
		"bad database URL":     {map[string]string{"ORDI_DATABASE_URL": "mysql://root@localhost/ordi"}, []string{"migrate"}, "URL de base de données invalide"},
		"unreachable database": {map[string]string{"ORDI_DATABASE_URL": "postgres://nobody@127.0.0.1:1/ordi?connect_timeout=2"}, []string{"migrate"}, "injoignable"},
		"unknown command":      {nil, []string{"frobnicate"}, "commande inconnue"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := runCmd(t, tc.vars, "", tc.args...)
			if err == nil || !strings.Contains(errorLine(err), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}, {"serve", "--help"}, {"migrate", "--help"}, {"migrate", "up", "--help"},
		{"migrate", "status", "--help"}, {"user", "--help"}, {"user", "add", "--help"}, {"token", "--help"}, {"token", "add", "--help"},
		{"demo", "--help"}, {"version", "--help"}, {"version", "-h"}, {"probe", "--help"}, {"probe", "upload", "--help"}} {
		out, _, err := runCmd(t, nil, "", args...)
		if err != nil || !strings.Contains(out, "ordi") {
			t.Errorf("%v: %v\n%s", args, err, out)
		}
	}
	out, _, err := runCmd(t, nil, "", "version")
	if err != nil || !strings.HasPrefix(out, "ordi ") {
		t.Fatalf("version: %q %v", out, err)
	}
	if !errors.Is(helpOK(errHelp), nil) {
		t.Fatal("help is an error")
	}
}

func TestDemo(t *testing.T) {
	for _, d := range dbtest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			vars := map[string]string{"ORDI_DATABASE_URL": dbtest.URL(t, d)}
			out, _, err := runCmd(t, vars, "", "demo")
			if err != nil || !strings.Contains(out, "unités") || !strings.Contains(out, "pointent vers http://localhost:8080 (ORDI_BASE_URL)") {
				t.Fatalf("demo: %v\n%s", err, out)
			}
			db, err := database.Open(context.Background(), vars["ORDI_DATABASE_URL"], nil)
			if err != nil {
				t.Fatal(err)
			}
			defer database.Close(db)
			var statuses []string
			db.Table("units").Distinct("status").Order("status").Pluck("status", &statuses)
			want := "diagnosed dismantled handed_over ready received recycled refurbished reserved returned wiped"
			if strings.Join(statuses, " ") != want {
				t.Fatalf("demo statuses %v, want %s", statuses, want)
			}
			var units, erasures int64
			db.Table("units").Count(&units)
			db.Table("erasures").Count(&erasures)
			if units < 50 || units > 80 || erasures == 0 {
				t.Fatalf("%d units, %d erasures", units, erasures)
			}
			// Every erasure the demo records is true to NIST SP 800-88: its
			// category is one its method achieves on its medium.
			var records []inventory.Erasure
			db.Order("id").Find(&records)
			categories := map[inventory.ErasureCategory]bool{}
			for _, e := range records {
				if e.Method == "" || e.Medium == "" || !slices.Contains(inventory.AllowedCategories(e.Medium, e.Method), e.Category) {
					t.Fatalf("demo erasure %s by %q on %q (%s)", e.Category, e.Method, e.Medium, e.Technique)
				}
				categories[e.Category] = true
			}
			if len(categories) != 3 {
				t.Fatalf("demo erasure categories %v, want clear, purge and destroy", categories)
			}
			var families []string
			db.Table("households").Distinct("status").Order("status").Pluck("status", &families)
			if got := strings.Join(families, " "); got != "eligible enrolled equipped ineligible nominated reserved trained" {
				t.Fatalf("demo families at %s", got)
			}
			var certs int64
			db.Table("certificates").Where("kind = 'handover'").Count(&certs)
			if certs != 2 {
				t.Fatalf("%d handover certificates", certs)
			}
			// A second run refuses to mix demo data with real data.
			if _, _, err := runCmd(t, vars, "", "demo"); err == nil {
				t.Fatal("demo ran twice")
			}
		})
	}
}

// TestServeGCPercent checks that serve runs the collector at ordi.GCPercent,
// the setting the load harnesses measure, unless GOGC chooses otherwise.
func TestServeGCPercent(t *testing.T) {
	old := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(old) })
	for _, c := range []struct {
		gogc string
		want int
	}{{"", ordi.GCPercent}, {"150", 100}} {
		debug.SetGCPercent(100)
		vars := map[string]string{"ORDI_DATABASE_URL": dbtest.URL(t, database.SQLite), "GOGC": c.gogc}
		s := startServer(t, vars)
		if got := debug.SetGCPercent(100); got != c.want {
			t.Errorf("GOGC=%q: serve set the GC percent to %d, want %d", c.gogc, got, c.want)
		}
		s.shutdown(t)
	}
}

// TestServeErasesExpiredFamilies checks that serve erases, as it starts, a
// family file whose retention period ran out, and keeps a recent one.
func TestServeErasesExpiredFamilies(t *testing.T) {
	for _, d := range dbtest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			vars := map[string]string{"ORDI_DATABASE_URL": dbtest.URL(t, d)}
			ctx := context.Background()
			db, err := database.Open(ctx, vars["ORDI_DATABASE_URL"], nil)
			if err != nil {
				t.Fatal(err)
			}
			defer database.Close(db)
			if err := database.Migrate(ctx, db); err != nil {
				t.Fatal(err)
			}
			partner, err := account.NewService(db, time.Now).CreatePartner(ctx, ordi.System, account.NewPartner{Name: "CCAS", Kind: account.PartnerCCAS})
			if err != nil {
				t.Fatal(err)
			}
			// Two families withdrawn, one four years ago, one today.
			var ids []int64
			for _, when := range []time.Time{time.Now().AddDate(-4, 0, 0), time.Now()} {
				alloc := allocation.NewService(db, inventory.NewService(db, time.Now), func() time.Time { return when })
				h, err := alloc.Nominate(ctx, ordi.System, allocation.NewHousehold{ContactName: "Mme Ancienne", Commune: "Roubaix", QPV: true,
					Adults: 1, Need: allocation.NeedAny, Consent: true, PartnerID: partner.ID})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := alloc.Withdraw(ctx, ordi.System, h.ID, "La famille a déménagé"); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, h.ID)
			}
			s := startServer(t, vars)
			defer s.shutdown(t)
			name := func(id int64) string {
				var names []string
				db.Table("households").Where("id = ?", id).Pluck("contact_name", &names)
				return names[0]
			}
			for deadline := time.Now().Add(10 * time.Second); name(ids[0]) != allocation.ErasedName; time.Sleep(50 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("the expired family was not erased:\n%s", s.stderr.String())
				}
			}
			if got := name(ids[1]); got != "Mme Ancienne" {
				t.Fatalf("the recent family became %q", got)
			}
		})
	}
}

// TestDemoBaseURL: the demo's help says where its QR codes point and how to
// change it; the address is checked as serve checks it, before anything is
// written, and the attestations the demo issues carry it.
func TestDemoBaseURL(t *testing.T) {
	help, _, err := runCmd(t, nil, "", "demo", "--help")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ORDI_BASE_URL (défaut http://localhost:8080)", "ORDI_BASE_URL=https://ordi.mon-asso.fr ordi demo", "--base-url"} {
		if !strings.Contains(help, want) {
			t.Errorf("demo --help lacks %q:\n%s", want, help)
		}
	}
	vars := map[string]string{"ORDI_DATABASE_URL": dbtest.URL(t, database.SQLite), "ORDI_BASE_URL": "ordi.mon-asso.fr"}
	if _, _, err := runCmd(t, vars, "", "demo"); err == nil || !strings.Contains(errorLine(err), "ORDI_BASE_URL invalide") {
		t.Fatalf("demo with a bad ORDI_BASE_URL: %v", err)
	}
	vars["ORDI_BASE_URL"] = "https://ordi.mon-asso.fr/"
	out, _, err := runCmd(t, vars, "", "demo")
	if err != nil || !strings.Contains(out, "pointent vers https://ordi.mon-asso.fr (ORDI_BASE_URL)") {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	pdftest.RequireTools(t)
	db, err := database.Open(context.Background(), vars["ORDI_DATABASE_URL"], nil)
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close(db)
	var pdfs [][]byte
	db.Table("certificates").Where("kind = 'handover'").Order("id").Pluck("pdf", &pdfs)
	if len(pdfs) == 0 {
		t.Fatal("the demo issued no attestation")
	}
	for i, pdf := range pdfs {
		if text := strings.Join(pdftest.Text(t, pdf), ""); !strings.Contains(text, "https://ordi.mon-asso.fr/verify/") {
			t.Errorf("attestation %d does not point at ORDI_BASE_URL:\n%s", i+1, text)
		}
	}
}

// A bad ORDI_SMTP_URL stops serve at start-up with a one-line usage error
// (exit status 2).
func TestServeBadSMTPURL(t *testing.T) {
	vars := map[string]string{"ORDI_DATABASE_URL": dbtest.URL(t, database.SQLite), "ORDI_SMTP_URL": "http://mail.example.org"}
	_, _, err := runCmd(t, vars, "", "serve", "--addr", "127.0.0.1:0")
	var u usageError
	if !errors.As(err, &u) || strings.Contains(string(u), "\n") || !strings.Contains(string(u), "ORDI_SMTP_URL") {
		t.Fatalf("serve with a bad ORDI_SMTP_URL: %v, want a one-line usage error", err)
	}
}
