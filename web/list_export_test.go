package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/database/dbtest"
)

// exportBytes fetches an export with the role's token and checks its type.
func (a *testApp) exportBytes(t *testing.T, role ordi.Role, path, contentType string) []byte {
	t.Helper()
	res := a.api(role, http.MethodGet, path, nil)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), contentType) ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("%s: %d %s %q\n%s", path, res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"), b)
	}
	return b
}

// readCSV checks the French spreadsheet conventions (byte-order mark,
// semicolons, CRLF) and returns the records.
func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("no byte-order mark: %q", b[:min(len(b), 20)])
	}
	body := b[3:]
	if n, crlf := bytes.Count(body, []byte("\n")), bytes.Count(body, []byte("\r\n")); n == 0 || n != crlf {
		t.Fatalf("line ends: %d LF, %d CRLF", n, crlf)
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, body)
	}
	return recs
}

// readXLSX returns the rows of the workbook's only sheet.
func readXLSX(t *testing.T, b []byte, sheet string) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 1 || got[0] != sheet {
		t.Fatalf("sheets %v, want [%s]", got, sheet)
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func column(t *testing.T, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if h == name {
			return i
		}
	}
	t.Fatalf("no column %q in %v", name, header)
	return -1
}

// TestUnitListExport: the export holds the units the list's filters select,
// every one of them, in French CSV and in XLSX; a bad filter is a 422 on
// its field; the list page links to both with its filters.
func TestUnitListExport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		laptop := app.newUnit(t, donation) // Dell Latitude 5490, 1.6 kg
		res := app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/units", map[string]any{
			"donation_id": donation, "kind": "desktop", "brand": "=HYPERLINK(\"http://x\")", "model": "OptiPlex", "weight_kg": 7.25})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("unit: %d %s", res.StatusCode, readBody(res))
		}
		desktop := decode[unitBody](t, res)
		// 23:30 UTC on 14 March is 00:30 on the 15th in Paris.
		if err := db.Exec("UPDATE units SET label_printed_at = ? WHERE code = ?", time.Date(2026, 3, 14, 23, 30, 0, 0, time.UTC), laptop.Code).Error; err != nil {
			t.Fatal(err)
		}

		recs := readCSV(t, app.exportBytes(t, ordi.RoleVolunteer, "/api/v1/units.csv", "text/csv"))
		if len(recs) != 3 {
			t.Fatalf("%d records, want header + 2:\n%v", len(recs), recs)
		}
		code, weight, brand, kind := column(t, recs[0], "Code"), column(t, recs[0], "Poids (kg)"), column(t, recs[0], "Marque"), column(t, recs[0], "Type")
		byCode := map[string][]string{}
		for _, r := range recs[1:] {
			byCode[r[code]] = r
		}
		if r := byCode[desktop.Code]; r == nil || r[weight] != "7,25" || r[brand] != `'=HYPERLINK("http://x")` {
			t.Fatalf("desktop row %v (want weight 7,25 and the formula kept as text)", r)
		}
		if r := byCode[laptop.Code]; r == nil || r[weight] != "1,6" || r[kind] != "Ordinateur portable" || r[column(t, recs[0], "Étiquette imprimée le")] != "2026-03-15" {
			t.Fatalf("laptop row %v", r)
		}

		// The list's filters.
		recs = readCSV(t, app.exportBytes(t, ordi.RoleStaff, "/api/v1/units.csv?kind=desktop", "text/csv"))
		if len(recs) != 2 || recs[1][code] != desktop.Code {
			t.Fatalf("kind=desktop: %v", recs)
		}
		recs = readCSV(t, app.exportBytes(t, ordi.RoleStaff, "/api/v1/units.csv?q=latitude&status=received", "text/csv"))
		if len(recs) != 2 || recs[1][code] != laptop.Code {
			t.Fatalf("q=latitude: %v", recs)
		}
		recs = readCSV(t, app.exportBytes(t, ordi.RoleStaff, "/api/v1/units.csv?status=ready", "text/csv"))
		if len(recs) != 1 {
			t.Fatalf("status=ready: %v", recs)
		}
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units.csv?status=perdu", nil), http.StatusUnprocessableEntity, "status")
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units.xlsx?kind=fusee", nil), http.StatusUnprocessableEntity, "kind")

		rows := readXLSX(t, app.exportBytes(t, ordi.RoleStaff, "/api/v1/units.xlsx?kind=laptop", "application/vnd.openxmlformats"), "Unités")
		if len(rows) != 2 || rows[1][code] != laptop.Code || rows[1][weight] != "1.6" || rows[1][len(rows[0])-1] != "03-15-26" {
			t.Fatalf("xlsx rows %v", rows)
		}

		page := readBody(app.get(app.login(ordi.RoleStaff), "/units?kind=laptop"))
		for _, want := range []string{`href="/api/v1/units.csv?kind=laptop"`, `href="/api/v1/units.xlsx?kind=laptop"`, "Exporter (CSV)", "Exporter (Excel)"} {
			if !strings.Contains(page, want) {
				t.Fatalf("units page lacks %s", want)
			}
		}
	})
}

