package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/probe"
)

// probeLoop attaches a loop device over 8 MB of random bytes, detached at
// cleanup. Locally a machine without loop devices skips; CI fails.
func probeLoop(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"lshw", "lsblk", "smartctl", "nwipe", "losetup"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is missing: .ci/run installs it", tool)
			}
			t.Skipf("%s is not installed here", tool)
		}
	}
	file := filepath.Join(t.TempDir(), "disk.img")
	data := make([]byte, 8<<20)
	rand.Read(data)
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("losetup", "--find", "--show", file).CombinedOutput()
	if err != nil {
		msg := "this machine refuses loop devices (losetup: " + strings.TrimSpace(string(out)) + ")"
		if os.Getenv("CI") != "" {
			t.Fatal(msg + ": CI machines must accept them")
		}
		t.Skip(msg)
	}
	dev := strings.TrimSpace(string(out))
	t.Cleanup(func() { exec.Command("losetup", "-d", dev).Run() })
	return dev
}

// apiCall sends a JSON request with a token and decodes the answer.
func apiCall(t *testing.T, base, token, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		js, _ := json.Marshal(body)
		r = bytes.NewReader(js)
	}
	req, _ := http.NewRequest(method, base+path, r)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

var unitLineRE = regexp.MustCompile(`Unité ([0-9A-Z]{7}) : écrivez ce code`)

