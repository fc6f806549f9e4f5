package pdftest

import (
	"html"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
)

// Box is a rectangle on a page, in points from its top left corner.
type Box struct{ XMin, YMin, XMax, YMax float64 }

// Overlaps reports whether b and o share more than tol points each way.
func (b Box) Overlaps(o Box, tol float64) bool {
	return b.XMin+tol < o.XMax && o.XMin+tol < b.XMax && b.YMin+tol < o.YMax && o.YMin+tol < b.YMax
}

// Word is a word drawn on a page and its bounding box.
type Word struct {
	Text string
	Box
}

// Page is a page's size, in points, and its words in reading order.
type Page struct {
	Width, Height float64
	Words         []Word
}

var (
	pageRE = regexp.MustCompile(`<page width="([0-9.]+)" height="([0-9.]+)">`)
	wordRE = regexp.MustCompile(`<word xMin="([0-9.-]+)" yMin="([0-9.-]+)" xMax="([0-9.-]+)" yMax="([0-9.-]+)">([^<]*)</word>`)
)

// Words returns the words of every page with their boxes (pdftotext -bbox),
// to check a layout's geometry: what lies outside the page, what overlaps.
func Words(tb testing.TB, pdf []byte) []Page {
	tb.Helper()
	out, err := exec.Command("pdftotext", "-bbox", "-enc", "UTF-8", write(tb, pdf), "-").Output()
	if err != nil {
		tb.Fatalf("pdftotext -bbox: %v", err)
	}
	var pages []Page
	for _, m := range regexp.MustCompile(`(?s)<page .*?</page>`).FindAll(out, -1) {
		head := pageRE.FindSubmatch(m)
		if head == nil {
			tb.Fatalf("pdftotext -bbox: page without size: %.80s", m)
		}
		p := Page{Width: num(head[1]), Height: num(head[2])}
		for _, w := range wordRE.FindAllSubmatch(m, -1) {
			p.Words = append(p.Words, Word{Text: html.UnescapeString(string(w[5])), Box: Box{num(w[1]), num(w[2]), num(w[3]), num(w[4])}})
		}
		pages = append(pages, p)
	}
	return pages
}

func num(b []byte) float64 {
	f, _ := strconv.ParseFloat(string(b), 64)
	return f
}

// CheckLayout fails the test for every word that runs off its page or
// comes within margin points of its edge, and for every two words that
// overlap by more than tol points (text printed over text).
func CheckLayout(tb testing.TB, pages []Page, margin, tol float64) {
	tb.Helper()
	for i, p := range pages {
		for _, w := range p.Words {
			if w.XMin < margin || w.YMin < margin || w.XMax > p.Width-margin || w.YMax > p.Height-margin {
				tb.Errorf("page %d: %q at %+v runs off the page (%.0f × %.0f pt)", i+1, w.Text, w.Box, p.Width, p.Height)
			}
		}
		for a := range p.Words {
			for b := a + 1; b < len(p.Words); b++ {
				if p.Words[a].Overlaps(p.Words[b].Box, tol) {
					tb.Errorf("page %d: %q at %+v overprints %q at %+v", i+1, p.Words[a].Text, p.Words[a].Box, p.Words[b].Text, p.Words[b].Box)
				}
			}
		}
	}
}

// Info returns the document's metadata as pdfinfo -isodates reads them
// ("Title", "Author", "CreationDate"…).
func Info(tb testing.TB, pdf []byte) map[string]string {
	tb.Helper()
	out, err := exec.Command("pdfinfo", "-isodates", "-enc", "UTF-8", write(tb, pdf)).Output()
	if err != nil {
		tb.Fatalf("pdfinfo: %v", err)
	}
	info := map[string]string{}
	for _, line := range regexp.MustCompile(`(?m)^([A-Za-z ]+):\s*(.*)$`).FindAllStringSubmatch(string(out), -1) {
		info[line[1]] = line[2]
	}
	return info
}