// TestDonationListExport: one row per donation, with its donor and units.
func TestDonationListExport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		app.newUnit(t, donation)
		app.newUnit(t, donation)
		recs := readCSV(t, app.exportBytes(t, ordi.RoleStaff, "/api/v1/donations.csv", "text/csv"))
		if len(recs) != 2 {
			t.Fatalf("records %v", recs)
		}
		h := recs[0]
		if r := recs[1]; r[column(t, h, "Donateur")] != "Crédit Coopératif" || r[column(t, h, "Unités")] != "2" || r[column(t, h, "Reçu le")] != "2026-10-20" {
			t.Fatalf("row %v", r)
		}
		rows := readXLSX(t, app.exportBytes(t, ordi.RoleAdmin, "/api/v1/donations.xlsx", "application/vnd.openxmlformats"), "Dons")
		if len(rows) != 2 || rows[1][column(t, h, "Donateur")] != "Crédit Coopératif" {
			t.Fatalf("xlsx rows %v", rows)
		}
		if page := readBody(app.get(app.login(ordi.RoleStaff), "/donations")); !strings.Contains(page, `href="/api/v1/donations.csv"`) {
			t.Fatal("donations page lacks its export link")
		}
	})
}

// TestFamilyListExport: summaries only, in the caller's scope (a social
// worker never gets another partner's family), with the list's filters,
// and each export is ONE access-log entry naming the references it held.
func TestFamilyListExport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		other, err := app.accounts.CreatePartner(context.Background(), ordi.System, account.NewPartner{Name: "Centre social B", Kind: account.PartnerSocialCentre})
		if err != nil {
			t.Fatal(err)
		}
		nominate := func(role ordi.Role, name string, partner int64) string {
			t.Helper()
			body := map[string]any{"contact_name": name, "phone": "06 11 22 33 44", "commune": "Roubaix", "adults": 1, "need": "any", "consent": true}
			if partner > 0 {
				body["partner_id"] = partner
			}
			res := app.api(role, http.MethodPost, "/api/v1/households", body)
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("nominate: %d %s", res.StatusCode, readBody(res))
			}
			return decode[map[string]any](t, res)["reference"].(string)
		}
		mine := nominate(ordi.RoleSocialWorker, "Mme Alpha", 0)
		theirs := nominate(ordi.RoleAdmin, "M. Bravo", other.ID)
		if res := app.api(ordi.RoleStaff, http.MethodPost, "/api/v1/households/2/decision", map[string]any{"eligible": true}); res.StatusCode != http.StatusOK {
			t.Fatalf("decision: %d %s", res.StatusCode, readBody(res))
		}
		logged := func() []string {
			var details []string
			if err := db.Raw("SELECT detail FROM audit_events WHERE action = 'household.list_export' ORDER BY id").Scan(&details).Error; err != nil {
				t.Fatal(err)
			}
			return details
		}

		b := app.exportBytes(t, ordi.RoleSocialWorker, "/api/v1/households.csv", "text/csv")
		recs := readCSV(t, b)
		if len(recs) != 2 || recs[1][column(t, recs[0], "Référence")] != mine || recs[1][column(t, recs[0], "Structure qui oriente")] != "CCAS de Test" {
			t.Fatalf("social worker's export %v", recs)
		}
		if bytes.Contains(b, []byte(theirs)) || bytes.Contains(b, []byte("Alpha")) || bytes.Contains(b, []byte("06 11")) {
			t.Fatalf("the export holds another partner's family or a name or phone:\n%s", b)
		}
		if d := logged(); len(d) != 1 || !strings.Contains(d[0], mine) || strings.Contains(d[0], theirs) {
			t.Fatalf("access log after one export: %q", d)
		}

		rows := readXLSX(t, app.exportBytes(t, ordi.RoleAdmin, "/api/v1/households.xlsx", "application/vnd.openxmlformats"), "Familles")
		if len(rows) != 3 {
			t.Fatalf("admin's export %v", rows)
		}
		if d := logged(); len(d) != 2 || !strings.Contains(d[1], mine) || !strings.Contains(d[1], theirs) || !strings.HasPrefix(d[1], "xlsx") {
			t.Fatalf("access log after two exports: %q", d)
		}
		recs = readCSV(t, app.exportBytes(t, ordi.RoleStaff, "/api/v1/households.csv?status=eligible", "text/csv"))
		if len(recs) != 2 || recs[1][0] != theirs || recs[1][column(t, recs[0], "Statut")] != "Éligible" {
			t.Fatalf("status=eligible: %v", recs)
		}
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/households.csv?status=partie", nil), http.StatusUnprocessableEntity, "status")
		if d := logged(); len(d) != 3 {
			t.Fatalf("%d entries after a refused export, want 3", len(d))
		}
		if page := readBody(app.get(app.login(ordi.RoleAdmin), "/admin/access-log")); !strings.Contains(page, "export de la liste des familles") || !strings.Contains(page, `class="list-export">csv : `+mine+"<") {
			t.Fatal("the access-log page does not show the list export and its references")
		}
		// A family's own access log, and its copy of its data, show the
		// list exports that named it, and only those.
		exportsNaming := func(ref string) int {
			t.Helper()
			res := app.api(ordi.RoleAdmin, http.MethodGet, "/api/v1/access-log?reference="+ref, nil)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("access log: %d %s", res.StatusCode, readBody(res))
			}
			n := 0
			for _, e := range decode[struct{ Items []struct{ Action string } }](t, res).Items {
				if e.Action == "household.list_export" {
					n++
				}
			}
			return n
		}
		if n, m := exportsNaming(mine), exportsNaming(theirs); n != 2 || m != 2 {
			t.Fatalf("list exports in the families' logs: %d and %d, want 2 (social worker, admin) and 2 (admin, staff: its export held only the eligible family)", n, m)
		}
		if js := readBody(app.api(ordi.RoleSocialWorker, http.MethodGet, "/api/v1/households/1/export", nil)); strings.Count(js, `"household.list_export"`) != 2 {
			t.Fatalf("the family's copy of its data lacks the list exports that named it:\n%s", js)
		}
		if page := readBody(app.get(app.login(ordi.RoleSocialWorker), "/families?status=nominated")); !strings.Contains(page, `href="/api/v1/households.csv?status=nominated"`) {
			t.Fatal("families page lacks its export link with its filter")
		}
	})
}

