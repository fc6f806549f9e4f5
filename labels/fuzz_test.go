package labels_test

import (
	"bytes"
	"testing"

	"github.com/ordi-app/ordi/labels"
	"github.com/ordi-app/ordi/pdfdoc/pdftest"
)

// FuzzRender prints random text in every field of a label, on a sheet and
// on a roll: the labels always render, as a valid PDF.
func FuzzRender(f *testing.F) {
	for _, s := range pdftest.Hostile {
		f.Add(s)
	}
	sheet, _ := labels.FindTemplate("L7160")
	roll, _ := labels.FindTemplate("DK-11209")
	f.Fuzz(func(t *testing.T, s string) {
		for _, tpl := range []labels.Template{sheet, roll} {
			var buf bytes.Buffer
			if err := labels.Render(&buf, tpl, []labels.Label{hostileLabel(0, s)}, 0); err != nil {
				t.Fatalf("%s, %q: %v", tpl.Name, s, err)
			}
			pdftest.Validate(t, buf.Bytes())
		}
	})
}
