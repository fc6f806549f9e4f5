package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

// donorWorkbook is a donor's asset list as their tool exports it.
func donorWorkbook(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// staffPost sends body with its type and a staff token.
func (a *testApp) staffPost(t *testing.T, path, contentType string, body []byte) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, a.url(path), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+a.tokens[ordi.RoleStaff])
	return a.do(nil, req)
}

// importMultipart is a multipart request with the file and, when not nil,
// the mapping.
func (a *testApp) importMultipart(t *testing.T, path string, file []byte, mapping any) *http.Response {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, _ := w.CreateFormFile("file", "parc.xlsx")
	part.Write(file)
	if mapping != nil {
		js, _ := json.Marshal(mapping)
		w.WriteField("mapping", string(js))
	}
	w.Close()
	return a.staffPost(t, path, w.FormDataContentType(), buf.Bytes())
}

func TestAPIDonationImport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		donation := app.newDonation(t)
		rows := [][]any{
			{"Manufacturer", "Model Name", "Serial", "Category", "RAM", "Asset Tag"},
			{"Lenovo", "ThinkPad T480", "PF1", "Laptop", "8 GB", "A-1"},
			{"Dell", "OptiPlex 7060", "5CG", "Desktop", 16, "A-2"},
		}
		xlsx := donorWorkbook(t, rows)
		preview := fmt.Sprintf("/api/v1/donations/%d/import/preview", donation)
		imp := fmt.Sprintf("/api/v1/donations/%d/import", donation)

		// The file alone as the body: the suggestion and the first rows.
		res := app.staffPost(t, preview, xlsxType, xlsx)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("preview: %d %s", res.StatusCode, readBody(res))
		}
		p := decode[inventory.ImportPreview](t, res)
		if p.Format != "xlsx" || p.SheetName != "Sheet1" || p.Total != 2 || len(p.Rows) != 2 || p.Rows[0].Line != 2 ||
			p.Mapping.Columns["Serial"] != "serial_number" || p.Mapping.Columns["Asset Tag"] != "" || p.Mapping.Kinds["laptop"] != inventory.KindLaptop ||
			len(p.Rows[0].Errors) != 0 || len(p.Rows[1].Errors) != 0 {
			t.Fatalf("preview %+v", p)
		}
		var n int64
		if db.Table("units").Count(&n); n != 0 {
			t.Fatalf("a preview created %d units", n)
		}

		// A mapping naming a field twice, or that does not read: 422.
		expectProblem(t, app.importMultipart(t, imp, xlsx, map[string]any{"columns": map[string]string{"Serial": "brand", "Manufacturer": "brand"}}), http.StatusUnprocessableEntity, "columns")
		var bad bytes.Buffer
		w := multipart.NewWriter(&bad)
		part, _ := w.CreateFormFile("file", "parc.xlsx")
		part.Write(xlsx)
		w.WriteField("mapping", "{not json")
		w.Close()
		expectProblem(t, app.staffPost(t, imp, w.FormDataContentType(), bad.Bytes()), http.StatusUnprocessableEntity, "mapping")

		// Without a mapping, the suggestion is used.
		res = app.importMultipart(t, imp, xlsx, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("import with the suggestion: %d %s", res.StatusCode, readBody(res))
		}
		got := decode[importResult](t, res)
		if got.Created != 2 || len(got.Codes) != 2 {
			t.Fatalf("import %+v", got)
		}

		// A bad row: 422, each error with its line and the donor's column,
		// nothing created.
		rows = append(rows, []any{"HP", "ProBook", "X", "Printer", "4 GB", "A-3"}, []any{"HP", "ProBook", "Y", "Laptop", "lots", "A-4"})
		res = app.importMultipart(t, imp, donorWorkbook(t, rows), map[string]any{
			"columns": map[string]string{"Manufacturer": "brand", "Category": "kind", "RAM": "ram_gb"},
			"kinds":   map[string]string{"Laptop": "laptop", "DESKTOP": "desktop"},
		})
		pb := expectProblem(t, res, http.StatusUnprocessableEntity, "Category", "RAM")
		if len(pb.Errors) != 2 || pb.Errors[0].Line != 4 || pb.Errors[1].Line != 5 {
			t.Fatalf("errors %+v", pb.Errors)
		}
		if db.Table("units").Count(&n); n != 2 {
			t.Fatalf("%d units after a failed import", n)
		}

		// Windows-1252 CSV as the body (é is E9, É C9, € 80).
		res = app.staffPost(t, imp, "text/csv", []byte("Marque;Mod\xe8le;Cat\xe9gorie\nHP;\xc9lite \x80;Portable\n"))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("1252 CSV: %d %s", res.StatusCode, readBody(res))
		}
		got = decode[importResult](t, res)
		u := decode[unitBody](t, app.api(ordi.RoleStaff, http.MethodGet, "/api/v1/units/"+got.Codes[0], nil))
		if u.Model != "Élite €" {
			t.Fatalf("1252 unit %+v", u)
		}
		expectProblem(t, app.importMultipart(t, "/api/v1/donations/999999/import", xlsx, nil), http.StatusNotFound)
		expectProblem(t, app.api(ordi.RoleStaff, http.MethodPost, imp, map[string]any{"file": "x"}), http.StatusUnsupportedMediaType)
	})
}
