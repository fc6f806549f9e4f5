package pdfdoc_test

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/ordi-app/ordi/pdfdoc"
)

func renderAt(t *testing.T, created time.Time) []byte {
	t.Helper()
	pdf := pdfdoc.New(pdfdoc.Options{Title: "Essai", Author: "Régie « Est »", Subject: "Sujet", Created: created})
	pdf.AddPage()
	pdf.CellFormat(0, 10, "Bonjour", "", 1, "L", false, 0, "")
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// checkXref checks that every entry of the cross-reference table points at
// its object, and startxref at the table.
func checkXref(t *testing.T, pdf []byte) {
	t.Helper()
	m := regexp.MustCompile(`startxref\n([0-9]+)\n%%EOF`).FindSubmatch(pdf)
	if m == nil {
		t.Fatal("no startxref")
	}
	xref, _ := strconv.Atoi(string(m[1]))
	if !bytes.HasPrefix(pdf[xref:], []byte("xref\n")) {
		t.Fatalf("startxref %d does not point at the table", xref)
	}
	entries := regexp.MustCompile(`([0-9]{10}) 00000 n `).FindAllSubmatch(pdf[xref:], -1)
	if len(entries) < 3 {
		t.Fatalf("%d entries", len(entries))
	}
	for i, e := range entries {
		off, _ := strconv.Atoi(string(e[1]))
		if !bytes.HasPrefix(pdf[off:], []byte(strconv.Itoa(i+1)+" 0 obj")) {
			t.Errorf("entry %d points at %q", i+1, pdf[off:min(off+12, len(pdf))])
		}
	}
}

// TestCreationDateCarriesItsZone: a document's dates are written with
// their offset from UTC, and the cross-reference table stays exact.
func TestCreationDateCarriesItsZone(t *testing.T) {
	at := time.Date(2026, 11, 20, 15, 0, 0, 0, time.FixedZone("CET", 3600))
	for _, tc := range []struct {
		created time.Time
		want    string
	}{
		{at, "(D:20261120150000+01'00')"},
		{at.In(time.FixedZone("EDT", -4*3600-1800)), "(D:20261120093000-04'30')"},
		{at.UTC(), "(D:20261120140000Z)"},
	} {
		pdf := renderAt(t, tc.created)
		if n := bytes.Count(pdf, []byte(tc.want)); n != 2 {
			t.Errorf("%s: %d dates written %s, want 2 (creation, modification)", tc.created, n, tc.want)
		}
		checkXref(t, pdf)
		if !bytes.Contains(pdf, []byte("/Lang (fr-FR)")) {
			t.Error("no language in the catalog")
		}
		if again := renderAt(t, tc.created); !bytes.Equal(pdf, again) {
			t.Error("two renderings differ")
		}
	}
	// Without a date of its own, a document keeps fpdf's bytes (labels).
	epoch := renderAt(t, time.Time{})
	if !bytes.Contains(epoch, []byte("/CreationDate (D:20260101000000)")) {
		t.Error("a document without a date changed its bytes")
	}
	checkXref(t, epoch)
}
