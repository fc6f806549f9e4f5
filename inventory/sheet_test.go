package inventory_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

// donorCSV is a donor's list as French Excel users write it: their own
// headers, semicolons, sizes with their units, and every letter of French a
// Windows-1252 file must keep (é, è, à, ç, œ, €).
const donorCSV = "Fabricant;Modèle;N° de série;Catégorie;Mémoire;Stockage;Processeur;Remarques\n" +
	"Lenovo;ThinkPad T480;PF1ABCDE;Portable;8 Go;256 Go SSD;Intel Core i5-8350U;Écran rayé, clavier « AZERTY »\n" +
	"Dell;OptiPlex 7060;5CG1234;UC;8192 Mo;1 To HDD;Intel Core i5-8500;\n" +
	"HP;EliteDisplay E243;CN4567;Écran;;;;Pied fourni, à reprendre : ç è\n" +
	"Apple;iMac 21,5;C02XYZ;Tout-en-un;16;512 Go NVMe;Intel Core i5;Clé € œuvre\n"

// checkDonorUnits checks the four units of donorCSV, in order.
func checkDonorUnits(t *testing.T, f *fixture, res inventory.ImportResult) {
	t.Helper()
	if res.Created != 4 || len(res.Codes) != 4 {
		t.Fatalf("created %+v", res)
	}
	type got struct {
		Kind         inventory.Kind
		Brand, Model string
		Serial, CPU  string
		RAM, Storage int
		StorageKind  inventory.StorageKind
		Notes        string
	}
	want := []got{
		{inventory.KindLaptop, "Lenovo", "ThinkPad T480", "PF1ABCDE", "Intel Core i5-8350U", 8, 256, inventory.StorageSSD, "Écran rayé, clavier « AZERTY »"},
		{inventory.KindDesktop, "Dell", "OptiPlex 7060", "5CG1234", "Intel Core i5-8500", 8, 1000, inventory.StorageHDD, ""},
		{inventory.KindScreen, "HP", "EliteDisplay E243", "CN4567", "", 0, 0, inventory.StorageNone, "Pied fourni, à reprendre : ç è"},
		{inventory.KindAllInOne, "Apple", "iMac 21,5", "C02XYZ", "Intel Core i5", 16, 512, inventory.StorageNVMe, "Clé € œuvre"},
	}
	for i, code := range res.Codes {
		u, err := f.svc.Unit(ctx, staff, code)
		if err != nil {
			t.Fatal(err)
		}
		g := got{u.Kind, u.Brand, u.Model, u.SerialNumber, u.CPU, u.RAMGB, u.StorageGB, u.StorageKind, u.Notes}
		if diff := cmp.Diff(want[i], g); diff != "" {
			t.Errorf("unit %d (-want +got):\n%s", i+1, diff)
		}
		if u.DonationID != f.donation.ID {
			t.Errorf("unit %d in donation %d", i+1, u.DonationID)
		}
	}
}