// TestProbeEndToEnd runs `ordi serve` and, against it, `ordi probe` with the
// real tools of this machine and a workbench token read from a file: a new
// unit of a donation, probed and wiped (a loop device, confirmed by typing
// its path), exists with its reports and its erasure; a bundle written
// offline is sent later, and sending it again attaches nothing more; a
// bundle of a new unit sent twice creates one unit; a report whose drive is
// another unit's is refused naming that unit; an unknown unit and a revoked
// token are refused in French.
func TestProbeEndToEnd(t *testing.T) {
	for _, d := range dbtest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			loop := probeLoop(t)
			dir := t.TempDir()
			vars := map[string]string{"ORDI_DATABASE_URL": dbtest.URL(t, d), "ORDI_BASE_URL": "http://ordi.test"}
			s := startServer(t, vars)
			mustRun := func(stdin string, args ...string) string {
				t.Helper()
				out, _, err := runCmd(t, vars, stdin, args...)
				if err != nil {
					t.Fatalf("ordi %s: %v\n%s", strings.Join(args, " "), err, out)
				}
				return out
			}
			mustRun(testPassword+"\n", "user", "add", "--email", "staff@example.org", "--name", "Sam", "--role", "staff")
			staff := strings.TrimSpace(mustRun("", "token", "add", "--email", "staff@example.org"))
			mustRun("", "user", "add", "--email", "banc@example.org", "--name", "Banc 1", "--role", "workbench") // no password: drawn at random
			tokenFile := filepath.Join(dir, "token")
			if err := os.WriteFile(tokenFile, []byte(mustRun("", "token", "add", "--email", "banc@example.org")), 0o600); err != nil {
				t.Fatal(err)
			}
			probeVars := map[string]string{"ORDI_SERVER": s.base, "ORDI_TOKEN_FILE": tokenFile}
			runProbe := func(stdin string, args ...string) (string, error) {
				out, _, err := runCmd(t, probeVars, stdin, append([]string{"probe"}, args...)...)
				return out, err
			}
			status, donor := apiCall(t, s.base, staff, http.MethodPost, "/api/v1/donors", map[string]any{"name": "Mairie", "kind": "public_body"})
			if status != http.StatusCreated {
				t.Fatalf("donor: %d %v", status, donor)
			}
			_, donation := apiCall(t, s.base, staff, http.MethodPost, "/api/v1/donations", map[string]any{"donor_id": donor["id"], "received_on": "2026-11-30"})
			donationID := fmt.Sprint(donation["id"])
			reports := func(code string) []string {
				t.Helper()
				status, list := apiCall(t, s.base, staff, http.MethodGet, "/api/v1/units/"+code+"/reports", nil)
				if status != http.StatusOK {
					t.Fatalf("reports of %s: %d %v", code, status, list)
				}
				var kinds []string
				for _, it := range list["items"].([]any) {
					kinds = append(kinds, it.(map[string]any)["kind"].(string))
				}
				return kinds
			}

			// A new unit, probed and wiped.
			out, err := runProbe(loop+"\n", "--donation", donationID, "--kind", "desktop", "--drive", loop, "--wipe")
			m := unitLineRE.FindStringSubmatch(out)
			if err != nil || m == nil || !strings.Contains(out, "Connecté au serveur") || !strings.Contains(out, "█") {
				t.Fatalf("probe of a new unit: %v\n%s", err, out)
			}
			code := m[1]
			if status, u := apiCall(t, s.base, staff, http.MethodGet, "/api/v1/units/"+code, nil); status != http.StatusOK || u["kind"] != "desktop" {
				t.Fatalf("the unit printed, %s: %d %v", code, status, u)
			}
			if got := strings.Join(reports(code), ","); got != "lshw,nwipe" {
				t.Errorf("reports of %s: %s, want lshw,nwipe (smartctl has nothing to say of a loop device)", code, got)
			}
			status, erasures := apiCall(t, s.base, staff, http.MethodGet, "/api/v1/units/"+code+"/erasures", nil)
			items, _ := erasures["items"].([]any)
			if status != http.StatusOK || len(items) != 1 || items[0].(map[string]any)["result"] != "passed" {
				t.Errorf("erasures of %s: %d %v", code, status, erasures)
			}

			// Offline, then sent later, twice.
			_, unit := apiCall(t, s.base, staff, http.MethodPost, "/api/v1/units", map[string]any{"donation_id": donation["id"], "kind": "laptop"})
			code2 := unit["code"].(string)
			bundle := filepath.Join(dir, "rapport.json")
			out, err = runCmd2(t, map[string]string{}, "", "probe", "--unit", strings.ToLower(code2), "--drive", loop, "--out", bundle)
			if err != nil || !strings.Contains(out, "ordi probe upload "+bundle) {
				t.Fatalf("offline probe: %v\n%s", err, out)
			}
			if got := reports(code2); len(got) != 0 {
				t.Fatalf("reports before the upload: %v", got)
			}
			if out, err = runProbe("", "upload", bundle); err != nil || !strings.Contains(out, "Unité "+code2) {
				t.Fatalf("upload: %v\n%s", err, out)
			}
			if got := strings.Join(reports(code2), ","); got != "lshw" {
				t.Errorf("reports after the upload: %s", got)
			}
			if out, err = runProbe("", "upload", bundle); err != nil {
				t.Fatalf("second upload: %v\n%s", err, out)
			}
			if got := strings.Join(reports(code2), ","); got != "lshw" {
				t.Errorf("reports after a second upload: %s", got)
			}
			// The file forgotten (a copy made before the first send): the
			// server says it has the report.
			b, _ := probe.ReadBundle(bundle)
			for i := range b.Parts {
				b.Parts[i].Sent = nil
			}
			probe.WriteBundle(bundle, b)
			if out, err = runProbe("", "upload", bundle); err != nil || !strings.Contains(out, "le serveur l'avait déjà") {
				t.Fatalf("upload of a copy without its record: %v\n%s", err, out)
			}
			if got := strings.Join(reports(code2), ","); got != "lshw" {
				t.Errorf("reports after the copy: %s", got)
			}

			// Online, a unit by its code, the token in ORDI_TOKEN.
			tok, _ := os.ReadFile(tokenFile)
			out, _, err = runCmd(t, map[string]string{"ORDI_SERVER": s.base, "ORDI_TOKEN": strings.TrimSpace(string(tok))}, "", "probe", "--unit", code2, "--drive", loop)
			if m := unitLineRE.FindStringSubmatch(out); err != nil || m == nil || m[1] != code2 {
				t.Fatalf("probe --unit with ORDI_TOKEN: %v\n%s", err, out)
			}

			// A new unit's bundle, sent twice: one unit.
			count := func() int {
				_, dn := apiCall(t, s.base, staff, http.MethodGet, "/api/v1/donations/"+donationID, nil)
				return len(dn["units"].([]any))
			}
			before := count()
			newBundle := filepath.Join(dir, "nouvelle.json")
			if out, err = runCmd2(t, map[string]string{}, "", "probe", "--donation", donationID, "--kind", "laptop", "--drive", loop, "--out", newBundle); err != nil {
				t.Fatalf("offline probe of a new unit: %v\n%s", err, out)
			}
			for range 2 {
				if out, err = runProbe("", "upload", newBundle); err != nil {
					t.Fatalf("upload of a new unit: %v\n%s", err, out)
				}
			}
			if after := count(); after != before+1 {
				t.Errorf("a new unit's bundle sent twice made %d units", after-before)
			}

			// A drive that is another unit's: refused, naming it. The
			// smartctl output of a real drive (the reports' fixture).
			smart, err := os.ReadFile("../../inventory/hwreport/testdata/smartctl-ST3500418AS_11.json")
			if err != nil {
				t.Fatal(err)
			}
			part := probe.NewPart(probe.KindSmartctl, []string{"smartctl", "--json", "-a", "/dev/sda"}, smart)
			part.Report = true
			for i, target := range []string{code, code2} {
				f := filepath.Join(dir, fmt.Sprintf("smart-%d.json", i))
				probe.WriteBundle(f, &probe.Bundle{Format: probe.Format, Unit: target, Parts: []probe.Part{part}})
				out, err = runProbe("", "upload", f)
				if i == 0 && err != nil {
					t.Fatalf("smartctl to %s: %v\n%s", target, err, out)
				}
				if i == 1 && (err == nil || !strings.Contains(errorLine(err), code) || !strings.Contains(errorLine(err), "le serveur refuse")) {
					t.Fatalf("a drive of %s sent to %s: %v\n%s", code, target, err, out)
				}
			}

			// An unknown unit.
			unknown, _ := inventory.NewCode(rand.Reader)
			keep := t.TempDir()
			if _, err = runProbe("", "--unit", unknown.String(), "--drive", loop, "--keep-dir", keep); err == nil || !strings.Contains(errorLine(err), "inconnue du serveur") {
				t.Errorf("unknown unit: %v", err)
			}
			// What was collected waits in a file, named in the message.
			kept, _ := filepath.Glob(filepath.Join(keep, "ordi-probe-*.json"))
			if len(kept) != 1 || !strings.Contains(errorLine(err), "ordi probe upload "+kept[0]) {
				t.Errorf("the bundle kept after a refusal: %v, %v", kept, err)
			} else if b, rerr := probe.ReadBundle(kept[0]); rerr != nil || b.Unit != unknown.String() || len(b.Parts) == 0 {
				t.Errorf("the kept bundle: %v %+v", rerr, b)
			}
			if _, err = runProbe("", "--unit", "ABCDEFG"); err == nil || !strings.Contains(errorLine(err), "invalide") {
				t.Errorf("a code with a wrong check symbol: %v", err)
			}
			// No bypass of the serial confirmation.
			if _, err = runProbe("", "--unit", code, "--wipe", "--yes"); err == nil || !strings.Contains(errorLine(err), "option inconnue -yes") {
				t.Errorf("--yes: %v", err)
			}

			// No network: said so, and the file waits.
			if _, err = runProbe("", "upload", bundle, "--server", "http://127.0.0.1:1"); err == nil || !strings.Contains(errorLine(err), "serveur injoignable") || !strings.Contains(errorLine(err), "Rien n'est perdu") {
				t.Errorf("server unreachable: %v", err)
			}
			if _, err = runProbe("", "--unit", code, "--server", "http://127.0.0.1:1"); err == nil || !strings.Contains(errorLine(err), "--out FICHIER") {
				t.Errorf("probe with the server unreachable: %v", err)
			}

			// A revoked token, refused before any tool runs.
			list := mustRun("", "token", "list", "--email", "banc@example.org")
			id := regexp.MustCompile(`(?m)^(\d+)\s`).FindStringSubmatch(list)
			mustRun("", "token", "revoke", id[1])
			deadline := time.Now().Add(10 * time.Second) // the server's token cache lives a second
			for {
				tok, _ := os.ReadFile(tokenFile)
				if status, _ := apiCall(t, s.base, strings.TrimSpace(string(tok)), http.MethodGet, "/api/v1/me", nil); status == http.StatusUnauthorized {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the revoked token is still accepted after 10 s")
				}
				time.Sleep(100 * time.Millisecond)
			}
			_, err = runProbe("", "upload", bundle)
			if err == nil || !strings.Contains(errorLine(err), "refuse le jeton") {
				t.Errorf("revoked token: %v", err)
			}
		})
	}
}

// runCmd2 runs the program with only the variables given (no server, no
// token: the offline probe needs neither).
func runCmd2(t *testing.T, vars map[string]string, stdin string, args ...string) (string, error) {
	t.Helper()
	out, _, err := runCmd(t, vars, stdin, args...)
	return out, err
}
