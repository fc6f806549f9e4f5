package web

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/pdfdoc/pdftest"
	"github.com/ordi-app/ordi/reports"
)

// fakeReports stands for reports.Service: it answers a small Bilan
// (a suppressed cell holding the canary 987654) and records what it was
// asked, so the tests see the filter the handlers read and the caller
// they pass on. A social worker's view carries their partner as scope.
type fakeReports struct {
	mu      sync.Mutex
	calls   []reports.Filter
	actors  []ordi.Actor
	partner string
	refuse  error
}

func (f *fakeReports) Summary(_ context.Context, a ordi.Actor, flt reports.Filter) (reports.Summary, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, flt)
	f.actors = append(f.actors, a)
	if f.refuse != nil {
		return reports.Summary{}, f.refuse
	}
	s := reports.Summary{Filter: flt, Threshold: 5, Tables: []reports.Table{{
		Key: reports.TableFunnel, Section: "families", Title: "Parcours des familles", RowHead: "Étape",
		Columns: []reports.Column{{Key: "families", Label: "Familles", Measure: reports.Families}},
		Rows: []reports.Row{
			{Key: "nominated", Label: "Orientées", Cells: []reports.Cell{{Value: 42}}},
			{Key: "withdrawn", Label: "Sorties", Cells: []reports.Cell{{Value: 987654, Suppressed: true}}},
		},
		Method: "Une famille compte à la date de chaque étape.",
	}}}
	if a.Role == ordi.RoleSocialWorker {
		s.Scope = f.partner
	}
	return s, nil
}

func (f *fakeReports) last() (reports.Filter, ordi.Actor, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		return reports.Filter{}, ordi.Actor{}, 0
	}
	return f.calls[len(f.calls)-1], f.actors[len(f.actors)-1], len(f.calls)
}

func newBilanApp(t *testing.T, db *gorm.DB) (*testApp, *fakeReports) {
	app := newTestApp(t, db).withUsers()
	fake := &fakeReports{partner: app.partner.Name}
	app.srv.reports = fake
	return app, fake
}

// TestBilanExports downloads the three files from the pages' routes and
// the API's, and reads each back: the CSV's bytes, the workbook with
// excelize, the PDF with the PDF tools; the suppressed canary appears in
// none, and the filter reaches the figures as asked.
func TestBilanExports(t *testing.T) {
	pdftest.RequireTools(t)
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app, fake := newBilanApp(t, db)
		staff := app.login(ordi.RoleStaff)
		q := "?from=2026-01-01&to=2026-06-30&commune=Montreuil&qpv=oui&partner_id=" + strconv.FormatInt(app.partner.ID, 10)

		res := app.get(staff, "/bilan.csv"+q)
		body := rawBody(res)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("CSV: status %d: %s", res.StatusCode, body)
		}
		if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("CSV Content-Type %q", ct)
		}
		if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="bilan-2026-01-01-2026-06-30.csv"` {
			t.Errorf("CSV Content-Disposition %q", cd)
		}
		if !strings.Contains(res.Header.Get("Cache-Control"), "no-store") {
			t.Error("the CSV may be cached")
		}
		for _, want := range []string{"\ufeffBilan d'activité;Régie de quartier\r\n", "Période;du 1er janvier 2026 au 30 juin 2026\r\n",
			"Filtres;\"Commune : Montreuil ; Quartiers prioritaires (QPV) : oui ; Partenaire : CCAS de Test\"\r\n", "Orientées;42\r\n", "Sorties;< 5\r\n"} {
			if !strings.Contains(body, want) {
				t.Errorf("CSV lacks %q:\n%s", want, body)
			}
		}
		f, a, _ := fake.last()
		if f.From != "2026-01-01" || f.To != "2026-06-30" || f.Commune != "Montreuil" || f.QPV == nil || !*f.QPV || f.PartnerID != app.partner.ID {
			t.Errorf("filter passed on: %+v", f)
		}
		if a.UserID != app.users[ordi.RoleStaff].ID || a.Role != ordi.RoleStaff {
			t.Errorf("actor passed on: %+v", a)
		}

		res = app.api(ordi.RoleAdmin, http.MethodGet, "/api/v1/reports/summary.xlsx"+q, nil)
		xlsx := []byte(rawBody(res))
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Disposition") != `attachment; filename="bilan-2026-01-01-2026-06-30.xlsx"` {
			t.Fatalf("XLSX: status %d, %q", res.StatusCode, res.Header.Get("Content-Disposition"))
		}
		book, err := excelize.OpenReader(bytes.NewReader(xlsx))
		if err != nil {
			t.Fatal(err)
		}
		defer book.Close()
		if sheets := book.GetSheetList(); len(sheets) != 2 || sheets[0] != "Bilan" || sheets[1] != "Parcours des familles" {
			t.Errorf("XLSX sheets %q", sheets)
		}
		if v, _ := book.GetCellValue("Parcours des familles", "B6"); v != "< 5" {
			t.Errorf("XLSX suppressed cell %q", v)
		}
		if v, _ := book.GetCellValue("Parcours des familles", "B5", excelize.Options{RawCellValue: true}); v != "42" {
			t.Errorf("XLSX nominated %q", v)
		}

		for _, path := range []string{"/bilan.pdf", "/api/v1/reports/summary.pdf"} {
			var res *http.Response
			if strings.HasPrefix(path, "/api/") {
				res = app.api(ordi.RoleStaff, http.MethodGet, path+q, nil)
			} else {
				res = app.get(staff, path+q)
			}
			pdf := []byte(rawBody(res))
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
				t.Fatalf("%s: status %d %q", path, res.StatusCode, res.Header.Get("Content-Type"))
			}
			pdftest.Validate(t, pdf)
			text := strings.Join(pdftest.Text(t, pdf), "\n")
			for _, want := range []string{"Régie de quartier", "Bilan d'activité", "du 1er janvier 2026 au 30 juin 2026", "Partenaire : CCAS de Test", "Orientées"} {
				if !strings.Contains(text, want) {
					t.Errorf("%s: the PDF lacks %q", path, want)
				}
			}
			if strings.Contains(text, "987") {
				t.Errorf("%s: the PDF prints the suppressed value", path)
			}
		}
		if strings.Contains(body, "987") || bytes.Contains(xlsx, []byte("987654")) {
			t.Error("an export prints the suppressed value")
		}
	})
}

// TestBilanExportDefaultsAndScope: without dates, the current year; a
// social worker's export names their partner as its scope.
func TestBilanExportDefaultsAndScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app, fake := newBilanApp(t, db)
		year := strconv.Itoa(app.clock.Now().In(ordi.Paris).Year())
		res := app.get(app.login(ordi.RoleSocialWorker), "/bilan.csv")
		body := rawBody(res)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", res.StatusCode, body)
		}
		if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="bilan-`+year+`-01-01-`+year+`-12-31.csv"` {
			t.Errorf("Content-Disposition %q", cd)
		}
		f, a, _ := fake.last()
		if f.From != year+"-01-01" || f.To != year+"-12-31" || f.QPV != nil || f.PartnerID != 0 || f.Commune != "" {
			t.Errorf("default filter %+v", f)
		}
		if a.Role != ordi.RoleSocialWorker || a.PartnerID != app.partner.ID {
			t.Errorf("actor %+v", a)
		}
		if !strings.Contains(body, "Périmètre;les familles orientées par CCAS de Test\r\n") || !strings.Contains(body, "Filtres;aucun filtre\r\n") {
			t.Errorf("social worker's CSV:\n%s", body)
		}
	})
}