func TestReadSheetEncodings(t *testing.T) {
	win, err := charmap.Windows1252.NewEncoder().String(donorCSV)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		data      string
		encoding  string
		separator string
	}{
		"UTF8":        {donorCSV, inventory.EncodingUTF8, ";"},
		"UTF8BOM":     {"\xef\xbb\xbf" + donorCSV, inventory.EncodingUTF8BOM, ";"},
		"Windows1252": {win, inventory.EncodingWindows1252, ";"},
		"Comma":       {"Marque,Modèle\r\nHP,\"EliteBook; 840\"\r\n", inventory.EncodingUTF8, ","},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			sh, err := inventory.ReadSheet([]byte(tc.data), "")
			if err != nil {
				t.Fatal(err)
			}
			if sh.Format != inventory.FormatCSV || sh.Encoding != tc.encoding || sh.Separator != tc.separator {
				t.Fatalf("read as %s %s %q", sh.Format, sh.Encoding, sh.Separator)
			}
			if name == "Comma" {
				if sh.Rows[0].Cells[1] != "EliteBook; 840" {
					t.Fatalf("cells %q", sh.Rows[0].Cells)
				}
				return
			}
			if sh.Header[1] != "Modèle" || sh.Header[2] != "N° de série" || sh.Rows[3].Cells[7] != "Clé € œuvre" || sh.Rows[2].Cells[7] != "Pied fourni, à reprendre : ç è" {
				t.Fatalf("header %q, rows %+v", sh.Header, sh.Rows)
			}
		})
	}
	bad := map[string]struct {
		data string
		line int
	}{
		"ErrEmpty":       {"", 1},
		"ErrHeaderOnly":  {"Marque;Modèle\n\n", 2},
		"ErrNotText":     {"Marque\nHP\x00\n", 2},
		"ErrUndefined":   {"Marque\nH\x81P\n", 2},
		"ErrBOMNotUTF8":  {"\xef\xbb\xbfMarque\nH\xe9\n", 0},
		"ErrXLS":         {"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", 0},
		"ErrBrokenXLSX":  {"PK\x03\x04not a zip", 0},
		"ErrQuote":       {"Marque;Modèle\nHP;\"Elite\"Book\n", 2},
		"ErrBlankHeader": {"\n\n", 1},
	}
	for name, tc := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := inventory.ReadSheet([]byte(tc.data), "")
			var e *ordi.Error
			if !errors.As(err, &e) || e.Kind != ordi.Invalid || len(e.Fields) != 1 || e.Fields[0].Line != tc.line || e.Fields[0].Field != "file" {
				t.Fatalf("got %#v", err)
			}
		})
	}
}

// xlsxOf writes a workbook with excelize: a first sheet of notes, then the
// list, with a title row and a blank row above the header so that line
// numbers are the spreadsheet's, not the data's.
func xlsxOf(t testing.TB, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "Lisez-moi"); err != nil {
		t.Fatal(err)
	}
	f.SetCellValue("Lisez-moi", "A1", "Liste des postes donnés")
	if _, err := f.NewSheet("Parc"); err != nil {
		t.Fatal(err)
	}
	f.SetCellValue("Parc", "A1", "Inventaire 2026")
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		if err := f.SetSheetRow("Parc", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func donorRows() [][]any {
	var rows [][]any
	for _, line := range strings.Split(strings.TrimSpace(donorCSV), "\n") {
		var row []any
		for _, v := range strings.Split(line, ";") {
			row = append(row, v)
		}
		rows = append(rows, row)
	}
	// Numbers as numbers, as a spreadsheet stores them.
	rows[4][5-1] = 16
	return rows
}

func TestImportSheetXLSX(t *testing.T) {
	data := xlsxOf(t, donorRows())
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		// The first sheet is a title only, with no unit below it: named, it
		// is refused; by default the list's sheet is read.
		_, err := f.svc.PreviewImport(ctx, staff, f.donation.ID, data, inventory.ImportOptions{Sheet: "Lisez-moi"})
		if !errors.Is(err, ordi.Invalid) {
			t.Fatalf("first sheet: %v", err)
		}
		p, err := f.svc.PreviewImport(ctx, staff, f.donation.ID, data, inventory.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if p.Format != inventory.FormatXLSX || p.SheetName != "Parc" || !cmp.Equal(p.Sheets, []string{"Lisez-moi", "Parc"}) || p.Total != 4 || p.HeaderAt != 3 || len(p.Rows) != 4 || p.Rows[0].Line != 4 || p.Remembered {
			t.Fatalf("preview %+v", p)
		}
		for _, r := range p.Rows {
			if len(r.Errors) != 0 {
				t.Fatalf("row %d: %v", r.Line, r.Errors)
			}
		}
		if n := count(t, db, "units"); n != 0 {
			t.Fatalf("a preview created %d units", n)
		}
		res, err := f.svc.ImportSheet(ctx, staff, f.donation.ID, data, inventory.ImportOptions{Sheet: "Parc"})
		if err != nil {
			t.Fatal(err)
		}
		checkDonorUnits(t, f, res)
		_, err = f.svc.PreviewImport(ctx, staff, f.donation.ID, data, inventory.ImportOptions{Sheet: "Absente"})
		if !errors.Is(err, ordi.Invalid) || !hasField(err, "sheet") {
			t.Fatalf("unknown sheet: %v", err)
		}
	})
}

