package labels_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/ordi-app/ordi/labels"
	"github.com/ordi-app/ordi/pdfdoc/pdftest"
)

// hostileLabel carries s in every text field a label draws.
func hostileLabel(i int, s string) labels.Label {
	code := fmt.Sprintf("H%06d", i)
	return labels.Label{Code: code, URL: "https://ordi.example.org/u/" + code, Kind: s, Model: s, Association: s}
}

// TestRenderDrawsAnyText feeds text the font cannot draw (emoji, 𝐀,
// controls, bytes that are not UTF-8) to every field of a label on every
// stock: the labels render as a valid PDF. On the narrowest sheet and roll,
// every QR still reads in its cell (the text did not push the layout
// around) and the emoji shows as the replacement mark.
func TestRenderDrawsAnyText(t *testing.T) {
	var ls []labels.Label
	for i, s := range pdftest.Hostile {
		ls = append(ls, hostileLabel(i, s))
	}
	for _, tpl := range labels.Templates() {
		t.Run(tpl.Name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := labels.Render(&buf, tpl, ls, 0); err != nil {
				t.Fatal(err)
			}
			pdftest.RequireTools(t)
			pdftest.Validate(t, buf.Bytes())
			if tpl.Name != "L7160" && tpl.Name != "DK-11209" {
				return
			}
			few := ls
			if tpl.Roll {
				few = ls[:4] // a page per label: rasterising them all is slow
			}
			buf.Reset()
			if err := labels.Render(&buf, tpl, few, 0); err != nil {
				t.Fatal(err)
			}
			pdftest.CheckLabelQRs(t, buf.Bytes(), tpl, 0, urls(few))
			if text := pdftest.Text(t, buf.Bytes())[0]; !strings.Contains(text, "Zoé "+pdftest.Mark) {
				t.Errorf("the first label does not show the replacement mark for the emoji:\n%s", text)
			}
		})
	}
}