// TestBilanExportBadInput: a query that does not parse answers 422 on its
// field, in French, without asking for the figures; what the service
// refuses (a period ending before it starts) answers 422 as well.
func TestBilanExportBadInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app, fake := newBilanApp(t, db)
		for _, tc := range []struct{ query, field, message string }{
			{"from=2026-13-45", "from", "Date de début invalide : utilisez le format AAAA-MM-JJ."},
			{"to=31/12/2026", "to", "Date de fin invalide : utilisez le format AAAA-MM-JJ."},
			{"qpv=peut-être", "qpv", "Quartier prioritaire : répondez oui ou non, ou laissez vide pour les deux."},
			{"partner_id=abc", "partner_id", "Partenaire inconnu."},
			{"partner_id=-3", "partner_id", "Partenaire inconnu."},
			{"commune=" + strings.Repeat("é", 101), "commune", "Nom de commune trop long (100 caractères au plus)."},
		} {
			for _, ext := range []string{"csv", "xlsx", "pdf"} {
				p := expectProblem(t, app.api(ordi.RoleAdmin, http.MethodGet, "/api/v1/reports/summary."+ext+"?"+tc.query, nil), http.StatusUnprocessableEntity, tc.field)
				if len(p.Errors) != 1 || p.Errors[0].Message != tc.message {
					t.Errorf("%s: errors %+v, want %q", tc.query, p.Errors, tc.message)
				}
			}
			res := app.get(app.login(ordi.RoleStaff), "/bilan.csv?"+tc.query)
			if body := readBody(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Header.Get("Content-Type"), "text/html") {
				t.Errorf("page %s: status %d %q: %.200s", tc.query, res.StatusCode, res.Header.Get("Content-Type"), body)
			}
		}
		if _, _, n := fake.last(); n != 0 {
			t.Errorf("the figures were asked %d times for bad queries", n)
		}
		var v ordi.Validation
		v.Add("to", "La fin de la période précède son début.")
		fake.refuse = v.Err()
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/reports/summary.pdf?from=2026-12-31&to=2026-01-01", nil), http.StatusUnprocessableEntity, "to")
	})
}