// TestImportSheetXLSXRefusesNUL: a workbook's cell may decode to a NUL
// (the XML escape _x0000_): preview and import refuse the file on that
// line, as for a CSV, and nothing is created. PostgreSQL used to refuse
// the text with an error that answered 500 (issue 12 item 7).
func TestImportSheetXLSXRefusesNUL(t *testing.T) {
	rows := donorRows()
	rows[2][1] = "Elite_x0000_Book" // line 5 of the sheet
	data := xlsxOf(t, rows)
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		_, perr := f.svc.PreviewImport(ctx, staff, f.donation.ID, data, inventory.ImportOptions{Sheet: "Parc"})
		_, ierr := f.svc.ImportSheet(ctx, staff, f.donation.ID, data, inventory.ImportOptions{Sheet: "Parc"})
		for what, err := range map[string]error{"preview": perr, "import": ierr} {
			var e *ordi.Error
			if !errors.As(err, &e) || e.Kind != ordi.Invalid || len(e.Fields) != 1 || e.Fields[0].Line != 5 || e.Fields[0].Field != "file" || !strings.Contains(e.Fields[0].Message, "U+0000") {
				t.Fatalf("%s: got %#v", what, err)
			}
		}
		if n := count(t, db, "units"); n != 0 {
			t.Fatalf("%d units created from a refused file", n)
		}
	})
}

// TestImportSheetIsAllOrNothing: one bad row, and nothing is created; each
// error names the line as the spreadsheet shows it and the donor's column.
func TestImportSheetIsAllOrNothing(t *testing.T) {
	rows := donorRows()
	rows = append(rows,
		[]any{"Asus", "X515", "AS1", "Portable", "huit Go", "128 Go SSD", "", ""}, // line 8: memory
		[]any{"Asus", "X515", "AS2", "Imprimante", "8", "", "", ""},               // line 9: kind
		[]any{"Asus", "X515", "AS3", "Portable", "8", "256", "", ""},              // line 10: storage kind missing
	)
	data := xlsxOf(t, rows)
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		p, err := f.svc.PreviewImport(ctx, staff, f.donation.ID, data, inventory.ImportOptions{})
		if err != nil || p.RowsWithErrors != 3 {
			t.Fatalf("preview: %d rows with errors, %v", p.RowsWithErrors, err)
		}
		_, err = f.svc.ImportSheet(ctx, staff, f.donation.ID, data, inventory.ImportOptions{Sheet: "Parc"})
		var e *ordi.Error
		if !errors.As(err, &e) || e.Kind != ordi.Invalid {
			t.Fatalf("got %v", err)
		}
		got := map[int]string{}
		for _, fe := range e.Fields {
			got[fe.Line] += fe.Field + ";"
		}
		want := map[int]string{8: "Mémoire;", 9: "Catégorie;", 10: "Type de stockage;"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("errors (-want +got):\n%s\n%+v", diff, e.Fields)
		}
		if n := count(t, db, "units"); n != 0 {
			t.Fatalf("%d units created", n)
		}
		if m, _ := f.svc.DonorMapping(ctx, staff, f.donor.ID); m != nil {
			t.Fatalf("a failed import remembered %+v", m)
		}
	})
}