// TestListExportsOpenInLibreOffice: LibreOffice reads both files.
func TestListExportsOpenInLibreOffice(t *testing.T) {
	lo, err := exec.LookPath("libreoffice")
	if err != nil {
		if os.Getenv("ORDI_E2E") == "" {
			t.Skip("libreoffice is not installed (mandatory with ORDI_E2E=1)")
		}
		t.Fatal("ORDI_E2E=1 and libreoffice is not installed")
	}
	app := newTestApp(t, dbtest.OpenSQLite(t)).withUsers() // the files' format: the database plays no part
	donation := app.newDonation(t)
	u := app.newUnit(t, donation)
	dir := t.TempDir()
	for _, name := range []string{"unites.csv", "unites.xlsx"} {
		b := app.exportBytes(t, ordi.RoleStaff, "/api/v1/"+strings.Replace(name, "unites", "units", 1), "")
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "out")
	// The CSV is read as a French user's LibreOffice opens it (semicolons,
	// UTF-8, language fr-FR: decimal comma), converted to a spreadsheet,
	// then both are written back as plain CSV (commas, decimal point): a
	// weight read as a number comes back as 1.6, one read as text as "1,6".
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(lo, append([]string{"-env:UserInstallation=file://" + filepath.Join(dir, "profile"), "--headless"}, args...)...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("libreoffice %v: %v\n%s", args, err, b)
		}
	}
	run("--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", out, filepath.Join(dir, "unites.xlsx"))
	run("--infilter=CSV:59,34,76,1,,1036", "--convert-to", "ods", "--outdir", out, filepath.Join(dir, "unites.csv"))
	run("--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", filepath.Join(out, "back"), filepath.Join(out, "unites.ods"))
	for _, f := range []string{filepath.Join(out, "unites.csv"), filepath.Join(out, "back", "unites.csv")} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if !strings.Contains(s, u.Code) || !strings.Contains(s, "Latitude 5490") || !strings.Contains(s, "Étiquette imprimée le") {
			t.Fatalf("%s as LibreOffice read it:\n%s", f, s)
		}
		if !strings.Contains(s, ",1.6,") {
			t.Fatalf("%s: the weight is not a number to LibreOffice:\n%s", f, s)
		}
	}
}

// TestWorkbookLeavesNoTempFile: a workbook past excelize's 16 MB chunk
// keeps its sheet in a temporary file. Whether the export ends (Close) or
// fails half-way (Discard, deferred by every export: the client left, the
// database stopped), the file goes and the turn of expensive work is given
// back once; before, a failed export left its file in $TMPDIR for good.
func TestWorkbookLeavesNoTempFile(t *testing.T) {
	cell := strings.Repeat("x", 32000) // excelize's longest cell is 32,767 characters
	for _, tc := range []struct {
		name  string
		close bool
	}{{"OKClosed", true}, {"OKFailedHalfWay", false}} {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp) // os.TempDir reads it on each call
			var out bytes.Buffer
			w, err := newXLSXWriter(&out, "Unités", 1)
			if err != nil {
				t.Fatal(err)
			}
			released := 0
			w.release = func() { released++ }
			for range 600 { // 19 MB of cells
				if err := w.Row(cell); err != nil {
					t.Fatal(err)
				}
			}
			if len(tempFiles(t, tmp)) == 0 {
				t.Fatal("no temporary file: the test would prove nothing")
			}
			if tc.close {
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				book, err := excelize.OpenReader(&out) // a large sheet is read through a temporary file too
				if err != nil {
					t.Fatalf("the workbook sent cannot be read: %v", err)
				}
				book.Close()
			}
			w.Discard() // as deferred: nothing more after Close
			if files := tempFiles(t, tmp); len(files) > 0 {
				t.Fatalf("the temporary directory holds %v", files)
			}
			if released != 1 {
				t.Fatalf("the turn was given back %d times, want 1", released)
			}
		})
	}
}
