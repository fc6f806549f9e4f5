package labels_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/labels"
	"github.com/ordi-app/ordi/pdfdoc/pdftest"
)

var update = flag.Bool("update", false, "rewrite the golden PDFs in testdata/")

// sample returns n labels with distinct codes and URLs.
func sample(n int) []labels.Label {
	out := make([]labels.Label, n)
	for i := range out {
		code := fmt.Sprintf("K%06d", i)
		out[i] = labels.Label{
			Code: code, URL: "https://ordi.regie-roubaix.fr/u/" + code, Kind: "Ordinateur portable",
			Model: "Lenovo ThinkPad T480", Association: "Régie de quartier de Roubaix-Est",
		}
	}
	return out
}

func render(t testing.TB, tpl labels.Template, ls []labels.Label, skip int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := labels.Render(&buf, tpl, ls, skip); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./labels -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test ./labels -update after checking the output)", name)
	}
}

func TestRenderIsDeterministicAndGolden(t *testing.T) {
	for _, tpl := range labels.Templates() {
		t.Run(tpl.Name, func(t *testing.T) {
			a := render(t, tpl, sample(3), 0)
			b := render(t, tpl, sample(3), 0)
			if !bytes.Equal(a, b) {
				t.Fatal("two renderings differ")
			}
			golden(t, "labels-"+tpl.Name+".pdf", a)
			var cal bytes.Buffer
			if err := labels.Calibration(&cal, tpl); err != nil {
				t.Fatal(err)
			}
			golden(t, "calibration-"+tpl.Name+".pdf", cal.Bytes())
			// The golden bytes alone could bless a shifted layout: every
			// QR is read back from its cell (skips without poppler-utils,
			// fails without them in CI).
			pdftest.CheckLabelQRs(t, a, tpl, 0, urls(sample(3)))
		})
	}
}

// urls returns the URLs the labels' QR codes must hold, in order.
func urls(ls []labels.Label) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.URL
	}
	return out
}

// TestEveryQRDecodesInItsCell prints more than a sheet, starting after a few
// used labels, rasterises every page and decodes the QR of every cell: each
// must hold the expected URL, in order, and the skipped cells must be blank.
// A wrong layout cannot pass, whatever the golden files say.
func TestEveryQRDecodesInItsCell(t *testing.T) {
	pdftest.RequireTools(t)
	for _, tpl := range labels.Templates() {
		t.Run(tpl.Name, func(t *testing.T) {
			skip := 0
			if !tpl.Roll {
				skip = 3
			}
			n := tpl.PerPage() + 2 - skip
			if tpl.Roll {
				n = 3
			}
			ls := sample(n)
			pdf := render(t, tpl, ls, skip)
			perPage := pdftest.CheckLabelQRs(t, pdf, tpl, skip, urls(ls))
			if !tpl.Roll && perPage[0] != tpl.PerPage()-skip {
				t.Fatalf("first page holds %d labels, want %d", perPage[0], tpl.PerPage()-skip)
			}
			text := strings.Join(pdftest.Text(t, pdf), "\n")
			for _, l := range ls {
				if !strings.Contains(text, l.Code) {
					t.Errorf("text lacks the code %s", l.Code)
				}
			}
			if !strings.Contains(text, "Régie de quartier") {
				t.Error("text lacks the association's name with its accent")
			}
		})
	}
}

func TestTemplates(t *testing.T) {
	want := map[string]int{"L7163": 14, "L7160": 21, "3474": 24, "DK-11209": 1, "DK-22205": 1}
	for name, per := range want {
		tpl, ok := labels.FindTemplate(name)
		if !ok || tpl.PerPage() != per {
			t.Errorf("%s: found %v, %d per page, want %d", name, ok, tpl.PerPage(), per)
		}
		// Every label lies on the page.
		for i := 0; i < tpl.PerPage(); i++ {
			r := pdftest.LabelCell(tpl, i, 254)
			if r.Min.X < 0 || r.Min.Y < 0 || r.Max.X > pdftest.MM(tpl.PageWidth, 254)+1 || r.Max.Y > pdftest.MM(tpl.PageHeight, 254)+1 {
				t.Errorf("%s label %d off the page: %v", name, i+1, r)
			}
		}
	}
	if _, ok := labels.FindTemplate("L9999"); ok {
		t.Error("unknown template found")
	}
}

func TestRenderRefusesBadInput(t *testing.T) {
	sheet, _ := labels.FindTemplate("L7163")
	roll, _ := labels.FindTemplate("DK-11209")
	for name, tc := range map[string]struct {
		tpl    labels.Template
		labels []labels.Label
		skip   int
		field  string
	}{
		"ErrEmpty":        {sheet, nil, 0, "codes"},
		"ErrTooMany":      {sheet, sample(labels.MaxLabels + 1), 0, "codes"},
		"ErrNegativeSkip": {sheet, sample(1), -1, "skip"},
		"ErrSkipPastPage": {sheet, sample(1), 14, "skip"},
		"ErrSkipOnRoll":   {roll, sample(1), 1, "skip"},
		"ErrNoURL":        {sheet, []labels.Label{{Code: "K000000"}}, 0, "codes"},
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			err := labels.Render(&buf, tc.tpl, tc.labels, tc.skip)
			var e *ordi.Error
			if !errors.Is(err, ordi.Invalid) || !errors.As(err, &e) || e.Fields[0].Field != tc.field {
				t.Fatalf("err = %v, want Invalid on %s", err, tc.field)
			}
			if buf.Len() != 0 {
				t.Fatalf("wrote %d bytes on error", buf.Len())
			}
		})
	}
}

func TestLongTextStaysInsideTheLabel(t *testing.T) {
	pdftest.RequireTools(t)
	tpl, _ := labels.FindTemplate("L7160")
	l := labels.Label{Code: "W000000", URL: "https://ordi.example.org/u/W000000", Kind: "Ordinateur tout-en-un avec un nom interminable",
		Model: strings.Repeat("Modèle très long ", 10), Association: strings.Repeat("Association ", 8)}
	pdf := render(t, tpl, []labels.Label{l}, 0)
	text := pdftest.Text(t, pdf)[0]
	if !strings.Contains(text, "…") {
		t.Fatal("long texts are not ellipsised")
	}
	if strings.Count(text, "Modèle très long") > 6 {
		t.Fatal("the model overflows its three lines")
	}
}

func BenchmarkRender500L7163(b *testing.B) {
	tpl, _ := labels.FindTemplate("L7163")
	ls := sample(500)
	b.Cleanup(ordi.ServeGC(os.Getenv)) // as `ordi serve` runs
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var buf bytes.Buffer
		if err := labels.Render(&buf, tpl, ls, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRender5000L7163(b *testing.B) {
	tpl, _ := labels.FindTemplate("L7163")
	ls := sample(5000)
	b.Cleanup(ordi.ServeGC(os.Getenv)) // as `ordi serve` runs
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var buf bytes.Buffer
		if err := labels.Render(&buf, tpl, ls, 0); err != nil {
			b.Fatal(err)
		}
	}
}