// TestImportSheetRemembersMapping: the mapping staff chose for a donor is
// the suggestion for that donor's next file, and only that donor's.
func TestImportSheetRemembersMapping(t *testing.T) {
	csv := "Réf interne;Constructeur PC;Genre;Qté RAM\nX1;HP;Machine portable;8 Go\nX2;Dell;Machine fixe;4 Go\n"
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		p, err := f.svc.PreviewImport(ctx, staff, f.donation.ID, []byte(csv), inventory.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Mapping.Columns) != 0 || len(p.Problems) != 1 || p.Problems[0].Field != "kind" {
			t.Fatalf("suggestion %+v, problems %+v", p.Mapping, p.Problems)
		}
		m := inventory.ImportMapping{
			Columns: map[string]string{"Réf interne": "notes", "Constructeur PC": "brand", "Genre": "kind", "Qté RAM": "ram_gb"},
			Kinds:   map[string]inventory.Kind{"Machine portable": inventory.KindLaptop, "machine FIXE": inventory.KindDesktop},
		}
		p, err = f.svc.PreviewImport(ctx, staff, f.donation.ID, []byte(csv), inventory.ImportOptions{Mapping: &m})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Problems) != 0 || len(p.Rows[0].Errors)+len(p.Rows[1].Errors) != 0 || !cmp.Equal(p.KindValues, []string{"Machine portable", "Machine fixe"}) {
			t.Fatalf("preview %+v", p)
		}
		res, err := f.svc.ImportSheet(ctx, staff, f.donation.ID, []byte(csv), inventory.ImportOptions{Mapping: &m})
		if err != nil {
			t.Fatal(err)
		}
		u, _ := f.svc.Unit(ctx, staff, res.Codes[1])
		if u.Kind != inventory.KindDesktop || u.Brand != "Dell" || u.RAMGB != 4 || u.Notes != "X2" {
			t.Fatalf("unit %+v", u)
		}
		var audited int64
		db.Table("audit_events").Where("action = ? AND object_id = ?", "donation.import", fmt.Sprint(f.donation.ID)).Count(&audited)
		if audited != 1 {
			t.Fatalf("%d audit entries for the import", audited)
		}
		// The same donor's next donation: the suggestion is last time's.
		next, err := f.svc.CreateDonation(ctx, staff, inventory.NewDonation{DonorID: f.donor.ID, ReceivedOn: "2026-11-02", Site: "Atelier Alma"})
		if err != nil {
			t.Fatal(err)
		}
		p, err = f.svc.PreviewImport(ctx, staff, next.ID, []byte(csv), inventory.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !p.Remembered || p.Mapping.Columns["Genre"] != "kind" || p.Mapping.Kinds["machine fixe"] != inventory.KindDesktop || len(p.Problems) != 0 {
			t.Fatalf("remembered preview %+v", p)
		}
		// Another donor starts from the words alone.
		other, err := f.svc.CreateDonor(ctx, staff, inventory.NewDonor{Name: "Entreprise B", Kind: inventory.DonorCompany})
		if err != nil {
			t.Fatal(err)
		}
		od, err := f.svc.CreateDonation(ctx, staff, inventory.NewDonation{DonorID: other.ID, ReceivedOn: "2026-11-02", Site: "Atelier Alma"})
		if err != nil {
			t.Fatal(err)
		}
		p, err = f.svc.PreviewImport(ctx, staff, od.ID, []byte(csv), inventory.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if p.Remembered || len(p.Mapping.Columns) != 0 {
			t.Fatalf("other donor's preview %+v", p)
		}
		// A bad mapping is refused before anything.
		bad := inventory.ImportMapping{Columns: map[string]string{"Genre": "kind", "Qté RAM": "kind"}}
		if _, err := f.svc.ImportSheet(ctx, staff, od.ID, []byte(csv), inventory.ImportOptions{Mapping: &bad}); !errors.Is(err, ordi.Invalid) || !hasField(err, "columns") {
			t.Fatalf("bad mapping: %v", err)
		}
	})
}

