package pdfdoc

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"time"
)

// zoneSuffix is a time's offset from UTC as the dates of a PDF's
// information dictionary write it: "+01'00'", or "Z".
func zoneSuffix(t time.Time) string {
	_, off := t.Zone()
	if off == 0 {
		return "Z"
	}
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("%c%02d'%02d'", sign, off/3600, off%3600/60)
}

// Output writes the document to w (fpdf.Fpdf.Output). When the document
// was given its creation date (Options.Created), its dates carry their
// offset from UTC, which fpdf leaves out: a reader would take the local
// time written for UTC.
func (d *Doc) Output(w io.Writer) error {
	if d.zone == "" {
		return d.engine.Output(w)
	}
	var buf bytes.Buffer
	if err := d.engine.Output(&buf); err != nil {
		return err
	}
	out, err := withZone(buf.Bytes(), d.zone)
	if err != nil {
		return fmt.Errorf("pdfdoc: %w", err)
	}
	_, err = w.Write(out)
	return err
}

var (
	startXrefRE = regexp.MustCompile(`startxref\n([0-9]+)\n%%EOF\n?$`)
	xrefHeadRE  = regexp.MustCompile(`^xref\n0 ([0-9]+)\n`)
	infoRefRE   = regexp.MustCompile(`/Info ([0-9]+) 0 R`)
	dateRE      = regexp.MustCompile(`/(?:CreationDate|ModDate) \(D:[0-9]{14}\)`)
)

// xrefEntry is the length of one entry of a cross-reference table.
const xrefEntry = 20

// withZone adds suffix to the dates of the information dictionary of pdf,
// as fpdf writes it (one classic cross-reference table), and shifts the
// offsets of the objects that follow, so that the table stays exact.
func withZone(pdf []byte, suffix string) ([]byte, error) {
	m := startXrefRE.FindSubmatchIndex(pdf)
	if m == nil {
		return nil, fmt.Errorf("no startxref")
	}
	xref, _ := strconv.Atoi(string(pdf[m[2]:m[3]]))
	head := xrefHeadRE.FindSubmatch(pdf[xref:])
	if head == nil {
		return nil, fmt.Errorf("no cross-reference table at %d", xref)
	}
	n, _ := strconv.Atoi(string(head[1]))
	table := xref + len(head[0])
	trailer := pdf[table+n*xrefEntry : m[0]]
	ref := infoRefRE.FindSubmatch(trailer)
	if ref == nil {
		return nil, fmt.Errorf("no information dictionary")
	}
	info, _ := strconv.Atoi(string(ref[1]))
	if info <= 0 || info >= n {
		return nil, fmt.Errorf("information dictionary %d outside the table", info)
	}
	offset := func(i int) int {
		v, _ := strconv.Atoi(string(pdf[table+i*xrefEntry : table+i*xrefEntry+10]))
		return v
	}
	start := offset(info)
	if start <= 0 || start >= xref {
		return nil, fmt.Errorf("information dictionary %d not found", info)
	}
	end := start + bytes.Index(pdf[start:xref], []byte("endobj"))
	if end < start {
		return nil, fmt.Errorf("information dictionary %d not closed", info)
	}
	// The insertion points: before the ")" closing each date.
	var at []int
	for _, d := range dateRE.FindAllIndex(pdf[start:end], -1) {
		at = append(at, start+d[1]-1)
	}
	shift := func(pos int) int {
		s := 0
		for _, a := range at {
			if a < pos {
				s += len(suffix)
			}
		}
		return pos + s
	}
	var out bytes.Buffer
	out.Grow(len(pdf) + len(at)*len(suffix) + 4)
	last := 0
	for _, a := range at {
		out.Write(pdf[last:a])
		out.WriteString(suffix)
		last = a
	}
	out.Write(pdf[last:table])
	for i := 0; i < n; i++ {
		e := pdf[table+i*xrefEntry : table+(i+1)*xrefEntry]
		if e[17] != 'n' {
			out.Write(e)
			continue
		}
		fmt.Fprintf(&out, "%010d", shift(offset(i)))
		out.Write(e[10:])
	}
	out.Write(trailer)
	fmt.Fprintf(&out, "startxref\n%d\n%%%%EOF\n", shift(xref))
	return out.Bytes(), nil
}