// TestHeldImport: a file sent on the page waits for its owner only, expires,
// and is imported once however many times it is confirmed at once.
func TestHeldImport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		now := fixedNow()
		clock := func() time.Time { return now }
		svc := inventory.NewService(db, func() time.Time { return clock() })
		f := newFixture(t, db)
		acc := account.NewService(db, fixedNow)
		mk := func(email string) ordi.Actor {
			u, err := acc.CreateUser(ctx, ordi.System, account.NewUser{Email: email, Name: email, Role: ordi.RoleStaff, Password: "correct horse battery"})
			if err != nil {
				t.Fatal(err)
			}
			return u.Actor()
		}
		alice, bob := mk("alice@example.org"), mk("bob@example.org")

		if _, err := svc.HoldImport(ctx, alice, f.donation.ID, "liste.csv", strings.NewReader("Marque\n")); !errors.Is(err, ordi.Invalid) {
			t.Fatalf("unreadable file held: %v", err)
		}
		id, err := svc.HoldImport(ctx, alice, f.donation.ID, "liste\xff.csv\x00", strings.NewReader(donorCSV))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.HeldImport(ctx, bob, f.donation.ID, id); !errors.Is(err, ordi.NotFound) {
			t.Fatalf("another user reads the file: %v", err)
		}
		if _, err := svc.ImportHeld(ctx, bob, f.donation.ID, id, inventory.ImportOptions{}); !errors.Is(err, ordi.NotFound) {
			t.Fatalf("another user imports the file: %v", err)
		}
		up, err := svc.HeldImport(ctx, alice, f.donation.ID, id)
		if err != nil || up.Filename != "liste.csv" || string(up.Data) != donorCSV {
			t.Fatalf("held %+v, %v", up, err)
		}

		// Confirmed eight times at once: one import.
		const n = 8
		var wg sync.WaitGroup
		results := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, results[i] = svc.ImportHeld(ctx, alice, f.donation.ID, id, inventory.ImportOptions{})
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, err := range results {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, ordi.NotFound):
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d imports succeeded: %v", ok, results)
		}
		if got := count(t, db, "units"); got != 4 {
			t.Fatalf("%d units", got)
		}

		// Expiry.
		id, err = svc.HoldImport(ctx, alice, f.donation.ID, "liste.csv", strings.NewReader(donorCSV))
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(inventory.UploadLifetime)
		if _, err := svc.HeldImport(ctx, alice, f.donation.ID, id); !errors.Is(err, ordi.NotFound) {
			t.Fatalf("expired file: %v", err)
		}
		if _, err := svc.HoldImport(ctx, alice, f.donation.ID, "b.csv", strings.NewReader(donorCSV)); err != nil {
			t.Fatal(err)
		}
		if got := count(t, db, "import_uploads"); got != 1 {
			t.Fatalf("%d uploads kept, the expired one should be gone", got)
		}
	})
}

// libreoffice converts file in dir at test time; absent, the test is
// skipped, unless ORDI_E2E asks for the real tools (CI), where it fails.
func libreoffice(t *testing.T, dir, infilter, convertTo, file string) {
	t.Helper()
	bin, err := exec.LookPath("libreoffice")
	if err != nil {
		if os.Getenv("ORDI_E2E") != "" {
			t.Fatal("libreoffice is not installed (apt-get install libreoffice-calc-nogui)")
		}
		t.Skip("libreoffice is not installed; ORDI_E2E=1 makes this a failure")
	}
	profile := "-env:UserInstallation=file://" + filepath.Join(dir, "profile")
	args := []string{"--headless", profile}
	if infilter != "" {
		args = append(args, "--infilter="+infilter)
	}
	args = append(args, "--convert-to", convertTo, "--outdir", dir, file)
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("libreoffice %v: %v\n%s", args, err, out)
	}
}

// TestImportSheetLibreOffice: the donor's list saved by LibreOffice as
// .xlsx, and as CSV in Windows-1252 (what French Excel writes), both read
// back to the same units.
func TestImportSheetLibreOffice(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "liste.csv"), []byte(donorCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	libreoffice(t, dir, "CSV:59,34,76", "xlsx", "liste.csv")
	xlsx, err := os.ReadFile(filepath.Join(dir, "liste.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "win")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sub, "liste.xlsx"), xlsx, 0o600); err != nil {
		t.Fatal(err)
	}
	libreoffice(t, sub, "", "csv:Text - txt - csv (StarCalc):59,34,1", "liste.xlsx")
	win, err := os.ReadFile(filepath.Join(sub, "liste.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// The file is 1252 indeed: é is one byte, and € is 0x80.
	if !bytes.Contains(win, []byte("Mod\xe8le")) || !bytes.Contains(win, []byte("\x80 \x9cuvre")) {
		t.Fatalf("LibreOffice did not write Windows-1252: %q", win)
	}
	for name, data := range map[string][]byte{"XLSX": xlsx, "Windows1252": win} {
		t.Run(name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
				f := newFixture(t, db)
				p, err := f.svc.PreviewImport(ctx, staff, f.donation.ID, data, inventory.ImportOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if name == "Windows1252" && p.Encoding != inventory.EncodingWindows1252 {
					t.Fatalf("read as %q", p.Encoding)
				}
				res, err := f.svc.ImportSheet(ctx, staff, f.donation.ID, data, inventory.ImportOptions{})
				if err != nil {
					t.Fatal(err)
				}
				checkDonorUnits(t, f, res)
			})
		})
	}
}

// TestImportSheetLibreOfficeFixture reads the committed LibreOffice
// workbook (testdata/donor-libreoffice.md says how it was made).
func TestImportSheetLibreOfficeFixture(t *testing.T) {
	data, err := os.ReadFile("testdata/donor-libreoffice.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		res, err := f.svc.ImportSheet(ctx, staff, f.donation.ID, data, inventory.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Created != 4 {
			t.Fatalf("created %+v", res)
		}
		u, _ := f.svc.Unit(ctx, staff, res.Codes[0])
		if u.Notes != "Écran rayé, clavier « AZERTY »" || u.StorageKind != inventory.StorageSSD || u.RAMGB != 8 {
			t.Fatalf("unit %+v", u)
		}
		u, _ = f.svc.Unit(ctx, staff, res.Codes[3])
		if u.Kind != inventory.KindAllInOne || u.RAMGB != 16 || u.StorageGB != 512 || u.Notes != "Clé € œuvre" {
			t.Fatalf("unit %+v", u)
		}
	})
}

// TestImportSheetSameHeaderTwice: a file with two columns of one name
// fills the field from the first.
func TestImportSheetSameHeaderTwice(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		res, err := f.svc.ImportSheet(ctx, staff, f.donation.ID, []byte("Type;Marque;Type\nPortable;HP;Fixe\n"), inventory.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		u, _ := f.svc.Unit(ctx, staff, res.Codes[0])
		if u.Kind != inventory.KindLaptop {
			t.Fatalf("kind %q, want the first column's", u.Kind)
		}
	})
}

// TestPreviewCountsErrorsBeyondItsRows: the preview shows ten rows but
// counts the refused rows of the whole file.
func TestPreviewCountsErrorsBeyondItsRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("Marque;Type;RAM\n")
	for i := range 14 {
		ram := "8 Go"
		if i >= 12 {
			ram = "beaucoup"
		}
		fmt.Fprintf(&b, "HP;Portable;%s\n", ram)
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		p, err := f.svc.PreviewImport(ctx, staff, f.donation.ID, []byte(b.String()), inventory.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Rows) != inventory.PreviewRows || p.Total != 14 || p.RowsWithErrors != 2 {
			t.Fatalf("%d rows shown of %d, %d with errors", len(p.Rows), p.Total, p.RowsWithErrors)
		}
		for _, r := range p.Rows {
			if len(r.Errors) > 0 {
				t.Fatalf("row %d: %v", r.Line, r.Errors)
			}
		}
	})
}
